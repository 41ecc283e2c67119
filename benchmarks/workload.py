"""What the tablets send: 50-event batches of realistic taps, pre-encoded as templates.

A batch covers 5 classrooms; each starts with its `ClassroomEntered`, followed by 9
look-for taps valid against catalog version 1, so batches are independent of one
another (any arrival order is valid) and every event is accepted. Each classroom has
a label of its own (made of its id): the team's tablets join classroom ids that share
a label into one room, and a visit does not enter "Room 1" a thousand times. Event ids, room ids
and the visit are filled in per request (fixed width, so the Content-Length is fixed):
each request carries fresh ids, at the cost of one bytes %-format on the client.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

ROOMS_PER_BATCH = 5
TAPS_PER_ROOM = 9
BATCH_EVENTS = ROOMS_PER_BATCH * (1 + TAPS_PER_ROOM)
TEMPLATES = 8
SUBJECTS = ("math", "science", "ela", "social_studies", "arts")
VISIT_SCHOOL, VISIT_HOST, VISIT_TEAM = "lincoln-middle", "host1", ("coach1", "coach2")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _yes_no(rng: random.Random, weight: float) -> str:
    return rng.choices(["yes", "no", "not_observed"], [weight, 1 - weight, 0.15])[0]


def room_taps(rng: random.Random, room: str, present: int) -> list[tuple[str, dict[str, Any]]]:
    """Nine look-for taps for one room, valid against catalog version 1."""
    cfu = _yes_no(rng, 0.5)
    cfu_data: dict[str, Any] = {"classroom_id": room, "item": "cfu", "value": cfu}
    if cfu == "yes":
        cfu_data["method"] = rng.choice(["questioning", "whiteboards", "exit_ticket"])
    items: list[dict[str, Any]] = [
        {"classroom_id": room, "item": "target_posted", "value": _yes_no(rng, 0.9)},
        {"classroom_id": room, "item": "target_explained", "value": _yes_no(rng, 0.4)},
        {"classroom_id": room, "item": "on_task", "value": rng.randint(present // 2, present)},
        {"classroom_id": room, "item": "engagement", "value": rng.randint(2, 6)},
        {"classroom_id": room, "item": "rigor",
         "value": rng.choice(["remember", "understand", "apply", "analyze"])},
        cfu_data,
        {"classroom_id": room, "item": "student_talk", "value": _yes_no(rng, 0.3)},
        {"classroom_id": room, "item": "monitoring", "value": _yes_no(rng, 0.8)},
        {"classroom_id": room, "item": "grouping",
         "value": rng.choice(["whole_class", "small_groups", "pairs"])},
    ]
    return [("LookForObserved", data) for data in items]


def batch_templates(now: datetime, seed: int = 9) -> list[bytes]:
    """Request bodies with %(e0)s..%(e49)s (event ids), %(r0)s..%(r4)s (rooms), %(v)s."""
    rng = random.Random(seed)
    templates = []
    for _ in range(TEMPLATES):
        moment = now - timedelta(hours=1)
        events: list[dict[str, Any]] = []
        for r in range(ROOMS_PER_BATCH):
            room = f"%(r{r})s"
            present = rng.randint(18, 30)
            moment += timedelta(minutes=1)
            typed: list[tuple[str, dict[str, Any]]] = [("ClassroomEntered", {
                "classroom_id": room, "label": f"Room {room}", "grade_band": "6-8",
                "subject": SUBJECTS[r % len(SUBJECTS)], "students_present": present})]
            typed += room_taps(rng, room, present)
            for type_, data in typed:
                moment += timedelta(seconds=rng.randint(10, 40))
                events.append({"id": f"%(e{len(events)})s", "visit_id": "%(v)s",
                               "type": type_, "occurred_at": _stamp(moment), "data": data})
        body = {"device_id": "%(d)s", "events": events}
        templates.append(json.dumps(body, separators=(",", ":")).encode())
    assert all(template.count(b"%(e") == BATCH_EVENTS for template in templates)
    return templates


def fill(template: bytes, nonce: int, worker: int, index: int, visit: bytes) -> bytes:
    """A body with fresh fixed-width ids for request `index` of `worker`."""
    values: dict[bytes, bytes] = {
        b"e%d" % i: b"%08x-%04x-4000-8000-%012x" % (nonce, worker, index * 64 + i)
        for i in range(BATCH_EVENTS)
    }
    for r in range(ROOMS_PER_BATCH):
        values[b"r%d" % r] = b"r%06x%04x%010x" % (nonce & 0xFFFFFF, worker, index * 8 + r)
    values[b"v"] = visit
    values[b"d"] = b"bench-%04x" % worker
    return template % values


# --- visits the batches go to ------------------------------------------------------------


def visit_ids(run: str, count: int, current_visit: str) -> list[str]:
    """The demo's current visit and `count - 1` more, planned and started by setup."""
    extra = [str(uuid5(NAMESPACE_URL, f"walkthrough-bench/{run}/{i}")) for i in range(count - 1)]
    return [current_visit, *extra]


def setup_batches(visits: list[str], now: datetime, today: date) -> dict[str, list[bytes]]:
    """Bodies that plan (organizer1), announce and start (host1) the extra visits."""
    planned: list[dict[str, Any]] = []
    started: list[dict[str, Any]] = []
    at = now - timedelta(hours=3)
    for n, visit in enumerate(visits):
        planned.append({
            "id": str(uuid5(NAMESPACE_URL, f"{visit}/planned")), "visit_id": visit,
            "type": "VisitPlanned", "occurred_at": _stamp(at),
            "data": {"school_id": VISIT_SCHOOL, "host": VISIT_HOST, "team": list(VISIT_TEAM),
                     "focus": f"Checking for understanding, walkthrough {n}",
                     "catalog_version": 1, "date": today.isoformat()}})
        started.append({
            "id": str(uuid5(NAMESPACE_URL, f"{visit}/notified")), "visit_id": visit,
            "type": "TeachersNotified", "occurred_at": _stamp(at + timedelta(minutes=1)),
            "data": {"note": "The visit looks at school-wide trends, not at individuals."}})
        started.append({
            "id": str(uuid5(NAMESPACE_URL, f"{visit}/started")), "visit_id": visit,
            "type": "VisitStarted", "occurred_at": _stamp(at + timedelta(minutes=2)),
            "data": {}})

    def bodies(events: list[dict[str, Any]]) -> list[bytes]:
        return [json.dumps({"device_id": "bench-setup", "events": events[i:i + 200]},
                           separators=(",", ":")).encode() for i in range(0, len(events), 200)]

    return {"organizer1": bodies(planned), "host1": bodies(started)}


def utc_now() -> datetime:
    return datetime.now(UTC)
