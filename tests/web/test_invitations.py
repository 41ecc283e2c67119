"""Invitations and reminders by email, through a real SMTP server on loopback: a planned
visit invites its host and team (iCalendar REQUEST), a reschedule sends it again with
SEQUENCE up, a cancellation sends CANCEL; a check-in due tomorrow or overdue reminds the
plan's host, unless they turned reminders off; each message goes out once however often
the round runs, and a mail server that is down delays them, never loses them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import time as clock_time
from datetime import timedelta
from email.message import EmailMessage
from uuid import uuid4

import icalendar
import msgspec
import pytest
from starlette.testclient import TestClient

from projections.queries import Reader
from tests.builders import of, record, statuses
from tests.conftest import FakeClock
from tests.mailserver import MailServer
from walkthrough.events import RemindersChosen, VisitCancelled, VisitPlanned, VisitRescheduled
from web.app import create_app
from web.composition.bootstrap import Services, bootstrap
from web.composition.notices import Notices
from web.composition.settings import Settings
from web.demo.district import PAST_VISIT, load_demo

HOST1 = "morgan.blake@demo-district.example"
TEAM = ("dana.reyes@demo-district.example", "sam.okafor@demo-district.example")


@pytest.fixture
def mailing(settings: Settings, mail_server: MailServer, clock: FakeClock) -> Iterator[Services]:
    built = bootstrap(msgspec.structs.replace(
        settings, smtp_url=mail_server.url, mail_from="walkthrough@demo-district.example",
        base_url="https://walkthrough.demo-district.example"), clock=clock)
    load_demo(built.app, today=clock().date())
    built.projector.catch_up()  # reads answer what is projected (as the demo fixture)
    yield built
    built.close()


def round_trip(services: Services) -> int:
    """One round of the sender thread: queue what is due, then deliver it."""
    Notices(services)()
    return services.mail.deliver_due()


def invitations(server: MailServer, count: int) -> list[EmailMessage]:
    """The invitations among what arrived (the demo's plans also bring reminders), once
    there are `count` of them."""
    found: list[EmailMessage] = []
    for _ in range(100):
        found = [m for m in server.inbox.messages if "visit to" in m["Subject"]]
        if len(found) >= count:
            return found
        time.sleep(0.05)  # the SMTP server's thread is still taking one
    raise AssertionError(f"{len(found)} invitation(s), not {count}")


def invitation(message: EmailMessage) -> icalendar.cal.Component:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    calendar = icalendar.Calendar.from_ical(part.get_content())
    (event,) = calendar.walk("VEVENT")
    event["X-METHOD"] = calendar["METHOD"]
    return event


def plan(services: Services, clock: FakeClock, days: int) -> str:
    visit_id = str(uuid4())
    planned = VisitPlanned(school_id="lincoln-middle", host="host1", team=("coach1", "coach2"),
                           focus="Student talk in grades 6-8", catalog_version=1,
                           date=clock().date() + timedelta(days=days), starts_at=clock_time(8, 30),
                           minutes=150)
    assert statuses(record(services, "organizer1", of(visit_id, planned))) == ["accepted"]
    return visit_id


def test_a_planned_visit_invites_its_host_and_team_once(
        mailing: Services, mail_server: MailServer, clock: FakeClock) -> None:
    visit_id = plan(mailing, clock, 9)
    round_trip(mailing)
    messages = invitations(mail_server, 3)
    assert len(messages) == 3
    assert sorted(m["To"] for m in messages) == sorted((HOST1, *TEAM))
    event = invitation(messages[0])
    assert event["X-METHOD"] == "REQUEST"
    assert event["UID"] == f"visit-{visit_id}@walkthrough"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART").time() == clock_time(8, 30)
    plain = messages[0].get_body(("plain",))
    assert plain is not None
    assert "Student talk in grades 6-8" in plain.get_content()
    assert round_trip(mailing) == 0  # the same facts again: nothing new
    assert len(invitations(mail_server, 3)) == 3


def test_a_reschedule_raises_the_sequence_and_a_cancellation_cancels(
        mailing: Services, mail_server: MailServer, clock: FakeClock) -> None:
    visit_id = plan(mailing, clock, 9)
    round_trip(mailing)
    invitations(mail_server, 3)
    moved = VisitRescheduled(date=clock().date() + timedelta(days=10), starts_at=clock_time(9))
    assert statuses(record(mailing, "organizer1", of(visit_id, moved))) == ["accepted"]
    assert round_trip(mailing) == 3
    again = [invitation(m) for m in invitations(mail_server, 6)[3:]]
    assert {e["SEQUENCE"] for e in again} == {1}
    assert {e.decoded("DTSTART").date() for e in again} == {moved.date}
    assert statuses(record(mailing, "organizer1", of(visit_id, VisitCancelled()))) == [
        "accepted"]
    assert round_trip(mailing) == 3
    cancelled = [invitation(m) for m in invitations(mail_server, 9)[6:]]
    assert {str(e["X-METHOD"]) for e in cancelled} == {"CANCEL"}
    assert {str(e["STATUS"]) for e in cancelled} == {"CANCELLED"}


def test_a_check_in_due_tomorrow_and_overdue_reminds_the_host(
        mailing: Services, mail_server: MailServer, clock: FakeClock) -> None:
    mailing.projector.catch_up()
    reader = Reader(mailing.read_models)
    today = clock().date()
    steps = [s for host, s in reader.open_steps_by_host(today) if host == "host1"]
    assert steps
    due = min(s.next_check_in for s in steps if s.next_check_in is not None)
    clock.now = clock.now.replace(year=due.year, month=due.month, day=due.day) \
        - timedelta(days=1)
    sent = round_trip(mailing)
    reminders = [m for m in mail_server.inbox.wait_for(sent) if "check-in" in m["Subject"]]
    assert reminders
    assert {m["To"] for m in reminders} == {HOST1}
    assert all("due tomorrow" in m["Subject"] for m in reminders)
    plain = reminders[0].get_body(("plain",))
    assert plain is not None
    text = plain.get_content()
    assert not any(step.text in text for step in steps)  # no plan content in an email
    clock.advance(timedelta(days=3))
    before = len(mail_server.inbox.messages)
    round_trip(mailing)
    overdue = mail_server.inbox.messages[before:]
    assert overdue
    assert all("overdue" in m["Subject"] for m in overdue)
    assert round_trip(mailing) == 0  # once


def test_a_host_who_turned_reminders_off_gets_none(
        mailing: Services, mail_server: MailServer, clock: FakeClock) -> None:
    mailing.app.prepare(mailing.app.actor("host1"), RemindersChosen(user_id="host1", on=False))
    clock.advance(timedelta(days=30))  # every open step is overdue by now
    round_trip(mailing)
    assert not [m for m in mail_server.inbox.messages if m["To"] == HOST1]


def test_a_mail_server_that_is_down_sends_every_invitation_once_when_back(
        mailing: Services, mail_server: MailServer, clock: FakeClock) -> None:
    round_trip(mailing)  # the demo's own reminders, out of the way
    mail_server.stop()
    plan(mailing, clock, 9)
    assert round_trip(mailing) == 0  # kept, not sent
    assert mailing.mail.queue.status().retrying == 3
    mail_server.start()
    clock.advance(timedelta(minutes=15))
    assert round_trip(mailing) == 3
    assert round_trip(mailing) == 0
    assert sorted(m["To"] for m in invitations(mail_server, 3)) == sorted((HOST1, *TEAM))


def test_a_person_turns_their_reminders_off_and_on(
        client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    assert client.get("/api/me", headers=auth["host1"]).json()["reminders"] is True
    off = client.put("/api/me/reminders", json={"on": False}, headers=auth["host1"])
    assert off.status_code == 200, off.text
    assert off.json() == {"reminders": False}
    assert client.get("/api/me", headers=auth["host1"]).json()["reminders"] is False
    assert client.get("/api/me", headers=auth["host2"]).json()["reminders"] is True
    assert client.put("/api/me/reminders", json={"on": True},
                      headers=auth["host1"]).json() == {"reminders": True}


def test_a_nudge_on_what_is_open_emails_the_steps_owner_once_a_day(
        mailing: Services, mail_server: MailServer, clock: FakeClock) -> None:
    """talk-walk (cfg-talk, owner "Every member") is overdue: its nudge emails the four
    members; host1's growth-goal step plc-protocol (owner Morgan Blake) is listed too, and
    its nudge emails host1 alone. A second tap the same day is refused, a retried request
    (same Idempotency-Key) mails nobody twice."""
    organizer = {"Authorization": f"Bearer {mailing.tokens.issue('organizer1', clock())}"}
    host = {"Authorization": f"Bearer {mailing.tokens.issue('host1', clock())}"}
    walk = {"source": "meeting", "step_id": "talk-walk", "partnership_id": "cfg-talk",
            "meeting_id": "cfg-talk-1"}
    goal = {"source": "goal", "step_id": "plc-protocol", "goal_id": "act-on-cfu",
            "owner_id": "host1"}
    with TestClient(create_app(services=mailing)) as client:
        steps = client.get("/api/open", headers=organizer).json()["steps"]
        listed = {(s["source"], s["step_id"]): s for s in steps}
        assert listed[("goal", "plc-protocol")]["goal_of"]["id"] == "host1"
        assert listed[("goal", "plc-protocol")]["overdue"] is True
        assert listed[("meeting", "talk-walk")]["nudged_on"] is None
        assert client.post("/api/open/nudges", json=walk, headers=host).status_code == 403
        once = {**organizer, "Idempotency-Key": str(uuid4())}
        first = client.post("/api/open/nudges", json=walk, headers=once)
        assert first.status_code == 201, first.text
        assert {p["id"] for p in first.json()["recipients"]} == {
            "host1", "coach2", "coach3", "host2"}
        again = client.post("/api/open/nudges", json=walk, headers=once)
        assert again.json()["event_id"] == first.json()["event_id"]
        refused = client.post("/api/open/nudges", json=walk, headers=organizer)
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "already_nudged")
        nudged = client.post("/api/open/nudges", json=goal, headers=organizer)
        assert [p["id"] for p in nudged.json()["recipients"]] == ["host1"]
        visit = client.post("/api/open/nudges", headers=organizer, json={
            "source": "visit", "step_id": "exit-tickets", "visit_id": str(PAST_VISIT)})
        assert [p["id"] for p in visit.json()["recipients"]] == ["host1"], visit.text
        gone = client.post("/api/open/nudges", headers=organizer,
                           json={**walk, "step_id": "never-agreed"})
        assert (gone.status_code, gone.json()["error"]["code"]) == (404, "step_not_open")
        steps = client.get("/api/open", headers=organizer).json()["steps"]
        today = clock().date().isoformat()
        assert {s["step_id"]: s["nudged_on"] for s in steps}["talk-walk"] == today
    mailing.mail.deliver_due()
    found: list[EmailMessage] = []
    for _ in range(100):
        found = [m for m in mail_server.inbox.messages if m["Subject"].startswith("A step")]
        if len(found) >= 6:
            break
        time.sleep(0.05)
    assert sorted(m["To"] for m in found) == sorted([
        HOST1, HOST1, HOST1, "sam.okafor@demo-district.example", "lee.park@demo-district.example",
        "jordan.ellis@demo-district.example"])
    walk_mail = next(m for m in found if m["To"] == "lee.park@demo-district.example")
    text = walk_mail.get_content()
    assert "brings the tally" in text
    assert "/partnerships/cfg-talk" in text
    assert walk_mail["Subject"].startswith("A step is overdue")
