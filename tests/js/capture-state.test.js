import assert from "node:assert/strict";
import { test } from "node:test";

import { fold, labelKey, roomWithLabel, undoTarget } from "../../web/static/js/capture-state.js";

let clock = 0;
function row(type, data, { status = "synced", user = "coach1" } = {}) {
  clock += 1;
  const id = `e${clock}`;
  return { id, status, user, event: { id, type, occurred_at: new Date(Date.UTC(2026, 11, 7, 9, 0, clock)).toISOString(), data } };
}
const enter = (id, label = "Room 12") =>
  row("ClassroomEntered", { classroom_id: id, label, grade_band: "6-8", subject: "math" });

test("the latest tap per look-for counts; a retracted tap or note does not", () => {
  const first = row("LookForObserved", { classroom_id: "c1", item: "cfu", value: "no" });
  const second = row("LookForObserved", { classroom_id: "c1", item: "cfu", value: "yes" }, { status: "pending" });
  const note = row("EvidenceNoted", { classroom_id: "c1", text: "6 of 24 explained" });
  const state = fold([enter("c1"), first, second, note,
    row("ObservationRetracted", { event_id: note.id })], [], "coach1");
  assert.equal(state.current.id, "c1");
  assert.equal(state.current.taps.get("cfu").event.data.value, "yes");
  assert.deepEqual(state.current.evidence, []);
  assert.ok(state.pendingIds.has(second.id));
  assert.equal(undoTarget(state.current), second);
});

test("another person's events and rejected ones are not this coach's", () => {
  const state = fold([enter("c1"), row("LookForObserved", { classroom_id: "c1", item: "cfu", value: "yes" }, { user: "coach2" }),
    row("LookForObserved", { classroom_id: "c1", item: "talk", value: "yes" }, { status: "rejected" })], [], "coach1");
  assert.equal(state.current.taps.size, 0);
  assert.equal(undoTarget(state.current), null);
});

test("a room entered under a listed room's label joins it; exiting leaves no current room", () => {
  const server = [{ id: "s1", ids: ["s1"], label: "room 12", grade_band: "6-8", subject: "math",
    students_present: null, coaches: ["coach2"] }];
  const state = fold([enter("c9", "Room  12"), row("ClassroomExited", { classroom_id: "c9" })], server, "coach1");
  assert.equal(state.current, null);
  assert.equal(state.rooms.length, 1);
  assert.deepEqual(state.rooms[0].ids, ["s1", "c9"]);
  assert.equal(state.rooms[0].mine.id, "c9");
  assert.equal(roomWithLabel(state.rooms, "ROOM12"), state.rooms[0]);
  assert.equal(labelKey("Straße 1"), "strasse1");
});

test("a withdrawn room leaves the list; a correction changes the room", () => {
  const state = fold([enter("c1"), row("ClassroomCorrected", { classroom_id: "c1", label: "Room 14", students_present: 20 }),
    enter("c2", "Lab"), row("ClassroomRetracted", { classroom_id: "c2" })], [], "coach1");
  assert.equal(state.current, null);
  assert.deepEqual(state.rooms.map((r) => [r.label, r.students_present, r.sent]), [["Room 14", 20, false]]);
});
