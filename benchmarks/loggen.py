"""Writes an event log of N events fast, for the replay and debrief benchmarks.

Runs in its own process on a fresh data directory: loads the demo district and 100 more
schools with their hosts through the application (so the district, people and the demo
visits are real), then writes valid visit events with the application's mapper straight
into the application recorder's table, 20,000 per transaction, in one of two shapes:
- `visits` (default): complete visits (planned, teachers notified, started, school
  update, rooms of entry + 10 taps + evidence + thank-you + exit, closed), sized so that
  N events make about `--visits` visits, four interleaved room by room as on a busy
  day; the demo's current visit gets the same 20 rooms whatever N, so its debrief has
  the same content whatever the size of the log;
- `one`: one visit, planned and started, then room after room (each with a label of its
  own), never closed: a visit as large as the log.
The projector is not run: replay starts from nothing.

    python -m benchmarks.loggen --events 1000000 [--shape visits|one] [--visits 10000]
    (WALKTHROUGH_DATA_DIR names the store)
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

from benchmarks.workload import room_taps
from walkthrough.events import (
    AnyPayload,
    ClassroomEntered,
    ClassroomExited,
    Event,
    EvidenceNoted,
    LookForObserved,
    PersonRegistered,
    SchoolRegistered,
    SchoolUpdateRecorded,
    TeachersNotified,
    ThankYouNoteLeft,
    VisitClosed,
    VisitPlanned,
    VisitStarted,
)
from web.composition.bootstrap import bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT, load_demo

ROOMS = 20
CHUNK = 20_000
INTERLEAVED = 4
SUBJECTS = ("math", "science", "ela", "social_studies", "arts", "world_languages")
# The generated visits go to 100 more schools, each with its host (registered through
# the application); teams are demo coaches, none of whom works at these schools. With a
# million events that is ~35 visits a school: years of walkthroughs in a big district.
SCHOOLS = 100
TEAMS = (("coach1", "coach2"), ("coach3", "coach4"))


def district_payloads() -> list[SchoolRegistered | PersonRegistered]:
    schools: list[SchoolRegistered | PersonRegistered] = [
        SchoolRegistered(school_id=f"school-{i:03d}", name=f"School {i:03d}", level="middle")
        for i in range(SCHOOLS)]
    hosts: list[SchoolRegistered | PersonRegistered] = [
        PersonRegistered(user_id=f"host-{i:03d}", name=f"Host {i:03d}", roles=("host",),
                         school_id=f"school-{i:03d}") for i in range(SCHOOLS)]
    return schools + hosts


def _visitors(n: int) -> tuple[str, str, tuple[str, ...]]:
    """(school, host, team) of generated visit n; the demo's current visit is n = -1."""
    if n < 0:
        return "lincoln-middle", "host1", ("coach1", "coach2")
    return f"school-{n % SCHOOLS:03d}", f"host-{n % SCHOOLS:03d}", TEAMS[n % len(TEAMS)]

Segment = list[tuple[str, AnyPayload]]  # (actor, payload)


def _visit_segments(rng: random.Random, visit_id: UUID, n: int, *, lifecycle: bool,
                    close: bool, rooms: int = ROOMS, first_room: int = 0) -> list[Segment]:
    """A visit as segments that keep their order: lifecycle head, one per room, close.
    Rooms are numbered from `first_room`, each with a label of its own."""
    school, host, team = _visitors(n)
    segments: list[Segment] = []
    if lifecycle:
        segments.append([
            ("organizer1", VisitPlanned(school_id=school, host=host, team=team,
                                        focus="Checking for understanding in grades 6-8",
                                        catalog_version=1, date=date(2025, 1, 1)
                                        + timedelta(days=n % 365))),
            (host, TeachersNotified(note="The visit looks at trends, not at individuals.")),
            (host, VisitStarted()),
            (host, SchoolUpdateRecorded(text="Every team plans one check for understanding "
                                             "per lesson since the last visit.")),
        ])
    for r in range(first_room, first_room + rooms):
        coach = team[r % len(team)]
        room = f"c-{visit_id.hex[:8]}-{r}"
        present = rng.randint(18, 30)
        segment: Segment = [(coach, ClassroomEntered(
            classroom_id=room, label=f"Room {r + 1}", grade_band="6-8",
            subject=SUBJECTS[r % len(SUBJECTS)],  # type: ignore[arg-type]
            students_present=present))]
        taps = [LookForObserved(**data) for _, data in room_taps(rng, room, present)]
        taps.append(LookForObserved(classroom_id=room, item="routines",
                                    value=rng.randint(1, 3)))
        segment += [(coach, tap) for tap in taps]
        segment += [
            (coach, EvidenceNoted(classroom_id=room, item="cfu",
                                  text=f"{rng.randint(4, 12)} of {present} students "
                                       "explained the target in their own words.")),
            (coach, ThankYouNoteLeft(classroom_id=room)),
            (coach, ClassroomExited(classroom_id=room)),
        ]
        segments.append(segment)
    if close:
        segments.append([(host, VisitClosed())])
    return segments


def _interleave(visits: list[tuple[UUID, list[Segment]]]) -> Iterator[tuple[UUID, str,
                                                                             AnyPayload]]:
    longest = max(len(segments) for _, segments in visits)
    for index in range(longest):
        for visit_id, segments in visits:
            if index < len(segments):
                for actor, payload in segments[index]:
                    yield visit_id, actor, payload


def _insert(recorder: object, stored: list[StoredEvent]) -> None:
    """One transaction per chunk: the SQLite recorder's own INSERT statement, run as one
    `executemany` (its `insert_events` runs it row by row to collect notification ids,
    which a log generator does not need); any other recorder via `insert_events`."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        rows = [(s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                 s.originator_version, s.topic, s.state) for s in stored]
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.executemany(recorder.insert_events_statement, rows)
    else:
        assert isinstance(recorder, ApplicationRecorder)
        recorder.insert_events(stored)


def _spread(rng: random.Random, seed: int, rooms: int) -> Iterator[tuple[UUID, str,
                                                                          AnyPayload]]:
    """The demo's current visit (20 rooms), then complete visits of `rooms` rooms, four
    interleaved room by room as on a busy day; endless (the caller stops)."""
    n = 0
    first = True
    for _ in range(10**9):
        group: list[tuple[UUID, list[Segment]]] = []
        if first:
            group.append((CURRENT_VISIT, _visit_segments(rng, CURRENT_VISIT, -1,
                                                         lifecycle=False, close=False)))
            first = False
        while len(group) < INTERLEAVED:
            visit_id = uuid5(NAMESPACE_URL, f"walkthrough-bench/log/{seed}/{n}")
            group.append((visit_id, _visit_segments(rng, visit_id, n, lifecycle=True,
                                                    close=True, rooms=rooms)))
            n += 1
        yield from _interleave(group)


def _one(rng: random.Random, seed: int) -> Iterator[tuple[UUID, str, AnyPayload]]:
    """One visit, planned and started, then room after room (each its own label);
    endless (the caller stops)."""
    visit_id = uuid5(NAMESPACE_URL, f"walkthrough-bench/log/{seed}/one")
    head = _visit_segments(rng, visit_id, 0, lifecycle=True, close=False, rooms=0)
    for actor, payload in head[0]:
        yield visit_id, actor, payload
    for block in range(10**9):
        for segment in _visit_segments(rng, visit_id, 0, lifecycle=False, close=False,
                                       rooms=ROOMS, first_room=block * ROOMS):
            for actor, payload in segment:
                yield visit_id, actor, payload


def rooms_for(total: int, visits: int) -> int:
    """Rooms per generated visit so that `total` events make about `visits` visits."""
    per_room = 1 + 10 + 3  # entry, ten taps, evidence, thanks, exit
    return max(1, round((total / visits - 5) / per_room))


def generate(total: int, shape: str = "visits", visits: int = 10_000,
             seed: int = 1123) -> dict[str, object]:
    """`shape` "visits": about `visits` visits; "one": every visit event in one visit."""
    started = time.perf_counter()
    services = bootstrap(Settings.from_env())
    app = services.app
    try:
        load_demo(app)
        app.register(district_payloads())
        written = app.recorder.max_notification_id() or 0
        current = app.visit(CURRENT_VISIT)
        assert current is not None, "the demo has a current visit"
        versions: dict[UUID, int] = {CURRENT_VISIT: current.version}
        rng = random.Random(seed)
        moment = datetime.now(UTC) - timedelta(days=400)
        pending: list[StoredEvent] = []
        source = _one(rng, seed) if shape == "one" else \
            _spread(rng, seed, rooms_for(total, visits))
        for visit_id, actor, payload in source:
            if written >= total:
                break
            version = versions.get(visit_id, 0) + 1
            versions[visit_id] = version
            moment += timedelta(milliseconds=1500)
            event = Event(originator_id=visit_id, originator_version=version,
                          timestamp=moment, event_id=UUID(int=rng.getrandbits(128)),
                          actor=actor, device_id="bench-loggen",
                          occurred_at=moment - timedelta(seconds=3), catalog_version=1,
                          payload=payload)
            pending.append(app.mapper.to_stored_event(event))
            written += 1
            if len(pending) >= CHUNK:
                _insert(app.recorder, pending)
                pending = []
        if pending:
            _insert(app.recorder, pending)
        events = app.recorder.max_notification_id()
    finally:
        services.close()
    return {"events": events, "visits": len(versions), "shape": shape,
            "seconds": round(time.perf_counter() - started, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--shape", choices=["visits", "one"], default="visits")
    parser.add_argument("--visits", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(generate(args.events, args.shape, args.visits)))


if __name__ == "__main__":
    main()
