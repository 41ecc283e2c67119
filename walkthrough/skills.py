"""The leadership skill vocabulary: what an administrator or a teacher-leader is strong
in or wants to grow in, beside the classroom look-fors of a visit's focus. Versioned
like catalogs: version 1 is built in from the seeds' district (the topics it answered
with learning sessions); organizers publish the next (LeadershipSkillsPublished), and
an inventory, a needs assessment or a goal names the version it used (None: version 1,
as everything recorded before the vocabulary had versions). A cross-role network takes
one skill as its focus."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from walkthrough.errors import DomainError
from walkthrough.events import LeadershipSkill

Skill = LeadershipSkill

SKILLS_VERSION = 1
SKILLS: tuple[Skill, ...] = (
    Skill("efficient_systems", "Building efficient systems"),
    Skill("managing_resistance", "Managing resistance"),
    Skill("facilitating_plcs", "Facilitating PLC conversations"),
    Skill("meaningful_feedback", "Giving teachers meaningful feedback"),
    Skill("instructional_coaching", "Instructional coaching"),
    Skill("budget_management", "Budget management"),
    Skill("data_use", "Using student data"),
)
SKILL_KEYS = frozenset(skill.key for skill in SKILLS)

Published = Mapping[int, tuple[Skill, ...]]


class Vocabulary(msgspec.Struct, frozen=True):
    """The leadership skills of one version of the vocabulary."""

    version: int
    skills: tuple[Skill, ...]
    notes: str | None = None


VOCABULARY = Vocabulary(version=SKILLS_VERSION, skills=SKILLS)


def vocabulary(version: int | None, published: Published | None = None) -> Vocabulary:
    """A version of the vocabulary: built in (1, also for None) or published."""
    number = version or SKILLS_VERSION
    if number == SKILLS_VERSION:
        return VOCABULARY
    found = (published or {}).get(number)
    if found is None:
        raise DomainError(f"leadership skills version {number} does not exist",
                          code="unknown_skills_version")
    return Vocabulary(version=number, skills=found)


def every_skill(published: Published | None = None) -> dict[str, Skill]:
    """Every skill of every version by key, the latest name winning: what an older
    entry's key reads as."""
    found = {skill.key: skill for skill in SKILLS}
    for number in sorted(published or {}):
        found.update({skill.key: skill for skill in (published or {})[number]})
    return found


def skill(key: str, published: Published | None = None) -> Skill:
    found = every_skill(published).get(key)
    if found is None:
        raise DomainError(f"unknown leadership skill {key!r}", code="unknown_skill")
    return found
