// The signed-in person's visits, from GET /api/me.

import { h, humanize, replace, formatDate } from "../dom.js";

export function renderVisits(root, me, { stale, setTitle }) {
  setTitle("Visits");
  const visits = me.visits || [];
  const cards = visits.map((v) => {
    const links = [];
    if (v.relation === "team") {
      links.push(h("a", { href: `/visits/${v.id}`, "data-link": true, class: "button-link primary",
        testid: `capture-${v.id}` }, "Capture"));
    }
    links.push(h("a", { href: `/visits/${v.id}/summary`, "data-link": true, class: "button-link",
      testid: `summary-${v.id}` }, "Summary"));
    links.push(h("a", { href: `/visits/${v.id}/debrief`, "data-link": true, class: "button-link",
      testid: `debrief-${v.id}` }, "Debrief agenda"));
    return h("li", { class: "card visit", testid: `visit-${v.id}` },
      h("h2", {}, v.school ? v.school.name : "Visit"),
      h("p", { class: "meta" },
        `${formatDate(v.date)} · `,
        h("span", { class: `phase phase-${v.phase}` }, humanize(v.phase)),
        ` · you: ${humanize(v.relation || "")}`),
      v.focus ? h("p", { class: "focus" }, h("strong", {}, "Focus: "), v.focus) : null,
      h("p", { class: "links" }, links));
  });
  const organizer = ((me.user && me.user.roles) || []).includes("organizer");
  replace(root,
    h("h1", { tabindex: "-1" }, "Your visits"),
    organizer ? h("p", { class: "links" }, h("a", { href: "/people", "data-link": true,
      class: "button-link", testid: "people-link" }, "Sign-in links for people")) : null,
    stale ? h("p", { class: "notice", role: "status" }, "Offline: showing the list saved on this tablet.") : null,
    visits.length
      ? h("ul", { class: "visit-list", testid: "visit-list" }, cards)
      : h("p", { class: "empty", testid: "visit-list" }, "No visits are assigned to you."));
}
