"""No names in free text: the title rule and the school's staff roster.

Visits are nonevaluative: a room label, an evidence note, a thank-you note, a
school update, a root cause, a step or a check-in note describes what students
and teachers did, never who. Two rules refuse a text that names a person, both
with the code `names_a_person` and a message that quotes what was found:

**The title rule.** A personal title - Mr, Mrs, Ms, Miss, Dr or Mx, with or
without a dot, in any case - followed by a word is refused: "Ms. Smith",
"mrs johnson", "DR. SMITH", "Mr.Smith", "Mx Nguyễn", a title at the end of one
line and the name on the next. We cannot tell a name from another word, so any
word after a title counts. Titles inside words do not count ("Mrsa", "drums",
"Amr Diab"): a title starts a word and ends with a dot or a space. Two
exceptions keep ordinary English usable:

- "Miss" is a title only when it is capitalised and the next word is too
  ("Miss Lee", "MISS LEE"); "students miss the bus", "students who miss
  English" and "miss lee" pass (the roster still catches a listed name).
- "MS" in capitals without a dot before a lowercase word is the school level
  ("MS math", "MS science"); "MS Math" and "Ms math" are refused.

Hard case, decided: a name as the subject of the lesson is refused too
("Students read Dr. Seuss"). The rule stays one sentence a coach can follow,
and the message suggests naming the work instead ("a Seuss book").

Titles spelled out ("Mister", "Doctor") and other forms of address ("Coach
Smith") are not titles here: the roster is the rule for those.

**The roster.** A school's host or an organizer uploads the staff's names; a
note containing any given name or surname from it is refused. The roster is
kept only as keyed hashes (HMAC-SHA256) of normalised name tokens
(`name_tokens`), so matching ignores case, accents and punctuation ("WIŚNIEWSKI",
"Wisniewski" and "wiśniewski" are one token) while the names themselves are
never stored. A roster name that is also an ordinary word ("Will", "Grant",
"Rose", "Do") blocks that word in notes; the message names the word as the
coach typed it, so the coach can say it another way.

Everything here is pure: the application calls `screen(texts, roster)` with
the free texts of a payload and the school's `Roster`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import assert_never

from walkthrough import events as ev
from walkthrough.errors import DomainError
from walkthrough.events import AnyPayload

TITLES = ("mrs", "mr", "ms", "miss", "dr", "mx")  # longest first where one prefixes another
# The same whitespace in Python and JavaScript (their `\s` differ at the edges).
SPACE = "[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
LETTER = r"[^\W\d_]"
# Only the title is consumed, the separator and the word are looked at ahead, so that
# "students miss Miss Lee" still finds "Miss Lee" after passing over "miss Miss".
TITLE_THEN_WORD = re.compile(
    rf"(?<!\w)({'|'.join(TITLES)})(?=(\.{SPACE}*|{SPACE}+)({LETTER}+(?:['\u2019\-]{LETTER}+)*))",
    re.IGNORECASE)
SPACES = re.compile(f"{SPACE}+")

# Letters NFKD leaves whole, spelled as people type them without the keyboard
# (\u0131 is the dotless i).
TRANSLITERATION = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ß": "ss",
                                 "æ": "ae", "œ": "oe", "\u0131": "i", "þ": "th"})
APOSTROPHES = "'\u2019\u02bc\u2018`"  # straight, typographic, modifier letter, backtick
NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
MIN_TOKEN_CHARS = 2
ROSTER_KEY_CONTEXT = b"staff-roster"


class NamesAPerson(DomainError):
    """A free text names a person: a title and a name, or a name on the staff roster."""

    code = "names_a_person"

    def __init__(self, message: str, *, phrase: str, field: str | None = None) -> None:
        super().__init__(message)
        self.phrase = phrase  # what was found, as written
        self.field = field


# --- the title rule ---------------------------------------------------------------


def names_a_person(text: str) -> str | None:
    """The first title-and-name phrase in `text` ("Ms. Smith"), or None."""
    normal = unicodedata.normalize("NFKC", text)
    for match in TITLE_THEN_WORD.finditer(normal):
        title, separator, word = match.groups()
        if title.casefold() == "miss" and not (_capital(title) and _capital(word)):
            continue  # the verb: "students miss the bus"
        if title == "MS" and "." not in separator and not _capital(word):
            continue  # the school level: "MS math"
        return title + SPACES.sub(" ", separator) + word
    return None


def title_message(phrase: str) -> str:
    return (f'this names a person ("{phrase}"): describe what students and the teacher '
            "did, without names (an author? name the book instead)")


def check_titles(text: str) -> None:
    """Raise NamesAPerson when `text` holds a title followed by a name."""
    phrase = names_a_person(text)
    if phrase is not None:
        raise NamesAPerson(title_message(phrase), phrase=phrase)


def _capital(word: str) -> bool:
    """Starts with anything but a lowercase letter (caseless scripts count as capital)."""
    return unicodedata.category(word[0]) != "Ll"


# --- roster normalisation ----------------------------------------------------------


def name_tokens(text: str) -> list[str]:
    """The tokens a text is matched on: words without case, accents or punctuation.

    Apostrophes join ("O'Brien" -> "obrien", "don't" -> "dont") and a possessive
    's is dropped ("Smith's" -> "smith"); hyphens split a word into its parts and
    keep the joined form too ("Wiśniewska-Kowalczyk" -> "wisniewska", "kowalczyk",
    "wisniewskakowalczyk"). Tokens shorter than two characters are left out.
    """
    return [token for _, tokens in _words(text) for token in tokens]


def _words(text: str) -> Iterator[tuple[str, list[str]]]:
    """Each word as written (without quotes or dashes around it), with its tokens."""
    for word in _split(text):
        tokens = _tokens(word)
        if tokens:
            yield _trim(word), tokens


def _split(text: str) -> Iterator[str]:
    """Runs of letters, digits, marks, apostrophes and hyphens: the words as written."""
    start = None
    for index, char in enumerate(text):
        if _in_word(char):
            if start is None:
                start = index
        elif start is not None:
            yield text[start:index]
            start = None
    if start is not None:
        yield text[start:]


def _in_word(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Pd" or char in APOSTROPHES


def _trim(word: str) -> str:
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start])[0] not in "LN":
        start += 1
    while end > start and unicodedata.category(word[end - 1])[0] not in "LNM":
        end -= 1
    return word[start:end]


def _normal(word: str) -> str:
    """Casefolded, accents dropped, the letters NFKD keeps whole transliterated, and
    a possessive 's dropped."""
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


def roster_tokens(name: str) -> list[str]:
    """The tokens a roster name screens for: its given names and surnames, without
    titles ("Dr. Amelia Ng" -> "amelia", "ng")."""
    found = (token for word in _split(name) for token in _tokens(word, apostrophe_parts=True))
    return list(dict.fromkeys(token for token in found if token not in TITLES))


# --- the roster ---------------------------------------------------------------------


def roster_key(deployment_secret: bytes) -> bytes:
    """The roster's HMAC key, derived from the deployment's secret: roster hashes are
    unrelated to the pseudonyms made under the same secret."""
    return hmac.new(deployment_secret, ROSTER_KEY_CONTEXT, hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class Roster:
    """A school's staff roster as keyed hashes of name tokens; the names are not kept."""

    key: bytes
    hashes: frozenset[bytes]

    @classmethod
    def empty(cls) -> Roster:
        return cls(key=b"", hashes=frozenset())

    @classmethod
    def from_names(cls, names: Iterable[str], key: bytes) -> Roster:
        return cls(key=key, hashes=frozenset(
            _hash(key, token) for name in names for token in roster_tokens(name)))

    def __len__(self) -> int:
        return len(self.hashes)

    def __repr__(self) -> str:
        return f"Roster({len(self)} tokens)"

    def match(self, text: str) -> str | None:
        """The first word of `text` (as written) whose tokens are on the roster, or None."""
        if not self.hashes:
            return None
        for word, tokens in _words(text):
            if any(_hash(self.key, token) in self.hashes for token in tokens):
                return word
        return None

    def check(self, text: str) -> None:
        """Raise NamesAPerson naming the word of `text` that is on the roster."""
        word = self.match(text)
        if word is not None:
            raise NamesAPerson(roster_message(word), phrase=word)


def roster_message(word: str) -> str:
    return (f'this names a person ("{word}" is on the school\'s staff list): describe what '
            f'students and the teacher did, without names; if "{word}" is an ordinary word '
            "here, say it another way")


def _hash(key: bytes, token: str) -> bytes:
    return hmac.new(key, token.encode(), hashlib.sha256).digest()


# --- both rules, over a payload's free texts ---------------------------------------------


def screen(texts: Mapping[str, str | None], roster: Roster | None = None) -> None:
    """Apply the title rule, then the roster, to each named free text (None: absent).

    The first text that names a person raises NamesAPerson; its message starts with
    the field's name ("text: this names a person ...").
    """
    for name, text in texts.items():
        if text is None:
            continue
        try:
            check_titles(text)
            if roster is not None:
                roster.check(text)
        except NamesAPerson as refused:
            raise NamesAPerson(f"{name}: {refused.message}", phrase=refused.phrase,
                               field=name) from None


def free_texts(payload: AnyPayload) -> dict[str, str | None]:
    """The free texts of a payload, by field, that must not name a person.

    Not screened: a step's `owner` (who is accountable: an administrator or a team,
    by design) and people's own names at registration; ids, codes and values from a
    list. A look-for value is free text only for a note look-for: the caller passes
    LookForObserved only then."""
    match payload:
        case ev.ClassroomEntered() | ev.ClassroomCorrected():
            return {"label": payload.label}
        case ev.EvidenceNoted() | ev.SchoolUpdateRecorded() | ev.RootCauseNoted():
            return {"text": payload.text}
        case ev.ThankYouNoteLeft():
            return {"text": payload.text}
        case ev.LookForObserved():
            return {"value": payload.value if isinstance(payload.value, str) else None}
        case ev.ObservationRetracted() | ev.ClassroomRetracted() | ev.NextStepWithdrawn():
            return {"reason": payload.reason}
        case ev.TeachersNotified():
            return {"note": payload.note}
        case ev.NextStepProposed():
            return {"text": payload.text, "success": payload.success}
        case ev.CheckInRecorded() | ev.MeetingStepCheckedIn():
            progress = payload.progress if isinstance(payload.progress, str) else None
            return {"progress": progress, "note": payload.note}
        case ev.VisitPlanned():
            return {"focus": payload.focus}
        case ev.PartnershipFormed():
            return {"focus": payload.focus, **{f"reason {number}": added.reason for number, added
                                               in enumerate(payload.unmatched, start=1)}}
        case ev.NeedsAssessmentRecorded() | ev.SkillInventoryRecorded() | ev.CatalogPublished():
            return {"notes": payload.notes}
        case ev.PartnershipMeetingHeld():
            texts: dict[str, str | None] = {"notes": payload.notes, "dilemma": payload.dilemma,
                                            "reading": payload.reading}
            for number, step in enumerate(payload.next_steps, start=1):
                texts[f"step {number} text"] = step.text
                texts[f"step {number} success"] = step.success
            return texts
        case ev.GoalSet():
            texts = {"goal": payload.text}
            for number, goal_step in enumerate(payload.steps, start=1):
                texts[f"step {number} text"] = goal_step.text
                texts[f"step {number} success"] = goal_step.success
            return texts
        case ev.StepAmended():
            return {"text": payload.text, "success": payload.success, "reason": payload.reason}
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
        case ev.CalendarFeedReset():
            return {}
        case ev.SchoolRegistered() | ev.PersonRegistered() | ev.DistrictNamed() \
                | ev.SchoolChanged() | ev.PersonChanged() | ev.PersonDeactivated() \
                | ev.PersonReactivated() | ev.VisitStarted() | ev.VisitClosed() \
                | ev.ClassroomExited() | ev.ClassroomsMerged() | ev.DebriefStarted() \
                | ev.ActionPlanAgreed() | ev.PulseAnswered() | ev.LearningSessionAttended() \
                | ev.GroundRulesAcknowledged():
            return {}  # names of schools and people, ids and codes: no free text
        case _:
            assert_never(payload)


def combined(rosters: Iterable[Roster]) -> Roster:
    """One roster screening for several schools (a partnership's members' schools)."""
    found = [roster for roster in rosters if roster.hashes]
    if not found:
        return Roster.empty()
    return Roster(key=found[0].key, hashes=frozenset().union(*(r.hashes for r in found)))
