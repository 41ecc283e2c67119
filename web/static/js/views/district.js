// The district's people and schools. Organizers import the roster (a OneRoster zip:
// preview what will change, then apply), and add, edit, deactivate or reactivate a
// person and add or rename a school by hand. A host sends their school's staff names
// (what the "no names" rule screens free text with): the screen shows counts, never
// the names back. Every write goes through the outbox, like the other forms.

import { ApiError, getJson, request } from "../api.js";
import { h, humanize, replace } from "../dom.js";
import {
  LABEL, checkboxGroup, commit, field, live, redraw, screen, select, showProblems, statusLine,
  textArea, textInput,
} from "../forms.js";
import { SCHOOL_LEVELS } from "../generated/schema.js";
import * as outbox from "../outbox.js";
import { can } from "../access.js";

const LEVEL_NAMES = { k8: "K-8" };
const LEVELS = SCHOOL_LEVELS.map((level) => [level, LEVEL_NAMES[level] || humanize(level)]);
const ROLES = [["host", "Host of their school"], ["coach", "Coach on visits"], ["organizer", "Organizer"], ["analyst", "Analyst"]];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function fileAsBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function count(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// --- the roster import ----------------------------------------------------------------

function personLine(person) {
  const where = person.school ? ` · ${person.school}` : "";
  const changes = person.changes && person.changes.length ? ` (${person.changes.map(humanize).join(", ")})` : "";
  return h("li", {}, h("strong", {}, person.name), ` · ${person.roles.map(humanize).join(", ")}${where}${changes}`);
}

function listed(title, items, line, testid) {
  if (!items.length) return null;
  return h("section", { class: "preview-part", testid },
    h("h3", {}, `${title} (${items.length})`),
    h("ul", {}, items.map(line)));
}

function schoolLine(school) {
  const from = { grades: "from its grades", given: "set by you", name: "from its name", kept: "", needed: "" }[school.level_from] || "";
  const changes = school.changes && school.changes.length ? ` (${school.changes.map(humanize).join(", ")})` : "";
  return h("li", {}, h("strong", {}, school.name), school.level ? ` · ${humanize(school.level)} ${from}` : "", changes);
}

function previewShown(report, levelPickers) {
  const summary = [
    count(report.schools_added.length, "school") + " to add",
    count(report.schools_changed.length, "school") + " to change",
    count(report.people_added.length, "person", "people") + " to add",
    count(report.people_changed.length, "person", "people") + " to change",
    count(report.people_deactivated.length, "person", "people") + " to deactivate",
  ];
  return h("div", { class: "roster-preview", testid: "roster-preview" },
    h("p", { testid: "roster-summary" }, h("strong", {}, `OneRoster ${report.version}: `),
      report.changes ? `${summary.join(", ")}.` : report.staff.some((s) => s.changed)
        ? "No school or person to change; staff rosters to update." : "Nothing to change: the district already matches these files."),
    report.district ? h("p", {}, `The district will be named ${report.district}.`) : null,
    levelPickers.length ? h("section", { class: "preview-part", testid: "levels-needed" },
      h("h3", {}, "Levels to set"),
      h("p", { class: "hint" }, "These schools' grades are not in the files: choose each one's level before applying."),
      levelPickers) : null,
    listed("Schools to add", report.schools_added, schoolLine, "schools-added"),
    listed("Schools to change", report.schools_changed, schoolLine, "schools-changed"),
    listed("People to add", report.people_added, personLine, "people-added"),
    listed("People to change", report.people_changed, personLine, "people-changed"),
    listed("People to deactivate (their tablets are signed out)", report.people_deactivated, personLine, "people-deactivated"),
    listed("In the district but not in the files (kept)", report.not_in_files, personLine, "not-in-files"),
    report.staff.length ? h("section", { class: "preview-part", testid: "staff-counts" },
      h("h3", {}, "Staff rosters (names are screened out of notes, never shown)"),
      h("ul", {}, report.staff.map((s) => h("li", {}, `${s.school}: ${count(s.names, "name")}${s.changed ? "" : " (unchanged)"}`)))) : null,
    report.skipped.length ? h("section", { class: "preview-part", testid: "skipped" },
      h("h3", {}, "Rows skipped"),
      h("ul", {}, report.skipped.map((s) => h("li", {}, `${count(s.rows, "row")}: ${s.reason}`)))) : null,
    report.notes.length ? h("ul", { class: "hint" }, report.notes.map((note) => h("li", {}, note))) : null,
    h("p", { class: "meta" }, `Unchanged: ${count(report.schools_unchanged, "school")}, ${count(report.people_unchanged, "person", "people")}.`));
}

function rosterSection(flash, refresh) {
  const file = h("input", { type: "file", accept: ".zip,application/zip", testid: "roster-file" });
  const chooser = field("roster-file", "OneRoster export (.zip of CSV files, version 1.1 or 1.2)", file,
    "From your student information system (Clever, ClassLink, PowerSchool, School Data Sync...). Teachers' names only feed the schools' staff rosters; students are not read.");
  const status = statusLine("roster-error");
  const previewButton = h("button", { type: "button", class: "secondary", testid: "roster-preview-button" }, "Preview the changes");
  const apply = h("button", { type: "button", class: "primary", testid: "roster-apply", hidden: true }, "Apply the import");
  const shown = h("div", { "aria-live": "polite" });
  let archive = null;
  let chosen = {};  // school sourcedId -> the level the organizer set (kept across previews)
  const levels = () => Object.fromEntries(Object.entries(chosen).filter(([, level]) => level));
  const preview = async () => {
    if (!file.files.length) { showProblems(status, ["Choose the roster's .zip file first."]); return; }
    status.hidden = true;
    status.textContent = "";
    previewButton.disabled = true;
    try {
      archive = await fileAsBase64(file.files[0]);
      const { data } = await request("POST", "/api/roster/preview", { archive, levels: levels() });
      const toSet = [...data.levels_needed, ...data.schools_added.filter((school) => school.level_from === "given")];
      const pickers = toSet.map((school) => {
        const picker = field(`level-${school.source_id}`, school.name, select(`level-${school.source_id}`,
          [["", "Choose a level"], ...LEVELS], chosen[school.source_id] || ""));
        picker.control.addEventListener("change", () => { chosen[school.source_id] = picker.control.value; preview(); });
        return picker;
      });
      replace(shown, previewShown(data, pickers));
      apply.hidden = data.changes === 0 && !data.staff.some((s) => s.changed);
      apply.disabled = data.levels_needed.length > 0;
    } catch (failure) {
      archive = null;
      apply.hidden = true;
      replace(shown);
      showProblems(status, [failure instanceof ApiError ? failure.message : "The server cannot be reached right now: a preview needs the network."]);
    } finally {
      previewButton.disabled = false;
    }
  };
  previewButton.addEventListener("click", preview);
  file.addEventListener("change", () => { archive = null; chosen = {}; apply.hidden = true; replace(shown); });
  apply.addEventListener("click", async () => {
    if (!archive) return;
    apply.disabled = true;
    const result = await commit(flash, () => outbox.send("POST", "/api/roster/apply", { archive, levels: levels() },
      { label: "Roster import", forget: true }), { done: "Roster imported." });
    apply.disabled = false;
    if (result === "synced") {
      apply.hidden = true;
      replace(shown, h("p", { testid: "roster-applied" }, "Imported. Preview the same file again: it changes nothing."));
      await refresh();
    }
  });
  return h("section", { class: "card", "aria-labelledby": "roster-heading", testid: "roster-card" },
    h("h2", { id: "roster-heading" }, "Import the roster"),
    chooser, status, h("p", { class: "links" }, previewButton, apply), shown);
}

// --- people and schools by hand ---------------------------------------------------------

function personProblems({ name, email, roles, school }) {
  return [
    name ? null : "Name: please write it.",
    name.length > LABEL ? `Name: at most ${LABEL} characters.` : null,
    email && !EMAIL.test(email) ? "Email: write an address such as name@district.org." : null,
    roles.length ? null : "Roles: choose at least one.",
    roles.includes("host") && !school ? "A host administers a school: choose the school." : null,
  ].filter(Boolean);
}

function personForm(prefix, schools, person, onSave) {
  const name = field(`${prefix}-name`, "Name", textInput(`${prefix}-name`, { max: LABEL, value: person ? person.name : "" }));
  const email = field(`${prefix}-email`, "Email (how they sign in)", textInput(`${prefix}-email`,
    { type: "email", value: person && person.email ? person.email : "" }));
  const school = field(`${prefix}-school`, "School", select(`${prefix}-school`,
    [["", "No school (district office)"], ...schools.map((s) => [s.id, s.name])], person && person.school ? person.school.id : ""));
  const roles = checkboxGroup(`${prefix}-roles`, "Roles", ROLES, { checked: person ? person.roles : ["host", "coach"] });
  const status = statusLine(`${prefix}-error`);
  const save = h("button", { type: "button", class: "primary", testid: `${prefix}-save` }, person ? "Save changes" : "Add the person");
  save.addEventListener("click", async () => {
    const values = { name: name.control.value.trim(), email: email.control.value.trim(), roles: roles.values(),
      school: school.control.value };
    const problems = personProblems(values);
    if (problems.length) { showProblems(status, problems); return; }
    status.hidden = true;
    await onSave(values);
  });
  return h("div", { class: "section-form", testid: `${prefix}-form` }, name, email, school, roles, status, save);
}

function toggled(label, testid, content) {
  const box = h("div", { hidden: true }, content);
  const toggle = h("button", { type: "button", class: "secondary", "aria-expanded": "false", testid }, label);
  toggle.addEventListener("click", () => {
    box.hidden = !box.hidden;
    toggle.setAttribute("aria-expanded", String(!box.hidden));
  });
  return [toggle, box];
}

function personCard(person, schools, flash, refresh) {
  const path = `/api/people/${encodeURIComponent(person.id)}`;
  const edit = personForm(`edit-${person.id}`, schools, person, async (values) => {
    const body = {};
    if (values.name !== person.name) body.name = values.name;
    if ((values.email || null) !== (person.email || null)) body.email = values.email || null;
    if ((values.school || null) !== (person.school ? person.school.id : null)) body.school_id = values.school || null;
    if (values.roles.join() !== person.roles.join()) body.roles = values.roles;
    if (!Object.keys(body).length) { flash.hidden = false; replace(flash, "Nothing to change."); return; }
    if (await commit(flash, () => outbox.send("PATCH", path, body, { label: `Changes to ${person.name}` }),
      { done: `${values.name} saved.` }) === "synced") await refresh();
  });
  const active = person.active !== false;
  const switchButton = h("button", { type: "button", class: active ? "secondary danger" : "secondary",
    testid: `${active ? "deactivate" : "reactivate"}-${person.id}` }, active ? "Deactivate" : "Reactivate");
  switchButton.addEventListener("click", async () => {
    const verb = active ? "deactivate" : "reactivate";
    if (await commit(flash, () => outbox.send("POST", `${path}/${verb}`, {}, { label: `${humanize(verb)} ${person.name}` }),
      { done: active ? `${person.name} is deactivated: their tablets are signed out.` : `${person.name} is active again.` }) === "synced") await refresh();
  });
  const where = person.school ? ` · ${person.school.name}` : "";
  const [editToggle, editBox] = toggled("Edit", `edit-person-${person.id}`, edit);
  return h("li", { class: `card person${active ? "" : " inactive"}`, testid: `directory-person-${person.id}` },
    h("h3", {}, person.name, active ? null : h("span", { class: "badge" }, " (deactivated)")),
    h("p", { class: "meta" }, `${person.roles.map(humanize).join(", ")}${where}${person.email ? ` · ${person.email}` : ""}`),
    h("p", { class: "links" }, editToggle, switchButton), editBox);
}

function schoolCard(school, flash, refresh) {
  const name = field(`rename-${school.id}`, "Name", textInput(`rename-${school.id}`, { max: LABEL, value: school.name }));
  const level = field(`relevel-${school.id}`, "Level", select(`relevel-${school.id}`, LEVELS, school.level));
  const status = statusLine(`school-error-${school.id}`);
  const save = h("button", { type: "button", class: "primary", testid: `save-school-${school.id}` }, "Save");
  save.addEventListener("click", async () => {
    const body = {};
    const text = name.control.value.trim();
    if (!text || text.length > LABEL) { showProblems(status, [`Name: 1 to ${LABEL} characters.`]); return; }
    if (text !== school.name) body.name = text;
    if (level.control.value !== school.level) body.level = level.control.value;
    if (!Object.keys(body).length) { showProblems(status, ["Nothing to change."]); return; }
    status.hidden = true;
    if (await commit(flash, () => outbox.send("PATCH", `/api/schools/${encodeURIComponent(school.id)}`, body,
      { label: `Changes to ${school.name}` }), { done: `${text} saved.` }) === "synced") await refresh();
  });
  return h("li", { class: "card school", testid: `directory-school-${school.id}` },
    h("h3", {}, school.name),
    h("p", { class: "meta" }, `${humanize(school.level)}${school.identifier ? ` · school number ${school.identifier}` : ""}`),
    ...toggled("Rename", `rename-school-${school.id}`,
      h("div", { class: "section-form" }, name, level, status, save)));
}

function newSchoolForm(flash, refresh) {
  const name = field("new-school-name", "Name", textInput("new-school-name", { max: LABEL }));
  const level = field("new-school-level", "Level", select("new-school-level", LEVELS, "elementary"));
  const status = statusLine("new-school-error");
  const save = h("button", { type: "button", class: "primary", testid: "new-school-save" }, "Add the school");
  save.addEventListener("click", async () => {
    const text = name.control.value.trim();
    if (!text || text.length > LABEL) { showProblems(status, [`Name: 1 to ${LABEL} characters.`]); return; }
    status.hidden = true;
    if (await commit(flash, () => outbox.send("POST", "/api/schools", { name: text, level: level.control.value },
      { label: `New school ${text}` }), { done: `${text} added.` }) === "synced") await refresh();
  });
  return h("div", { class: "section-form" }, name, level, status, save);
}

// --- a host's staff names ------------------------------------------------------------------

function staffSection(schoolId, schoolName, flash) {
  const names = field("staff-names", "Staff names, one per line", textArea("staff-names", { max: 60000, rows: 6 }),
    "Given names and surnames of the school's teachers and staff. They are kept as keyed hashes to refuse notes that name someone; nobody can read them back, not even you.");
  const file = h("input", { type: "file", accept: ".txt,.csv,text/plain,text/csv", testid: "staff-file" });
  const upload = field("staff-file", "…or a text or CSV file of names", file);
  const status = statusLine("staff-error");
  const save = h("button", { type: "button", class: "primary", testid: "staff-save" }, "Replace the staff list");
  save.addEventListener("click", async () => {
    let text = names.control.value;
    if (file.files.length) text += `\n${await file.files[0].text()}`;
    const list = [...new Set(text.split(/[\r\n]+/).flatMap((line) => line.split(/[,;\t]/)).map((n) => n.trim()).filter(Boolean))];
    const problems = [
      list.length ? null : "Write or upload at least one name.",
      list.length > 500 ? "At most 500 names." : null,
      list.some((n) => n.length > 120) ? "A name is over 120 characters: one name per line." : null,
    ].filter(Boolean);
    if (problems.length) { showProblems(status, problems); return; }
    status.hidden = true;
    names.control.value = "";
    file.value = "";
    await commit(flash, () => outbox.send("PUT", `/api/schools/${encodeURIComponent(schoolId)}/staff-names`,
      { names: list }, { label: `Staff list of ${schoolName} (${list.length} names)`, forget: true }),
    { done: `Staff list of ${schoolName} replaced: ${list.length} names.` });
  });
  return h("section", { class: "card", "aria-labelledby": "staff-heading", testid: "staff-card" },
    h("h2", { id: "staff-heading" }, `Staff names of ${schoolName}`),
    names, upload, status, save);
}

export async function renderDistrict(root, me, { setTitle }) {
  setTitle("District");
  const back = h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits"));
  const { body, flash } = screen(root);
  if (!can(me, "keep_people")) {
    if (can(me, "see_own_school")) {
      redraw(body, back, h("h1", { tabindex: "-1" }, "Your school's staff list"),
        staffSection(me.user.school_id, me.user.school_name || "your school", flash));
    } else {
      redraw(body, back, h("h1", { tabindex: "-1" }, "District"),
        h("p", { class: "notice", testid: "organizers-only" }, "People and schools are kept by program organizers."));
    }
    return null;
  }
  const roster = rosterSection(flash, () => render());
  const render = async () => {
    const [{ data: people }, { data: found }] = await Promise.all([getJson("/api/people"), getJson("/api/schools")]);
    const schools = found.schools;
    const [addToggle, addBox] = toggled("Add a person", "add-person", personForm("new-person", schools, null, async (values) => {
      const request = { name: values.name, roles: values.roles };
      if (values.email) request.email = values.email;
      if (values.school) request.school_id = values.school;
      if (await commit(flash, () => outbox.send("POST", "/api/people", request, { label: `New person ${values.name}` }),
        { done: `${values.name} added.` }) === "synced") await render();
    }));
    const [schoolToggle, schoolBox] = toggled("Add a school", "add-school", newSchoolForm(flash, render));
    redraw(body, back,
      h("h1", { tabindex: "-1" }, "District: people and schools"),
      roster,
      h("section", { "aria-labelledby": "schools-heading" },
        h("h2", { id: "schools-heading" }, `Schools (${schools.length})`),
        h("p", { class: "links" }, schoolToggle), schoolBox,
        h("ul", { class: "school-list", testid: "directory-schools" }, schools.map((s) => schoolCard(s, flash, render)))),
      h("section", { "aria-labelledby": "people-heading" },
        h("h2", { id: "people-heading" }, `People (${people.people.length})`),
        h("p", { class: "links" }, addToggle), addBox,
        h("ul", { class: "people-list", testid: "directory-people" },
          people.people.map((p) => personCard(p, schools, flash, render)))));
  };
  await render();
  return live(root, render);
}
