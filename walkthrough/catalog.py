"""Look-for catalogs: what a coach can tap. What each kind of look-for decides (its
values, how a team's taps combine, how it trends and is published) is walkthrough.kinds.

A catalog edit is a new version; every visit names the version it uses, so old
visits keep theirs. Version 1 (the default of the domain) is built in; later
versions are published by organizers as `CatalogPublished` events, so they come
from the log (see `District.catalog` and the read model's catalog documents).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Literal

import msgspec

from walkthrough.errors import DomainError
from walkthrough.kinds import (
    COUNT_MAX,
    NOTE_MAX_LENGTH,
    Kind,
    shape_problems,
    validate,
    yes_no_values,
)

Key = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Bound = Annotated[int, msgspec.Meta(ge=0, le=COUNT_MAX)]


class LookFor(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True,
              forbid_unknown_fields=True):
    key: Key
    prompt: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: Kind
    allow_unsure: bool = False
    methods: Annotated[tuple[Key, ...], msgspec.Meta(max_length=20)] = ()
    max_field: Literal["students_present"] | None = None
    min: Bound | None = None
    max: Bound | None = None
    options: Annotated[tuple[Key, ...], msgspec.Meta(max_length=20)] = ()
    max_length: Annotated[int, msgspec.Meta(ge=1, le=NOTE_MAX_LENGTH)] | None = None

    def check(self) -> None:
        """Raise DomainError(invalid_catalog) unless the definition is coherent."""
        problems = shape_problems(self)
        if problems:
            raise DomainError(f"look-for {self.key!r}: {'; '.join(problems)}",
                              code="invalid_catalog")

    def yes_no_values(self) -> tuple[str, ...]:
        return yes_no_values(self.allow_unsure)

    def validate(
        self, value: str | int, method: str | None, students_present: int | None
    ) -> None:
        """Raise DomainError(invalid_value) unless value fits this look-for
        (walkthrough.kinds.validate)."""
        validate(self, value, method, students_present)


class Catalog(msgspec.Struct, frozen=True):
    version: int
    items: tuple[LookFor, ...]

    def item(self, key: str) -> LookFor:
        for look_for in self.items:
            if look_for.key == key:
                return look_for
        raise DomainError(
            f"look-for {key!r} is not in catalog version {self.version}", code="unknown_item"
        )


    def check(self) -> None:
        """Raise DomainError(invalid_catalog) unless every look-for is coherent and unique."""
        keys = [item.key for item in self.items]
        if len(set(keys)) != len(keys):
            raise DomainError("look-for keys must be unique", code="invalid_catalog")
        for item in self.items:
            item.check()

    def keys(self) -> frozenset[str]:
        return frozenset(item.key for item in self.items)


def _yes_no(key: str, prompt: str, **extra: object) -> LookFor:
    return msgspec.convert({"key": key, "prompt": prompt, "kind": "yes_no", **extra}, LookFor)


DEFAULT_CATALOG = Catalog(
    version=1,
    items=(
        _yes_no("target_posted", "Learning target posted or stated"),
        _yes_no("target_explained", "Students can explain what they are learning and why"),
        LookFor(key="on_task", prompt="Students on task", kind="count",
                max_field="students_present"),
        LookFor(key="engagement", prompt="Level of student engagement", kind="scale",
                min=1, max=6),
        LookFor(key="rigor", prompt="Highest cognitive demand of the task (Bloom)",
                kind="choice",
                options=("remember", "understand", "apply", "analyze", "evaluate", "create")),
        _yes_no("cfu", "Teacher checks for understanding",
                methods=("questioning", "whiteboards", "exit_ticket", "thumbs",
                         "circulating", "other")),
        _yes_no("student_talk", "Student-to-student academic talk"),
        LookFor(key="open_questions", prompt="Questions needing more than a one-word answer",
                kind="count"),
        LookFor(key="grouping", prompt="Grouping format", kind="choice",
                options=("whole_class", "small_groups", "pairs", "individual")),
        _yes_no("small_group_instruction", "Teacher-led small group"),
        _yes_no("monitoring", "Teacher circulating and monitoring"),
        _yes_no("grade_level", "Task at grade-level rigor", allow_unsure=True),
        LookFor(key="routines", prompt="Routines and transitions efficient", kind="scale",
                min=1, max=3),
        LookFor(key="students_doing", prompt="What students are doing and saying", kind="note",
                max_length=NOTE_MAX_LENGTH),
        LookFor(key="work_sample", prompt="Student work sample described", kind="note",
                max_length=NOTE_MAX_LENGTH),
    ),
)

# Built into the product; every later version is published through the log.
BUILT_IN: dict[int, Catalog] = {DEFAULT_CATALOG.version: DEFAULT_CATALOG}


def catalog(version: int, published: Mapping[int, Catalog] | None = None) -> Catalog:
    """A built-in catalog version, or one of the `published` ones (from the log)."""
    found = BUILT_IN.get(version) or (published or {}).get(version)
    if found is None:
        raise DomainError(f"catalog version {version} does not exist", code="unknown_catalog")
    return found


# Leadership practice look-fors: what peers see while the administrator leads a PLC or
# team meeting, a feedback conversation or a debrief with their staff. About the
# practice, never a rating of the administrator as a person.
LEADERSHIP_CATALOG = Catalog(
    version=1,
    items=(
        _yes_no("purpose_and_data", "Meeting opens with the purpose and the data"),
        _yes_no("teachers_talk", "Teachers do most of the talking"),
        _yes_no("student_work", "Student work or data is at the centre of the discussion"),
        _yes_no("protocol", "A protocol or norms guide the conversation"),
        _yes_no("questions_not_answers", "The leader asks more than tells"),
        _yes_no("next_step_owner", "Ends with a next step and an owner"),
        LookFor(key="voices", prompt="Participants who spoke", kind="count"),
        LookFor(key="what_was_said", prompt="What participants did and said", kind="note",
                max_length=NOTE_MAX_LENGTH),
    ),
)
BUILT_IN_LEADERSHIP: dict[int, Catalog] = {LEADERSHIP_CATALOG.version: LEADERSHIP_CATALOG}


def leadership_catalog(version: int, published: Mapping[int, Catalog] | None = None) -> Catalog:
    """A leadership practice catalog version: built in, or published through the log."""
    found = BUILT_IN_LEADERSHIP.get(version) or (published or {}).get(version)
    if found is None:
        raise DomainError(f"leadership catalog version {version} does not exist",
                          code="unknown_catalog")
    return found


# --- the look-fors a visit's focus is about -----------------------------------------

_FOCUS_STOPWORDS = frozenset({
    "a", "an", "and", "are", "can", "do", "does", "for", "grade", "grades", "highest", "in",
    "is", "level", "of",
    "on", "or", "student", "students", "teacher", "teachers", "the", "to", "what", "why",
    "with",
})


def _stems(text: str) -> set[str]:
    words = "".join(ch if ch.isalnum() else " " for ch in text.lower()).split()
    stems = set()
    for word in words:
        if word in _FOCUS_STOPWORDS:
            continue
        for suffix in ("ing", "es", "s", "ed"):
            if len(word) > len(suffix) + 3 and word.endswith(suffix):
                word = word[: -len(suffix)]
                break
        stems.add(word)
    return stems


def focus_look_fors(look_fors: Catalog, focus: str, focus_areas: Sequence[str] = ()) -> list[str]:
    """The keys of the look-fors a visit's focus is about, in catalog order: the school's
    needs-assessment focus areas, and the look-fors whose key or prompt the focus text
    names (every word of a one-word prompt, at least two of a longer one), so capture
    shows them first in a short classroom visit."""
    said = _stems(focus)
    chosen = []
    for item in look_fors.items:
        own = _stems(item.prompt)
        named = _stems(item.key.replace("_", " "))
        by_key = bool(named) and named <= said
        by_prompt = len(own & said) >= min(2, len(own)) if own else False
        if item.key in focus_areas or by_key or by_prompt:
            chosen.append(item.key)
    return chosen
