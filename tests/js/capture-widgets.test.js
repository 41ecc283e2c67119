import assert from "node:assert/strict";
import { test } from "node:test";

import { LOOK_FOR_KINDS } from "../../web/static/js/generated/schema.js";
import { WIDGETS, describeTap, kindName, widgetFor } from "../../web/static/js/views/capture-widgets.js";

test("every look-for kind the server knows has a capture widget, and no other", () => {
  assert.deepEqual(Object.keys(WIDGETS).sort(), [...LOOK_FOR_KINDS].sort());
  for (const kind of LOOK_FOR_KINDS) {
    assert.equal(typeof widgetFor(kind), "function");
    assert.ok(kindName(kind));
  }
});

test("a kind with no widget fails loudly instead of showing a card with no controls", () => {
  assert.throws(() => widgetFor("rubric"), /no widget for the look-for kind "rubric"/);
  assert.throws(() => widgetFor("toString"), /no widget/);
  assert.throws(() => kindName("rubric"), /no widget/);
});

test("a tap is described in words for the undo hint", () => {
  const catalog = { items: [{ key: "cfu", prompt: "Checks for understanding", kind: "yes_no" },
    { key: "wonder", prompt: "A question students asked", kind: "note" }] };
  const tap = (data, type = "LookForObserved") => ({ event: { type, data } });
  assert.equal(describeTap(tap({ item: "cfu", value: "yes", method: "whiteboards" }), catalog),
    "Checks for understanding: Yes (Whiteboards)");
  assert.equal(describeTap(tap({ item: "wonder", value: "why?" }), catalog), "A question students asked: note");
  assert.equal(describeTap(tap({ text: "x".repeat(45) }, "EvidenceNoted"), catalog), `evidence “${"x".repeat(40)}…”`);
});
