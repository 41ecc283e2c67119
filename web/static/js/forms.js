// Forms of the visit cycle: check what the server checks before anything is queued (the
// same limits, the same "no names" rule), queue the write in the outbox, and say what
// became of it - sent, refused with the server's reason, or kept on this tablet.

import { h, replace } from "./dom.js";
import { LIMITS } from "./generated/schema.js";
import { titleWarning } from "./names.js";
import * as outbox from "./outbox.js";

// The server's limits (generated from its types): labels, short text, text, long text.
export const LABEL = LIMITS.label;
export const SHORT = LIMITS.short_text;
export const TEXT = LIMITS.text;
export const LONG = LIMITS.long_text;

/**
 * What is wrong with one free text, in words, or null. Names a person (a title and a
 * name: the server also screens the school's staff roster), too long, or missing.
 */
export function textProblem(value, { label, max, required = true }) {
  const text = String(value || "").trim();
  if (!text) return required ? `${label}: please write it.` : null;
  if (text.length > max) return `${label}: at most ${max} characters (this has ${text.length}).`;
  const names = titleWarning(text);
  return names ? `${label}: ${names}` : null;
}

/** A labelled field; `hint` is read out with it. Returns the wrapper; the control is `.control`. */
export function field(id, label, control, hint = null) {
  control.id = id;
  if (hint) control.setAttribute("aria-describedby", `${id}-hint`);
  const wrapper = h("div", { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
  wrapper.control = control;
  return wrapper;
}

export function textInput(testid, { max = SHORT, value = "", type = "text", placeholder = null } = {}) {
  return h("input", { type, maxlength: type === "text" ? String(max) : null, value, testid,
    autocomplete: "off", placeholder });
}

export function textArea(testid, { max = TEXT, rows = 3, value = "" } = {}) {
  return h("textarea", { rows: String(rows), maxlength: String(max), testid, value });
}

/** The status line of a form: errors (role=alert) or what became of the write. */
export function statusLine(testid) {
  return h("p", { class: "form-status", testid, "aria-live": "polite" });
}

export function showProblems(status, problems) {
  status.className = "form-status error";
  status.setAttribute("role", "alert");
  replace(status, problems.length === 1 ? problems[0]
    : h("ul", {}, problems.map((problem) => h("li", {}, problem))));
}

function showResult(status, text, kind) {
  status.hidden = false;
  status.className = `${status.classList.contains("flash") ? "flash" : "form-status"} ${kind}`;
  status.removeAttribute("role");
  if (kind === "error") status.setAttribute("role", "alert");
  replace(status, text);
}

/**
 * Queue a write (`write()` resolves to its outbox id), send it now, and show what became
 * of it. Resolves to "synced", "rejected" or "pending" (kept on this tablet: offline).
 */
export async function commit(status, write, { done = "Saved." } = {}) {
  showResult(status, "Saving…", "pending");
  let id;
  try {
    id = await write();
  } catch (error) {
    showResult(status, `Could not save on this tablet: ${error.message || error}`, "error");
    return "failed";
  }
  const result = await outbox.settled(id);
  if (result.status === "synced") {
    showResult(status, done, "ok");
  } else if (result.status === "rejected") {
    const error = result.error || {};
    showResult(status, `Not accepted by the server: ${error.message || "refused"} (${error.code || "rejected"})`, "error");
  } else {
    showResult(status, "Saved on this tablet: it will be sent when the network is back.", "pending");
  }
  return result.status;
}

/**
 * Empty these fields as soon as what they hold is queued (so that typing the next one
 * right away is never wiped out); the function returned puts the text back - into the
 * field with the same id on the screen as it is then - when the write was refused.
 */
export function clearFields(controls) {
  const taken = controls.map((control) => [control.id, control.value]);
  for (const control of controls) control.value = "";
  return () => {
    for (const [id, value] of taken) {
      const el = document.getElementById(id);
      if (el && !el.value) el.value = value;
    }
  };
}

/** Record a visit event through the outbox; resolves to its id. */
export async function recordEvent(visitId, type, data) {
  const event = await outbox.record(visitId, type, data);
  return event.id;
}

/** Today as YYYY-MM-DD (local), and `days` later. */
export function isoDay(days = 0) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** A slug for ids the client makes up (step ids, partnership ids): readable, unique enough. */
export function slug(text, prefix) {
  const base = String(text || "").toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "").slice(0, 40);
  const random = crypto.randomUUID().slice(0, 6);
  return `${prefix}-${base ? `${base}-` : ""}${random}`.slice(0, 64);
}

/**
 * A screen's two parts: `body`, rebuilt on every render, and `flash`, a status bar kept
 * across renders that says what became of the last write (a render after a sync would
 * otherwise wipe the message out).
 */
export function screen(root) {
  const body = h("div", { class: "screen-body" });
  const flash = h("p", { class: "flash", testid: "flash", "aria-live": "polite", hidden: true });
  replace(root, body, flash);
  return { body, flash };
}

/**
 * Rebuild a screen's body, keeping what was typed or ticked in its fields (by id): a
 * render after a sync must not wipe out a form being filled in. A field the screen
 * cleared itself (after saving) stays empty.
 */
export function redraw(body, ...children) {
  const kept = new Map();
  for (const el of body.querySelectorAll("input[id]:not([type=file]), textarea[id], select[id]")) {
    kept.set(el.id, el.type === "checkbox" || el.type === "radio" ? el.checked : el.value);
  }
  // The field being typed into keeps the focus and the caret: a coach typing the next
  // step while the last one syncs goes on typing into the same field.
  const active = document.activeElement;
  const focused = active && active.id && body.contains(active) ? active.id : null;
  const caret = focused && typeof active.selectionStart === "number"
    ? [active.selectionStart, active.selectionEnd] : null;
  replace(body, ...children);
  for (const [id, value] of kept) {
    const el = body.querySelector(`[id="${CSS.escape(id)}"]`);
    if (!el) continue;
    if (typeof value === "boolean") el.checked = value;
    else if (el.tagName === "SELECT" || value !== "") el.value = value;
  }
  const again = focused ? body.querySelector(`[id="${CSS.escape(focused)}"]`) : null;
  if (again) {
    again.focus({ preventScroll: true });
    if (caret) {
      try { again.setSelectionRange(caret[0], caret[1]); } catch { /* not a text field */ }
    }
  }
}

/**
 * A screen that reads again after each sync (another device's writes, or this one's
 * queued ones once sent). `render()` reads and redraws; returns a dispose function.
 */
export function live(root, render) {
  let lastSynced = outbox.status().lastSynced;
  let disposed = false;
  let running = null;
  const again = async () => {
    if (disposed || running) return;
    running = render().catch(() => {}).finally(() => { running = null; });
    await running;
  };
  const unsubscribe = outbox.onChange((status) => {
    if (status.lastSynced !== lastSynced) {
      lastSynced = status.lastSynced;
      again();
    }
  });
  return () => { disposed = true; unsubscribe(); };
}

/** Checkboxes in a fieldset; `.values()` gives the checked values, in order. */
export function checkboxGroup(idPrefix, legend, options, { checked = [], testid = idPrefix, hint = null } = {}) {
  const boxes = options.map(([value, label]) => {
    const id = `${idPrefix}-${value}`;
    const box = h("input", { type: "checkbox", id, value, testid: `${testid}-${value}`,
      checked: checked.includes(value) });
    return h("label", { class: "check", for: id }, box, h("span", {}, label));
  });
  const group = h("fieldset", { class: "checks", testid },
    h("legend", {}, legend),
    hint ? h("p", { class: "hint" }, hint) : null,
    h("div", { class: "check-list" }, boxes));
  group.values = () => [...group.querySelectorAll("input:checked")].map((box) => box.value);
  return group;
}

/** Radio buttons in a fieldset; `.value()` gives the chosen one (or ""). */
export function radioGroup(name, legend, options, { testid = name, value = null } = {}) {
  const radios = options.map(([key, label]) => {
    const id = `${name}-${key}`;
    return h("label", { class: "check", for: id },
      h("input", { type: "radio", id, name, value: key, testid: `${testid}-${key}`, checked: key === value }),
      h("span", {}, label));
  });
  const group = h("fieldset", { class: "checks radios", testid },
    h("legend", {}, legend), h("div", { class: "check-list" }, radios));
  group.value = () => {
    const chosen = group.querySelector("input:checked");
    return chosen ? chosen.value : "";
  };
  return group;
}

export function select(testid, options, value = "") {
  return h("select", { testid },
    options.map(([key, label]) => h("option", { value: key, selected: key === value }, label)));
}
