import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

import { can } from "../../web/static/js/access.js";
import { CAPABILITIES } from "../../web/static/js/generated/schema.js";

test("a view asks what the caller may do, from /api/me's answer", () => {
  const me = { user: { roles: ["organizer"] }, can: ["plan_visits"] };
  assert.equal(can(me, "plan_visits"), true);
  assert.equal(can(me, "read_log"), false);  // roles are not consulted
  assert.equal(can({ user: {} }, "plan_visits"), false);
});

test("a capability the server does not know fails instead of hiding a screen", () => {
  assert.throws(() => can({ can: ["plan_visits"] }, "plan_visit"), /no capability "plan_visit"/);
});

test("every capability a view asks for is one the server answers, and no view reads role names", () => {
  const views = new URL("../../web/static/js/views/", import.meta.url);
  for (const name of readdirSync(views).filter((n) => n.endsWith(".js"))) {
    const source = readFileSync(new URL(name, views), "utf8");
    for (const [, capability] of source.matchAll(/\bcan\(me, "([a-z_]+)"\)/g)) {
      assert.ok(CAPABILITIES.includes(capability), `${name} asks for "${capability}"`);
    }
    assert.doesNotMatch(source, /me\.user\.roles|me\.user && me\.user\.roles/, name);
  }
});
