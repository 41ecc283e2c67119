"""Who may see what: one place for every visibility rule of the product.

A coach sees and writes only visits whose team they are on; a host only their own
school's visits, plans, trends and roster; organizers see the district; analysts
read the pseudonymised log and the suppressed district trends, never a visit.
Routes say which roles may call them at all (web.http.routing); these rules decide
about the one visit, school or partnership asked for; `capabilities` tells a caller
(GET /api/me) what they may do, so the tablet asks that instead of role names.
The roles themselves, and how to add one: walkthrough.roles.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Literal, assert_never, get_args

import msgspec

from walkthrough.roles import Role

Relation = Literal["team", "host", "organizer"]
GrowthRelation = Literal["self", "peer", "organizer"]

# What a caller may do, as the tablet needs to know it to show a screen, a form or a
# link (the server decides again on every request).
Capability = Literal[
    "plan_visits",  # plan visits, match partners (organizers)
    "keep_people",  # the district's people, schools, roster and sign-in links
    "publish_catalogs",  # publish a new look-for catalog version
    "keep_calendar",  # the district's school calendar
    "keep_guides",  # conversation guides
    "keep_skills",  # the leadership skills vocabulary
    "form_networks",  # cross-role networks
    "see_every_visit",  # every visit and visit team of the district
    "see_what_is_open",  # the district's open steps and visits
    "see_district_growth",  # administrators' growth across the district
    "see_district_trends",  # district trends and calibration, small cells suppressed
    "read_log",  # the pseudonymised event log and its exports
    "read_free_text",  # free text in the published log
    "look_back",  # read models as they were (as_of)
    "calibrate",  # calibration: how alike coaches see
    "compare_with_teammates",  # a coach's agreement with each teammate
    "see_own_school",  # the caller's own school: its trends and staff roster (hosts)
]
CAPABILITIES: tuple[Capability, ...] = get_args(Capability)

_ORGANIZER: frozenset[Capability] = frozenset(CAPABILITIES) - {
    "compare_with_teammates", "see_own_school"}


def grants(role: Role) -> frozenset[Capability]:
    """What holding `role` lets a person do (a host's own school needs a school too)."""
    match role:
        case "organizer":
            return _ORGANIZER
        case "analyst":
            return frozenset({"see_district_trends", "read_log", "calibrate"})
        case "coach":
            return frozenset({"calibrate", "compare_with_teammates"})
        case "host":
            return frozenset({"see_own_school"})
        case "teacher_leader":
            return frozenset()
        case _:
            assert_never(role)


class Actor(msgspec.Struct, frozen=True):
    """Who is asking: a registered person with roles."""

    user_id: str
    roles: tuple[Role, ...]
    school_id: str | None = None

    def has(self, role: Role) -> bool:
        return role in self.roles

    def may(self, capability: Capability) -> bool:
        return capability in capabilities(self)


def capabilities(actor: Actor) -> list[Capability]:
    """What the actor may do, in the order of `Capability`."""
    granted: set[Capability] = set()
    for role in actor.roles:
        granted |= grants(role)
    if actor.school_id is None:
        granted.discard("see_own_school")
    return [capability for capability in CAPABILITIES if capability in granted]


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
    return actor.may("see_every_visit") or (
        actor.may("see_own_school") and actor.school_id == school_id)


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
    return actor.may("read_log")


def may_read_free_text(actor: Actor) -> bool:
    """Free text in the published log: organizers only."""
    return actor.may("read_free_text")


def may_see_district(actor: Actor) -> bool:
    """District trends (suppressed): organizers and analysts."""
    return actor.may("see_district_trends")


def may_look_back(actor: Actor) -> bool:
    """Read models as they were (`as_of`): organizers."""
    return actor.may("look_back")
