// Observer calibration: how alike a team's coaches see, per look-for (rooms where two or
// more of them observed it, and where they saw it alike), over terms and around the
// team's debriefs, with an exercise for the look-fors seen differently most. Never per
// room or teacher; a figure from fewer rooms than the minimum is withheld and says why.
// A coach's agreement with one teammate is shown to that coach only ("Just you two").

import { getJson } from "../api.js";
import { h, humanize, percent, replace } from "../dom.js";
import { can } from "../access.js";

function back(href = "/calibration", text = "← Calibration") {
  return h("p", { class: "crumbs" }, h("a", { href, "data-link": true }, text));
}

function link(href, text, testid, primary = false) {
  return h("a", { href, "data-link": true, class: `button-link${primary ? " primary" : ""}`, testid }, text);
}

function roomsText(count) {
  return `${count} ${count === 1 ? "room" : "rooms"}`;
}

/** One figure: "5 of 7 rooms (71%)", or why it is withheld. */
function figure(agreement, minimum) {
  if (agreement.suppressed) {
    return h("span", { class: "suppressed" },
      agreement.rooms ? `${roomsText(agreement.rooms)}: fewer than ${minimum}, not shown` : "no rooms yet");
  }
  return `${agreement.agreed} of ${roomsText(agreement.rooms)} (${percent(agreement.agreement)})`;
}

function change(value) {
  if (value === null || value === undefined) return "–";
  const points = Math.round(value * 100);
  return `${points > 0 ? "+" : ""}${points} points`;
}

function itemsTable(report) {
  const shown = report.items.filter((i) => i.overall.rooms > 0);
  if (!shown.length) {
    return h("p", { class: "empty", testid: "calibration-empty" },
      "No room was observed by two or more coaches yet: agreement shows once the team observes rooms together.");
  }
  const terms = [...new Set(shown.flatMap((i) => i.terms.map((t) => t.term)))].sort();
  // A phone scrolls the table, not the page (the region takes the focus to scroll by keys).
  return h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Agreement per look-for" },
    h("table", { class: "trend-table calibration-table", testid: "calibration-table" },
      h("caption", {}, "Agreement per look-for: rooms seen alike / rooms observed by two or more coaches"),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, "Look-for"),
        h("th", { scope: "col" }, "All visits"),
        terms.map((t) => h("th", { scope: "col" }, humanize(t))),
        h("th", { scope: "col" }, "Before discussing it"),
        h("th", { scope: "col" }, "After"),
        h("th", { scope: "col" }, "Change"))),
      h("tbody", {}, shown.map((i) => {
        const byTerm = new Map(i.terms.map((t) => [t.term, t.agreement]));
        return h("tr", { testid: `calibration-${i.key}` },
          h("th", { scope: "row" }, i.prompt),
          h("td", {}, figure(i.overall, report.min_rooms)),
          terms.map((t) => h("td", {}, byTerm.has(t) ? figure(byTerm.get(t), report.min_rooms) : "–")),
          h("td", {}, i.discussed_by ? figure(i.before_discussion, report.min_rooms) : "not discussed yet"),
          h("td", {}, i.discussed_by ? figure(i.after_discussion, report.min_rooms) : "–"),
          h("td", {}, change(i.change)));
      }))));
}

function differedSection(report) {
  const prompts = new Map(report.items.map((i) => [i.key, i.prompt]));
  return h("section", { class: "card", "aria-labelledby": "differed-heading", testid: "most-differed" },
    h("h2", { id: "differed-heading" }, "Seen differently most"),
    report.most_differed.length
      ? h("ol", {}, report.most_differed.map((key) => h("li", {}, prompts.get(key) || humanize(key))))
      : h("p", { class: "empty" }, `No look-for seen differently in ${report.min_rooms} rooms or more.`));
}

function exercisesSection(report) {
  if (!report.exercises.length) return null;
  return h("section", { class: "card", "aria-labelledby": "exercise-heading", testid: "exercises" },
    h("h2", { id: "exercise-heading" }, "Before the next visit: a calibration exercise"),
    report.exercises.map((e) => h("div", { class: "exercise", testid: `exercise-${e.key}` },
      h("h3", {}, `${e.prompt} (${percent(e.agreement)} alike)`),
      h("ol", {}, e.steps.map((step) => h("li", {}, step))))));
}

function reportScreen(root, report, pairs) {
  replace(root,
    back(),
    h("h1", { tabindex: "-1" }, report.title),
    report.members.length ? h("p", { class: "meta" }, report.members.map((m) => m.name).join(" · ")) : null,
    h("p", { class: "hint", testid: "calibration-rule" }, report.rule),
    h("p", { class: "meta" }, `${report.visits} ${report.visits === 1 ? "visit" : "visits"}`),
    itemsTable(report),
    differedSection(report),
    exercisesSection(report),
    pairs);
}

function pairsSection(data) {
  return h("section", { class: "card", "aria-labelledby": "pairs-heading", testid: "my-pairs" },
    h("h2", { id: "pairs-heading" }, "Just you two"),
    h("p", { class: "hint" }, "How alike you and each teammate see. Shown to the two of you only: not to organizers, not to the rest of the team."),
    data.pairs.length ? data.pairs.map((pair) => {
      const other = pair.coaches.find((c) => c.id !== data.coach.id) || pair.coaches[0];
      return h("div", { class: "pair", testid: `pair-${other.id}` },
        h("h3", {}, `You and ${other.name}`),
        h("p", { class: "meta" }, `${roomsText(pair.rooms)} observed together`),
        pair.items.length ? h("ul", {}, pair.items.map((i) => h("li", {}, `${i.prompt}: `, figure(i.agreement, pair.min_rooms))))
          : null);
    }) : h("p", { class: "empty" }, "You have not observed a room with a teammate yet."));
}

async function overview(root, me, setTitle) {
  setTitle("Calibration");
  const [{ data: teams }, { data: pairs }, { data: partnerships }] = await Promise.all([
    getJson("/api/calibration/teams"), getJson("/api/calibration/pairs"), getJson("/api/partnerships")]);
  const district = can(me, "see_district_trends");
  replace(root,
    h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
    h("h1", { tabindex: "-1" }, "Calibration: how alike we see"),
    h("p", { class: "lede" }, "Where coaches who observed the same room saw a look-for alike. It measures the observers, never a teacher: no room or teacher is ever shown."),
    district ? h("p", { class: "links" }, link("/calibration/district", "The district", "calibration-district", true)) : null,
    h("section", { class: "card", "aria-labelledby": "teams-heading", testid: "calibration-teams" },
      h("h2", { id: "teams-heading" }, can(me, "see_every_visit") ? "Visit teams" : "Your visit teams"),
      teams.teams.length ? h("ul", { class: "team-list" }, teams.teams.map((t) => h("li", {},
        link(`/calibration/teams/${t.team_id}`, t.members.map((m) => m.name).join(", "), `team-${t.team_id}`),
        h("span", { class: "meta" }, ` ${t.visits} ${t.visits === 1 ? "visit" : "visits"}`))))
        : h("p", { class: "empty" }, "No visit team yet.")),
    partnerships.partnerships.length ? h("section", { class: "card", "aria-labelledby": "partnerships-heading" },
      h("h2", { id: "partnerships-heading" }, "Partnerships"),
      h("ul", { class: "team-list" }, partnerships.partnerships.map((p) => h("li", {},
        link(`/calibration/partnerships/${encodeURIComponent(p.partnership_id)}`, p.focus ? `${p.name}: ${p.focus}` : p.name,
          `partnership-${p.partnership_id}`))))) : null,
    can(me, "compare_with_teammates") || pairs.pairs.length ? pairsSection(pairs) : null);
}

export async function renderCalibration(root, path, me, { setTitle }) {
  let match;
  if ((match = path.match(/^\/calibration\/teams\/([^/]+)\/?$/))) {
    setTitle("Team calibration");
    const [{ data: report }, { data: pairs }] = await Promise.all([
      getJson(`/api/calibration/teams/${encodeURIComponent(match[1])}`), getJson("/api/calibration/pairs")]);
    const ids = new Set(report.members.map((m) => m.id));
    const own = ids.has(me.user.id)
      ? pairsSection({ ...pairs, pairs: pairs.pairs.filter((p) => p.coaches.every((c) => ids.has(c.id))) })
      : null;
    reportScreen(root, report, own);
  } else if ((match = path.match(/^\/calibration\/partnerships\/([^/]+)\/?$/))) {
    setTitle("Partnership calibration");
    const { data } = await getJson(`/api/calibration/partnerships/${encodeURIComponent(decodeURIComponent(match[1]))}`);
    reportScreen(root, data, null);
  } else if (/^\/calibration\/district\/?$/.test(path)) {
    setTitle("District calibration");
    const { data } = await getJson("/api/calibration/district");
    reportScreen(root, data, null);
  } else {
    await overview(root, me, setTitle);
  }
}
