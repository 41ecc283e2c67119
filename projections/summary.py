"""Visit summary: per look-for trends across the visit's rooms, never per room."""

from __future__ import annotations

from collections import Counter

import msgspec

from projections.visit_view import Tap, VisitView, effective_taps, live_evidence
from walkthrough.catalog import Catalog, LookFor


class ItemTrend(msgspec.Struct, omit_defaults=True):
    key: str
    prompt: str
    kind: str
    rooms_observed: int
    counts: dict[str, int]
    rate: float | None
    seen_in: str
    mean: float | None = None
    methods: dict[str, int] = {}


class Quote(msgspec.Struct):
    item: str | None
    text: str


class Summary(msgspec.Struct):
    visit_id: str
    rooms: int
    thank_you_notes: int
    items: list[ItemTrend]
    evidence: list[Quote]


def summarise(view: VisitView, catalog: Catalog) -> Summary:
    taps = effective_taps(view)
    rooms = len(view.rooms)
    items = []
    for look_for in catalog.items:
        values = [tap for (_, item), tap in sorted(taps.items()) if item == look_for.key]
        trend = _trend(look_for, [t.value for t in values],
                       [t.method for t in values if t.method], rooms)
        if look_for.max_field == "students_present":
            trend.rate = _share_of_present(view, values)
        items.append(trend)
    quotes = [Quote(item=n.item, text=n.text) for n in live_evidence(view)]
    quotes += [Quote(item=t.item, text=str(t.value)) for t in sorted(
        taps.values(), key=lambda t: (t.occurred_at, t.event_id))
        if catalog_kind(catalog, t.item) == "note"]
    return Summary(visit_id=view.id, rooms=rooms, thank_you_notes=view.thank_you_notes,
                   items=items, evidence=quotes)


def _share_of_present(view: VisitView, taps: list[Tap]) -> float | None:
    """For counts of students (on task), the share of the students present."""
    counted = present = 0
    for tap in taps:
        room = view.rooms.get(tap.classroom_id)
        if room is not None and room.students_present and isinstance(tap.value, int):
            counted += tap.value
            present += room.students_present
    return round(counted / present, 3) if present else None


def catalog_kind(catalog: Catalog, key: str) -> str | None:
    return next((item.kind for item in catalog.items if item.key == key), None)


def _trend(look_for: LookFor, values: list[str | int], methods: list[str],
           rooms: int) -> ItemTrend:
    counts = Counter(str(value) for value in values)
    if look_for.kind == "note":
        return ItemTrend(key=look_for.key, prompt=look_for.prompt, kind=look_for.kind,
                         rooms_observed=len(values), counts={}, rate=None,
                         seen_in=f"noted in {len(values)} of {rooms} rooms")
    if look_for.kind == "yes_no":
        observed = counts["yes"] + counts["no"]
        rate = round(counts["yes"] / observed, 3) if observed else None
        ordered = {value: counts[value] for value in look_for.yes_no_values()}
        return ItemTrend(key=look_for.key, prompt=look_for.prompt, kind=look_for.kind,
                         rooms_observed=observed, counts=ordered, rate=rate,
                         seen_in=f"seen in {counts['yes']} of {observed} rooms observed"
                         + _unobserved(len(values) - observed),
                         methods=dict(sorted(Counter(methods).items())))
    numbers = [value for value in values if isinstance(value, int)]
    mean = round(sum(numbers) / len(numbers), 2) if numbers else None
    ordered_counts = dict(sorted(counts.items(), key=lambda kv: _order(look_for, kv[0])))
    return ItemTrend(key=look_for.key, prompt=look_for.prompt, kind=look_for.kind,
                     rooms_observed=len(values), counts=ordered_counts, rate=None,
                     seen_in=f"recorded in {len(values)} of {rooms} rooms", mean=mean)


def _unobserved(count: int) -> str:
    return f" ({count} not observed)" if count else ""


def _order(look_for: LookFor, value: str) -> tuple[int, str]:
    if look_for.kind == "choice" and value in look_for.options:
        return (look_for.options.index(value), value)
    return (int(value), value) if value.lstrip("-").isdigit() else (0, value)

