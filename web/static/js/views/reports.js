// The visit summary, read from the API (the debrief agenda is debrief-agenda.js).

import { getJson } from "../api.js";
import { evidenceList, recorded, trendItem } from "../debrief-agenda.js";
import { h, replace, rooms } from "../dom.js";

export function backLinks(visitId, here) {
  const links = [h("a", { href: "/", "data-link": true }, "← Visits")];
  if (here !== "summary") links.push(h("a", { href: `/visits/${visitId}/summary`, "data-link": true }, "Summary"));
  if (here !== "debrief") links.push(h("a", { href: `/visits/${visitId}/debrief`, "data-link": true }, "Debrief agenda"));
  links.push(h("a", { href: `/visits/${visitId}`, "data-link": true }, "Capture"));
  return h("p", { class: "crumbs" }, links.flatMap((link, i) => (i ? [" · ", link] : [link])));
}

export async function renderSummary(root, visitId, { setTitle }) {
  const { data: summary, stale } = await getJson(`/api/visits/${encodeURIComponent(visitId)}/summary`);
  setTitle("Visit summary");
  const observed = (summary.items || []).filter(recorded);
  const unobserved = (summary.items || []).filter((item) => !observed.includes(item));
  replace(root,
    backLinks(visitId, "summary"),
    h("h1", { tabindex: "-1" }, "Visit summary"),
    stale ? h("p", { class: "notice", role: "status" }, "Offline: showing the summary saved on this tablet.") : null,
    h("p", { class: "lede", testid: "summary-totals" },
      h("span", { testid: "summary-rooms" }, `${rooms(summary.rooms)} visited`),
      " · ",
      h("span", { testid: "summary-thanks" }, `${summary.thank_you_notes} thank-you ${summary.thank_you_notes === 1 ? "note" : "notes"} left`)),
    h("p", { class: "reminder" }, `Trends across rooms, never individual teachers. Each room counts once, whoever of the team entered it; “not observed” and rooms the team saw differently are left out of rates; a look-for seen in fewer than ${summary.min_rooms || 3} rooms shows no figure.`),
    h("h2", {}, "Look-fors"),
    h("ul", { class: "trend-list", testid: "summary-items" }, observed.map(trendItem)),
    unobserved.length ? h("p", { class: "meta" }, `Not recorded yet: ${unobserved.map((i) => i.prompt).join("; ")}.`) : null,
    h("h2", {}, "Evidence"),
    evidenceList(summary.evidence, summary.evidence_count));
}
