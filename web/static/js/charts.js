// Charts drawn by the server as SVG (rates over time, bars per look-for), fetched
// with the bearer token and adopted into the page. Parsing as image/svg+xml never
// runs script, and the server escapes every label.

import { getToken } from "./api.js";
import { h } from "./dom.js";

/** Fetch the SVG at `path` and return a figure holding it (or an error note). */
export async function chart(path, caption) {
  const figure = h("figure", { class: "chart-figure" });
  // Drawn for the width the page has, so it is shown at its own size (legible text on
  // a phone, never scaled down).
  const page = document.querySelector("main") || document.body;
  const style = getComputedStyle(page);
  const room = page.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const width = Math.max(320, Math.min(720, Math.floor(room)));
  const url = `${path}${path.includes("?") ? "&" : "?"}width=${width}`;
  try {
    const response = await fetch(url, {
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
