// A small line of a figure over time (the student-progress data points of a support
// log), drawn in the page as SVG: no script, no inline style (the CSP allows neither).

// The SVG namespace, as the HTML parser gives it to an <svg> element (no address in the code).
const SVG = new DOMParser().parseFromString("<svg></svg>", "text/html").body.firstChild.namespaceURI;
const WIDTH = 320;
const HEIGHT = 120;
const PAD = 16;

function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  return el;
}

/** points: [{ date, value }] in date order; `label` says what the figure is, for screen readers. */
export function lineChart(points, label) {
  const values = points.map((p) => Number(p.value));
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (low === high) { low -= 1; high += 1; }
  const x = (i) => (points.length === 1 ? WIDTH / 2 : PAD + (i * (WIDTH - 2 * PAD)) / (points.length - 1));
  const y = (v) => HEIGHT - PAD - ((v - low) * (HEIGHT - 2 * PAD)) / (high - low);
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": label,
    class: "line-chart", focusable: "false" });
  chart.append(svg("line", { x1: PAD, y1: HEIGHT - PAD, x2: WIDTH - PAD, y2: HEIGHT - PAD,
    stroke: "#6b7785", "stroke-width": 1 }));
  if (points.length > 1) {
    chart.append(svg("polyline", { points: values.map((v, i) => `${x(i)},${y(v)}`).join(" "),
      fill: "none", stroke: "#0b4f8a", "stroke-width": 3, "stroke-linejoin": "round" }));
  }
  values.forEach((v, i) => chart.append(svg("circle", { cx: x(i), cy: y(v), r: 5, fill: "#0b4f8a" })));
  return chart;
}
