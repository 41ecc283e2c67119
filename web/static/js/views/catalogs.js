// Organizers: the look-for catalog versions, and a new version published from the
// latest one (some look-fors left out, one added). An edit is always a new version:
// visits planned on an older one keep theirs.

import { getJson } from "../api.js";
import { h } from "../dom.js";
import { LOOK_FOR_KEY_PATTERN } from "../generated/schema.js";
import * as outbox from "../outbox.js";
import {
  SHORT, checkboxGroup, commit, field, live, screen, select, showProblems, statusLine, textInput,
  textProblem,
  redraw,
} from "../forms.js";
import { can } from "../access.js";
import { kindName } from "./capture-widgets.js";

const KINDS = [["yes_no", "Yes / no / not observed"], ["note", "Note (text)"], ["count", "Count"]];
const KEY = new RegExp(LOOK_FOR_KEY_PATTERN);

function publishForm(latest, flash, refresh) {
  const keep = checkboxGroup("keep", "Look-fors kept in the new version",
    latest.items.map((item) => [item.key, item.prompt]), { checked: latest.items.map((i) => i.key), testid: "keep" });
  const key = field("new-key", "Key", textInput("new-key", { max: 64, placeholder: "e.g. exit_ticket" }),
    "Lower case letters, digits and _; it names the look-for in exports.");
  const prompt = field("new-prompt", "Prompt", textInput("new-prompt", { max: SHORT, placeholder: "e.g. Exit ticket used" }));
  const kind = field("new-kind", "Kind", select("new-kind", KINDS));
  const notes = field("catalog-notes", "What changed (optional)", textInput("catalog-notes", { max: SHORT }));
  const status = statusLine("catalog-error");
  const publish = h("button", { type: "button", class: "primary", testid: "publish-catalog" }, "Publish a new version");
  publish.addEventListener("click", async () => {
    const kept = latest.items.filter((item) => keep.values().includes(item.key));
    const newKey = key.control.value.trim();
    const newPrompt = prompt.control.value.trim();
    const problems = [
      textProblem(notes.control.value, { label: "What changed", max: SHORT, required: false }),
    ];
    if (newKey || newPrompt) {
      problems.push(KEY.test(newKey) ? null : "Key: lower case letters, digits and _, starting with a letter.",
        kept.some((item) => item.key === newKey) ? "Key: the catalog has this key already." : null,
        textProblem(newPrompt, { label: "Prompt", max: SHORT }));
    }
    const items = newKey ? [...kept, { key: newKey, prompt: newPrompt, kind: kind.control.value }] : kept;
    if (!items.length) problems.push("A catalog has at least one look-for.");
    if (items.length > 60) problems.push("A catalog has at most 60 look-fors.");
    const found = problems.filter(Boolean);
    if (found.length) { showProblems(status, found); return; }
    status.hidden = true;
    const body = { items };
    if (notes.control.value.trim()) body.notes = notes.control.value.trim();
    if (await commit(flash, () => outbox.send("POST", "/api/catalogs", body, { label: "New catalog version" }),
      { done: "New catalog version published." }) === "synced") await refresh();
  });
  return h("section", { class: "card", "aria-labelledby": "publish-heading", testid: "publish-card" },
    h("h2", { id: "publish-heading" }, `Publish version ${latest.version + 1}`),
    h("p", { class: "hint" }, `From version ${latest.version}: leave look-fors out, add one.`),
    keep,
    h("fieldset", { class: "checks" }, h("legend", {}, "Add a look-for (optional)"),
      h("div", { class: "field-row" }, prompt, kind), key),
    notes, status, publish);
}

export async function renderCatalogs(root, me, { setTitle }) {
  setTitle("Look-for catalogs");
  const { body, flash } = screen(root);
  const organizer = can(me, "publish_catalogs");
  const render = async () => {
    const { data } = await getJson("/api/catalogs");
    const versions = data.catalogs.map((c) => c.version);
    const latestVersion = Math.max(...versions);
    const { data: latest } = await getJson(`/api/catalogs/${latestVersion}`);
    redraw(body,
      h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1" }, "Look-for catalogs"),
      h("ul", { class: "catalog-list", testid: "catalog-list" }, data.catalogs.map((c) =>
        h("li", {}, h("strong", {}, `Version ${c.version}`), ` · ${c.items} look-fors`,
          c.version === latestVersion ? " · latest" : ""))),
      h("section", { class: "card", "aria-labelledby": "latest-heading" },
        h("h2", { id: "latest-heading" }, `Version ${latest.version}`),
        h("ul", { class: "catalog-items", testid: "catalog-items" }, latest.items.map((item) =>
          h("li", {}, h("strong", {}, item.prompt), ` · ${kindName(item.kind)}`, h("span", { class: "meta" }, ` (${item.key})`))))),
      organizer ? publishForm(latest, flash, render) : null);
  };
  await render();
  return live(root, render);
}
