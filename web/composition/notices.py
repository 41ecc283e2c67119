"""Invitations and reminders by email, worked out from what the read models say now.

Each round (web.composition.mail's sender thread, about once a minute) looks at the visits to
come and the open action-plan steps, and asks the mail queue for the messages they
call for. Every message has a key made of the fact it is about - this visit at this
version of its schedule, this step's check-in due on this day - so asking again adds
nothing: a round may run in several server processes, or again after a restart, and
each message still goes out once.

- A visit planned: its host and team get an invitation (iCalendar METHOD:REQUEST,
  SEQUENCE 0); rescheduled: a new one with SEQUENCE raised; cancelled: METHOD:CANCEL.
  Only visits on or after today are invited to.
- A check-in due tomorrow, and one overdue: the visit's host (who owns its plan) gets a
  reminder, unless they turned reminders off.

- A nudge (an organizer's one tap on what is open, web.routes.cycle.nudge): the owner of an
  open step - a visit's action plan, a partnership meeting, a growth goal - is emailed
  about it, at once, keyed by the nudge so a retried request sends nothing twice.

No message names a teacher or carries what was observed: a visit's school, day, time
and focus; a plan's school and visit day, a step's own words, and a link.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import icalendar
from eventsourcing.persistence import PersistenceError

from projections.answers import OpenStep
from projections.calendar_feed import visit_event, visit_start
from projections.queries import Reader
from projections.visit_view import VisitView
from walkthrough.district import District
from web.composition.bootstrap import Services

log = logging.getLogger("walkthrough.notices")
PRODUCT = "-//walkthrough//peer observation visits//EN"


class Notices:
    """One round of invitations and reminders for the services' district."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def __call__(self) -> int:
        """Queue what is due now; how many messages were asked for (repeats included)."""
        found = self.services
        if not found.mail.configured:
            return 0
        try:
            found.projector.catch_up()
            district = found.app.district()
            reader = Reader(found.read_models, found.settings.min_rooms)
            now = found.clock()
            today = found.app.local_date(now)
            visits = reader.visits_from(today)
            asked = sum(self._invite(district, view, reader, now) for view in visits)
            asked += self._remind(district, reader, today)
        except PersistenceError:
            log.warning("invitations and reminders: the store is away; next round",
                        exc_info=True)
            return 0
        return asked

    # --- invitations ------------------------------------------------------------------

    def _invite(self, district: District, view: VisitView, reader: Reader,
                now: datetime) -> int:
        found = self.services
        school = reader.school_name(view.school_id)
        cancelled = view.phase == "cancelled"
        if view.phase not in ("preparation", "cancelled"):
            return 0  # started: the day has come, nothing to invite to
        method = "CANCEL" if cancelled else "REQUEST"
        when = _when(view)
        subject = (f"Cancelled: peer visit to {school}, {when}" if cancelled
                   else f"Peer visit to {school}, {when}"
                   + (" (new time)" if view.reschedules else ""))
        body = _invitation_text(view, school, when, cancelled, found.settings.base_url)
        asked = 0
        for user_id in (view.host, *view.team):
            person = district.people.get(user_id)
            if person is None or person.email is None or not district.is_active(user_id):
                continue
            calendar = _invitation(view, school, method, person.email,
                                   found.settings.mail_from or "", found, now)
            key = f"invitation:{view.id}:{view.reschedules}:{method}:{user_id}"
            found.mail.send(person.email, subject, body, key=key, calendar=calendar)
            asked += 1
        return asked

    # --- reminders --------------------------------------------------------------------

    def _remind(self, district: District, reader: Reader, today: date) -> int:
        found = self.services
        asked = 0
        for host, step in reader.open_steps_by_host(today):
            person = district.people.get(host)
            due = step.next_check_in
            if person is None or person.email is None or due is None \
                    or host in district.reminders_off or not district.is_active(host):
                continue
            if due == today + timedelta(days=1):
                kind, subject = "tomorrow", "A check-in is due tomorrow"
            elif due < today:
                kind, subject = "overdue", "A check-in is overdue"
            else:
                continue
            school = reader.school_name(step.school_id)
            link = f"{found.settings.base_url}/visits/{step.visit_id}/plan" \
                if found.settings.base_url else "the app, under the visit's action plan"
            body = (f"{subject}: one step of the action plan from the peer visit to "
                    f"{school} on {step.visit_date:%A %d %B %Y} (due {due:%A %d %B}).\n\n"
                    f"Record how it is going in {link}.\n\n"
                    "You get these reminders because you host the visit; turn them off "
                    "on your visits screen.")
            key = f"reminder:{kind}:{step.visit_id}:{step.step_id}:{due.isoformat()}"
            found.mail.send(person.email, f"{subject}: {school} action plan", body, key=key)
            asked += 1
        return asked


# --- nudges ---------------------------------------------------------------------------


def nudge_recipients(step: OpenStep, district: District, reader: Reader) -> list[str]:
    """Whom a nudge about an open step emails: its owner when the owner is a registered
    person (by name), else who answers for it - a visit's host (who owns its plan), a
    meeting's partnership members, a goal's administrator. Only active people with an
    email."""
    named = [user_id for user_id, person in district.people.items()
             if person.name.casefold() == step.owner.strip().casefold()]
    if not named and step.source == "visit" and step.visit_id is not None:
        view = reader.visit_view(step.visit_id)
        named = [view.host] if view is not None else []
    elif not named and step.source == "meeting" and step.partnership_id is not None:
        found = district.partnerships.get(step.partnership_id)
        named = list(found.members) if found is not None else []
    elif not named and step.goal_of is not None:
        named = [step.goal_of.id]
    return [user_id for user_id in named if district.is_active(user_id)
            and district.people[user_id].email is not None][:6]


def nudge_message(step: OpenStep, reader: Reader, base_url: str | None) -> tuple[str, str]:
    """The subject and text of a nudge: the step's own words, due date, and where to
    record progress."""
    late = "is overdue" if step.overdue else "is still open"
    if step.source == "visit" and step.visit_id is not None:
        where = (f"the action plan of a peer visit to "
                 f"{step.school.name if step.school else 'your school'}")
        path = f"/visits/{step.visit_id}/plan"
    elif step.source == "meeting" and step.partnership_id is not None:
        where = f"a {step.partnership_name or 'partnership'} meeting"
        path = f"/partnerships/{step.partnership_id}"
    else:
        where = "a growth goal"
        path = f"/people/{step.goal_of.id}/growth" if step.goal_of else "/"
    link = f"{base_url}{path}" if base_url else "the app"
    subject = f"A step {late}: due {step.due:%A %d %B}"
    body = (f"A step you own from {where} {late} (due {step.due:%A %d %B %Y}):\n\n"
            f"  {step.text}\n  Success looks like: {step.success}\n\n"
            f"Record how it is going in {link}. If it is done, say so there: the next "
            "meeting opens with it.\n\nThe program organizer sent this reminder.")
    return subject, body


def _when(view: VisitView) -> str:
    if view.starts_at is None:
        return f"{view.date:%A %d %B %Y}"
    return f"{view.date:%A %d %B %Y}, {view.starts_at:%H:%M}"


def _invitation_text(view: VisitView, school: str, when: str, cancelled: bool,
                     base_url: str | None) -> str:
    if cancelled:
        return (f"The peer observation visit to {school} on {when} is cancelled. "
                "Your calendar program removes it with the attached update.")
    lines = [f"You are invited to a peer observation visit to {school}: {when}, "
             f"about {view.minutes // 60} h {view.minutes % 60:02d} min on site.",
             f"Focus: {view.focus}",
             "The visit is nonevaluative: the team looks at trends across rooms, never at "
             "one teacher."]
    if base_url:
        lines.append(f"The visit in the app: {base_url}/visits/{view.id}")
    return "\n\n".join(lines)


def _invitation(view: VisitView, school: str, method: str, attendee: str, organizer: str,
                found: Services, now: datetime) -> str:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = visit_event(view, school, found.settings.zone, found.settings.base_url or "",
                        now)
    if organizer:
        event.add("organizer", f"mailto:{organizer}")
    event.add("attendee", f"mailto:{attendee}", parameters={"ROLE": "REQ-PARTICIPANT",
                                                          "RSVP": "FALSE"})
    cal.add_component(event)
    if visit_start(view, found.settings.zone) is not None:
        cal.add_missing_timezones()
    return bytes(cal.to_ical()).decode()
