// Capture's rooms: entering a classroom (or joining a teammate's), the visit's room list
// with its mends (merge two entries of one room, remove one entered by mistake), and the
// correction of a room's details. Every action is an event recorded through the view.

import { roomWithLabel } from "../capture-state.js";
import { h, humanize } from "../dom.js";
import { GRADE_BANDS, LIMITS, SUBJECTS } from "../generated/schema.js";
import { titleWarning } from "../names.js";

const MAX_PRESENT = LIMITS.students_present;
const SUBJECT_LABELS = { ela: "ELA (English language arts)", pe: "PE", cte: "CTE (career and technical)" };

export function enterForm(view) {
  const label = h("input", { id: "room-label", name: "label", type: "text", required: true,
    maxlength: String(LIMITS.label), autocomplete: "off", placeholder: "e.g. Room B, Grade 7 math #2",
    testid: "room-label", "aria-describedby": "room-label-hint" });
  const grade = h("select", { id: "room-grade", name: "grade_band", required: true, testid: "room-grade" },
    h("option", { value: "" }, "Choose…"),
    GRADE_BANDS.map((g) => h("option", { value: g }, g)));
  const subject = h("select", { id: "room-subject", name: "subject", required: true, testid: "room-subject" },
    h("option", { value: "" }, "Choose…"),
    SUBJECTS.map((s) => h("option", { value: s }, SUBJECT_LABELS[s] || humanize(s))));
  const present = h("input", { id: "room-students", name: "students_present", type: "number",
    min: "0", max: String(MAX_PRESENT), step: "1", inputmode: "numeric", testid: "room-students" });
  const error = h("p", { class: "error", role: "alert", hidden: true, testid: "enter-error" });
  const form = h("form", { class: "card enter-form", novalidate: true, testid: "enter-form" },
    h("h2", {}, "Enter a classroom"),
    h("div", { class: "field" },
      h("label", { for: "room-label" }, "Room label"),
      label,
      h("p", { class: "hint", id: "room-label-hint" }, "A pseudonymous label only — never a teacher's name.")),
    h("div", { class: "field-row" },
      h("div", { class: "field" }, h("label", { for: "room-grade" }, "Grade band"), grade),
      h("div", { class: "field" }, h("label", { for: "room-subject" }, "Subject"), subject),
      h("div", { class: "field" }, h("label", { for: "room-students" }, "Students present (optional)"), present)),
    error,
    h("button", { type: "submit", class: "primary", testid: "enter-classroom" }, "Enter classroom"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const labelText = label.value.trim();
    if (!labelText) problems.push("a room label");
    if (!grade.value) problems.push("a grade band");
    if (!subject.value) problems.push("a subject");
    let students = null;
    if (present.value.trim() !== "") {
      students = Number(present.value);
      if (!Number.isInteger(students) || students < 0 || students > MAX_PRESENT) problems.push(`students present between 0 and ${MAX_PRESENT}`);
    }
    if (problems.length) {
      error.hidden = false;
      error.textContent = `Please give ${problems.join(", ")}.`;
      return;
    }
    const names = titleWarning(labelText);
    if (names) {
      error.hidden = false;
      error.textContent = `Room label: ${names}`;
      return;
    }
    error.hidden = true;
    view.record("ClassroomEntered", (state) => {
      if (state.current) return null; // no double entry
      // The same label as a room of the visit: that room, whoever entered it.
      const known = roomWithLabel(state.rooms, labelText);
      const data = known
        ? joining(known, students)
        : { classroom_id: `c-${crypto.randomUUID()}`, label: labelText.slice(0, LIMITS.label),
          grade_band: grade.value, subject: subject.value };
      if (!known && students !== null) data.students_present = students;
      return data;
    });
  });
  return form;
}

/** ClassroomEntered for a listed room: this coach's own entry if any, else the room's. */
function joining(room, students = null) {
  const mine = room.mine;
  const data = mine
    ? { classroom_id: mine.id, label: mine.label, grade_band: mine.grade_band, subject: mine.subject }
    : { classroom_id: room.id, label: room.label, grade_band: room.grade_band, subject: room.subject };
  if (students !== null) data.students_present = students;
  return data;
}

/** The visit's room list (filled by the view as the rooms change): `{ section, list }`. */
export function roomList(mendOnly = false) {
  const list = h("ul", { class: "room-list", testid: "room-list" });
  const section = h("section", { class: "card", "aria-labelledby": "rooms-heading" },
    h("h2", { id: "rooms-heading" }, "Rooms of this visit"),
    h("p", { class: "hint" }, mendOnly
      ? "The team's rooms. Merge two entries of one room, or remove one you entered by mistake."
      : "The whole team's rooms: join a room a teammate entered, so one room counts once."),
    list);
  return { section, list };
}

export function roomItem(view, room, rooms, mendOnly) {
  const mine = room.mine && !room.mine.withdrawn ? room.mine : null;
  const who = view.coachNames(room);
  const details = [room.grade_band, humanize(room.subject),
    room.students_present !== null && room.students_present !== undefined ? `${room.students_present} present` : null]
    .filter(Boolean).join(" · ");
  const status = [];
  if (who.length) status.push(`entered by ${who.join(", ")}`);
  if (!room.sent) status.push("not sent yet");
  if (mine) {
    status.push(`${mine.taps.size} look-fors · ${mine.evidence.length} notes`);
    if (mine.thankYou.length) status.push("thank-you note left");
  }
  const actions = [];
  if (!mendOnly) {
    const go = h("button", { type: "button", class: mine ? "secondary" : "primary",
      testid: `${mine ? "resume" : "join"}-${room.label}` }, mine ? "Go back in" : "Join");
    go.addEventListener("click", () => {
      view.record("ClassroomEntered", (state) => (state.current ? null : joining(room)));
    });
    actions.push(go);
  }
  const others = rooms.filter((other) => other !== room);
  if (mine && others.length && mendOnly) {
    actions.push(mergeSelect(view, room, mine, others));
  } else if (mine && others.length) {
    // Folded while capturing: the list stays short (a coach's own rooms follow them
    // from device to device); "Same room as…" opens the choice.
    const open = h("button", { type: "button", class: "secondary", testid: `merge-open-${room.label}`,
      "aria-expanded": "false" }, "Same room as…");
    open.addEventListener("click", () => {
      const select = mergeSelect(view, room, mine, others);
      open.replaceWith(select);
      select.focus();
    });
    actions.push(open);
  }
  if (mine && mendOnly) {
    actions.push(removeButton(view, mine, `remove-${room.label}`));
  }
  return h("li", { dataset: { room: room.id } },
    h("span", { class: "room-name" }, room.label),
    h("span", { class: "meta" }, ` ${details}`),
    status.length ? h("span", { class: "meta room-who" }, ` · ${status.join(" · ")}`) : null,
    actions.length ? h("span", { class: "room-actions" }, actions) : null);
}

function mergeSelect(view, room, mine, others) {
  const select = h("select", { testid: `merge-${room.label}`, "aria-label": `${room.label}: same room as` },
    h("option", { value: "" }, "Same room as…"),
    others.map((other) => h("option", { value: other.id }, other.label)));
  select.addEventListener("change", () => {
    const into = select.value;
    if (!into) return;
    view.record("ClassroomsMerged", { classroom_id: mine.id, into });
  });
  return select;
}

/** "Remove this room": asks once more, then withdraws the coach's entry and records. */
function removeButton(view, mine, testid) {
  const button = h("button", { type: "button", class: "secondary", testid }, "Remove (entered by mistake)");
  button.addEventListener("click", () => {
    if (button.dataset.armed !== "true") {
      button.dataset.armed = "true";
      button.textContent = "Tap again to remove it and what you recorded in it";
      return;
    }
    view.record("ClassroomRetracted", { classroom_id: mine.id, reason: "entered by mistake" });
  });
  return button;
}

export function correctionForm(view) {
  const room = view.state.current;
  const label = h("input", { id: "fix-label", type: "text", maxlength: String(LIMITS.label), value: room.label, testid: "fix-label" });
  const grade = h("select", { id: "fix-grade", testid: "fix-grade" },
    GRADE_BANDS.map((g) => h("option", { value: g, selected: g === room.grade_band }, g)));
  const subject = h("select", { id: "fix-subject", testid: "fix-subject" },
    SUBJECTS.map((s) => h("option", { value: s, selected: s === room.subject }, SUBJECT_LABELS[s] || humanize(s))));
  const present = h("input", { id: "fix-students", type: "number", min: "0", max: String(MAX_PRESENT), step: "1",
    inputmode: "numeric", testid: "fix-students",
    value: room.students_present === null ? "" : String(room.students_present) });
  const error = h("p", { class: "error", role: "alert", hidden: true, testid: "fix-error" });
  const save = h("button", { type: "submit", class: "primary", testid: "save-correction" }, "Save correction");
  const form = h("form", { class: "correction", novalidate: true, hidden: true, testid: "correction-form" },
    h("div", { class: "field" }, h("label", { for: "fix-label" }, "Room label"), label),
    h("div", { class: "field-row" },
      h("div", { class: "field" }, h("label", { for: "fix-grade" }, "Grade band"), grade),
      h("div", { class: "field" }, h("label", { for: "fix-subject" }, "Subject"), subject),
      h("div", { class: "field" }, h("label", { for: "fix-students" }, "Students present"), present)),
    error, save);
  const toggle = h("button", { type: "button", class: "secondary", testid: "correct-room", "aria-expanded": "false" },
    "Correct details");
  toggle.addEventListener("click", () => {
    const now = view.state.current;
    if (form.hidden && now) { // open on the room as it is now
      label.value = now.label;
      grade.value = now.grade_band;
      subject.value = now.subject;
      present.value = now.students_present === null ? "" : String(now.students_present);
    }
    form.hidden = !form.hidden;
    toggle.setAttribute("aria-expanded", String(!form.hidden));
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const now = view.state.current;
    if (!now) return;
    const data = { classroom_id: now.id };
    const text = label.value.trim();
    const names = titleWarning(text);
    if (names) {
      error.hidden = false;
      error.textContent = `Room label: ${names}`;
      return;
    }
    if (text && text !== now.label) data.label = text.slice(0, LIMITS.label);
    if (grade.value !== now.grade_band) data.grade_band = grade.value;
    if (subject.value !== now.subject) data.subject = subject.value;
    if (present.value.trim() !== "") {
      const count = Number(present.value);
      if (!Number.isInteger(count) || count < 0 || count > MAX_PRESENT) {
        error.hidden = false;
        error.textContent = `Students present is a whole number from 0 to ${MAX_PRESENT}.`;
        return;
      }
      if (count !== now.students_present) data.students_present = count;
    }
    error.hidden = true;
    if (Object.keys(data).length === 1) { form.hidden = true; return; }
    form.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    view.record("ClassroomCorrected", data);
  });
  return h("section", { class: "room-mend card", "aria-label": "Mend this room's record" },
    h("p", { class: "room-actions" }, toggle, removeButton(view, room, "remove-room")), form);
}
