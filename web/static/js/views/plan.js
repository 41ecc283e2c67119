// Check-ins on a visit's action plan, for its host, organizers and the visit's coaches:
// each agreed step with its latest check-in and the next one due (weekly, e.g. a coach
// and an assistant principal meeting every week for a month), and a form per step.

import { getJson } from "../api.js";
import { stepStatus } from "../debrief-agenda.js";
import { h, humanize, formatDate, progressText } from "../dom.js";
import { CHECK_IN_STATUSES } from "../generated/schema.js";
import {
  SHORT, TEXT, clearFields, commit, field, live, radioGroup, recordEvent, screen, showProblems, statusLine,
  textArea, textInput, textProblem,
  redraw,
} from "../forms.js";
import { relationTo, visitHeader } from "./visit-day.js";

const STATUSES = CHECK_IN_STATUSES.map((status) => [status, humanize(status)]);

function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T12:00:00`) - Date.parse(`${from}T12:00:00`)) / 86400000);
}

function nextDue(step, today) {
  if (!step.next_check_in) return null;
  const days = daysBetween(today, step.next_check_in);
  const when = days === 0 ? "today" : days > 0 ? `in ${days} ${days === 1 ? "day" : "days"}` : `${-days} ${days === -1 ? "day" : "days"} ago`;
  return h("p", { class: step.check_in_overdue ? "due overdue" : "due", testid: `next-check-in-${step.step_id}` },
    h("strong", {}, "Next check-in: "), `${formatDate(step.next_check_in)} (${when})`,
    step.check_in_overdue ? " · overdue" : "");
}

/** A check-in's progress as the server takes it: a number when it is one, else words. */
function progressValue(text) {
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

function checkInForm(visit, step, flash, refresh) {
  const id = step.step_id;
  const status = radioGroup(`status-${id}`, "How is it going?", STATUSES, { testid: `checkin-status-${id}` });
  const progress = field(`progress-${id}`, "Progress (optional)",
    textInput(`checkin-progress-${id}`, { max: SHORT, placeholder: "e.g. exit tickets in 3 of 5 rooms" }),
    "The data you looked at: a number or a few words.");
  const note = field(`note-${id}`, "Note (optional)", textArea(`checkin-note-${id}`, { max: TEXT, rows: 2 }),
    "What you talked about this week. No names.");
  const errors = statusLine(`checkin-error-${id}`);
  const save = h("button", { type: "button", class: "primary", testid: `record-checkin-${id}` }, "Record check-in");
  save.addEventListener("click", async () => {
    const values = { status: status.value(), progress: progress.control.value.trim(), note: note.control.value.trim() };
    const problems = [
      values.status ? null : "How is it going: choose on track, at risk or done.",
      textProblem(values.progress, { label: "Progress", max: SHORT, required: false }),
      textProblem(values.note, { label: "Note", max: TEXT, required: false }),
    ].filter(Boolean);
    if (problems.length) { showProblems(errors, problems); return; }
    errors.hidden = true;
    const data = { step_id: id, status: values.status };
    if (values.progress) data.progress = progressValue(values.progress);
    if (values.note) data.note = values.note;
    const restore = clearFields([progress.control, note.control]);
    const result = await commit(flash, () => recordEvent(visit.id, "CheckInRecorded", data), { done: "Check-in recorded." });
    if (result === "rejected" || result === "failed") restore();
    else await refresh();
  });
  return h("div", { class: "section-form", testid: `checkin-form-${id}` },
    h("h3", {}, "This week's check-in"), status, progress, note, errors, save);
}

function stepCard(visit, plan, step, index, canCheckIn, flash, refresh, names) {
  const latest = step.latest_check_in;
  return h("li", { class: "card step", testid: `plan-step-${index + 1}` },
    h("h2", {}, `Step ${index + 1}`),
    h("p", { class: "step-text" }, step.text),
    h("dl", { class: "step-details" },
      h("dt", {}, "Owner"), h("dd", {}, step.owner),
      h("dt", {}, "Due"), h("dd", {}, formatDate(step.due)),
      h("dt", {}, "Success looks like"), h("dd", {}, step.success),
      h("dt", {}, "Status"), h("dd", {}, h("span", { class: `status status-${step.status}`, testid: `step-status-${step.step_id}` }, humanize(step.status)),
        step.overdue ? [" ", h("span", { class: "status status-overdue", testid: `overdue-${step.step_id}` }, "Overdue")] : null),
      h("dt", {}, "Check-ins"), h("dd", {}, String(step.check_ins))),
    step.differs ? stepStatus(step, names) : null,
    latest ? h("p", { class: "check-in" }, "Latest: ",
      h("span", { class: `status status-${latest.status}` }, humanize(latest.status)),
      progressText(latest.progress) ? ` · ${progressText(latest.progress)}` : "",
      latest.note ? ` · ${latest.note}` : "", ` (${formatDate(latest.date)})`) : null,
    step.open ? nextDue(step, plan.today) : h("p", { class: "done" }, "✓ Done."),
    canCheckIn && step.open ? checkInForm(visit, step, flash, refresh) : null);
}

export async function renderPlan(root, visitId, me, { setTitle }) {
  const { body, flash } = screen(root);
  const render = async () => {
    const path = `/api/visits/${encodeURIComponent(visitId)}`;
    const [{ data: visit, stale }, { data: plan }] = await Promise.all([getJson(path), getJson(`${path}/plan`)]);
    setTitle(`Check-ins · ${visit.school.name}`);
    const relation = relationTo(visit, me);
    const canCheckIn = relation !== null && visit.phase === "support";
    const steps = plan.steps || [];
    const names = new Map([[visit.host.id, visit.host.name], ...(visit.team || []).map((m) => [m.id, m.name])]);
    redraw(body,
      visitHeader(visit, "Action plan and check-ins",
        [" · ", h("a", { href: `/visits/${visit.id}/debrief`, "data-link": true }, "Debrief")]),
      stale ? h("p", { class: "notice", role: "status" }, "Offline: showing the plan saved on this tablet.") : null,
      visit.phase === "support" ? h("p", {}, "Check in weekly: what happened, the data you looked at, on track or at risk. "
        + "The next visit's debrief opens with this progress.")
        : h("p", { class: "notice", testid: "plan-not-open" }, visit.phase === "closed"
          ? "The visit is closed: the plan's check-ins are over."
          : "Check-ins follow an agreed action plan: the debrief agrees it."),
      steps.length ? h("ol", { class: "steps plan-steps", testid: "plan-steps" },
        steps.map((step, index) => stepCard(visit, plan, step, index, canCheckIn, flash, render, names)))
        : h("p", { class: "empty" }, "No agreed steps yet."),
      (plan.check_ins || []).length ? [h("h2", {}, "Check-ins so far"),
        h("ul", { class: "history", testid: "check-in-history" }, plan.check_ins.map((c) => {
          const index = steps.findIndex((s) => s.step_id === c.step_id);
          return h("li", {}, `${formatDate(c.date)} · step ${index + 1} · `,
            h("span", { class: `status status-${c.status}` }, humanize(c.status)),
            progressText(c.progress) ? ` · ${progressText(c.progress)}` : "",
            c.note ? ` · ${c.note}` : "", ` · by ${names.get(c.by) || c.by}`);
        }))] : null);
  };
  await render();
  return live(root, render);
}
