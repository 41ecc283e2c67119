"""Who may see what: one place for every visibility rule of the product.

A coach sees and writes only visits whose team they are on; a host only their own
school's visits, plans, trends and roster; organizers see the district; analysts
read the pseudonymised log and the suppressed district trends, never a visit.
Routes say which roles may call them at all (web.http.routing); these rules decide
about the one visit, school or partnership asked for.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Literal

import msgspec

Relation = Literal["team", "host", "organizer"]
GrowthRelation = Literal["self", "peer", "organizer"]


class Actor(msgspec.Struct, frozen=True):
    """Who is asking: a registered person with roles."""

    user_id: str
    roles: tuple[str, ...]
    school_id: str | None = None

    def has(self, role: str) -> bool:
        return role in self.roles


def visit_relation(actor: Actor, team: Iterable[str], host: str) -> Relation | None:
    """How the actor relates to a visit, or None when they may not see it."""
    if actor.user_id in team:
        return "team"
    if actor.user_id == host:
        return "host"
    if actor.has("organizer"):
        return "organizer"
    return None


def may_see_school(actor: Actor, school_id: str) -> bool:
    """A school's trends, action plans and staff roster: its host and organizers."""
    return actor.has("organizer") or (actor.has("host") and actor.school_id == school_id)


def growth_relation(actor: Actor, owner: str, partners: Collection[str],
                    ) -> GrowthRelation | None:
    """How the actor relates to an administrator's growth record, or None: the
    administrator, their partnership peers (`partners`), organizers; never an analyst as
    such, never a coach who is not one of the administrator's peers."""
    if actor.user_id == owner:
        return "self"
    if actor.user_id in partners:
        return "peer"
    if actor.has("organizer"):
        return "organizer"
    return None


def may_see_partnership(actor: Actor, members: Iterable[str]) -> bool:
    return actor.has("organizer") or actor.user_id in members


def may_see_team(actor: Actor, members: Iterable[str]) -> bool:
    """A visit team's calibration (how alike its coaches see): its coaches, organizers."""
    return actor.has("organizer") or actor.user_id in members


def may_see_pair(actor: Actor, first: str, second: str) -> bool:
    """Two coaches' agreement with each other: those two coaches only - not an
    organizer, not a teammate, not an analyst."""
    return actor.user_id in (first, second)


def may_read_log(actor: Actor) -> bool:
    """The pseudonymised event log: analysts and organizers."""
    return actor.has("analyst") or actor.has("organizer")


def may_read_free_text(actor: Actor) -> bool:
    """Free text in the published log: organizers only."""
    return actor.has("organizer")


def may_see_district(actor: Actor) -> bool:
    """District trends (suppressed): organizers and analysts."""
    return actor.has("organizer") or actor.has("analyst")


def may_look_back(actor: Actor) -> bool:
    """Read models as they were (`as_of`): organizers."""
    return actor.has("organizer")
