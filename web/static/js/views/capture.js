// The capture screen: the visit's rooms (the whole team's, one per room), enter or join
// one, tap look-fors, note evidence, leave a thank-you note, exit. Every action is an
// event recorded in the outbox first. Mistakes are mended by later events, never by
// rewriting: a tap tapped again is withdrawn, a room's details are corrected, a room
// entered by mistake is removed, two rooms recorded under different labels are merged.
// The rooms' forms and list are capture-rooms.js, the look-fors' controls by kind
// capture-widgets.js, the evidence box capture-evidence.js; this holds the screen.

import { getJson } from "../api.js";
import { fold, undoTarget } from "../capture-state.js";
import { h, humanize, replace, formatDate } from "../dom.js";
import { LIMITS } from "../generated/schema.js";
import * as outbox from "../outbox.js";
import { correctionForm, enterForm, roomItem, roomList } from "./capture-rooms.js";
import { evidenceBox } from "./capture-evidence.js";
import { describeTap, widgetFor } from "./capture-widgets.js";

const ROOMS_EVERY_MS = 20000; // how often the team's room list is read again while online
const OTHERS_OPEN_KEY = "walkthrough.capture.others-open";

export async function loadVisit(visitId) {
  const { data: visit, stale } = await getJson(`/api/visits/${encodeURIComponent(visitId)}`);
  let catalog = visit.catalog;
  if (!catalog || !Array.isArray(catalog.items)) {
    ({ data: catalog } = await getJson(`/api/catalogs/${visit.catalog_version}`));
  }
  return { visit, catalog, stale };
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
      replace(this.root, header, reminder, enterForm(this), this.buildRoomList());
    }
  }

  buildRoomList(mendOnly = false) {
    const { section, list } = roomList(mendOnly);
    this.controls = { roomList: list, mendOnly };
    return section;
  }

  // --- in a classroom -------------------------------------------------------------

  buildRoom() {
    const c = { widgets: [] };
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
    const evidence = evidenceBox(this);
    c.evidence = evidence.update;
    if (!first.length) {
      const grid = h("div", { class: "lookfor-grid", testid: "lookfor-grid" },
        rest.map((item) => this.buildItem(item, c)));
      return h("div", { class: "room" }, head, grid, evidence.section, bar, c.undoHint, correctionForm(this));
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
        evidence.section,
        others),
      bar,
      c.undoHint,
      correctionForm(this));
  }

  /** One look-for's card: its prompt, its tap status, and its kind's widget. */
  buildItem(item, c) {
    const headingId = `lf-${item.key}`;
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
    const widget = widgetFor(item.kind)(item, {
      headingId,
      tap,
      record: (type, data) => this.record(type, data),
      room: () => this.state && this.state.current,
      maxFor: (look) => this.maxFor(look),
    });
    const status = h("span", { class: "tap-status", testid: `lookfor-${item.key}-status` });
    c.widgets.push({ item, status, update: widget.update });
    return h("section", { class: `lookfor card kind-${item.kind}`, testid: `lookfor-${item.key}`, "aria-labelledby": headingId },
      h("h3", { id: headingId }, item.prompt, " ", status),
      widget.body);
  }

  maxFor(item) {
    const room = this.state && this.state.current;
    if (item.max_field && room && room[item.max_field] !== null && room[item.max_field] !== undefined) {
      return room[item.max_field];
    }
    return LIMITS.count;
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
        : rooms.map((room) => roomItem(this, room, rooms, c.mendOnly)));
      return;
    }
    const room = st.current;
    if (!room || !c.widgets) return;
    c.roomTitle.textContent = `In ${room.label}`;
    c.roomMeta.textContent = [
      `Grades ${room.grade_band}`, humanize(room.subject),
      room.students_present !== null ? `${room.students_present} students present` : null,
    ].filter(Boolean).join(" · ");
    const listed = st.rooms.find((r) => r.mine === room);
    const others = listed ? this.coachNames(listed).filter((name) => name !== "you") : [];
    c.team.textContent = others.length ? `Also in this room: ${others.join(", ")}` : "";

    for (const widget of c.widgets) {
      widget.update(room, st);
      const row = room.taps.get(widget.item.key);
      const el = widget.status;
      if (!row) { el.textContent = ""; el.className = "tap-status"; }
      else if (st.pendingIds.has(row.id)) { el.textContent = "pending"; el.className = "tap-status is-pending"; }
      else { el.textContent = "sent"; el.className = "tap-status is-sent"; }
    }
    c.evidence(room, st);
    const thanked = room.thankYou.length > 0;
    c.thanks.setAttribute("aria-pressed", String(thanked));
    c.thanks.textContent = thanked ? "✓ Thank-you note left (tap to withdraw)" : "Thank-you note left";
    const target = undoTarget(room);
    c.undo.disabled = !target;
    c.undoHint.textContent = target ? `Undo would withdraw: ${describeTap(target, this.catalog)}` : "";
  }
}
