import assert from "node:assert/strict";
import { test } from "node:test";

import {
  BATCH_SIZE, backoffDelay, nextBatch, nextInstant, refused, refusedForGood, resultsById, settles,
} from "../../web/static/js/outbox-rules.js";

const event = (seq) => ({ seq, id: `e${seq}`, event: { id: `e${seq}` } });
const request = (seq) => ({ seq, id: `r${seq}`, request: { method: "POST", path: "/api/x" } });

test("a batch is the events up to the next request, at most BATCH_SIZE", () => {
  assert.deepEqual(nextBatch([]), { request: null, events: [] });
  const queued = [event(1), event(2), request(3), event(4)];
  assert.deepEqual(nextBatch(queued).events.map((r) => r.seq), [1, 2]);
  assert.equal(nextBatch(queued.slice(2)).request.seq, 3);
  const many = Array.from({ length: BATCH_SIZE + 5 }, (_, i) => event(i));
  assert.equal(nextBatch(many).events.length, BATCH_SIZE);
});

test("the wait doubles, is capped, jittered, and never under Retry-After", () => {
  assert.equal(backoffDelay(1, null, () => 1), 1000);
  assert.equal(backoffDelay(1, null, () => 0), 500);
  assert.equal(backoffDelay(3, null, () => 1), 4000);
  assert.equal(backoffDelay(50, null, () => 1), 30000);
  assert.equal(backoffDelay(1, 10, () => 1), 10000);
  assert.equal(backoffDelay(1, 3600, () => 1), 120000);
});

test("answers settle by id (or position), refusals are final, 408 and 429 are not", () => {
  const rows = [event(1), event(2)];
  const byId = resultsById(rows, [{ status: "accepted" }, { id: "e1", status: "rejected" }]);
  assert.equal(byId.get("e1").status, "rejected");
  assert.equal(byId.has("e2"), false);
  assert.ok(settles({ status: "duplicate" }));
  assert.ok(!settles({ status: "retry" }) && !settles(undefined));
  assert.ok(refused({ status: "conflict" }) && !refused({ status: "accepted" }));
  assert.ok(refusedForGood(422) && refusedForGood(403));
  assert.ok(!refusedForGood(408) && !refusedForGood(429) && !refusedForGood(503));
});

test("the device clock only moves forward", () => {
  assert.equal(nextInstant(100, 50), 100);
  assert.equal(nextInstant(100, 100), 101);
  assert.equal(nextInstant(10, 100), 101);
});
