"""The district: its schools and the people who take part, with their roles."""

from __future__ import annotations

from uuid import UUID, uuid5

import msgspec

from walkthrough.errors import DomainError
from walkthrough.events import Event, PersonRegistered, SchoolRegistered

DISTRICT_ID = uuid5(UUID("6f1b2a4e-2c61-4a53-9a53-0c8f5e7d9b10"), "district")


class District(msgspec.Struct, frozen=True):
    id: UUID
    version: int
    schools: dict[str, SchoolRegistered]
    people: dict[str, PersonRegistered]

    def school(self, school_id: str) -> SchoolRegistered:
        try:
            return self.schools[school_id]
        except KeyError:
            raise DomainError(f"school {school_id!r} is not registered",
                              code="unknown_school") from None

    def person(self, user_id: str) -> PersonRegistered:
        try:
            return self.people[user_id]
        except KeyError:
            raise DomainError(f"user {user_id!r} is not registered",
                              code="unknown_user") from None


EMPTY_DISTRICT = District(id=DISTRICT_ID, version=0, schools={}, people={})


def check_registration(district: District, payload: SchoolRegistered | PersonRegistered) -> None:
    if isinstance(payload, SchoolRegistered):
        if payload.school_id in district.schools:
            raise DomainError(f"school {payload.school_id!r} is already registered",
                              code="already_registered")
        return
    if payload.user_id in district.people:
        raise DomainError(f"user {payload.user_id!r} is already registered",
                          code="already_registered")
    if payload.school_id is not None:
        district.school(payload.school_id)


def evolve_district(district: District | None, event: Event) -> District:
    current = district or EMPTY_DISTRICT
    payload = event.payload
    if isinstance(payload, SchoolRegistered):
        schools = {**current.schools, payload.school_id: payload}
        return msgspec.structs.replace(current, version=event.originator_version,
                                       schools=schools)
    if isinstance(payload, PersonRegistered):
        people = {**current.people, payload.user_id: payload}
        return msgspec.structs.replace(current, version=event.originator_version,
                                       people=people)
    return msgspec.structs.replace(current, version=event.originator_version)


def project_district(district: District | None, events: object) -> District | None:
    for event in events:  # type: ignore[attr-defined]
        district = evolve_district(district, event)
    return district
