// Organizers: the leadership skill vocabulary that inventories, needs, goals and a
// cross-role network's focus name, edited as versioned content (like catalogs): the
// latest version is shown, one skill per line as "key: name"; publishing makes the next
// version (queued in the outbox). Entries recorded on an older version keep theirs and
// stay readable: a key keeps its name in every later version that still has it.

import { getJson } from "../api.js";
import { h } from "../dom.js";
import * as outbox from "../outbox.js";
import { SHORT, commit, field, live, redraw, screen, showProblems, statusLine, textArea, textInput, textProblem } from "../forms.js";
import { can } from "../access.js";

const MAX_SKILLS = 40;
const KEY = /^[a-z][a-z0-9_]{0,63}$/;

/** "Managing resistance" -> "managing_resistance": a key for a skill typed without one. */
function keyOf(name) {
  const key = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 64);
  return /^[a-z]/.test(key) ? key : `skill_${key}`.slice(0, 64);
}

function parse(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const at = line.indexOf(":");
    const key = at > 0 ? line.slice(0, at).trim() : "";
    const name = at > 0 ? line.slice(at + 1).trim() : line;
    return { key: KEY.test(key) ? key : keyOf(name), name, typed: key };
  });
}

export async function renderSkills(root, me, { setTitle }) {
  setTitle("Leadership skills");
  const { body, flash } = screen(root);
  if (!can(me, "keep_skills")) {
    redraw(body, h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1" }, "Leadership skills"),
      h("p", { class: "notice", testid: "organizers-only" }, "This is for program organizers."));
    return null;
  }
  const render = async () => {
    const { data, stale } = await getJson("/api/leadership-skills");
    const latest = data.versions[data.versions.length - 1];
    const list = field("skills-list", "Skills, one per line (key: name)",
      textArea("skills-list", { max: (SHORT + 66) * MAX_SKILLS, rows: 10,
        value: latest.skills.map((s) => `${s.key}: ${s.name}`).join("\n") }),
      `At most ${MAX_SKILLS}. Keep a skill's key to keep its meaning; a line without a key gets one from its name. No names of people.`);
    const notes = field("skills-notes", "What changed (optional)", textInput("skills-notes", { max: SHORT }));
    const errors = statusLine("skills-error");
    const publish = h("button", { type: "button", class: "primary", testid: "publish-skills" }, `Publish as version ${latest.version + 1}`);
    publish.addEventListener("click", async () => {
      const skills = parse(list.control.value);
      const keys = skills.map((s) => s.key);
      const text = notes.control.value.trim();
      const problems = [skills.length && skills.length <= MAX_SKILLS ? null : `Write 1 to ${MAX_SKILLS} skills.`,
        new Set(keys).size === keys.length ? null : "Two skills have the same key: give each its own.",
        ...skills.map((s, index) => textProblem(s.name, { label: `Skill ${index + 1}`, max: SHORT })),
        textProblem(text, { label: "What changed", max: SHORT, required: false })].filter(Boolean);
      if (problems.length) { showProblems(errors, problems); return; }
      errors.hidden = true;
      const form = { skills: skills.map(({ key, name }) => ({ key, name })) };
      if (text) form.notes = text;
      if (await commit(flash, () => outbox.send("POST", "/api/leadership-skills", form,
        { label: "Leadership skills" }), { done: "Published: inventories, needs and goals offer it from now on." }) === "synced") {
        await render();
      }
    });
    const earlier = data.versions.slice(0, -1).reverse();
    redraw(body,
      h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1" }, "Leadership skills"),
      stale ? h("p", { class: "notice", role: "status" }, "Offline: showing what was saved on this tablet.") : null,
      h("p", { testid: "skills-version" }, `Version ${latest.version} is in use`,
        latest.notes ? ` (${latest.notes})` : "",
        ". Skill inventories, needs assessments and growth goals name the version they used; a cross-role network focuses on one skill."),
      list, notes, errors, publish,
      earlier.length ? h("section", { "aria-labelledby": "skills-earlier-heading", testid: "skills-earlier" },
        h("h2", { id: "skills-earlier-heading" }, "Earlier versions"),
        h("ul", {}, earlier.map((v) => h("li", { testid: `skills-version-${v.version}` },
          h("strong", {}, `Version ${v.version}: `), v.skills.map((s) => s.name).join(", "))))) : null);
  };
  await render();
  return live(root, render);
}
