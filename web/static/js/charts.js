// Charts drawn by the server as SVG (rates over time, bars per look-for), fetched
// with the bearer token and adopted into the page. Parsing as image/svg+xml never
// runs script, and the server escapes every label.

import { getToken } from "./api.js";
import { h } from "./dom.js";

/** Fetch the SVG at `path` and return a figure holding it (or an error note). */
export async function chart(path, caption) {
  const figure = h("figure", { class: "chart-figure" });
  try {
    const response = await fetch(path, {
      headers: { Authorization: `Bearer ${getToken()}`, Accept: "image/svg+xml" },
      cache: "no-store",
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const doc = new DOMParser().parseFromString(await response.text(), "image/svg+xml");
    const svg = doc.documentElement;
    if (svg.nodeName !== "svg") throw new Error("not an SVG");
    figure.append(document.importNode(svg, true));
  } catch (error) {
    figure.append(h("p", { class: "empty" }, `The chart could not be loaded (${error.message}).`));
  }
  if (caption) figure.append(h("figcaption", {}, caption));
  return figure;
}
