// Organizers: the district's schools with their needs assessments, then a school's
// matches -> a partnership (a pair or a Critical Friends Group) -> a visit planned
// (school, host, team, date, focus, catalog version). Needs assessments and partnerships
// are organizers' forms queued in the outbox as requests; a planned visit is a
// VisitPlanned event whose visit id this tablet makes up.

import { getJson } from "../api.js";
import { h, replace, formatDate } from "../dom.js";
import * as outbox from "../outbox.js";
import { firstSchoolDay, whyNotASchoolDay } from "../school-days.js";
import { unmatchedNote } from "./partnerships.js";
import {
  LONG, SHORT, checkboxGroup, commit, field, isoDay, live, recordEvent, screen, select,
  showProblems, slug, statusLine, textArea, textInput, textProblem,
  redraw,
} from "../forms.js";
import { can } from "../access.js";

const ROLE_NAMES = { principal: "Principal", assistant_principal: "Assistant principal", other: "Administrator" };

function organizerOnly(root, me, title) {
  if (can(me, "plan_visits")) return false;
  replace(root, h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
    h("h1", { tabindex: "-1" }, title),
    h("p", { class: "notice", testid: "organizers-only" }, "This is for program organizers."));
  return true;
}

/** The district's schools (from its people: every school has its administrators). */
function schoolsOf(people) {
  const schools = new Map();
  for (const person of people) {
    if (!person.school) continue;
    const school = schools.get(person.school.id) || { ...person.school, hosts: [], staff: [] };
    if (person.roles.includes("host")) school.hosts.push(person);
    school.staff.push(person);
    schools.set(school.id, school);
  }
  return [...schools.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The latest look-for catalog, with every version of the leadership skill vocabulary
 * (the latest offered; every version's names read older needs). */
async function latestCatalog() {
  const [{ data }, { data: skills }] = await Promise.all([getJson("/api/catalogs"), getJson("/api/leadership-skills")]);
  const versions = data.catalogs.map((c) => c.version);
  const latest = Math.max(...versions);
  const { data: catalog } = await getJson(`/api/catalogs/${latest}`);
  const vocabulary = skills.versions[skills.versions.length - 1];
  const names = new Map(skills.versions.flatMap((v) => v.skills.map((s) => [s.key, s.name])));
  return { versions, catalog: { ...catalog, vocabulary, skillNames: names } };
}

function prompts(catalog, keys) {
  const byKey = new Map([...catalog.skillNames, ...catalog.items.map((item) => [item.key, item.prompt])]);
  return keys.map((key) => byKey.get(key) || key).join("; ");
}

function needsForm(school, catalog, needs, flash, refresh) {
  const areas = checkboxGroup(`needs-${school.id}`, "Focus areas (leadership skills, then look-fors)",
    [...catalog.vocabulary.skills.map((s) => [s.key, s.name]), ...catalog.items.map((item) => [item.key, item.prompt])],
    { checked: needs ? needs.focus_areas : [], testid: `needs-areas-${school.id}` });
  const notes = field(`needs-notes-${school.id}`, "Notes (optional)",
    textArea(`needs-notes-${school.id}`, { max: LONG, value: needs && needs.notes ? needs.notes : "" }),
    "The problem of practice, in a few sentences. No names.");
  const status = statusLine(`needs-error-${school.id}`);
  const save = h("button", { type: "button", class: "primary", testid: `save-needs-${school.id}` }, "Save needs assessment");
  save.addEventListener("click", async () => {
    const focus = areas.values();
    const text = notes.control.value.trim();
    const problems = [
      focus.length ? null : "Focus areas: choose at least one look-for.",
      focus.length > 20 ? "Focus areas: at most 20." : null,
      textProblem(text, { label: "Notes", max: LONG, required: false }),
    ].filter(Boolean);
    if (problems.length) { showProblems(status, problems); return; }
    status.hidden = true;
    const body = { focus_areas: focus, catalog_version: catalog.version, skills_version: catalog.vocabulary.version };
    if (text) body.notes = text;
    if (await commit(flash, () => outbox.send("POST", `/api/schools/${encodeURIComponent(school.id)}/needs-assessment`, body,
      { label: `Needs assessment of ${school.name}` }), { done: `Needs assessment of ${school.name} saved.` }) === "synced") await refresh();
  });
  const form = h("div", { class: "section-form", hidden: true, testid: `needs-form-${school.id}` }, areas, notes, status, save);
  const toggle = h("button", { type: "button", class: "secondary", "aria-expanded": "false", testid: `edit-needs-${school.id}` },
    needs ? "New needs assessment" : "Record needs assessment");
  toggle.addEventListener("click", () => {
    form.hidden = !form.hidden;
    toggle.setAttribute("aria-expanded", String(!form.hidden));
  });
  return [toggle, form];
}

export async function renderSchools(root, me, { setTitle }) {
  setTitle("Schools");
  if (organizerOnly(root, me, "Schools")) return null;
  const { body, flash } = screen(root);
  const render = async () => {
    const [{ data: people }, { data: preparation }, { catalog }] = await Promise.all([
      getJson("/api/people"), getJson("/api/preparation"), latestCatalog()]);
    const needs = new Map(preparation.needs_assessments.map((n) => [n.school_id, n]));
    const cards = schoolsOf(people.people).map((school) => {
      const assessed = needs.get(school.id);
      return h("li", { class: "card school", testid: `school-${school.id}` },
        h("h2", {}, school.name),
        h("p", { class: "meta" }, school.hosts.length ? `Host: ${school.hosts.map((p) => p.name).join(", ")}` : "No host registered"),
        assessed
          ? h("div", { testid: `needs-${school.id}` },
            h("p", {}, h("strong", {}, "Needs: "), prompts(catalog, assessed.focus_areas)),
            assessed.notes ? h("p", { class: "meta" }, assessed.notes) : null)
          : h("p", { class: "empty", testid: `needs-${school.id}` }, "No needs assessment yet."),
        h("p", { class: "links" },
          assessed ? h("a", { href: `/schools/${school.id}/matches`, "data-link": true, class: "button-link primary",
            testid: `matches-${school.id}` }, "Matches and planning") : null,
          needsForm(school, catalog, assessed, flash, render)));
    });
    redraw(body,
      h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1" }, "Schools and their needs"),
      h("p", {}, "A needs assessment names the look-fors and leadership skills a school wants to grow in; matches are peers from other campuses: in the same role and strong in them for a pair, in any role and sharing them for a group."),
      h("ul", { class: "school-list", testid: "school-list" }, cards));
  };
  await render();
  return live(root, render);
}

// --- a school's matches: partnership, visit -----------------------------------------------

/** Administrators of other campuses whom matching did not propose: an organizer may add
 * them to a partnership, saying why (the reason is kept with the partnership). */
function unmatchedPicker(school, people, matches) {
  const matched = new Set(matches.map((m) => m.user_id));
  const others = people.filter((p) => p.school && p.school.id !== school.id && !matched.has(p.id)
    && (p.roles.includes("host") || p.roles.includes("coach")));
  const boxes = checkboxGroup("unmatched", "Add a peer who did not match (optional)",
    others.map((p) => [p.id, `${p.name}, ${p.school.name}`]), { testid: "unmatched" });
  const reason = field("unmatched-reason", "Why add them", textInput("unmatched-reason", { max: SHORT }),
    "Kept with the partnership, e.g. the only elementary principal free on Thursdays. No names.");
  const wrapper = h("div", { class: "section-form", testid: "unmatched-picker" }, boxes, reason);
  wrapper.picks = () => boxes.values();
  wrapper.clear = () => { for (const box of boxes.querySelectorAll("input:checked")) box.checked = false; };
  wrapper.reason = () => reason.control.value.trim();
  return wrapper;
}

function partnershipForm(school, host, picks, flash, refresh, unmatched) {
  const kind = field(`partnership-kind`, "Kind", select("partnership-kind", [
    ["leadership_learning", "Leadership Learning Partnership (the host and one peer)"],
    ["critical_friends", "Critical Friends Group (the host and 3-5 peers)"]]));
  const focus = field("partnership-focus", "Focus (optional)", textInput("partnership-focus", { max: SHORT }));
  const starts = field("partnership-starts", "Starts", textInput("partnership-starts", { type: "date", value: isoDay(0) }));
  const status = statusLine("partnership-error");
  const form = h("button", { type: "button", class: "primary", testid: "form-partnership" }, "Form the partnership");
  form.addEventListener("click", async () => {
    const added = unmatched.picks();
    const why = unmatched.reason();
    const peers = [...picks(), ...added];
    const members = [host ? host.id : null, ...peers].filter(Boolean);
    const pair = kind.control.value === "leadership_learning";
    const text = focus.control.value.trim();
    const problems = [
      added.length ? textProblem(why, { label: "Why add them", max: SHORT }) : null,
      host ? null : "The school has no host to partner with.",
      pair && peers.length !== 1 ? "A Leadership Learning Partnership pairs the host with one peer: pick one match." : null,
      !pair && (peers.length < 3 || peers.length > 5) ? "A Critical Friends Group has 4-6 members: pick 3 to 5 matches." : null,
      textProblem(text, { label: "Focus", max: SHORT, required: false }),
      starts.control.value ? null : "Starts: choose a date.",
    ].filter(Boolean);
    if (problems.length) { showProblems(status, problems); return; }
    status.hidden = true;
    const body = { partnership_id: slug(school.id, pair ? "llp" : "cfg"), kind: kind.control.value,
      members, starts: starts.control.value };
    if (text) body.focus = text;
    if (added.length) body.unmatched = added.map((id) => ({ user_id: id, reason: why }));
    if (await commit(flash, () => outbox.send("POST", "/api/partnerships", body, { label: `Partnership at ${school.name}` }),
      { done: "Partnership formed." }) === "synced") {
      picks.clear();  // its members are in it: the next partnership starts from none
      unmatched.clear();
      focus.control.value = "";
      await refresh();
    }
  });
  return h("section", { class: "card", "aria-labelledby": "partnership-heading", testid: "partnership-card" },
    h("h2", { id: "partnership-heading" }, "Form a partnership"),
    h("p", { class: "hint" }, "With the matches you picked above and the school's host."),
    unmatched, kind, h("div", { class: "field-row" }, focus, starts), status, form);
}

function visitForm(school, needs, catalog, versions, picks, flash, navigate, calendar) {
  const host = field("visit-host", "Host", select("visit-host", school.hosts.map((p) => [p.id, p.name])));
  const day = field("visit-date", "Date", textInput("visit-date", { type: "date",
    value: firstSchoolDay(isoDay(7), calendar.closures) }));
  const starts = field("visit-time", `Starts at (${calendar.time_zone})`,
    textInput("visit-time", { type: "time", value: "08:30" }));
  const length = field("visit-minutes", "On site", select("visit-minutes",
    [["120", "2 hours"], ["150", "2½ hours"], ["180", "3 hours"]], "150"));
  // A day without school is allowed (some districts hold Saturday sessions), once the
  // organizer confirms it.
  const confirmBox = h("input", { type: "checkbox", id: "visit-confirm-day", testid: "visit-confirm-day" });
  const warning = h("div", { class: "notice", role: "alert", hidden: true, testid: "visit-day-warning" },
    h("p", { testid: "visit-day-why" }),
    h("label", { class: "check", for: "visit-confirm-day" }, confirmBox,
      h("span", {}, "Plan it on this day anyway")));
  day.control.addEventListener("change", () => { confirmBox.checked = false; warning.hidden = true; });
  const focus = field("visit-focus", "Focus (problem of practice)", textInput("visit-focus", { max: SHORT,
    value: needs.notes ? "" : "", placeholder: "e.g. checking for understanding in grades 6-8 math" }),
  "What the team looks at. No names.");
  const version = field("visit-catalog", "Look-for catalog", select("visit-catalog",
    versions.map((v) => [String(v), `Version ${v}`]), String(catalog.version)));
  const status = statusLine("visit-error");
  const plan = h("button", { type: "button", class: "primary", testid: "plan-visit" }, "Plan the visit");
  plan.addEventListener("click", async () => {
    const team = picks();
    const text = focus.control.value.trim();
    const problems = [
      school.hosts.length ? null : "The school has no host registered.",
      team.length < 2 || team.length > 4 ? "Team: pick 2 to 4 peers from the matches above." : null,
      textProblem(text, { label: "Focus", max: SHORT }),
      day.control.value ? null : "Date: choose the day of the visit.",
    ].filter(Boolean);
    if (problems.length) { showProblems(status, problems); return; }
    const why = whyNotASchoolDay(day.control.value, calendar.closures);
    if (why && !confirmBox.checked) {
      warning.querySelector("p").textContent = `${formatDate(day.control.value)} is not a school day: ${why}. `
        + "Tick the box to plan the visit on it anyway, or choose another day.";
      warning.hidden = false;
      confirmBox.focus();
      return;
    }
    warning.hidden = true;
    status.hidden = true;
    const visitId = crypto.randomUUID();
    const data = { school_id: school.id, host: host.control.value, team, focus: text,
      catalog_version: Number(version.control.value), date: day.control.value,
      minutes: Number(length.control.value) };
    if (starts.control.value) data.starts_at = `${starts.control.value}:00`.slice(0, 8);
    const result = await commit(flash, () => recordEvent(visitId, "VisitPlanned", data),
      { done: `Visit planned for ${formatDate(data.date)}.` });
    if (result === "synced") navigate(`/visits/${visitId}/start`);
  });
  return h("section", { class: "card", "aria-labelledby": "visit-heading", testid: "visit-card" },
    h("h2", { id: "visit-heading" }, "Plan a visit"),
    h("p", { class: "hint" }, "The team is the matches you picked above: 2 to 4 peers from other campuses."),
    h("div", { class: "field-row" }, host, day), h("div", { class: "field-row" }, starts, length),
    warning, focus, version, status, plan);
}

const PURPOSES = [
  ["pair", "A visit team or a Leadership Learning Partnership: the same role, strong in the school's needs"],
  ["group", "A Critical Friends Group: any role, sharing the school's needs"]];

export async function renderMatches(root, schoolId, me, { setTitle, navigate }) {
  setTitle("Matches");
  if (organizerOnly(root, me, "Matches")) return null;
  const { body, flash } = screen(root);
  let purpose = "pair";
  let drawn = 0;  // a render started later (another purpose, a sync) draws over an earlier one
  const render = async () => {
    const mine = ++drawn;
    const [{ data: found }, { data: people }, { versions, catalog }, { data: partnerships }, { data: calendar }] = await Promise.all([
      getJson(`/api/schools/${encodeURIComponent(schoolId)}/matches?purpose=${purpose}`), getJson("/api/people"), latestCatalog(),
      getJson("/api/partnerships"), getJson("/api/calendar")]);
    if (mine !== drawn) return;
    const school = schoolsOf(people.people).find((s) => s.id === schoolId)
      || { id: schoolId, name: found.school.name, hosts: [], staff: [] };
    setTitle(`Matches · ${school.name}`);
    const matches = h("ul", { class: "match-list", testid: "match-list" }, found.matches.map((match) => {
      const id = `pick-${match.user_id}`;
      return h("li", { class: "card match" },
        h("label", { class: "check", for: id },
          h("input", { type: "checkbox", id, value: match.user_id, testid: id }),
          h("span", {}, h("strong", {}, match.name), ` · ${ROLE_NAMES[match.role] || match.role}, ${match.school_name}`)),
        h("p", { class: "meta" }, match.reason));
    }));
    const picks = () => [...matches.querySelectorAll("input:checked")].map((box) => box.value);
    picks.clear = () => { for (const box of matches.querySelectorAll("input:checked")) box.checked = false; };
    const choosePurpose = () => {
      const chooser = field("match-purpose", "Matching for", select("match-purpose", PURPOSES, purpose));
      chooser.control.addEventListener("change", () => { purpose = chooser.control.value; render(); });
      return chooser;
    };
    const theirs = partnerships.partnerships.filter((p) => p.members.some((m) => school.staff.some((s) => s.id === m.id)));
    redraw(body,
      h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits"), " · ",
        h("a", { href: "/schools", "data-link": true }, "Schools")),
      h("h1", { tabindex: "-1" }, `Matches for ${school.name}`),
      h("p", {}, h("strong", {}, "Needs: "), prompts(catalog, found.needs.focus_areas)),
      found.needs.notes ? h("p", { class: "meta" }, found.needs.notes) : null,
      h("h2", {}, "Peers who match"),
      choosePurpose(),
      found.matches.length ? [h("p", { class: "hint" }, "Pick the peers for a partnership or a visit team."), matches]
        : h("p", { class: "empty" }, "No peer's strengths meet these needs yet: record skill inventories under People."),
      visitForm(school, found.needs, catalog, versions, picks, flash, navigate, calendar),
      partnershipForm(school, school.hosts[0] || null, picks, flash, render,
        unmatchedPicker(school, people.people, found.matches)),
      theirs.length ? h("section", { class: "card", testid: "partnerships" },
        h("h2", {}, "Partnerships of this school"),
        h("ul", {}, theirs.map((p) => h("li", {},
          h("a", { href: `/partnerships/${encodeURIComponent(p.partnership_id)}`, "data-link": true,
            testid: `partnership-link-${p.partnership_id}` }, p.name), `: ${p.members.map((m) => m.name).join(", ")}`,
          p.focus ? ` · ${p.focus}` : "", ` · ${p.cadence}, ${p.minutes} minutes`, unmatchedNote(p))))) : null);
  };
  await render();
  return live(root, render);
}
