"""The state a group commit decides on: each job sees the group's aggregates as the
jobs before it left them, and its own changes on top, kept in the group only when
the job is done (a job that raises leaves no trace).

The district is immutable: a job's new district replaces the group's when the job
is merged. Visits change in place (see walkthrough.visit): a draft marks each
visit's journal when the job first touches it and rolls back to the mark when the
job fails; the group keeps or undoes everything once the transaction is done."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import cast
from uuid import UUID

from walkthrough.district import DISTRICT_ID, District, Rosters
from walkthrough.events import Event
from walkthrough.growth import Growth
from walkthrough.names import Roster
from walkthrough.persistence import Receipt
from walkthrough.visit import Visit

Aggregate = Visit | District | Growth


class Group:
    def __init__(self, load_district: Callable[[], District],
                 load_visit: Callable[[UUID], Visit | None], receipts: dict[str, bytes],
                 clock: Callable[[], datetime], rosters: Rosters,
                 load_growth: Callable[[UUID, str], Growth | None]) -> None:
        self._load_district = load_district
        self._load_visit = load_visit
        self._load_growth = load_growth
        self._clock = clock
        self._rosters = rosters
        self._roster_of: dict[str, Roster] = {}
        self.states: dict[UUID, Aggregate | None] = {}
        self.created: set[UUID] = set()  # visits planned in this group: nothing stored yet
        self.known = dict(receipts)  # event id -> digest, stored or accepted in this group
        self.events: list[Event] = []
        self.receipts: list[Receipt] = []

    def district(self) -> District:
        if DISTRICT_ID not in self.states:
            self.states[DISTRICT_ID] = self._load_district()
        return cast(District, self.states[DISTRICT_ID])

    def visit(self, visit_id: UUID) -> Visit | None:
        if visit_id == DISTRICT_ID or visit_id in self.district().growth_owners:
            return None
        if visit_id not in self.states:
            self.states[visit_id] = self._load_visit(visit_id)
        return cast("Visit | None", self.states[visit_id])

    def growth(self, record_id: UUID, owner: str) -> Growth | None:
        if record_id not in self.states:
            self.states[record_id] = self._load_growth(record_id, owner)
        return cast("Growth | None", self.states[record_id])

    def roster(self, school_id: str) -> Roster:
        """A school's staff roster, read once per group."""
        if school_id not in self._roster_of:
            self._roster_of[school_id] = self._rosters(school_id)
        return self._roster_of[school_id]

    def draft(self) -> Draft:
        return Draft(self, self._clock())

    def merge(self, draft: Draft) -> None:
        for aggregate_id, state in draft.states.items():
            if isinstance(state, Visit) and self.states.get(aggregate_id) is not state:
                self.created.add(aggregate_id)
        self.states.update(draft.states)
        self.known.update(draft.known)
        self.events.extend(draft.events)
        self.receipts.extend(draft.receipts)

    def visits(self) -> list[Visit]:
        return [state for state in self.states.values() if isinstance(state, Visit)]

    def keep(self) -> None:
        """The transaction committed: every visit keeps what the group applied."""
        for visit in self.visits():
            visit.commit()

    def undo(self) -> list[UUID]:
        """The transaction failed: visits go back to what is stored. Returns the ids of
        visits planned in this group, which have no stored state to go back to."""
        for visit in self.visits():
            visit.rollback()
        return sorted(self.created)


class Draft:
    def __init__(self, group: Group, now: datetime) -> None:
        self.now = now
        self._group = group
        self.states: dict[UUID, Aggregate | None] = {}
        self.known: dict[str, bytes] = {}  # event id (canonical text) -> digest
        self.events: list[Event] = []
        self.receipts: list[Receipt] = []
        self._marks: dict[UUID, tuple[Visit, int]] = {}

    def district(self) -> District:
        if DISTRICT_ID in self.states:
            return cast(District, self.states[DISTRICT_ID])
        return self._group.district()

    def visit(self, visit_id: UUID) -> Visit | None:
        if visit_id in self.states:
            return cast("Visit | None", self.states[visit_id])
        visit = self._group.visit(visit_id)
        if visit is not None and visit_id not in self._marks:
            self._marks[visit_id] = (visit, visit.mark())
        return visit

    def growth(self, record_id: UUID, owner: str) -> Growth | None:
        """A growth record (immutable: a failed job simply leaves its new state out)."""
        if record_id in self.states:
            return cast("Growth | None", self.states[record_id])
        return self._group.growth(record_id, owner)

    def rollback(self) -> None:
        """The job failed: undo what it changed in the group's visits."""
        for visit, mark in self._marks.values():
            visit.rollback(mark)

    def receipt(self, event_id: str) -> bytes | None:
        """The digest stored (or accepted earlier in the group) for a client event id."""
        return self.known.get(event_id) or self._group.known.get(event_id)

    def recorded(self, event_id: str) -> bool:
        return self.receipt(event_id) is not None

    def roster(self, school_id: str) -> Roster:
        return self._group.roster(school_id)

    def add(self, aggregate_id: UUID, state: Aggregate, event: Event,
            receipt: Receipt | None = None) -> None:
        self.states[aggregate_id] = state
        self.events.append(event)
        if receipt is not None:
            self.receipts.append(receipt)
            self.known[receipt.event_id] = receipt.digest
