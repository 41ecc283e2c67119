"""Matching peers, with the reason. Inventories and needs name classroom look-fors and
leadership skills (walkthrough.skills) alike, and matching reads both.

- A pair (a visit team, a Leadership Learning Partnership): administrators in the same
  role from other campuses whose strengths meet the school's focus areas. Ranked: most
  focus areas met first; then peers who could also learn from the school (their growth
  areas are the school's administrators' strengths: complementary strengths); then
  peers who share the school's need; then a school of the same level; then by name.
- A group (a Critical Friends Group, a cross-role network): administrators of any role
  from other campuses who share a need with the school (their growth areas are its
  focus areas or its administrators' growth areas), or are strong in its focus areas.
  Ranked: most shared needs first, then focus areas met, then the level, then by name.
- A network's capability: everyone, teacher-leaders included, whose inventory names
  that skill, as a growth area (a shared need) or a strength.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import msgspec

from walkthrough.catalog import Catalog
from walkthrough.events import (
    NeedsAssessmentRecorded,
    PersonRegistered,
    SchoolRegistered,
    SkillInventoryRecorded,
)
from walkthrough.skills import Published, every_skill

ROLE_NAMES = {"principal": "principal", "assistant_principal": "assistant principal",
              "other": "administrator", "teacher_leader": "teacher-leader"}
Purpose = Literal["pair", "group"]


class PeerMatch(msgspec.Struct, frozen=True):
    user_id: str
    name: str
    school_id: str
    school_name: str
    role: str
    needs_met: list[str]
    reciprocal: list[str]
    same_level: bool
    reason: str
    shared_needs: list[str] = []


def match_peers(
    school: SchoolRegistered,
    needs: NeedsAssessmentRecorded,
    look_fors: Catalog,
    schools: Mapping[str, SchoolRegistered],
    people: Mapping[str, PersonRegistered],
    skills: Mapping[str, SkillInventoryRecorded],
    role: str | None = None,
    purpose: Purpose = "pair",
    vocabulary: Published | None = None,
) -> list[PeerMatch]:
    own = [skills[p.user_id] for p in people.values()
           if p.school_id == school.school_id and p.user_id in skills]
    group = purpose == "group"
    roles: set[str] = ({role} if role else
                       set(ROLE_NAMES) if group else ({s.role for s in own} or set(ROLE_NAMES)))
    own_strengths = {key for s in own if s.role in roles for key in s.strengths}
    wanted = list(needs.focus_areas)
    # a group shares the school's needs: its focus areas and its leaders' growth areas
    shared_with = [*wanted, *(key for s in own for key in s.growth_areas if key not in wanted)]
    names = _names(look_fors, vocabulary)
    found = []
    for inventory in skills.values():
        person = people.get(inventory.user_id)
        if (person is None or person.school_id is None or inventory.role not in roles
                or person.school_id == school.school_id):
            continue
        met = [key for key in wanted if key in inventory.strengths]
        shared = [key for key in (shared_with if group else wanted)
                  if key in inventory.growth_areas]
        if not met and not shared:
            continue
        reciprocal = sorted(set(inventory.growth_areas) & own_strengths)
        campus = schools.get(person.school_id)
        same_level = campus is not None and campus.level == school.level
        reason = (_group_reason(school, inventory.role, met, len(wanted), shared, same_level,
                                names) if group else
                  _pair_reason(school, inventory.role, met, len(wanted), reciprocal,
                               same_level, names, shared))
        found.append(PeerMatch(
            user_id=person.user_id, name=person.name, school_id=person.school_id,
            school_name=campus.name if campus else person.school_id, role=inventory.role,
            needs_met=met, reciprocal=reciprocal, same_level=same_level, shared_needs=shared,
            reason=reason))
    if group:
        found.sort(key=lambda m: (-len(m.shared_needs), -len(m.needs_met), not m.same_level,
                                  m.name, m.user_id))
    else:
        found.sort(key=lambda m: (-len(m.needs_met), -len(m.reciprocal), -len(m.shared_needs),
                                  not m.same_level, m.name, m.user_id))
    return found


def match_capability(
    capability: str,
    look_fors: Catalog,
    schools: Mapping[str, SchoolRegistered],
    people: Mapping[str, PersonRegistered],
    skills: Mapping[str, SkillInventoryRecorded],
    roles: Mapping[str, str],
    vocabulary: Published | None = None,
) -> list[PeerMatch]:
    """Members for a cross-role network on one capability: whoever wants to grow in it
    (a shared need) first, then whoever is strong in it; any role. `roles`: each
    person's role in a network (walkthrough.partnership.network_role)."""
    names = _names(look_fors, vocabulary)
    found = []
    for inventory in skills.values():
        person = people.get(inventory.user_id)
        if person is None or person.school_id is None:
            continue
        shared = capability in inventory.growth_areas
        strong = capability in inventory.strengths
        if not shared and not strong:
            continue
        role = roles.get(person.user_id, inventory.role)
        campus = schools.get(person.school_id)
        what = _prompts([capability], names)
        reason = (f"{_a(role)} who wants to grow in {what}: a shared need"
                  if shared else f"{_a(role)} strong in {what}")
        if shared and strong:
            reason += ", and strong in part of it already"
        found.append(PeerMatch(
            user_id=person.user_id, name=person.name, school_id=person.school_id,
            school_name=campus.name if campus else person.school_id, role=role,
            needs_met=[capability] if strong else [], reciprocal=[], same_level=False,
            shared_needs=[capability] if shared else [], reason=reason + "."))
    found.sort(key=lambda m: (not m.shared_needs, m.name, m.user_id))
    return found


def _pair_reason(school: SchoolRegistered, role: str, met: list[str], wanted: int,
                 reciprocal: list[str], same_level: bool, names: Mapping[str, str],
                 shared: list[str]) -> str:
    parts = [f"{_a(role)} strong in {_prompts(met, names)}: "
             f"{len(met)} of the {wanted} focus areas of {school.name}" if met else
             f"{_a(role)} who also wants to grow in {_prompts(shared, names)}: "
             f"a shared need, for a Critical Friends Group or a network"]
    if reciprocal:
        parts.append(f"could learn {_prompts(reciprocal, names)} in return "
                     "(complementary strengths, for a Leadership Learning Partnership)")
    if met and shared:
        parts.append(f"shares the need to grow in {_prompts(shared, names)}")
    if same_level:
        parts.append(f"also leads a {school.level} school")
    return "; ".join(parts) + "."


def _group_reason(school: SchoolRegistered, role: str, met: list[str], wanted: int,
                  shared: list[str], same_level: bool, names: Mapping[str, str]) -> str:
    parts = [f"{_a(role)} who shares {school.name}'s need to grow in "
             f"{_prompts(shared, names)} (a shared need, for a Critical Friends Group or "
             "a network)" if shared else
             f"{_a(role)} strong in {_prompts(met, names)}: "
             f"{len(met)} of the {wanted} focus areas of {school.name}"]
    if shared and met:
        parts.append(f"strong in {_prompts(met, names)}")
    if same_level:
        parts.append(f"also leads a {school.level} school")
    return "; ".join(parts) + "."


def _a(role: str) -> str:
    """'A principal', 'An assistant principal'."""
    name = ROLE_NAMES.get(role, role)
    return f"{'An' if name[:1] in 'aeiou' else 'A'} {name}"


def _names(look_fors: Catalog, vocabulary: Published | None) -> dict[str, str]:
    names = {key: found.name.lower() for key, found in every_skill(vocabulary).items()}
    names.update({item.key: item.prompt.lower() for item in look_fors.items})
    return names


def _prompts(keys: list[str], names: Mapping[str, str]) -> str:
    quoted = [f"'{names.get(key, key)}'" for key in keys]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
