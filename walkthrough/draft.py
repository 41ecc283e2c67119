"""The state a group commit decides on: each job sees the group's aggregates as the
jobs before it left them, and its own changes on top, merged into the group only
when the job is done (a job that raises leaves no trace)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import cast
from uuid import UUID

from walkthrough.district import DISTRICT_ID, District
from walkthrough.events import Event
from walkthrough.persistence import Receipt
from walkthrough.visit import Visit

Aggregate = Visit | District


class Group:
    def __init__(self, load_district: Callable[[], District],
                 load_visit: Callable[[UUID], Visit | None], receipts: dict[UUID, bytes],
                 clock: Callable[[], datetime]) -> None:
        self._load_district = load_district
        self._load_visit = load_visit
        self._clock = clock
        self.states: dict[UUID, Aggregate | None] = {}
        self.known = dict(receipts)  # event id -> digest, stored or accepted in this group
        self.events: list[Event] = []
        self.receipts: list[Receipt] = []

    def district(self) -> District:
        if DISTRICT_ID not in self.states:
            self.states[DISTRICT_ID] = self._load_district()
        return cast(District, self.states[DISTRICT_ID])

    def visit(self, visit_id: UUID) -> Visit | None:
        if visit_id == DISTRICT_ID:
            return None
        if visit_id not in self.states:
            self.states[visit_id] = self._load_visit(visit_id)
        return cast("Visit | None", self.states[visit_id])

    def draft(self) -> Draft:
        return Draft(self, self._clock())

    def merge(self, draft: Draft) -> None:
        self.states.update(draft.states)
        self.known.update(draft.known)
        self.events.extend(draft.events)
        self.receipts.extend(draft.receipts)


class Draft:
    def __init__(self, group: Group, now: datetime) -> None:
        self.now = now
        self._group = group
        self.states: dict[UUID, Aggregate | None] = {}
        self.known: dict[UUID, bytes] = {}
        self.events: list[Event] = []
        self.receipts: list[Receipt] = []

    def district(self) -> District:
        if DISTRICT_ID in self.states:
            return cast(District, self.states[DISTRICT_ID])
        return self._group.district()

    def visit(self, visit_id: UUID) -> Visit | None:
        if visit_id in self.states:
            return cast("Visit | None", self.states[visit_id])
        return self._group.visit(visit_id)

    def receipt(self, event_id: UUID) -> bytes | None:
        """The digest stored (or accepted earlier in the group) for a client event id."""
        return self.known.get(event_id) or self._group.known.get(event_id)

    def add(self, aggregate_id: UUID, state: Aggregate, event: Event,
            receipt: Receipt | None = None) -> None:
        self.states[aggregate_id] = state
        self.events.append(event)
        if receipt is not None:
            self.receipts.append(receipt)
            self.known[receipt.event_id] = receipt.digest
