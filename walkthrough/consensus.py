"""One room is one room: how a team's observations of a room become the room's.

A visit team of 2-4 coaches walks into the same rooms, each with a tablet.

Which rooms are one room: classroom ids entered under the same label (case and
spaces ignored) in one visit, and ids the team merged (`ClassroomsMerged`). A
room's label, grade band and subject are what the coaches recorded, corrections
first, then the most common, then the first in alphabetical order; its students
present is the largest count a coach gave.

What the room shows for a look-for: each coach's own latest tap there is that
coach's observation (a coach's own taps are ordered by their own device; no clock
decides between two coaches). Then, by kind:

- yes/no: "not observed" and "unsure" abstain when a teammate saw yes or no; the
  room counts the value the team agrees on; yes against no is *differed*.
- choice: the option the team agrees on, else differed.
- scale: the mean of the coaches' numbers when they are within a quarter of the
  scale's range of each other (1-6: one point apart), else differed.
- count: the mean when within 2 of each other or a fifth of the larger count;
  students on task compare as shares of the students present (each coach's own
  count of them when given): within 20 points, else differed. A share never
  exceeds 1.
- note: every coach's note is a quote; no value.

A differed room is left out of counts, means and rates, and the debrief asks the
team what each of them saw. Rooms where the look-for was not observed count in
`not_observed` only.

Calibration (`saw_alike`) reads the same rule: two or more coaches observed a
look-for in a room (a yes/no they could not see - "not observed", "unsure" - is
no observation to compare), and they saw it alike when the room is not differed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import NamedTuple, assert_never

from walkthrough.catalog import LookFor
from walkthrough.kinds import NOT_COUNTED, combination

SHARE_TOLERANCE = Fraction(1, 5)
COUNT_TOLERANCE = 2


def label_key(label: str) -> str:
    """Labels that name the same room: case and spaces ignored."""
    return "".join(label.casefold().split())


class Observed(NamedTuple):
    """One coach's observation of a look-for in a room."""

    value: str | int
    method: str | None
    students_present: int | None  # the coach's own count, else the room's


class Outcome(NamedTuple):
    """What a room contributes to a look-for's trend."""

    value: str | None  # the agreed value (numbers rounded), None when differed
    number: Fraction | None  # scale/count: the agreed mean
    differed: bool
    judged: bool  # counts among the rooms observed (not only "not observed"/"unsure")
    methods: tuple[str, ...] = ()
    share: Fraction | None = None  # students on task: the share of those present


def combine(look_for: LookFor, observed: Sequence[Observed]) -> Outcome | None:
    """The room's outcome for `look_for` from its coaches' observations (None: nothing
    to count, e.g. no observation or a note). The kind's rule is
    walkthrough.kinds.combination."""
    if not observed:
        return None
    rule = combination(look_for.kind)
    match rule:
        case "quotes":
            return None
        case "agree_or_abstain":
            return _yes_no(observed)
        case "same_option":
            values = {str(o.value) for o in observed}
            if len(values) > 1:
                return Outcome(None, None, differed=True, judged=True)
            return Outcome(values.pop(), None, differed=False, judged=True)
        case "close_numbers":
            return _numbers(look_for, observed)
        case _:
            assert_never(rule)


def observing(look_for: LookFor, observed: Sequence[Observed]) -> int:
    """How many of the coaches' observations can be compared: a note never, a yes/no
    only when the coach saw yes or no."""
    rule = combination(look_for.kind)
    match rule:
        case "quotes":
            return 0
        case "agree_or_abstain":
            return sum(1 for o in observed if o.value not in NOT_COUNTED)
        case "same_option" | "close_numbers":
            return len(observed)
        case _:
            assert_never(rule)


def _numbers(look_for: LookFor, observed: Sequence[Observed]) -> Outcome | None:
    numbers = [o.value for o in observed if isinstance(o.value, int)]
    if not numbers:
        return None
    if look_for.max_field == "students_present":
        return _on_task(observed, numbers)
    if not _close(look_for, numbers):
        return Outcome(None, None, differed=True, judged=True)
    mean = Fraction(sum(numbers), len(numbers))
    return Outcome(str(round_half_up(mean)), mean, differed=False, judged=True)


def saw_alike(look_for: LookFor, observed: Sequence[Observed]) -> bool | None:
    """Whether the coaches who observed `look_for` in one room saw it alike (the room
    is not `differed`), or None when fewer than two of them observed it."""
    if observing(look_for, observed) < 2:
        return None
    outcome = combine(look_for, observed)
    return outcome is not None and not outcome.differed


def _yes_no(observed: Sequence[Observed]) -> Outcome:
    definite = [o for o in observed if o.value not in NOT_COUNTED]
    if not definite:  # every coach abstained: not observed (unsure if anyone was)
        unsure = any(o.value == "unsure" for o in observed)
        return Outcome("unsure" if unsure else "not_observed", None, differed=False,
                       judged=False)
    values = {str(o.value) for o in definite}
    if len(values) > 1:
        return Outcome(None, None, differed=True, judged=True)
    value = values.pop()
    methods = tuple(sorted({o.method for o in definite if o.method}))
    return Outcome(value, None, differed=False, judged=True, methods=methods)


def _on_task(observed: Sequence[Observed], numbers: list[int]) -> Outcome:
    """Students on task: shares of those present when anyone counted them, else counts."""
    mean = Fraction(sum(numbers), len(numbers))
    shares = [s for o in observed if isinstance(o.value, int)
              and (s := share(o.value, o.students_present)) is not None]
    if not shares:
        if max(numbers) - min(numbers) > max(COUNT_TOLERANCE, max(numbers) // 5):
            return Outcome(None, None, differed=True, judged=True)
        return Outcome(str(round_half_up(mean)), mean, differed=False, judged=True)
    if max(shares) - min(shares) > SHARE_TOLERANCE:
        return Outcome(None, None, differed=True, judged=True)
    return Outcome(str(round_half_up(mean)), mean, differed=False, judged=True,
                   share=Fraction(sum(shares), len(shares)))


def share(on_task: int, present: int | None) -> Fraction | None:
    """Students on task as a share of those present: never above 1."""
    if not present:
        return None
    return Fraction(min(on_task, present), present)


def _close(look_for: LookFor, numbers: list[int]) -> bool:
    spread = max(numbers) - min(numbers)
    if look_for.kind == "scale" and look_for.min is not None and look_for.max is not None:
        return spread * 4 <= look_for.max - look_for.min
    return spread <= max(COUNT_TOLERANCE, max(numbers) // 5)


def round_half_up(number: Fraction) -> int:
    """Halves away from zero: int(n + 1/2) for n >= 0, -int(-n + 1/2) below, in integers."""
    numerator, denominator = number.numerator, number.denominator  # denominator > 0
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((denominator - 2 * numerator) // (2 * denominator))


def settle(statements: Iterable[tuple[bool, str]]) -> str | None:
    """One detail of a room from what its coaches recorded, as (corrected, value):
    corrected values first, then the most common, then the first alphabetically."""
    counted = Counter(statements)
    if not counted:
        return None
    (_, value), _ = min(counted.items(), key=lambda kv: (not kv[0][0], -kv[1], kv[0][1]))
    return value
