// The debrief agenda as a page: the app's seven sections (debrief-agenda.js), with the
// visit's look-for rates drawn as bars in the trends.

import { chartFigure, drawChart } from "../charts.js";
import { agenda } from "../debrief-agenda.js";
import { formatDate, h, humanize, replace } from "../dom.js";
import { getData, load, main } from "./common.js";

load(async () => {
  const visitId = main.dataset.visitId;
  const debrief = await getData(`/api/visits/${encodeURIComponent(visitId)}/debrief`);
  document.title = `Debrief · ${debrief.school.name} · Walkthrough`;
  const bars = chartFigure("Rates across the visit's rooms; “not observed” is left out.");
  replace(main,
    h("h1", {}, `Debrief agenda · ${debrief.school.name}`),
    h("p", { class: "meta" }, `${formatDate(debrief.date)} · ${humanize(debrief.phase)}`),
    h("p", {}, h("strong", {}, "Focus: "), debrief.focus),
    h("p", { class: "crumbs" }, h("a", { href: `/reports/schools/${encodeURIComponent(debrief.school.id)}/trends` }, "School trends")),
    agenda(debrief.sections, { trends: bars }));
  await drawChart(bars, `/api/visits/${encodeURIComponent(visitId)}/debrief/chart.svg`);
});
