// Organizers: what is open across the district, in one place. Open steps of visits'
// action plans and of partnership meetings (the overdue first), and visits whose agreed
// plan is done but that nobody closed, each closed with one tap (a VisitClosed event
// queued in the outbox like any other).

import { getJson } from "../api.js";
import { h, humanize, formatDate } from "../dom.js";
import { commit, live, recordEvent, redraw, screen } from "../forms.js";
import { can } from "../access.js";

function where(step) {
  if (step.source === "visit") {
    return h("a", { href: `/visits/${step.visit_id}/plan`, "data-link": true },
      `Visit action plan · ${step.school ? step.school.name : ""}`);
  }
  return h("a", { href: `/partnerships/${encodeURIComponent(step.partnership_id)}`, "data-link": true },
    `${step.partnership_name || "Partnership"} meeting`);
}

function stepRow(step) {
  return h("li", { class: step.overdue ? "card step overdue" : "card step", testid: `open-step-${step.step_id}` },
    h("p", { class: "step-text" }, step.text),
    h("p", { class: "meta" },
      h("span", { class: `status status-${step.status}` }, humanize(step.status)),
      ` · owner: ${step.owner} · due ${formatDate(step.due)}`,
      step.overdue ? h("strong", { class: "due overdue", testid: `overdue-${step.step_id}` }, " · overdue") : ""),
    h("p", { class: "meta" }, where(step)));
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
        data.steps.length ? h("ul", { class: "steps" }, data.steps.map(stepRow))
          : h("p", { class: "empty" }, "No open steps.")));
  };
  await render();
  return live(root, render);
}
