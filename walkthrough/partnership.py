"""Partnerships around visits: who may form one, and when its meetings fall.

A Leadership Learning Partnership is a pair of peers from two campuses meeting
bi-weekly (45 minutes) with a visit exchange each quarter. A Critical Friends
Group has 4-6 members from different campuses meeting monthly (90 minutes);
facilitation rotates in the order the members are listed.

Rotation with swaps: the turns are the members in order, round after round. When the
member whose turn it is is away, another member facilitates in their place and gives
them their own next turn (a swap), so nobody loses or gains a turn.

Every meeting starts from progress: it cannot be recorded while a next step of the
last meeting has no progress recorded (MeetingStepCheckedIn), and it ends with one or
two next steps of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import msgspec

from walkthrough.errors import Conflict, DomainError, NotFound
from walkthrough.events import (
    MeetingStepCheckedIn,
    PartnershipFormed,
    PartnershipKind,
    PartnershipMeetingHeld,
    PersonRegistered,
    SkillInventoryRecorded,
)
from walkthrough.protocols import protocol
from walkthrough.skills import Published, skill

MAX_MEETING_STEPS = 2


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
    "network": Format(name="Cross-role network", min_members=3, max_members=6,
                      cadence="monthly", minutes=90, rotating_facilitator=True),
}
# Ground rules a cross-role network's members acknowledge before its first meeting
# closes: they flatten the hierarchy between principals, assistant principals and
# teacher-leaders.
GROUND_RULES = (
    "Everyone speaks as a learner: titles stay at the door.",
    "We describe practice, never evaluate a colleague.",
    "What is shared here stays here, unless its owner says otherwise.",
    "Each member's voice counts the same; the facilitator makes room for all.",
    "Every meeting ends with a step each of us will try.",
)


def is_teacher_leader(person: PersonRegistered) -> bool:
    """A teacher-leader (and nothing else): a network member, never observed."""
    return set(person.roles) <= {"teacher_leader"}


def network_role(person: PersonRegistered,
                 inventory: SkillInventoryRecorded | None) -> str:
    """A member's role in a cross-role network: teacher-leader, or the administrative
    role of their skill inventory (an administrator without one: "administrator")."""
    if is_teacher_leader(person):
        return "teacher_leader"
    return inventory.role if inventory is not None else "administrator"


def _check_network(payload: PartnershipFormed, people: Mapping[str, PersonRegistered],
                   skills: Mapping[str, SkillInventoryRecorded],
                   vocabulary: Published | None) -> None:
    if payload.capability is None:
        raise DomainError("a cross-role network focuses on one capability",
                          code="no_capability")
    skill(payload.capability, vocabulary)
    roles = {network_role(people[m], skills.get(m)) for m in payload.members}
    if len(roles) < 2:
        raise DomainError("a cross-role network brings together at least two roles "
                          "(principals, assistant principals, teacher-leaders)",
                          code="not_cross_role")


def check_partnership(payload: PartnershipFormed, people: dict[str, PersonRegistered],
                      existing: set[str],
                      skills: Mapping[str, SkillInventoryRecorded] | None = None,
                      vocabulary: Published | None = None) -> None:
    """vocabulary: the published leadership skill versions (a network's capability is a
    skill of any version)."""
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
        if is_teacher_leader(person) and payload.kind != "network":
            raise DomainError(f"{member!r} is a teacher-leader: a member of a cross-role "
                              "network, not of a partnership of administrators",
                              code="invalid_partnership")
        schools.append(person.school_id)
    if payload.kind == "network":
        _check_network(payload, people, skills or {}, vocabulary)
    elif len(set(schools)) != len(schools):
        raise DomainError("partners come from different campuses", code="same_campus")
    added = [m.user_id for m in payload.unmatched]
    if len(set(added)) != len(added) or not set(added) <= set(members):
        raise DomainError("an unmatched peer added with a reason is a member, listed once",
                          code="invalid_partnership")


def step_key(meeting_id: str, step_id: str) -> str:
    """How a meeting's step is named across the partnership (step ids repeat)."""
    return f"{meeting_id}/{step_id}"


def _visible(partnership: PartnershipFormed | None, user_id: str,
             is_organizer: bool) -> PartnershipFormed:
    if partnership is None or not (is_organizer or user_id in partnership.members):
        raise NotFound("no partnership with that id that you can see",
                       code="partnership_not_found")
    return partnership


def check_step_check_in(payload: MeetingStepCheckedIn, partnership: PartnershipFormed | None,
                        held: tuple[PartnershipMeetingHeld, ...], user_id: str,
                        is_organizer: bool) -> None:
    """Progress on a meeting's next step: by a member or an organizer, on a step agreed."""
    _visible(partnership, user_id, is_organizer)
    meeting = next((m for m in held if m.meeting_id == payload.meeting_id), None)
    if meeting is None or all(s.step_id != payload.step_id for s in meeting.next_steps):
        raise DomainError(f"meeting {payload.meeting_id!r} agreed no step "
                          f"{payload.step_id!r}", code="unknown_step")


def missing_progress(held: tuple[PartnershipMeetingHeld, ...] | list[PartnershipMeetingHeld],
                     checked: frozenset[str]) -> list[str]:
    """The last meeting's step ids that have no progress recorded yet."""
    last = last_meeting(held)
    if last is None:
        return []
    return [s.step_id for s in last.next_steps
            if step_key(last.meeting_id, s.step_id) not in checked]


def check_ground_rules(partnership: PartnershipFormed | None, user_id: str,
                       acknowledged: frozenset[str]) -> None:
    """A network's member acknowledges its ground rules, once, for themself."""
    if partnership is None or user_id not in partnership.members:
        raise NotFound("no partnership with that id that you can see",
                       code="partnership_not_found")
    if partnership.kind != "network":
        raise DomainError("ground rules are acknowledged in a cross-role network",
                          code="not_a_network")
    if user_id in acknowledged:
        raise Conflict("you have acknowledged these ground rules", code="already_acknowledged")


def check_meeting(payload: PartnershipMeetingHeld, partnership: PartnershipFormed | None,
                  held: tuple[PartnershipMeetingHeld, ...], user_id: str,
                  is_organizer: bool, checked: frozenset[str] = frozenset(),
                  acknowledged: frozenset[str] = frozenset()) -> None:
    """Raise unless this organizer or member may record this meeting now.

    `held` are the partnership's earlier meetings in log order, `checked` the step keys
    (step_key) with progress recorded. A caller who is neither an organizer nor a
    member learns nothing about the partnership (404)."""
    partnership = _visible(partnership, user_id, is_organizer)
    if any(m.meeting_id == payload.meeting_id for m in held):
        raise Conflict(f"meeting {payload.meeting_id!r} is already recorded",
                       code="meeting_exists")
    if payload.date < partnership.starts:
        raise DomainError("a meeting is held on or after the partnership starts",
                          code="invalid_date")
    last = last_meeting(held)
    if last is not None and payload.date < last.date:
        raise DomainError(f"the last meeting was held on {last.date.isoformat()}; meetings "
                          "are recorded in order", code="invalid_date")
    steps = payload.next_steps
    if not 1 <= len(steps) <= MAX_MEETING_STEPS:
        raise DomainError(f"a meeting ends with one or {MAX_MEETING_STEPS} next steps, each "
                          "with an owner, a due date and a definition of success",
                          code="too_many_steps" if steps else "no_next_steps")
    if len({s.step_id for s in steps}) != len(steps):
        raise DomainError("each step has its own step_id", code="step_exists")
    if any(s.due < payload.date for s in steps):
        raise DomainError("a step is due after the meeting", code="invalid_due")
    facilitator = payload.facilitator
    if facilitator is not None and facilitator not in partnership.members:
        raise DomainError(f"{facilitator!r} is not a member of this partnership",
                          code="invalid_facilitator")
    if FORMATS[partnership.kind].rotating_facilitator:
        if facilitator is None:
            raise DomainError("a Critical Friends Group meeting names its facilitator",
                              code="invalid_facilitator")
        if last is not None and last.facilitator == facilitator:
            raise DomainError(f"{facilitator!r} facilitated the last meeting; facilitation "
                              "rotates", code="facilitator_rotates")
    presenter = payload.presenter
    if presenter is not None and presenter not in partnership.members:
        raise DomainError(f"{presenter!r} is not a member of this partnership",
                          code="invalid_presenter")
    if payload.protocol is not None:
        chosen = protocol(payload.protocol)
        if chosen.needs_presenter and (presenter is None or payload.dilemma is None):
            raise DomainError(f"the {chosen.name} protocol works on a presenter's dilemma: "
                              "name the presenter and the dilemma", code="no_dilemma")
    if partnership.kind == "network" and not held:
        missing = [m for m in partnership.members if m not in acknowledged]
        if missing:
            raise Conflict(f"a network's first meeting closes once every member has "
                           f"acknowledged the ground rules; not yet: {', '.join(missing)}",
                           code="ground_rules_first")
    waiting = missing_progress(held, checked)
    if waiting:
        raise Conflict(f"a meeting starts from progress: record progress on "
                       f"{', '.join(waiting)} from the last meeting first",
                       code="progress_first")


def last_meeting(held: tuple[PartnershipMeetingHeld, ...] | list[PartnershipMeetingHeld]
                 ) -> PartnershipMeetingHeld | None:
    """The latest meeting by date (the later recorded one on the same day)."""
    if not held:
        return None
    return max(enumerate(held), key=lambda pair: (pair[1].date, pair[0]))[1]


class Meeting(msgspec.Struct, omit_defaults=True):
    """A meeting to come: its date by the cadence, and who facilitates when that rotates."""

    date: date
    facilitator: str | None = None


def next_meeting(partnership: PartnershipFormed,
                 held: tuple[PartnershipMeetingHeld, ...] | list[PartnershipMeetingHeld],
                 today: date) -> Meeting:
    """The next meeting by the cadence, after the last one held and not before today;
    for a Critical Friends Group, facilitated by the member whose turn it is."""
    last = last_meeting(held)
    after = today if last is None else max(today, last.date + timedelta(days=1))
    upcoming = meetings(partnership, after, count=1)[0]
    if FORMATS[partnership.kind].rotating_facilitator:
        upcoming.facilitator = facilitator_due(
            partnership.members, [m.facilitator for m in held if m.facilitator])
    return upcoming


def facilitator_due(members: tuple[str, ...], facilitated: list[str]) -> str:
    """Whose turn it is to facilitate, after these meetings' facilitators (log order).

    Turns go round the members in order; a member who facilitates out of turn (the one
    due was away) gives that member their own next turn."""
    turns: list[str] = []
    for facilitator in facilitated:
        if not turns:
            turns.extend(members)
        due = turns.pop(0)
        if facilitator == due or facilitator not in members:
            continue
        if facilitator not in turns:
            turns.extend(members)
        turns[turns.index(facilitator)] = due
    return turns[0] if turns else members[0]


def upcoming(partnership: PartnershipFormed,
             held: tuple[PartnershipMeetingHeld, ...] | list[PartnershipMeetingHeld],
             today: date, count: int = 3) -> list[Meeting]:
    """The next `count` meetings by the cadence after the last one held, each facilitated
    (when it rotates) by whoever's turn it will be if every turn is taken."""
    last = last_meeting(held)
    after = today if last is None else max(today, last.date + timedelta(days=1))
    found = meetings(partnership, after, count)
    if FORMATS[partnership.kind].rotating_facilitator:
        turns = [m.facilitator for m in held if m.facilitator]
        for meeting in found:
            meeting.facilitator = facilitator_due(partnership.members, turns)
            turns.append(meeting.facilitator)
    return found


def meetings(partnership: PartnershipFormed, after: date, count: int = 3) -> list[Meeting]:
    """The next `count` meetings on or after `after`, with the facilitator when it rotates
    from the first meeting on (see `upcoming` for the turns after the meetings held)."""
    rules = FORMATS[partnership.kind]
    found: list[Meeting] = []
    number = 0
    while len(found) < count:
        when = _nth_meeting(partnership.starts, rules.cadence, number)
        if when >= after:
            found.append(Meeting(date=when, facilitator=partnership.members[
                number % len(partnership.members)] if rules.rotating_facilitator else None))
        number += 1
    return found


def _nth_meeting(start: date, cadence: str, number: int) -> date:
    if cadence == "bi-weekly":
        return start + timedelta(weeks=2 * number)
    month = start.month - 1 + number
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, 28))
