"""Read-model documents for what organizers record on the district: needs
assessments, skill inventories, partnerships and published catalog versions.
Each document is the latest event of its kind for its id, as stored; a
partnership's meetings are one document per partnership, in log order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import assert_never

import msgspec

from projections.store import Key, ReadModelStore
from walkthrough.catalog import Catalog
from walkthrough.district import changed_person, changed_school
from walkthrough.events import (
    CalendarFeedReset,
    CatalogPublished,
    ConversationGuidesPublished,
    DistrictNamed,
    DistrictPayload,
    GroundRulesAcknowledged,
    LeadershipSkillsPublished,
    LearningSessionOffered,
    MeetingStepCheckedIn,
    NeedsAssessmentRecorded,
    PartnershipFormed,
    PartnershipMeetingHeld,
    Payload,
    PersonChanged,
    PersonDeactivated,
    PersonReactivated,
    PersonRegistered,
    RemindersChosen,
    SchoolCalendarSet,
    SchoolChanged,
    SchoolRegistered,
    SkillInventoryRecorded,
    StepNudged,
)

SCHOOL = "school"
PERSON = "person"
NEEDS = "needs"
SKILLS = "skills"
PARTNERSHIP = "partnership"
CATALOG = "catalog"
LEADERSHIP_CATALOG = "leadership_catalog"
SESSION = "learning_session"
MEETINGS = "partnership_meetings"
STEP_CHECK_INS = "partnership_check_ins"
GUIDES = "conversation_guides"
NUDGES = "step_nudges"  # StepNudged.step_ref -> the latest nudge of that step
SKILL_VOCABULARY = "leadership_skills"  # published versions (2, 3...) of the vocabulary
ACKNOWLEDGED = "ground_rules_acknowledged"  # per network: the members, in log order
CALENDAR = "school_calendar"  # "current" -> the district's SchoolCalendarSet
INACTIVE = "person_inactive"  # a deactivated person's id -> when (absent: active)
DISTRICT = "district"  # "name" -> the district's name

_encoder = msgspec.json.Encoder()
needs_decoder = msgspec.json.Decoder(NeedsAssessmentRecorded)
skills_decoder = msgspec.json.Decoder(SkillInventoryRecorded)
partnership_decoder = msgspec.json.Decoder(PartnershipFormed)
catalog_decoder = msgspec.json.Decoder(CatalogPublished)
session_decoder = msgspec.json.Decoder(LearningSessionOffered)
meetings_decoder = msgspec.json.Decoder(list[PartnershipMeetingHeld])
step_check_ins_decoder = msgspec.json.Decoder(list[MeetingStepCheckedIn])
guides_decoder = msgspec.json.Decoder(ConversationGuidesPublished)
skill_vocabulary_decoder = msgspec.json.Decoder(LeadershipSkillsPublished)
nudge_decoder = msgspec.json.Decoder(StepNudged)
members_decoder = msgspec.json.Decoder(list[str])


def catalog_doc_id(version: int) -> str:
    """Zero-padded, so documents sort by version."""
    return f"{version:06d}"


school_decoder = msgspec.json.Decoder(SchoolRegistered)
calendar_decoder = msgspec.json.Decoder(SchoolCalendarSet)
person_decoder = msgspec.json.Decoder(PersonRegistered)


def district_document(payload: DistrictPayload, current: Callable[[Key], bytes | None],
                      ) -> tuple[Key, bytes | None] | None:
    """The document a district event writes (meetings: see index_meetings); `current`
    reads a document as it stands (a change applies to it)."""
    match payload:
        case SchoolCalendarSet():
            return (CALENDAR, "current"), _encoder.encode(payload)
        case CalendarFeedReset() | RemindersChosen():
            return None  # the feed's address is worked out from the district aggregate
        case DistrictNamed():
            return (DISTRICT, "name"), _encoder.encode(payload.name)
        case SchoolChanged():
            key = (SCHOOL, payload.school_id)
            before = school_decoder.decode(_present(current(key), key))
            return key, _encoder.encode(changed_school(before, payload))
        case PersonChanged():
            key = (PERSON, payload.user_id)
            person = person_decoder.decode(_present(current(key), key))
            return key, _encoder.encode(changed_person(person, payload))
        case PersonDeactivated():
            return (INACTIVE, payload.user_id), b"true"
        case PersonReactivated():
            return (INACTIVE, payload.user_id), None
        case SchoolRegistered():
            return (SCHOOL, payload.school_id), _encoder.encode(payload)
        case PersonRegistered():
            return (PERSON, payload.user_id), _encoder.encode(payload)
        case NeedsAssessmentRecorded():
            return (NEEDS, payload.school_id), _encoder.encode(payload)
        case SkillInventoryRecorded():
            return (SKILLS, payload.user_id), _encoder.encode(payload)
        case PartnershipFormed():
            return (PARTNERSHIP, payload.partnership_id), _encoder.encode(payload)
        case CatalogPublished():
            kind = LEADERSHIP_CATALOG if payload.kind == "leadership" else CATALOG
            return (kind, catalog_doc_id(payload.version)), _encoder.encode(payload)
        case LearningSessionOffered():
            return (SESSION, payload.session_id), _encoder.encode(payload)
        case ConversationGuidesPublished():
            return (GUIDES, catalog_doc_id(payload.version)), _encoder.encode(payload)
        case StepNudged():
            return (NUDGES, payload.step_ref()), _encoder.encode(payload)
        case LeadershipSkillsPublished():
            return (SKILL_VOCABULARY, catalog_doc_id(payload.version)), _encoder.encode(payload)
        case GroundRulesAcknowledged():
            return None  # its actor is appended to the network's document (index_ground_rules)
        case PartnershipMeetingHeld() | MeetingStepCheckedIn():
            return None  # appended to their partnership's documents by index_meetings
        case _:
            assert_never(payload)


def _present(doc: bytes | None, key: Key) -> bytes:
    if doc is None:  # the log holds the registration before any change to it
        raise AssertionError(f"no document {key} to change")
    return doc


def published_catalog(doc: bytes) -> Catalog:
    published = catalog_decoder.decode(doc)
    return Catalog(version=published.version, items=published.items)


def index_meetings(page: Sequence[Payload], store: ReadModelStore,
                   docs: dict[Key, bytes | None]) -> None:
    """Append the page's partnership meetings and the progress on their steps to their
    partnership's documents (one of each per partnership, in log order)."""
    held = [p for p in page if isinstance(p, PartnershipMeetingHeld)]
    if held:
        ids = sorted({m.partnership_id for m in held})
        found = {pid: meetings_decoder.decode(doc)
                 for pid, doc in store.get_many(MEETINGS, ids).items()}
        for meeting in held:
            found.setdefault(meeting.partnership_id, []).append(meeting)
        for pid in ids:
            docs[(MEETINGS, pid)] = _encoder.encode(found[pid])
    checked = [p for p in page if isinstance(p, MeetingStepCheckedIn)]
    if checked:
        ids = sorted({c.partnership_id for c in checked})
        progress = {pid: step_check_ins_decoder.decode(doc)
                    for pid, doc in store.get_many(STEP_CHECK_INS, ids).items()}
        for check_in in checked:
            progress.setdefault(check_in.partnership_id, []).append(check_in)
        for pid in ids:
            docs[(STEP_CHECK_INS, pid)] = _encoder.encode(progress[pid])


def index_ground_rules(acknowledged: Sequence[tuple[str, str]], store: ReadModelStore,
                       docs: dict[Key, bytes | None]) -> None:
    """Append the members who acknowledged a network's ground rules (partnership id,
    member) to the network's document."""
    if not acknowledged:
        return
    ids = sorted({pid for pid, _ in acknowledged})
    found = {pid: members_decoder.decode(doc)
             for pid, doc in store.get_many(ACKNOWLEDGED, ids).items()}
    for pid, member in acknowledged:
        found.setdefault(pid, []).append(member)
    for pid in ids:
        docs[(ACKNOWLEDGED, pid)] = _encoder.encode(found[pid])
