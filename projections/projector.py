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
from eventsourcing.persistence import IntegrityError, Tracking

from projections.district_view import district_document, index_meetings
from projections.store import Key, ReadModelStore
from projections.visit_view import Projected, VisitView, apply, plan, projected_decoder
from walkthrough.application import Walkthrough
from walkthrough.district import DISTRICT_ID
from walkthrough.events import Payload, PersonRegistered, SchoolRegistered, VisitPlanned
from walkthrough.persistence import plain_state

PAGE_SIZE = 5000  # a replay commits a page at a time; in steady state pages are small
# Decoded visit views kept between pages (the visits being recorded now), bounded
# in number and in taps + notes held (~0.5 kB each in memory).
KEPT_VIEWS = 512
KEPT_ITEMS = 200_000
VISIT = "visit"
SCHOOL = "school"
PERSON = "person"
SCHOOL_VISITS = "school_visits"  # per school: its visit ids in log order
DISTRICT = str(DISTRICT_ID)

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
        # Decoded visit views as this projector last wrote them, valid while the
        # position is still the one it wrote (nobody else moved it since).
        self._views: dict[str, VisitView] = {}
        self._views_at: int | None = None

    def position(self) -> int:
        return self.store.max_tracking_id(self.app.name) or 0

    def catch_up(self, until: int | None = None, progress: Progress | None = None) -> int:
        """Apply everything recorded so far (or up to `until`); return the position."""
        with self._lock:
            while True:
                position = self.position()
                if until is not None and position >= until:
                    return position
                rows = self.app.receipts.select_states(position, self.page_size, until)
                if not rows:
                    return position
                try:
                    self._apply_page(rows, position)
                except IntegrityError:
                    continue  # another projector moved the position first: go round
                finally:
                    if self._views_at != rows[-1][0]:
                        self._views.clear()  # not written by us, or written half-way
                if progress is not None:
                    progress(rows[-1][0])

    def _apply_page(self, rows: Sequence[tuple[int, bytes]], position: int) -> None:
        mapper = self.app.mapper
        page = [projected_decoder.decode(plain_state(state, mapper)) for _, state in rows]
        visits = self._visit_views(page, position)
        docs: dict[Key, bytes] = {}
        members: list[tuple[str, str, str]] = []
        touched: set[str] = set()
        for event in page:
            self._fold(event, visits, docs, members, touched)
        for visit_id in touched:
            docs[(VISIT, visit_id)] = view_encoder.encode(visits[visit_id])
        self._index_schools(page, docs)
        index_meetings([e.payload for e in page], self.store, docs)
        self.store.write(docs, members, Tracking(self.app.name, rows[-1][0]),
                         previous=position)
        self._keep_views(visits, touched, rows[-1][0])

    def _visit_views(self, page: Sequence[Projected], position: int) -> dict[str, VisitView]:
        """The views of the visits on the page: kept ones if this projector wrote the
        current position, the others read from the store."""
        visit_ids = sorted({e.originator_id for e in page} - {DISTRICT})
        if self._views_at != position:
            self._views.clear()
        visits = {v: self._views[v] for v in visit_ids if v in self._views}
        missing = [v for v in visit_ids if v not in visits]
        visits.update((doc_id, view_decoder.decode(doc))
                      for doc_id, doc in self.store.get_many(VISIT, missing).items())
        return visits

    def _keep_views(self, visits: dict[str, VisitView], touched: set[str], at: int) -> None:
        for visit_id in touched:
            self._views.pop(visit_id, None)
            self._views[visit_id] = visits[visit_id]  # most recent last
        items = sum(len(v.taps) + len(v.evidence) for v in self._views.values())
        while self._views and (len(self._views) > KEPT_VIEWS or items > KEPT_ITEMS):
            oldest = self._views.pop(next(iter(self._views)))
            items -= len(oldest.taps) + len(oldest.evidence)
        self._views_at = at

    def _index_schools(self, page: Sequence[Projected], docs: dict[Key, bytes]) -> None:
        """Keep each school's list of visits, so a debrief reads only its own school."""
        planned = [(e.payload.school_id, e.originator_id) for e in page
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
    def _fold_district(payload: Payload, docs: dict[Key, bytes]) -> None:
        if isinstance(payload, SchoolRegistered):
            docs[(SCHOOL, payload.school_id)] = view_encoder.encode(payload)
        elif isinstance(payload, PersonRegistered):
            docs[(PERSON, payload.user_id)] = view_encoder.encode(payload)
        else:  # partnership meetings: index_meetings
            district_doc = district_document(payload)
            if district_doc is not None:
                key, doc = district_doc
                docs[key] = doc

    @staticmethod
    def _fold(event: Projected, visits: dict[str, VisitView], docs: dict[Key, bytes],
              members: list[tuple[str, str, str]], touched: set[str]) -> None:
        payload = event.payload
        visit_id = event.originator_id
        if visit_id == DISTRICT:
            Projector._fold_district(payload, docs)
            return
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
