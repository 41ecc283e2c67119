// Organizers: the district's people with their skill inventories (role, strengths,
// growth areas: what matching reads), and a one-time sign-in link for one of them,
// shown once as a QR code (for the tablet's camera) and as the link itself.

import { ApiError, getJson, request } from "../api.js";
import { h, humanize, replace } from "../dom.js";
import {
  LONG, checkboxGroup, commit, field, screen, select, showProblems, statusLine, textArea,
  textProblem,
} from "../forms.js";
import * as outbox from "../outbox.js";
import { can } from "../access.js";

const ROLES = [["principal", "Principal"], ["assistant_principal", "Assistant principal"], ["other", "Other administrator"]];

function prompts(catalog, keys) {
  const byKey = new Map(catalog.items.map((item) => [item.key, item.prompt]));
  return (keys || []).map((key) => byKey.get(key) || key).join("; ") || "none";
}

function inventoryShown(inventory, catalog) {
  if (!inventory) return h("p", { class: "empty" }, "No skill inventory yet.");
  const role = ROLES.find(([key]) => key === inventory.role);
  return h("dl", { class: "step-details" },
    h("dt", {}, "Role"), h("dd", {}, role ? role[1] : inventory.role),
    h("dt", {}, "Strengths"), h("dd", {}, prompts(catalog, inventory.strengths)),
    h("dt", {}, "Growth areas"), h("dd", {}, prompts(catalog, inventory.growth_areas)),
    inventory.notes ? [h("dt", {}, "Notes"), h("dd", {}, inventory.notes)] : null);
}

/** The person's skill inventory and a form for a new one (administrators of a campus). */
function inventoryBlock(person, inventory, catalog, flash) {
  const shown = h("div", { testid: `inventory-${person.id}` }, inventoryShown(inventory, catalog));
  const options = catalog.items.map((item) => [item.key, item.prompt]);
  const role = field(`role-${person.id}`, "Role", select(`inventory-role-${person.id}`, ROLES, inventory ? inventory.role : "principal"));
  const strengths = checkboxGroup(`strengths-${person.id}`, "Strengths", options,
    { checked: inventory ? inventory.strengths : [], testid: `strengths-${person.id}` });
  const growth = checkboxGroup(`growth-${person.id}`, "Growth areas", options,
    { checked: inventory ? inventory.growth_areas : [], testid: `growth-${person.id}` });
  const notes = field(`inventory-notes-${person.id}`, "Notes (optional)", textArea(`inventory-notes-${person.id}`, { max: LONG, rows: 2 }));
  const status = statusLine(`inventory-error-${person.id}`);
  const save = h("button", { type: "button", class: "primary", testid: `save-inventory-${person.id}` }, "Save skill inventory");
  const form = h("div", { class: "section-form", hidden: true }, role, strengths, growth, notes, status, save);
  const toggle = h("button", { type: "button", class: "secondary", "aria-expanded": "false",
    testid: `edit-inventory-${person.id}` }, inventory ? "New skill inventory" : "Record skill inventory");
  toggle.addEventListener("click", () => {
    form.hidden = !form.hidden;
    toggle.setAttribute("aria-expanded", String(!form.hidden));
  });
  save.addEventListener("click", async () => {
    const body = { role: role.control.value, strengths: strengths.values(), growth_areas: growth.values(),
      catalog_version: catalog.version };
    const text = notes.control.value.trim();
    const problems = [textProblem(text, { label: "Notes", max: LONG, required: false }),
      body.strengths.length > 20 || body.growth_areas.length > 20 ? "At most 20 strengths and 20 growth areas." : null]
      .filter(Boolean);
    if (problems.length) { showProblems(status, problems); return; }
    status.hidden = true;
    if (text) body.notes = text;
    const result = await commit(flash, () => outbox.send("POST", `/api/people/${encodeURIComponent(person.id)}/skill-inventory`,
      body, { label: `Skill inventory of ${person.name}` }), { done: `Skill inventory of ${person.name} saved.` });
    if (result !== "rejected") {
      replace(shown, inventoryShown({ ...body, notes: text || null }, catalog));
      form.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
    }
  });
  return h("div", { class: "inventory" }, h("h3", {}, "Skill inventory"), shown, toggle, form);
}

// segno draws a QR code with these elements only; anything else is not inserted.
const QR_ELEMENTS = new Set(["svg", "title", "desc", "path", "rect", "g"]);
const UNSAFE_ATTRIBUTE = /^on|^style$|href$/i;

/** The server's SVG as a node of this page: parsed on its own, checked, then imported. */
function qrCode(svgText, label) {
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.localName !== "svg" || doc.getElementsByTagName("parsererror").length) return null;
  for (const el of [svg, ...svg.querySelectorAll("*")]) {
    if (!QR_ELEMENTS.has(el.localName)) return null;
    if ([...el.attributes].some((attr) => UNSAFE_ATTRIBUTE.test(attr.name))) return null;
  }
  const node = document.importNode(svg, true);
  node.setAttribute("role", "img");
  node.setAttribute("aria-label", label);
  node.classList.add("qr");
  return node;
}

function expiresAt(iso) {
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? iso : when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function linkShown(person, made) {
  const url = h("input", { type: "text", readonly: true, value: made.url, class: "link-url",
    testid: `link-url-${person.id}`, "aria-label": `Sign-in link for ${person.name}` });
  url.addEventListener("focus", () => url.select());
  const copied = h("span", { class: "hint", role: "status" });
  const copy = h("button", { type: "button", class: "secondary small", testid: `copy-link-${person.id}` }, "Copy link");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(made.url);
      copied.textContent = "Copied.";
    } catch {
      url.focus();  // no clipboard (plain http): the link is selected for copying by hand
      copied.textContent = "Selected: copy it with your keyboard or menu.";
    }
  });
  const qr = qrCode(made.qr_svg, `QR code of the sign-in link for ${person.name}`);
  return h("div", { class: "link-result", testid: `link-${person.id}` },
    qr ? h("figure", { class: "qr-figure", testid: `link-qr-${person.id}` }, qr) : null,
    h("p", {}, h("strong", {}, `Works once, until ${expiresAt(made.expires_at)}. `),
      `Scan it with ${person.name}'s tablet camera, or open the link on the tablet. It is shown only now.`),
    h("div", { class: "link-copy" }, url, copy),
    copied);
}

function personCard(person, inventory, catalog, flash) {
  const result = h("div", { "aria-live": "polite" });
  const make = h("button", { type: "button", class: "primary", testid: `make-link-${person.id}` },
    "Make a sign-in link");
  make.addEventListener("click", async () => {
    make.disabled = true;
    try {
      const { data } = await request("POST", `/api/people/${encodeURIComponent(person.id)}/signin-link`);
      replace(result, linkShown(person, data));
      make.textContent = "Make another link";
    } catch (failure) {
      const message = failure instanceof ApiError ? failure.message : "The server cannot be reached right now.";
      replace(result, h("p", { class: "error", role: "alert", testid: `link-error-${person.id}` }, message));
    } finally {
      make.disabled = false;
    }
  });
  const email = h("button", { type: "button", class: "secondary", testid: `email-link-${person.id}` },
    "Send a link by email");
  email.addEventListener("click", async () => {
    email.disabled = true;
    try {
      const { data } = await request("POST", `/api/people/${encodeURIComponent(person.id)}/signin-email`);
      replace(result, h("p", { class: "notice", role: "status", testid: `email-sent-${person.id}` },
        `A sign-in link is on its way to ${data.email}. It works once, until ${expiresAt(data.expires_at)}.`));
    } catch (failure) {
      const message = failure instanceof ApiError ? failure.message : "The server cannot be reached right now.";
      replace(result, h("p", { class: "error", role: "alert", testid: `link-error-${person.id}` }, message));
    } finally {
      email.disabled = false;
    }
  });
  const where = person.school ? ` · ${person.school.name}` : "";
  return h("li", { class: "card person", testid: `person-${person.id}` },
    h("h2", {}, person.name),
    h("p", { class: "meta" }, `${person.roles.map(humanize).join(", ")}${where} · ${person.id}`),
    person.school ? inventoryBlock(person, inventory, catalog, flash) : null,
    h("h3", {}, "Sign-in link"),
    h("div", { class: "field-row" }, make, email),
    result);
}

export async function renderPeople(root, me, { setTitle }) {
  setTitle("People");
  const back = h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits"));
  if (!can(me, "keep_people")) {
    replace(root, back, h("h1", { tabindex: "-1" }, "Sign-in links"),
      h("p", { class: "notice", testid: "people-forbidden" }, "Sign-in links are made by program organizers."));
    return;
  }
  const [{ data }, { data: preparation }, { data: catalogs }] = await Promise.all([
    request("GET", "/api/people"), getJson("/api/preparation"), getJson("/api/catalogs")]);
  const latest = Math.max(...catalogs.catalogs.map((c) => c.version));
  const { data: catalog } = await getJson(`/api/catalogs/${latest}`);
  const inventories = new Map(preparation.skill_inventories.map((i) => [i.user_id, i]));
  const { body, flash } = screen(root);
  replace(body,
    back,
    h("h1", { tabindex: "-1" }, "People"),
    h("p", {}, "Skill inventories say what each administrator is strong in and wants to grow in: matching reads them. "
      + "A sign-in link lets a person sign in on their tablet: it works once, for 15 minutes, at the address you are using now."),
    h("ul", { class: "people-list", testid: "people-list" },
      data.people.map((person) => personCard(person, inventories.get(person.id), catalog, flash))));
}
