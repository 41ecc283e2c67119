"""Look-for kinds: the closed set of what a coach can tap, and every decision a kind makes.

A look-for's `kind` (`yes_no`, `count`, `scale`, `choice`, `note`) decides five things,
each answered here by one function that matches on the kind and ends in
`assert_never`, so mypy names it when the set grows:

- `validate`     which values a tap may carry (and which methods);
- `shape_problems` what a catalog's definition of the look-for must and may say;
- `combination`  how the taps of a visit team's coaches in one room become the room's
                 (walkthrough.consensus dispatches on it);
- `is_free_text` whether the value is the coach's own words: then it is screened for
                 names (walkthrough.visit, walkthrough.growth) and shown as quotes, not
                 counted (projections.rooms.fold);
- `trend`        how rooms add up in summaries, debriefs and trends (projections.summary,
                 projections.trends);
- `published`    whether the value reaches analysts in the published log and exports
                 (projections.event_log, projections.export): a privacy decision.

The sites dispatch on the small answers (`Combination`, `Trend`, `Publication`), each a
closed set of its own with `match` + `assert_never` where it is read, so a new *answer*
is also led by mypy to every site that reads it.

How to add a kind (say `"photo"`):

1. Add it to `Kind` below.
2. Run `mypy`: it names each function of this module (the `assert_never` lines) and the
   kind's wording for calibration exercises (projections.calibration.exercise_steps).
   Answer each: reuse an existing `Combination`/`Trend`/`Publication` where it fits; a
   new one is added to its Literal, and mypy then names every site that reads it.
3. Any field the kind needs in a catalog goes on `walkthrough.catalog.LookFor` (an
   optional field with a default: old catalogs still decode), checked in
   `shape_problems`.
4. The tablet: run `python -m web.http.tablet_schema` (tests/web/test_tablet_js.py fails
   until the generated web/static/js/generated/schema.js lists the kind), then
   tests/js/capture-widgets.test.js names the kind that has no capture widget: add one
   to `WIDGETS` in web/static/js/views/capture-widgets.js.
5. tests/unit/test_kinds.py shows steps 1-2 on a copy of the code: keep it passing by
   adding the new dispatch site to its list when you add one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, assert_never, get_args

from walkthrough.errors import DomainError

if TYPE_CHECKING:
    from walkthrough.catalog import LookFor

Kind = Literal["yes_no", "count", "scale", "choice", "note"]
KINDS: tuple[Kind, ...] = get_args(Kind)

YES_NO_VALUES = ("yes", "no", "not_observed")
NOT_COUNTED = frozenset({"not_observed", "unsure"})
NOTE_MAX_LENGTH = 2000
COUNT_MAX = 1000

# How a team's taps of a look-for in one room become the room's (walkthrough.consensus).
Combination = Literal[
    "agree_or_abstain",  # yes/no: "not observed"/"unsure" abstain; yes against no differs
    "same_option",  # one option agreed, else differed
    "close_numbers",  # the mean when close enough (scale: a quarter of its range; counts:
    # within 2 or a fifth; students on task: shares within 20 points), else differed
    "quotes",  # every coach's words are a quote; nothing to agree on
]

# How rooms add up to a look-for's trend (projections.summary, projections.trends).
Trend = Literal[
    "rate",  # the share of rooms where it was seen (yes among yes and no)
    "share_or_mean",  # students on task: the mean share of those present; else a mean
    "mean",  # the mean of the agreed numbers, and their counts
    "counts",  # how many rooms per option; no mean, no rate
    "quotes",  # noted in N rooms; the words are evidence quotes
]

# What analysts see of a tap's value in the published log and exports.
Publication = Literal[
    "value",  # a value from the look-for's own list, or a number: published
    "free_text",  # the coach's words: only to organizers who ask for free text
]


def validate(look_for: LookFor, value: str | int, method: str | None,
             students_present: int | None) -> None:
    """Raise DomainError(invalid_value) unless `value` (and `method`) fits `look_for`."""
    key = look_for.key
    if method is not None and method not in look_for.methods:
        raise _invalid(f"{key!r} takes no method {method!r}")
    match look_for.kind:
        case "yes_no":
            allowed = yes_no_values(look_for.allow_unsure)
            if value not in allowed:
                raise _invalid(f"{key!r} takes one of {', '.join(allowed)}")
            if method is not None and value != "yes":
                raise _invalid(f"a method for {key!r} goes with 'yes' only")
        case "count" | "scale":
            _validate_number(look_for, value, students_present)
        case "choice":
            if value not in look_for.options:
                raise _invalid(f"{key!r} takes one of {', '.join(look_for.options)}")
        case "note":
            if not isinstance(value, str) or not 0 < len(value) <= NOTE_MAX_LENGTH:
                raise _invalid(f"{key!r} takes a note of 1 to {NOTE_MAX_LENGTH} characters")
        case _:
            assert_never(look_for.kind)


def yes_no_values(allow_unsure: bool) -> tuple[str, ...]:
    return (*YES_NO_VALUES, "unsure") if allow_unsure else YES_NO_VALUES


def shape_problems(look_for: LookFor) -> list[str]:
    """What is wrong with a catalog's definition of `look_for` (empty: coherent)."""
    kind = look_for.kind
    numbers = (look_for.min, look_for.max) != (None, None)
    problems = []
    match kind:
        case "choice":
            if len(look_for.options) < 2:
                problems.append("a choice needs at least two options")
        case "scale":
            if look_for.min is None or look_for.max is None:
                problems.append("a scale needs min and max")
        case "yes_no" | "count" | "note":
            pass
        case _:
            assert_never(kind)
    if kind != "choice" and look_for.options:
        problems.append("only a choice has options")
    if kind != "yes_no" and (look_for.methods or look_for.allow_unsure):
        problems.append("only a yes/no look-for has methods or 'unsure'")
    if kind not in ("scale", "count") and numbers:
        problems.append("only numbers have min and max")
    if look_for.min is not None and look_for.max is not None and look_for.min > look_for.max:
        problems.append("min is above max")
    if look_for.max_field is not None and kind != "count":
        problems.append("only a count can be bounded by the students present")
    return problems


def combination(kind: Kind) -> Combination:
    """How a team's taps of a look-for of this kind in one room become the room's."""
    match kind:
        case "yes_no":
            return "agree_or_abstain"
        case "choice":
            return "same_option"
        case "count" | "scale":
            return "close_numbers"
        case "note":
            return "quotes"
        case _:
            assert_never(kind)


def is_free_text(kind: Kind) -> bool:
    """Whether a tap's value is the coach's own words: screened for names before it is
    recorded, shown as evidence quotes, never counted."""
    match kind:
        case "note":
            return True
        case "yes_no" | "count" | "scale" | "choice":
            return False
        case _:
            assert_never(kind)


def trend(look_for: LookFor) -> Trend:
    """How the rooms of a look-for add up to its trend."""
    match look_for.kind:
        case "yes_no":
            return "rate"
        case "count":
            return "share_or_mean" if look_for.max_field == "students_present" else "mean"
        case "scale":
            return "mean"
        case "choice":
            return "counts"
        case "note":
            return "quotes"
        case _:
            assert_never(look_for.kind)


def published(kind: Kind | None, value: str | int) -> Publication:
    """What the published log and exports carry of a tap's value: a look-for's own
    values and numbers as they are; a coach's words - or a string whose look-for is
    unknown (`kind` None), which may be words - as free text, for organizers only."""
    if isinstance(value, int):
        return "value"
    match kind:
        case None | "note":
            return "free_text"
        case "yes_no" | "count" | "scale" | "choice":
            return "value"
        case _:
            assert_never(kind)


def _validate_number(look_for: LookFor, value: str | int, students_present: int | None) -> None:
    key = look_for.key
    if not isinstance(value, int):
        raise _invalid(f"{key!r} takes a whole number")
    low = look_for.min if look_for.min is not None else 0
    high = look_for.max if look_for.max is not None else COUNT_MAX
    if not low <= value <= high:
        raise _invalid(f"{key!r} takes a number from {low} to {high}")
    over = students_present is not None and value > students_present
    if look_for.max_field == "students_present" and over:
        raise _invalid(f"{key!r} ({value}) exceeds the {students_present} students present")


def _invalid(message: str) -> DomainError:
    return DomainError(message, code="invalid_value")
