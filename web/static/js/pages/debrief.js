// The debrief agenda as a page: seven sections, progress on the previous plan first,
// with the visit's look-for rates drawn as bars.

import { chart } from "../charts.js";
import { formatDate, h, humanize, percent, replace } from "../dom.js";
import { SECTION_TITLES, calibrationList } from "../views/reports.js";
import { getData, load, main } from "./common.js";

const empty = (text) => h("p", { class: "empty" }, text);

function stepCard(step) {
  const check = step.latest_check_in;
  return h("li", { class: "card step" },
    h("p", { class: "step-text" }, step.text),
    h("p", { class: "meta" }, `Owner: ${step.owner} · due ${formatDate(step.due)}`),
    h("p", { class: "meta" }, `Success: ${step.success}`),
    step.status ? h("p", {},
      h("span", { class: `status status-${step.status}` }, humanize(step.status)),
      step.overdue ? h("span", { class: "status status-overdue" }, "Overdue") : null) : null,
    check ? h("p", { class: "check-in" }, `Last check-in ${formatDate(check.date)}`,
      check.progress !== null ? ` · ${typeof check.progress === "number" ? percent(check.progress) : check.progress}` : "",
      check.note ? ` · ${check.note}` : "") : null);
}

function body(section) {
  switch (section.kind) {
    case "progress":
      return section.steps.length ? h("ul", { class: "steps" }, section.steps.map(stepCard))
        : empty("No earlier action plan at this school.");
    case "school_update":
      return section.text ? h("p", {}, section.text) : empty("No school update yet.");
    case "bright_spots":
      return section.items.length ? h("ul", {}, section.items.map((i) =>
        h("li", {}, h("strong", {}, i.prompt), `: ${i.summary}`))) : empty("None yet.");
    case "trends":
      return [
        calibrationList(section.calibration),
        h("ul", { class: "trend-lines" }, section.items.filter((i) => i.rooms_observed > 0)
          .map((i) => h("li", {}, h("strong", {}, i.prompt), `: ${i.seen_in}`,
            Object.keys(i.methods || {}).length ? ` (methods: ${Object.keys(i.methods).map(humanize).join(", ")})` : ""))),
        section.evidence.length ? h("ul", { class: "quotes" }, section.evidence.map((q) =>
          h("li", {}, h("blockquote", {}, q.text)))) : null,
      ];
    case "root_causes":
      return [
        section.prompts.length ? h("ol", {}, section.prompts.map((p) => h("li", {}, p.question)))
          : empty("No weak look-for needs a question."),
        section.noted.length ? [h("h3", {}, "Noted by the team"),
          h("ul", {}, section.noted.map((n) => h("li", {}, n.text)))] : null,
      ];
    case "next_steps":
      return section.steps.length ? [
        h("p", { class: "meta" }, section.agreed ? "Agreed action plan" : `Proposed (at most ${section.max_steps})`),
        h("ol", { class: "steps" }, section.steps.map(stepCard))]
        : empty("No next steps proposed yet.");
    case "check_ins":
      return h("ul", { testid: "check-in-schedule" }, section.schedule.map((s) =>
        h("li", { "data-due": s.due }, `Week ${s.week}: ${formatDate(s.due)}`)));
    default:
      return null;
  }
}

load(async () => {
  const visitId = main.dataset.visitId;
  const debrief = await getData(`/api/visits/${encodeURIComponent(visitId)}/debrief`);
  document.title = `Debrief · ${debrief.school.name} · Walkthrough`;
  const bars = await chart(`/api/visits/${encodeURIComponent(visitId)}/debrief/chart.svg`,
    "Rates across the visit's rooms; “not observed” is left out.");
  replace(main,
    h("h1", {}, `Debrief agenda · ${debrief.school.name}`),
    h("p", { class: "meta" }, `${formatDate(debrief.date)} · ${humanize(debrief.phase)}`),
    h("p", {}, h("strong", {}, "Focus: "), debrief.focus),
    h("p", { class: "crumbs" }, h("a", { href: `/reports/schools/${encodeURIComponent(debrief.school.id)}/trends` }, "School trends")),
    h("ol", { class: "agenda" }, debrief.sections.map((section, index) =>
      h("li", { class: "agenda-section" }, h("section", { "data-kind": section.kind },
        h("h2", {}, `${index + 1}. ${SECTION_TITLES[section.kind] || humanize(section.kind)}`),
        body(section), section.kind === "trends" ? bars : null)))));
});
