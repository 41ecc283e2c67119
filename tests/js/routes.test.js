import assert from "node:assert/strict";
import { test } from "node:test";

import { ROUTES, matchRoute, routeNames } from "../../web/static/js/routes.js";

test("each address goes to its screen, parameters decoded", () => {
  assert.deepEqual(matchRoute("/"), { name: "visits", params: {} });
  assert.deepEqual(matchRoute("/index.html"), { name: "visits", params: {} });
  assert.deepEqual(matchRoute("/visits/v%201/debrief"), { name: "debrief", params: { visit: "v 1" } });
  assert.deepEqual(matchRoute("/visits/v1/"), { name: "capture", params: { visit: "v1" } });
  assert.deepEqual(matchRoute("/people/p1/growth/practice/x2"),
    { name: "practice", params: { person: "p1", practice: "x2" } });
  assert.deepEqual(matchRoute("/calibration/teams/t1"), { name: "calibration", params: { team: "t1" } });
  assert.equal(matchRoute("/calibration/district").name, "calibration");
});

test("an address no route has is not found", () => {
  for (const path of ["/nowhere", "/visits", "/visits/a/b/c", "/visits//debrief", "/index.htm",
    "/calibration/teams", "/visits/%E0%A4%A/summary", "//"]) {
    assert.equal(matchRoute(path), null, path);
  }
});

test("no two routes claim the same pattern, and every pattern matches itself", () => {
  const patterns = ROUTES.map((route) => route.pattern);
  assert.equal(new Set(patterns).size, patterns.length);
  for (const route of ROUTES) {
    const path = route.pattern.replace(/:(\w+)/g, "x-$1");
    const found = matchRoute(path);
    assert.equal(found.name, route.name, path);
    for (const key of route.params) assert.equal(found.params[key], `x-${key}`);
  }
  assert.ok(routeNames().includes("debrief"));
});

test("the service worker serves the app shell offline at every address of the table", async () => {
  const { readFile } = await import("node:fs/promises");
  const sw = await readFile(new URL("../../web/static/sw.js", import.meta.url), "utf8");
  const line = sw.split("\n").find((text) => text.startsWith("const APP_ROUTE = /"));
  const appRoute = new RegExp(line.slice(line.indexOf("/"), line.lastIndexOf("/")).slice(1));
  const missing = ROUTES.map((route) => route.pattern.replace(/:(\w+)/g, "x-$1")).filter((path) => !appRoute.test(path));
  assert.deepEqual(missing, [], "sw.js APP_ROUTE misses these addresses of routes.js");
});
