// No names in free text, on the tablet: the title rule of walkthrough/names.py, so a
// note that names a person is refused before it is ever queued, with the reason.
//
// A personal title (Mr, Mrs, Ms, Miss, Dr, Mx; with or without a dot; any case)
// followed by a word names a person: "Ms. Smith", "dr smith", "Students read Dr.
// Seuss". Except "Miss" unless it and the next word are capitalised (the verb:
// "students miss the bus"), and "MS" in capitals, no dot, before a lowercase word
// (the school level: "MS math"). The staff roster is checked by the server only.
//
// Keep this in step with walkthrough/names.py: tests/cases/names.json is run
// against both (tests/unit/test_names.py, tests/browser/test_names.py).
// Every free-text field of the app checks it before queuing (js/forms.js, capture).

const TITLES = ["mrs", "mr", "ms", "miss", "dr", "mx"];
// The same whitespace in Python and JavaScript (their `\s` differ at the edges).
const SPACE = "[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const LETTER = "\\p{L}";
// Only the title is consumed; the separator and the word are looked at ahead, so that
// "students miss Miss Lee" still finds "Miss Lee" after passing over "miss Miss".
const TITLE_THEN_WORD = new RegExp(
  `(?<![\\p{L}\\p{N}_])(${TITLES.join("|")})` +
  `(?=(\\.${SPACE}*|${SPACE}+)(${LETTER}+(?:['\\u2019\\-]${LETTER}+)*))`,
  "giu",
);
const SPACES = new RegExp(`${SPACE}+`, "gu");
const LOWERCASE = /^\p{Ll}/u;

// Starts with anything but a lowercase letter (caseless scripts count as capital).
function capital(word) {
  return !LOWERCASE.test(word);
}

// The first title-and-name phrase in `text` ("Ms. Smith"), or null.
export function namesAPerson(text) {
  const normal = String(text).normalize("NFKC");
  for (const match of normal.matchAll(TITLE_THEN_WORD)) {
    const [, title, separator, word] = match;
    if (title.toLowerCase() === "miss" && !(capital(title) && capital(word))) continue;
    if (title === "MS" && !separator.includes(".") && !capital(word)) continue;
    return title + separator.replace(SPACES, " ") + word;
  }
  return null;
}

// What the coach reads: the same words as the server's refusal.
export function namesAPersonMessage(phrase) {
  return `this names a person ("${phrase}"): describe what students and the teacher ` +
    "did, without names (an author? name the book instead)";
}

// The message for `text`, or null when it names no one by title.
export function titleWarning(text) {
  const phrase = namesAPerson(text);
  return phrase === null ? null : namesAPersonMessage(phrase);
}
