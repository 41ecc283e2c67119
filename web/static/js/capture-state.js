// What this tablet recorded in a visit, folded from its journal the same way the
// server folds the log: per room and look-for the tap with the latest
// occurred_at counts (ties: the greater event id); retracted taps do not count.

const OBSERVATIONS = new Set(["LookForObserved", "EvidenceNoted"]);

function later(a, b) {
  if (a.event.occurred_at !== b.event.occurred_at) return a.event.occurred_at > b.event.occurred_at;
  return a.id > b.id;
}

export function fold(entries) {
  const live = entries.filter((row) => row.status !== "rejected");
  const retracted = new Set();
  for (const row of live) {
    if (row.event.type === "ObservationRetracted") retracted.add(row.event.data.event_id);
  }
  const rooms = new Map();
  let current = null;
  for (const row of live) {
    const { type, data } = row.event;
    if (type === "ClassroomEntered") {
      const known = rooms.get(data.classroom_id);
      if (known) {
        known.exited = false;
      } else {
        rooms.set(data.classroom_id, {
          id: data.classroom_id,
          label: data.label,
          grade_band: data.grade_band,
          subject: data.subject,
          students_present: data.students_present ?? null,
          exited: false,
          taps: new Map(),
          evidence: [],
          thankYou: [],
          observations: [],
          pending: 0,
          entered: row,
        });
      }
      current = data.classroom_id;
      continue;
    }
    if (type === "ObservationRetracted") continue;
    const room = rooms.get(data.classroom_id);
    if (!room) continue;
    if (row.status === "pending") room.pending += 1;
    if (type === "ClassroomExited") {
      room.exited = true;
      if (current === data.classroom_id) current = null;
    } else if (type === "ThankYouNoteLeft") {
      room.thankYou.push(row);
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
  return { rooms, current: current ? rooms.get(current) : null, retracted, pendingIds };
}

/** The observation an undo would retract: the last live one recorded in the room. */
export function undoTarget(room) {
  if (!room || room.observations.length === 0) return null;
  return room.observations[room.observations.length - 1];
}
