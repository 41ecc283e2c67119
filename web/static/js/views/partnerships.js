// Partnerships: the list a person belongs to (organizers: all), and a meeting run from
// its agenda. A meeting opens with progress on the last meeting's steps (recorded here,
// one step at a time), shows the facilitator of the day (rotation; a swap when the one
// due is away), the presenter's dilemma and a protocol step by step with its timings,
// and closes only with one or two next steps. Every write is a form queued in the
// outbox (offline first); the server refuses a close before all progress is in.

import { getJson } from "../api.js";
import { h, humanize, formatDate, replace } from "../dom.js";
import { CHECK_IN_STATUSES } from "../generated/schema.js";
import * as outbox from "../outbox.js";
import {
  LABEL, LONG, SHORT, TEXT, checkboxGroup, clearFields, commit, field, isoDay, live, radioGroup, recordEvent,
  redraw, screen, select, showProblems, slug, statusLine, textArea, textInput, textProblem,
} from "../forms.js";
import { can } from "../access.js";

const ROLE_NAMES = { principal: "principal", assistant_principal: "assistant principal",
  teacher_leader: "teacher-leader", other: "administrator", administrator: "administrator" };

const STATUSES = CHECK_IN_STATUSES.map((status) => [status, humanize(status)]);

function crumbs(...more) {
  return h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits"), " · ",
    h("a", { href: "/partnerships", "data-link": true }, "Partnerships"), ...more);
}

function progressValue(text) {
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/** Organizers: a cross-role network of principals, assistant principals and teacher-leaders
 * (any campus) around one leadership skill. */
async function networkForm(flash, refresh) {
  const [{ data: people }, { data: vocabulary }] = await Promise.all([getJson("/api/people"), getJson("/api/skills")]);
  const candidates = people.people.filter((p) => p.school
    && (p.roles.includes("host") || p.roles.includes("coach") || p.roles.includes("teacher_leader")));
  const capability = field("network-capability", "Capability (the network's one focus)", select("network-capability",
    vocabulary.skills.map((s) => [s.key, s.name])));
  const members = checkboxGroup("network-member", "Members (3 to 6, at least two roles)",
    candidates.map((p) => [p.id, `${p.name}, ${p.school.name}${p.roles.includes("teacher_leader") ? " (teacher-leader)" : ""}`]),
    { testid: "network-members" });
  // Matching for the capability: whoever shares the need to grow in it, then whoever is
  // strong in it, any role, each with the reason.
  const matched = h("ul", { class: "match-list", testid: "network-matches", "aria-live": "polite" });
  const showMatches = async () => {
    const key = capability.control.value;
    try {
      const { data } = await getJson(`/api/skills/${encodeURIComponent(key)}/matches`);
      if (capability.control.value !== key) return;
      replace(matched, data.matches.length ? data.matches.map((m) => h("li", { testid: `network-match-${m.user_id}` },
        h("strong", {}, m.name), ` · ${m.school_name}: ${m.reason}`))
        : h("li", { class: "empty" }, "No inventory names this capability yet."));
    } catch {
      replace(matched, h("li", { class: "empty" }, "Matches need the network once; pick members below."));
    }
  };
  capability.control.addEventListener("change", showMatches);
  await showMatches();
  const focus = field("network-focus", "Focus (optional)", textInput("network-focus", { max: SHORT }));
  const starts = field("network-starts", "Starts", textInput("network-starts", { type: "date", value: isoDay(0) }));
  const errors = statusLine("network-error");
  const form = h("button", { type: "button", class: "primary", testid: "form-network" }, "Form the network");
  form.addEventListener("click", async () => {
    const chosen = members.values();
    const text = focus.control.value.trim();
    const problems = [chosen.length >= 3 && chosen.length <= 6 ? null : "Members: pick 3 to 6.",
      textProblem(text, { label: "Focus", max: SHORT, required: false }),
      starts.control.value ? null : "Starts: choose a date."].filter(Boolean);
    if (problems.length) { showProblems(errors, problems); return; }
    errors.hidden = true;
    const body = { partnership_id: slug(capability.control.value, "net"), kind: "network", members: chosen,
      starts: starts.control.value, capability: capability.control.value };
    if (text) body.focus = text;
    if (await commit(flash, () => outbox.send("POST", "/api/partnerships", body, { label: "Cross-role network" }),
      { done: "Network formed." }) === "synced") await refresh();
  });
  return h("section", { class: "card", "aria-labelledby": "network-heading", testid: "network-card" },
    h("h2", { id: "network-heading" }, "Form a cross-role network"),
    h("p", { class: "hint" }, "Principals, assistant principals and teacher-leaders learning one capability together; "
      + "members acknowledge ground rules that flatten hierarchy at the first meeting."),
    capability, h("h3", {}, "Who matches this capability"), matched,
    members, h("div", { class: "field-row" }, focus, starts), errors, form);
}

/** Members an organizer added although matching did not propose them, with why. */
export function unmatchedNote(partnership) {
  if (!partnership.unmatched || !partnership.unmatched.length) return null;
  const names = new Map(partnership.members.map((m) => [m.id, m.name]));
  return h("p", { class: "meta", testid: `unmatched-${partnership.partnership_id}` },
    partnership.unmatched.map((u) => `Added without a match: ${names.get(u.user_id) || u.user_id} (${u.reason})`).join("; "));
}

export async function renderPartnerships(root, me, { setTitle }) {
  setTitle("Partnerships");
  const { body, flash } = screen(root);
  const organizer = can(me, "form_networks");
  const render = async () => {
    const { data, stale } = await getJson("/api/partnerships");
    const items = data.partnerships.map((p) => h("li", { class: "card", testid: `partnership-${p.partnership_id}` },
      h("h2", {}, h("a", { href: `/partnerships/${encodeURIComponent(p.partnership_id)}`, "data-link": true,
        testid: `open-${p.partnership_id}` }, p.focus ? `${p.name}: ${p.focus}` : p.name)),
      h("p", { class: "meta" }, p.members.map((m) => m.name).join(", ")),
      unmatchedNote(p),
      h("p", { class: "meta" }, `${humanize(p.cadence)}, ${p.minutes} minutes`,
        p.next_meetings.length ? ` · next by the cadence: ${formatDate(p.next_meetings[0].date)}` : "")));
    redraw(body,
      h("p", { class: "crumbs" }, h("a", { href: "/", "data-link": true }, "← Visits")),
      h("h1", { tabindex: "-1" }, "Partnerships"),
      stale ? h("p", { class: "notice", role: "status" }, "Offline: showing the list saved on this tablet.") : null,
      items.length ? h("ul", { class: "partnership-list", testid: "partnership-list" }, items)
        : h("p", { class: "empty", testid: "partnership-list" }, "You are not in a partnership yet."),
      organizer ? await networkForm(flash, render) : null);
  };
  await render();
  return live(root, render);
}

// --- one meeting --------------------------------------------------------------------

function progressForm(partnershipId, step, flash, refresh) {
  const id = `${step.meeting_id}-${step.step_id}`;
  const status = radioGroup(`progress-status-${id}`, "How is it going?", STATUSES, { testid: `progress-status-${step.step_id}` });
  const progress = field(`progress-text-${id}`, "Progress (optional)",
    textInput(`progress-text-${step.step_id}`, { max: SHORT, placeholder: "e.g. 3 of 4 tallies shared" }),
    "A number or a few words. No names.");
  const errors = statusLine(`progress-error-${step.step_id}`);
  const save = h("button", { type: "button", class: "primary", testid: `record-progress-${step.step_id}` }, "Record progress");
  save.addEventListener("click", async () => {
    const chosen = status.value();
    const text = progress.control.value.trim();
    const problems = [chosen ? null : "How is it going: choose on track, at risk or done.",
      textProblem(text, { label: "Progress", max: SHORT, required: false })].filter(Boolean);
    if (problems.length) { showProblems(errors, problems); return; }
    errors.hidden = true;
    const data = { meeting_id: step.meeting_id, step_id: step.step_id, status: chosen };
    if (text) data.progress = progressValue(text);
    const restore = clearFields([progress.control]);
    const result = await commit(flash, () => outbox.send("POST",
      `/api/partnerships/${encodeURIComponent(partnershipId)}/step-progress`, data,
      { label: `Progress on "${step.text.slice(0, 40)}"` }), { done: "Progress recorded." });
    if (result === "rejected" || result === "failed") restore();
    else await refresh();
  });
  return h("div", { class: "section-form", testid: `progress-form-${step.step_id}` }, status, progress, errors, save);
}

function progressSection(agenda, progress, flash, refresh) {
  const steps = progress.steps;
  const cards = steps.map((step) => h("li", { class: "card step", testid: `last-step-${step.step_id}` },
    h("p", { class: "step-text" }, step.text),
    h("dl", { class: "step-details" },
      h("dt", {}, "Owner"), h("dd", {}, step.owner),
      h("dt", {}, "Due"), h("dd", {}, formatDate(step.due), step.overdue ? " · overdue" : ""),
      h("dt", {}, "Success looks like"), h("dd", {}, step.success),
      h("dt", {}, "Progress"), h("dd", { testid: `step-progress-${step.step_id}` }, step.status
        ? [h("span", { class: `status status-${step.status}` }, humanize(step.status)),
          step.progress !== null && step.progress !== undefined ? ` · ${step.progress}` : "",
          step.note ? ` · ${step.note}` : ""]
        : "none recorded yet")),
    step.status === "done" ? null : progressForm(agenda.partnership_id, step, flash, refresh)));
  return h("section", { class: "card agenda-section", "aria-labelledby": "progress-heading", testid: "agenda-progress" },
    h("h2", { id: "progress-heading" }, "1. Progress on the last meeting's steps"),
    progress.meeting ? h("p", { class: "meta" }, `Meeting of ${formatDate(progress.meeting.date)}`,
      progress.meeting.facilitator ? `, facilitated by ${progress.meeting.facilitator.name}` : "",
      progress.meeting.dilemma ? ` · dilemma: ${progress.meeting.dilemma}` : "",
      progress.meeting.reading ? ` · reading or problem: ${progress.meeting.reading}` : "") : null,
    steps.length ? h("ol", { class: "steps" }, cards)
      : h("p", { class: "empty", testid: "no-last-steps" }, "This is the first meeting: no steps to review yet."));
}

function facilitatorSection(agenda, upcoming) {
  if (!upcoming.facilitator) return { section: null, value: () => null };
  const due = upcoming.facilitator;
  const choice = field("facilitator-today", "Facilitator today", select("facilitator-today",
    agenda.members.map((m) => [m.id, m.id === due.id ? `${m.name} (their turn)` : m.name]), due.id),
  "If the member whose turn it is is away, another member facilitates and gives them their own next turn.");
  const swapNote = h("p", { class: "hint", testid: "swap-note", "aria-live": "polite" });
  choice.control.addEventListener("change", () => {
    const chosen = agenda.members.find((m) => m.id === choice.control.value);
    swapNote.textContent = chosen && chosen.id !== due.id
      ? `A swap: ${chosen.name} takes ${due.name}'s turn today; ${due.name} takes ${chosen.name}'s next turn.` : "";
  });
  const section = h("section", { class: "card agenda-section", "aria-labelledby": "facilitator-heading", testid: "agenda-facilitator" },
    h("h2", { id: "facilitator-heading" }, "2. Facilitator"),
    h("p", { class: "facilitator", testid: "facilitator-due" }, h("strong", {}, "Their turn: "), due.name),
    choice, swapNote);
  return { section, value: () => choice.control.value };
}

function protocolSection(agenda) {
  const protocols = agenda.protocols;
  const byKey = new Map(protocols.map((p) => [p.key, p]));
  const chooser = field("protocol-choice", "Protocol", select("protocol-choice",
    protocols.map((p) => [p.key, `${p.name} (${p.steps.reduce((n, s) => n + s.minutes, 0)} minutes)`]), protocols[0].key));
  const presenter = field("presenter", "Presenter", select("presenter",
    [["", "Choose the presenter"], ...agenda.members.map((m) => [m.id, m.name])]));
  const dilemma = field("dilemma", "The presenter's dilemma", textArea("dilemma", { max: TEXT, rows: 3 }),
    "The problem of leadership practice in a few sentences, and the question for the group. No names.");
  const purpose = h("p", { class: "hint", testid: "protocol-purpose" });
  const list = h("ol", { class: "protocol-steps", testid: "protocol-steps" });
  let current = -1;
  const advance = h("button", { type: "button", class: "secondary", testid: "protocol-next" }, "Start the protocol");
  const show = () => {
    const chosen = byKey.get(chooser.control.value);
    purpose.textContent = chosen.purpose;
    presenter.hidden = dilemma.hidden = !chosen.needs_presenter;
    list.replaceChildren(...chosen.steps.map((s, index) => h("li", {
      class: index === current ? "protocol-step current" : "protocol-step",
      "aria-current": index === current ? "step" : null, testid: `protocol-step-${index + 1}` },
    h("strong", {}, `${s.title} · ${s.minutes} min`), h("span", { class: "hint" }, ` ${s.prompt}`))));
    advance.textContent = current < 0 ? "Start the protocol"
      : current + 1 < chosen.steps.length ? `Next: ${chosen.steps[current + 1].title}` : "Protocol done";
    advance.disabled = current >= chosen.steps.length - 1 && current >= 0;
  };
  chooser.control.addEventListener("change", () => { current = -1; show(); });
  advance.addEventListener("click", () => { current += 1; show(); });
  show();
  const section = h("section", { class: "card agenda-section", "aria-labelledby": "protocol-heading", testid: "agenda-protocol" },
    h("h2", { id: "protocol-heading" }, "3. The dilemma and the protocol"),
    chooser, purpose, presenter, dilemma, list, advance);
  return {
    section,
    value: () => {
      const chosen = byKey.get(chooser.control.value);
      return { protocol: chosen.key, needs: chosen.needs_presenter, presenter: presenter.control.value,
        dilemma: dilemma.control.value.trim(), controls: [dilemma.control] };
    },
  };
}

function conversationSection(agenda) {
  const guide = agenda.guide;
  const reading = field("reading", "Reading or problem of this conversation",
    textArea("reading", { max: TEXT, rows: 2 }), "The shared reading or the problem you both face. No names.");
  const section = h("section", { class: "card agenda-section", "aria-labelledby": "conversation-heading", testid: "agenda-conversation" },
    h("h2", { id: "conversation-heading" }, "2. Today's conversation"),
    guide ? [h("p", { testid: "guide-title" }, h("strong", {}, `Guide for conversation ${guide.conversation}: `), guide.title),
      h("ol", { class: "guide-prompts", testid: "guide-prompts" }, guide.prompts.map((prompt) => h("li", {}, prompt)))]
      : h("p", { class: "hint", testid: "no-guide" }, "The guided conversations are over: choose your own reading or problem."),
    reading);
  return { section, value: () => ({ reading: reading.control.value.trim(), guide, controls: [reading.control] }) };
}

function groundRulesSection(agenda, me, flash, refresh) {
  const acknowledged = new Set(agenda.network.acknowledged);
  const mine = agenda.members.some((m) => m.id === me.user.id) && !acknowledged.has(me.user.id);
  const button = h("button", { type: "button", class: "primary", testid: "acknowledge-ground-rules" },
    "I acknowledge these ground rules");
  button.addEventListener("click", async () => {
    button.disabled = true;
    const result = await commit(flash, () => outbox.send("POST",
      `/api/partnerships/${encodeURIComponent(agenda.partnership_id)}/ground-rules`, {},
      { label: "Ground rules acknowledged" }), { done: "Ground rules acknowledged." });
    if (result === "synced" || result === "pending") await refresh();
    else button.disabled = false;
  });
  return h("section", { class: "card agenda-section", "aria-labelledby": "ground-rules-heading", testid: "ground-rules" },
    h("h2", { id: "ground-rules-heading" }, "Ground rules"),
    agenda.network.capability ? h("p", { testid: "network-capability" }, h("strong", {}, "Capability: "),
      agenda.network.capability.name) : null,
    h("ul", {}, agenda.network.ground_rules.map((rule) => h("li", {}, rule))),
    h("p", { class: "meta", testid: "acknowledged" }, "Acknowledged by: ",
      agenda.members.filter((m) => acknowledged.has(m.id)).map((m) => m.name).join(", ") || "no one yet",
      ` (${acknowledged.size} of ${agenda.members.length})`),
    mine ? button : null);
}

function reflectionNotice(agenda, me) {
  if (!agenda.reflection_due || !agenda.members.some((m) => m.id === me.user.id)) return null;
  return h("p", { class: "notice", testid: "reflection-due" },
    `${agenda.meetings_held} conversations held: time to reflect on what this partnership is worth to you. `,
    h("a", { href: `/people/${encodeURIComponent(me.user.id)}/growth`, "data-link": true }, "Answer the pulse in your growth record"), ".");
}

/** This quarter's visit exchange: a visit at each partner's school, the other on the team. */
function exchangeCard(agenda, catalogVersion, flash, refresh) {
  const [first, second] = agenda.members;
  const schools = agenda.member_schools;
  if (!first || !second || !schools[first.id] || !schools[second.id]) return null;
  const focus = field("exchange-focus", "Focus of both visits", textInput("exchange-focus", { max: SHORT, value: agenda.focus || "" }),
    "What the visitor looks at. No names.");
  const dayA = field("exchange-date-1", `Visit at ${schools[first.id].name} (${first.name} hosts)`,
    textInput("exchange-date-1", { type: "date", value: isoDay(14) }));
  const dayB = field("exchange-date-2", `Visit at ${schools[second.id].name} (${second.name} hosts)`,
    textInput("exchange-date-2", { type: "date", value: isoDay(28) }));
  const errors = statusLine("exchange-error");
  const plan = h("button", { type: "button", class: "primary", testid: "plan-exchange" }, "Plan the visit exchange");
  plan.addEventListener("click", async () => {
    const text = focus.control.value.trim();
    const problems = [textProblem(text, { label: "Focus", max: SHORT }),
      dayA.control.value && dayB.control.value ? null : "Dates: choose the day of each visit."].filter(Boolean);
    if (problems.length) { showProblems(errors, problems); return; }
    errors.hidden = true;
    const visits = [[first, second, dayA.control.value], [second, first, dayB.control.value]];
    let result = "synced";
    for (const [host, visitor, day] of visits) {
      const outcome = await commit(flash, () => recordEvent(crypto.randomUUID(), "VisitPlanned", {
        school_id: schools[host.id].id, host: host.id, team: [visitor.id], focus: text,
        catalog_version: catalogVersion, date: day, partnership_id: agenda.partnership_id,
      }), { done: "Visit exchange planned: both visits are in your visits." });
      if (outcome !== "synced") result = outcome;
    }
    if (result === "synced" || result === "pending") await refresh();
  });
  return h("section", { class: "card agenda-section", "aria-labelledby": "exchange-heading", testid: "exchange-card" },
    h("h2", { id: "exchange-heading" }, "This quarter's visit exchange"),
    h("p", { class: "hint" }, "A visit at each partner's school, the other partner on the team."),
    focus, h("div", { class: "field-row" }, dayA, dayB), errors, plan);
}

function stepFields(number, meetingDay) {
  const prefix = `new-step-${number}`;
  const text = field(`${prefix}-text`, "Step", textArea(`${prefix}-text`, { max: TEXT, rows: 2 }), "Something to do before the next meeting. No names.");
  const owner = field(`${prefix}-owner`, "Owner", textInput(`${prefix}-owner`, { max: LABEL }));
  const due = field(`${prefix}-due`, "Due", textInput(`${prefix}-due`, { type: "date", value: isoDay(21) }));
  const success = field(`${prefix}-success`, "Success looks like", textArea(`${prefix}-success`, { max: TEXT, rows: 2 }));
  const group = h("fieldset", { class: "step-fields", testid: prefix }, h("legend", {}, `Next step ${number}`),
    text, h("div", { class: "field-row" }, owner, due), success);
  group.read = () => ({ text: text.control.value.trim(), owner: owner.control.value.trim(),
    due: due.control.value, success: success.control.value.trim() });
  group.problems = (values) => {
    const label = `Next step ${number}`;
    return [textProblem(values.text, { label: `${label}, the step`, max: TEXT }),
      values.owner ? (values.owner.length > LABEL ? `${label}: the owner in at most ${LABEL} characters.` : null)
        : `${label}: name its owner.`,
      !values.due ? `${label}: choose its due date.` : values.due < meetingDay ? `${label}: due after the meeting.` : null,
      textProblem(values.success, { label: `${label}, success`, max: TEXT })].filter(Boolean);
  };
  group.blank = () => { const v = group.read(); return !v.text && !v.success; };
  group.controls = [text.control, success.control];
  return group;
}

/** Progress on the other open steps the members own: visits' plans, other meetings. */
function membersSteps(agenda) {
  if (!agenda.members_steps.length) return null;
  return h("section", { class: "card agenda-section", "aria-labelledby": "owned-heading", testid: "members-steps" },
    h("h2", { id: "owned-heading" }, "Progress on the members' other open steps"),
    h("ul", { class: "history" }, agenda.members_steps.map((step) => h("li", { testid: `owned-${step.step_id}` },
      h("span", { class: `status status-${step.status}` }, humanize(step.status)),
      ` · ${step.text} · ${step.owner}, due ${formatDate(step.due)}`, step.overdue ? " · overdue" : "",
      step.source === "visit" ? [" · ", h("a", { href: `/visits/${step.visit_id}/plan`, "data-link": true }, "check in")]
        : step.source === "goal" && step.goal_of ? [" · ", h("a", { href: `/people/${encodeURIComponent(step.goal_of.id)}/growth`,
          "data-link": true }, `${step.goal_of.name}'s growth goal`)] : ""))));
}

export async function renderMeeting(root, partnershipId, me, { setTitle }) {
  const { body, flash } = screen(root);
  const path = `/api/partnerships/${encodeURIComponent(partnershipId)}`;
  const render = async () => {
    const [{ data: agenda, stale }, { data: catalogs }] = await Promise.all([
      getJson(`${path}/agenda`), getJson("/api/catalogs")]);
    const latestCatalog = Math.max(...catalogs.catalogs.map((c) => c.version));
    const sections = Object.fromEntries(agenda.sections.map((s) => [s.kind, s]));
    const upcoming = sections.next_meeting;
    setTitle(`${agenda.name} meeting`);
    const day = isoDay(0);
    const facilitator = facilitatorSection(agenda, upcoming);
    const pair = agenda.kind === "leadership_learning";
    const protocol = pair ? null : protocolSection(agenda);
    const conversation = pair ? conversationSection(agenda) : null;
    const first = stepFields(1, day);
    const second = stepFields(2, day);
    const notes = field("meeting-notes", "Notes (optional)", textArea("meeting-notes", { max: LONG, rows: 3 }),
      "What the group thought, in a few lines. No names.");
    const errors = statusLine("close-error");
    const close = h("button", { type: "button", class: "primary", testid: "close-meeting" }, "Close the meeting");
    const waiting = agenda.waiting_for_progress;
    const network = agenda.kind === "network";
    const rulesPending = network && agenda.meetings_held === 0
      && agenda.network.acknowledged.length < agenda.members.length;
    const stepNumber = protocol ? 4 : 3;
    const talk = conversation ? conversation.value : () => null;
    close.addEventListener("click", async () => {
      const steps = [first, second].filter((group, index) => index === 0 || !group.blank());
      const chosen = protocol ? protocol.value() : null;
      const text = notes.control.value.trim();
      const today = talk();
      const problems = [
        today ? textProblem(today.reading, { label: "Reading or problem", max: TEXT }) : null,
        waiting.length ? "Record progress on every step of the last meeting first (section 1)." : null,
        rulesPending ? "Every member acknowledges the ground rules before the first meeting closes." : null,
        ...steps.flatMap((group) => group.problems(group.read())),
        chosen && chosen.needs && !chosen.presenter ? "Presenter: choose who brings the dilemma." : null,
        chosen && chosen.needs ? textProblem(chosen.dilemma, { label: "Dilemma", max: TEXT }) : null,
        textProblem(text, { label: "Notes", max: LONG, required: false }),
      ].filter(Boolean);
      if (problems.length) { showProblems(errors, problems); return; }
      errors.hidden = true;
      const meetingId = slug(partnershipId, "m");
      const data = { meeting_id: meetingId, date: day,
        next_steps: steps.map((group, index) => ({ step_id: `${meetingId.slice(-6)}-${index + 1}`, ...group.read() })) };
      const facilitatorId = facilitator.value();
      if (facilitatorId) data.facilitator = facilitatorId;
      if (chosen) {
        data.protocol = chosen.protocol;
        if (chosen.needs) { data.presenter = chosen.presenter; data.dilemma = chosen.dilemma; }
      }
      if (text) data.notes = text;
      if (today) {
        data.reading = today.reading;
        if (today.guide) data.guides_version = today.guide.version;
      }
      const restore = clearFields([...first.controls, ...second.controls, notes.control,
        ...(chosen ? chosen.controls : []), ...(today ? today.controls : [])]);
      const result = await commit(flash, () => outbox.send("POST", `${path}/meetings`, data,
        { label: `${agenda.name} meeting of ${formatDate(day)}` }), { done: "Meeting closed with its next steps." });
      if (result === "rejected" || result === "failed") restore();
      else await render();
    });
    redraw(body,
      crumbs(),
      h("h1", { tabindex: "-1" }, agenda.focus ? `${agenda.name}: ${agenda.focus}` : agenda.name),
      h("p", { class: "meta", testid: "meeting-members" }, agenda.members.map((m) =>
        (network && agenda.network.roles[m.id]
          ? `${m.name} (${ROLE_NAMES[agenda.network.roles[m.id]] || agenda.network.roles[m.id]})` : m.name)).join(", "),
        ` · ${upcoming.cadence}, ${upcoming.minutes} minutes · meetings held: ${agenda.meetings_held}`),
      stale ? h("p", { class: "notice", role: "status" }, "Offline: showing the agenda saved on this tablet.") : null,
      reflectionNotice(agenda, me),
      network ? groundRulesSection(agenda, me, flash, render) : null,
      progressSection(agenda, sections.progress, flash, render),
      membersSteps(agenda),
      facilitator.section,
      protocol ? protocol.section : null,
      conversation ? conversation.section : null,
      h("section", { class: "card agenda-section", "aria-labelledby": "steps-heading", testid: "agenda-next-steps" },
        h("h2", { id: "steps-heading" }, `${stepNumber}. Next steps`),
        h("p", {}, sections.next_steps.rule, " The meeting closes only with at least one."),
        first, second, notes,
        waiting.length ? h("p", { class: "notice", testid: "waiting-for-progress" },
          `Before closing: record progress on ${waiting.length === 1 ? "the last meeting's step" : `the last meeting's ${waiting.length} steps`} above.`) : null,
        errors, close),
      pair ? exchangeCard(agenda, latestCatalog, flash, render) : null);
  };
  await render();
  return live(root, render);
}
