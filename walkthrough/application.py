"""The application service: load, let the domain decide, save in one transaction.

`record` is the heart of offline sync. For a batch it looks up receipts (the
idempotency keys), lets each visit decide on each new event in request order,
and saves every accepted event with its receipt in a single transaction. Every
write goes through one group commit: batches that arrive together are decided
in order and saved in the same transaction. If a concurrent writer got there
first (a version clash on a visit, or the same event id committed elsewhere),
the transaction fails as a whole and the group is decided again from fresh
state: nothing is lost, nothing doubled.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any, ClassVar, NamedTuple, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.persistence import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    Mapper,
    OperationalError,
    PersistenceError,
)

from walkthrough.access import Actor
from walkthrough.aggregate_cache import AggregateCache
from walkthrough.catalog import LookFor
from walkthrough.district import (
    DISTRICT_ID,
    District,
    PreparationPayload,
    Rosters,
    decide_directory,
    decide_district,
    evolve_district,
    growth_id,
    no_rosters,
    project_district,
)
from walkthrough.draft import Draft, Group
from walkthrough.errors import Conflict, DomainError, NotFound, StoreUnavailable, Unauthorized
from walkthrough.events import (
    GROWTH_TYPES,
    AnyPayload,
    CatalogKind,
    CatalogPublished,
    ConversationGuide,
    ConversationGuidesPublished,
    DirectoryPayload,
    Event,
    GrowthPayload,
    LeadershipSkill,
    LeadershipSkillsPublished,
    ObservationRetracted,
    VisitPayload,
    type_name,
)
from walkthrough.group_commit import GroupCommit, Job
from walkthrough.growth import Growth, decide_growth, evolve_growth, project_growth
from walkthrough.names import RosterBudget
from walkthrough.persistence import (
    EventMapper,
    Receipt,
    ReceiptRecorder,
    UnusedTranscoder,
)
from walkthrough.sync import ErrorBody, Outcome, Rejection, Submission
from walkthrough.visit import Facts, Visit, decide, evolve, facts, project_visit

A = TypeVar("A", Visit, District, Growth)
MAX_ATTEMPTS = 8
CLASH_BACKOFF_SECONDS = 0.005  # the most a writer waits after its first clash
# Aggregates kept in memory, by weight (about one per observation, ~250 bytes each).
CACHE_WEIGHT = 400_000
FRESHNESS_SECONDS = 1.0  # how far readers may lag other processes' writes
SYSTEM = Actor(user_id="system", roles=("organizer",))
NO_FACTS = Facts()
Clock = Callable[[], datetime]
# A person's roster refusals of a day (walkthrough.adapters.roster_store.RosterStore.budget).
Budgets = Callable[[str, date], RosterBudget]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Idempotency(NamedTuple):
    """A client's key for one preparation request (`Idempotency-Key`) and the digest of
    the request: the key becomes the event's id and is kept as a sync receipt, so a
    retry of the same request records nothing twice."""

    key: UUID
    digest: bytes


class Walkthrough(Application[UUID]):
    name = "walkthrough"
    env: ClassVar[dict[str, str]] = {
        # Aggregates are cached by `AggregateCache`, which follows the log's tail.
        "AGGREGATE_CACHE_MAXSIZE": "",
        # The recorder (one that keeps sync receipts) is named by the composition root.
    }

    def __init__(self, env: dict[str, str] | None = None, clock: Clock = utc_now) -> None:
        super().__init__(env)
        self.clock = clock
        # Checked once: a runtime Protocol isinstance costs ~5% of a sync batch.
        if not isinstance(self.recorder, ReceiptRecorder):
            raise TypeError(f"{type(self.recorder).__name__} does not record sync receipts")
        self.receipts: ReceiptRecorder = self.recorder
        self._cache = AggregateCache(CACHE_WEIGHT)
        self._followed_at = -FRESHNESS_SECONDS
        self.writer = GroupCommit(self._commit_group)
        self._rosters: Rosters = no_rosters
        self._budgets: Budgets | None = None
        self.time_zone: tzinfo = UTC

    def use_time_zone(self, zone: tzinfo) -> None:
        """The district's time zone: its dates (a visit's day) are dates there."""
        self.time_zone = zone

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.time_zone).date()

    def use_rosters(self, rosters: Rosters, budgets: Budgets | None = None) -> None:
        """Where schools' staff rosters come from (they screen free text for names), and
        each person's roster refusals of a day (they bound how much a person can learn
        of a roster by being refused: walkthrough.names)."""
        self._rosters = rosters
        self._budgets = budgets

    def _screening(self, draft: Draft, actor: Actor) -> Rosters:
        """The rosters that screen `actor`'s texts in this draft, bounded by their budget."""
        if self._budgets is None:
            return draft.roster
        budget = self._budgets(actor.user_id, draft.now.date())
        return lambda school_id: draft.roster(school_id).bounded(budget)

    def construct_mapper(self) -> Mapper[UUID]:
        return EventMapper(
            transcoder=UnusedTranscoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )

    # --- reading aggregates -------------------------------------------------------

    def district(self) -> District:
        self._keep_fresh()
        return self._load_district()

    def actor(self, user_id: str) -> Actor:
        person = self.district().people.get(user_id)
        if person is None:  # registered a moment ago by another process?
            self.follow_log()
            person = self._load_district().people.get(user_id)
        if person is None:
            raise NotFound(f"user {user_id!r} is not registered", code="unknown_user")
        if user_id in self._load_district().inactive:
            raise Unauthorized(f"{user_id!r} has been deactivated by the district; ask its "
                               "organizer", code="deactivated")
        return Actor(user_id=person.user_id, roles=person.roles, school_id=person.school_id)

    def visit(self, visit_id: UUID) -> Visit | None:
        """The visit as stored now, other processes' writes included. Visits change in
        place when events are stored: read it, do not keep it."""
        if visit_id == DISTRICT_ID:
            return None
        found: Visit | None = self.writer.run(Job(lambda draft: draft.visit(visit_id)))
        return found

    def follow_log(self) -> None:
        """Catch the cached aggregates up with what other processes stored."""
        self.writer.run(Job(lambda draft: None))

    def _keep_fresh(self) -> None:
        """Readers use cached aggregates that are at most FRESHNESS_SECONDS behind
        other processes' writes (our own are always in)."""
        if time.monotonic() - self._followed_at > FRESHNESS_SECONDS:
            self.follow_log()

    def _load_district(self) -> District:
        district = self._load(DISTRICT_ID, project_district)
        return district or District(id=DISTRICT_ID, version=0, schools={}, people={})

    def _load_visit(self, visit_id: UUID) -> Visit | None:
        return None if visit_id == DISTRICT_ID else self._load(visit_id, project_visit)

    def _load_growth(self, record_id: UUID, owner: str) -> Growth | None:
        return self._load(record_id, project_growth(owner))

    def growth(self, user_id: str) -> Growth | None:
        """An administrator's growth record as stored now (None: nothing recorded yet)."""
        return self.growth_records([user_id])[user_id]

    def growth_records(self, user_ids: Sequence[str]) -> dict[str, Growth | None]:
        """Several people's growth records, read in one go."""
        found: dict[str, Growth | None] = self.writer.run(Job(lambda draft: {
            user_id: draft.growth(growth_id(user_id), user_id) for user_id in user_ids}))
        return found

    def _load(self, aggregate_id: UUID, project: Callable[[A | None, Iterable[Event]], A | None],
              ) -> A | None:
        """From the cache, fast-forwarded when the log's tail showed it is behind."""
        cached, behind = self._cache.get(aggregate_id)
        if cached is not None and not behind:
            return cast(A, cached)
        gt = cached.version if cached is not None else None
        events = cast(Iterable[Event], self.events.get(aggregate_id, gt=gt))
        return project(cast("A | None", cached), events)

    # --- writing ------------------------------------------------------------------

    def register(self, payloads: Sequence[DirectoryPayload]) -> None:
        """Register schools and people in the district (all or nothing)."""
        self.administer(payloads)

    def administer(self, payloads: Sequence[DirectoryPayload], actor: Actor = SYSTEM,
                   idempotency: Idempotency | None = None) -> list[Event]:
        """Record changes to the district's schools and people, all or nothing, in one
        transaction (a roster import, an organizer's form); the events recorded. With an
        idempotency key already used for the same request: nothing, and no events."""
        keys = [idempotency.key] if idempotency else []

        def decide(draft: Draft) -> list[Event]:
            if idempotency is not None and self._seen(draft, idempotency):
                return []
            district = draft.district()
            recorded: list[Event] = []
            for index, payload in enumerate(payloads):
                decide_directory(district, actor.roles, payload)
                event_id = idempotency.key if idempotency and index == 0 else None
                event = self._event(DISTRICT_ID, district.version + 1, actor, "server",
                                    draft.now, payload, event_id=event_id)
                district = evolve_district(district, event)
                receipt = None
                if idempotency is not None and index == 0:
                    receipt = Receipt(event_id=idempotency.key, digest=idempotency.digest,
                                      visit_id=DISTRICT_ID, key=str(idempotency.key))
                draft.add(DISTRICT_ID, district, event, receipt)
                recorded.append(event)
            return recorded

        done: list[Event] = self.writer.run(Job(decide, keys))
        return done

    @staticmethod
    def _seen(draft: Draft, idempotency: Idempotency) -> bool:
        """Whether this request was recorded before (a conflict if the key was used for
        another request)."""
        known = draft.receipt(idempotency.key)
        if known is None:
            return False
        if known != idempotency.digest:
            raise Conflict("this Idempotency-Key was used for another request",
                           code="idempotency_conflict")
        return True

    def prepare(self, actor: Actor, payload: PreparationPayload,
                idempotency: Idempotency | None = None) -> Event:
        """Record an organizer's preparation event on the district; return it (with an
        idempotency key already used for the same request: the event it recorded)."""
        return self._prepared(actor, lambda _: payload, idempotency)

    def publish_catalog(self, actor: Actor, items: Sequence[LookFor],
                        notes: str | None = None,
                        idempotency: Idempotency | None = None,
                        kind: CatalogKind = "classroom") -> Event:
        """Publish the next catalog version of a kind, numbered on fresh state at each
        attempt so that concurrent publishers each get their own version."""
        return self._prepared(actor, lambda district: CatalogPublished(
            version=district.latest_version_of(kind) + 1, items=tuple(items), notes=notes,
            kind=kind), idempotency)

    def publish_guides(self, actor: Actor, guides: Sequence[ConversationGuide],
                       notes: str | None = None,
                       idempotency: Idempotency | None = None) -> Event:
        """Publish the next version of the conversation guides, numbered on fresh state
        at each attempt (as catalogs are)."""
        return self._prepared(actor, lambda district: ConversationGuidesPublished(
            version=district.latest_guides_version() + 1, guides=tuple(guides), notes=notes),
            idempotency)

    def publish_skills(self, actor: Actor, skills: Sequence[LeadershipSkill],
                       notes: str | None = None,
                       idempotency: Idempotency | None = None) -> Event:
        """Publish the next version of the leadership skill vocabulary, numbered on
        fresh state at each attempt (as catalogs are)."""
        return self._prepared(actor, lambda district: LeadershipSkillsPublished(
            version=district.latest_skills_version() + 1, skills=tuple(skills), notes=notes),
            idempotency)

    def _prepared(self, actor: Actor, build: Callable[[District], PreparationPayload],
                  idempotency: Idempotency | None) -> Event:
        keys = [idempotency.key] if idempotency else []
        event: Event | None = self.writer.run(Job(
            lambda draft: self._prepare(draft, actor, build, idempotency), keys))
        if event is None:
            assert idempotency is not None
            return self._district_event(idempotency.key)
        return event

    def _prepare(self, draft: Draft, actor: Actor,
                 build: Callable[[District], PreparationPayload],
                 idempotency: Idempotency | None) -> Event | None:
        """The event recorded, or None when the same request was recorded before."""
        receipt = None
        if idempotency is not None:
            if self._seen(draft, idempotency):
                return None
            receipt = Receipt(event_id=idempotency.key, digest=idempotency.digest,
                              visit_id=DISTRICT_ID, key=str(idempotency.key))
        district = draft.district()
        payload = build(district)
        decide_district(district, actor.roles, payload, actor.user_id,
                        self._screening(draft, actor))
        event = self._event(DISTRICT_ID, district.version + 1, actor, "server", draft.now,
                            payload, event_id=idempotency.key if idempotency else None)
        draft.add(DISTRICT_ID, evolve_district(district, event), event, receipt)
        return event

    def _district_event(self, event_id: UUID) -> Event:
        """A stored district event by its id, the most recent first."""
        for event in cast(Iterable[Event], self.events.get(DISTRICT_ID, desc=True)):
            if event.event_id == event_id:
                return event
        raise NotFound(f"no district event {event_id}", code="not_found")

    def record(
        self, actor: Actor, device_id: str, items: Sequence[Submission | Rejection]
    ) -> list[Outcome]:
        """Decide and store a batch of client events; one outcome each, in order."""
        keys = [item.event_id for item in items if isinstance(item, Submission)]
        # A retraction's target: is it stored (and so known, or not an observation)?
        keys += [item.payload.event_id for item in items if isinstance(item, Submission)
                 and isinstance(item.payload, ObservationRetracted)]
        return self.writer.run(Job(lambda draft: self._decide_batch(draft, actor, device_id,
                                                                     items), keys))

    def _decide_batch(self, draft: Draft, actor: Actor, device_id: str,
                      items: Sequence[Submission | Rejection]) -> list[Outcome]:
        district = draft.district()
        rosters = self._screening(draft, actor)
        outcomes: list[Outcome] = []
        for item in items:
            if isinstance(item, Rejection):
                outcomes.append(item.outcome())
                continue
            event_id = str(item.event_id)
            known = draft.receipt(item.event_id)
            if known is not None:
                outcomes.append(Outcome(
                    id=event_id, status="duplicate" if known == item.digest else "conflict"))
                continue
            try:
                self._decide_one(draft, district, actor, device_id, item, rosters)
            except DomainError as exc:
                outcomes.append(Outcome(id=event_id, status="rejected",
                                        error=ErrorBody(code=exc.code, message=exc.message)))
                continue
            outcomes.append(Outcome(id=event_id, status="accepted"))
        return outcomes

    def _decide_one(self, draft: Draft, district: District, actor: Actor, device_id: str,
                    item: Submission, rosters: Rosters) -> None:
        """Decide one client event on the visit or growth record it names; add it to
        the draft when accepted, raise DomainError when not."""
        receipt = Receipt(event_id=item.event_id, digest=item.digest,
                          visit_id=item.visit_id, key=str(item.event_id))
        owner = district.growth_owners.get(item.visit_id)
        if type_name(item.payload) in GROWTH_TYPES:
            if owner is None:
                raise NotFound(f"{item.visit_id} is no one's growth record",
                               code="unknown_growth_record")
            payload = cast(GrowthPayload, item.payload)
            growth = draft.growth(item.visit_id, owner)
            decide_growth(growth, owner, actor, payload, district,
                          lambda visit_id: _plan_steps(draft.visit(visit_id)), rosters)
            event = self._event(item.visit_id, (growth.version if growth else 0) + 1, actor,
                                device_id, draft.now, payload, item,
                                getattr(payload, "catalog_version", None))
            draft.add(item.visit_id, evolve_growth(growth, event, owner), event, receipt)
            return
        if owner is not None:
            raise DomainError(f"{item.visit_id} is a growth record, not a visit",
                              code="not_a_visit")
        visit_payload = cast(VisitPayload, item.payload)
        visit = draft.visit(item.visit_id)
        decide(visit, actor, visit_payload, district, draft.recorded, rosters,
               today=self.local_date(draft.now))
        event = self._event(item.visit_id, (visit.version if visit else 0) + 1, actor,
                            device_id, draft.now, visit_payload, item,
                            _catalog_version(visit_payload, visit),
                            facts(visit, actor, item.event_id, visit_payload))
        draft.add(item.visit_id, evolve(visit, event), event, receipt)

    def _commit_group(self, jobs: list[Job[Any]]) -> None:
        """Decide every job of the group on fresh state and store all their events in
        one transaction. A concurrent writer that got there first (a version clash, a
        receipt stored elsewhere) fails the transaction as a whole; the group is then
        decided again: nothing is lost, nothing doubled. Between attempts a writer
        waits a random moment that grows with each clash, so two processes racing on
        one visit fall out of step instead of clashing again and again."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                self._attempt(jobs)
                return
            except IntegrityError:
                time.sleep(random.uniform(0, CLASH_BACKOFF_SECONDS * (attempt + 1)))
                continue
            except (OperationalError, InterfaceError, DatabaseError) as exc:
                reason = str(exc)
                break
        else:
            reason = "too many concurrent writers; retry the batch"
        for job in jobs:  # one exception each: each caller's thread raises its own
            job.fail(StoreUnavailable(reason))

    def _attempt(self, jobs: list[Job[Any]]) -> None:
        tail = self.receipts.select_tail(self._cache.position,
                                         [key for job in jobs for key in job.keys])
        self._cache.follow(tail)
        self._followed_at = time.monotonic()
        group = Group(self._load_district, self._load_visit, tail.receipts, self.clock,
                      self._rosters, self._load_growth)
        group.district()  # every batch needs it, and readers find it fresh
        decided: list[tuple[Job[Any], Any, Exception | None]] = []
        kept = False
        try:
            for job in jobs:
                draft = group.draft()
                try:
                    decided.append((job, job.decide(draft), None))
                except PersistenceError:
                    raise
                except Exception as exc:  # noqa: BLE001 - one job's refusal is its own
                    draft.rollback()
                    decided.append((job, None, exc))
                    continue
                group.merge(draft)
            notification_ids: Sequence[int] = ()
            if group.events:
                stored = [self.mapper.to_stored_event(event) for event in group.events]
                notification_ids = self.recorder.insert_events(
                    stored, receipts=group.receipts) or ()
            group.keep()
            kept = True
        finally:
            if not kept:  # the transaction failed (or a job broke the group): undo it all
                self._cache.forget(group.undo())
        for aggregate_id, state in group.states.items():
            if state is not None:
                self._cache.put(aggregate_id, state)
        self._cache.wrote(notification_ids)
        for job, result, error in decided:
            if error is None:
                job.succeed(result)
            else:
                job.fail(error)

    def _event(
        self,
        originator_id: UUID,
        version: int,
        actor: Actor,
        device_id: str,
        now: datetime,
        payload: AnyPayload,
        submission: Submission | None = None,
        catalog_version: int | None = None,
        known: Facts = NO_FACTS,
        event_id: UUID | None = None,
    ) -> Event:
        return Event(
            originator_id=originator_id,
            originator_version=version,
            timestamp=now,
            event_id=submission.event_id if submission else (event_id or uuid4()),
            actor=actor.user_id,
            device_id=device_id,
            occurred_at=submission.occurred_at if submission else now,
            catalog_version=catalog_version,
            withdrawn=known.withdrawn,
            withdraws=known.withdraws,
            payload=payload,
        )


def _plan_steps(visit: Visit | None) -> tuple[str, tuple[str, ...]] | None:
    """A visit's host and agreed action-plan steps (what a growth goal may link to)."""
    return None if visit is None else (visit.host, visit.agreed)


def _catalog_version(payload: AnyPayload, visit: Visit | None) -> int | None:
    """Every visit event names the catalog version it was recorded against."""
    return visit.catalog_version if visit else getattr(payload, "catalog_version", None)


def open_application(env: dict[str, Any], clock: Clock = utc_now) -> Walkthrough:
    return Walkthrough({key: str(value) for key, value in env.items()}, clock=clock)
