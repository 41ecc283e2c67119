// No names in free text and no text that singles out one teacher, on the tablet: the
// title rule and the singling-out rule of walkthrough/names.py, so a note that breaks
// them is refused before it is ever queued, with the reason.
//
// Both rules read the text in one normal form: every character folded with the table
// that `python -m walkthrough.lookalikes` generates from ICU's confusables data
// (screening-data.js, the same data the server folds with): compatibility forms plain,
// format characters (zero-width spaces, joiners, soft hyphens, bidi marks) and
// combining marks removed, letters that look Latin read as Latin. The stored text
// stays as the coach wrote it.
//
// The title rule: Mr, Mrs, Ms, Mx, Dr, Mme, Mlle before any word, in any case, after a
// dot, spaces or punctuation ("Mrs_Smith", "Mrs (Smith)") or glued ("MrsSmith"); except
// "MS" in capitals, no dot, before a lowercase word or punctuation (the school level).
// Prof, Sr, Sra, Srta with a dot, or capitalised before a capitalised word. Miss,
// Mister, Coach, Teacher, Sir, Madam, Doctor, Professor, Señor... only capitalised
// before a capitalised word with spaces, brackets, quotes or dashes between.
// The singling-out rule: "the grade 7 science teacher", "the teacher in room 12",
// "Room 12's teacher". The staff roster is checked by the server only (the tablet has
// no roster).
//
// Keep this in step with walkthrough/names.py: tests/cases/names.json and
// tests/cases/singling_out.json are run against both (tests/unit/test_names.py,
// tests/browser/test_names.py). Every free-text field of the app checks `titleWarning`
// before queuing (js/forms.js, capture).

import { LOOKALIKES, WORDS } from "./screening-data.js";

const FOLDS = new Map(Object.entries(LOOKALIKES.folded));
for (const [start, end] of LOOKALIKES.removed) {
  for (let code = start; code <= end; code += 1) FOLDS.set(String.fromCodePoint(code), "");
}

// The same whitespace in Python and JavaScript (their `\s` differ at the edges).
const SPACE = "[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const SPACES = new RegExp(`${SPACE}+`, "gu");
const ONE_SPACE = new RegExp(`^${SPACE}$`, "u");
const ALNUM = /^[\p{L}\p{N}]$/u;
const LETTER = /^\p{L}$/u;
const LOWERCASE = /^\p{Ll}/u;
const UPPERCASE = /^\p{Lu}$/u;
const FORMAT = /\p{Cf}/gu;
const NAME = /[\p{L}\p{Nl}\p{No}]+(?:['-][\p{L}\p{Nl}\p{No}]+)*/uy;
const WORD = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;
const BOUNDARY = /[.!?;:,()[\]{}"\n\r\u2028\u2029]/u;
const ROOM_ID = /^(?:[a-z]?[0-9]{1,4}[a-z]?|[a-z])$/;
const NUMBER = /^[0-9]{1,3}[a-z]?$/;
const ORDINAL = /^[0-9]{1,2}(?:st|nd|rd|th)$/;
const set = (name) => new Set(WORDS[name]);
const SURE = set("sure_titles");
const DOTTED = set("dotted_titles");
const TEACHER_WORDS = set("teacher_words");
const SUBJECTS = set("subjects");
const GRADE_WORDS = set("grade_words");
const GRADE_ALONE = set("grade_alone");
const ORDINALS = set("ordinals");
const NUMBER_WORDS = set("number_words");
const ROOM_WORDS = set("room_words");
const MODIFIERS = set("modifiers");
const QUANTIFIERS = set("quantifiers");
const DETERMINERS = set("determiners");
const PREPOSITIONS = set("prepositions");
const ADJUNCTS = set("adjuncts");
const PLACES = set("places");

// `text` in the normal form every screen reads, with where each folded UTF-16 unit
// came from in the written text: [starts[i], ends[i]).
export function fold(text) {
  let out = "";
  const starts = [];
  const ends = [];
  let index = 0;
  for (const char of String(text)) {
    const folded = FOLDS.has(char) ? FOLDS.get(char) : char;
    out += folded;
    for (let unit = 0; unit < folded.length; unit += 1) {
      starts.push(index);
      ends.push(index + char.length);
    }
    index += char.length;
  }
  return { text: out, starts, ends };
}

// A written phrase as a message quotes it.
function shown(text) {
  return text.normalize("NFKC").replace(FORMAT, "").replace(SPACES, " ");
}

function written(original, folded, [start, end]) {
  return shown(String(original).slice(folded.starts[start], folded.ends[end - 1]));
}

const alnum = (char) => char !== undefined && ALNUM.test(char);
// The whole character at or before a UTF-16 index (Python's strings index characters).
const charAt = (text, index) => (index < text.length
  ? String.fromCodePoint(text.codePointAt(index)) : undefined);
function charBefore(text, index) {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  return low >= 0xdc00 && low <= 0xdfff && index >= 2 ? text.slice(index - 2, index)
    : text[index - 1];
}
// Starts with anything but a lowercase letter (caseless scripts count as capital).
const capital = (word) => !LOWERCASE.test(word);
const spaceOnly = (text) => [...text].every((c) => ONE_SPACE.test(c));

// --- the title rule ---------------------------------------------------------------

function titleSpan(text) {
  const units = text.length;
  for (let start = 0; start < units; start += 1) {
    if (!LETTER.test(charAt(text, start)) || alnum(charBefore(text, start))) continue;
    for (const title of WORDS.titles) {
      const written = text.slice(start, start + title.length);
      if (written.toLowerCase() !== title) continue;
      const end = titleEnd(text, start, written);
      if (end !== null) return [start, end];
    }
  }
  return null;
}

function nameAt(text, index) {
  NAME.lastIndex = index;
  const match = NAME.exec(text);
  return match === null ? null : { name: match[0], end: NAME.lastIndex };
}

// Where the name after the title at `start` ends, or null when it is no title.
function titleEnd(text, start, title) {
  const after = start + title.length;
  const lower = title.toLowerCase();
  if (alnum(charAt(text, after))) {
    const last = title[title.length - 1];
    const glued = SURE.has(lower) && LOWERCASE.test(last) && UPPERCASE.test(charAt(text, after));
    if (!glued) return null; // a word that starts like a title: "Mrsa", "drums"
    const word = nameAt(text, after);
    return word === null ? null : word.end;
  }
  let separatorEnd = after;
  while (separatorEnd < text.length && !alnum(charAt(text, separatorEnd))) {
    separatorEnd += charAt(text, separatorEnd).length;
  }
  const separator = text.slice(after, separatorEnd);
  const word = nameAt(text, separatorEnd);
  if (!separator || word === null) return null;
  const connected = [...separator].every((c) => WORDS.connectors.includes(c) || ONE_SPACE.test(c));
  if (SURE.has(lower)) {
    if (title === "MS" && !separator.startsWith(".") &&
        (!capital(word.name) || !spaceOnly(separator))) return null; // "MS math", "MS/HS"
  } else if (DOTTED.has(lower)) {
    const capitalised = title === title[0].toUpperCase() + title.slice(1).toLowerCase();
    if (!separator.startsWith(".") && !(capitalised && connected && capital(word.name))) {
      return null;
    }
  } else if (!(capital(title) && connected && capital(word.name))) {
    return null; // the verb or the noun: "students miss the bus", "Coach: Students"
  }
  let end = word.end;
  if ([...separator].some((c) => WORDS.openers.includes(c))) {
    while (end < text.length && WORDS.closers.includes(text[end])) end += 1;
  }
  return end;
}

// The first title-and-name phrase in `text` ("Ms. Smith"), as written, or null.
export function namesAPerson(text) {
  const folded = fold(text);
  const found = titleSpan(folded.text);
  return found === null ? null : written(text, folded, found);
}

// What the coach reads: the same words as the server's refusal.
export function namesAPersonMessage(phrase) {
  return `this names a person ("${phrase}"): describe what students and the teacher ` +
    "did, without names (an author? name the book instead)";
}

// --- no text singles out one teacher --------------------------------------------------

function sentenceWords(text) {
  const words = [];
  for (const match of text.matchAll(WORD)) {
    const word = match[0].toLowerCase();
    const possessive = word.endsWith("'s");
    words.push({
      word: possessive ? word.slice(0, -2) : word,
      start: match.index,
      end: match.index + match[0].length,
      possessive,
    });
  }
  return words;
}

function grade(chain) {
  if (chain.some((w) => GRADE_ALONE.has(w) || ORDINAL.test(w))) return true;
  if (chain.includes("pre") && chain.includes("k")) return true;
  return chain.some((w) => GRADE_WORDS.has(w)) && chain.some(
    (w) => ORDINALS.has(w) || NUMBER_WORDS.has(w) || w === "k" || NUMBER.test(w));
}

function room(chain) {
  return chain.some((w, i) => ROOM_WORDS.has(w) && i + 1 < chain.length &&
    ROOM_ID.test(chain[i + 1]));
}

const cue = (chain) => chain.some((w) => SUBJECTS.has(w)) || grade(chain) || room(chain);

function singlingSpan(text) {
  const words = sentenceWords(text);
  const joined = (left, right) => !BOUNDARY.test(text.slice(words[left].end, words[right].start));
  const part = (index) => {
    const { word } = words[index];
    if (QUANTIFIERS.has(word)) {
      return word === "one" && index > 0 && GRADE_WORDS.has(words[index - 1].word);
    }
    if (word.length === 1 && LETTER.test(word) && word !== "k") {
      return index > 0 && ROOM_WORDS.has(words[index - 1].word);
    }
    return SUBJECTS.has(word) || GRADE_WORDS.has(word) || GRADE_ALONE.has(word) ||
      ORDINALS.has(word) || NUMBER_WORDS.has(word) || ROOM_WORDS.has(word) ||
      MODIFIERS.has(word) || NUMBER.test(word) || ORDINAL.test(word);
  };
  for (let index = 0; index < words.length; index += 1) {
    const teacher = words[index];
    if (!TEACHER_WORDS.has(teacher.word)) continue;
    if (text.startsWith("-", teacher.end)) continue; // "teacher-led"
    const following = index + 1 < words.length && joined(index, index + 1)
      ? words[index + 1] : null;
    if (!teacher.possessive && following && ADJUNCTS.has(following.word)) continue;
    let first = index;
    while (first > 0 && joined(first - 1, first) && part(first - 1)) first -= 1;
    const chain = words.slice(first, index).map((w) => w.word);
    const before = first > 0 && joined(first - 1, first) ? words[first - 1] : null;
    const quantified = before !== null && QUANTIFIERS.has(before.word);
    const determined = before !== null && DETERMINERS.has(before.word);
    if (cue(chain) && !quantified) {
      return [determined ? before.start : words[first].start, teacher.end];
    }
    if (following !== null && PREPOSITIONS.has(following.word) && !teacher.possessive) {
      let after = index + 2;
      if (after < words.length && joined(index + 1, after) && words[after].word === "the") {
        after += 1;
      }
      let last = after;
      while (last < words.length && joined(last - 1, last) && part(last)) last += 1;
      const place = words.slice(after, last).map((w) => w.word);
      const lands = last < words.length && joined(last - 1, last) &&
        PLACES.has(words[last].word);
      const placed = lands || place.slice(1).some((w) => PLACES.has(w));
      if (place.length && (room(place) || grade(place) ||
          (placed && place.some((w) => SUBJECTS.has(w))))) {
        if (room(place) || determined) {
          const start = determined ? before.start : teacher.start;
          return [start, lands ? words[last].end : words[last - 1].end];
        }
      }
    }
  }
  return null;
}

// The first phrase of `text` that points at one teacher, as written, or null.
export function singlesOutATeacher(text) {
  const folded = fold(text);
  const found = singlingSpan(folded.text);
  return found === null ? null : written(text, folded, found);
}

export function singlesOutMessage(phrase) {
  return `this points at one teacher ("${phrase}"): describe the pattern across the ` +
    'rooms you saw instead ("in 2 of 3 rooms, students...")';
}

// The message for `text` (a title and a name first, then a phrase that singles out
// one teacher), or null when neither rule refuses it.
export function titleWarning(text) {
  const phrase = namesAPerson(text);
  if (phrase !== null) return namesAPersonMessage(phrase);
  const singled = singlesOutATeacher(text);
  return singled === null ? null : singlesOutMessage(singled);
}
