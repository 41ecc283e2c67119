"""The application service: the commands. Each loads, lets the domain decide, saves in
one transaction, through the commit machinery in walkthrough.writer (group commit,
retries, the aggregate cache, receipts).

`record` is the heart of offline sync. For a batch it looks up receipts (the
idempotency keys), lets each visit decide on each new event in request order, and
saves every accepted event with its receipt in a single transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any, ClassVar, NamedTuple, cast
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper

from walkthrough.access import Actor
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
)
from walkthrough.draft import Draft
from walkthrough.errors import Conflict, DomainError, NotFound, Unauthorized
from walkthrough.events import (
    GROWTH_CLASSES,
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
)
from walkthrough.group_commit import Job
from walkthrough.growth import Growth, decide_growth, evolve_growth
from walkthrough.names import Roster, RosterBudget
from walkthrough.persistence import (
    EventMapper,
    Receipt,
    ReceiptRecorder,
    UnusedTranscoder,
)
from walkthrough.sync import ErrorBody, Outcome, Rejection, Submission
from walkthrough.visit import Facts, Visit, decide, evolve, facts
from walkthrough.writer import Writer

DISTRICT_TEXT = str(DISTRICT_ID)
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
        # The writer asks the application's clock each time: the demo sets it as it records.
        self.writer = Writer(self.receipts, self.mapper, self.events.get, lambda: self.clock())
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
        self.writer.rosters = rosters
        self._budgets = budgets

    def _screening(self, draft: Draft, actor: Actor) -> Rosters:
        """The rosters that screen `actor`'s texts in this draft, bounded by their budget."""
        if self._budgets is None:
            return draft.roster
        # One budget for the draft (it reads the person's count once, and again after
        # each refusal), not a read of the count per text screened.
        budget = self._budgets(actor.user_id, draft.now.date())
        bounded: dict[str, Roster] = {}

        def roster(school_id: str) -> Roster:
            found = bounded.get(school_id)
            if found is None:
                found = bounded[school_id] = draft.roster(school_id).bounded(budget)
            return found

        return roster

    def construct_mapper(self) -> Mapper[UUID]:
        return EventMapper(
            transcoder=UnusedTranscoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )

    # --- reading aggregates -------------------------------------------------------

    def district(self) -> District:
        self.writer.keep_fresh()
        return self.writer.load_district()

    def actor(self, user_id: str) -> Actor:
        person = self.district().people.get(user_id)
        if person is None:  # registered a moment ago by another process?
            self.follow_log()
            person = self.writer.load_district().people.get(user_id)
        if person is None:
            raise NotFound(f"user {user_id!r} is not registered", code="unknown_user")
        if user_id in self.writer.load_district().inactive:
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
        self.writer.follow_log()

    def growth(self, user_id: str) -> Growth | None:
        """An administrator's growth record as stored now (None: nothing recorded yet)."""
        return self.growth_records([user_id])[user_id]

    def growth_records(self, user_ids: Sequence[str]) -> dict[str, Growth | None]:
        """Several people's growth records, read in one go."""
        found: dict[str, Growth | None] = self.writer.run(Job(lambda draft: {
            user_id: draft.growth(growth_id(user_id), user_id) for user_id in user_ids}))
        return found

    # --- writing ------------------------------------------------------------------

    def register(self, payloads: Sequence[DirectoryPayload]) -> None:
        """Register schools and people in the district (all or nothing)."""
        self.administer(payloads)

    def administer(self, payloads: Sequence[DirectoryPayload], actor: Actor = SYSTEM,
                   idempotency: Idempotency | None = None) -> list[Event]:
        """Record changes to the district's schools and people, all or nothing, in one
        transaction (a roster import, an organizer's form); the events recorded. With an
        idempotency key already used for the same request: nothing, and no events."""
        keys = [str(idempotency.key)] if idempotency else []

        def decide(draft: Draft) -> list[Event]:
            if idempotency is not None and self._seen(draft, idempotency):
                return []
            district = draft.district()
            recorded: list[Event] = []
            for index, payload in enumerate(payloads):
                decide_directory(district, actor.roles, payload)
                event_id = str(idempotency.key) if idempotency and index == 0 else None
                event = self._event(DISTRICT_ID, district.version + 1, actor, "server",
                                    draft.now, payload, event_id=event_id)
                district = evolve_district(district, event)
                receipt = None
                if idempotency is not None and index == 0:
                    receipt = Receipt(event_id=str(idempotency.key), digest=idempotency.digest,
                                      visit_id=DISTRICT_TEXT)
                draft.add(DISTRICT_ID, district, event, receipt)
                recorded.append(event)
            return recorded

        done: list[Event] = self.writer.run(Job(decide, keys))
        return done

    @staticmethod
    def _seen(draft: Draft, idempotency: Idempotency) -> bool:
        """Whether this request was recorded before (a conflict if the key was used for
        another request)."""
        known = draft.receipt(str(idempotency.key))
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
        keys = [str(idempotency.key)] if idempotency else []
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
            receipt = Receipt(event_id=str(idempotency.key), digest=idempotency.digest,
                              visit_id=DISTRICT_TEXT)
        district = draft.district()
        payload = build(district)
        decide_district(district, actor.roles, payload, actor.user_id,
                        self._screening(draft, actor))
        event = self._event(DISTRICT_ID, district.version + 1, actor, "server", draft.now,
                            payload, event_id=str(idempotency.key) if idempotency else None)
        draft.add(DISTRICT_ID, evolve_district(district, event), event, receipt)
        return event

    def _district_event(self, event_id: UUID) -> Event:
        """A stored district event by its id, the most recent first."""
        text = str(event_id)
        for event in cast(Iterable[Event], self.events.get(DISTRICT_ID, desc=True)):
            if event.event_id == text:
                return event
        raise NotFound(f"no district event {event_id}", code="not_found")

    def close(self) -> None:
        self.writer.close()
        super().close()

    def record(
        self, actor: Actor, device_id: str, items: Sequence[Submission | Rejection]
    ) -> list[Outcome]:
        """Decide and store a batch of client events; one outcome each, in order."""
        return self.writer.run(self.recording(actor, device_id, items))

    def recording(self, actor: Actor, device_id: str, items: Sequence[Submission | Rejection],
                  ) -> Job[list[Outcome]]:
        """`record` as a job for the writer (Writer.submit: without blocking)."""
        keys = [item.event_id for item in items if isinstance(item, Submission)]
        # A retraction's target: is it stored (and so known, or not an observation)?
        keys += [str(item.payload.event_id) for item in items if isinstance(item, Submission)
                 and isinstance(item.payload, ObservationRetracted)]
        return Job(lambda draft: self._decide_batch(draft, actor, device_id, items), keys)

    def _decide_batch(self, draft: Draft, actor: Actor, device_id: str,
                      items: Sequence[Submission | Rejection]) -> list[Outcome]:
        district = draft.district()
        rosters = self._screening(draft, actor)
        today = self.local_date(draft.now)
        outcomes: list[Outcome] = []
        # A batch names a few visits (or growth records): each id is built, and its
        # owner looked up, once per batch; each visit as the batch left it, by its text.
        aggregates: dict[str, tuple[UUID, str | None]] = {}
        visits: dict[str, Visit | None] = {}
        for item in items:
            if isinstance(item, Rejection):
                outcomes.append(item.outcome())
                continue
            event_id = item.event_id
            known = draft.receipt(event_id)
            if known is not None:
                outcomes.append(Outcome(
                    id=event_id, status="duplicate" if known == item.digest else "conflict"))
                continue
            aggregate = aggregates.get(item.visit_id)
            if aggregate is None:
                aggregate_id = UUID(item.visit_id)
                aggregate = aggregates[item.visit_id] = (
                    aggregate_id, district.growth_owners.get(aggregate_id))
            try:
                self._decide_one(draft, district, actor, device_id, item, aggregate, visits,
                                 rosters, today)
            except DomainError as exc:
                outcomes.append(Outcome(id=event_id, status="rejected",
                                        error=ErrorBody(code=exc.code, message=exc.message)))
                continue
            outcomes.append(Outcome(id=event_id, status="accepted"))
        return outcomes

    def _decide_one(self, draft: Draft, district: District, actor: Actor, device_id: str,
                    item: Submission, aggregate: tuple[UUID, str | None],
                    visits: dict[str, Visit | None], rosters: Rosters, today: date) -> None:
        """Decide one client event on the visit or growth record it names (`aggregate`:
        its id and, for a growth record, its owner; `visits`: the batch's visits so far,
        kept up to date here); add it to the draft when accepted, raise DomainError
        when not."""
        receipt = Receipt(event_id=item.event_id, digest=item.digest, visit_id=item.visit_id)
        aggregate_id, owner = aggregate
        if type(item.payload) in GROWTH_CLASSES:
            if owner is None:
                raise NotFound(f"{item.visit_id} is no one's growth record",
                               code="unknown_growth_record")
            payload = cast(GrowthPayload, item.payload)
            growth = draft.growth(aggregate_id, owner)
            decide_growth(growth, owner, actor, payload, district,
                          lambda visit_id: _plan_steps(draft.visit(visit_id)), rosters)
            event = self._event(aggregate_id, (growth.version if growth else 0) + 1, actor,
                                device_id, draft.now, payload, item,
                                getattr(payload, "catalog_version", None))
            draft.add(aggregate_id, evolve_growth(growth, event, owner), event, receipt)
            return
        if owner is not None:
            raise DomainError(f"{item.visit_id} is a growth record, not a visit",
                              code="not_a_visit")
        visit_payload = cast(VisitPayload, item.payload)
        visit = visits.get(item.visit_id, _UNSEEN)
        if visit is _UNSEEN:
            visit = visits[item.visit_id] = draft.visit(aggregate_id)
        assert not isinstance(visit, _Unseen)
        decide(visit, actor, visit_payload, district, draft.recorded, rosters,
               today=today)
        event = self._event(aggregate_id, (visit.version if visit else 0) + 1, actor,
                            device_id, draft.now, visit_payload, item,
                            _catalog_version(visit_payload, visit),
                            facts(visit, actor, item.event_id, visit_payload))
        evolved = visits[item.visit_id] = evolve(visit, event)
        draft.add(aggregate_id, evolved, event, receipt)

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
        event_id: str | None = None,
    ) -> Event:
        return Event(
            originator_id=originator_id,
            originator_version=version,
            timestamp=now,
            event_id=submission.event_id if submission else (event_id or str(uuid4())),
            actor=actor.user_id,
            device_id=device_id,
            occurred_at=submission.occurred_at if submission else now,
            catalog_version=catalog_version,
            withdrawn=known.withdrawn,
            withdraws=known.withdraws,
            payload=payload,
        )


class _Unseen:
    """A visit the batch has not looked at yet (None is a visit not planned)."""


_UNSEEN = _Unseen()


def _plan_steps(visit: Visit | None) -> tuple[str, tuple[str, ...]] | None:
    """A visit's host and agreed action-plan steps (what a growth goal may link to)."""
    return None if visit is None else (visit.host, visit.agreed)


def _catalog_version(payload: AnyPayload, visit: Visit | None) -> int | None:
    """Every visit event names the catalog version it was recorded against."""
    return visit.catalog_version if visit else getattr(payload, "catalog_version", None)


def open_application(env: dict[str, Any], clock: Clock = utc_now) -> Walkthrough:
    return Walkthrough({key: str(value) for key, value in env.items()}, clock=clock)
