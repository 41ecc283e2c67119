// A leader's own skill inventory: their role, what they are strong in and what they want
// to grow in, from the leadership skills and the classroom look-fors alike. Matching
// reads it (and says why it paired two people); growth goals take their areas from it.
// Saved as a form queued in the outbox.

import { getJson } from "../api.js";
import { h } from "../dom.js";
import * as outbox from "../outbox.js";
import { LONG, checkboxGroup, commit, field, live, redraw, screen, select, showProblems, statusLine, textArea, textProblem } from "../forms.js";

const ROLES = [["principal", "Principal"], ["assistant_principal", "Assistant principal"], ["other", "Other administrator"]];

export async function renderInventory(root, me, { setTitle }) {
  setTitle("My skill inventory");
  const { body, flash } = screen(root);
  const path = `/api/people/${encodeURIComponent(me.user.id)}/skill-inventory`;
  const render = async () => {
    const { data } = await getJson(path);
    const current = data.inventory || { role: "principal", strengths: [], growth_areas: [], notes: null };
    const options = [...data.skills.map((s) => [s.key, s.name]), ...data.look_fors.map((s) => [s.key, s.name])];
    const role = field("inventory-role", "Your role", select("inventory-role", ROLES, current.role));
    const strengths = checkboxGroup("strength", "Strong in (leadership skills first, then classroom look-fors)", options,
      { checked: current.strengths, testid: "inventory-strengths" });
    const growth = checkboxGroup("growth", "Want to grow in", options,
      { checked: current.growth_areas, testid: "inventory-growth" });
    const notes = field("inventory-notes", "Notes (optional)", textArea("inventory-notes", { max: LONG, value: current.notes || "" }),
      "Anything a peer should know. No names.");
    // Keys of an older vocabulary version no longer offered: named, and left out on saving.
    const offered = new Set(options.map(([key]) => key));
    const retired = [...current.strengths, ...current.growth_areas].filter((key) => !offered.has(key));
    const errors = statusLine("inventory-error");
    const save = h("button", { type: "button", class: "primary", testid: "save-inventory" }, "Save my inventory");
    save.addEventListener("click", async () => {
      const strong = strengths.values();
      const grow = growth.values();
      const text = notes.control.value.trim();
      const problems = [strong.length <= 20 && grow.length <= 20 ? null : "At most 20 strengths and 20 growth areas.",
        textProblem(text, { label: "Notes", max: LONG, required: false })].filter(Boolean);
      if (problems.length) { showProblems(errors, problems); return; }
      errors.hidden = true;
      const form = { role: role.control.value, strengths: strong, growth_areas: grow, catalog_version: data.catalog_version,
        skills_version: data.skills_version };
      if (text) form.notes = text;
      if (await commit(flash, () => outbox.send("POST", path, form, { label: "My skill inventory" }),
        { done: "Inventory saved." }) === "synced") await render();
    });
    redraw(body,
      h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1" }, "My skill inventory"),
      h("p", {}, data.inventory ? "Update it whenever it changes: matching and your growth goals read the latest."
        : "No inventory yet: the organizer matches peers and you choose growth goals from it."),
      h("p", { class: "meta", testid: "skills-version" }, `Leadership skills: version ${data.skills_version}.`,
        retired.length ? ` No longer offered, left out when you save: ${retired.join(", ").replaceAll("_", " ")}.` : ""),
      role, strengths, growth, notes, errors, save);
  };
  await render();
  return live(root, render);
}
