// How capture shows one look-for, by its kind: one entry per kind of the server's
// catalog (LOOK_FOR_KINDS, generated from its types; tests/js holds them equal), with
// the kind's name and its widget. A widget builds the controls of one look-for and
// says how to show the room's current tap on them:
//   widget(item, ctx) -> { body: [nodes], update(room, state) }
// where ctx gives `headingId` (the look-for's heading), `tap(value, method)` (record
// a tap; `value` may be a function of the current value, as a stepper's is),
// `record(type, data)` (the view's serialised recording), `room()` (the room capture is
// in) and `maxFor(item)` (a count's bound in this room). A kind with no widget is an
// error (widgetFor throws), never a look-for shown with no controls.

import { h, humanize } from "../dom.js";
import { LIMITS, YES_NO_VALUES } from "../generated/schema.js";
import { titleWarning } from "../names.js";

/** Toggle buttons (one per value) and how to press the one of the current tap. */
function choiceButtons(item) {
  const buttons = [];
  const make = (ctx, value, label, testid, { method = null, extraClass = "" } = {}) => {
    const el = h("button", { type: "button", class: `choice ${extraClass}`.trim(), "aria-pressed": "false", testid }, label);
    el.addEventListener("click", () => (method ? ctx.tap("yes", method) : ctx.tap(value)));
    buttons.push({ el, value, method });
    return el;
  };
  const update = (room, state) => {
    const row = room.taps.get(item.key);
    const data = row ? row.event.data : null;
    for (const b of buttons) {
      let pressed = !!data && data.value === b.value;
      if (b.method) pressed = pressed && data.method === b.method;
      b.el.setAttribute("aria-pressed", String(pressed));
      b.el.classList.toggle("pending", pressed && state.pendingIds.has(row.id));
    }
  };
  return { make, update };
}

function yesNo(item, ctx) {
  const group = choiceButtons(item);
  const values = item.allow_unsure ? [...YES_NO_VALUES, "unsure"] : YES_NO_VALUES;
  const body = [h("div", { class: "choices", role: "group", "aria-labelledby": ctx.headingId },
    values.map((v) => group.make(ctx, v, humanize(v), `lookfor-${item.key}-${v}`, { extraClass: `v-${v}` })))];
  const methods = item.methods || [];
  if (methods.length) {
    const methodsId = `lf-${item.key}-methods`;
    body.push(h("p", { class: "sub-label", id: methodsId }, "How? (records Yes with the method)"),
      h("div", { class: "choices methods", role: "group", "aria-labelledby": methodsId },
        methods.map((m) => group.make(ctx, "yes", humanize(m), `lookfor-${item.key}-method-${m}`,
          { method: m, extraClass: "small" }))));
  }
  return { body, update: group.update };
}

function scale(item, ctx) {
  const group = choiceButtons(item);
  const min = Number.isInteger(item.min) ? item.min : 1;
  const max = Number.isInteger(item.max) ? item.max : 5;
  const values = [];
  for (let v = min; v <= max; v += 1) values.push(v);
  return {
    body: [
      h("div", { class: "choices scale", role: "group", "aria-labelledby": ctx.headingId },
        values.map((v) => group.make(ctx, v, String(v), `lookfor-${item.key}-${v}`))),
      h("p", { class: "scale-ends", "aria-hidden": "true" }, h("span", {}, `${min} low`), h("span", {}, `${max} high`)),
    ],
    update: group.update,
  };
}

function choice(item, ctx) {
  const group = choiceButtons(item);
  return {
    body: [h("div", { class: "choices", role: "group", "aria-labelledby": ctx.headingId },
      (item.options || []).map((o) => group.make(ctx, o, humanize(o), `lookfor-${item.key}-${o}`)))],
    update: group.update,
  };
}

/** A stepper: − and + (bounded by the students present when the look-for says so). */
function count(item, ctx) {
  const inputId = `lf-${item.key}-value`;
  const input = h("input", { id: inputId, type: "number", min: "0", step: "1", inputmode: "numeric",
    class: "count-value", testid: `lookfor-${item.key}-value`, placeholder: "–", "aria-describedby": ctx.headingId });
  const current = () => {
    const row = ctx.room() && ctx.room().taps.get(item.key);
    return row ? Number(row.event.data.value) : null;
  };
  const dec = h("button", { type: "button", class: "step", testid: `lookfor-${item.key}-dec`, "aria-label": `${item.prompt}: one less` }, "−");
  const inc = h("button", { type: "button", class: "step", testid: `lookfor-${item.key}-inc`, "aria-label": `${item.prompt}: one more` }, "+");
  dec.addEventListener("click", () => {
    ctx.tap((now) => (now !== null && now > 0 ? now - 1 : null));
  });
  inc.addEventListener("click", () => {
    ctx.tap((now) => {
      const next = now === null ? 1 : now + 1;
      return next <= ctx.maxFor(item) ? next : null;
    });
  });
  input.addEventListener("change", () => {
    const value = Number(input.value);
    if (input.value.trim() !== "" && Number.isInteger(value) && value >= 0 && value <= ctx.maxFor(item)) {
      ctx.tap(value);
    } else {
      const now = current();
      input.value = now === null ? "" : String(now);
    }
  });
  const of = h("span", { class: "count-of" });
  const update = (room) => {
    const row = room.taps.get(item.key);
    const value = row ? Number(row.event.data.value) : null;
    if (document.activeElement !== input) input.value = value === null ? "" : String(value);
    const max = ctx.maxFor(item);
    input.max = String(max);
    dec.disabled = value === null || value <= 0;
    inc.disabled = value !== null && value >= max;
    of.textContent = max < LIMITS.count ? `of ${max} present` : "";
  };
  return {
    body: [h("div", { class: "stepper" },
      h("label", { for: inputId, class: "visually-hidden" }, `${item.prompt} (number)`),
      dec, input, inc, of)],
    update,
  };
}

/** A short text answer, screened for names before it is recorded. */
function note(item, ctx) {
  const id = `lf-${item.key}-text`;
  const max = item.max_length || LIMITS.note;
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
    ctx.record("LookForObserved", (state) => (state.current
      ? { classroom_id: state.current.id, item: item.key, value: text.slice(0, max) } : null));
  });
  return {
    body: [h("div", { class: "note-field" },
      h("label", { for: id, class: "visually-hidden" }, item.prompt), area, problem, save, saved)],
    update: (room) => {
      const row = room.taps.get(item.key);
      saved.textContent = row ? `Saved: “${row.event.data.value}”` : "";
    },
  };
}

// Each kind: what it is called (the catalog screen lists look-fors with it) and its widget.
export const WIDGETS = Object.freeze({
  yes_no: { name: "yes / no", widget: yesNo },
  scale: { name: "scale", widget: scale },
  choice: { name: "choice", widget: choice },
  count: { name: "count", widget: count },
  note: { name: "note", widget: note },
});

function kind(key) {
  if (!Object.hasOwn(WIDGETS, key)) throw new Error(`capture has no widget for the look-for kind "${key}"`);
  return WIDGETS[key];
}

/** The widget of a look-for kind; a kind without one is an error, not a blank card. */
export function widgetFor(key) {
  return kind(key).widget;
}

/** A look-for kind in words ("yes / no"); an unknown kind is an error too. */
export function kindName(key) {
  return kind(key).name;
}

/** What one tap was, in words (for "Undo would withdraw: ..."). */
export function describeTap(row, catalog) {
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
