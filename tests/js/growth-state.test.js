import assert from "node:assert/strict";
import { test } from "node:test";

import { liveEntries, practiceFold } from "../../web/static/js/growth-state.js";

const row = (seq, type, data, extra = {}) => ({ seq, id: `e${seq}`, status: "pending", user: "coach1",
  event: { id: `e${seq}`, type, occurred_at: "2026-12-07T09:00:00Z", data }, ...extra });

test("live entries are this person's, not rejected, in recording order", () => {
  const rows = [row(3, "SupportLogged", {}), row(1, "GoalSet", {}), row(2, "GoalSet", {}, { status: "rejected" }),
    row(4, "GoalSet", {}, { user: "coach2" })];
  assert.deepEqual(liveEntries(rows, "coach1").map((r) => r.seq), [1, 3]);
});

test("practice observations fold their taps (the latest per item), notes and retraction", () => {
  const observations = practiceFold([
    row(1, "PracticeObservationStarted", { observation_id: "o1" }),
    row(2, "PracticeObserved", { observation_id: "o1", item: "protocol", value: "no" }),
    row(3, "PracticeObserved", { observation_id: "o1", item: "protocol", value: "yes" }),
    row(4, "PracticeNoted", { observation_id: "o1", text: "Used the protocol twice" }),
    row(5, "PracticeObserved", { observation_id: "o2", item: "protocol", value: "yes" }),
    row(6, "PracticeObservationRetracted", { observation_id: "o2" }),
  ], "coach1");
  const o1 = observations.get("o1");
  assert.equal(o1.started.seq, 1);
  assert.equal(o1.taps.get("protocol").event.data.value, "yes");
  assert.equal(o1.notes.length, 1);
  assert.equal(observations.get("o2").started, null);  // joined: started elsewhere
  assert.equal(observations.get("o2").retracted, true);
});
