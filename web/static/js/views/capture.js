// The capture screen: the visit's rooms (the whole team's, one per room), enter or join
// one, tap look-fors, note evidence, leave a thank-you note, exit. Every action is an
// event recorded in the outbox first. Mistakes are mended by later events, never by
// rewriting: a tap tapped again is withdrawn, a room's details are corrected, a room
// entered by mistake is removed, two rooms recorded under different labels are merged.

import { getJson } from "../api.js";
import { fold, roomWithLabel, undoTarget } from "../capture-state.js";
import { h, humanize, replace, formatDate } from "../dom.js";
import { titleWarning } from "../names.js";
import * as outbox from "../outbox.js";

const ROOMS_EVERY_MS = 20000;
const OTHERS_OPEN_KEY = "walkthrough.capture.others-open"; // how often the team's room list is read again while online

const GRADE_BANDS = ["PK-2", "3-5", "6-8", "9-12"];
const SUBJECTS = ["math", "ela", "science", "social_studies", "arts", "pe", "world_languages",
  "cte", "special_education", "other"];
const SUBJECT_LABELS = { ela: "ELA (English language arts)", pe: "PE", cte: "CTE (career and technical)" };

export async function loadVisit(visitId) {
  const { data: visit, stale } = await getJson(`/api/visits/${encodeURIComponent(visitId)}`);
  let catalog = visit.catalog;
  if (!catalog || !Array.isArray(catalog.items)) {
    ({ data: catalog } = await getJson(`/api/catalogs/${visit.catalog_version}`));
  }
  return { visit, catalog, stale };
}

function yesNoValues(item) {
  const values = ["yes", "no", "not_observed"];
  if (item.allow_unsure) values.push("unsure");
  return values;
}

function describeTap(row, catalog) {
  const { type, data } = row.event;
  if (type === "EvidenceNoted") {
    const text = data.text.length > 40 ? `${data.text.slice(0, 40)}…` : data.text;
    return `evidence “${text}”`;
  }
  const item = catalog.items.find((i) => i.key === data.item);
  const name = item ? item.prompt : data.item;
  const value = typeof data.value === "number" ? data.value : humanize(data.value);
  const shown = item && item.kind === "note" ? "note" : value;
  return `${name}: ${shown}${data.method ? ` (${humanize(data.method)})` : ""}`;
}

/** Why capture is not open for this person on this visit now, and what to do. */
function closedReason(visit, user) {
  const onTeam = (visit.team || []).some((member) => member.id === user);
  if (!onTeam) return "Only the visit team captures on this visit. The summary and debrief are above.";
  switch (visit.phase) {
    case "preparation":
      return "The visit has not started yet: the host starts it when the team arrives, and capture opens here.";
    case "analysis":
      return "Observation is over: the debrief has started, and taps recorded now would not be added. "
        + "You can still merge rooms recorded twice, or remove a room entered by mistake, below.";
    case "support":
      return "The action plan is agreed: the visit's observations no longer change.";
    case "closed":
      return "The visit is closed.";
    default:
      return `Capture is not open on this visit (phase: ${humanize(visit.phase)}).`;
  }
}

export async function renderCapture(root, visitId, { setTitle }) {
  const { visit, catalog, stale } = await loadVisit(visitId);
  setTitle(`Capture · ${visit.school.name}`);
  const view = new CaptureView(root, visit, catalog, stale);
  await view.refresh();
  const unsubscribe = outbox.onChange((status) => {
    view.onSync(status);
    view.scheduleRefresh();
  });
  const timer = setInterval(() => view.reloadVisit(), ROOMS_EVERY_MS);
  return () => { unsubscribe(); clearInterval(timer); view.disposed = true; };
}

class CaptureView {
  constructor(root, visit, catalog, stale) {
    this.root = root;
    this.visit = visit;
    this.catalog = catalog;
    this.stale = stale;
    this.state = null;
    this.roomId = undefined;
    this.controls = null;
    this.busy = Promise.resolve();
    this.disposed = false;
    this.refreshQueued = false;
    this.lastSynced = undefined;
    this.names = new Map((visit.team || []).map((member) => [member.id, member.name]));
  }

  /** After a sync, read the team's rooms again (teammates' rooms appear, own ones merge). */
  onSync(status) {
    if (status.lastSynced === this.lastSynced) return;
    const first = this.lastSynced === undefined;
    this.lastSynced = status.lastSynced;
    if (!first) this.reloadVisit();
  }

  async reloadVisit() {
    if (this.disposed || !navigator.onLine) return;
    try {
      const { data: visit, stale } = await getJson(`/api/visits/${encodeURIComponent(this.visit.id)}`);
      if (stale || this.disposed) return;
      const reopened = visit.phase !== this.visit.phase || visit.can_capture !== this.visit.can_capture;
      this.visit = { ...this.visit, ...visit };
      this.stale = false;
      if (reopened) this.controls = null; // rebuild: capture opened or closed
      await this.refresh();
    } catch (error) {
      // offline or refused: keep the rooms saved on this tablet
    }
  }

  coachNames(room) {
    const me = outbox.currentUser();
    return (room.coaches || []).map((id) => (id === me ? "you" : (this.names.get(id) || id)));
  }

  scheduleRefresh() {
    if (this.refreshQueued || this.disposed) return;
    this.refreshQueued = true;
    queueMicrotask(() => {
      this.refreshQueued = false;
      this.refresh().catch((error) => console.error(error));
    });
  }

  /**
   * Record one event; serialised so taps keep their order even when tapped fast.
   * `data` may be a function of the state after the previous tap was saved (so
   * three quick "+" taps give 1, 2, 3); returning null records nothing.
   */
  record(type, data) {
    const run = this.busy.then(async () => {
      const payload = typeof data === "function" ? data(this.state) : data;
      if (!payload) return;
      if (payload.retract) {
        await outbox.record(this.visit.id, "ObservationRetracted", { event_id: payload.retract, reason: "tapped again" });
      } else {
        await outbox.record(this.visit.id, type, payload);
      }
      await this.refresh();
    });
    this.busy = run.catch((error) => this.showError(error));
    return this.busy;
  }

  showError(error) {
    const box = this.root.querySelector("[data-role=capture-error]");
    if (box) {
      box.hidden = false;
      box.textContent = `Could not save on this tablet: ${error.message || error}`;
    }
  }

  /** Re-read the journal; resolves once the state is at least as fresh as this call. */
  refresh() {
    if (this.disposed) return Promise.resolve();
    const ticket = (this.refreshes = (this.refreshes || 0) + 1);
    const run = outbox.journal(this.visit.id).then((entries) => {
      if (this.disposed) return undefined;
      if (ticket !== this.refreshes) return this.latestRefresh; // a newer read will apply
      this.apply(fold(entries, this.visit.classrooms || [], outbox.currentUser(), this.visit.mine || []));
      return undefined;
    });
    this.latestRefresh = run;
    return run;
  }

  apply(state) {
    this.state = state;
    const room = this.state.current;
    const roomId = room ? room.id : null;
    if (roomId !== this.roomId || !this.controls) {
      const moved = this.controls !== null;
      this.roomId = roomId;
      this.build();
      this.update();
      if (moved) {
        const target = this.root.querySelector(roomId ? "[data-testid=room-title]" : ".enter-form h2");
        if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
      }
      return;
    }
    this.update();
  }

  build() {
    const v = this.visit;
    const header = h("header", { class: this.roomId ? "screen-head in-room" : "screen-head" },
      h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1" }, v.school.name),
      h("p", { class: "meta" }, `${formatDate(v.date)} · phase: ${humanize(v.phase)}`),
      v.focus ? h("p", { class: "focus" }, h("strong", {}, "Focus: "), v.focus) : null,
      h("p", { class: "links" },
        h("a", { href: `/visits/${v.id}/summary`, "data-link": true, class: "button-link" }, "Summary"),
        h("a", { href: `/visits/${v.id}/debrief`, "data-link": true, class: "button-link" }, "Debrief agenda")),
      this.stale ? h("p", { class: "notice", role: "status" }, "Showing the visit as saved on this tablet.") : null,
      h("p", { class: "error", role: "alert", "data-role": "capture-error", hidden: true }));
    const reminder = h("p", { class: "reminder" },
      "Nonevaluative: record what students and teachers did and said. No teacher names, no feedback to the teacher.");
    if (v.can_capture === false) {
      const notice = h("p", { class: "notice", testid: "capture-closed" }, closedReason(v, outbox.currentUser()));
      if (v.can_mend) {
        replace(this.root, header, notice, this.buildRoomList(true));
      } else {
        this.controls = {};
        replace(this.root, header, notice);
      }
      return;
    }
    if (this.roomId) {
      replace(this.root, header, reminder, this.buildRoom());
    } else {
      replace(this.root, header, reminder, this.buildEnterForm(), this.buildRoomList());
    }
  }

  // --- entering a classroom -------------------------------------------------------

  buildEnterForm() {
    const label = h("input", { id: "room-label", name: "label", type: "text", required: true,
      maxlength: "60", autocomplete: "off", placeholder: "e.g. Room B, Grade 7 math #2",
      testid: "room-label", "aria-describedby": "room-label-hint" });
    const grade = h("select", { id: "room-grade", name: "grade_band", required: true, testid: "room-grade" },
      h("option", { value: "" }, "Choose…"),
      GRADE_BANDS.map((g) => h("option", { value: g }, g)));
    const subject = h("select", { id: "room-subject", name: "subject", required: true, testid: "room-subject" },
      h("option", { value: "" }, "Choose…"),
      SUBJECTS.map((s) => h("option", { value: s }, SUBJECT_LABELS[s] || humanize(s))));
    const present = h("input", { id: "room-students", name: "students_present", type: "number",
      min: "0", max: "60", step: "1", inputmode: "numeric", testid: "room-students" });
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
        if (!Number.isInteger(students) || students < 0 || students > 60) problems.push("students present between 0 and 60");
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
      this.record("ClassroomEntered", (state) => {
        if (state.current) return null; // no double entry
        // The same label as a room of the visit: that room, whoever entered it.
        const known = roomWithLabel(state.rooms, labelText);
        const data = known
          ? this.joining(known, students)
          : { classroom_id: `c-${crypto.randomUUID()}`, label: labelText.slice(0, 60),
            grade_band: grade.value, subject: subject.value };
        if (!known && students !== null) data.students_present = students;
        return data;
      });
    });
    return form;
  }

  /** ClassroomEntered for a listed room: this coach's own entry if any, else the room's. */
  joining(room, students = null) {
    const mine = room.mine;
    const data = mine
      ? { classroom_id: mine.id, label: mine.label, grade_band: mine.grade_band, subject: mine.subject }
      : { classroom_id: room.id, label: room.label, grade_band: room.grade_band, subject: room.subject };
    if (students !== null) data.students_present = students;
    return data;
  }

  buildRoomList(mendOnly = false) {
    const list = h("ul", { class: "room-list", testid: "room-list" });
    const section = h("section", { class: "card", "aria-labelledby": "rooms-heading" },
      h("h2", { id: "rooms-heading" }, "Rooms of this visit"),
      h("p", { class: "hint" }, mendOnly
        ? "The team's rooms. Merge two entries of one room, or remove one you entered by mistake."
        : "The whole team's rooms: join a room a teammate entered, so one room counts once."),
      list);
    this.controls = { roomList: list, roomSection: section, mendOnly };
    return section;
  }

  roomItem(room, rooms, mendOnly) {
    const mine = room.mine && !room.mine.withdrawn ? room.mine : null;
    const who = this.coachNames(room);
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
        this.record("ClassroomEntered", (state) => (state.current ? null : this.joining(room)));
      });
      actions.push(go);
    }
    const others = rooms.filter((other) => other !== room);
    if (mine && others.length && mendOnly) {
      actions.push(this.mergeSelect(room, mine, others));
    } else if (mine && others.length) {
      // Folded while capturing: the list stays short (a coach's own rooms follow them
      // from device to device); "Same room as…" opens the choice.
      const open = h("button", { type: "button", class: "secondary", testid: `merge-open-${room.label}`,
        "aria-expanded": "false" }, "Same room as…");
      open.addEventListener("click", () => {
        const select = this.mergeSelect(room, mine, others);
        open.replaceWith(select);
        select.focus();
      });
      actions.push(open);
    }
    if (mine && mendOnly) {
      actions.push(this.removeButton(mine, `remove-${room.label}`));
    }
    return h("li", { dataset: { room: room.id } },
      h("span", { class: "room-name" }, room.label),
      h("span", { class: "meta" }, ` ${details}`),
      status.length ? h("span", { class: "meta room-who" }, ` · ${status.join(" · ")}`) : null,
      actions.length ? h("span", { class: "room-actions" }, actions) : null);
  }

  mergeSelect(room, mine, others) {
    const select = h("select", { testid: `merge-${room.label}`, "aria-label": `${room.label}: same room as` },
      h("option", { value: "" }, "Same room as…"),
      others.map((other) => h("option", { value: other.id }, other.label)));
    select.addEventListener("change", () => {
      const into = select.value;
      if (!into) return;
      this.record("ClassroomsMerged", { classroom_id: mine.id, into });
    });
    return select;
  }

  /** "Remove this room": asks once more, then withdraws the coach's entry and records. */
  removeButton(mine, testid) {
    const button = h("button", { type: "button", class: "secondary", testid }, "Remove (entered by mistake)");
    button.addEventListener("click", () => {
      if (button.dataset.armed !== "true") {
        button.dataset.armed = "true";
        button.textContent = "Tap again to remove it and what you recorded in it";
        return;
      }
      this.record("ClassroomRetracted", { classroom_id: mine.id, reason: "entered by mistake" });
    });
    return button;
  }

  // --- in a classroom -------------------------------------------------------------

  buildRoom() {
    const c = { buttons: new Map(), counts: new Map(), notes: new Map() };
    this.controls = c;
    c.roomTitle = h("h2", { testid: "room-title" });
    c.roomMeta = h("p", { class: "meta" });
    c.undo = h("button", { type: "button", testid: "undo", class: "secondary" }, "Undo last tap");
    c.undo.addEventListener("click", () => {
      this.record("ObservationRetracted", (state) => {
        const target = undoTarget(state.current);
        return target ? { event_id: target.id, reason: "undo" } : null;
      });
    });
    c.thanks = h("button", { type: "button", testid: "thank-you", class: "secondary", "aria-pressed": "false" },
      "Thank-you note left");
    c.thanks.addEventListener("click", () => {
      this.record("ThankYouNoteLeft", (state) => {
        const room = state.current;
        if (!room) return null;
        if (room.thankYou.length) return { retract: room.thankYou[room.thankYou.length - 1].id };
        return { classroom_id: room.id };
      });
    });
    c.exit = h("button", { type: "button", testid: "exit-classroom", class: "primary" }, "Exit classroom");
    c.exit.addEventListener("click", () => {
      this.record("ClassroomExited", (state) => (state.current ? { classroom_id: state.current.id } : null));
    });
    c.undoHint = h("p", { class: "undo-hint", testid: "undo-hint", "aria-live": "polite" });
    c.team = h("p", { class: "meta", testid: "room-team" });

    // A 10-20 minute visit: the look-fors of the visit's focus first, then the
    // evidence box, then the rest of the catalog folded (open it once, it stays open).
    const focusKeys = new Set(this.visit.focus_items || []);
    const first = this.catalog.items.filter((item) => focusKeys.has(item.key));
    const rest = this.catalog.items.filter((item) => !focusKeys.has(item.key));
    const jump = h("a", { href: "#evidence-heading", class: "jump", testid: "jump-to-evidence" }, "Evidence note ↓");
    jump.addEventListener("click", (event) => {
      event.preventDefault();
      const area = this.root.querySelector("#evidence-text");
      if (area) { area.scrollIntoView({ block: "center" }); area.focus(); }
    });
    const head = h("section", { class: "room-head card", "aria-labelledby": "room-title" },
      c.roomTitle, c.roomMeta, c.team, h("p", { class: "room-jump" }, jump));
    const bar = h("div", { class: "action-bar", role: "toolbar", "aria-label": "Classroom actions" },
      c.undo, c.thanks, c.exit);
    if (!first.length) {
      const grid = h("div", { class: "lookfor-grid", testid: "lookfor-grid" },
        rest.map((item) => this.buildItem(item, c)));
      return h("div", { class: "room" }, head, grid, this.buildEvidence(c), bar, c.undoHint,
        this.buildCorrection(c));
    }
    const focusGrid = h("div", { class: "lookfor-grid focus-grid", testid: "focus-grid" },
      first.map((item) => this.buildItem(item, c)));
    const others = h("details", { class: "other-lookfors", testid: "other-lookfors",
      open: localStorage.getItem(OTHERS_OPEN_KEY) === "true" },
    h("summary", { testid: "show-other-lookfors" }, `Other look-fors (${rest.length})`),
    h("div", { class: "lookfor-grid" }, rest.map((item) => this.buildItem(item, c))));
    others.addEventListener("toggle", () => localStorage.setItem(OTHERS_OPEN_KEY, String(others.open)));
    return h("div", { class: "room" },
      head,
      h("div", { testid: "lookfor-grid" },
        h("h2", { class: "focus-heading", testid: "focus-lookfors" }, "The visit's focus"),
        focusGrid,
        this.buildEvidence(c),
        others),
      bar,
      c.undoHint,
      this.buildCorrection(c));
  }

  buildCorrection(c) {
    const room = this.state.current;
    const label = h("input", { id: "fix-label", type: "text", maxlength: "60", value: room.label, testid: "fix-label" });
    const grade = h("select", { id: "fix-grade", testid: "fix-grade" },
      GRADE_BANDS.map((g) => h("option", { value: g, selected: g === room.grade_band }, g)));
    const subject = h("select", { id: "fix-subject", testid: "fix-subject" },
      SUBJECTS.map((s) => h("option", { value: s, selected: s === room.subject }, SUBJECT_LABELS[s] || humanize(s))));
    const present = h("input", { id: "fix-students", type: "number", min: "0", max: "60", step: "1",
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
      const now = this.state.current;
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
      const now = this.state.current;
      if (!now) return;
      const data = { classroom_id: now.id };
      const text = label.value.trim();
      const names = titleWarning(text);
      if (names) {
        error.hidden = false;
        error.textContent = `Room label: ${names}`;
        return;
      }
      if (text && text !== now.label) data.label = text.slice(0, 60);
      if (grade.value !== now.grade_band) data.grade_band = grade.value;
      if (subject.value !== now.subject) data.subject = subject.value;
      if (present.value.trim() !== "") {
        const count = Number(present.value);
        if (!Number.isInteger(count) || count < 0 || count > 60) {
          error.hidden = false;
          error.textContent = "Students present is a whole number from 0 to 60.";
          return;
        }
        if (count !== now.students_present) data.students_present = count;
      }
      error.hidden = true;
      if (Object.keys(data).length === 1) { form.hidden = true; return; }
      form.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      this.record("ClassroomCorrected", data);
    });
    c.correction = { form, label, grade, subject, present };
    return h("section", { class: "room-mend card", "aria-label": "Mend this room's record" },
      h("p", { class: "room-actions" }, toggle, this.removeButton(room, "remove-room")), form);
  }

  buildItem(item, c) {
    const headingId = `lf-${item.key}`;
    const body = [];
    // `value` may be a function of the current value (steppers), evaluated in turn.
    const tap = (value, method) => this.record("LookForObserved", (state) => {
      const room = state.current;
      if (!room) return null;
      const current = room.taps.get(item.key);
      const next = typeof value === "function"
        ? value(current ? current.event.data.value : null, room) : value;
      if (next === null || next === undefined) return null;
      if (current && current.event.data.value === next
          && (current.event.data.method || null) === (method || null)) {
        // Tapped again: withdraw it (the coach's previous tap, if any, counts again).
        return typeof value === "function" ? null : { retract: current.id };
      }
      const data = { classroom_id: room.id, item: item.key, value: next };
      if (method) data.method = method;
      return data;
    });
    const button = (value, label, testid, extraClass = "") => {
      const b = h("button", { type: "button", class: `choice ${extraClass}`.trim(), "aria-pressed": "false", testid }, label);
      b.addEventListener("click", () => tap(value));
      c.buttons.set(testid, { el: b, item: item.key, value, method: null });
      return b;
    };
    if (item.kind === "yes_no") {
      body.push(h("div", { class: "choices", role: "group", "aria-labelledby": headingId },
        yesNoValues(item).map((v) => button(v, humanize(v), `lookfor-${item.key}-${v}`, `v-${v}`))));
      const methods = item.methods || [];
      if (methods.length) {
        const methodButtons = methods.map((m) => {
          const testid = `lookfor-${item.key}-method-${m}`;
          const b = h("button", { type: "button", class: "choice small", "aria-pressed": "false", testid }, humanize(m));
          b.addEventListener("click", () => tap("yes", m));
          c.buttons.set(testid, { el: b, item: item.key, value: "yes", method: m });
          return b;
        });
        const methodsId = `lf-${item.key}-methods`;
        body.push(h("p", { class: "sub-label", id: methodsId }, "How? (records Yes with the method)"),
          h("div", { class: "choices methods", role: "group", "aria-labelledby": methodsId }, methodButtons));
      }
    } else if (item.kind === "scale") {
      const min = Number.isInteger(item.min) ? item.min : 1;
      const max = Number.isInteger(item.max) ? item.max : 5;
      const values = [];
      for (let v = min; v <= max; v += 1) values.push(v);
      body.push(h("div", { class: "choices scale", role: "group", "aria-labelledby": headingId },
        values.map((v) => button(v, String(v), `lookfor-${item.key}-${v}`))),
      h("p", { class: "scale-ends", "aria-hidden": "true" }, h("span", {}, `${min} low`), h("span", {}, `${max} high`)));
    } else if (item.kind === "choice") {
      body.push(h("div", { class: "choices", role: "group", "aria-labelledby": headingId },
        (item.options || []).map((o) => button(o, humanize(o), `lookfor-${item.key}-${o}`))));
    } else if (item.kind === "count") {
      body.push(this.buildStepper(item, c, tap, headingId));
    } else if (item.kind === "note") {
      body.push(this.buildNote(item, c, headingId));
    }
    c[`status-${item.key}`] = h("span", { class: "tap-status", testid: `lookfor-${item.key}-status` });
    return h("section", { class: `lookfor card kind-${item.kind}`, testid: `lookfor-${item.key}`, "aria-labelledby": headingId },
      h("h3", { id: headingId }, item.prompt, " ", c[`status-${item.key}`]),
      body);
  }

  maxFor(item) {
    const room = this.state && this.state.current;
    if (item.max_field && room && room[item.max_field] !== null && room[item.max_field] !== undefined) {
      return room[item.max_field];
    }
    return 1000;
  }

  buildStepper(item, c, tap, headingId) {
    const inputId = `lf-${item.key}-value`;
    const input = h("input", { id: inputId, type: "number", min: "0", step: "1", inputmode: "numeric",
      class: "count-value", testid: `lookfor-${item.key}-value`, placeholder: "–", "aria-describedby": headingId });
    const current = () => {
      const row = this.state.current && this.state.current.taps.get(item.key);
      return row ? Number(row.event.data.value) : null;
    };
    const dec = h("button", { type: "button", class: "step", testid: `lookfor-${item.key}-dec`, "aria-label": `${item.prompt}: one less` }, "−");
    const inc = h("button", { type: "button", class: "step", testid: `lookfor-${item.key}-inc`, "aria-label": `${item.prompt}: one more` }, "+");
    dec.addEventListener("click", () => {
      tap((now) => (now !== null && now > 0 ? now - 1 : null));
    });
    inc.addEventListener("click", () => {
      tap((now) => {
        const next = now === null ? 1 : now + 1;
        return next <= this.maxFor(item) ? next : null;
      });
    });
    input.addEventListener("change", () => {
      const value = Number(input.value);
      if (input.value.trim() !== "" && Number.isInteger(value) && value >= 0 && value <= this.maxFor(item)) {
        tap(value);
      } else {
        const now = current();
        input.value = now === null ? "" : String(now);
      }
    });
    const of = h("span", { class: "count-of" });
    c.counts.set(item.key, { input, dec, inc, of, item });
    return h("div", { class: "stepper" },
      h("label", { for: inputId, class: "visually-hidden" }, `${item.prompt} (number)`),
      dec, input, inc, of);
  }

  buildNote(item, c, headingId) {
    const id = `lf-${item.key}-text`;
    const max = item.max_length || 2000;
    const area = h("textarea", { id, rows: "3", maxlength: String(max), testid: `lookfor-${item.key}-text` });
    const save = h("button", { type: "button", class: "secondary", testid: `lookfor-${item.key}-save` }, "Save note");
    const saved = h("p", { class: "note-saved", testid: `lookfor-${item.key}-saved` });
    const problem = h("p", { class: "error", role: "alert", hidden: true, testid: `lookfor-${item.key}-error` });
    save.addEventListener("click", () => {
      const text = area.value.trim();
      if (!text) return;
      const names = titleWarning(text);
      problem.hidden = !names;
      problem.textContent = names || "";
      if (names) return;
      area.value = "";
      this.record("LookForObserved", (state) => (state.current
        ? { classroom_id: state.current.id, item: item.key, value: text.slice(0, max) } : null));
    });
    c.notes.set(item.key, { area, save, saved });
    return h("div", { class: "note-field" },
      h("label", { for: id, class: "visually-hidden" }, item.prompt), area, problem, save, saved);
  }

  buildEvidence(c) {
    const area = h("textarea", { id: "evidence-text", rows: "3", maxlength: "2000", testid: "evidence-text",
      "aria-describedby": "evidence-hint" });
    const item = h("select", { id: "evidence-item", testid: "evidence-item" },
      h("option", { value: "" }, "(no particular look-for)"),
      this.catalog.items.map((i) => h("option", { value: i.key }, i.prompt)));
    const add = h("button", { type: "button", class: "primary", testid: "add-evidence" }, "Add evidence");
    const problem = h("p", { class: "error", role: "alert", hidden: true, testid: "evidence-error" });
    add.addEventListener("click", () => {
      const text = area.value.trim();
      const about = item.value;
      if (!text) return;
      const names = titleWarning(text);
      problem.hidden = !names;
      problem.textContent = names || "";
      if (names) return;
      area.value = "";
      this.record("EvidenceNoted", (state) => {
        if (!state.current) return null;
        const data = { classroom_id: state.current.id, text: text.slice(0, 2000) };
        if (about) data.item = about;
        return data;
      });
    });
    c.evidenceList = h("ul", { class: "evidence-list", testid: "evidence-list" });
    return h("section", { class: "card evidence", "aria-labelledby": "evidence-heading" },
      h("h2", { id: "evidence-heading" }, "Evidence"),
      h("div", { class: "field" },
        h("label", { for: "evidence-text" }, "Low-inference note"),
        area,
        h("p", { class: "hint", id: "evidence-hint" }, "What students and teachers did and said, e.g. “6 of 24 students explained the target in their own words”.")),
      h("div", { class: "field" }, h("label", { for: "evidence-item" }, "About look-for (optional)"), item),
      problem,
      add,
      c.evidenceList);
  }

  // --- state -> DOM -----------------------------------------------------------------

  update() {
    const c = this.controls;
    if (!c) return;
    const st = this.state;
    if (c.roomList) {
      const rooms = st.rooms;
      replace(c.roomList, rooms.length === 0
        ? h("li", { class: "empty" }, c.mendOnly ? "No rooms were recorded." : "No rooms yet: enter the first one above.")
        : rooms.map((room) => this.roomItem(room, rooms, c.mendOnly)));
      return;
    }
    const room = st.current;
    if (!room || !c.buttons) return;
    c.roomTitle.textContent = `In ${room.label}`;
    c.roomMeta.textContent = [
      `Grades ${room.grade_band}`, humanize(room.subject),
      room.students_present !== null ? `${room.students_present} students present` : null,
    ].filter(Boolean).join(" · ");
    const listed = st.rooms.find((r) => r.mine === room);
    const others = listed ? this.coachNames(listed).filter((name) => name !== "you") : [];
    c.team.textContent = others.length ? `Also in this room: ${others.join(", ")}` : "";

    for (const [, b] of c.buttons) {
      const row = room.taps.get(b.item);
      const data = row ? row.event.data : null;
      let pressed = !!data && data.value === b.value;
      if (b.method) pressed = pressed && data.method === b.method;
      b.el.setAttribute("aria-pressed", String(pressed));
      b.el.classList.toggle("pending", pressed && st.pendingIds.has(row.id));
    }
    for (const [key, s] of c.counts) {
      const row = room.taps.get(key);
      const value = row ? Number(row.event.data.value) : null;
      if (document.activeElement !== s.input) s.input.value = value === null ? "" : String(value);
      const max = this.maxFor(s.item);
      s.input.max = String(max);
      s.dec.disabled = value === null || value <= 0;
      s.inc.disabled = value !== null && value >= max;
      s.of.textContent = max < 1000 ? `of ${max} present` : "";
    }
    for (const [key, n] of c.notes) {
      const row = room.taps.get(key);
      n.saved.textContent = row ? `Saved: “${row.event.data.value}”` : "";
    }
    for (const item of this.catalog.items) {
      const el = c[`status-${item.key}`];
      const row = room.taps.get(item.key);
      if (!el) continue;
      if (!row) { el.textContent = ""; el.className = "tap-status"; }
      else if (st.pendingIds.has(row.id)) { el.textContent = "pending"; el.className = "tap-status is-pending"; }
      else { el.textContent = "sent"; el.className = "tap-status is-sent"; }
    }
    replace(c.evidenceList, room.evidence.map((row) => {
      const withdraw = h("button", { type: "button", class: "secondary small", testid: "withdraw-evidence",
        "aria-label": `Withdraw the note “${row.event.data.text.slice(0, 40)}”` }, "Withdraw");
      withdraw.addEventListener("click", () => this.record("ObservationRetracted", { retract: row.id }));
      return h("li", { class: st.pendingIds.has(row.id) ? "pending" : "" },
        h("span", {}, row.event.data.text),
        row.event.data.item ? h("span", { class: "meta" }, ` (${row.event.data.item})`) : null,
        h("span", { class: "tap-status" }, st.pendingIds.has(row.id) ? " pending" : " sent"),
        withdraw);
    }));
    const thanked = room.thankYou.length > 0;
    c.thanks.setAttribute("aria-pressed", String(thanked));
    c.thanks.textContent = thanked ? "✓ Thank-you note left (tap to withdraw)" : "Thank-you note left";
    const target = undoTarget(room);
    c.undo.disabled = !target;
    c.undoHint.textContent = target ? `Undo would withdraw: ${describeTap(target, this.catalog)}` : "";
  }
}
