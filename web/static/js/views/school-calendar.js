// Organizers: the district's days without school (breaks, holidays, staff days). Typed
// in one by one, or read from the district's own iCalendar or CSV file for review; the
// whole list is saved as one form through the outbox (PUT /api/calendar). Check-ins
// fall on school days, and a visit planned on another day asks for a confirmation.

import { getJson, request } from "../api.js";
import { h, formatDate } from "../dom.js";
import * as outbox from "../outbox.js";
import { LABEL, commit, field, live, redraw, screen, showProblems, statusLine, textInput, textProblem } from "../forms.js";
import { tidy } from "../school-days.js";
import { can } from "../access.js";

export async function renderSchoolCalendar(root, me, { setTitle }) {
  setTitle("School calendar");
  const { body, flash } = screen(root);
  const organizer = can(me, "keep_calendar");
  let draft = null;  // the list being edited, before it is saved

  const render = async () => {
    const { data } = await getJson("/api/calendar");
    const closures = draft || data.closures;
    const list = closures.length
      ? h("ul", { class: "closure-list", testid: "closure-list" }, closures.map((c, index) =>
        h("li", { class: "card closure", testid: `closure-${index}` },
          h("strong", {}, c.label), ` · ${formatDate(c.start)}`,
          c.end !== c.start ? ` to ${formatDate(c.end)}` : "",
          organizer ? removeButton(index, c) : null)))
      : h("p", { class: "empty", testid: "closure-list" }, "No breaks entered yet: only weekends are days without school.");
    redraw(body,
      h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1" }, "School calendar"),
      h("p", {}, `Times are the district's (${data.time_zone}). Weekends and these days have no school: `
        + "check-ins skip them, and a visit planned on one asks for a confirmation."),
      draft ? h("p", { class: "notice", role: "status", testid: "calendar-unsaved" },
        "Not saved yet: review the list, then save it.") : null,
      list,
      organizer ? [addForm(), importForm(), saveButton()] : null);
  };

  function removeButton(index, closure) {
    const remove = h("button", { type: "button", class: "secondary", testid: `remove-closure-${index}` },
      `Remove ${closure.label}`);
    remove.addEventListener("click", async () => {
      const current = draft || (await getJson("/api/calendar")).data.closures;
      draft = current.filter((_, i) => i !== index);
      await render();
    });
    return remove;
  }

  function addForm() {
    const start = field("closure-start", "First day", textInput("closure-start", { type: "date" }));
    const end = field("closure-end", "Last day", textInput("closure-end", { type: "date" }),
      "The same day for a one-day closure.");
    const label = field("closure-label", "What it is", textInput("closure-label", { max: LABEL,
      placeholder: "e.g. Winter break" }), "No names.");
    const status = statusLine("closure-error");
    const add = h("button", { type: "button", class: "secondary", testid: "add-closure" }, "Add to the list");
    add.addEventListener("click", async () => {
      const first = start.control.value;
      const last = end.control.value || first;
      const text = label.control.value.trim();
      const problems = [
        first ? null : "First day: choose a date.",
        first && last < first ? "Last day: on or after the first day." : null,
        textProblem(text, { label: "What it is", max: LABEL }),
      ].filter(Boolean);
      if (problems.length) { showProblems(status, problems); return; }
      const current = draft || (await getJson("/api/calendar")).data.closures;
      draft = tidy([...current, { start: first, end: last, label: text }]);
      await render();
    });
    return h("section", { class: "card", "aria-labelledby": "add-closure-heading", testid: "add-closure-card" },
      h("h2", { id: "add-closure-heading" }, "Add a break or a holiday"),
      h("div", { class: "field-row" }, start, end), label, status, add);
  }

  function importForm() {
    const file = h("input", { type: "file", id: "calendar-file", testid: "calendar-file",
      accept: ".ics,.csv,text/calendar,text/csv" });
    const status = statusLine("calendar-file-status");
    const read = h("button", { type: "button", class: "secondary", testid: "read-calendar-file" }, "Read the file");
    read.addEventListener("click", async () => {
      const chosen = file.files && file.files[0];
      if (!chosen) { showProblems(status, ["Choose the district's .ics or .csv file first."]); return; }
      try {
        const kind = chosen.name.toLowerCase().endsWith(".ics") ? "icalendar" : "csv";
        const { data } = await request("POST", "/api/calendar/parse", { kind, text: await chosen.text() });
        const current = draft || (await getJson("/api/calendar")).data.closures;
        draft = tidy([...current, ...data.closures]);
        await render();
      } catch (error) {
        showProblems(status, [error.message || "The file could not be read; the network is needed for this."]);
      }
    });
    return h("section", { class: "card", "aria-labelledby": "import-heading", testid: "import-card" },
      h("h2", { id: "import-heading" }, "Read the district's calendar file"),
      h("p", { class: "hint" }, "An iCalendar (.ics) export, or a CSV of date,end,label rows. You review the days before saving."),
      h("div", { class: "field" }, h("label", { for: "calendar-file" }, "Calendar file"), file), status, read);
  }

  function saveButton() {
    const save = h("button", { type: "button", class: "primary", testid: "save-calendar", disabled: draft ? null : "" },
      "Save the school calendar");
    save.addEventListener("click", async () => {
      if (!draft) return;
      const closures = draft;
      const result = await commit(flash, () => outbox.send("PUT", "/api/calendar", { closures },
        { label: "School calendar" }), { done: "School calendar saved." });
      if (result === "synced" || result === "pending") { draft = null; await render(); }
    });
    return save;
  }

  await render();
  return live(root, render);
}
