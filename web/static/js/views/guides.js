// Organizers: the conversation guides of a Leadership Learning Partnership's first
// conversations, edited as versioned content (like catalogs): the latest version is
// shown in fields, one guide per conversation, one prompt per line; publishing makes
// the next version (queued in the outbox), and conversations name the version they used.

import { getJson } from "../api.js";
import { h } from "../dom.js";
import * as outbox from "../outbox.js";
import { SHORT, commit, field, live, redraw, screen, showProblems, statusLine, textArea, textInput, textProblem } from "../forms.js";
import { can } from "../access.js";
import { LIMITS } from "../generated/schema.js";

const MAX_GUIDES = LIMITS.guides;
const MAX_PROMPTS = LIMITS.guide_prompts;

function guideFields(number, guide) {
  const title = field(`guide-${number}-title`, "Title", textInput(`guide-${number}-title`, { max: SHORT, value: guide ? guide.title : "" }));
  const prompts = field(`guide-${number}-prompts`, "Prompts, one per line",
    textArea(`guide-${number}-prompts`, { max: SHORT * MAX_PROMPTS, rows: 5, value: guide ? guide.prompts.join("\n") : "" }),
    `At most ${MAX_PROMPTS} prompts of ${SHORT} characters. No names.`);
  const group = h("fieldset", { class: "step-fields", testid: `guide-${number}` },
    h("legend", {}, `Conversation ${number}`), title, prompts);
  group.read = () => ({ title: title.control.value.trim(),
    prompts: prompts.control.value.split("\n").map((line) => line.trim()).filter(Boolean) });
  return group;
}

export async function renderGuides(root, me, { setTitle }) {
  setTitle("Conversation guides");
  const { body, flash } = screen(root);
  if (!can(me, "keep_guides")) {
    redraw(body, h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1" }, "Conversation guides"),
      h("p", { class: "notice", testid: "organizers-only" }, "This is for program organizers."));
    return null;
  }
  let extra = 0;
  const render = async () => {
    const { data } = await getJson("/api/conversation-guides");
    const latest = data.versions[data.versions.length - 1];
    const count = Math.min(MAX_GUIDES, latest.guides.length + extra);
    const groups = Array.from({ length: count }, (_, index) => guideFields(index + 1, latest.guides[index]));
    const notes = field("guides-notes", "What changed (optional)", textInput("guides-notes", { max: SHORT }));
    const errors = statusLine("guides-error");
    const add = h("button", { type: "button", class: "secondary", testid: "add-guide", disabled: count >= MAX_GUIDES },
      "Add a conversation");
    add.addEventListener("click", () => { extra += 1; render(); });
    const publish = h("button", { type: "button", class: "primary", testid: "publish-guides" }, `Publish as version ${latest.version + 1}`);
    publish.addEventListener("click", async () => {
      const guides = groups.map((group) => group.read()).filter((g) => g.title || g.prompts.length);
      const text = notes.control.value.trim();
      const problems = [guides.length ? null : "Write at least one guide.",
        ...guides.flatMap((g, index) => [
          textProblem(g.title, { label: `Conversation ${index + 1}, title`, max: SHORT }),
          g.prompts.length && g.prompts.length <= MAX_PROMPTS ? null : `Conversation ${index + 1}: 1 to ${MAX_PROMPTS} prompts.`,
          ...g.prompts.map((p, line) => textProblem(p, { label: `Conversation ${index + 1}, prompt ${line + 1}`, max: SHORT }))]),
        textProblem(text, { label: "What changed", max: SHORT, required: false })].filter(Boolean);
      if (problems.length) { showProblems(errors, problems); return; }
      errors.hidden = true;
      const data = { guides };
      if (text) data.notes = text;
      if (await commit(flash, () => outbox.send("POST", "/api/conversation-guides", data,
        { label: "Conversation guides" }), { done: "Published: new partnerships' conversations follow it." }) === "synced") {
        extra = 0;
        await render();
      }
    });
    redraw(body,
      h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1" }, "Conversation guides"),
      h("p", { testid: "guides-version" }, `Version ${latest.version} is in use`,
        latest.notes ? ` (${latest.notes})` : "", ". A Leadership Learning Partnership follows one guide per conversation, from the first; a conversation keeps the version it followed."),
      groups, add, notes, errors, publish);
  };
  await render();
  return live(root, render);
}
