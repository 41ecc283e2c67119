"""Visit summary: per look-for trends across the visit's rooms, never per room.

Each room counts once, whoever of the team entered it (walkthrough.consensus);
where the team's observations of a look-for in a room differ, the room is
counted as `differed` and left out of counts, means and rates. A look-for
observed in fewer than `min_rooms` rooms shows no rate and no counts
(`suppressed`): a figure from one or two rooms points at one teacher.
"""

from __future__ import annotations

from fractions import Fraction
from typing import assert_never

import msgspec

from projections.rooms import Quote
from projections.visit_view import Tally, VisitView
from walkthrough.catalog import Catalog, LookFor
from walkthrough.kinds import Kind
from walkthrough.kinds import trend as trend_of

MIN_ROOMS_DEFAULT = 3
MIN_ROOMS_FLOOR = 2
MAX_QUOTES = 60  # evidence quotes shown, in time order; the count says how many there are


def effective_min_rooms(configured: int) -> int:
    return max(MIN_ROOMS_FLOOR, configured)


class ItemTrend(msgspec.Struct, omit_defaults=True):
    key: str
    prompt: str
    kind: Kind
    rooms_observed: int
    counts: dict[str, int]
    rate: float | None
    seen_in: str
    differed: int = 0
    suppressed: bool = False
    mean: float | None = None
    methods: dict[str, int] = {}
    # The rooms behind the figure (where it could be judged and the team agreed), and
    # the figure in words, the same on every screen, page and chart ("67% (3 rooms)").
    rooms_rated: int = 0
    figure: str = ""


class Figure(msgspec.Struct, frozen=True):
    """One look-for's figure over some rooms: the one rule every answer uses."""

    rate: float | None
    rooms: int  # the denominator: rooms where it could be judged and the team agreed
    suppressed: bool  # fewer rooms than the minimum: no rate, no counts
    text: str


def rooms_rated(look_for: LookFor, tally: Tally) -> int:
    """The rooms a look-for's figure rests on: for yes/no those seen "yes" or "no" by a
    team that agreed; for students on task those with a share of students; otherwise
    the rooms where the team agreed."""
    how = trend_of(look_for)
    match how:
        case "rate":
            return tally.counts.get("yes", 0) + tally.counts.get("no", 0)
        case "share_or_mean":
            return tally.shared
        case "mean" | "counts" | "quotes":
            return tally.judged - tally.differed
        case _:
            assert_never(how)


def percent_text(rate: float) -> str:
    """A rate (three decimals) as a whole percent, halves up: "67%" (as the tablet's
    `percent` rounds it)."""
    return f"{(round(rate * 1000) + 5) // 10}%"


def figure(look_for: LookFor, tally: Tally, minimum: int) -> Figure:
    """The figure shown for a look-for, wherever it is shown: none from fewer rooms
    than the minimum."""
    rooms = rooms_rated(look_for, tally)
    if trend_of(look_for) == "quotes":
        return Figure(rate=None, rooms=rooms, suppressed=False, text="")
    if rooms < minimum:
        return Figure(rate=None, rooms=rooms, suppressed=True,
                      text=f"fewer than {minimum} rooms: no figure")
    found = rate(look_for, tally)
    value = round(float(found), 3) if found is not None else None
    text = f"{percent_text(value)} ({_rooms(rooms)})" if value is not None else _rooms(rooms)
    return Figure(rate=value, rooms=rooms, suppressed=False, text=text)


class Summary(msgspec.Struct):
    visit_id: str
    rooms: int
    thank_you_notes: int
    min_rooms: int
    items: list[ItemTrend]
    evidence: list[Quote]
    evidence_count: int


def summarise(view: VisitView, catalog: Catalog, quotes: list[Quote],
              min_rooms: int = MIN_ROOMS_DEFAULT) -> Summary:
    minimum = effective_min_rooms(min_rooms)
    pooled = view.pooled()
    items = [trend(look_for, pooled.get(look_for.key, Tally()), view.rooms, minimum)
             for look_for in catalog.items]
    return Summary(visit_id=view.id, rooms=view.rooms, thank_you_notes=view.thanked,
                   min_rooms=minimum, items=items, evidence=quotes,
                   evidence_count=view.quotes)


def rate(look_for: LookFor, tally: Tally) -> Fraction | None:
    """Yes/no: the share of rooms where it was seen, among rooms where the team saw it
    the same way; students on task: the mean share of students present."""
    how = trend_of(look_for)
    match how:
        case "rate":
            judged = tally.counts.get("yes", 0) + tally.counts.get("no", 0)
            return Fraction(tally.counts.get("yes", 0), judged) if judged else None
        case "share_or_mean":
            return tally.share()
        case "mean" | "counts" | "quotes":
            return None
        case _:
            assert_never(how)


def trend(look_for: LookFor, tally: Tally, rooms: int, minimum: int) -> ItemTrend:
    shown = figure(look_for, tally, minimum)
    how = trend_of(look_for)
    base = ItemTrend(key=look_for.key, prompt=look_for.prompt, kind=look_for.kind,
                     rooms_observed=tally.judged, counts={}, rate=None, seen_in="",
                     differed=tally.differed, rooms_rated=shown.rooms, figure=shown.text)
    if how == "quotes":
        base.seen_in = f"noted in {_rooms(tally.judged)}"
        return base
    if shown.suppressed:
        base.suppressed = True
        base.seen_in = (f"observed in {_rooms(tally.judged)}, agreed in {_rooms(shown.rooms)}: "
                        f"fewer than {minimum} rooms, shown as a trend only from {minimum}"
                        + _differed(tally.differed))
        return base
    base.rate = shown.rate
    agreed = tally.judged - tally.differed
    if how == "rate":
        base.counts = {value: tally.counts.get(value, 0) for value in look_for.yes_no_values()}
        base.methods = dict(sorted(tally.methods.items()))
        judged = base.counts["yes"] + base.counts["no"]
        base.seen_in = (f"seen in {base.counts['yes']} of {_rooms(judged)}"
                        + _differed(tally.differed)
                        + _unobserved(base.counts["not_observed"]))
        return base
    base.counts = dict(sorted(tally.counts.items(), key=lambda kv: _order(look_for, kv[0])))
    mean = tally.mean()
    base.mean = round(float(mean), 2) if mean is not None and how != "counts" else None
    base.seen_in = f"recorded in {agreed} of {_rooms(rooms)}" + _differed(tally.differed)
    return base


def _rooms(count: int) -> str:
    return f"{count} room{'s' * (count != 1)}"


def _differed(count: int) -> str:
    return f"; the team saw it differently in {_rooms(count)}" if count else ""


def _unobserved(count: int) -> str:
    return f" ({count} not observed)" if count else ""


def _order(look_for: LookFor, value: str) -> tuple[int, str]:
    if value in look_for.options:  # a choice's counts in the order of its options
        return (look_for.options.index(value), value)
    return (int(value), value) if value.lstrip("-").isdigit() else (0, value)
