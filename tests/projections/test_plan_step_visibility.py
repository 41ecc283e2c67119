"""The plan steps a growth record may show (what its goals link to) obey the visit's
own visibility, read from the read models of each backend: a peer off the visit's
team gets none of them, the team, the host and organizers get every one."""

from __future__ import annotations

from projections.queries import Reader
from tests.conftest import FakeClock
from web.composition.bootstrap import Services
from web.demo.district import PAST_VISIT


def test_hosted_plan_steps_are_only_those_of_visits_the_reader_may_see(
        demo: Services, clock: FakeClock) -> None:
    reader = Reader(demo.read_models)
    today = clock().date()
    every = reader.hosted_plan_steps("host1", "lincoln-middle", today)
    assert {step.visit_id for step in every} == {str(PAST_VISIT)}
    for user in ("host1", "coach1", "organizer1"):  # host, on the team, organizer
        seen = reader.hosted_plan_steps("host1", "lincoln-middle", today,
                                        seen_by=demo.app.actor(user))
        assert seen == every, user
    for user in ("coach3", "host2"):  # host1's peers, off that visit's team
        assert reader.hosted_plan_steps("host1", "lincoln-middle", today,
                                        seen_by=demo.app.actor(user)) == [], user
