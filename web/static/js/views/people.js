// Organizers: the district's people, and a one-time sign-in link for one of them, shown
// once as a QR code (for the tablet's camera) and as the link itself.

import { ApiError, request } from "../api.js";
import { h, humanize, replace } from "../dom.js";

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

function personCard(person) {
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
  const where = person.school ? ` · ${person.school.name}` : "";
  return h("li", { class: "card person", testid: `person-${person.id}` },
    h("h2", {}, person.name),
    h("p", { class: "meta" }, `${person.roles.map(humanize).join(", ")}${where} · ${person.id}`),
    make,
    result);
}

export async function renderPeople(root, me, { setTitle }) {
  setTitle("Sign-in links");
  const back = h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits"));
  if (!(me.user.roles || []).includes("organizer")) {
    replace(root, back, h("h1", { tabindex: "-1" }, "Sign-in links"),
      h("p", { class: "notice", testid: "people-forbidden" }, "Sign-in links are made by program organizers."));
    return;
  }
  const { data } = await request("GET", "/api/people");
  replace(root,
    back,
    h("h1", { tabindex: "-1" }, "Sign-in links"),
    h("p", {}, "Make a one-time link for a person to sign in on their tablet: it works once, for 15 minutes, at the address you are using now."),
    h("ul", { class: "people-list", testid: "people-list" }, data.people.map(personCard)));
}
