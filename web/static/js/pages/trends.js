// Trend pages: one school visit by visit, or the district by quarter with small
// cells suppressed (shown as "suppressed", never as a number).

import { chartFigure, drawChart } from "../charts.js";
import { formatDate, h, humanize, percent, replace, rooms } from "../dom.js";
import { getData, load, main } from "./common.js";

const cellText = (cell) => (cell.suppressed ? "suppressed" : `${percent(cell.rate)} (${rooms(cell.classrooms)})`);

function breakdownTable(title, periods, rows) {
  const names = Object.keys(rows);
  if (!names.length) return null;
  return h("table", { class: "trend-table" },
    h("caption", {}, title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), periods.map((p) => h("th", { scope: "col" }, p)))),
    h("tbody", {}, names.map((name) => h("tr", {}, h("th", { scope: "row" }, humanize(name)),
      periods.map((period) => {
        const cell = rows[name].find((c) => c.period === period);
        return h("td", { class: cell && cell.suppressed ? "suppressed" : null }, cell ? cellText(cell) : "–");
      })))));
}

async function schoolPage(schoolId) {
  const path = `/api/schools/${encodeURIComponent(schoolId)}/trends`;
  const trends = await getData(path);
  const figure = chartFigure("Each point is one visit.");
  document.title = `Trends · ${trends.school_name} · Walkthrough`;
  replace(main,
    h("h1", {}, `Look-for trends · ${trends.school_name}`),
    h("p", { class: "reminder" }, "Rates across the rooms of each visit, never individual teachers. “Not observed” is left out; withdrawn taps never count."),
    h("h2", {}, "Visits and their next steps"),
    trends.visits.length ? h("ul", {}, trends.visits.map((v) => h("li", {},
      h("a", { href: `/reports/visits/${v.visit_id}/debrief` }, formatDate(v.date)),
      ` · ${rooms(v.rooms)} · ${humanize(v.phase)}`,
      v.next_steps.length ? h("ul", {}, v.next_steps.map((s) => h("li", {}, `Next step: ${s}`))) : null)))
      : h("p", { class: "empty" }, "No visit observed yet."),
    figure);
  await drawChart(figure, `${path}/chart.svg`);
}

async function districtPage() {
  const trends = await getData("/api/trends");
  const latest = chartFigure("The latest quarter, district-wide.");
  const overTime = chartFigure("District rates by quarter.");
  replace(main,
    h("h1", {}, "District look-for trends"),
    h("p", { class: "reminder" }, `Any cell built from fewer than ${trends.min_cell} classrooms is suppressed.`),
    latest,
    overTime,
    trends.look_fors.map((item) => h("section", { class: "look-for" },
      h("h2", {}, item.prompt),
      breakdownTable("District", trends.periods, { district: item.district }),
      breakdownTable("By school level", trends.periods, item.by_level),
      breakdownTable("By grade band", trends.periods, item.by_grade_band))));
  await Promise.all([drawChart(latest, "/api/trends/chart.svg"),
    drawChart(overTime, "/api/trends/chart.svg?chart=lines")]);
}

load(() => (main.dataset.page === "school-trends" ? schoolPage(main.dataset.schoolId) : districtPage()));
