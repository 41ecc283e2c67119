// The signed-in person's visits, from GET /api/me, each with what they can do next by
// the visit's phase and their part in it ("Start", "Capture", "Debrief", "Check in").

import { h, humanize, replace, formatClock, formatDate } from "../dom.js";
import * as outbox from "../outbox.js";
import { can } from "../access.js";

const RELATION = { team: "on the team", host: "host", organizer: "organizer" };

function link(href, text, testid, primary = false) {
  return h("a", { href, "data-link": true, class: `button-link${primary ? " primary" : ""}`, testid }, text);
}

/** The next thing this person does on this visit (the primary button), or null. */
export function nextAction(v) {
  const leads = v.relation === "host" || v.relation === "organizer";
  switch (v.phase) {
    case "preparation":
      return leads ? { href: `/visits/${v.id}/start`, text: "Start", testid: `start-${v.id}` } : null;
    case "observation":
      return v.relation === "team"
        ? { href: `/visits/${v.id}`, text: "Capture", testid: `capture-${v.id}` }
        : { href: `/visits/${v.id}/debrief`, text: "Debrief", testid: `debrief-${v.id}` };
    case "analysis":
      return { href: `/visits/${v.id}/debrief`, text: "Debrief", testid: `debrief-${v.id}` };
    case "support":
      return { href: `/visits/${v.id}/plan`, text: "Check in", testid: `checkin-${v.id}` };
    default:
      return null;
  }
}

function visitCard(v) {
  const next = nextAction(v);
  const links = [];
  if (next) links.push(link(next.href, next.text, next.testid, true));
  if (v.relation === "team" && v.phase !== "observation") {
    links.push(link(`/visits/${v.id}`, "Capture", `capture-${v.id}`));
  }
  if (!next || next.testid !== `debrief-${v.id}`) {
    links.push(link(`/visits/${v.id}/debrief`, "Debrief", `debrief-${v.id}`));
  }
  if (v.relation !== "team" && v.phase !== "preparation") {
    links.push(link(`/visits/${v.id}/start`, "Visit day", `visit-day-${v.id}`));
  }
  if (v.relation === "team" && ["observation", "analysis"].includes(v.phase)) {
    links.push(link(`/visits/${v.id}/thanks`, "Thank-you notes", `thanks-${v.id}`));
  }
  links.push(link(`/visits/${v.id}/summary`, "Summary", `summary-${v.id}`));
  const waiting = v.phase === "preparation" && !next ? h("p", { class: "meta" },
    "The host starts the visit when the team arrives; capture opens then.") : null;
  return h("li", { class: "card visit", testid: `visit-${v.id}` },
    h("h2", {}, v.school ? v.school.name : "Visit"),
    h("p", { class: "meta" },
      `${formatDate(v.date)}${v.starts_at ? `, ${formatClock(v.starts_at)} for ${Math.round(v.minutes / 6) / 10} h` : ""} · `,
      h("span", { class: `phase phase-${v.phase}`, testid: `phase-${v.id}` }, humanize(v.phase)),
      ` · you: ${RELATION[v.relation] || humanize(v.relation || "")}`),
    v.focus ? h("p", { class: "focus" }, h("strong", {}, "Focus: "), v.focus) : null,
    waiting,
    h("p", { class: "links" }, links));
}

/** "My growth" and "Peers' growth": the growth records this person may open. */
function growthLinks(records) {
  if (!records.length) return null;
  const own = records.filter((r) => r.relation === "self");
  const peers = records.filter((r) => r.relation !== "self");
  const to = (r) => `/people/${encodeURIComponent(r.user_id)}/growth`;
  return h("section", { class: "card growth-links", "aria-labelledby": "growth-links-heading", testid: "growth-links" },
    h("h2", { id: "growth-links-heading" }, "Growth"),
    own.length ? h("p", { class: "links" }, own.map((r) => link(to(r), "My growth", "my-growth", true))) : null,
    peers.length ? [h("h3", {}, "Peers' growth"),
      h("p", { class: "links" }, peers.map((r) => link(to(r), r.name, `growth-${r.user_id}`)))] : null);
}

export function renderVisits(root, me, { stale, setTitle }) {
  setTitle("Visits");
  const visits = me.visits || [];
  const tools = [];
  if (can(me, "plan_visits")) tools.push(link("/schools", "Plan a visit", "plan-link", true));
  if (can(me, "keep_people")) {
    tools.push(link("/district", "District: roster, people and schools", "district-link"),
      link("/people", "People: inventories and sign-in links", "people-link"));
  }
  if (can(me, "publish_catalogs")) tools.push(link("/catalogs", "Look-for catalogs", "catalogs-link"));
  if (can(me, "keep_calendar")) tools.push(link("/calendar", "School calendar", "calendar-link"));
  if (can(me, "see_district_growth")) {
    tools.push(link("/growth", "District growth", "district-growth-link"),
      h("a", { href: "/reports/trends", class: "button-link", testid: "district-trends-link" }, "District trends"));
  }
  if (can(me, "see_what_is_open")) tools.push(link("/open", "What is open", "open-link"));
  if (can(me, "keep_guides")) tools.push(link("/guides", "Conversation guides", "guides-link"));
  if (can(me, "keep_skills")) tools.push(link("/skills", "Leadership skills", "skills-link"));
  tools.push(link("/partnerships", "Partnerships", "partnerships-link"));
  if (me.user.school_id) tools.push(link("/inventory", "My skill inventory", "inventory-link"));
  if (can(me, "calibrate")) {
    tools.push(link("/calibration", "Calibration: how alike we see", "calibration-link"));
  }
  if (can(me, "see_own_school")) {
    if (!can(me, "keep_people")) tools.push(link("/district", "Your school's staff list", "staff-link"));
    tools.push(h("a", { href: `/reports/schools/${encodeURIComponent(me.user.school_id)}/trends`,
      class: "button-link", testid: "school-trends-link" }, "Your school's trends"));
  }
  tools.push(h("a", { href: "/reports/never-show", class: "button-link", testid: "never-show-link" },
    "What this system can never show"));
  replace(root,
    h("h1", { tabindex: "-1" }, "Your visits"),
    tools.length ? h("p", { class: "links", testid: "tools" }, tools) : null,
    growthLinks(me.growth_records || []),
    stale ? h("p", { class: "notice", role: "status" }, "Offline: showing the list saved on this tablet.") : null,
    h("p", { class: "notice ready", role: "status", testid: "offline-ready", hidden: true }),
    visits.length
      ? h("ul", { class: "visit-list", testid: "visit-list" }, visits.map(visitCard))
      : h("p", { class: "empty", testid: "visit-list" }, "No visits are assigned to you."),
    me.calendar_url ? feedCard(me.calendar_url, me.reminders) : null);
}

/** The person's private calendar feed: subscribe once, and visits and check-ins due
 *  appear in their own calendar program. */
function feedCard(url, reminders) {
  const address = h("input", { type: "text", id: "calendar-url", readonly: "", value: url, testid: "calendar-url" });
  const toggle = h("input", { type: "checkbox", id: "email-reminders", testid: "email-reminders" });
  toggle.checked = reminders !== false;
  const saved = h("p", { class: "form-status", "aria-live": "polite", testid: "reminders-status" });
  toggle.addEventListener("change", async () => {
    const on = toggle.checked;
    await outbox.send("PUT", "/api/me/reminders", { on }, { label: on ? "Reminders on" : "Reminders off" });
    saved.textContent = on ? "You will get email reminders of check-ins due." : "No more email reminders.";
  });
  return h("section", { class: "card", "aria-labelledby": "feed-heading", testid: "calendar-feed" },
    h("h2", { id: "feed-heading" }, "Your calendar"),
    h("p", { class: "hint" }, "Subscribe to this private address in your calendar (Google, Outlook, Apple) to see your visits, "
      + "meetings and check-ins due. Keep it to yourself: anyone with it can read your schedule."),
    h("div", { class: "field" }, h("label", { for: "calendar-url" }, "Calendar address"), address),
    h("label", { class: "check", for: "email-reminders" }, toggle,
      h("span", {}, "Email me the day before a check-in is due, and when one is overdue")),
    saved);
}
