// Organizers: what the district's administrators name as growth areas and ask support
// for, most named first; the pulse averaged over at least 5 people (a smaller group is
// not shown, and says why); the professional-learning sessions offered in response with
// their attendance, and a form to offer one (a POST through the outbox, resent with its
// Idempotency-Key until answered; shown at once as waiting to send).

import { getJson } from "../api.js";
import { h, humanize, formatDate } from "../dom.js";
import {
  SHORT, checkboxGroup, clearFields, commit, field, isoDay, live, redraw, screen, showProblems, slug, statusLine,
  textInput, textProblem,
} from "../forms.js";
import * as outbox from "../outbox.js";
import { can } from "../access.js";

const SESSIONS_PATH = "/api/learning-sessions";
const QUESTIONS = {
  self_efficacy: "Confident leading improvement",
  isolation: "Feel isolated in the role",
  partnership_value: "Partnership worth the time",
  focus_confidence: "Confident leading the focus area",
  protected_time: "Time protected for the focus",
};

function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

function areasSection(data) {
  const requested = data.areas.filter((a) => a.requests > 0).sort((a, b) => b.requests - a.requests);
  return h("section", { class: "growth-section", "aria-labelledby": "areas-heading", testid: "district-areas" },
    h("h2", { id: "areas-heading" }, "Growth areas most named"),
    h("p", { class: "hint" }, "Named in skill inventories, chosen as goals, or asked for: what the district could offer."),
    data.areas.length ? h("ol", { class: "area-list" }, data.areas.map((a) => h("li", { testid: `area-${a.area}` },
      h("strong", {}, a.prompt),
      h("span", { class: "meta" }, `named by ${plural(a.people, "administrator")} · ${plural(a.goals, "goal")} · ${plural(a.requests, "request")}`))))
      : h("p", { class: "empty" }, "No growth area named yet."),
    h("h3", {}, "Support requested"),
    requested.length ? h("ol", { class: "area-list", testid: "district-requests" }, requested.map((a) =>
      h("li", {}, h("strong", {}, a.prompt), h("span", { class: "meta" }, plural(a.requests, "request")))))
      : h("p", { class: "empty" }, "No support requested yet."));
}

function pulseSection(data) {
  return h("section", { class: "growth-section", "aria-labelledby": "district-pulse-heading", testid: "district-pulse" },
    h("h2", { id: "district-pulse-heading" }, "Pulse across partnerships"),
    h("p", { class: "hint" }, `Mean answers, 1 (not at all) to 5 (very much), each person counted once. A moment answered by fewer than ${data.min_pulse_people} people is not shown.`),
    h("ul", { class: "pulse-cells" }, data.pulse.map((cell) => h("li", { class: "card", testid: `pulse-cell-${cell.moment}` },
      h("h3", {}, humanize(cell.moment)),
      cell.suppressed
        ? h("p", { class: "notice", testid: `pulse-suppressed-${cell.moment}` },
          `Not shown: fewer than ${data.min_pulse_people} people answered, so no figure can point at one person.`)
        : [h("p", { class: "meta" }, `${plural(cell.people, "person", "people")} answered`),
          h("dl", { class: "step-details" }, Object.entries(cell.means).map(([key, mean]) =>
            [h("dt", {}, QUESTIONS[key] || humanize(key)), h("dd", {}, Number(mean).toFixed(1))]))]))));
}

/** Sessions offered from this tablet and not answered yet (the outbox's journal). */
async function waitingSessions() {
  const rows = await outbox.journal("district");
  return rows.filter((row) => row.status === "pending" && row.request && row.request.path === SESSIONS_PATH)
    .map((row) => ({ ...row.request.body, attended: 0, pending: true }));
}

function sessionsSection(data, waiting, prompts) {
  const known = new Set(data.sessions.map((s) => s.session_id));
  const sessions = [...data.sessions, ...waiting.filter((s) => !known.has(s.session_id))];
  return h("section", { class: "growth-section", "aria-labelledby": "district-sessions-heading", testid: "district-sessions" },
    h("h2", { id: "district-sessions-heading" }, "Learning sessions offered"),
    sessions.length ? h("ul", { class: "session-list" }, sessions.map((s) => h("li", { testid: `district-session-${s.session_id}` },
      h("span", {}, h("strong", {}, s.title), ` · ${formatDate(s.date)}`,
        s.areas.length ? ` · ${s.areas.map((a) => prompts.get(a) || humanize(a)).join("; ")}` : ""),
      s.pending ? h("span", { class: "tap-status is-pending" }, "waiting to send")
        : h("span", { class: "meta" }, `attended by ${plural(s.attended, "administrator")}`))))
      : h("p", { class: "empty" }, "No sessions offered yet."));
}

function offerForm(data, flash, refresh) {
  const title = field("session-title", "Title", textInput("session-title", { max: SHORT, placeholder: "e.g. Leading data conversations in PLCs" }));
  const date = field("session-date", "Date", textInput("session-date", { type: "date", value: isoDay(14) }));
  const areas = checkboxGroup("session-areas", "In response to", data.areas.map((a) => [a.area, a.prompt]), { testid: "session-areas" });
  const status = statusLine("session-error");
  const offer = h("button", { type: "button", class: "primary", testid: "offer-session" }, "Offer the session");
  offer.addEventListener("click", async () => {
    const text = title.control.value.trim();
    const problems = [
      textProblem(text, { label: "Title", max: SHORT }),
      /^\d{4}-\d{2}-\d{2}$/.test(date.control.value) ? null : "Date: choose a date.",
    ].filter(Boolean);
    if (problems.length) { showProblems(status, problems); return; }
    status.hidden = true;
    const body = { session_id: slug(text, "session"), title: text, date: date.control.value, areas: areas.values() };
    const restore = clearFields([title.control]);
    const result = await commit(flash, async () => {
      const id = await outbox.send("POST", SESSIONS_PATH, body, { label: `Learning session “${text}”` });
      await refresh();
      return id;
    }, { done: "Session offered." });
    if (result === "rejected" || result === "failed") restore();
    await refresh();
  });
  return h("section", { class: "card", "aria-labelledby": "offer-heading", testid: "offer-card" },
    h("h2", { id: "offer-heading" }, "Offer a session"),
    title, date, areas.querySelector("input") ? areas : null, status, offer);
}

export async function renderDistrictGrowth(root, me, { setTitle }) {
  setTitle("District growth");
  const { body, flash } = screen(root);
  const back = h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits"));
  if (!can(me, "see_district_growth")) {
    redraw(body, back, h("h1", { tabindex: "-1" }, "District growth"),
      h("p", { class: "notice", testid: "district-growth-forbidden" }, "The district's view of growth is for program organizers."));
    return () => {};
  }
  const render = async () => {
    const { data, stale } = await getJson("/api/growth");
    const prompts = new Map(data.areas.map((a) => [a.area, a.prompt]));
    const waiting = await waitingSessions();
    redraw(body,
      back,
      h("h1", { tabindex: "-1" }, "District growth"),
      h("p", { class: "lede", testid: "district-records" }, `${plural(data.records, "administrator")} with a growth record`),
      stale ? h("p", { class: "notice", role: "status" }, "Offline: showing the overview saved on this tablet.") : null,
      areasSection(data),
      pulseSection(data),
      sessionsSection(data, waiting, prompts),
      offerForm(data, flash, render));
  };
  await render();
  return live(root, render);
}
