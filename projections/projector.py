"""Feeds the read models from the application's notification log.

Reads the log in pages after the tracked position, folds each page into the
touched documents and writes them with the new position in one transaction.
A restart resumes where it stopped; a concurrent projector (another process)
makes the tracking insert fail and simply goes round again.

From nothing (a rebuild, or a new store behind a long log) the taps are not folded
one by one: they are filed in a scratch table (projections.tap_table) while every other
event is folded as usual, and each room's taps are then written and counted once.
The documents are the same, byte for byte (tests/projections/test_columnar_rebuild.py).
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import assert_never
from uuid import UUID

import msgspec
from eventsourcing.persistence import IntegrityError, Tracking

from projections.district_view import (
    CATALOG,
    catalog_doc_id,
    district_document,
    index_ground_rules,
    index_meetings,
    published_catalog,
)
from projections.rooms import (
    ENTRIES,
    MAX_ROOMS,
    ROOM,
    ROOMS,
    RoomIndex,
    RoomLog,
    VisitRooms,
    assemble_index,
    log_decoder,
    room_doc_id,
)
from projections.store import Key, ReadModelStore
from projections.tap_table import TapTable
from projections.versions import VersionCheck
from projections.visit_view import Projected, VisitView, apply, plan, projected_decoder
from walkthrough import events as ev
from walkthrough.application import Walkthrough
from walkthrough.catalog import Catalog, catalog
from walkthrough.district import DISTRICT_ID
from walkthrough.persistence import plain_state

PAGE_SIZE = 5000  # a replay commits a page at a time; in steady state pages are small
# A projector catching up from nothing with at least this many events to go files the
# taps in a scratch table (rebuilds always do).
TAP_TABLE_FROM = PAGE_SIZE
TAPPED_READ = 500  # classroom ids (and their visits) read back together to take taps
# What is kept in memory between pages (the visits being recorded now): their room
# logs and records of rooms, in bytes (VisitRooms.weight). Enough for the record of a
# visit of 100k taps (~11k classroom ids, ~20 MB) beside the other visits of the day:
# a visit evicted whole is read back whole (every classroom id's statements).
KEPT_BYTES = 96 * 2**20
VISIT = "visit"
SCHOOL_VISITS = "school_visits"  # per school: its visit ids in log order
DISTRICT = str(DISTRICT_ID)

view_encoder = msgspec.json.Encoder(order="deterministic")
view_decoder = msgspec.json.Decoder(VisitView)
visit_ids_decoder = msgspec.json.Decoder(list[str])

Progress = Callable[[int], None]  # called with the position after each page


class Projector:
    def __init__(self, app: Walkthrough, store: ReadModelStore,
                 page_size: int = PAGE_SIZE, check_version: bool = True,
                 tap_table_from: int | None = TAP_TABLE_FROM) -> None:
        self.app = app
        self.store = store
        self.page_size = page_size
        self.tap_table_from = tap_table_from  # None: every event folded one by one
        # Read models of another version are neither fed nor read (a rebuild is not
        # checked: it starts from nothing and marks them current when done).
        self.version = VersionCheck(store, app.name) if check_version else None
        self._lock = threading.Lock()
        # Visits as this projector last wrote them (least recently touched first), valid
        # while the position is still the one it wrote (nobody else moved it since).
        self._visits: OrderedDict[str, VisitRooms] = OrderedDict()
        self._with_logs: OrderedDict[str, None] = OrderedDict()  # kept with room logs
        self._weights: dict[str, int] = {}  # of the kept visits, as last kept
        self._kept_bytes = 0
        self._visits_at: int | None = None
        self._catalogs: dict[int, Catalog] = {}

    def position(self) -> int:
        return self.store.max_tracking_id(self.app.name) or 0

    def catch_up(self, until: int | None = None, progress: Progress | None = None) -> int:
        """Apply everything recorded so far (or up to `until`); return the position.
        ReadModelsRebuilding when the stored read models are of another version."""
        if self.version is not None:
            self.version.require_current()
        with self._lock:
            if self.position() == 0 and self._worth_a_tap_table(until):
                with contextlib.suppress(IntegrityError):  # another projector moved it
                    self._rebuild(until, progress)
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
                    if self._visits_at != rows[-1][0]:
                        self._forget_visits()  # not written by us, or written half-way
                if progress is not None:
                    progress(rows[-1][0])

    def _worth_a_tap_table(self, until: int | None) -> bool:
        if self.tap_table_from is None:
            return False
        last = self.app.recorder.max_notification_id() or 0
        return min(last, until if until is not None else last) >= self.tap_table_from

    def _apply_page(self, rows: Sequence[tuple[int, bytes]], position: int) -> None:
        mapper = self.app.mapper
        page = [projected_decoder.decode(plain_state(state, mapper)) for _, state in rows]
        self._fold_page(page, position, rows[-1][0])

    def _fold_page(self, page: Sequence[Projected], position: int, to: int) -> None:
        """Fold `page` and write what it changed, moving the position to `to`."""
        visits = self._visit_states(page, position)
        docs: dict[Key, bytes | None] = {}
        members: list[tuple[str, str, str]] = []
        touched: set[str] = set()
        for event in page:
            self._fold(event, visits, docs, members, touched)
        for visit_id in touched:
            state = visits[visit_id]
            docs.update(state.documents())  # settles the tallies the visit document holds
            docs[(VISIT, visit_id)] = view_encoder.encode(state.view)
        self._index_schools(page, docs)
        index_meetings([e.payload for e in page], self.store, docs)
        index_ground_rules([(e.payload.partnership_id, e.actor) for e in page
                            if isinstance(e.payload, ev.GroundRulesAcknowledged)],
                           self.store, docs)
        self.store.write(docs, members, Tracking(self.app.name, to), previous=position)
        self._keep(visits, touched, to)

    # --- from nothing, with the taps set apart ------------------------------------------

    def _rebuild(self, until: int | None, progress: Progress | None) -> None:
        """Catch up from nothing: file the taps in a scratch table and fold every other
        event in log order, a page at a time; then give each visit's rooms their taps.
        The position stays at 0 until the last write, so a crash starts over (from a
        reset store). Two projectors doing this at once on one store would not see each
        other until the first moves the position (the other's writes then fail): a
        rebuild marks the store as rebuilding first (projections.rebuild), and a live
        projector comes here only from nothing."""
        self.store.reset(self.app.name)
        mapper = self.app.mapper
        read = 0
        folded: list[Projected] = []
        try:
            with TapTable() as table:
                while rows := self.app.receipts.select_states(read, self.page_size, until):
                    for _, state in rows:
                        event = projected_decoder.decode(plain_state(state, mapper))
                        payload = event.payload
                        if isinstance(payload, ev.LookForObserved) and not event.withdrawn:
                            table.add(event, payload)
                        else:
                            table.passed(event)
                            folded.append(event)
                    read = rows[-1][0]
                    table.seal()
                    if len(folded) >= self.page_size:
                        self._fold_page(folded, 0, 0)
                        folded = []
                    if progress is not None:
                        progress(read)
                if folded:
                    self._fold_page(folded, 0, 0)
                self._forget_visits()  # read back with their taps' windows: less at once
                self._take_taps(table, read)
        finally:
            self._forget_visits()
            self._visits_at = None

    def _take_taps(self, table: TapTable, to: int) -> None:
        """Give every visit's rooms their taps, a room at a time (counted once it has
        all of them), and write the visits; the last write moves the position to `to`.
        Visits and logs are read a window of classroom ids at a time."""
        tapped = table.classroom_ids()
        windows = _windows(tapped, TAPPED_READ)
        loaded: dict[str, VisitRooms] = {}
        docs: dict[Key, bytes | None] = {}
        state: VisitRooms | None = None
        pending: Counter[str] = Counter()
        # `runs` gives one run per (visit, classroom id), in the order of `tapped`
        for number, (visit_id, classroom_id, taps) in enumerate(table.runs()):
            if number % TAPPED_READ == 0:
                self._read_window(next(windows), loaded)
            if state is None or state.view.id != visit_id:
                if state is not None:
                    self._finish_taps(loaded.pop(state.view.id), table, docs)
                state = loaded[visit_id]
                pending = Counter(state.partition.group(cid)[0] for cid in tapped[visit_id])
            state.take_taps(classroom_id, taps)
            members = state.partition.group(classroom_id)
            pending[members[0]] -= 1
            if not pending[members[0]]:
                del pending[members[0]]
                state.count_taps(members)
                docs.update(state.documents())
                state.forget_room(members)
                if len(docs) >= self.page_size:
                    self.store.write(docs, [], Tracking(self.app.name, 0), previous=0)
                    docs = {}
        if state is not None:
            self._finish_taps(state, table, docs)
        self.store.write(docs, [], Tracking(self.app.name, to), previous=0)

    def _read_window(self, window: Sequence[tuple[str, str]],
                     loaded: dict[str, VisitRooms]) -> None:
        """Read the visits of `window` not read yet, and the logs of its classroom ids'
        rooms, in one go."""
        loaded.update(self._load_visits(v for v in dict.fromkeys(v for v, _ in window)
                                        if v not in loaded))
        wanted: dict[str, set[str]] = {}
        for visit_id, classroom_id in window:
            wanted.setdefault(visit_id, set()).add(classroom_id)
        unread = {visit_id: loaded[visit_id].unread(cids) for visit_id, cids in wanted.items()}
        doc_ids = [room_doc_id(visit_id, cid) for visit_id, cids in unread.items()
                   for cid in loaded[visit_id].stored(cids)]
        found: dict[str, dict[str, RoomLog]] = {}
        for doc_id, doc in self.store.get_many(ROOM, doc_ids).items():
            visit_id, classroom_id = doc_id.split("/", 1)
            found.setdefault(visit_id, {})[classroom_id] = log_decoder.decode(doc)
        for visit_id, cids in unread.items():
            loaded[visit_id].put_logs(cids, found.get(visit_id, {}))

    @staticmethod
    def _finish_taps(state: VisitRooms, table: TapTable,
                     docs: dict[Key, bytes | None]) -> None:
        state.add_counted()
        state.view.prune()
        last_tap = table.last_tap(state.view.id)
        if last_tap is not None:
            state.view.last_recorded_at = last_tap
        docs.update(state.documents())
        docs[(VISIT, state.view.id)] = view_encoder.encode(state.view)

    def _visit_states(self, page: Sequence[Projected], position: int) -> dict[str, VisitRooms]:
        """The visits on the page: kept ones if this projector wrote the current
        position, the others read from the store; the room logs the page needs, read
        in one go per visit."""
        if self._visits_at != position:
            self._forget_visits()
        needed: dict[str, set[str]] = {}
        for event in page:
            if event.originator_id != DISTRICT:
                needed.setdefault(event.originator_id, set()).update(_classrooms(event))
        visits = self._load_visits(needed)
        for visit_id, classroom_ids in needed.items():
            if visit_id in visits and classroom_ids:
                visits[visit_id].need(classroom_ids)
        return visits

    def _load_visits(self, visit_ids: Iterable[str]) -> dict[str, VisitRooms]:
        """These visits as kept, or read from the store (those it has)."""
        wanted = list(visit_ids)
        visits = {v: self._visits[v] for v in wanted if v in self._visits}
        missing = sorted(v for v in wanted if v not in visits)
        views = self.store.get_many(VISIT, missing)
        merges = self.store.get_many(ROOMS, missing)
        for visit_id, doc in views.items():
            view = view_decoder.decode(doc)
            index, older = assemble_index(
                merges.get(visit_id), self.store.first(ENTRIES, f"{visit_id}/", MAX_ROOMS))
            visits[visit_id] = self._visit_rooms(view, index, older)
        return visits

    def _visit_rooms(self, view: VisitView, index: RoomIndex,
                     older: bool = False) -> VisitRooms:
        return VisitRooms(view, index, self._catalog(view.catalog_version), self._load_logs,
                          older)

    def _load_logs(self, visit_id: str, classroom_ids: Sequence[str]) -> dict[str, RoomLog]:
        prefix = f"{visit_id}/"
        found = self.store.get_many(ROOM, [prefix + cid for cid in classroom_ids])
        return {doc_id[len(prefix):]: log_decoder.decode(doc) for doc_id, doc in found.items()}

    def _catalog(self, version: int) -> Catalog:
        if version not in self._catalogs:
            doc = self.store.get(CATALOG, catalog_doc_id(version))
            self._catalogs[version] = (published_catalog(doc) if doc is not None
                                       else catalog(version))
        return self._catalogs[version]

    def _keep(self, visits: dict[str, VisitRooms], touched: set[str], at: int) -> None:
        """Keep the visits just written, most recent last, within KEPT_BYTES (only the
        touched visits' weights can have changed). Over the budget, the room logs of
        the least recently touched visits go first (a page reads back only the logs it
        needs), then whole visits: a visit's record of rooms is what a page would read
        whole, so a large visit keeps it while smaller ones come and go."""
        for visit_id in touched:
            self._visits.pop(visit_id, None)
            self._visits[visit_id] = state = visits[visit_id]
            self._with_logs.pop(visit_id, None)
            self._with_logs[visit_id] = None
            self._reweigh(visit_id, state.weight)
        while self._kept_bytes > KEPT_BYTES and self._with_logs:
            oldest_id, _ = self._with_logs.popitem(last=False)
            kept = self._visits[oldest_id]
            kept.forget_logs()
            self._reweigh(oldest_id, kept.weight)
        while self._kept_bytes > KEPT_BYTES and len(self._visits) > 1:
            oldest_id, _ = self._visits.popitem(last=False)
            self._kept_bytes -= self._weights.pop(oldest_id)
        self._visits_at = at

    def _reweigh(self, visit_id: str, weight: int) -> None:
        self._kept_bytes += weight - self._weights.get(visit_id, 0)
        self._weights[visit_id] = weight

    def _forget_visits(self) -> None:
        self._visits.clear()
        self._with_logs.clear()
        self._weights.clear()
        self._kept_bytes = 0

    def _index_schools(self, page: Sequence[Projected], docs: dict[Key, bytes | None]) -> None:
        """Keep each school's list of visits, so a debrief reads only its own school."""
        planned = [(e.payload.school_id, e.originator_id) for e in page
                   if isinstance(e.payload, ev.VisitPlanned)]
        if not planned:
            return
        schools = sorted({school_id for school_id, _ in planned})
        index = {school_id: visit_ids_decoder.decode(doc) for school_id, doc
                 in self.store.get_many(SCHOOL_VISITS, schools).items()}
        for school_id, visit_id in planned:
            index.setdefault(school_id, []).append(visit_id)
        for school_id in schools:
            docs[(SCHOOL_VISITS, school_id)] = view_encoder.encode(index[school_id])

    def _fold(self, event: Projected, visits: dict[str, VisitRooms],
              docs: dict[Key, bytes | None], members: list[tuple[str, str, str]],
              touched: set[str]) -> None:
        payload = event.payload
        visit_id = event.originator_id
        match payload:
            # Room events first, taps first among them: a class pattern is an isinstance
            # check per class, in order, and nearly every event of a log is one of these.
            case ev.LookForObserved() | ev.ClassroomEntered() | ev.EvidenceNoted() \
                    | ev.ThankYouNoteLeft() | ev.ClassroomExited() | ev.ObservationRetracted() \
                    | ev.ClassroomCorrected() | ev.ClassroomsMerged() \
                    | ev.ClassroomRetracted():
                state = visits[visit_id]
                state.view.last_recorded_at = event.timestamp
                state.fold(event, payload)
            case ev.SchoolRegistered() | ev.PersonRegistered() | ev.DistrictNamed() \
                    | ev.SchoolChanged() | ev.PersonChanged() | ev.PersonDeactivated() \
                    | ev.PersonReactivated() | ev.SchoolCalendarSet() | ev.CalendarFeedReset() \
                    | ev.RemindersChosen() \
                    | ev.NeedsAssessmentRecorded() \
                    | ev.SkillInventoryRecorded() \
                    | ev.PartnershipFormed() | ev.CatalogPublished() \
                    | ev.PartnershipMeetingHeld() | ev.LearningSessionOffered() \
                    | ev.MeetingStepCheckedIn() | ev.ConversationGuidesPublished() \
                    | ev.LeadershipSkillsPublished() | ev.StepNudged() \
                    | ev.GroundRulesAcknowledged():
                if isinstance(payload, ev.CatalogPublished) and payload.kind == "classroom":
                    self._catalogs[payload.version] = Catalog(version=payload.version,
                                                              items=payload.items)
                district_doc = district_document(
                    payload, lambda key: docs[key] if key in docs else self.store.get(*key))
                if district_doc is not None:
                    key, doc = district_doc
                    docs[key] = doc
                return
            case ev.VisitPlanned():
                visits[visit_id] = self._visit_rooms(plan(event), RoomIndex())
                members.append((payload.host, visit_id, "host"))
                members.extend((member, visit_id, "team") for member in payload.team)
            case ev.VisitRescheduled() | ev.VisitCancelled() \
                    | ev.TeachersNotified() | ev.VisitStarted() | ev.SchoolUpdateRecorded() \
                    | ev.VisitClosed() | ev.DebriefStarted() | ev.RootCauseNoted() \
                    | ev.NextStepProposed() | ev.NextStepWithdrawn() | ev.ActionPlanAgreed() \
                    | ev.CheckInRecorded() | ev.RootCauseWithdrawn():
                apply(visits[visit_id].view, event, payload)
            case ev.GoalSet() | ev.StepAmended() | ev.PracticeObservationStarted() \
                    | ev.PracticeObserved() | ev.PracticeNoted() \
                    | ev.PracticeObservationRetracted() | ev.SupportLogged() \
                    | ev.SupportRequested() | ev.PulseAnswered() | ev.LearningSessionAttended():
                return  # a growth record is read from its aggregate (walkthrough.growth)
            case _:
                assert_never(payload)
        touched.add(visit_id)


def _windows(tapped: dict[str, list[str]], size: int) -> Iterator[list[tuple[str, str]]]:
    """(visit id, classroom id) pairs in the order of `tapped`, `size` at a time."""
    window: list[tuple[str, str]] = []
    for visit_id, classroom_ids in tapped.items():
        for classroom_id in classroom_ids:
            window.append((visit_id, classroom_id))
            if len(window) == size:
                yield window
                window = []
    if window:
        yield window


def _classrooms(event: Projected) -> set[str]:
    """The classroom ids an event touches (whose room logs its fold reads)."""
    payload = event.payload
    found = set()
    classroom_id = getattr(payload, "classroom_id", None)
    if isinstance(classroom_id, str):
        found.add(classroom_id)
    if isinstance(payload, ev.ClassroomsMerged):
        found.add(payload.into)
    if event.withdraws is not None:
        found.add(event.withdraws.classroom_id)
    return found


def visit_uuid(visit_id: str) -> UUID | None:
    try:
        return UUID(visit_id)
    except ValueError:
        return None
