"""Partnerships around visits: who may form one, and when its meetings fall.

A Leadership Learning Partnership is a pair of peers from two campuses meeting
bi-weekly (45 minutes) with a visit exchange each quarter. A Critical Friends
Group has 4-6 members from different campuses meeting monthly (90 minutes);
facilitation rotates in the order the members are listed.
"""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

from walkthrough.errors import Conflict, DomainError
from walkthrough.events import PartnershipFormed, PartnershipKind, PersonRegistered


class Format(msgspec.Struct, frozen=True):
    name: str
    min_members: int
    max_members: int
    cadence: str
    minutes: int
    rotating_facilitator: bool


FORMATS: dict[PartnershipKind, Format] = {
    "leadership_learning": Format(name="Leadership Learning Partnership", min_members=2,
                                  max_members=2, cadence="bi-weekly", minutes=45,
                                  rotating_facilitator=False),
    "critical_friends": Format(name="Critical Friends Group", min_members=4, max_members=6,
                               cadence="monthly", minutes=90, rotating_facilitator=True),
}


def check_partnership(payload: PartnershipFormed, people: dict[str, PersonRegistered],
                      existing: set[str]) -> None:
    if payload.partnership_id in existing:
        raise Conflict(f"partnership {payload.partnership_id!r} already exists",
                       code="partnership_exists")
    rules = FORMATS[payload.kind]
    members = payload.members
    if len(set(members)) != len(members):
        raise DomainError("each member is listed once", code="invalid_partnership")
    if not rules.min_members <= len(members) <= rules.max_members:
        size = (f"{rules.min_members}" if rules.min_members == rules.max_members
                else f"{rules.min_members}-{rules.max_members}")
        raise DomainError(f"a {rules.name} has {size} members", code="invalid_partnership")
    schools = []
    for member in members:
        person = people.get(member)
        if person is None:
            raise DomainError(f"user {member!r} is not registered", code="unknown_user")
        if person.school_id is None:
            raise DomainError(f"{member!r} is not an administrator of a campus",
                              code="invalid_partnership")
        schools.append(person.school_id)
    if len(set(schools)) != len(schools):
        raise DomainError("partners come from different campuses", code="same_campus")


def meetings(partnership: PartnershipFormed, after: date, count: int = 3) -> list[dict[str, str]]:
    """The next `count` meetings on or after `after`, with the facilitator when it rotates."""
    rules = FORMATS[partnership.kind]
    found: list[dict[str, str]] = []
    number = 0
    while len(found) < count:
        when = _nth_meeting(partnership.starts, rules.cadence, number)
        if when >= after:
            meeting = {"date": when.isoformat()}
            if rules.rotating_facilitator:
                meeting["facilitator"] = partnership.members[number % len(partnership.members)]
            found.append(meeting)
        number += 1
    return found


def _nth_meeting(start: date, cadence: str, number: int) -> date:
    if cadence == "bi-weekly":
        return start + timedelta(weeks=2 * number)
    month = start.month - 1 + number
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, 28))
