import assert from "node:assert/strict";
import { test } from "node:test";

import { firstSchoolDay, tidy, whyNotASchoolDay } from "../../web/static/js/school-days.js";

const winter = { start: "2026-12-21", end: "2027-01-01", label: "Winter break" };

test("weekends and closures are not school days, and say why", () => {
  assert.equal(whyNotASchoolDay("2026-12-07", []), null); // a Monday
  assert.equal(whyNotASchoolDay("2026-12-06", []), "it is a weekend day");
  assert.equal(whyNotASchoolDay("2026-12-21", [winter]), "it is in Winter break (2026-12-21 to 2027-01-01)");
  assert.equal(whyNotASchoolDay("2027-01-01", [winter]), "it is in Winter break (2026-12-21 to 2027-01-01)");
});

test("the first school day skips the weekend and the break", () => {
  assert.equal(firstSchoolDay("2026-12-07", [winter]), "2026-12-07");
  assert.equal(firstSchoolDay("2026-12-19", [winter]), "2027-01-04");
});

test("closures are sorted and repeats dropped", () => {
  const other = { start: "2026-11-26", end: "2026-11-27", label: "Thanksgiving" };
  assert.deepEqual(tidy([winter, other, { ...winter }]), [other, winter]);
});
