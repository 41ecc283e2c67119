"""No names in free text, and no text that singles out one teacher.

Visits are nonevaluative: a room label, an evidence note, a thank-you note, a
school update, a root cause, a step or a check-in note describes what students
and teachers did, never who. Three screens read every free text, in this order,
after folding it to one normal form (below); the stored text stays as written.

**One normal form.** Each character is folded with walkthrough.lookalikes' table,
generated from Unicode's data through ICU: compatibility forms read as plain ones
(NFKC), format characters (zero-width spaces and joiners, soft hyphens, word joiners,
byte-order marks, bidi marks) and combining marks removed, and letters that look
Latin read as those Latin letters (Unicode's confusables: Cyrillic Em is "M"). The
tablet folds with the same table (web/static/js/screening-data.js).

**The title rule** (`names_a_person`). A personal title followed by a word names a
person. A title starts a word; the word after it may follow a dot, spaces, line
breaks or punctuation ("Mrs_Smith", "Mrs-Smith", "Mrs (Smith)", "Mrs 'Smith'"), or
be glued to it in capitals ("MrsSmith"). How sure a title is decides what may follow:

- Mr, Mrs, Ms, Mx, Dr, Mme, Mlle are titles in any case before any word ("dr smith").
  Except "MS" in capitals without a dot before a lowercase word, or before
  punctuation: the school level ("MS math", "MS/HS").
- Prof, Sr, Sra, Srta are titles with a dot ("prof. smith", "Sra. Lopez"), or
  written as a capitalised word before a capitalised one ("Sra Lopez"); "prof dev"
  and "SRA Reading" pass.
- Miss, Mister, Missus, Coach, Teacher, Sir, Madam, Madame, Mademoiselle, Monsieur,
  Doctor, Professor, Señor, Señora, Señorita, Maestro, Maestra are also ordinary
  words: titles only when they and the next word are capitalised and only spaces
  or brackets, quotes, dashes or underscores stand between ("Coach Smith",
  "Teacher Smith", "MISS LEE"); "students miss the bus" and "Coach: Students" pass.

Hard case, decided: a name as the subject of the lesson is refused too
("Students read Dr. Seuss"); the message suggests naming the work instead.

**No text singles out one teacher** (`singles_out_a_teacher`). "The grade 7 science
teacher", "the teacher in room 12", "Room 12's teacher" point at one person in most
schools, as a name does. A teacher word (teacher, instructor, educator,
interventionist, specialist, substitute; singular) is refused when the words just
before it say which grade, subject or room ("the 7th grade math teacher", "the PE
teacher"), or when it is followed by in/of/for/from/at and a room, a grade, or a
subject's class ("the teacher in room 12", "the teacher of 7th grade math").
Not refused: plurals ("grade 7 teachers"), a quantifier before ("a math teacher",
"each grade 7 teacher"), the word used as a modifier ("math teacher PLC",
"teacher-led"), and "the teacher" with nothing saying which.

**The roster** (`Roster`). A school's host or an organizer uploads the staff's
names; they are kept only as keyed hashes (HMAC-SHA256) of normalised tokens, in
three kinds, so that a full district roster does not refuse ordinary English:

- a name that is not an ordinary word ("Lopez", "Wiśniewska", "Zofia") matches
  anywhere, in any case;
- a name that is also an ordinary English word ("Will", "May", "Young", "Rose",
  "Hall", "Long", "Grant": a lowercase entry of Webster's word list, the
  `english-words` package) matches only where it is used as a name: capitalised
  inside a sentence and not part of a run of capitalised words ("asked Grant why";
  not "Long Division", "Title I Grant", "in May"), or at the start of a sentence
  when a verb follows or it is possessive ("Young asked...", "Hall's class");
- a given name followed by a family name of the same person matches anywhere, in
  any case when one of them is not an ordinary word ("zofia lopez"), else capitalised
  ("Will Grant", not "students will grant").

A roster refusal says that a name on the school's staff list is in the text and
never which word: the list is write-only, and a refusal that quoted the word would
read it back. Refusals are bounded too, since even a message that names no word
tells one word per try: each person may draw ROSTER_REFUSALS_PER_DAY roster
refusals a day (distinct texts; the application keeps the count beside the
roster). Past the bound, every text of theirs that a school's roster would screen
is refused with `roster_limit_reached` and a message to talk to the organizer,
whether it holds a name or not, so the bound is all one can learn.

Everything here is pure: the application calls `screen(texts, roster)` with the free
texts of a payload and the school's `Roster` (bounded by the person's `RosterBudget`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Any, NamedTuple, Protocol, assert_never

from walkthrough import events as ev
from walkthrough.errors import DomainError
from walkthrough.events import AnyPayload
from walkthrough.lookalikes import table

# --- one normal form -------------------------------------------------------------------

# The same whitespace in Python and JavaScript (their `\s` differ at the edges).
SPACE = "[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
SPACES = re.compile(f"{SPACE}+")


class Folded(NamedTuple):
    """A text folded to its normal form, with where each of its characters came from:
    `starts[i]` and `ends[i]` bound the written characters that folded character i
    comes from (None: the text folds to itself)."""

    text: str
    starts: list[int] | None = None
    ends: list[int] | None = None

    def written(self, original: str, start: int, end: int) -> str:
        """The written text behind folded characters [start, end), as shown to people:
        compatibility forms plain, format characters out, each run of spaces one space."""
        if self.starts is None or self.ends is None:
            return shown(original[start:end])
        return shown(original[self.starts[start]:self.ends[end - 1]])


@lru_cache(maxsize=64)  # each text is read by three screens in a row
def fold(text: str) -> Folded:
    """`text` in the normal form every screen reads (see walkthrough.lookalikes)."""
    if text.isascii():
        return Folded(text)
    folds = table()
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        folded = folds.get(char, char)
        out.append(folded)
        starts += [index] * len(folded)
        ends += [index + 1] * len(folded)
    return Folded("".join(out), starts, ends)


def shown(text: str) -> str:
    """A written phrase as a message quotes it."""
    plain = unicodedata.normalize("NFKC", text)
    return SPACES.sub(" ", "".join(c for c in plain if unicodedata.category(c) != "Cf"))


def _alnum(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


def _capital(word: str) -> bool:
    """Starts with anything but a lowercase letter (caseless scripts count as capital)."""
    return unicodedata.category(word[0]) != "Ll"


class ScreenRefusal(DomainError):
    """A free text refused by one of the screens; `field` names it within its payload."""

    def __init__(self, message: str, *, phrase: str, field: str | None = None) -> None:
        super().__init__(message)
        self.phrase = phrase  # what was found, as written ("" when it must not be said)
        self.field = field

    def in_field(self, name: str) -> ScreenRefusal:
        """The same refusal, said of the field `name` of a payload."""
        return type(self)(f"{name}: {self.message}", phrase=self.phrase, field=name)


class NamesAPerson(ScreenRefusal):
    """A free text names a person: a title and a name, or a name on the staff roster."""

    code = "names_a_person"


class OnTheRoster(NamesAPerson):
    """A free text holds a name of the school's staff roster (which one is not said)."""


class SinglesOutATeacher(ScreenRefusal):
    """A free text points at one teacher by grade, subject or room."""

    code = "singles_out_a_teacher"


class RosterLimitReached(ScreenRefusal):
    """The person drew their roster refusals for the day: nothing more is screened."""

    code = "roster_limit_reached"


# --- the title rule ------------------------------------------------------------------

# Titles in any case before any word.
SURE_TITLES = ("mrs", "mr", "ms", "mx", "dr", "mme", "mlle")
# Titles with a dot after them, or capitalised before a capitalised word.
DOTTED_TITLES = ("prof", "srta", "sra", "sr")
# Also ordinary words: titles only capitalised before a capitalised word.
WORD_TITLES = ("miss", "mister", "missus", "coach", "teacher", "sir", "madam", "madame",
               "mademoiselle", "monsieur", "doctor", "professor", "senor", "senora",
               "senorita", "maestro", "maestra")
TITLES = tuple(sorted(SURE_TITLES + DOTTED_TITLES + WORD_TITLES, key=lambda t: (-len(t), t)))
# What may stand between a word title and its name: spaces, brackets, quotes, dashes.
CONNECTORS = "_-'\"`()[]{}<>*~"
OPENERS = "([{<'\"`"
CLOSERS = ")]}>'\"`"
NAME = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
# Where a title may start (the rule then looks at what stands before and after it).
# The class of first letters comes first: the same places, found without trying every
# title at every character (a room label took ~17 us, now ~2).
TITLE_PLACES = "(?=(?:" + "|".join(TITLES) + "))"
TITLE_STARTS = re.compile(
    "(?=[" + "".join(sorted({title[0] for title in TITLES})) + "])" + TITLE_PLACES,
    re.IGNORECASE)


def names_a_person(text: str) -> str | None:
    """The first title-and-name phrase in `text` ("Ms. Smith"), as written, or None."""
    folded = fold(text)
    found = _title_span(folded.text)
    return None if found is None else folded.written(text, *found)


def _title_span(text: str) -> tuple[int, int] | None:
    for candidate in TITLE_STARTS.finditer(text):
        start = candidate.start()
        if start > 0 and _alnum(text[start - 1]):
            continue
        for title in TITLES:
            written = text[start:start + len(title)]
            if written.lower() == title:
                end = _title_end(text, start, written)
                if end is not None:
                    return start, end
    return None


def _title_end(text: str, start: int, title: str) -> int | None:
    """Where the name after the title at `start` ends, or None when it is no title."""
    after = start + len(title)
    lower = title.lower()
    if after < len(text) and _alnum(text[after]):
        glued = (lower in SURE_TITLES and title[-1].islower() and text[after].isupper())
        if not glued:
            return None  # a word that starts like a title: "Mrsa", "drums"
        word = NAME.match(text, after)
        return word.end() if word else None
    separator_end = after
    while separator_end < len(text) and not _alnum(text[separator_end]):
        separator_end += 1
    separator = text[after:separator_end]
    word = NAME.match(text, separator_end)
    if not separator or word is None:
        return None
    name = word.group()
    connected = all(c in CONNECTORS or SPACES.fullmatch(c) for c in separator)
    if lower in SURE_TITLES:
        if title == "MS" and not separator.startswith(".") and (
                not _capital(name) or not SPACES.fullmatch(separator)):
            return None  # the school level: "MS math", "MS/HS"
    elif lower in DOTTED_TITLES:
        if not separator.startswith(".") and not (
                title == title.capitalize() and connected and _capital(name)):
            return None
    elif not (_capital(title) and connected and _capital(name)):
        return None  # the verb or the noun: "students miss the bus", "Coach: Students"
    end = word.end()
    if any(c in OPENERS for c in separator):
        while end < len(text) and text[end] in CLOSERS:
            end += 1
    return end


def title_message(phrase: str) -> str:
    return (f'this names a person ("{phrase}"): describe what students and the teacher '
            "did, without names (an author? name the book instead)")


def check_titles(text: str) -> None:
    """Raise NamesAPerson when `text` holds a title followed by a name."""
    phrase = names_a_person(text)
    if phrase is not None:
        raise NamesAPerson(title_message(phrase), phrase=phrase)


# --- no text singles out one teacher -----------------------------------------------------

TEACHER_WORDS = ("teacher", "instructor", "educator", "interventionist", "specialist",
                 "substitute")
SUBJECTS = (
    "math", "maths", "mathematics", "algebra", "geometry", "calculus", "statistics",
    "science", "biology", "bio", "chemistry", "chem", "physics", "ela", "english",
    "reading", "writing", "literacy", "literature", "phonics", "history", "studies",
    "civics", "government", "economics", "geography", "spanish", "french", "german",
    "chinese", "mandarin", "latin", "japanese", "arabic", "italian", "asl", "language",
    "languages", "art", "arts", "music", "band", "choir", "chorus", "orchestra", "drama",
    "theater", "theatre", "dance", "pe", "gym", "education", "health", "computer",
    "computing", "coding", "technology", "tech", "stem", "steam", "cte", "engineering",
    "robotics", "sped", "esl", "ell", "esol", "eld", "resource", "gifted", "gt",
    "intervention", "library", "media", "journalism", "yearbook", "agriculture",
    "culinary", "business", "psychology", "sociology")
GRADE_WORDS = ("grade", "grades", "gr", "grader", "graders")
GRADE_ALONE = ("kindergarten", "kinder", "prek", "freshman", "sophomore")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth", "eleventh", "twelfth")
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve")
ROOM_WORDS = ("room", "rm", "classroom", "portable", "lab")
# Words that may stand among the grade, subject and room words before "teacher".
MODIFIERS = ("and", "ap", "ib", "honors", "honours", "advanced", "intro", "level", "social",
             "special", "ed", "physical", "world", "dual", "lead", "pre", "k", "class")
QUANTIFIERS = ("a", "an", "each", "every", "any", "all", "no", "one", "another", "other",
               "per", "both", "some", "most", "many", "several", "few", "which", "what",
               "either", "neither", "whichever", "whatever")
DETERMINERS = ("the", "this", "that", "our", "their", "his", "her", "your", "my")
PREPOSITIONS = ("in", "of", "for", "from", "at")
# "teacher" used as a modifier of these is not about one teacher ("math teacher PLC").
ADJUNCTS = (
    "team", "teams", "plc", "plcs", "meeting", "meetings", "planning", "collaboration",
    "department", "departments", "group", "groups", "pd", "training", "trainings", "cohort",
    "cohorts", "community", "committee", "leaders", "leadership", "workshop", "workshops",
    "network", "networks", "institute", "talk", "moves", "candidates", "pipeline",
    "retention", "induction", "vacancy", "vacancies", "positions", "certification",
    "evaluations", "observations", "survey", "surveys", "handbook", "materials", "guide",
    "guides", "edition", "resources", "preparation", "workroom", "lounge", "schedule",
    "schedules", "shortage", "turnover")
# After "the teacher in/of/...": a subject points at one teacher only as a place.
PLACES = ("class", "classes", "classroom", "room", "lab", "department", "block", "period",
          "section", "course")
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
BOUNDARY = re.compile(r"[.!?;:,()\[\]{}\"\n\r\u2028\u2029]")
ROOM_ID = re.compile(r"^(?:[a-z]?[0-9]{1,4}[a-z]?|[a-z])$")
NUMBER = re.compile(r"^[0-9]{1,3}[a-z]?$")
ORDINAL = re.compile(r"^[0-9]{1,2}(?:st|nd|rd|th)$")


class Word(NamedTuple):
    word: str  # lowercase, without a possessive 's
    start: int
    end: int
    possessive: bool


def _sentence_words(text: str) -> list[Word]:
    words = []
    for match in WORD.finditer(text):
        word = match.group().lower()
        possessive = word.endswith("'s")
        words.append(Word(word[:-2] if possessive else word, match.start(), match.end(),
                          possessive))
    return words


def singles_out_a_teacher(text: str) -> str | None:
    """The first phrase of `text` that points at one teacher by grade, subject or room
    ("the grade 7 science teacher"), as written, or None."""
    folded = fold(text)
    found = _singling_span(folded.text)
    return None if found is None else folded.written(text, *found)


def _singling_span(text: str) -> tuple[int, int] | None:
    lowered = text.lower()
    if not any(teacher in lowered for teacher in TEACHER_WORDS):
        return None  # every phrase found ends at a teacher word: none, nothing to find
    words = _sentence_words(text)

    def joined(left: int, right: int) -> bool:
        """Words `left` and `right` (next to each other) are in the same clause."""
        return BOUNDARY.search(text, words[left].end, words[right].start) is None

    def part(index: int) -> bool:
        word = words[index].word
        if word in QUANTIFIERS:  # "grade one" is a grade, "one math teacher" is not
            return word == "one" and index > 0 and words[index - 1].word in GRADE_WORDS
        if len(word) == 1 and word.isalpha() and word != "k":  # a room's letter: "room B"
            return index > 0 and words[index - 1].word in ROOM_WORDS
        return (word in SUBJECTS or word in GRADE_WORDS or word in GRADE_ALONE
                or word in ORDINALS or word in NUMBER_WORDS or word in ROOM_WORDS
                or word in MODIFIERS or bool(NUMBER.match(word) or ORDINAL.match(word)))

    for index, teacher in enumerate(words):
        if teacher.word not in TEACHER_WORDS:
            continue
        if text.startswith("-", teacher.end):
            continue  # "teacher-led"
        following = words[index + 1] if index + 1 < len(words) and joined(
            index, index + 1) else None
        if not teacher.possessive and following and following.word in ADJUNCTS:
            continue
        first = index
        while first > 0 and joined(first - 1, first) and part(first - 1):
            first -= 1
        chain = [w.word for w in words[first:index]]
        before = words[first - 1] if first > 0 and joined(first - 1, first) else None
        quantified = before is not None and before.word in QUANTIFIERS
        if _cue(chain) and not quantified:
            start = before.start if before and before.word in DETERMINERS else (
                words[first].start)
            return start, teacher.end
        if following is not None and following.word in PREPOSITIONS and not (
                teacher.possessive):
            after = index + 2
            if after < len(words) and joined(index + 1, after) and words[after].word == "the":
                after += 1
            last = after
            while last < len(words) and joined(last - 1, last) and part(last):
                last += 1
            place = [w.word for w in words[after:last]]
            lands = last < len(words) and joined(last - 1, last) and words[last].word in PLACES
            placed = lands or any(w in PLACES for w in place[1:])
            determined = before is not None and before.word in DETERMINERS
            if place and (_room(place) or (determined and (_grade(place) or (
                    placed and any(w in SUBJECTS for w in place))))):
                start = before.start if before and determined else teacher.start
                end = words[last].end if lands else words[last - 1].end
                return start, end
    return None


def _cue(chain: list[str]) -> bool:
    return any(w in SUBJECTS for w in chain) or _grade(chain) or _room(chain)


def _grade(chain: list[str]) -> bool:
    if any(w in GRADE_ALONE or ORDINAL.match(w) for w in chain):
        return True
    if "pre" in chain and "k" in chain:
        return True
    return any(w in GRADE_WORDS for w in chain) and any(
        w in ORDINALS or w in NUMBER_WORDS or w == "k" or NUMBER.match(w) for w in chain)


def _room(chain: list[str]) -> bool:
    return any(w in ROOM_WORDS and i + 1 < len(chain) and ROOM_ID.match(chain[i + 1])
               for i, w in enumerate(chain))


def singles_out_message(phrase: str) -> str:
    return (f'this points at one teacher ("{phrase}"): describe the pattern across the '
            'rooms you saw instead ("in 2 of 3 rooms, students...")')


def check_singling_out(text: str) -> None:
    """Raise SinglesOutATeacher when `text` points at one teacher."""
    phrase = singles_out_a_teacher(text)
    if phrase is not None:
        raise SinglesOutATeacher(singles_out_message(phrase), phrase=phrase)


def shared_words() -> dict[str, Any]:
    """The word lists the tablet's copy of these rules needs (screening-data.js)."""
    return {"sure_titles": SURE_TITLES, "dotted_titles": DOTTED_TITLES,
            "word_titles": WORD_TITLES, "titles": TITLES, "connectors": CONNECTORS,
            "openers": OPENERS, "closers": CLOSERS, "teacher_words": TEACHER_WORDS,
            "subjects": SUBJECTS, "grade_words": GRADE_WORDS, "grade_alone": GRADE_ALONE,
            "ordinals": ORDINALS, "number_words": NUMBER_WORDS, "room_words": ROOM_WORDS,
            "modifiers": MODIFIERS, "quantifiers": QUANTIFIERS, "determiners": DETERMINERS,
            "prepositions": PREPOSITIONS, "adjuncts": ADJUNCTS, "places": PLACES}


# --- roster normalisation ----------------------------------------------------------

# Letters that stay themselves in the normal form, spelled as people type them
# without the keyboard.
TRANSLITERATION = str.maketrans({"ð": "d", "ß": "ss", "þ": "th", "\u0131": "i"})
APOSTROPHES = "'\u2019\u02bc\u2018`"  # straight, typographic, modifier letter, backtick
NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
MIN_TOKEN_CHARS = 2
NAME_SUFFIXES = ("jr", "sr", "ii", "iii", "iv")
ROSTER_KEY_CONTEXT = b"staff-roster"
ROSTER_REFUSALS_PER_DAY = 5
WORD_KIND = b"word\x00"  # a roster name that is also an ordinary word
PAIR_KIND = b"pair\x00"  # a given name and the family name of one person
WORDS_PAIR_KIND = b"words\x00"  # the same, both also ordinary words ("Will Grant")
TEXT_KIND = b"text\x00"  # a refused text, counted once against the bound
CALENDAR = ("january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december", "monday", "tuesday",
            "wednesday", "thursday", "friday", "saturday", "sunday")
# Words after a sentence's first word that make it the sentence's subject: "Young asked".
VERBS = frozenset((
    "said", "says", "asks", "told", "tells", "gave", "gives", "had", "has", "was", "is",
    "wrote", "writes", "led", "leads", "took", "takes", "made", "makes", "put", "puts", "sat",
    "sits", "stood", "stands", "spoke", "speaks", "taught", "teaches", "brought", "brings",
    "thought", "thinks", "began", "begins", "showed", "shows", "drew", "draws", "saw", "sees",
    "went", "goes", "came", "comes", "let", "lets", "kept", "keeps", "left", "ran", "runs",
    "set", "sets", "read", "reads", "used", "uses", "models", "calls", "checks", "explains",
    "circulates", "prompts", "reminds", "praises", "redirects", "walks", "points", "gets",
    "got", "did", "does", "will", "would", "can", "could", "should", "might", "must"))
# Before a capitalised word, these make it a thing's name, not a person's ("the King's
# speech", "a Rose Garden"); between two, they join a name of a thing ("Bill of Rights").
ARTICLES = ("the", "a", "an", "this", "that", "these", "those", "its")
BRIDGES = ("of", "on", "and", "for", "in", "the", "de", "la", "del", "von", "van")
# Roster names that are also these words ("He", "Do") do not count alone at the start
# of a sentence: "He asked why" is about the teacher ("asked He why" still counts).
FUNCTION_WORDS = frozenset((
    "he", "she", "it", "we", "they", "you", "me", "him", "her", "us", "them", "his", "hers",
    "its", "our", "their", "the", "an", "and", "or", "but", "so", "do", "to", "in", "on",
    "at", "of", "by", "as", "is", "be", "no", "yes", "if", "up", "my", "go", "oh", "ok"))
AUXILIARIES = ("is", "was", "has", "had", "will", "would", "can", "could", "should",
               "might", "must", "does", "did")
SENTENCE_END = re.compile(r"[.!?:;\n\r\u2028\u2029\u2022]")


def name_tokens(text: str) -> list[str]:
    """The tokens a text is matched on: words in the normal form, without case,
    accents or punctuation.

    Apostrophes join ("O'Brien" -> "obrien", "don't" -> "dont") and a possessive
    's is dropped ("Smith's" -> "smith"); hyphens split a word into its parts and
    keep the joined form too ("Wiśniewska-Kowalczyk" -> "wisniewska", "kowalczyk",
    "wisniewskakowalczyk"). Tokens shorter than two characters are left out.
    """
    return [token for span in _words(fold(text).text) for token in span.tokens]


class Span(NamedTuple):
    start: int
    end: int
    tokens: list[str]


def _words(text: str) -> Iterator[Span]:
    """Each word (without quotes or dashes around it), where it is, with its tokens."""
    for start, end in _split(text):
        start, end = _trim(text, start, end)
        tokens = _tokens(text[start:end])
        if tokens:
            yield Span(start, end, tokens)


def _split(text: str) -> Iterator[tuple[int, int]]:
    """Runs of letters, digits, marks, apostrophes and hyphens: the words as written."""
    start = None
    for index, char in enumerate(text):
        if _in_word(char):
            if start is None:
                start = index
        elif start is not None:
            yield start, index
            start = None
    if start is not None:
        yield start, len(text)


def _in_word(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Pd" or char in APOSTROPHES


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and unicodedata.category(text[start])[0] not in "LN":
        start += 1
    while end > start and unicodedata.category(text[end - 1])[0] not in "LNM":
        end -= 1
    return start, end


def _normal(word: str) -> str:
    """Casefolded, accents dropped, the letters that stay whole transliterated, and
    a possessive 's dropped."""
    if word.isascii():
        normal = word.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", word.casefold())
        bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
        normal = bare.translate(TRANSLITERATION)
    for apostrophe in APOSTROPHES:
        normal = normal.removesuffix(apostrophe + "s")
    return normal


def _tokens(word: str, *, apostrophe_parts: bool = False) -> list[str]:
    normal = _normal(word)
    variants = ["".join(c for c in normal if c not in APOSTROPHES)]  # "o'brien" -> "obrien"
    if apostrophe_parts:  # a roster name: "O'Brien" also screens "Brien" and "O Brien"
        variants.append("".join(" " if c in APOSTROPHES else c for c in normal))
    found: list[str] = []
    for variant in variants:
        parts = [part for part in NOT_ALPHANUMERIC.split(variant) if part]
        found += parts
        if len(parts) > 1:  # "smith-jones" -> "smith", "jones", "smithjones"
            found.append("".join(parts))
    return list(dict.fromkeys(token for token in found if len(token) >= MIN_TOKEN_CHARS))


def _name_words(name: str) -> tuple[list[list[str]], list[str]]:
    """A roster name's given names and family name, each as its tokens, without titles
    and suffixes. "Given Family" or "Family, Given"; the last word is the family name."""
    folded = fold(name).text
    family_first = "," in folded
    parts = folded.split(",", 1) if family_first else [folded]
    words = [[_tokens(folded_part[s:e], apostrophe_parts=True)
              for s, e in (_trim(folded_part, *span) for span in _split(folded_part))]
             for folded_part in parts]
    kept = [[tokens for tokens in group if tokens and not (
        len(tokens) == 1 and (tokens[0] in TITLES or tokens[0] in NAME_SUFFIXES))]
        for group in words]
    if family_first:
        family_words, given = kept[0], (kept[1] if len(kept) > 1 else [])
        family = [token for tokens in family_words for token in tokens]
        return given, family
    if not kept[0]:
        return [], []
    return kept[0][:-1], kept[0][-1]


def roster_tokens(name: str) -> list[str]:
    """The tokens a roster name screens for: its given names and surnames, without
    titles ("Dr. Amelia Ng" -> "amelia", "ng")."""
    given, family = _name_words(name)
    return list(dict.fromkeys([token for tokens in given for token in tokens] + family))


@cache
def _ordinary_words() -> frozenset[str]:
    """English words written in lowercase in Webster's word list (web2)."""
    from english_words import get_english_words_set

    words: set[str] = get_english_words_set(["web2"], alpha=True, lower=False)
    return frozenset(word for word in words if word.islower())


def ordinary_word(token: str) -> bool:
    """A token that is also an ordinary English word ("will", "grant", "roses", "april")."""
    words = _ordinary_words()
    return token in CALENDAR or token in words or (token.endswith("s") and token[:-1] in words) or (
        token.endswith("es") and token[:-2] in words)


# --- the roster ---------------------------------------------------------------------


def roster_key(deployment_secret: bytes) -> bytes:
    """The roster's HMAC key, derived from the deployment's secret: roster hashes are
    unrelated to the pseudonyms made under the same secret."""
    return hmac.new(deployment_secret, ROSTER_KEY_CONTEXT, hashlib.sha256).digest()


class RosterBudget(Protocol):
    """How many roster refusals one person may still draw today (kept by the app)."""

    @property
    def bound(self) -> int: ...

    def exhausted(self) -> bool:
        """The person has drawn the bound already: nothing is screened for them."""

    def spend(self, digest: bytes) -> bool:
        """Count a roster refusal of the text with this digest (once per text); False
        when the bound was reached before it."""


@dataclass(frozen=True, slots=True)
class Roster:
    """A school's staff roster as keyed hashes of name tokens; the names are not kept.

    `budget` bounds the roster refusals of the person whose texts it screens."""

    key: bytes
    hashes: frozenset[bytes]
    budget: RosterBudget | None = field(default=None, compare=False)

    @classmethod
    def empty(cls) -> Roster:
        return cls(key=b"", hashes=frozenset())

    @classmethod
    def from_names(cls, names: Iterable[str], key: bytes) -> Roster:
        hashes: set[bytes] = set()
        for name in names:
            given, family = _name_words(name)
            for token in [t for tokens in given for t in tokens] + family:
                hashes.add(_hash(key, (WORD_KIND if ordinary_word(token) else b"")
                                 + token.encode()))
            for tokens in given:
                hashes.update(_hash(key, (WORDS_PAIR_KIND if ordinary_word(first) and (
                    ordinary_word(last)) else PAIR_KIND) + f"{first} {last}".encode())
                    for first in tokens for last in family)
        return cls(key=key, hashes=frozenset(hashes))

    def bounded(self, budget: RosterBudget | None) -> Roster:
        """This roster, screening for a person whose refusals `budget` counts."""
        return replace(self, budget=budget)

    def __len__(self) -> int:
        return len(self.hashes)

    def __repr__(self) -> str:
        return f"Roster({len(self)} hashes)"

    def match(self, text: str) -> str | None:
        """The first words of `text` (as written) that name someone on the roster, or
        None. For tests and tools: a refusal never says which words."""
        folded = fold(text)
        found = self._hit(folded.text) if self.hashes else None
        return None if found is None else folded.written(text, *found)

    def check(self, text: str) -> None:
        """Raise OnTheRoster when `text` names someone on the roster (without saying
        who), or RosterLimitReached when the person's budget is spent."""
        if not self.hashes:
            return
        folded = fold(text)
        if next(_words(folded.text), None) is None:
            return
        if self.budget is not None and self.budget.exhausted():
            raise RosterLimitReached(limit_message(self.budget.bound), phrase="")
        if self._hit(folded.text) is None:
            return
        digest = _hash(self.key, TEXT_KIND + folded.text.encode())
        if self.budget is not None and not self.budget.spend(digest):
            raise RosterLimitReached(limit_message(self.budget.bound), phrase="")
        raise OnTheRoster(roster_message(), phrase="")

    def _has(self, kind: bytes, token: str) -> bool:
        return _hash(self.key, kind + token.encode()) in self.hashes

    def _hit(self, text: str) -> tuple[int, int] | None:
        """Where `text` (folded) names someone on the roster, or None."""
        spans = [_trim(text, *span) for span in _split(text)]
        spans = [(start, end) for start, end in spans if start < end]

        def joined(left: int, right: int) -> bool:
            return SENTENCE_END.search(text, spans[left][1], spans[right][0]) is None

        def capitalised(index: int) -> bool:
            return text[spans[index][0]].isupper()

        all_tokens = [_tokens(text[start:end]) for start, end in spans]
        for index, (start, end) in enumerate(spans):
            tokens = all_tokens[index]
            if any(self._has(b"", token) for token in tokens):
                return start, end
            initial = index == 0 or not joined(index - 1, index)
            following = index + 1 if index + 1 < len(spans) and joined(index, index + 1) \
                else None
            kinds = (PAIR_KIND, WORDS_PAIR_KIND) if capitalised(index) else (PAIR_KIND,)
            if following is not None and any(
                    self._has(kind, f"{first} {last}") for kind in kinds for first in tokens
                    for last in all_tokens[following]):
                return start, spans[following][1]
            written = text[start:end]
            listed = [token for token in tokens if self._has(WORD_KIND, token) and not (
                initial and token in FUNCTION_WORDS)]
            if not capitalised(index) or (written.isupper() and len(written) > 1) or not listed:
                continue
            dated = all(token in CALENDAR for token in listed)  # "in May", "May was busy"
            if initial:
                possessive = written.endswith(("'s", "\u2019s"))
                verb = following is not None and _verb(text[slice(*spans[following])])
                if (possessive or verb) and not (dated and text[slice(
                        *spans[following or index])] in AUXILIARIES):
                    return start, end
                continue
            if dated:
                continue
            before = text[slice(*spans[index - 1])].lower()
            before_initial = index == 1 or not joined(index - 2, index - 1)
            bridged_after = following is not None and following + 1 < len(spans) and text[
                slice(*spans[following])].lower() in BRIDGES and joined(
                following, following + 1) and capitalised(following + 1)
            bridged_before = index >= 3 and before in BRIDGES and capitalised(index - 2) and (
                joined(index - 3, index - 2)) and joined(index - 2, index - 1)
            in_a_run = (capitalised(index - 1) and not before_initial) or bridged_after or (
                bridged_before) or (following is not None and capitalised(following))
            # "asked Grant why"; not "Title I Grant", "Long Division", "the Bill of Rights"
            if not in_a_run and before not in ARTICLES:
                return start, end
        return None


def _verb(word: str) -> bool:
    return word[0].islower() and (word in VERBS or (
        len(word) >= 5 and word.endswith("ed") and not word.endswith("eed")))


def roster_message() -> str:
    return ("this names a person (a name on the school's staff list is in the text): "
            "describe what students and the teacher did, without names; if a word is a "
            "name here only by chance, say it another way")


def limit_message(bound: int) -> str:
    return (f"this text was not accepted: more than {bound} of your texts today held a "
            "name on a school's staff list, so your texts about schools with a staff list "
            "are held until tomorrow; talk to your program organizer")


def _hash(key: bytes, message: bytes) -> bytes:
    return hmac.digest(key, message, "sha256")


# --- every screen, over a payload's free texts ---------------------------------------------


def screen(texts: Mapping[str, str | None], roster: Roster | None = None) -> None:
    """Apply the title rule, the singling-out rule, then the roster, to each named free
    text (None: absent).

    The first text refused raises its ScreenRefusal (NamesAPerson, SinglesOutATeacher,
    RosterLimitReached); its message starts with the field's name ("text: this names a
    person ...").
    """
    for name, text in texts.items():
        if text is None:
            continue
        try:
            check_titles(text)
            check_singling_out(text)
            if roster is not None:
                roster.check(text)
        except ScreenRefusal as refused:
            raise refused.in_field(name) from None


def free_texts(payload: AnyPayload) -> dict[str, str | None]:
    """The free texts of a payload, by field, that must not name a person.

    A step's `owner` is screened too: who is accountable is a role or a team ("the
    principal", "grade 7 team"), never a named teacher; so are a published catalog's
    look-for prompts. Not screened: people's own names at registration; ids, codes
    and values from a list. A look-for value is free text only for a note look-for:
    the caller passes LookForObserved only then."""
    match payload:
        case ev.ClassroomEntered() | ev.ClassroomCorrected():
            return {"label": payload.label}
        case ev.EvidenceNoted() | ev.SchoolUpdateRecorded() | ev.RootCauseNoted():
            return {"text": payload.text}
        case ev.ThankYouNoteLeft():
            return {"text": payload.text}
        case ev.LookForObserved():
            return {"value": payload.value if isinstance(payload.value, str) else None}
        case ev.ObservationRetracted() | ev.ClassroomRetracted() | ev.NextStepWithdrawn() \
                | ev.RootCauseWithdrawn():
            return {"reason": payload.reason}
        case ev.TeachersNotified():
            return {"note": payload.note}
        case ev.NextStepProposed():
            return {"text": payload.text, "owner": payload.owner, "success": payload.success}
        case ev.CheckInRecorded() | ev.MeetingStepCheckedIn():
            progress = payload.progress if isinstance(payload.progress, str) else None
            return {"progress": progress, "note": payload.note}
        case ev.VisitPlanned():
            return {"focus": payload.focus}
        case ev.PartnershipFormed():
            return {"focus": payload.focus, **{f"reason {number}": added.reason for number, added
                                               in enumerate(payload.unmatched, start=1)}}
        case ev.NeedsAssessmentRecorded() | ev.SkillInventoryRecorded():
            return {"notes": payload.notes}
        case ev.CatalogPublished():
            texts = {"notes": payload.notes}
            for item in payload.items:  # its keys too: they are published as they are
                keys = (item.key, *item.options, *item.methods)
                texts[f"look-for {item.key} keys"] = " ".join(keys).replace("_", " ")
                texts[f"look-for {item.key} prompt"] = item.prompt
            return texts
        case ev.PartnershipMeetingHeld():
            texts = {"notes": payload.notes, "dilemma": payload.dilemma,
                     "reading": payload.reading}
            for number, step in enumerate(payload.next_steps, start=1):
                texts[f"step {number} text"] = step.text
                texts[f"step {number} owner"] = step.owner
                texts[f"step {number} success"] = step.success
            return texts
        case ev.GoalSet():
            texts = {"goal": payload.text}
            for number, goal_step in enumerate(payload.steps, start=1):
                texts[f"step {number} text"] = goal_step.text
                texts[f"step {number} owner"] = goal_step.owner
                texts[f"step {number} success"] = goal_step.success
            return texts
        case ev.StepAmended():
            return {"text": payload.text, "owner": payload.owner, "success": payload.success,
                    "reason": payload.reason}
        case ev.PracticeObservationStarted():
            return {"label": payload.label}
        case ev.PracticeObserved():
            return {"value": payload.value if isinstance(payload.value, str) else None}
        case ev.PracticeNoted() | ev.SupportRequested():
            return {"text": payload.text}
        case ev.PracticeObservationRetracted():
            return {"reason": payload.reason}
        case ev.SupportLogged():
            measure = payload.data_point.measure if payload.data_point else None
            return {"line": payload.line, "data point": measure}
        case ev.LearningSessionOffered():
            return {"title": payload.title}
        case ev.LeadershipSkillsPublished():
            texts = {"notes": payload.notes}
            for found in payload.skills:  # keys too: they are published as they are
                texts[f"skill {found.key} key"] = found.key.replace("_", " ")
                texts[f"skill {found.key} name"] = found.name
            return texts
        case ev.ConversationGuidesPublished():
            texts = {"notes": payload.notes}
            for number, guide in enumerate(payload.guides, start=1):
                texts[f"guide {number} title"] = guide.title
                for line, prompt in enumerate(guide.prompts, start=1):
                    texts[f"guide {number} prompt {line}"] = prompt
            return texts
        case ev.VisitRescheduled() | ev.VisitCancelled():
            return {"reason": payload.reason}
        case ev.SchoolCalendarSet():
            return {f"closure {n}": c.label for n, c in enumerate(payload.closures, 1)}
        case ev.CalendarFeedReset() | ev.RemindersChosen():
            return {}
        case ev.SchoolRegistered() | ev.PersonRegistered() | ev.DistrictNamed() \
                | ev.SchoolChanged() | ev.PersonChanged() | ev.PersonDeactivated() \
                | ev.PersonReactivated() | ev.VisitStarted() | ev.VisitClosed() \
                | ev.ClassroomExited() | ev.ClassroomsMerged() | ev.DebriefStarted() \
                | ev.ActionPlanAgreed() | ev.PulseAnswered() | ev.LearningSessionAttended() \
                | ev.GroundRulesAcknowledged() | ev.StepNudged():
            return {}  # names of schools and people, ids and codes: no free text
        case _:
            assert_never(payload)


def combined(rosters: Iterable[Roster]) -> Roster:
    """One roster screening for several schools (a partnership's members' schools)."""
    found = [roster for roster in rosters if roster.hashes]
    if not found:
        return Roster.empty()
    budget = next((roster.budget for roster in found if roster.budget is not None), None)
    return Roster(key=found[0].key, hashes=frozenset().union(*(r.hashes for r in found)),
                  budget=budget)
