// The capture screen: enter a classroom, tap look-fors, note evidence, leave a
// thank-you note, exit. Every action is an event recorded in the outbox first.

import { getJson } from "../api.js";
import { fold, undoTarget } from "../capture-state.js";
import { h, humanize, replace, formatDate } from "../dom.js";
import * as outbox from "../outbox.js";

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

export async function renderCapture(root, visitId, { setTitle }) {
  const { visit, catalog, stale } = await loadVisit(visitId);
  setTitle(`Capture · ${visit.school.name}`);
  const view = new CaptureView(root, visit, catalog, stale);
  await view.refresh();
  const unsubscribe = outbox.onChange(() => view.scheduleRefresh());
  return () => { unsubscribe(); view.disposed = true; };
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
      await outbox.record(this.visit.id, type, payload);
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
      this.apply(fold(entries));
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
    const header = h("header", { class: "screen-head" },
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
      this.controls = {};
      replace(this.root, header, h("p", { class: "notice", testid: "capture-closed" },
        `Capture is not open for you on this visit (phase: ${humanize(v.phase)}). The summary and debrief are readable above.`));
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
      error.hidden = true;
      const data = { classroom_id: `c-${crypto.randomUUID()}`, label: labelText.slice(0, 60),
        grade_band: grade.value, subject: subject.value };
      if (students !== null) data.students_present = students;
      this.record("ClassroomEntered", (state) => (state.current ? null : data)); // no double entry

    });
    return form;
  }

  buildRoomList() {
    const list = h("ul", { class: "room-list", testid: "room-list" });
    const section = h("section", { class: "card", "aria-labelledby": "rooms-heading" },
      h("h2", { id: "rooms-heading" }, "Rooms visited from this tablet"), list);
    this.controls = { roomList: list, roomSection: section };
    return section;
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
        return room && room.thankYou.length === 0 ? { classroom_id: room.id } : null;
      });
    });
    c.exit = h("button", { type: "button", testid: "exit-classroom", class: "primary" }, "Exit classroom");
    c.exit.addEventListener("click", () => {
      this.record("ClassroomExited", (state) => (state.current ? { classroom_id: state.current.id } : null));
    });
    c.undoHint = h("p", { class: "undo-hint", testid: "undo-hint", "aria-live": "polite" });

    const grid = h("div", { class: "lookfor-grid", testid: "lookfor-grid" },
      this.catalog.items.map((item) => this.buildItem(item, c)));

    return h("div", { class: "room" },
      h("section", { class: "room-head card", "aria-labelledby": "room-title" }, c.roomTitle, c.roomMeta),
      grid,
      this.buildEvidence(c),
      h("div", { class: "action-bar", role: "toolbar", "aria-label": "Classroom actions" },
        c.undo, c.thanks, c.exit),
      c.undoHint);
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
          && (current.event.data.method || null) === (method || null)) return null;
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
    save.addEventListener("click", () => {
      const text = area.value.trim();
      if (!text) return;
      area.value = "";
      this.record("LookForObserved", (state) => (state.current
        ? { classroom_id: state.current.id, item: item.key, value: text.slice(0, max) } : null));
    });
    c.notes.set(item.key, { area, save, saved });
    return h("div", { class: "note-field" },
      h("label", { for: id, class: "visually-hidden" }, item.prompt), area, save, saved);
  }

  buildEvidence(c) {
    const area = h("textarea", { id: "evidence-text", rows: "3", maxlength: "2000", testid: "evidence-text",
      "aria-describedby": "evidence-hint" });
    const item = h("select", { id: "evidence-item", testid: "evidence-item" },
      h("option", { value: "" }, "(no particular look-for)"),
      this.catalog.items.map((i) => h("option", { value: i.key }, i.prompt)));
    const add = h("button", { type: "button", class: "primary", testid: "add-evidence" }, "Add evidence");
    add.addEventListener("click", () => {
      const text = area.value.trim();
      const about = item.value;
      if (!text) return;
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
      add,
      c.evidenceList);
  }

  // --- state -> DOM -----------------------------------------------------------------

  update() {
    const c = this.controls;
    if (!c) return;
    const st = this.state;
    if (c.roomList) {
      const rooms = [...st.rooms.values()];
      replace(c.roomList, rooms.length === 0
        ? h("li", { class: "empty" }, "No rooms yet.")
        : rooms.map((room) => {
          const resume = h("button", { type: "button", class: "secondary", testid: `resume-${room.label}` }, "Go back in");
          resume.addEventListener("click", () => {
            const data = { classroom_id: room.id, label: room.label, grade_band: room.grade_band, subject: room.subject };
            if (room.students_present !== null) data.students_present = room.students_present;
            this.record("ClassroomEntered", (state) => (state.current ? null : data));
          });
          return h("li", {},
            h("span", { class: "room-name" }, room.label),
            h("span", { class: "meta" }, ` ${room.grade_band} · ${humanize(room.subject)} · ${room.taps.size} look-fors · ${room.evidence.length} notes`,
              room.thankYou.length ? " · thank-you note left" : ""),
            resume);
        }));
      return;
    }
    const room = st.current;
    if (!room || !c.buttons) return;
    c.roomTitle.textContent = `In ${room.label}`;
    c.roomMeta.textContent = [
      `Grades ${room.grade_band}`, humanize(room.subject),
      room.students_present !== null ? `${room.students_present} students present` : null,
    ].filter(Boolean).join(" · ");

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
    replace(c.evidenceList, room.evidence.map((row) => h("li", { class: st.pendingIds.has(row.id) ? "pending" : "" },
      h("span", {}, row.event.data.text),
      row.event.data.item ? h("span", { class: "meta" }, ` (${row.event.data.item})`) : null,
      h("span", { class: "tap-status" }, st.pendingIds.has(row.id) ? " pending" : " sent"))));
    const thanked = room.thankYou.length > 0;
    c.thanks.setAttribute("aria-pressed", String(thanked));
    c.thanks.textContent = thanked ? "✓ Thank-you note left" : "Thank-you note left";
    const target = undoTarget(room);
    c.undo.disabled = !target;
    c.undoHint.textContent = target ? `Undo would withdraw: ${describeTap(target, this.catalog)}` : "";
  }
}
