"""Matching peers to a school's needs: administrators in the same role from other
campuses whose strengths meet the school's focus areas, ranked, with the reason.

Ranking: most focus areas met first; then peers who could also learn from the
school (their growth areas are the school's administrators' strengths); then peers
who share the school's need (its focus areas are their growth areas too: peers for a
Critical Friends Group or a network rather than a mentor); then a school of the same
level; then by name, so the order is stable. Focus areas and inventories name
classroom look-fors and leadership skills (walkthrough.skills) alike.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from walkthrough.catalog import Catalog
from walkthrough.events import (
    NeedsAssessmentRecorded,
    PersonRegistered,
    SchoolRegistered,
    SkillInventoryRecorded,
)
from walkthrough.skills import SKILLS

ROLE_NAMES = {"principal": "principal", "assistant_principal": "assistant principal",
              "other": "administrator"}


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
) -> list[PeerMatch]:
    own = [skills[p.user_id] for p in people.values()
           if p.school_id == school.school_id and p.user_id in skills]
    roles: set[str] = {role} if role else ({s.role for s in own} or set(ROLE_NAMES))
    own_strengths = {key for s in own if s.role in roles for key in s.strengths}
    wanted = list(needs.focus_areas)
    found = []
    for inventory in skills.values():
        person = people.get(inventory.user_id)
        if (person is None or person.school_id is None or inventory.role not in roles
                or person.school_id == school.school_id):
            continue
        met = [key for key in wanted if key in inventory.strengths]
        shared = [key for key in wanted if key in inventory.growth_areas]
        if not met and not shared:
            continue
        reciprocal = sorted(set(inventory.growth_areas) & own_strengths)
        campus = schools.get(person.school_id)
        same_level = campus is not None and campus.level == school.level
        found.append(PeerMatch(
            user_id=person.user_id, name=person.name, school_id=person.school_id,
            school_name=campus.name if campus else person.school_id, role=inventory.role,
            needs_met=met, reciprocal=reciprocal, same_level=same_level, shared_needs=shared,
            reason=_reason(school, inventory.role, met, len(wanted), reciprocal, same_level,
                           look_fors, shared)))
    found.sort(key=lambda m: (-len(m.needs_met), -len(m.reciprocal), -len(m.shared_needs),
                              not m.same_level, m.name, m.user_id))
    return found


def _reason(school: SchoolRegistered, role: str, met: list[str], wanted: int,
            reciprocal: list[str], same_level: bool, look_fors: Catalog,
            shared: list[str]) -> str:
    parts = [f"A {ROLE_NAMES[role]} strong in {_prompts(met, look_fors)}: "
             f"{len(met)} of the {wanted} focus areas of {school.name}" if met else
             f"A {ROLE_NAMES[role]} who also wants to grow in {_prompts(shared, look_fors)}: "
             f"a shared need, for a Critical Friends Group or a network"]
    if reciprocal:
        parts.append(f"could learn {_prompts(reciprocal, look_fors)} in return "
                     "(complementary strengths, for a Leadership Learning Partnership)")
    if met and shared:
        parts.append(f"shares the need to grow in {_prompts(shared, look_fors)}")
    if same_level:
        parts.append(f"also leads a {school.level} school")
    return "; ".join(parts) + "."


def _prompts(keys: list[str], look_fors: Catalog) -> str:
    prompts = {skill.key: skill.name.lower() for skill in SKILLS}
    prompts.update({item.key: item.prompt.lower() for item in look_fors.items})
    names = [f"'{prompts.get(key, key)}'" for key in keys]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
