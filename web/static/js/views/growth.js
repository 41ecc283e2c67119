// An administrator's growth record, for them, their partnership peers and organizers:
// goals with their steps as they stand now (an adjusted step keeps its original and its
// history), peers' observations of their leadership practice, the support log with the
// data the pair looked at, support requests, the pulse (their own eyes only) and the
// learning sessions. Every write is an event on the record (its id as `visit_id`)
// through the outbox, shown at once, offline too, until the server's record has it.

import { ApiError, getJson } from "../api.js";
import { h, humanize, formatDate } from "../dom.js";
import {
  LABEL, SHORT, TEXT, checkboxGroup, clearFields, commit, field, isoDay, live, radioGroup, recordEvent, redraw, screen,
  select, showProblems, slug, statusLine, textArea, textInput, textProblem,
} from "../forms.js";
import { lineChart } from "../growth-chart.js";
import { overlay } from "../growth-state.js";
import * as outbox from "../outbox.js";

export const SETTINGS = [["plc_meeting", "PLC meeting"], ["team_meeting", "Team meeting"],
  ["feedback_conversation", "Feedback conversation with a teacher"], ["staff_debrief", "Walkthrough debrief with staff"],
  ["other", "Other"]];
const SUPPORT_KINDS = [["coaching_meeting", "Coaching meeting"], ["call", "Quick call"], ["text", "Text"],
  ["spontaneous_debrief", "Spontaneous debrief"], ["email", "Email"], ["other", "Other"]];
const MOMENTS = [["start", "Start"], ["middle", "Middle"], ["end", "End"]];
const PARTNERSHIP_KINDS = { leadership_learning: "Leadership Learning Partnership", critical_friends: "Critical Friends Group" };
const FIELDS = { text: "Step", owner: "Owner", due: "Due", success: "Success looks like" };
const VALUE_WORDS = { yes: "Yes", no: "No", not_observed: "Not observed", unsure: "Unsure" };

const PLAN_STATUS = { not_started: "not started", on_track: "on track", at_risk: "at risk", done: "done" };

export function settingName(key) {
  const found = SETTINGS.find(([k]) => k === key);
  return found ? found[1] : humanize(key);
}

function kindName(key) {
  const found = SUPPORT_KINDS.find(([k]) => k === key);
  return found ? found[1] : humanize(key);
}

export function valueWords(value) {
  if (value === null || value === undefined) return "–";
  return VALUE_WORDS[value] || String(value);
}

function day(iso) {
  return formatDate(String(iso).slice(0, 10));
}

function waiting(item, testid = null) {
  return item && item.pending
    ? h("span", { class: "tap-status is-pending", testid }, " waiting to send") : null;
}

export function growthPath(userId) {
  return `/people/${encodeURIComponent(userId)}/growth`;
}

/** The record, or null when this person may not see it (404/403: a clear not-found). */
export async function loadRecord(userId) {
  try {
    return await getJson(`/api/people/${encodeURIComponent(userId)}/growth`);
  } catch (error) {
    if (error instanceof ApiError && [403, 404].includes(error.status)) return null;
    throw error;
  }
}

export function notFound(body, userId) {
  redraw(body,
    h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
    h("h1", { tabindex: "-1" }, "Growth record not found"),
    h("p", { class: "notice", role: "alert", testid: "growth-not-found" },
      `There is no growth record of ${userId} that you may open. A growth record is open to the `
      + "administrator, the peers they share a partnership with, and program organizers."));
}

/** The leadership look-for catalog of a version: kept on this tablet for offline capture. */
export async function leadershipCatalog(version) {
  try {
    const { data } = await getJson(`/api/catalogs/leadership/${version}`);
    return data;
  } catch {
    return null;
  }
}

function promptOf(catalog, key) {
  const item = catalog && catalog.items.find((i) => i.key === key);
  return item ? item.prompt : humanize(key);
}

// --- a toggled form (kept open across the redraws that follow a sync) -------------------

function toggled(open, key, label, testid, form) {
  const shown = open.has(key);
  form.hidden = !shown;
  const button = h("button", { type: "button", class: "secondary", testid, "aria-expanded": String(shown) }, label);
  button.addEventListener("click", () => {
    if (open.has(key)) open.delete(key); else open.add(key);
    form.hidden = !open.has(key);
    button.setAttribute("aria-expanded", String(open.has(key)));
  });
  return [button, form];
}

// --- goals --------------------------------------------------------------------------------

function changeText(change) {
  const shown = (value) => (change.field === "due" ? formatDate(value) : value);
  return `${FIELDS[change.field] || humanize(change.field)}: “${shown(change.before)}” → “${shown(change.after)}”`;
}

function stepBlock(ctx, goal, step, index) {
  const adjusted = step.adjustments.length > 0;
  return h("li", { class: "growth-step", testid: `step-${step.step_id}` },
    h("h4", {}, `Step ${index + 1}`, adjusted ? h("span", { class: "badge", testid: `adjusted-${step.step_id}` }, "adjusted") : null),
    h("p", { class: "step-text" }, step.text),
    h("dl", { class: "step-details" },
      h("dt", {}, "Owner"), h("dd", {}, step.owner),
      h("dt", {}, "Due"), h("dd", {}, formatDate(step.due)),
      h("dt", {}, "Success looks like"), h("dd", {}, step.success)),
    adjusted ? h("div", { class: "original", testid: `step-original-${step.step_id}` },
      h("p", { class: "sub-label" }, "As first agreed"),
      h("dl", { class: "step-details" },
        h("dt", {}, "Step"), h("dd", {}, step.original.text),
        h("dt", {}, "Owner"), h("dd", {}, step.original.owner),
        h("dt", {}, "Due"), h("dd", {}, formatDate(step.original.due)),
        h("dt", {}, "Success looks like"), h("dd", {}, step.original.success))) : null,
    adjusted ? [h("p", { class: "sub-label" }, "Adjustments"),
      h("ol", { class: "history", testid: `step-history-${step.step_id}` }, step.adjustments.map((a) => h("li", {},
        h("strong", {}, day(a.at)), ` · by ${a.by.name} · why: ${a.reason}`,
        h("ul", {}, a.changes.map((c) => h("li", {}, changeText(c)))),
        waiting(a))))] : null,
    ctx.writes ? adjustForm(ctx, goal, step) : null);
}

function adjustForm(ctx, goal, step) {
  const id = `${goal.goal_id}-${step.step_id}`;
  const text = field(`adjust-text-${id}`, "Step", textArea(`adjust-text-${id}`, { max: TEXT, rows: 2, value: step.text }));
  const owner = field(`adjust-owner-${id}`, "Owner", textInput(`adjust-owner-${id}`, { max: LABEL, value: step.owner }));
  const due = field(`adjust-due-${id}`, "Due", textInput(`adjust-due-${id}`, { type: "date", value: step.due }));
  const success = field(`adjust-success-${id}`, "Success looks like",
    textArea(`adjust-success-${id}`, { max: TEXT, rows: 2, value: step.success }));
  const reason = field(`adjust-reason-${id}`, "Why it changes", textInput(`adjust-reason-${id}`, { max: SHORT }),
    "What changed in the circumstances. The original stays visible.");
  const status = statusLine(`adjust-error-${id}`);
  const save = h("button", { type: "button", class: "primary", testid: `save-adjust-${id}` }, "Adjust the step");
  save.addEventListener("click", async () => {
    const values = { text: text.control.value.trim(), owner: owner.control.value.trim(),
      due: due.control.value, success: success.control.value.trim() };
    const why = reason.control.value.trim();
    const problems = [
      textProblem(values.text, { label: "Step", max: TEXT }),
      textProblem(values.owner, { label: "Owner", max: LABEL }),
      textProblem(values.success, { label: "Success looks like", max: TEXT }),
      /^\d{4}-\d{2}-\d{2}$/.test(values.due) ? null : "Due: choose a date.",
      textProblem(why, { label: "Why it changes", max: SHORT }),
    ].filter(Boolean);
    const data = { goal_id: goal.goal_id, step_id: step.step_id, reason: why };
    for (const key of Object.keys(values)) if (values[key] !== step[key]) data[key] = values[key];
    if (!problems.length && Object.keys(data).length === 3) problems.push("Change the step, its owner, due date or success first.");
    if (problems.length) { showProblems(status, problems); return; }
    status.hidden = true;
    ctx.open.delete(`adjust-${id}`);
    const restore = clearFields([reason.control]);
    await ctx.write("StepAmended", data, "Step adjusted.", restore);
  });
  const form = h("div", { class: "section-form", testid: `adjust-form-${id}` },
    text, h("div", { class: "field-row" }, owner, due), success, reason, status, save);
  return toggled(ctx.open, `adjust-${id}`, "Adjust this step", `adjust-${id}`, form);
}

function goalCard(ctx, goal) {
  return h("li", { class: "card goal", testid: `goal-${goal.goal_id}` },
    h("h3", {}, goal.area_prompt, waiting(goal)),
    h("p", { class: "step-text" }, goal.text),
    h("p", { class: "meta" }, `Set ${day(goal.set_at)} by ${goal.set_by.name}`,
      goal.plan_steps.length ? ` · linked to ${goal.plan_steps.length} action-plan ${goal.plan_steps.length === 1 ? "step" : "steps"}` : ""),
    goal.plan_steps.length ? h("ul", { class: "linked-steps", testid: `goal-links-${goal.goal_id}` },
      goal.plan_steps.map((link) => h("li", {},
        link.text || `Step ${link.step_id}`,
        link.status ? h("span", { class: "meta" }, ` · ${PLAN_STATUS[link.status] || humanize(link.status)}`) : null))) : null,
    h("ol", { class: "steps growth-steps" }, goal.steps.map((step, index) => stepBlock(ctx, goal, step, index))));
}

function stepFields(prefix, number, owner) {
  return {
    text: field(`${prefix}-text`, `Step ${number}`, textArea(`${prefix}-text`, { max: TEXT, rows: 2 })),
    owner: field(`${prefix}-owner`, "Owner", textInput(`${prefix}-owner`, { max: LABEL, value: owner })),
    due: field(`${prefix}-due`, "Due", textInput(`${prefix}-due`, { type: "date", value: isoDay(28) })),
    success: field(`${prefix}-success`, "Success looks like", textArea(`${prefix}-success`, { max: TEXT, rows: 2 })),
  };
}

function goalForm(ctx) {
  const areas = ctx.record.growth_areas;
  if (!areas.length) {
    return h("p", { class: "meta", testid: "goal-no-areas" },
      "Goals are chosen from the skill inventory's growth areas: none are recorded yet (organizers record inventories).");
  }
  const area = field("goal-area", "Growth area", select("goal-area", areas.map((a) => [a.key, a.prompt])));
  const text = field("goal-text", "Goal", textArea("goal-text", { max: TEXT, rows: 2 }),
    "About the administrator's leadership, in their words. No names.");
  const partnerships = ctx.record.partnerships;
  const partnership = partnerships.length ? field("goal-partnership", "Partnership (optional)",
    select("goal-partnership", [["", "(none)"], ...partnerships.map((p) => [p.id, PARTNERSHIP_KINDS[p.kind] || humanize(p.kind)])])) : null;
  // The agreed action-plan steps of visits this administrator hosted (at most 4 links).
  const linkable = ctx.record.linkable_steps || [];
  const links = linkable.length ? checkboxGroup("goal-links", "Linked action-plan steps (optional, up to 4)",
    linkable.map((s) => [`${s.visit_id}/${s.step_id}`, `${s.text} (visit of ${formatDate(s.visit_date)})`]),
    { testid: "goal-links" }) : null;
  const first = stepFields("goal-step1", 1, ctx.record.user.name);
  const second = stepFields("goal-step2", 2, ctx.record.user.name);
  const status = statusLine("goal-error");
  const save = h("button", { type: "button", class: "primary", testid: "set-goal" }, "Set the goal");
  save.addEventListener("click", async () => {
    const read = (f) => ({ text: f.text.control.value.trim(), owner: f.owner.control.value.trim(),
      due: f.due.control.value, success: f.success.control.value.trim() });
    const goalText = text.control.value.trim();
    const steps = [read(first)];
    const other = read(second);
    const problems = [textProblem(goalText, { label: "Goal", max: TEXT })];
    const check = (step, n) => [
      textProblem(step.text, { label: `Step ${n}`, max: TEXT }),
      textProblem(step.owner, { label: `Step ${n} owner`, max: LABEL }),
      /^\d{4}-\d{2}-\d{2}$/.test(step.due) ? null : `Step ${n} due: choose a date.`,
      textProblem(step.success, { label: `Step ${n} success`, max: TEXT }),
    ];
    problems.push(...check(steps[0], 1));
    const linked = links ? links.values() : [];
    if (linked.length > 4) problems.push("Linked steps: choose at most 4.");
    if (other.text || other.success) { steps.push(other); problems.push(...check(other, 2)); }
    const found = problems.filter(Boolean);
    if (found.length) { showProblems(status, found); return; }
    status.hidden = true;
    const data = { goal_id: slug(goalText, "goal"), area: area.control.value, text: goalText,
      steps: steps.map((step) => ({ step_id: slug(step.text, "step"), ...step })) };
    if (partnership && partnership.control.value) data.partnership_id = partnership.control.value;
    if (ctx.record.skills_version) data.skills_version = ctx.record.skills_version;
    if (linked.length) {
      data.plan_steps = linked.map((key) => {
        const [visitId, stepId] = key.split("/");
        return { visit_id: visitId, step_id: stepId };
      });
    }
    ctx.open.delete("goal");
    const restore = clearFields([text.control, first.text.control, first.success.control,
      second.text.control, second.success.control]);
    await ctx.write("GoalSet", data, "Goal set.", restore);
  });
  const form = h("div", { class: "section-form", testid: "goal-form" },
    h("div", { class: "field-row" }, area, partnership), text, links,
    h("fieldset", { class: "checks" }, h("legend", {}, "First step"),
      first.text, h("div", { class: "field-row" }, first.owner, first.due), first.success),
    h("fieldset", { class: "checks" }, h("legend", {}, "Second step (optional: a goal has one or two)"),
      second.text, h("div", { class: "field-row" }, second.owner, second.due), second.success),
    status, save);
  return toggled(ctx.open, "goal", "Set a new goal", "new-goal", form);
}

function goalsSection(ctx) {
  const goals = ctx.record.goals;
  return h("section", { class: "growth-section", "aria-labelledby": "goals-heading", testid: "growth-goals" },
    h("h2", { id: "goals-heading" }, "Goals and their steps"),
    goals.length ? h("ul", { class: "goal-list" }, goals.map((goal) => goalCard(ctx, goal)))
      : h("p", { class: "empty" }, "No goals yet."),
    ctx.writes ? goalForm(ctx) : null);
}

// --- leadership practice ------------------------------------------------------------------

function observationCard(ctx, observation) {
  const observe = ctx.relation === "peer"
    ? h("a", { href: `${growthPath(ctx.record.user.id)}/practice/${encodeURIComponent(observation.observation_id)}`,
      "data-link": true, class: "button-link", testid: `observe-${observation.observation_id}` },
    observation.local ? "Go on observing" : "Observe") : null;
  return h("li", { class: "card observation", testid: `observation-${observation.observation_id}` },
    h("h3", {}, observation.label || settingName(observation.setting), waiting(observation)),
    h("p", { class: "meta" }, `${settingName(observation.setting)} · ${day(observation.at)} · observed by `
      + observation.observers.map((p) => p.name).join(", ")),
    observation.waiting_taps ? h("p", { class: "tap-status is-pending" },
      `${observation.waiting_taps} of your taps waiting to send`) : null,
    observation.look_fors.length ? h("ul", { class: "seen-list" }, observation.look_fors.map((seen) =>
      h("li", { testid: `seen-${observation.observation_id}-${seen.item}` },
        h("span", { class: "seen-prompt" }, promptOf(ctx.catalog, seen.item)),
        seen.differed
          ? h("span", { class: "differed", testid: `differed-${observation.observation_id}-${seen.item}` },
            `Seen differently by ${seen.observers} peers`)
          : h("strong", {}, valueWords(seen.value)),
        waiting(seen))))
      : h("p", { class: "empty" }, "No look-for tapped yet."),
    observation.evidence.length ? h("ul", { class: "quotes" }, observation.evidence.map((note) => h("li", {},
      h("blockquote", {}, note.text),
      h("p", { class: "meta" }, note.item ? promptOf(ctx.catalog, note.item) : "", waiting(note))))) : null,
    observe ? h("p", { class: "links" }, observe) : null);
}

function trendsList(ctx) {
  const trends = ctx.record.leadership_observations.by_look_for;
  if (!trends.length) return null;
  return [
    h("h3", {}, "Each look-for over time"),
    h("ul", { class: "practice-trends", testid: "practice-trends" }, trends.map((trend) => h("li", { testid: `practice-trend-${trend.item}` },
      h("span", { class: "seen-prompt" }, trend.prompt),
      h("span", { class: "points" }, trend.points.map((p) => `${day(p.at)}: ${p.differed ? "seen differently" : valueWords(p.value)}`).join(" · ")),
      trend.of ? h("span", { class: "meta" }, ` Yes in ${trend.yes} of ${trend.of} where it was seen`
        + (trend.differed ? `; seen differently in ${trend.differed}` : "")) : null))),
  ];
}

function startForm(ctx) {
  const setting = field("practice-setting", "What the administrator leads", select("practice-setting", SETTINGS));
  const label = field("practice-label", "Label (optional)", textInput("practice-label", { max: LABEL, placeholder: "e.g. Grade 7 math PLC" }),
    "Which meeting, never a teacher's name.");
  const status = statusLine("practice-error");
  const start = h("button", { type: "button", class: "primary", testid: "start-practice" }, "Start observing");
  start.addEventListener("click", async () => {
    const text = label.control.value.trim();
    const problem = textProblem(text, { label: "Label", max: LABEL, required: false });
    if (problem) { showProblems(status, [problem]); return; }
    if (!ctx.catalog) {
      showProblems(status, ["The leadership look-fors are not saved on this tablet yet: open this page once online."]);
      return;
    }
    status.hidden = true;
    const data = { observation_id: slug(text || setting.control.value, "obs"), setting: setting.control.value,
      catalog_version: ctx.catalog.version };
    if (text) data.label = text;
    try {
      await outbox.record(ctx.record.record_id, "PracticeObservationStarted", data);
    } catch (error) {
      showProblems(status, [`Could not save on this tablet: ${error.message || error}`]);
      return;
    }
    label.control.value = "";
    ctx.navigate(`${growthPath(ctx.record.user.id)}/practice/${encodeURIComponent(data.observation_id)}`);
  });
  return h("div", { class: "section-form", testid: "practice-start" },
    h("h3", {}, "Observe leadership practice"),
    h("p", { class: "hint" }, "About the practice, never a rating of the person. Works offline."),
    h("div", { class: "field-row" }, setting, label), status, start);
}

function practiceSection(ctx) {
  const observations = ctx.record.leadership_observations.observations;
  return h("section", { class: "growth-section", "aria-labelledby": "practice-heading", testid: "growth-practice" },
    h("h2", { id: "practice-heading" }, "Leadership practice observed"),
    ctx.relation === "peer" ? startForm(ctx) : null,
    observations.length ? h("ul", { class: "observation-list", testid: "observation-list" },
      observations.map((o) => observationCard(ctx, o)))
      : h("p", { class: "empty" }, "No leadership practice observed yet."),
    trendsList(ctx));
}

// --- support log ----------------------------------------------------------------------------

function dataTrends(log) {
  const measures = new Map();
  for (const entry of log) {
    if (!entry.data_point) continue;
    const points = measures.get(entry.data_point.measure) || [];
    points.push({ date: entry.date, value: entry.data_point.value });
    measures.set(entry.data_point.measure, points);
  }
  return [...measures].map(([measure, points]) => {
    const words = points.map((p) => `${formatDate(p.date)}: ${p.value}`).join("; ");
    return h("figure", { class: "chart-figure data-trend", testid: "data-trend" },
      lineChart(points, `${measure} over time: ${words}`),
      h("figcaption", {}, h("strong", {}, measure), ": ", points.map((p) => p.value).join(" → ")));
  });
}

function supportForm(ctx) {
  const kind = field("support-kind", "Kind", select("support-kind", SUPPORT_KINDS));
  const date = field("support-date", "Date", textInput("support-date", { type: "date", value: isoDay(0) }));
  const line = field("support-line", "One line", textInput("support-line", { max: SHORT }),
    "What you talked about or did. No names.");
  const measure = field("support-measure", "Data looked at (optional)",
    textInput("support-measure", { max: SHORT, placeholder: "e.g. Grade 7 exit tickets at mastery" }));
  const valueInput = textInput("support-value", { type: "number" });
  valueInput.step = "any";
  valueInput.inputMode = "decimal";
  const value = field("support-value", "Figure", valueInput, "e.g. 0.62 or 14");
  const status = statusLine("support-error");
  const save = h("button", { type: "button", class: "primary", testid: "log-support" }, "Log it");
  save.addEventListener("click", async () => {
    const text = line.control.value.trim();
    const what = measure.control.value.trim();
    const figure = value.control.value.trim();
    const problems = [
      textProblem(text, { label: "One line", max: SHORT }),
      textProblem(what, { label: "Data looked at", max: SHORT, required: false }),
      /^\d{4}-\d{2}-\d{2}$/.test(date.control.value) ? null : "Date: choose a date.",
    ];
    if (what && (figure === "" || !Number.isFinite(Number(figure)))) problems.push("Figure: give the number you looked at.");
    if (!what && figure !== "") problems.push("Data looked at: say what the figure measures.");
    const found = problems.filter(Boolean);
    if (found.length) { showProblems(status, found); return; }
    status.hidden = true;
    const data = { entry_id: slug(text, "log"), date: date.control.value, kind: kind.control.value, line: text };
    if (what) data.data_point = { measure: what, value: Number(figure) };
    const restore = clearFields([line.control, value.control]);
    await ctx.write("SupportLogged", data, "Logged.", restore);
  });
  return h("div", { class: "section-form", testid: "support-form" },
    h("h3", {}, "Log a meeting or a moment"),
    h("div", { class: "field-row" }, kind, date), line, h("div", { class: "field-row" }, measure, value), status, save);
}

function supportSection(ctx) {
  const log = ctx.record.support_log;
  return h("section", { class: "growth-section", "aria-labelledby": "support-heading", testid: "growth-support" },
    h("h2", { id: "support-heading" }, "Support log"),
    log.length ? h("ul", { class: "support-log", testid: "support-log" }, log.map((entry) =>
      h("li", { testid: `support-${entry.entry_id}` },
        h("p", {}, h("strong", {}, formatDate(entry.date)), ` · ${kindName(entry.kind)} · by ${entry.by.name}`, waiting(entry)),
        h("p", { class: "support-line" }, entry.line),
        entry.data_point ? h("p", { class: "meta data-point" }, `${entry.data_point.measure}: ${entry.data_point.value}`) : null)))
      : h("p", { class: "empty" }, "Nothing logged yet."),
    dataTrends(log),
    ctx.writes ? supportForm(ctx) : null);
}

// --- requests, pulse, sessions ------------------------------------------------------------

function requestForm(ctx) {
  const areas = ctx.record.growth_areas;
  if (!areas.length) return null;
  const area = field("request-area", "Area", select("request-area", areas.map((a) => [a.key, a.prompt])));
  const text = field("request-text", "What would help", textInput("request-text", { max: SHORT }),
    "Organizers read requests across the district to plan sessions. No names.");
  const status = statusLine("request-error");
  const save = h("button", { type: "button", class: "primary", testid: "request-support" }, "Ask for support");
  save.addEventListener("click", async () => {
    const value = text.control.value.trim();
    const problem = textProblem(value, { label: "What would help", max: SHORT });
    if (problem) { showProblems(status, [problem]); return; }
    status.hidden = true;
    const restore = clearFields([text.control]);
    await ctx.write("SupportRequested", { request_id: slug(value, "request"), area: area.control.value, text: value },
      "Request sent to the organizers.", restore);
  });
  return h("div", { class: "section-form", testid: "request-form" }, area, text, status, save);
}

function requestsSection(ctx) {
  const requests = ctx.record.support_requests;
  return h("section", { class: "growth-section", "aria-labelledby": "requests-heading", testid: "growth-requests" },
    h("h2", { id: "requests-heading" }, "Support requested"),
    requests.length ? h("ul", { class: "history", testid: "request-list" }, requests.map((r) =>
      h("li", { testid: `request-${r.request_id}` }, h("strong", {}, r.area_prompt), `: ${r.text} (${day(r.at)})`, waiting(r))))
      : h("p", { class: "empty" }, "No support requested."),
    ctx.relation === "self" ? requestForm(ctx) : null);
}

function pulseForm(ctx) {
  const partnerships = ctx.record.partnerships;
  if (!partnerships.length) return h("p", { class: "meta" }, "The pulse is answered within a partnership: none yet.");
  const partnership = field("pulse-partnership", "Partnership",
    select("pulse-partnership", partnerships.map((p) => [p.id, PARTNERSHIP_KINDS[p.kind] || humanize(p.kind)])));
  const moment = radioGroup("pulse-moment", "When", MOMENTS, { testid: "pulse-moment" });
  moment.classList.add("in-a-row");
  const scales = Object.entries(ctx.record.pulse.questions).map(([key, question]) => {
    const group = radioGroup(`pulse-${key}`, question, [1, 2, 3, 4, 5].map((n) => [String(n), String(n)]), { testid: `pulse-${key}` });
    group.classList.add("in-a-row", "scale-of-5");
    return [key, group];
  });
  const status = statusLine("pulse-error");
  const save = h("button", { type: "button", class: "primary", testid: "answer-pulse" }, "Save my answers");
  save.addEventListener("click", async () => {
    const problems = [];
    if (!moment.value()) problems.push("When: start, middle or end of the partnership.");
    const scores = {};
    for (const [key, group] of scales) {
      if (group.value()) scores[key] = Number(group.value());
      else problems.push(`${ctx.record.pulse.questions[key]}: choose 1 to 5.`);
    }
    const answered = ctx.record.pulse.answers.some((a) => a.partnership_id === partnership.control.value && a.moment === moment.value());
    if (answered) problems.push("This moment of this partnership is already answered.");
    if (problems.length) { showProblems(status, problems); return; }
    status.hidden = true;
    ctx.open.delete("pulse");
    await ctx.write("PulseAnswered", { partnership_id: partnership.control.value, moment: moment.value(), scores },
      "Pulse saved.", () => {});
  });
  const form = h("div", { class: "section-form", testid: "pulse-form" },
    h("p", { class: "hint" }, "1 = not at all, 5 = very much. Only you see your answers; organizers see them only averaged over at least 5 people."),
    partnership, moment, scales.map(([, group]) => group), status, save);
  return toggled(ctx.open, "pulse", "Answer the pulse", "open-pulse", form);
}

function pulseSection(ctx) {
  const pulse = ctx.record.pulse;
  const head = h("h2", { id: "pulse-heading" }, "Pulse");
  if (!pulse.shown) {
    return h("section", { class: "growth-section", "aria-labelledby": "pulse-heading", testid: "growth-pulse" },
      head, h("p", { class: "notice", testid: "pulse-why" }, `Not shown: ${pulse.why}.`));
  }
  const answers = pulse.answers;
  const several = new Set(answers.map((a) => a.partnership_id)).size > 1;
  const when = (a) => `${humanize(a.moment)}${several ? ` (${a.partnership_id})` : ""}`;
  return h("section", { class: "growth-section", "aria-labelledby": "pulse-heading", testid: "growth-pulse" },
    head,
    answers.length ? [
      h("p", { class: "meta" }, "Your answers over time, 1 (not at all) to 5 (very much): ",
        answers.map((a) => `${when(a)} ${day(a.answered_at)}`).join(" · ")),
      h("ul", { class: "pulse-list", testid: "pulse-answers" }, Object.entries(pulse.questions).map(([key, question]) =>
        h("li", { testid: `pulse-${key}-over-time` },
          h("span", { class: "seen-prompt" }, question),
          h("span", { class: "points" }, answers.map((a) => `${when(a)} ${a.scores[key]}`).join(" → "))))),
      answers.some((a) => a.pending) ? h("p", { class: "tap-status is-pending" }, "Your latest answers are waiting to send.") : null,
    ] : h("p", { class: "empty" }, "No answers yet."),
    pulseForm(ctx));
}

function sessionsSection(ctx) {
  const sessions = ctx.record.learning_sessions;
  const marks = ctx.relation === "self" || ctx.relation === "organizer";
  return h("section", { class: "growth-section", "aria-labelledby": "sessions-heading", testid: "growth-sessions" },
    h("h2", { id: "sessions-heading" }, "Learning sessions offered"),
    sessions.length ? h("ul", { class: "session-list" }, sessions.map((s) => {
      let mark = null;
      if (s.attended) {
        mark = h("span", { class: "done", testid: `attended-${s.session_id}` }, "✓ Attended", waiting(s));
      } else if (marks) {
        mark = h("button", { type: "button", class: "secondary small", testid: `attend-${s.session_id}` }, "Mark attended");
        mark.addEventListener("click", () => ctx.write("LearningSessionAttended", { session_id: s.session_id },
          "Attendance recorded.", () => {}));
      } else {
        mark = h("span", { class: "meta" }, "Not attended");
      }
      return h("li", { testid: `session-${s.session_id}` },
        h("span", {}, h("strong", {}, s.title), ` · ${formatDate(s.date)}`), mark);
    })) : h("p", { class: "empty" }, "No sessions offered yet."));
}

// --- the screen -------------------------------------------------------------------------------

export async function renderGrowth(root, userId, me, { setTitle, navigate }) {
  const { body, flash } = screen(root);
  const open = new Set();
  let catalog = null;
  const render = async () => {
    const loaded = await loadRecord(userId);
    if (!loaded) { setTitle("Not found"); notFound(body, userId); return; }
    const { data, stale } = loaded;
    if (!catalog || catalog.version !== data.leadership_catalog_version) {
      catalog = await leadershipCatalog(data.leadership_catalog_version);
    }
    const entries = await outbox.journal(data.record_id);
    const record = overlay(data, entries, me);
    const own = record.relation === "self";
    setTitle(own ? "My growth" : `Growth · ${record.user.name}`);
    const ctx = {
      record, catalog, open, navigate, relation: record.relation,
      writes: record.relation === "self" || record.relation === "peer",
      write: async (type, payload, done, restore) => {
        const result = await commit(flash, async () => {
          const id = await recordEvent(data.record_id, type, payload);
          await render();  // shown at once, from this tablet's journal
          return id;
        }, { done });
        if (result === "rejected" || result === "failed") restore();
        await render();
      },
    };
    const partners = record.partnerships.map((p) => `${PARTNERSHIP_KINDS[p.kind] || humanize(p.kind)} with `
      + p.members.filter((m) => m.id !== record.user.id).map((m) => m.name).join(", "));
    redraw(body,
      h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1", testid: "growth-title" }, own ? "My growth" : `Growth of ${record.user.name}`),
      h("p", { class: "meta" }, [record.school ? record.school.name : null,
        own ? "your own record" : `you: ${record.relation === "peer" ? "partnership peer" : "organizer"}`]
        .filter(Boolean).join(" · ")),
      partners.length ? h("p", { class: "meta" }, partners.join("; ")) : null,
      stale ? h("p", { class: "notice", role: "status", testid: "growth-stale" }, "Offline: showing the record saved on this tablet, with what you recorded here.") : null,
      h("p", { class: "reminder" }, "Nonevaluative: about practice and support, never a rating of the person. No names in free text."),
      goalsSection(ctx),
      practiceSection(ctx),
      supportSection(ctx),
      requestsSection(ctx),
      pulseSection(ctx),
      sessionsSection(ctx));
  };
  await render();
  return live(root, render);
}
