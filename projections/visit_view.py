"""The visit read model: everything a summary or debrief needs about one visit,
folded from the log. Order independent where the contract says so: the
effective tap for a look-for in a room is chosen at read time by occurred_at.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from walkthrough.events import (
    ClassroomEntered,
    ClassroomExited,
    Event,
    EvidenceNoted,
    LookForObserved,
    ObservationRetracted,
    SchoolUpdateRecorded,
    TeachersNotified,
    ThankYouNoteLeft,
    VisitClosed,
    VisitPlanned,
    VisitStarted,
)


class Room(msgspec.Struct):
    id: str
    label: str
    grade_band: str
    subject: str
    students_present: int | None = None


class Tap(msgspec.Struct):
    event_id: str
    classroom_id: str
    item: str
    value: str | int
    method: str | None
    occurred_at: datetime


class Note(msgspec.Struct):
    event_id: str
    classroom_id: str
    item: str | None
    text: str
    occurred_at: datetime


class VisitView(msgspec.Struct):
    id: str
    school_id: str
    host: str
    team: list[str]
    focus: str
    date: date
    catalog_version: int
    phase: str = "preparation"
    teachers_notified: bool = False
    school_update: str | None = None
    rooms: dict[str, Room] = {}
    taps: dict[str, Tap] = {}
    evidence: dict[str, Note] = {}
    retracted: list[str] = []
    thank_you_notes: int = 0
    last_recorded_at: datetime | None = None


def plan(event: Event) -> VisitView:
    payload = event.payload
    assert isinstance(payload, VisitPlanned)
    return VisitView(
        id=str(event.originator_id), school_id=payload.school_id, host=payload.host,
        team=list(payload.team), focus=payload.focus, date=payload.date,
        catalog_version=payload.catalog_version, last_recorded_at=event.timestamp,
    )


def apply(view: VisitView, event: Event) -> None:
    """Fold one visit event (not VisitPlanned) into the view, in place."""
    payload = event.payload
    event_id = str(event.event_id)
    view.last_recorded_at = event.timestamp
    if isinstance(payload, TeachersNotified):
        view.teachers_notified = True
    elif isinstance(payload, VisitStarted):
        view.phase = "observation"
    elif isinstance(payload, VisitClosed):
        view.phase = "closed"
    elif isinstance(payload, SchoolUpdateRecorded):
        view.school_update = payload.text
    elif isinstance(payload, ClassroomEntered):
        view.rooms.setdefault(payload.classroom_id, Room(
            id=payload.classroom_id, label=payload.label, grade_band=payload.grade_band,
            subject=payload.subject, students_present=payload.students_present))
    elif isinstance(payload, LookForObserved):
        view.taps[event_id] = Tap(event_id=event_id, classroom_id=payload.classroom_id,
                                  item=payload.item, value=payload.value,
                                  method=payload.method, occurred_at=event.occurred_at)
    elif isinstance(payload, EvidenceNoted):
        view.evidence[event_id] = Note(event_id=event_id, classroom_id=payload.classroom_id,
                                       item=payload.item, text=payload.text,
                                       occurred_at=event.occurred_at)
    elif isinstance(payload, ObservationRetracted):
        view.retracted.append(str(payload.event_id))
    elif isinstance(payload, ThankYouNoteLeft):
        view.thank_you_notes += 1
    elif isinstance(payload, ClassroomExited):
        pass  # exits carry no trend; the log keeps them for analysts


def effective_taps(view: VisitView) -> dict[tuple[str, str], Tap]:
    """The tap that counts per (room, item): latest occurred_at, ties by event id."""
    retracted = set(view.retracted)
    chosen: dict[tuple[str, str], Tap] = {}
    for tap in view.taps.values():
        if tap.event_id in retracted:
            continue
        key = (tap.classroom_id, tap.item)
        best = chosen.get(key)
        if best is None or (tap.occurred_at, tap.event_id) > (best.occurred_at, best.event_id):
            chosen[key] = tap
    return chosen


def live_evidence(view: VisitView) -> list[Note]:
    retracted = set(view.retracted)
    notes = [note for note in view.evidence.values() if note.event_id not in retracted]
    return sorted(notes, key=lambda note: (note.occurred_at, note.event_id))
