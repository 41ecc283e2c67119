"""Look-for catalogs: what a coach can tap, and how each kind of value is validated.

A catalog edit is a new version; every visit names the version it uses, so old
visits keep theirs.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from walkthrough.errors import DomainError

Kind = Literal["yes_no", "count", "scale", "choice", "note"]

YES_NO_VALUES = ("yes", "no", "not_observed")
NOT_COUNTED = frozenset({"not_observed", "unsure"})
NOTE_MAX_LENGTH = 2000
COUNT_MAX = 1000


class LookFor(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    key: str
    prompt: str
    kind: Kind
    allow_unsure: bool = False
    methods: tuple[str, ...] = ()
    max_field: str | None = None
    min: int | None = None
    max: int | None = None
    options: tuple[str, ...] = ()
    max_length: int | None = None

    def yes_no_values(self) -> tuple[str, ...]:
        return (*YES_NO_VALUES, "unsure") if self.allow_unsure else YES_NO_VALUES

    def validate(
        self, value: str | int, method: str | None, students_present: int | None
    ) -> None:
        """Raise DomainError(invalid_value) unless value fits this look-for."""
        if method is not None and method not in self.methods:
            raise _invalid(f"{self.key!r} takes no method {method!r}")
        if self.kind == "yes_no":
            allowed = self.yes_no_values()
            if value not in allowed:
                raise _invalid(f"{self.key!r} takes one of {', '.join(allowed)}")
            if method is not None and value != "yes":
                raise _invalid(f"a method for {self.key!r} goes with 'yes' only")
        elif self.kind in ("count", "scale"):
            self._validate_number(value, students_present)
        elif self.kind == "choice":
            if value not in self.options:
                raise _invalid(f"{self.key!r} takes one of {', '.join(self.options)}")
        elif not isinstance(value, str) or not 0 < len(value) <= NOTE_MAX_LENGTH:
            raise _invalid(f"{self.key!r} takes a note of 1 to {NOTE_MAX_LENGTH} characters")

    def _validate_number(self, value: str | int, students_present: int | None) -> None:
        if not isinstance(value, int):
            raise _invalid(f"{self.key!r} takes a whole number")
        low = self.min if self.min is not None else 0
        high = self.max if self.max is not None else COUNT_MAX
        if not low <= value <= high:
            raise _invalid(f"{self.key!r} takes a number from {low} to {high}")
        over = students_present is not None and value > students_present
        if self.max_field == "students_present" and over:
            raise _invalid(f"{self.key!r} ({value}) exceeds the {students_present} "
                           "students present")


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


def _invalid(message: str) -> DomainError:
    return DomainError(message, code="invalid_value")


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

CATALOGS: dict[int, Catalog] = {DEFAULT_CATALOG.version: DEFAULT_CATALOG}


def catalog(version: int) -> Catalog:
    try:
        return CATALOGS[version]
    except KeyError:
        raise DomainError(
            f"catalog version {version} does not exist", code="unknown_catalog"
        ) from None
