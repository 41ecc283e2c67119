"""Read-model documents for what organizers record on the district: needs
assessments, skill inventories, partnerships and published catalog versions.
Each document is the latest event of its kind for its id, as stored; a
partnership's meetings are one document per partnership, in log order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

import msgspec

from projections.store import Key, ReadModelStore
from walkthrough.catalog import Catalog
from walkthrough.events import (
    CatalogPublished,
    ConversationGuidesPublished,
    DistrictPayload,
    GroundRulesAcknowledged,
    LearningSessionOffered,
    MeetingStepCheckedIn,
    NeedsAssessmentRecorded,
    PartnershipFormed,
    PartnershipMeetingHeld,
    Payload,
    PersonRegistered,
    SchoolRegistered,
    SkillInventoryRecorded,
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
ACKNOWLEDGED = "ground_rules_acknowledged"  # per network: the members, in log order

_encoder = msgspec.json.Encoder()
needs_decoder = msgspec.json.Decoder(NeedsAssessmentRecorded)
skills_decoder = msgspec.json.Decoder(SkillInventoryRecorded)
partnership_decoder = msgspec.json.Decoder(PartnershipFormed)
catalog_decoder = msgspec.json.Decoder(CatalogPublished)
session_decoder = msgspec.json.Decoder(LearningSessionOffered)
meetings_decoder = msgspec.json.Decoder(list[PartnershipMeetingHeld])
step_check_ins_decoder = msgspec.json.Decoder(list[MeetingStepCheckedIn])
guides_decoder = msgspec.json.Decoder(ConversationGuidesPublished)
members_decoder = msgspec.json.Decoder(list[str])


def catalog_doc_id(version: int) -> str:
    """Zero-padded, so documents sort by version."""
    return f"{version:06d}"


def district_document(payload: DistrictPayload) -> tuple[Key, bytes] | None:
    """The document a district event writes (meetings: see index_meetings)."""
    match payload:
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
        case GroundRulesAcknowledged():
            return None  # its actor is appended to the network's document (index_ground_rules)
        case PartnershipMeetingHeld() | MeetingStepCheckedIn():
            return None  # appended to their partnership's documents by index_meetings
        case _:
            assert_never(payload)


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
