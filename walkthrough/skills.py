"""The leadership skill vocabulary: what an administrator or a teacher-leader is strong
in or wants to grow in, beside the classroom look-fors of a visit's focus. Built in as
version 1 from the seeds' district (the topics it answered with learning sessions);
a cross-role network takes one of them as its focus."""

from __future__ import annotations

import msgspec

from walkthrough.errors import DomainError


class Skill(msgspec.Struct, frozen=True):
    key: str
    name: str


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


class Vocabulary(msgspec.Struct, frozen=True):
    """The leadership skills of one version of the vocabulary."""

    version: int
    skills: tuple[Skill, ...]


VOCABULARY = Vocabulary(version=SKILLS_VERSION, skills=SKILLS)


def skill(key: str) -> Skill:
    for found in SKILLS:
        if found.key == key:
            return found
    raise DomainError(f"unknown leadership skill {key!r}", code="unknown_skill")
