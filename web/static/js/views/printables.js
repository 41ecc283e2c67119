// Things to print: the notice for staff (the visit is nonevaluative) and thank-you note
// cards for the rooms visited. No names and no feedback on either: a card thanks the
// room, it says nothing about what was seen.

import { getJson } from "../api.js";
import { h, replace, formatDate } from "../dom.js";

function printBar(back, backText) {
  const print = h("button", { type: "button", class: "primary", testid: "print" }, "Print");
  print.addEventListener("click", () => window.print());
  return h("div", { class: "print-bar" },
    h("p", { class: "crumbs" }, h("a", { href: back, "data-link": true }, backText)),
    print);
}

export async function renderNotice(root, visitId, { setTitle }) {
  const { data: visit } = await getJson(`/api/visits/${encodeURIComponent(visitId)}`);
  setTitle(`Notice for staff · ${visit.school.name}`);
  replace(root,
    printBar(`/visits/${visitId}/start`, "← Visit day"),
    h("article", { class: "printable notice-sheet", testid: "staff-notice" },
      h("h1", { tabindex: "-1" }, `Peer visit at ${visit.school.name}`),
      h("p", { class: "lede" }, `On ${formatDate(visit.date)}, a small team of administrators from other schools will visit classrooms for 10 to 20 minutes each.`),
      h("h2", {}, "This visit is nonevaluative"),
      h("ul", {},
        h("li", {}, "It looks at patterns across the school, never at one teacher."),
        h("li", {}, "No teacher is named in any note, and nothing is used for evaluation."),
        h("li", {}, "Visitors do not interrupt the lesson and give no feedback to teachers."),
        h("li", {}, "They write down what students and teachers do and say, and leave a thank-you note.")),
      visit.focus ? [h("h2", {}, "What the school asked the team to look at"), h("p", {}, visit.focus)] : null,
      h("p", {}, "Questions? Ask your principal. Thank you for opening your classroom.")));
}

const CARD_TEXT = "Thank you for welcoming us into your classroom today. We visited to learn "
  + "with you about teaching and learning across the school, not to evaluate.";

export async function renderThanks(root, visitId, { setTitle }) {
  const { data: visit } = await getJson(`/api/visits/${encodeURIComponent(visitId)}`);
  setTitle(`Thank-you notes · ${visit.school.name}`);
  const rooms = (visit.classrooms || []).map((room) => room.label);
  const cards = (rooms.length ? rooms : ["", "", ""]).map((label) =>
    h("li", { class: "thanks-card", testid: "thanks-card" },
      h("p", { class: "thanks-title" }, "Thank you"),
      h("p", {}, CARD_TEXT),
      h("p", { class: "thanks-from" }, `The visiting team · ${formatDate(visit.date)}`),
      label ? h("p", { class: "thanks-room" }, `for ${label}`) : null));
  replace(root,
    printBar("/", "← Visits"),
    h("h1", { tabindex: "-1" }, "Thank-you notes"),
    h("p", { class: "hint no-print" }, rooms.length
      ? `One card for each of the ${rooms.length} rooms the team visited. No names, no feedback: leave one in each room.`
      : "No room recorded yet: three blank cards. No names, no feedback."),
    h("ul", { class: "thanks-cards", testid: "thanks-cards" }, cards));
}
