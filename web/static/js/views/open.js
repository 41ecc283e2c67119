// Organizers: what is open across the district, in one place. Open steps of visits'
// action plans, of partnership meetings and of growth goals (the overdue first), each
// with one tap to nudge its owner (an email through the mail queue, recorded as
// StepNudged, once a step a day), and visits whose agreed plan is done but that nobody
// closed, each closed with one tap (a VisitClosed event). Both are queued in the outbox
// like any other write.

import { getJson } from "../api.js";
import { h, humanize, formatDate } from "../dom.js";
import * as outbox from "../outbox.js";
import { commit, live, recordEvent, redraw, screen } from "../forms.js";
import { can } from "../access.js";

function where(step) {
  if (step.source === "visit") {
    return h("a", { href: `/visits/${step.visit_id}/plan`, "data-link": true },
      `Visit action plan · ${step.school ? step.school.name : ""}`);
  }
  if (step.source === "goal") {
    return h("a", { href: `/people/${encodeURIComponent(step.goal_of.id)}/growth`, "data-link": true },
      `Growth goal of ${step.goal_of.name}`);
  }
  return h("a", { href: `/partnerships/${encodeURIComponent(step.partnership_id)}`, "data-link": true },
    `${step.partnership_name || "Partnership"} meeting`);
}

/** What names the step to the server, as /api/open listed it. */
function stepRef(step) {
  const ref = { source: step.source, step_id: step.step_id };
  if (step.visit_id) ref.visit_id = step.visit_id;
  if (step.partnership_id) ref.partnership_id = step.partnership_id;
  if (step.meeting_id) ref.meeting_id = step.meeting_id;
  if (step.goal_id) { ref.goal_id = step.goal_id; ref.owner_id = step.goal_of.id; }
  return ref;
}

function nudgeButton(step, today, flash, refresh) {
  const id = `${step.source}-${step.step_id}`;
  if (step.nudged_on === today) {
    return h("p", { class: "meta", testid: `nudged-${id}` }, "Nudged today: again tomorrow at the earliest.");
  }
  const nudge = h("button", { type: "button", class: "secondary", testid: `nudge-${id}` },
    `Nudge the owner${step.nudged_on ? ` (last: ${formatDate(step.nudged_on)})` : ""}`);
  nudge.addEventListener("click", async () => {
    nudge.disabled = true;
    const result = await commit(flash, () => outbox.send("POST", "/api/open/nudges", stepRef(step),
      { label: `Nudge about "${step.text.slice(0, 40)}"` }), { done: "Nudged today." });
    if (result === "synced") await refresh();
    else if (result === "rejected" || result === "failed") nudge.disabled = false;
  });
  return nudge;
}

function stepRow(step, today, flash, refresh) {
  return h("li", { class: step.overdue ? "card step overdue" : "card step", testid: `open-step-${step.step_id}` },
    h("p", { class: "step-text" }, step.text),
    h("p", { class: "meta" },
      h("span", { class: `status status-${step.status}` }, humanize(step.status)),
      ` · owner: ${step.owner} · due ${formatDate(step.due)}`,
      step.overdue ? h("strong", { class: "due overdue", testid: `overdue-${step.step_id}` }, " · overdue") : ""),
    h("p", { class: "meta" }, where(step)),
    nudgeButton(step, today, flash, refresh));
}

export async function renderOpen(root, me, { setTitle }) {
  setTitle("What is open");
  const { body, flash } = screen(root);
  if (!can(me, "see_what_is_open")) {
    redraw(body, h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1" }, "What is open"),
      h("p", { class: "notice", testid: "organizers-only" }, "This is for program organizers."));
    return null;
  }
  const render = async () => {
    const { data, stale } = await getJson("/api/open");
    const toClose = data.visits_to_close.map((visit) => {
      const close = h("button", { type: "button", class: "primary", testid: `close-visit-${visit.visit_id}` },
        `Close the visit to ${visit.school.name}`);
      close.addEventListener("click", async () => {
        close.disabled = true;
        const result = await commit(flash, () => recordEvent(visit.visit_id, "VisitClosed", {}),
          { done: `The visit to ${visit.school.name} is closed.` });
        if (result === "synced") await render();
        else close.disabled = false;
      });
      return h("li", { class: "card", testid: `to-close-${visit.visit_id}` },
        h("p", {}, h("strong", {}, visit.school.name), ` · ${formatDate(visit.date)} · ${visit.focus}`),
        h("p", { class: "meta" }, `All ${visit.steps} agreed ${visit.steps === 1 ? "step is" : "steps are"} done.`),
        close);
    });
    redraw(body,
      h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1" }, "What is open"),
      stale ? h("p", { class: "notice", role: "status" }, "Offline: showing what was saved on this tablet.") : null,
      h("p", { testid: "open-summary" }, `${data.steps.length} open ${data.steps.length === 1 ? "step" : "steps"}, `,
        h("strong", {}, `${data.overdue} overdue`), ` as of ${formatDate(data.today)}.`),
      h("section", { "aria-labelledby": "to-close-heading", testid: "visits-to-close" },
        h("h2", { id: "to-close-heading" }, "Visits whose plan is done"),
        toClose.length ? h("ul", { class: "card-list" }, toClose)
          : h("p", { class: "empty" }, "None: every visit with a finished plan is closed.")),
      h("section", { "aria-labelledby": "open-steps-heading", testid: "open-steps" },
        h("h2", { id: "open-steps-heading" }, "Open steps, the overdue first"),
        data.steps.length ? h("ul", { class: "steps" }, data.steps.map((step) => stepRow(step, data.today, flash, render)))
          : h("p", { class: "empty" }, "No open steps.")));
  };
  await render();
  return live(root, render);
}
