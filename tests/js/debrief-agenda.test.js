import assert from "node:assert/strict";
import { test } from "node:test";

import { SECTION_TITLES, sectionBody, sectionTitle } from "../../web/static/js/debrief-agenda.js";
import { DEBRIEF_SECTIONS } from "../../web/static/js/generated/schema.js";

test("every section the server's debrief has is titled, in the server's order", () => {
  assert.deepEqual(Object.keys(SECTION_TITLES), [...DEBRIEF_SECTIONS]);
});

test("a section the tablet does not know fails loudly, never a blank", () => {
  assert.throws(() => sectionBody({ kind: "gossip" }), /section this tablet does not know: gossip/);
  assert.throws(() => sectionTitle("gossip"), /no title/);
});
