// Administrators' pages: the visit summary and the debrief agenda, read from the API.

import { getJson } from "../api.js";
import { h, humanize, replace, formatDate, percent, rooms } from "../dom.js";

export function backLinks(visitId, here) {
  const links = [h("a", { href: "/", "data-link": true }, "← Visits")];
  if (here !== "summary") links.push(h("a", { href: `/visits/${visitId}/summary`, "data-link": true }, "Summary"));
  if (here !== "debrief") links.push(h("a", { href: `/visits/${visitId}/debrief`, "data-link": true }, "Debrief agenda"));
  links.push(h("a", { href: `/visits/${visitId}`, "data-link": true }, "Capture"));
  return h("p", { class: "crumbs" }, links.flatMap((link, i) => (i ? [" · ", link] : [link])));
}

function recorded(item) {
  const total = Object.values(item.counts || {}).reduce((a, b) => a + Number(b || 0), 0);
  return total > 0 || item.rooms_observed > 0;
}

function countsTable(item) {
  const entries = Object.entries(item.counts || {});
  if (!entries.length) return null;
  return h("table", { class: "counts" },
    h("caption", { class: "visually-hidden" }, `${item.prompt}: rooms per value`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Value"), h("th", { scope: "col" }, "Rooms"))),
    h("tbody", {}, entries.map(([value, n]) => h("tr", {},
      h("th", { scope: "row" }, /^\d+$/.test(value) ? value : humanize(value)), h("td", {}, String(n))))));
}

export function trendItem(item) {
  const facts = [];
  if (item.rate !== null && item.rate !== undefined) {
    facts.push(h("span", { class: "rate" }, percent(item.rate)),
      h("meter", { min: "0", max: "1", value: String(item.rate), "aria-label": `${item.prompt}: rate` }));
  }
  if (item.mean !== null && item.mean !== undefined) facts.push(h("span", { class: "mean" }, `mean ${item.mean}`));
  const methods = Object.entries(item.methods || {});
  return h("li", { class: `card trend${item.suppressed ? " suppressed" : ""}`, testid: `trend-${item.key}` },
    h("h3", {}, item.prompt),
    h("p", { class: "seen-in" }, item.seen_in || rooms(item.rooms_observed)),
    item.differed ? h("p", { class: "differed", testid: `differed-${item.key}` },
      `The team saw this differently in ${rooms(item.differed)}.`) : null,
    facts.length ? h("p", { class: "facts" }, facts) : null,
    countsTable(item),
    methods.length ? h("p", { class: "methods" }, "Methods: ",
      methods.map(([m, n]) => `${humanize(m)} ${n}`).join(", ")) : null);
}

function evidenceList(evidence, total = null) {
  if (!evidence || !evidence.length) return h("p", { class: "empty" }, "No evidence notes yet.");
  return [
    h("ul", { class: "quotes", testid: "evidence-quotes" }, evidence.map((quote) => h("li", {},
      h("blockquote", {}, quote.text),
      quote.item ? h("p", { class: "meta" }, humanize(quote.item)) : null))),
    total !== null && total > evidence.length
      ? h("p", { class: "meta" }, `The first ${evidence.length} of ${total} notes, in the order they were taken.`) : null,
  ];
}

/** Where the team saw a look-for differently: questions for the team, not about a teacher. */
export function calibrationList(prompts) {
  if (!prompts || !prompts.length) return null;
  return [
    h("h3", {}, "Where the team saw it differently"),
    h("ul", { class: "calibration", testid: "calibration-prompts" },
      prompts.map((p) => h("li", { testid: `calibration-${p.key}` }, p.question))),
  ];
}

export async function renderSummary(root, visitId, { setTitle }) {
  const { data: summary, stale } = await getJson(`/api/visits/${encodeURIComponent(visitId)}/summary`);
  setTitle("Visit summary");
  const observed = (summary.items || []).filter(recorded);
  const unobserved = (summary.items || []).filter((item) => !observed.includes(item));
  replace(root,
    backLinks(visitId, "summary"),
    h("h1", { tabindex: "-1" }, "Visit summary"),
    stale ? h("p", { class: "notice", role: "status" }, "Offline: showing the summary saved on this tablet.") : null,
    h("p", { class: "lede", testid: "summary-totals" },
      h("span", { testid: "summary-rooms" }, `${rooms(summary.rooms)} visited`),
      " · ",
      h("span", { testid: "summary-thanks" }, `${summary.thank_you_notes} thank-you ${summary.thank_you_notes === 1 ? "note" : "notes"} left`)),
    h("p", { class: "reminder" }, `Trends across rooms, never individual teachers. Each room counts once, whoever of the team entered it; “not observed” and rooms the team saw differently are left out of rates; a look-for seen in fewer than ${summary.min_rooms || 3} rooms shows no figure.`),
    h("h2", {}, "Look-fors"),
    h("ul", { class: "trend-list", testid: "summary-items" }, observed.map(trendItem)),
    unobserved.length ? h("p", { class: "meta" }, `Not recorded yet: ${unobserved.map((i) => i.prompt).join("; ")}.`) : null,
    h("h2", {}, "Evidence"),
    evidenceList(summary.evidence, summary.evidence_count));
}

// The debrief agenda's seven sections, as people read them (also used by the report page).
export const SECTION_TITLES = {
  progress: "Progress on the previous next steps",
  school_update: "School update",
  bright_spots: "Bright spots",
  trends: "Trends across rooms",
  root_causes: "Root causes",
  next_steps: "Next steps",
  check_ins: "Check-in schedule",
};

function stepDetails(step) {
  return h("dl", { class: "step-details" },
    step.owner ? [h("dt", {}, "Owner"), h("dd", {}, step.owner)] : null,
    step.due ? [h("dt", {}, "Due"), h("dd", {}, formatDate(step.due))] : null,
    step.success ? [h("dt", {}, "Success looks like"), h("dd", {}, step.success)] : null);
}

export function sectionBody(section) {
  switch (section.kind) {
    case "progress": {
      const steps = section.steps || [];
      if (!steps.length) return h("p", { class: "empty" }, "No previous action plan to report on.");
      return h("ul", { class: "steps" }, steps.map((step) => {
        const check = step.latest_check_in;
        return h("li", { class: "card" },
          h("p", { class: "step-text" }, step.text),
          stepDetails(step),
          check
            ? h("p", { class: "check-in" },
              h("span", { class: `status status-${check.status}` }, humanize(check.status || "")),
              check.progress ? ` · ${check.progress}` : "",
              check.note ? ` · ${check.note}` : "",
              check.date ? ` (${formatDate(check.date)})` : "")
            : h("p", { class: "meta" }, "No check-in recorded yet."));
      }));
    }
    case "school_update":
      return section.text
        ? h("p", { class: "school-update" }, section.text)
        : h("p", { class: "empty" }, "The host has not recorded a school update yet.");
    case "bright_spots": {
      const items = section.items || [];
      if (!items.length) return h("p", { class: "empty" }, "No look-for was seen strongly across rooms yet.");
      return h("ul", { class: "bright" }, items.map((item) => h("li", {},
        h("strong", {}, item.prompt), `: ${item.summary}`)));
    }
    case "trends": {
      const items = (section.items || []).filter(recorded);
      return [
        calibrationList(section.calibration),
        items.length ? h("ul", { class: "trend-list" }, items.map(trendItem))
          : h("p", { class: "empty" }, "Nothing recorded yet."),
        h("h3", {}, "Evidence"),
        evidenceList(section.evidence, section.evidence_count),
      ];
    }
    case "root_causes": {
      const prompts = section.prompts || [];
      const noted = section.noted || [];
      return [
        prompts.length
          ? h("ol", { class: "prompts" }, prompts.map((p) => h("li", {}, p.question)))
          : h("p", { class: "empty" }, "No weak look-for needs a root-cause question."),
        noted.length ? [h("h3", {}, "Noted by the team"),
          h("ul", {}, noted.map((n) => h("li", {}, n.text)))] : null,
      ];
    }
    case "next_steps": {
      const steps = section.steps || [];
      if (!steps.length) return h("p", { class: "empty" }, "No next steps proposed yet (one or two, each with an owner, a due date and a definition of success).");
      return h("ol", { class: "steps" }, steps.map((step) => h("li", { class: "card" },
        h("p", { class: "step-text" }, step.text), stepDetails(step))));
    }
    case "check_ins": {
      const schedule = section.schedule || [];
      if (!schedule.length) return h("p", { class: "empty" }, "No check-ins scheduled.");
      return h("ul", { class: "schedule", testid: "check-in-schedule" },
        schedule.map((s) => h("li", { "data-due": s.due }, formatDate(s.due))));
    }
    default:
      return h("pre", {}, JSON.stringify(section, null, 2));
  }
}

export async function renderDebrief(root, visitId, { setTitle }) {
  const { data: debrief, stale } = await getJson(`/api/visits/${encodeURIComponent(visitId)}/debrief`);
  setTitle("Debrief agenda");
  const school = debrief.school ? debrief.school.name : "";
  replace(root,
    backLinks(visitId, "debrief"),
    h("h1", { tabindex: "-1" }, `Debrief agenda${school ? ` · ${school}` : ""}`),
    h("p", { class: "meta" }, formatDate(debrief.date)),
    debrief.focus ? h("p", { class: "focus" }, h("strong", {}, "Focus: "), debrief.focus) : null,
    stale ? h("p", { class: "notice", role: "status" }, "Offline: showing the agenda saved on this tablet.") : null,
    h("ol", { class: "agenda", testid: "debrief-sections" }, (debrief.sections || []).map((section, index) =>
      h("li", { class: "agenda-section" },
        h("section", { testid: `debrief-section-${section.kind}`, "aria-labelledby": `section-${section.kind}` },
          h("h2", { id: `section-${section.kind}` }, `${index + 1}. ${SECTION_TITLES[section.kind] || humanize(section.kind)}`),
          sectionBody(section))))));
}
