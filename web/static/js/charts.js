// Charts drawn by the server as SVG (rates over time, bars per look-for), fetched
// with the bearer token and adopted into the page. Parsing as image/svg+xml never
// runs script, and the server escapes every label.
//
// A chart is drawn for the width its place on the page has (`?width=`), so it is
// shown at its own size: legible text on a phone, never scaled down. Place the figure
// first (`chartFigure`), then draw into it (`drawChart`), so its width is known.

import { getToken } from "./api.js";
import { h } from "./dom.js";

/** An empty figure for a chart, with its caption: put it on the page, then draw. */
export function chartFigure(caption) {
  const figure = h("figure", { class: "chart-figure" });
  if (caption) figure.append(h("figcaption", {}, caption));
  return figure;
}

/** Fetch the SVG at `path`, drawn for the figure's width, into the figure. */
export async function drawChart(figure, path) {
  const style = getComputedStyle(figure);
  const room = figure.clientWidth - parseFloat(style.paddingLeft || "0") - parseFloat(style.paddingRight || "0");
  const width = Math.max(320, Math.min(720, Math.floor(room || 720)));
  const url = `${path}${path.includes("?") ? "&" : "?"}width=${width}`;
  let content;
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
    content = document.importNode(svg, true);
  } catch (error) {
    content = h("p", { class: "empty" }, `The chart could not be loaded (${error.message}).`);
  }
  figure.prepend(content);
  return figure;
}
