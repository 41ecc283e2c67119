import assert from "node:assert/strict";
import { test } from "node:test";

import { namesAPerson, singlesOutATeacher, titleWarning } from "../../web/static/js/names.js";

test("a title and a name are refused, as written, look-alikes folded", () => {
  assert.equal(namesAPerson("Ms. Smith models exit tickets"), "Ms. Smith");
  assert.equal(namesAPerson("Mr Jones asked why"), "Mr Jones");
  assert.equal(namesAPerson("Μs. Smith asked"), "Μs. Smith"); // a Greek capital Mu
  assert.match(titleWarning("Ms. Smith models exit tickets"), /names a person \("Ms\. Smith"\)/);
});

test("ordinary notes and rooms pass", () => {
  for (const text of ["6 of 24 students explained the target in their own words",
    "Room 12", "Grade 7 math #2", "Math team leads", "Exit tickets in 4 of 5 rooms."]) {
    assert.equal(titleWarning(text), null, text);
  }
});

test("a phrase pointing at one teacher is refused", () => {
  assert.notEqual(singlesOutATeacher("the teacher in room 12 never checked"), null);
});
