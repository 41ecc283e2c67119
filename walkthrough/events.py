"""Events: what happened, in the past tense, as frozen msgspec Structs.

Each payload type carries a stable tag (its name in the API and in the log);
tags are never renamed or reused, and new fields are optional with defaults.
Every stored event is an `Event` envelope around one payload: who recorded it,
from which device, when it happened on the client (`occurred_at`) and when the
server recorded it (`timestamp`, which with the log position decides order).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

Slug = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
UserId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_.-]{1,64}$")]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
GradeBand = Literal["PK-2", "3-5", "6-8", "9-12"]
Subject = Literal[
    "math", "ela", "science", "social_studies", "arts", "pe", "world_languages", "cte",
    "special_education", "other",
]
Role = Literal["coach", "host", "organizer", "analyst"]
SchoolLevel = Literal["elementary", "middle", "high", "k8", "other"]
StudentsPresent = Annotated[int, msgspec.Meta(ge=0, le=60)]
TapValue = str | Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31)]


class Payload(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True,
              tag_field="type"):
    """Base of every event payload; the tag is the event's type name."""


# --- district -----------------------------------------------------------------------


class SchoolRegistered(Payload, frozen=True, tag="SchoolRegistered"):
    school_id: Slug
    name: Label
    level: SchoolLevel


class PersonRegistered(Payload, frozen=True, tag="PersonRegistered"):
    user_id: UserId
    name: Label
    roles: Annotated[tuple[Role, ...], msgspec.Meta(min_length=1, max_length=4)]
    school_id: Slug | None = None


# --- visit lifecycle ----------------------------------------------------------------


class VisitPlanned(Payload, frozen=True, tag="VisitPlanned"):
    school_id: Slug
    host: UserId
    team: Annotated[tuple[UserId, ...], msgspec.Meta(min_length=1, max_length=4)]
    focus: ShortText
    catalog_version: Annotated[int, msgspec.Meta(ge=1)]
    date: date


class TeachersNotified(Payload, frozen=True, tag="TeachersNotified"):
    note: Text | None = None


class VisitStarted(Payload, frozen=True, tag="VisitStarted"):
    pass


class SchoolUpdateRecorded(Payload, frozen=True, tag="SchoolUpdateRecorded"):
    text: LongText


class VisitClosed(Payload, frozen=True, tag="VisitClosed"):
    pass


# --- classroom ----------------------------------------------------------------------


class ClassroomEntered(Payload, frozen=True, tag="ClassroomEntered"):
    classroom_id: Slug
    label: Label
    grade_band: GradeBand
    subject: Subject
    students_present: StudentsPresent | None = None


class LookForObserved(Payload, frozen=True, tag="LookForObserved"):
    classroom_id: Slug
    item: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    value: str | int
    method: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class EvidenceNoted(Payload, frozen=True, tag="EvidenceNoted"):
    classroom_id: Slug
    text: Text
    item: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class ThankYouNoteLeft(Payload, frozen=True, tag="ThankYouNoteLeft"):
    classroom_id: Slug
    text: Text | None = None


class ClassroomExited(Payload, frozen=True, tag="ClassroomExited"):
    classroom_id: Slug


class ObservationRetracted(Payload, frozen=True, tag="ObservationRetracted"):
    event_id: UUID
    reason: ShortText


AnyPayload = (
    SchoolRegistered | PersonRegistered
    | VisitPlanned | TeachersNotified | VisitStarted | SchoolUpdateRecorded | VisitClosed
    | ClassroomEntered | LookForObserved | EvidenceNoted | ThankYouNoteLeft | ClassroomExited
    | ObservationRetracted
)

PAYLOAD_TYPES: dict[str, type[Payload]] = {
    cls.__struct_config__.tag: cls
    for cls in AnyPayload.__args__
}

# Event types a client may send through POST /api/sync.
SYNCABLE_TYPES = frozenset(
    {
        "VisitPlanned", "TeachersNotified", "VisitStarted", "SchoolUpdateRecorded",
        "VisitClosed", "ClassroomEntered", "LookForObserved", "EvidenceNoted",
        "ThankYouNoteLeft", "ClassroomExited", "ObservationRetracted",
    }
)
OBSERVATION_TYPES: tuple[type[Payload], ...] = (LookForObserved, EvidenceNoted)
CLASSROOM_TYPES: tuple[type[Payload], ...] = (
    LookForObserved, EvidenceNoted, ThankYouNoteLeft, ClassroomExited,
)


def type_name(payload: Payload) -> str:
    tag = type(payload).__struct_config__.tag
    assert isinstance(tag, str)
    return tag


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """A stored domain event: the envelope eventsourcing persists, around a payload."""

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    event_id: UUID
    actor: str
    device_id: str
    occurred_at: datetime
    catalog_version: int | None = None
    payload: AnyPayload

    @property
    def type(self) -> str:
        return type_name(self.payload)


event_encoder = msgspec.json.Encoder()
event_decoder = msgspec.json.Decoder(Event)
