// The debrief agenda, drawn one way wherever it is read: the app's debrief screen and
// the report page (/reports/visits/{id}/debrief) both show the server's seven sections
// with these words; each adds its own parts to a section (forms, a chart) through
// `extra`. Also the trend cards and step statuses the summary and plan screens share.

import { formatDate, h, humanize, percent, progressText, rooms } from "./dom.js";

// The agenda's sections, as people read them.
export const SECTION_TITLES = Object.freeze({
  progress: "Progress on the previous next steps",
  school_update: "School update",
  bright_spots: "Bright spots",
  trends: "Trends across rooms",
  root_causes: "Root causes",
  next_steps: "Next steps",
  check_ins: "Check-in schedule",
});

const empty = (text) => h("p", { class: "empty" }, text);

/** Whether anything was recorded for a look-for (taps or rooms). */
export function recorded(item) {
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

/** One look-for across the visit's rooms: where seen, its rate, counts and methods. */
export function trendItem(item) {
  const facts = [];
  if (item.rate !== null && item.rate !== undefined) {
    facts.push(h("span", { class: "rate" }, item.figure || percent(item.rate)),
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

/** The evidence notes, in the order they were taken (the first ones when there are many). */
export function evidenceList(evidence, total = null) {
  if (!evidence || !evidence.length) return empty("No evidence notes yet.");
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

/**
 * A step's status in words, the same on every screen: the status, "Overdue" when it is,
 * and each person's judgment when the people checking in judge it differently (the
 * status is then the most cautious of them; none is erased by a later check-in).
 */
export function stepStatus(step, names = new Map()) {
  if (!step.status) return null;
  const differ = step.differs && (step.judgments || []).length > 1;
  return h("p", { class: "step-status", testid: `status-${step.step_id}` },
    h("span", { class: `status status-${step.status}` }, humanize(step.status)),
    step.overdue ? [" ", h("span", { class: "status status-overdue" }, "Overdue")] : null,
    differ ? h("span", { class: "judgments", testid: `judgments-${step.step_id}` },
      " · judged differently: ", step.judgments.map((j) => `${names.get(j.by) || j.by}: ${humanize(j.status)}`
        + (j.progress !== null && j.progress !== undefined ? ` (${progressText(j.progress)})` : "")).join("; "))
      : null);
}

function stepCard(step) {
  const check = step.latest_check_in;
  return h("li", { class: "card step" },
    h("p", { class: "step-text" }, step.text),
    h("dl", { class: "step-details" },
      step.owner ? [h("dt", {}, "Owner"), h("dd", {}, step.owner)] : null,
      step.due ? [h("dt", {}, "Due"), h("dd", {}, formatDate(step.due))] : null,
      step.success ? [h("dt", {}, "Success looks like"), h("dd", {}, step.success)] : null),
    stepStatus(step),
    check === undefined ? null : check
      ? h("p", { class: "check-in" }, `Latest check-in${check.date ? ` (${formatDate(check.date)})` : ""}`,
        progressText(check.progress) ? `: ${progressText(check.progress)}` : "",
        check.note ? ` · ${check.note}` : "")
      : h("p", { class: "meta" }, "No check-in recorded yet."));
}

/** What one section says; a section the tablet does not know is an error, not a blank. */
export function sectionBody(section) {
  switch (section.kind) {
    case "progress": {
      const steps = section.steps || [];
      return steps.length ? h("ul", { class: "steps" }, steps.map(stepCard))
        : empty("No earlier action plan at this school.");
    }
    case "school_update":
      return section.text ? h("p", { class: "school-update" }, section.text)
        : empty("The host has not recorded a school update yet.");
    case "bright_spots": {
      const items = section.items || [];
      return items.length ? h("ul", { class: "bright" }, items.map((item) => h("li", {},
        h("strong", {}, item.prompt), `: ${item.summary}`)))
        : empty("No look-for was seen strongly across rooms yet.");
    }
    case "trends": {
      const items = (section.items || []).filter(recorded);
      return [
        calibrationList(section.calibration),
        items.length ? h("ul", { class: "trend-list" }, items.map(trendItem)) : empty("Nothing recorded yet."),
        h("h3", {}, "Evidence"),
        evidenceList(section.evidence, section.evidence_count),
      ];
    }
    case "root_causes": {
      const prompts = section.prompts || [];
      const noted = section.noted || [];
      return [
        prompts.length ? h("ol", { class: "prompts" }, prompts.map((p) => h("li", {}, p.question)))
          : empty("No weak look-for needs a root-cause question."),
        noted.length ? [h("h3", {}, "Noted by the team"), h("ul", {}, noted.map((n) => h("li", {}, n.text)))] : null,
      ];
    }
    case "next_steps": {
      const steps = section.steps || [];
      if (!steps.length) {
        return empty("No next steps proposed yet (one or two, each with an owner, a due date and a definition of success).");
      }
      return [
        h("p", { class: "meta" }, section.agreed ? "Agreed action plan" : `Proposed (at most ${section.max_steps})`),
        h("ol", { class: "steps" }, steps.map(stepCard)),
      ];
    }
    case "check_ins": {
      const schedule = section.schedule || [];
      return schedule.length ? h("ul", { class: "schedule", testid: "check-in-schedule" },
        schedule.map((s) => h("li", { "data-due": s.due }, `Week ${s.week}: ${formatDate(s.due)}`)))
        : empty("No check-ins scheduled.");
    }
    default:
      throw new Error(`the debrief has a section this tablet does not know: ${section.kind}`);
  }
}

/**
 * The agenda: its sections numbered in the server's order, each with its title and
 * body, then what the screen adds to it (`extra[kind]`).
 */
export function agenda(sections, extra = {}) {
  return h("ol", { class: "agenda", testid: "debrief-sections" }, sections.map((section, index) =>
    h("li", { class: "agenda-section" },
      h("section", { testid: `debrief-section-${section.kind}`, "data-kind": section.kind,
        "aria-labelledby": `section-${section.kind}` },
      h("h2", { id: `section-${section.kind}` }, `${index + 1}. ${sectionTitle(section.kind)}`),
      sectionBody(section),
      extra[section.kind] || null))));
}

export function sectionTitle(kind) {
  if (!Object.hasOwn(SECTION_TITLES, kind)) throw new Error(`no title for the debrief section ${kind}`);
  return SECTION_TITLES[kind];
}

