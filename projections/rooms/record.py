"""The record of rooms changing: what a room event changes about who entered which
classroom id (entries, corrections, withdrawals, merges), and which rooms it touches.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import NamedTuple, assert_never

import msgspec

from projections.rooms.documents import RoomIndex, Statement
from projections.rooms.partition import Partition
from projections.visit_view import Projected
from walkthrough.events import (
    ClassroomCorrected,
    ClassroomEntered,
    ClassroomExited,
    ClassroomRetracted,
    ClassroomsMerged,
    EvidenceNoted,
    LookForObserved,
    ObservationRetracted,
    RoomPayload,
    ThankYouNoteLeft,
)

CORRECTABLE = ("label", "grade_band", "subject", "students_present")


def stamp(event: Projected) -> str:
    return f"{event.occurred_at.strftime('%Y-%m-%dT%H:%M:%S.%f')}/{event.event_id}"


class Change(NamedTuple):
    """A change to the record of rooms: the classroom ids whose rooms it may touch (a
    union of whole rooms once their rooms are added), and how to apply it."""

    seeds: set[str]
    classroom_id: str | None  # the classroom id whose statements change, if any
    apply: Callable[[], None]


class RoomRecord:
    """Who entered which classroom id, with their corrections and withdrawals, the
    team's merges, and so which classroom ids are one room."""

    def __init__(self, index: RoomIndex) -> None:
        self.index = index
        self.partition = Partition(index)

    def change(self, event: Projected, payload: RoomPayload) -> Change | None:
        """The change a room event makes to the record (None for no change)."""
        coach = event.actor
        match payload:
            case ClassroomEntered():
                cid = payload.classroom_id
                own = self.index.rooms.get(cid, {}).get(coach)
                if own is None:
                    entry = Statement(label=payload.label, grade_band=payload.grade_band,
                                      subject=payload.subject,
                                      students_present=payload.students_present)
                    return self._statement({cid} | self.partition.ids_with_label(payload.label),
                                           cid, coach, entry)
                if payload.students_present is not None and not own.retracted:
                    # going back in, counting again
                    return self._statement({cid}, cid, coach, _restate(
                        own, stamp(event), {"students_present": payload.students_present}))
            case ClassroomCorrected():
                cid = payload.classroom_id
                own = self.index.rooms.get(cid, {}).get(coach)
                if own is not None:
                    details = {detail: getattr(payload, detail) for detail in CORRECTABLE
                               if getattr(payload, detail) is not None}
                    seeds = {cid} | (self.partition.ids_with_label(payload.label)
                                     if payload.label else set())
                    return self._statement(seeds, cid, coach,
                                           _restate(own, stamp(event), details))
            case ClassroomRetracted():
                cid = payload.classroom_id
                own = self.index.rooms.get(cid, {}).get(coach)
                if own is not None and not own.retracted:
                    return self._statement({cid}, cid, coach,
                                           msgspec.structs.replace(own, retracted=True))
            case ClassroomsMerged():
                pair = (min(payload.classroom_id, payload.into),
                        max(payload.classroom_id, payload.into))
                if pair not in self.index.merges:
                    def merge() -> None:
                        bisect.insort(self.index.merges, pair)
                        self.partition.link(*pair)

                    return Change(set(pair), None, merge)
            case LookForObserved() | EvidenceNoted() | ThankYouNoteLeft() \
                    | ObservationRetracted() | ClassroomExited():
                pass  # observations, not the record of rooms
            case _:
                assert_never(payload)
        return None

    def _statement(self, seeds: set[str], classroom_id: str, coach: str,
                   statement: Statement) -> Change:
        def put() -> None:
            self.index.rooms.setdefault(classroom_id, {})[coach] = statement
            self.partition.reindex(classroom_id)

        return Change(seeds, classroom_id, put)

    def restructure(self, change: Change,
                    before: Callable[[list[list[str]]], None] = lambda _: None,
                    after: Callable[[list[list[str]]], None] = lambda _: None) -> None:
        """Apply `change`; `before` sees the rooms it touches as they were, `after` the
        rooms they became."""
        affected = {member for cid in change.seeds for member in self.partition.group(cid)}
        before(self.partition.groups_of(affected))
        change.apply()
        after(self.partition.regroup(affected))

    def room_of(self, classroom_id: str) -> str:
        """The id of the room a classroom id belongs to (its smallest classroom id)."""
        return self.partition.group(classroom_id)[0]


def _restate(own: Statement, at: str, details: dict[str, object]) -> Statement:
    """`own` with the coach's later statement of some details: each detail is taken
    only when this statement is the coach's latest about it."""
    stamps = dict(own.stamps)
    changes: dict[str, object] = {}
    for detail, value in details.items():
        if stamps.get(detail, "") < at:
            stamps[detail] = at
            changes[detail] = value
    return msgspec.structs.replace(own, stamps=stamps, **changes)

