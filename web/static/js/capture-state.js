// What this tablet knows about a visit's rooms: the rooms the server lists (the whole
// team's, one per room) and what this coach recorded here, folded from the journal the
// way the server folds the log: the coach's own latest tap per room and look-for is
// their observation; withdrawn taps, notes and thank-you notes do not count; rooms
// entered under the same label (case and spaces ignored) are one room.

const OBSERVATIONS = new Set(["LookForObserved", "EvidenceNoted"]);

export function labelKey(label) {
  return String(label || "").toLowerCase().replace(/ß/g, "ss").replace(/\s+/g, "");
}

function later(a, b) {
  if (a.event.occurred_at !== b.event.occurred_at) return a.event.occurred_at > b.event.occurred_at;
  return a.id > b.id;
}

function ownRoom(data, row) {
  return {
    id: data.classroom_id,
    label: data.label,
    grade_band: data.grade_band,
    subject: data.subject,
    students_present: data.students_present ?? null,
    exited: false,
    withdrawn: false,
    taps: new Map(),
    evidence: [],
    thankYou: [],
    observations: [],
    entered: row,
  };
}

function iso(at) {
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? "" : new Date(ms).toISOString();
}

/**
 * The coach's own record as the server has it (`mine` of GET /api/visits/{id}: from
 * any device of theirs), as journal rows already sent, oldest first; events this
 * device's journal holds itself are left to the journal.
 */
function serverRows(serverMine, known) {
  const rows = [];
  const add = (id, type, at, data) => {
    if (!known.has(id)) rows.push({ id, status: "synced", fromServer: true, event: { id, type, occurred_at: at, data } });
  };
  for (const room of serverMine || []) {
    const cid = room.classroom_id;
    for (const t of room.taps || []) {
      const data = { classroom_id: cid, item: t.item, value: t.value };
      if (t.method) data.method = t.method;
      add(t.event_id, "LookForObserved", iso(t.occurred_at), data);
    }
    for (const n of room.notes || []) {
      const data = { classroom_id: cid, text: n.text };
      if (n.item) data.item = n.item;
      add(n.event_id, "EvidenceNoted", iso(n.occurred_at), data);
    }
    for (const id of room.thank_you || []) add(id, "ThankYouNoteLeft", "", { classroom_id: cid });
  }
  return rows.sort((a, b) => (a.event.occurred_at < b.event.occurred_at ? -1
    : a.event.occurred_at > b.event.occurred_at ? 1 : (a.id < b.id ? -1 : 1)));
}

/**
 * Fold the journal of one visit (this device's events, in recording order) with the
 * server's rooms and the coach's own record on the server (`serverMine`: what they
 * recorded on other devices too). `user` is the signed-in coach: only their own
 * events are theirs.
 */
export function fold(entries, serverRooms = [], user = null, serverMine = []) {
  const journalled = entries.filter((row) => row.status !== "rejected" && (!user || !row.user || row.user === user));
  const own = new Map();
  for (const room of serverMine || []) {
    const entered = ownRoom(room, null);
    entered.exited = true; // entered on some device; going back in is a new entry
    own.set(room.classroom_id, entered);
  }
  const live = [...serverRows(serverMine, new Set(entries.map((row) => row.id))), ...journalled];
  const retracted = new Set();
  for (const row of live) {
    if (row.event.type === "ObservationRetracted") retracted.add(row.event.data.event_id);
  }
  const merges = [];
  let current = null;
  for (const row of live) {
    const { type, data } = row.event;
    if (type === "ClassroomEntered") {
      const known = own.get(data.classroom_id);
      if (known) {
        known.exited = false;
        if (data.students_present !== undefined && data.students_present !== null) known.students_present = data.students_present;
      } else {
        own.set(data.classroom_id, ownRoom(data, row));
      }
      current = data.classroom_id;
      continue;
    }
    if (type === "ObservationRetracted") continue;
    if (type === "ClassroomsMerged") { merges.push([data.classroom_id, data.into]); continue; }
    const room = own.get(data.classroom_id);
    if (!room) continue;
    if (type === "ClassroomCorrected") {
      for (const key of ["label", "grade_band", "subject", "students_present"]) {
        if (data[key] !== undefined && data[key] !== null) room[key] = data[key];
      }
    } else if (type === "ClassroomRetracted") {
      room.withdrawn = true;
      if (current === data.classroom_id) current = null;
    } else if (type === "ClassroomExited") {
      room.exited = true;
      if (current === data.classroom_id) current = null;
    } else if (type === "ThankYouNoteLeft") {
      if (!retracted.has(row.id)) room.thankYou.push(row);
    } else if (OBSERVATIONS.has(type) && !retracted.has(row.id)) {
      room.observations.push(row);
      if (type === "EvidenceNoted") {
        room.evidence.push(row);
      } else {
        const best = room.taps.get(data.item);
        if (!best || later(row, best)) room.taps.set(data.item, row);
      }
    }
  }
  const pendingIds = new Set(entries.filter((row) => row.status === "pending").map((row) => row.id));
  return {
    own,
    rooms: listRooms(serverRooms, own, merges),
    current: current ? own.get(current) : null,
    retracted,
    pendingIds,
  };
}

/**
 * One entry per room: the server's rooms (with this coach's own record of them when
 * they joined), then rooms recorded here that the server does not list yet - joined
 * to a listed room when the label is the same or this tablet merged them.
 */
function listRooms(serverRooms, own, merges) {
  const listed = (serverRooms || []).map((room) => ({
    id: room.id,
    ids: [...(room.ids || [room.id])],
    label: room.label,
    grade_band: room.grade_band,
    subject: room.subject,
    students_present: room.students_present ?? null,
    coaches: [...(room.coaches || [])],
    mine: null,
    sent: true,
  }));
  const byId = new Map();
  for (const room of listed) for (const id of room.ids) byId.set(id, room);
  const byLabel = new Map(listed.map((room) => [labelKey(room.label), room]));
  for (const [a, b] of merges) {
    const into = byId.get(b) || byId.get(a);
    if (into) { for (const id of [a, b]) if (!byId.has(id)) { into.ids.push(id); byId.set(id, into); } }
  }
  for (const mine of own.values()) {
    if (mine.withdrawn) continue;
    let room = byId.get(mine.id) || byLabel.get(labelKey(mine.label));
    if (!room) {
      room = { id: mine.id, ids: [mine.id], label: mine.label, grade_band: mine.grade_band,
        subject: mine.subject, students_present: mine.students_present, coaches: [], mine: null, sent: false };
      listed.push(room);
      byLabel.set(labelKey(mine.label), room);
    } else if (!room.ids.includes(mine.id)) {
      room.ids.push(mine.id);
    }
    byId.set(mine.id, room);
    if (!room.mine || room.mine.withdrawn) room.mine = mine;
  }
  return listed;
}

/** The room of the list whose label is the same as `label` (case and spaces ignored). */
export function roomWithLabel(rooms, label) {
  const key = labelKey(label);
  return rooms.find((room) => labelKey(room.label) === key) || null;
}

/** The observation an undo would retract: the last live one recorded in the room. */
export function undoTarget(room) {
  if (!room || room.observations.length === 0) return null;
  return room.observations[room.observations.length - 1];
}
