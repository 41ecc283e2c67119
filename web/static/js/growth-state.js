// What this device recorded on an administrator's growth record, folded from the journal
// (the record's id is the events' `visit_id`), and laid over the server's answer so a
// write shows at once - offline too - until the server's record has it.
//
// The server decides: an entry it has (by its own id: entry, goal, request,
// observation, session, pulse) is shown as the server has it; one it does not have yet
// is shown marked "waiting to send". Rejected entries are left out (the rejected list
// says why). Taps follow the server's rule: a coach's own latest tap per look-for is
// their observation, in this device's recording order.

/** This device's own live events of one record, in recording order. */
export function liveEntries(entries, user) {
  return entries
    .filter((row) => row.event && row.status !== "rejected" && (!user || !row.user || row.user === user))
    .sort((a, b) => a.seq - b.seq);
}

/**
 * The practice observations this device recorded: id -> { started, taps (item -> row),
 * notes [rows], retracted, pending (ids of rows not sent yet) }.
 */
export function practiceFold(entries, user) {
  const observations = new Map();
  for (const row of liveEntries(entries, user)) {
    const { type, data } = row.event;
    if (type === "PracticeObservationStarted") {
      observations.set(data.observation_id, {
        id: data.observation_id, started: row, taps: new Map(), notes: [], retracted: false,
      });
      continue;
    }
    if (!type.startsWith("Practice")) continue;
    let observation = observations.get(data.observation_id);
    if (!observation) {
      // Joined an observation another peer (or another device) started.
      observation = { id: data.observation_id, started: null, taps: new Map(), notes: [], retracted: false };
      observations.set(data.observation_id, observation);
    }
    if (type === "PracticeObserved") observation.taps.set(data.item, row);
    else if (type === "PracticeNoted") observation.notes.push(row);
    else if (type === "PracticeObservationRetracted") observation.retracted = true;
  }
  return observations;
}

function person(me) {
  return { id: me.user.id, name: me.user.name };
}

function pending(row) {
  return row.status === "pending";
}

/**
 * The server's growth record with this device's writes it does not show yet. Every
 * added or changed part carries `pending: true` (or `sending`, its outbox status).
 */
export function overlay(record, entries, me) {
  const out = structuredClone(record);
  const mine = liveEntries(entries, me.user.id);
  const by = person(me);
  const has = (list, key, value) => list.some((item) => item[key] === value);
  for (const row of mine) {
    const { type, data } = row.event;
    const at = row.event.occurred_at;
    const waiting = pending(row);
    switch (type) {
      case "SupportLogged":
        if (!has(out.support_log, "entry_id", data.entry_id)) {
          out.support_log.push({ ...data, data_point: data.data_point || null, by, pending: waiting });
        }
        break;
      case "GoalSet":
        if (!has(out.goals, "goal_id", data.goal_id)) {
          const area = out.growth_areas.find((a) => a.key === data.area);
          out.goals.push({
            goal_id: data.goal_id, area: data.area, area_prompt: area ? area.prompt : data.area,
            text: data.text, partnership_id: data.partnership_id || null, set_by: by, set_at: at,
            steps: data.steps.map((step) => ({ ...step, original: { ...step }, adjustments: [] })),
            plan_steps: data.plan_steps || [], pending: waiting,
          });
        }
        break;
      case "StepAmended": {
        // Adjustments carry no id of their own: one not sent yet is laid over the step.
        if (!waiting) break;
        const goal = out.goals.find((g) => g.goal_id === data.goal_id);
        const step = goal && goal.steps.find((s) => s.step_id === data.step_id);
        if (!step) break;
        const changes = [];
        for (const field of ["text", "owner", "due", "success"]) {
          if (data[field] !== undefined && data[field] !== null && data[field] !== step[field]) {
            changes.push({ field, before: String(step[field]), after: String(data[field]) });
            step[field] = data[field];
          }
        }
        const adjustment = { goal_id: data.goal_id, step_id: data.step_id, at, by, reason: data.reason, changes, pending: true };
        step.adjustments.push(adjustment);
        out.plan_adjustments.push(adjustment);
        break;
      }
      case "SupportRequested":
        if (!has(out.support_requests, "request_id", data.request_id)) {
          const area = out.growth_areas.find((a) => a.key === data.area);
          out.support_requests.push({ ...data, area_prompt: area ? area.prompt : data.area, at, pending: waiting });
        }
        break;
      case "PulseAnswered":
        if (out.pulse.shown && !out.pulse.answers.some((a) => a.partnership_id === data.partnership_id
          && a.moment === data.moment)) {
          out.pulse.answers.push({ ...data, answered_at: at, pending: waiting });
        }
        break;
      case "LearningSessionAttended": {
        const session = out.learning_sessions.find((s) => s.session_id === data.session_id);
        if (session && !session.attended) {
          session.attended = true;
          session.pending = waiting;
        }
        break;
      }
      default:
        break;
    }
  }
  overlayPractice(out, mine, by);
  out.support_log.sort((a, b) => (a.date === b.date ? (a.entry_id < b.entry_id ? -1 : 1) : (a.date < b.date ? -1 : 1)));
  return out;
}

/** Observations started here and not on the server yet; taps and notes not sent yet. */
function overlayPractice(out, mine, by) {
  const observations = out.leadership_observations.observations;
  const local = practiceFold(mine, null);
  for (const [id, seen] of local) {
    const index = observations.findIndex((o) => o.observation_id === id);
    if (seen.retracted) {
      // Withdrawn here: gone from the record at once (the server agrees once it is sent).
      if (index !== -1) observations.splice(index, 1);
      continue;
    }
    const waitingTaps = [...seen.taps.values()].filter(pending);
    const waitingNotes = seen.notes.filter(pending);
    if (index === -1) {
      if (!seen.started) continue;
      const data = seen.started.event.data;
      observations.push({
        observation_id: id, setting: data.setting, label: data.label || null,
        catalog_version: data.catalog_version, at: seen.started.event.occurred_at, observers: [by],
        look_fors: [...seen.taps.values()].map((row) => ({
          item: row.event.data.item, prompt: row.event.data.item, value: row.event.data.value,
          differed: false, observers: 1, pending: pending(row) })),
        evidence: seen.notes.map((row) => ({ text: row.event.data.text, item: row.event.data.item || null,
          at: row.event.occurred_at, pending: pending(row) })),
        pending: pending(seen.started), local: true,
      });
      continue;
    }
    const observation = observations[index];
    observation.waiting_taps = waitingTaps.length;
    for (const row of waitingNotes) {
      observation.evidence.push({ text: row.event.data.text, item: row.event.data.item || null,
        at: row.event.occurred_at, pending: true });
    }
  }
}
