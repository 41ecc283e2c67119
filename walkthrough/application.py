"""The application service: load, let the domain decide, save in one transaction.

`record` is the heart of offline sync. For a batch it looks up receipts (the
idempotency keys), lets each visit decide on each new event in request order,
and saves every accepted event with its receipt in a single transaction. If a
concurrent writer got there first (a version clash on a visit, or the same
event id committed elsewhere), the transaction fails as a whole and the batch
is decided again from fresh state: nothing is lost, nothing doubled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid4

import msgspec
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    Mapper,
    OperationalError,
)
from eventsourcing.utils import get_topic

from walkthrough.catalog import LookFor
from walkthrough.district import (
    DISTRICT_ID,
    District,
    check_registration,
    decide_district,
    evolve_district,
    project_district,
)
from walkthrough.errors import DomainError, NotFound, StoreUnavailable
from walkthrough.events import (
    AnyPayload,
    CatalogPublished,
    Event,
    NeedsAssessmentRecorded,
    PartnershipFormed,
    PartnershipMeetingHeld,
    PersonRegistered,
    SchoolRegistered,
    SkillInventoryRecorded,
)
from walkthrough.persistence import (
    EventMapper,
    Receipt,
    ReceiptRecorder,
    SQLiteReceiptRecorder,
    UnusedTranscoder,
)
from walkthrough.sync import ErrorBody, Outcome, Rejection, Submission
from walkthrough.visit import Actor, Visit, decide, evolve, project_visit

T = TypeVar("T")
PreparationPayload = (
    NeedsAssessmentRecorded | SkillInventoryRecorded | PartnershipFormed | CatalogPublished
    | PartnershipMeetingHeld
)
MAX_ATTEMPTS = 8
SYSTEM = Actor(user_id="system", roles=("organizer",))
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Walkthrough(Application[UUID]):
    name = "walkthrough"
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "2000",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
        "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",  # aggregates are immutable
        # SQLite by default; the composition root names the PostgreSQL one.
        "APPLICATION_RECORDER_TOPIC": get_topic(SQLiteReceiptRecorder),
    }

    def __init__(self, env: dict[str, str] | None = None, clock: Clock = utc_now) -> None:
        super().__init__(env)
        self.clock = clock
        # Checked once: a runtime Protocol isinstance costs ~5% of a sync batch.
        if not isinstance(self.recorder, ReceiptRecorder):
            raise TypeError(f"{type(self.recorder).__name__} does not record sync receipts")
        self.receipts: ReceiptRecorder = self.recorder

    def construct_mapper(self) -> Mapper[UUID]:
        return EventMapper(
            transcoder=UnusedTranscoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )

    # --- reading aggregates -------------------------------------------------------

    def district(self) -> District:
        try:
            district: District = self.repository.get(
                DISTRICT_ID, projector_func=project_district, deepcopy_from_cache=False
            )
        except AggregateNotFoundError:
            return District(id=DISTRICT_ID, version=0, schools={}, people={})
        self._keep_cached(DISTRICT_ID, district)
        return district

    def actor(self, user_id: str) -> Actor:
        person = self.district().people.get(user_id)
        if person is None:
            raise NotFound(f"user {user_id!r} is not registered", code="unknown_user")
        return Actor(user_id=person.user_id, roles=person.roles, school_id=person.school_id)

    def visit(self, visit_id: UUID) -> Visit | None:
        if visit_id == DISTRICT_ID:
            return None
        try:
            visit: Visit = self.repository.get(
                visit_id, projector_func=project_visit, deepcopy_from_cache=False
            )
        except AggregateNotFoundError:
            return None
        self._keep_cached(visit_id, visit)
        return visit

    def _keep_cached(self, aggregate_id: UUID, aggregate: Visit | District) -> None:
        """Cache the fast-forwarded aggregate. The cache fast-forwards with events
        other processes stored, but ours are immutable, so without this it would
        replay everything since the aggregate was first cached on every get."""
        if self.repository.cache is not None:
            self.repository.cache.put(aggregate_id, aggregate)

    # --- writing ------------------------------------------------------------------

    def register(self, payloads: Sequence[SchoolRegistered | PersonRegistered]) -> None:
        """Register schools and people in the district (all or nothing)."""

        def attempt() -> None:
            district = self.district()
            events = []
            for payload in payloads:
                check_registration(district, payload)
                event = self._event(DISTRICT_ID, district.version + 1, SYSTEM, "server",
                                    self.clock(), payload)
                district = evolve_district(district, event)
                events.append(event)
            self.save(*events)

        self._retrying(attempt)

    def prepare(self, actor: Actor, payload: PreparationPayload) -> Event:
        """Record an organizer's preparation event on the district; return it."""
        return self._retrying(lambda: self._prepare_once(actor, lambda _: payload))

    def publish_catalog(self, actor: Actor, items: Sequence[LookFor],
                        notes: str | None = None) -> Event:
        """Publish the next catalog version, numbered on fresh state at each attempt so
        that concurrent publishers each get their own version."""
        return self._retrying(lambda: self._prepare_once(actor, lambda district: (
            CatalogPublished(version=district.latest_catalog_version() + 1,
                             items=tuple(items), notes=notes))))

    def _prepare_once(self, actor: Actor,
                      build: Callable[[District], PreparationPayload]) -> Event:
        district = self.district()
        payload = build(district)
        decide_district(district, actor.roles, payload, actor.user_id)
        event = self._event(DISTRICT_ID, district.version + 1, actor, "server", self.clock(),
                            payload)
        self.save(event)
        return event

    def record(
        self, actor: Actor, device_id: str, items: Sequence[Submission | Rejection]
    ) -> list[Outcome]:
        """Decide and store a batch of client events; one outcome each, in order."""
        return self._retrying(lambda: self._record_once(actor, device_id, items))

    def _record_once(
        self, actor: Actor, device_id: str, items: Sequence[Submission | Rejection]
    ) -> list[Outcome]:
        submissions = [item for item in items if isinstance(item, Submission)]
        stored = self.receipts.select_receipts([s.event_id for s in submissions])
        district = self.district()
        now = self.clock()
        visits: dict[UUID, Visit | None] = {}
        new_events: list[Event] = []
        receipts: list[Receipt] = []
        outcomes: list[Outcome] = []
        for item in items:
            if isinstance(item, Rejection):
                outcomes.append(item.outcome())
                continue
            event_id = str(item.event_id)
            known = stored.get(item.event_id)
            if known is not None:
                outcomes.append(Outcome(
                    id=event_id, status="duplicate" if known == item.digest else "conflict"))
                continue
            if item.visit_id not in visits:
                visits[item.visit_id] = self.visit(item.visit_id)
            visit = visits[item.visit_id]
            try:
                decide(visit, actor, item.payload, district)
            except DomainError as exc:
                outcomes.append(Outcome(id=event_id, status="rejected",
                                        error=ErrorBody(code=exc.code, message=exc.message)))
                continue
            event = self._event(item.visit_id, (visit.version if visit else 0) + 1, actor,
                                device_id, now, item.payload, item)
            event = _with_catalog_version(event, visit)
            visits[item.visit_id] = evolve(visit, event)
            new_events.append(event)
            receipts.append(Receipt(event_id=item.event_id, digest=item.digest,
                                    visit_id=item.visit_id))
            stored[item.event_id] = item.digest
            outcomes.append(Outcome(id=event_id, status="accepted"))
        if new_events:
            self.save(*new_events, receipts=receipts)
        return outcomes

    def _event(
        self,
        originator_id: UUID,
        version: int,
        actor: Actor,
        device_id: str,
        now: datetime,
        payload: AnyPayload,
        submission: Submission | None = None,
    ) -> Event:
        return Event(
            originator_id=originator_id,
            originator_version=version,
            timestamp=now,
            event_id=submission.event_id if submission else uuid4(),
            actor=actor.user_id,
            device_id=device_id,
            occurred_at=submission.occurred_at if submission else now,
            payload=payload,
        )

    def _retrying(self, attempt: Callable[[], T]) -> T:
        for _ in range(MAX_ATTEMPTS):
            try:
                return attempt()
            except IntegrityError:
                continue  # a concurrent writer won the race: decide again on fresh state
            except (OperationalError, InterfaceError, DatabaseError) as exc:
                raise StoreUnavailable(str(exc)) from exc
        raise StoreUnavailable("too many concurrent writers; retry the batch")


def _with_catalog_version(event: Event, visit: Visit | None) -> Event:
    """Every visit event names the catalog version it was recorded against."""
    version = visit.catalog_version if visit else getattr(event.payload, "catalog_version", None)
    return msgspec.structs.replace(event, catalog_version=version)


def open_application(env: dict[str, Any], clock: Clock = utc_now) -> Walkthrough:
    return Walkthrough({key: str(value) for key, value in env.items()}, clock=clock)
