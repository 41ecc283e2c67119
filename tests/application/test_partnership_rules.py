"""The rules of a partnership's meetings through the application, on every backend:
facilitation rotates with swaps, a meeting starts from progress on the last one's
steps and cannot close without a next step, a protocol works on a presenter's dilemma.

The demo's cfg-talk (host1, coach2, coach3, host2) met once, facilitated by host1;
its step talk-norms has progress, talk-walk has none."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import event, record
from tests.conftest import NOW
from walkthrough.errors import DomainError
from walkthrough.events import (
    ConversationGuide,
    ConversationGuidesPublished,
    GroundRulesAcknowledged,
    MeetingStep,
    MeetingStepCheckedIn,
    PartnershipFormed,
    PartnershipMeetingHeld,
    PersonRegistered,
)
from walkthrough.guides import BUILT_IN_GUIDES
from walkthrough.partnership import facilitator_due
from web.composition.bootstrap import Services

CFG = "cfg-talk"
MEMBERS = ("host1", "coach2", "coach3", "host2")


def step(step_id: str, today: date) -> MeetingStep:
    return MeetingStep(step_id=step_id, text="Bring a tally of student talk",
                       owner="Every member", due=today + timedelta(days=20),
                       success="Four tallies shared")


def held(demo: Services, meeting_id: str, facilitator: str, *steps: MeetingStep,
         day: int = 0, user: str = "coach3", **extra: Any) -> None:
    when = demo.clock().date() + timedelta(days=day)
    demo.app.prepare(demo.app.actor(user), PartnershipMeetingHeld(
        partnership_id=CFG, meeting_id=meeting_id, date=when,
        facilitator=facilitator, next_steps=steps or (step("s", when),), **extra))


def checked(demo: Services, meeting_id: str, step_id: str, user: str = "host2") -> None:
    demo.app.prepare(demo.app.actor(user), MeetingStepCheckedIn(
        partnership_id=CFG, meeting_id=meeting_id, step_id=step_id, status="on_track",
        progress="two of four"))


def refused(demo: Services, code: str, meeting_id: str, facilitator: str, *steps: MeetingStep,
            day: int = 0, **extra: str) -> None:
    with pytest.raises(DomainError) as error:
        held(demo, meeting_id, facilitator, *steps, day=day, **extra)
    assert error.value.code == code


def test_a_meeting_starts_from_progress_on_every_step_of_the_last(demo: Services) -> None:
    refused(demo, "progress_first", "cfg-talk-2", "coach2")
    checked(demo, "cfg-talk-1", "talk-walk")
    held(demo, "cfg-talk-2", "coach2", step("a", demo.clock().date()),
         step("b", demo.clock().date()))
    checked(demo, "cfg-talk-2", "a")
    refused(demo, "progress_first", "cfg-talk-3", "coach3", day=30)  # b has none yet
    checked(demo, "cfg-talk-2", "b")
    held(demo, "cfg-talk-3", "coach3", day=30)


def test_progress_names_a_step_the_meeting_agreed(demo: Services) -> None:
    for meeting_id, step_id in (("cfg-talk-1", "nope"), ("cfg-talk-9", "talk-walk")):
        with pytest.raises(DomainError) as error:
            checked(demo, meeting_id, step_id)
        assert error.value.code == "unknown_step"
    with pytest.raises(DomainError) as error:
        checked(demo, "cfg-talk-1", "talk-walk", user="coach1")  # not a member
    assert error.value.code == "partnership_not_found"


def test_a_meeting_cannot_close_without_a_next_step(demo: Services) -> None:
    checked(demo, "cfg-talk-1", "talk-walk")
    today = demo.clock().date()
    with pytest.raises(DomainError) as error:
        demo.app.prepare(demo.app.actor("coach2"), PartnershipMeetingHeld(
            partnership_id=CFG, meeting_id="cfg-talk-2", date=today, facilitator="coach2",
            next_steps=()))
    assert error.value.code == "no_next_steps"
    assert len(demo.app.district().meetings[CFG]) == 1


def test_facilitation_rotates_and_a_swap_gives_the_turn_back(demo: Services) -> None:
    """host1 facilitated; coach2 is due but away, coach3 takes the turn: coach2 is due
    next, then host2 (coach3's own turn was given to coach2)."""
    checked(demo, "cfg-talk-1", "talk-walk")
    held(demo, "cfg-talk-2", "coach3")
    assert facilitator_due(MEMBERS, ["host1", "coach3"]) == "coach2"
    checked(demo, "cfg-talk-2", "s")
    refused(demo, "facilitator_rotates", "cfg-talk-3", "coach3", day=30)
    held(demo, "cfg-talk-3", "coach2", day=30)
    assert facilitator_due(MEMBERS, ["host1", "coach3", "coach2"]) == "host2"


def test_a_protocol_works_on_a_presenters_dilemma(demo: Services) -> None:
    checked(demo, "cfg-talk-1", "talk-walk")
    refused(demo, "unknown_protocol", "cfg-talk-2", "coach2", protocol="fishbowl")
    refused(demo, "no_dilemma", "cfg-talk-2", "coach2", protocol="consultancy")
    refused(demo, "invalid_presenter", "cfg-talk-2", "coach2", protocol="consultancy",
            presenter="coach1", dilemma="Talk structures fade after launch")
    refused(demo, "names_a_person", "cfg-talk-2", "coach2", protocol="consultancy",
            presenter="host2", dilemma="Mr. Alvarez resists the new talk structures")
    held(demo, "cfg-talk-2", "coach2", protocol="success_analysis")  # no presenter needed
    meeting = demo.app.district().meetings[CFG][-1]
    assert (meeting.protocol, meeting.presenter) == ("success_analysis", None)


def following(history: list[str], count: int) -> list[str]:
    """The facilitators of the next `count` meetings when each is the one due."""
    run = list(history)
    for _ in range(count):
        run.append(facilitator_due(MEMBERS, run))
    return run[len(history):]


@given(st.lists(st.sampled_from(MEMBERS), max_size=12), st.sampled_from(MEMBERS))
def test_a_swap_exchanges_two_turns_whatever_came_before(history: list[str],
                                                         swapper: str) -> None:
    """Whatever happened before, a member who facilitates out of turn exchanges turns
    with the member who was due: the meetings that follow are those of the turn taken
    in order, with the two turns swapped; nobody loses or gains a turn."""
    ahead = len(MEMBERS) * (len(history) + 2)  # swaps before may have given turns away
    in_turn = following(history, ahead)
    due = in_turn[0]
    swapped = [swapper, *following([*history, swapper], ahead - 1)]
    if swapper == due:
        assert swapped == in_turn
        return
    later = in_turn.index(swapper, 1)
    exchanged = list(in_turn)
    exchanged[0], exchanged[later] = swapper, due
    assert swapped == exchanged
    plain = [MEMBERS[n % len(MEMBERS)] for n in range(ahead)]
    assert following([], len(plain)) == plain


# --- a Leadership Learning Partnership: guided conversations, its visit exchange -------

LLP = "llp-lincoln-roosevelt"  # host1 (Lincoln) and coach1 (Roosevelt)


def exchange(demo: Services, user: str, school: str, host: str, team: list[str],
             partnership: str = LLP) -> tuple[str, str | None]:
    (result,) = record(demo, user, event(str(uuid4()), "VisitPlanned", {
        "school_id": school, "host": host, "team": team, "focus": "Exit tickets in math",
        "catalog_version": 1, "date": (demo.clock().date() + timedelta(days=14)).isoformat(),
        "partnership_id": partnership}))
    return result.status, result.error.code if result.error else None


def test_a_pair_plans_its_own_visit_exchange(demo: Services) -> None:
    assert exchange(demo, "host1", "lincoln-middle", "host1", ["coach1"]) == ("accepted", None)
    assert exchange(demo, "coach1", "roosevelt-middle", "coach1", ["host1"]) == (
        "accepted", None)
    # not a member of the pair; the partner missing; not a pair; no partnership at all
    assert exchange(demo, "coach2", "lincoln-middle", "host1", ["coach1"]) == (
        "rejected", "forbidden")
    assert exchange(demo, "host1", "lincoln-middle", "host1", ["coach2"]) == (
        "rejected", "not_an_exchange")
    assert exchange(demo, "host1", "lincoln-middle", "host1", ["coach2", "coach3"],
                    partnership=CFG) == ("rejected", "not_an_exchange")
    (plain,) = record(demo, "host1", event(str(uuid4()), "VisitPlanned", {
        "school_id": "lincoln-middle", "host": "host1", "team": ["coach1", "coach2"],
        "focus": "Exit tickets", "catalog_version": 1, "date": "2026-12-20"}))
    assert (plain.status, plain.error.code if plain.error else None) == (
        "rejected", "forbidden")


def test_conversations_follow_the_latest_guides_and_name_their_version(
        demo: Services) -> None:
    organizer = demo.app.actor("organizer1")
    with pytest.raises(DomainError) as error:
        demo.app.publish_guides(demo.app.actor("host1"), BUILT_IN_GUIDES)
    assert error.value.code == "forbidden"
    with pytest.raises(DomainError) as error:
        demo.app.publish_guides(organizer, (ConversationGuide(
            title="Our schools", prompts=("What does Mrs. Okafor think of it?",)),))
    assert error.value.code == "names_a_person"
    published = demo.app.publish_guides(organizer, BUILT_IN_GUIDES[:2], "shorter start")
    assert published.payload == ConversationGuidesPublished(
        version=2, guides=BUILT_IN_GUIDES[:2], notes="shorter start")
    today = demo.clock().date()
    talk = PartnershipMeetingHeld(
        partnership_id=LLP, meeting_id="llp-1", date=today, next_steps=(step("a", today),),
        reading="Exit tickets that shape tomorrow's warm-up", guides_version=3)
    with pytest.raises(DomainError) as error:
        demo.app.prepare(demo.app.actor("coach1"), talk)
    assert error.value.code == "unknown_guides"
    demo.app.prepare(demo.app.actor("coach1"), msgspec.structs.replace(talk, guides_version=2))
    assert demo.app.district().meetings[LLP][-1].reading == talk.reading


# --- a cross-role network -------------------------------------------------------------

TEACHER_LEADER = PersonRegistered(user_id="tl1", name="Avery Stone", roles=("teacher_leader",),
                                  school_id="lincoln-middle")


def network(members: tuple[str, ...], capability: str | None = "instructional_coaching",
            partnership_id: str = "net-coaching") -> PartnershipFormed:
    return PartnershipFormed(partnership_id=partnership_id, kind="network", members=members,
                             starts=NOW.date(), capability=capability)


def formed(demo: Services, payload: PartnershipFormed) -> str | None:
    try:
        demo.app.prepare(demo.app.actor("organizer1"), payload)
    except DomainError as error:
        return error.code
    return None


def test_a_network_brings_roles_together_around_one_capability(demo: Services) -> None:
    demo.app.register([TEACHER_LEADER])
    assert formed(demo, network(("host1", "tl1", "coach4"), capability=None)) == "no_capability"
    assert formed(demo, network(("host1", "tl1", "coach4"), capability="juggling")) == \
        "unknown_skill"
    # coach1, coach2 and coach3 are all principals by their inventories: one role
    assert formed(demo, network(("coach1", "coach2", "coach3"))) == "not_cross_role"
    # a principal, a teacher-leader of the same school and an assistant principal
    assert formed(demo, network(("host1", "tl1", "coach4"))) is None
    # a teacher-leader is a network member, never in a partnership of administrators
    cfg = PartnershipFormed(partnership_id="cfg-x", kind="critical_friends",
                            members=("tl1", "coach1", "coach2", "coach3"),
                            starts=date(2026, 12, 1))
    assert formed(demo, cfg) == "invalid_partnership"


def test_a_teacher_leader_is_never_observed(demo: Services) -> None:
    demo.app.register([TEACHER_LEADER])
    assert not demo.app.district().keeps_growth_record("tl1")
    (result,) = record(demo, "organizer1", event(str(uuid4()), "VisitPlanned", {
        "school_id": "lincoln-middle", "host": "tl1", "team": ["coach1", "coach2"],
        "focus": "Student talk", "catalog_version": 1, "date": "2026-12-20"}))
    assert (result.status, result.error.code if result.error else None) == (
        "rejected", "host_not_at_school")
    assert formed(demo, network(("host1", "tl1", "coach4"))) is None
    assert "tl1" not in demo.app.district().partners_of("host1")  # no growth peer


def test_a_networks_first_meeting_closes_once_everyone_acknowledged_the_ground_rules(
        demo: Services) -> None:
    demo.app.register([TEACHER_LEADER])
    assert formed(demo, network(("host1", "tl1", "coach4"))) is None
    today = demo.clock().date()
    first = PartnershipMeetingHeld(partnership_id="net-coaching", meeting_id="net-1",
                                   date=today, facilitator="host1",
                                   next_steps=(step("try", today),))

    def acknowledge(user: str, pid: str = "net-coaching") -> str | None:
        try:
            demo.app.prepare(demo.app.actor(user), GroundRulesAcknowledged(partnership_id=pid))
        except DomainError as error:
            return error.code
        return None

    assert acknowledge("coach1") == "partnership_not_found"  # not a member
    assert acknowledge("host1", CFG) == "not_a_network"
    for user in ("host1", "tl1"):
        assert acknowledge(user) is None
    assert acknowledge("tl1") == "already_acknowledged"
    with pytest.raises(DomainError) as error:
        demo.app.prepare(demo.app.actor("tl1"), first)
    assert error.value.code == "ground_rules_first"
    assert acknowledge("coach4") is None
    demo.app.prepare(demo.app.actor("tl1"), first)
    assert demo.app.district().meetings["net-coaching"][-1].facilitator == "host1"
