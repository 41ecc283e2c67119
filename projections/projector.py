"""Feeds the read models from the application's notification log.

Reads the log in pages after the tracked position, folds each page into the
touched documents and writes them with the new position in one transaction.
A restart resumes where it stopped; a concurrent projector (another process)
makes the tracking insert fail and simply goes round again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from uuid import UUID

import msgspec
from eventsourcing.persistence import IntegrityError, Notification, Tracking

from projections.district_view import district_document, index_meetings
from projections.store import Key, ReadModelStore
from projections.visit_view import VisitView, apply, plan
from walkthrough.application import Walkthrough
from walkthrough.district import DISTRICT_ID
from walkthrough.events import Event, PersonRegistered, SchoolRegistered, VisitPlanned
from walkthrough.persistence import decode_state

PAGE_SIZE = 1000
VISIT = "visit"
SCHOOL = "school"
PERSON = "person"
SCHOOL_VISITS = "school_visits"  # per school: its visit ids in log order

view_encoder = msgspec.json.Encoder()
view_decoder = msgspec.json.Decoder(VisitView)
school_decoder = msgspec.json.Decoder(SchoolRegistered)
person_decoder = msgspec.json.Decoder(PersonRegistered)
visit_ids_decoder = msgspec.json.Decoder(list[str])

Progress = Callable[[int], None]  # called with the position after each page


class Projector:
    def __init__(self, app: Walkthrough, store: ReadModelStore,
                 page_size: int = PAGE_SIZE) -> None:
        self.app = app
        self.store = store
        self.page_size = page_size
        self._lock = threading.Lock()

    def position(self) -> int:
        return self.store.max_tracking_id(self.app.name) or 0

    def catch_up(self, until: int | None = None, progress: Progress | None = None) -> int:
        """Apply everything recorded so far (or up to `until`); return the position."""
        with self._lock:
            while True:
                position = self.position()
                if until is not None and position >= until:
                    return position
                notifications = self.app.recorder.select_notifications(
                    start=position + 1, limit=self.page_size,
                    stop=until)
                if not notifications:
                    return position
                try:
                    self._apply_page(notifications, position)
                except IntegrityError:
                    continue  # another projector moved the position first: go round
                if progress is not None:
                    progress(notifications[-1].id)

    def _apply_page(self, notifications: Sequence[Notification], position: int) -> None:
        page = [decode_state(n.state, self.app.mapper) for n in notifications]
        visit_ids = sorted({str(e.originator_id) for e in page
                            if e.originator_id != DISTRICT_ID})
        visits = {doc_id: view_decoder.decode(doc)
                  for doc_id, doc in self.store.get_many(VISIT, visit_ids).items()}
        docs: dict[Key, bytes] = {}
        members: list[tuple[str, str, str]] = []
        touched: set[str] = set()
        for event in page:
            self._fold(event, visits, docs, members, touched)
        for visit_id in touched:
            docs[(VISIT, visit_id)] = view_encoder.encode(visits[visit_id])
        self._index_schools(page, docs)
        index_meetings([e.payload for e in page], self.store, docs)
        self.store.write(docs, members, Tracking(self.app.name, notifications[-1].id),
                         previous=position)

    def _index_schools(self, page: Sequence[Event], docs: dict[Key, bytes]) -> None:
        """Keep each school's list of visits, so a debrief reads only its own school."""
        planned = [(e.payload.school_id, str(e.originator_id)) for e in page
                   if isinstance(e.payload, VisitPlanned)]
        if not planned:
            return
        schools = sorted({school_id for school_id, _ in planned})
        index = {school_id: visit_ids_decoder.decode(doc) for school_id, doc
                 in self.store.get_many(SCHOOL_VISITS, schools).items()}
        for school_id, visit_id in planned:
            index.setdefault(school_id, []).append(visit_id)
        for school_id in schools:
            docs[(SCHOOL_VISITS, school_id)] = view_encoder.encode(index[school_id])

    @staticmethod
    def _fold(event: Event, visits: dict[str, VisitView], docs: dict[Key, bytes],
              members: list[tuple[str, str, str]], touched: set[str]) -> None:
        payload = event.payload
        if isinstance(payload, SchoolRegistered):
            docs[(SCHOOL, payload.school_id)] = view_encoder.encode(payload)
            return
        if isinstance(payload, PersonRegistered):
            docs[(PERSON, payload.user_id)] = view_encoder.encode(payload)
            return
        district_doc = district_document(payload)
        if district_doc is not None:
            key, doc = district_doc
            docs[key] = doc
            return
        if event.originator_id == DISTRICT_ID:  # partnership meetings: index_meetings
            return
        visit_id = str(event.originator_id)
        if isinstance(payload, VisitPlanned):
            visits[visit_id] = plan(event)
            members.append((payload.host, visit_id, "host"))
            members.extend((member, visit_id, "team") for member in payload.team)
        else:
            apply(visits[visit_id], event)
        touched.add(visit_id)


def visit_uuid(visit_id: str) -> UUID | None:
    try:
        return UUID(visit_id)
    except ValueError:
        return None
