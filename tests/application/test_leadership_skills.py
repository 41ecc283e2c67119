"""The leadership skill vocabulary is versioned like catalogs, matching reads it across
roles for groups, and a nudge about an open step is recorded once a step a day - on
every backend.

The demo's inventories were recorded before the vocabulary had versions (version 1);
Lincoln Middle needs cfu, target_explained and student_talk, and its principal (host1)
wants to grow in facilitating PLC conversations, as Jefferson's (host2) does."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from projections.queries import Reader
from walkthrough.errors import DomainError
from walkthrough.events import (
    LeadershipSkill,
    LeadershipSkillsPublished,
    NeedsAssessmentRecorded,
    PartnershipFormed,
    SkillInventoryRecorded,
    StepNudged,
)
from walkthrough.skills import SKILLS
from web.composition.bootstrap import Services

COACHING_TEAMS = LeadershipSkill("coaching_teams", "Coaching grade-level teams")


def refused(demo: Services, payload: object, user: str = "organizer1") -> str:
    with pytest.raises(DomainError) as error:
        demo.app.prepare(demo.app.actor(user), payload)  # type: ignore[arg-type]
    return error.value.code


def reader(demo: Services) -> Reader:
    demo.projector.catch_up()
    return Reader(demo.read_models, demo.settings.min_rooms)


def test_organizers_publish_the_next_vocabulary_and_old_entries_keep_theirs(
        demo: Services) -> None:
    organizer = demo.app.actor("organizer1")
    with pytest.raises(DomainError) as error:
        demo.app.publish_skills(demo.app.actor("host1"), SKILLS)
    assert error.value.code == "forbidden"
    with pytest.raises(DomainError) as error:
        demo.app.publish_skills(organizer, (LeadershipSkill("mentoring", "Mentoring Mrs Okafor"),))
    assert error.value.code == "names_a_person"
    with pytest.raises(DomainError) as error:
        demo.app.publish_skills(organizer, (*SKILLS, SKILLS[0]))
    assert error.value.code == "duplicate_skill"
    assert refused(demo, LeadershipSkillsPublished(version=3, skills=SKILLS)) == \
        "skills_version_taken"
    # version 2 drops budget management and adds coaching teams
    kept = tuple(s for s in SKILLS if s.key != "budget_management")
    published = demo.app.publish_skills(organizer, (*kept, COACHING_TEAMS), "team coaching")
    assert published.payload == LeadershipSkillsPublished(
        version=2, skills=(*kept, COACHING_TEAMS), notes="team coaching")

    # an inventory names the version it used: a new key only from version 2 on, a key
    # dropped from version 2 still on version 1 (an older tablet's entry)
    inventory = SkillInventoryRecorded(user_id="host2", role="principal", catalog_version=1,
                                       strengths=("coaching_teams",), skills_version=1)
    assert refused(demo, inventory, "host2") == "unknown_item"
    assert refused(demo, msgspec.structs.replace(inventory, skills_version=9), "host2") == \
        "unknown_skills_version"
    demo.app.prepare(demo.app.actor("host2"), msgspec.structs.replace(inventory, skills_version=2))
    older = SkillInventoryRecorded(user_id="coach2", role="principal", catalog_version=1,
                                   strengths=("budget_management",))  # None: version 1
    demo.app.prepare(demo.app.actor("coach2"), older)
    assert refused(demo, msgspec.structs.replace(older, skills_version=2), "coach2") == \
        "unknown_item"
    needs = NeedsAssessmentRecorded(school_id="lincoln-middle", catalog_version=1,
                                    focus_areas=("coaching_teams", "cfu"), skills_version=2)
    demo.app.prepare(organizer, needs)

    found = reader(demo)
    assert [v.version for v in found.leadership_skills().versions] == [1, 2]
    assert found.own_inventory(organizer, "host1").skills_version == 2
    assert "coaching_teams" in {s.key for s in found.own_inventory(organizer, "host1").skills}
    # a network may focus on a skill of the new version
    assert demo.app.prepare(organizer, PartnershipFormed(
        partnership_id="net-teams", kind="network", members=("host1", "coach4", "coach2"),
        starts=demo.clock().date(), capability="coaching_teams")).type == "PartnershipFormed"
    assert found.capability_matches("coaching_teams").capability == COACHING_TEAMS


def test_a_group_is_matched_across_roles_by_a_shared_need_and_a_pair_in_one_role(
        demo: Services) -> None:
    found = reader(demo)
    pair = found.matches("lincoln-middle", None, "pair").matches
    assert {m.role for m in pair} == {"principal"}
    assert "host2" not in {m.user_id for m in pair}
    group = found.matches("lincoln-middle", None, "group").matches
    assert {m.role for m in group} == {"principal", "assistant_principal"}
    first = group[0]
    assert (first.user_id, first.shared_needs) == ("host2", ["facilitating_plcs"])
    assert "shares Lincoln Middle's need to grow in 'facilitating plc conversations'" in \
        first.reason
    ap = next(m for m in group if m.user_id == "coach4")
    assert ap.reason.startswith("An assistant principal strong in")
    # a network's capability: who shares the need first, any role
    plcs = found.capability_matches("facilitating_plcs").matches
    assert [m.user_id for m in plcs] == ["host2", "host1"]  # Jordan Ellis, Morgan Blake
    assert all("a shared need" in m.reason for m in plcs)


def test_a_step_owner_is_nudged_once_a_day(demo: Services) -> None:
    today = demo.clock().date()
    nudge = StepNudged(source="meeting", step_id="talk-walk", date=today,
                       recipients=("host1",), partnership_id="cfg-talk",
                       meeting_id="cfg-talk-1")
    assert refused(demo, nudge, "host1") == "forbidden"
    assert refused(demo, msgspec.structs.replace(nudge, recipients=("nobody",))) == \
        "unknown_user"
    organizer = demo.app.actor("organizer1")
    demo.app.prepare(organizer, nudge)
    assert refused(demo, nudge) == "already_nudged"
    assert refused(demo, msgspec.structs.replace(nudge, recipients=("coach2",))) == \
        "already_nudged"  # a step a day, whoever it emails
    demo.app.prepare(organizer, msgspec.structs.replace(nudge, step_id="talk-norms"))
    demo.app.prepare(organizer, msgspec.structs.replace(nudge, date=today + timedelta(days=1)))
    assert demo.app.district().nudged[nudge.step_ref()] == today + timedelta(days=1)
    work = reader(demo).open_work(organizer, today)
    nudged = {s.step_id: s.nudged_on for s in work.steps if s.source == "meeting"}
    assert nudged == {"talk-walk": today + timedelta(days=1), "talk-norms": today}
