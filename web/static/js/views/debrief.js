// The debrief, walked in its seven sections, in order: progress on the previous steps and
// the school update (read), bright spots and trends with the team's calibration prompts,
// root causes (recorded), next steps (at most two, each with an owner, a due date and a
// definition of success), the plan agreed by the host, then the check-ins and closing.
// Every write is a visit event through the outbox.

import { getJson } from "../api.js";
import { h, humanize, formatDate } from "../dom.js";
import {
  LABEL, TEXT, clearFields, commit, field, isoDay, live, recordEvent, screen, select, showProblems, slug,
  statusLine, textArea, textInput, textProblem,
  redraw,
} from "../forms.js";
import { agenda } from "../debrief-agenda.js";
import { backLinks } from "./reports.js";
import { relationTo } from "./visit-day.js";

function phaseBar(visit, relation, flash, refresh) {
  const parts = [];
  if (visit.phase === "preparation") {
    parts.push(h("p", { class: "notice", testid: "debrief-waiting" }, "The visit has not started yet; the debrief follows the observation."));
  } else if (visit.phase === "observation") {
    if (!(visit.classrooms || []).length) {
      parts.push(h("p", { class: "notice", testid: "debrief-waiting" }, "No classroom was visited yet: observe first, then start the debrief."));
    } else {
      const start = h("button", { type: "button", class: "primary", testid: "start-debrief" }, "Start the debrief");
      start.addEventListener("click", async () => {
        if (await commit(flash, () => recordEvent(visit.id, "DebriefStarted", {}),
          { done: "The debrief has started: observation is over." }) === "synced") await refresh();
      });
      parts.push(h("p", {}, `The team visited ${visit.classrooms.length} ${visit.classrooms.length === 1 ? "room" : "rooms"}. `
        + "Starting the debrief ends the observation: taps recorded later are not added."), start);
    }
  } else if (visit.phase === "analysis") {
    parts.push(h("p", { class: "notice", testid: "debrief-open" }, "Debrief in progress: describe, find root causes, agree one or two next steps."));
  } else if (visit.phase === "support") {
    parts.push(h("p", { class: "notice", testid: "plan-agreed" }, "The action plan is agreed. ",
      h("a", { href: `/visits/${visit.id}/plan`, "data-link": true, testid: "to-plan" }, "Check in on it")));
  } else {
    parts.push(h("p", { class: "notice", testid: "visit-closed" }, "This visit is closed."));
  }
  return relation ? h("div", { class: "phase-bar" }, parts) : null;
}

function rootCauseForm(visit, flash, refresh) {
  const items = (visit.catalog && visit.catalog.items) || [];
  const text = field("root-cause", "A root cause the team sees",
    textArea("root-cause-text", { max: TEXT }),
    "In the school's systems (planning, professional learning, expectations, materials, time), not in a person.");
  const about = field("root-cause-item", "About look-for (optional)",
    select("root-cause-item", [["", "(none in particular)"], ...items.map((i) => [i.key, i.prompt])]));
  const status = statusLine("root-cause-error");
  const add = h("button", { type: "button", class: "primary", testid: "add-root-cause" }, "Add root cause");
  add.addEventListener("click", async () => {
    const value = text.control.value.trim();
    const problem = textProblem(value, { label: "Root cause", max: TEXT });
    if (problem) { showProblems(status, [problem]); return; }
    status.hidden = true;
    const data = { text: value };
    if (about.control.value) data.item = about.control.value;
    const restore = clearFields([text.control]);
    const result = await commit(flash, () => recordEvent(visit.id, "RootCauseNoted", data), { done: "Root cause added." });
    if (result === "rejected" || result === "failed") restore();
    else await refresh();
  });
  return h("div", { class: "section-form", testid: "root-cause-form" }, text, about, status, add);
}

function stepForm(visit, flash, refresh) {
  const text = field("step-text", "Next step", textArea("step-text", { max: TEXT }),
    "What the school will do, concretely. No names.");
  const owner = field("step-owner", "Owner", textInput("step-owner", { max: LABEL, value: visit.host ? visit.host.name : "" }),
    "Who leads it: the host, or a team (\"Math team leads\").");
  const due = field("step-due", "Due", textInput("step-due", { type: "date", value: isoDay(28) }));
  due.control.min = visit.date;
  const success = field("step-success", "Success looks like", textArea("step-success", { max: TEXT, rows: 2 }),
    "How you will know, e.g. \"exit tickets seen in 4 of 5 math rooms\".");
  const status = statusLine("step-error");
  const propose = h("button", { type: "button", class: "primary", testid: "propose-step" }, "Propose this step");
  propose.addEventListener("click", async () => {
    const values = { text: text.control.value.trim(), owner: owner.control.value.trim(),
      due: due.control.value, success: success.control.value.trim() };
    const problems = [
      textProblem(values.text, { label: "Next step", max: TEXT }),
      textProblem(values.owner, { label: "Owner", max: LABEL }),
      textProblem(values.success, { label: "Success looks like", max: TEXT }),
    ].filter(Boolean);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.due)) problems.push("Due: choose a date.");
    else if (values.due < visit.date) problems.push(`Due: a step is due after the visit (${formatDate(visit.date)}).`);
    if (problems.length) { showProblems(status, problems); return; }
    status.hidden = true;
    const data = { step_id: slug(values.text, "step"), ...values };
    const restore = clearFields([text.control, success.control]);
    const result = await commit(flash, () => recordEvent(visit.id, "NextStepProposed", data), { done: "Next step proposed." });
    if (result === "rejected" || result === "failed") restore();
    else await refresh();
  });
  return h("div", { class: "section-form", testid: "step-form" },
    h("h3", {}, "Propose a next step"), text, h("div", { class: "field-row" }, owner, due), success, status, propose);
}

/** Root causes noted so far, each with "Withdraw" (a later RootCauseWithdrawn event). */
function rootCauseActions(visit, noted, flash, refresh) {
  if (!noted.length) return null;
  return h("ul", { class: "step-actions", testid: "root-cause-actions" }, noted.map((cause, index) => {
    const withdraw = h("button", { type: "button", class: "secondary small", testid: `withdraw-root-cause-${index + 1}`,
      "aria-label": `Withdraw root cause ${index + 1}: ${cause.text.slice(0, 40)}` }, "Withdraw");
    withdraw.addEventListener("click", async () => {
      if (await commit(flash, () => recordEvent(visit.id, "RootCauseWithdrawn",
        { event_id: cause.event_id, reason: "withdrawn in the debrief" }), { done: "Root cause withdrawn." }) === "synced") await refresh();
    });
    return h("li", {}, h("span", {}, `Root cause ${index + 1}: ${cause.text}`), withdraw);
  }));
}

function stepActions(visit, section, relation, flash, refresh) {
  const steps = section.steps || [];
  const parts = [];
  if (visit.phase !== "analysis") return parts;
  const list = h("ul", { class: "step-actions" }, steps.map((step, index) => {
    const withdraw = h("button", { type: "button", class: "secondary small", testid: `withdraw-step-${index + 1}`,
      "aria-label": `Withdraw step ${index + 1}: ${step.text.slice(0, 40)}` }, "Withdraw");
    withdraw.addEventListener("click", async () => {
      if (await commit(flash, () => recordEvent(visit.id, "NextStepWithdrawn",
        { step_id: step.step_id, reason: "withdrawn in the debrief" }), { done: "Step withdrawn." }) === "synced") await refresh();
    });
    return h("li", {}, h("span", {}, `Step ${index + 1}: ${step.text}`), withdraw);
  }));
  if (steps.length) parts.push(list);
  if (steps.length < section.max_steps) parts.push(stepForm(visit, flash, refresh));
  else parts.push(h("p", { class: "meta", testid: "steps-full" }, `An action plan has at most ${section.max_steps} steps: withdraw one to propose another.`));
  if (steps.length) {
    if (relation === "host" || relation === "organizer") {
      const agree = h("button", { type: "button", class: "primary", testid: "agree-plan" },
        `Agree the plan (${steps.length} ${steps.length === 1 ? "step" : "steps"})`);
      agree.addEventListener("click", async () => {
        if (await commit(flash, () => recordEvent(visit.id, "ActionPlanAgreed", { step_ids: steps.map((s) => s.step_id) }),
          { done: "The action plan is agreed: check-ins follow, weekly." }) === "synced") await refresh();
      });
      parts.push(h("div", { class: "section-form" }, h("h3", {}, "Agree the plan"),
        h("p", {}, "The school commits to these steps; the visit moves to support."), agree));
    } else {
      parts.push(h("p", { class: "meta", testid: "host-agrees" }, "The host agrees the plan when the team is done."));
    }
  }
  return parts;
}

function closeForm(visit, flash, refresh) {
  const confirm = h("button", { type: "button", class: "primary", testid: "confirm-close", hidden: true }, "Yes, close the visit");
  const ask = h("button", { type: "button", class: "secondary", testid: "close-visit" }, "Close the visit…");
  ask.addEventListener("click", () => { confirm.hidden = false; ask.setAttribute("aria-expanded", "true"); confirm.focus(); });
  confirm.addEventListener("click", async () => {
    if (await commit(flash, () => recordEvent(visit.id, "VisitClosed", {}), { done: "The visit is closed." }) === "synced") await refresh();
  });
  return h("div", { class: "section-form" }, h("h3", {}, "Close the visit"),
    h("p", {}, "When the support period is over (say, after four weekly check-ins). A closed visit takes no more check-ins."),
    h("p", { class: "links" }, ask, confirm));
}

export async function renderCycleDebrief(root, visitId, me, { setTitle }) {
  const { body, flash } = screen(root);
  const render = async () => {
    const path = `/api/visits/${encodeURIComponent(visitId)}`;
    const [{ data: debrief, stale }, { data: visit }] = await Promise.all([getJson(`${path}/debrief`), getJson(path)]);
    setTitle("Debrief");
    const relation = relationTo(visit, me);
    const writes = relation && visit.phase === "analysis";
    const leads = relation === "host" || relation === "organizer";
    const extra = {
      root_causes: writes ? [
        rootCauseActions(visit, (((debrief.sections || []).find((s) => s.kind === "root_causes") || {}).noted || [])
          .filter((n) => n.event_id), flash, render),
        rootCauseForm(visit, flash, render)] : null,
      next_steps: relation ? stepActions(visit, (debrief.sections || []).find((s) => s.kind === "next_steps") || {},
        relation, flash, render) : null,
      check_ins: [
        visit.phase === "support" ? h("p", { class: "links" }, h("a", { href: `/visits/${visit.id}/plan`, "data-link": true,
          class: "button-link primary", testid: "check-in-link" }, "Check in")) : null,
        leads && visit.phase === "support" ? closeForm(visit, flash, render) : null,
      ],
    };
    const school = debrief.school ? debrief.school.name : "";
    redraw(body,
      backLinks(visitId, "debrief"),
      h("h1", { tabindex: "-1" }, `Debrief${school ? ` · ${school}` : ""}`),
      h("p", { class: "meta" }, formatDate(debrief.date), " · phase: ",
        h("span", { class: `phase phase-${visit.phase}`, testid: "visit-phase" }, humanize(visit.phase))),
      debrief.focus ? h("p", { class: "focus" }, h("strong", {}, "Focus: "), debrief.focus) : null,
      stale ? h("p", { class: "notice", role: "status" }, "Offline: showing the agenda saved on this tablet.") : null,
      phaseBar(visit, relation, flash, render),
      agenda(debrief.sections || [], extra));
  };
  await render();
  return live(root, render);
}
