// Capture's evidence box: a low-inference note about the room (optionally about one
// look-for), screened for names before it is recorded, and the room's notes, each of
// which can be withdrawn.

import { h, replace } from "../dom.js";
import { LIMITS } from "../generated/schema.js";
import { titleWarning } from "../names.js";

/** The box and the list of the room's notes: `{ section, update(room, state) }`. */
export function evidenceBox(view) {
  const area = h("textarea", { id: "evidence-text", rows: "3", maxlength: String(LIMITS.text), testid: "evidence-text",
    "aria-describedby": "evidence-hint" });
  const item = h("select", { id: "evidence-item", testid: "evidence-item" },
    h("option", { value: "" }, "(no particular look-for)"),
    view.catalog.items.map((i) => h("option", { value: i.key }, i.prompt)));
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
    view.record("EvidenceNoted", (state) => {
      if (!state.current) return null;
      const data = { classroom_id: state.current.id, text: text.slice(0, LIMITS.text) };
      if (about) data.item = about;
      return data;
    });
  });
  const list = h("ul", { class: "evidence-list", testid: "evidence-list" });
  const section = h("section", { class: "card evidence", "aria-labelledby": "evidence-heading" },
    h("h2", { id: "evidence-heading" }, "Evidence"),
    h("div", { class: "field" },
      h("label", { for: "evidence-text" }, "Low-inference note"),
      area,
      h("p", { class: "hint", id: "evidence-hint" }, "What students and teachers did and said, e.g. “6 of 24 students explained the target in their own words”.")),
    h("div", { class: "field" }, h("label", { for: "evidence-item" }, "About look-for (optional)"), item),
    problem,
    add,
    list);
  const update = (room, state) => {
    replace(list, room.evidence.map((row) => {
      const withdraw = h("button", { type: "button", class: "secondary small", testid: "withdraw-evidence",
        "aria-label": `Withdraw the note “${row.event.data.text.slice(0, 40)}”` }, "Withdraw");
      withdraw.addEventListener("click", () => view.record("ObservationRetracted", { retract: row.id }));
      return h("li", { class: state.pendingIds.has(row.id) ? "pending" : "" },
        h("span", {}, row.event.data.text),
        row.event.data.item ? h("span", { class: "meta" }, ` (${row.event.data.item})`) : null,
        h("span", { class: "tap-status" }, state.pendingIds.has(row.id) ? " pending" : " sent"),
        withdraw);
    }));
  };
  return { section, update };
}
