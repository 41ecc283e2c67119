// The visit day, for the host and organizers: tell the teachers first (the visit is
// nonevaluative; a printable notice for staff), record the school update, start the
// visit when the team arrives. Each is a visit event through the outbox.

import { getJson } from "../api.js";
import { h, humanize, formatDate } from "../dom.js";
import {
  LONG, TEXT, clearFields, commit, field, live, recordEvent, screen, showProblems, statusLine, textArea,
  textProblem,
  redraw,
} from "../forms.js";
import { can } from "../access.js";

/** How the signed-in person relates to the visit: team, host, organizer or null. */
export function relationTo(visit, me) {
  const id = me.user.id;
  if ((visit.team || []).some((member) => member.id === id)) return "team";
  if (visit.host && visit.host.id === id) return "host";
  if (can(me, "see_every_visit")) return "organizer";
  return null;
}

export function visitHeader(visit, title, crumbs = []) {
  return h("header", { class: "screen-head" },
    h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits"), crumbs),
    h("h1", { tabindex: "-1" }, title),
    h("p", { class: "meta" }, `${visit.school.name} · ${formatDate(visit.date)} · phase: `,
      h("span", { class: `phase phase-${visit.phase}`, testid: "visit-phase" }, humanize(visit.phase))),
    visit.focus ? h("p", { class: "focus" }, h("strong", {}, "Focus: "), visit.focus) : null);
}

const DEFAULT_NOTE = "Staff were told at the staff meeting: peers visit classrooms for 10-20 "
  + "minutes to learn about school-wide patterns; no teacher is evaluated or named.";

function notifyCard(visit, flash, refresh) {
  const notePlace = field("notify-note", "What staff were told (optional)",
    textArea("notify-note", { max: TEXT, value: DEFAULT_NOTE }),
    "No names: what was said and how, e.g. at the staff meeting or by email.");
  const status = statusLine("notify-error");
  const button = h("button", { type: "button", class: "primary", testid: "notify-teachers" },
    "Mark teachers notified");
  button.addEventListener("click", async () => {
    const note = notePlace.control.value.trim();
    const problem = textProblem(note, { label: "What staff were told", max: TEXT, required: false });
    if (problem) { showProblems(status, [problem]); return; }
    status.hidden = true;
    const data = note ? { note } : {};
    if (await commit(flash, () => recordEvent(visit.id, "TeachersNotified", data),
      { done: "Teachers marked as notified." }) === "synced") await refresh();
  });
  const done = visit.teachers_notified;
  return h("section", { class: "card", "aria-labelledby": "notify-heading", testid: "notify-card" },
    h("h2", { id: "notify-heading" }, "1. Tell the teachers"),
    h("p", {}, "Before the visit, teachers are told that it is nonevaluative: it looks at patterns "
      + "across the school, never at one teacher."),
    h("p", { class: "links" }, h("a", { href: `/visits/${visit.id}/notice`, "data-link": true,
      class: "button-link", testid: "notice-link" }, "Printable notice for staff")),
    done
      ? h("p", { class: "done", testid: "teachers-notified" }, "✓ Teachers were notified.")
      : (visit.phase === "preparation" ? [notePlace, status, button]
        : h("p", { class: "meta" }, "The visit has started.")));
}

function updateCard(visit, current, flash, refresh) {
  const text = field("school-update", "School update",
    textArea("school-update-text", { max: LONG, rows: 5 }),
    "What changed since the last visit, in a few sentences. No names.");
  const status = statusLine("school-update-error");
  const button = h("button", { type: "button", class: "primary", testid: "record-school-update" },
    current ? "Record a new school update" : "Record the school update");
  button.addEventListener("click", async () => {
    const value = text.control.value.trim();
    const problem = textProblem(value, { label: "School update", max: LONG });
    if (problem) { showProblems(status, [problem]); return; }
    status.hidden = true;
    const restore = clearFields([text.control]);
    const result = await commit(flash, () => recordEvent(visit.id, "SchoolUpdateRecorded", { text: value }),
      { done: "School update recorded." });
    if (result === "rejected" || result === "failed") restore();
    else await refresh();
  });
  return h("section", { class: "card", "aria-labelledby": "update-heading", testid: "update-card" },
    h("h2", { id: "update-heading" }, "2. The school update"),
    current ? h("blockquote", { class: "school-update", testid: "school-update-current" }, current)
      : h("p", { class: "empty" }, "Not recorded yet. The host gives it at the start of the visit; it opens the debrief."),
    visit.phase === "closed" ? null : [text, status, button]);
}

function startCard(visit, flash, refresh) {
  const body = [];
  if (visit.phase === "preparation") {
    if (!visit.teachers_notified) {
      body.push(h("p", { class: "notice", testid: "start-blocked" }, "Tell the teachers first (step 1)."));
    } else {
      const button = h("button", { type: "button", class: "primary", testid: "start-visit" }, "Start the visit");
      button.addEventListener("click", async () => {
        if (await commit(flash, () => recordEvent(visit.id, "VisitStarted", {}),
          { done: "The visit has started: the team can capture now." }) === "synced") await refresh();
      });
      body.push(h("p", {}, "Start it when the team arrives: their tablets open capture then."), button);
    }
  } else {
    body.push(h("p", { class: "done", testid: "visit-started" }, `✓ Started. The visit is in ${humanize(visit.phase).toLowerCase()}.`),
      h("p", { class: "links" }, h("a", { href: `/visits/${visit.id}/debrief`, "data-link": true,
        class: "button-link primary", testid: "to-debrief" }, "Debrief")));
  }
  return h("section", { class: "card", "aria-labelledby": "start-heading", testid: "start-card" },
    h("h2", { id: "start-heading" }, "3. Start the visit"), body);
}

export async function renderVisitDay(root, visitId, me, { setTitle }) {
  const { body, flash } = screen(root);
  const render = async () => {
    const path = `/api/visits/${encodeURIComponent(visitId)}`;
    const [{ data: visit, stale }, { data: debrief }] = await Promise.all([getJson(path), getJson(`${path}/debrief`)]);
    setTitle(`Visit day · ${visit.school.name}`);
    const relation = relationTo(visit, me);
    const update = (debrief.sections || []).find((s) => s.kind === "school_update");
    const leads = relation === "host" || relation === "organizer";
    redraw(body,
      visitHeader(visit, "Visit day"),
      stale ? h("p", { class: "notice", role: "status" }, "Offline: showing the visit as saved on this tablet.") : null,
      leads ? null : h("p", { class: "notice" }, "The host and organizers record these; you can read them."),
      notifyCard(visit, flash, render),
      leads ? updateCard(visit, update && update.text, flash, render)
        : h("section", { class: "card" }, h("h2", {}, "2. The school update"),
          h("p", {}, (update && update.text) || "Not recorded yet.")),
      leads || relation === "team" ? startCard(visit, flash, render) : null);
  };
  await render();
  return live(root, render);
}
