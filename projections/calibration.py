"""Observer calibration: how alike a team's coaches see, per look-for, over time.

Counted from the rooms coaches observed together, never told per room or per
teacher. For each look-for: the rooms where two or more of a visit's coaches
observed it, and among them the rooms where they saw it alike - the room is not
`differed` (one rule, walkthrough.consensus.saw_alike). Every figure comes from at
least the minimum number of rooms (WALKTHROUGH_MIN_ROOMS), else only how many
rooms there were is told and the figure is withheld (`suppressed`).

A team is a visit team: the same coaches, in any order. A team *discussed* a
look-for at its first visit where they saw it differently and which reached its
debrief (the debrief's trends section asks them about it): rooms of that visit
and before are "before discussion", rooms of later visits "after".

Scopes: a team (its members and organizers), a partnership (visits hosted by a
member with another member on the team: its members and organizers), the
district (organizers and analysts). A coach pair's agreement is told only to the
two coaches (walkthrough.access.may_see_pair).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from itertools import combinations
from typing import Literal, NamedTuple, assert_never

import msgspec

from projections.answers import PersonRef
from projections.district_view import PARTNERSHIP, PERSON, partnership_decoder, person_decoder
from projections.projector import VISIT, view_decoder
from projections.rooms import ROOM, RoomLog, VisitRooms, load_index, log_decoder
from projections.store import ReadModelStore
from projections.summary import effective_min_rooms
from projections.visit_view import VisitView
from walkthrough.access import (
    Actor,
    may_see_district,
    may_see_pair,
    may_see_partnership,
    may_see_team,
)
from walkthrough.catalog import Catalog, LookFor
from walkthrough.consensus import saw_alike
from walkthrough.errors import Forbidden, NotFound
from walkthrough.kinds import Kind, combination
from walkthrough.partnership import FORMATS
from walkthrough.terms import term_of

Scope = Literal["team", "partnership", "district"]
DEBRIEFED = frozenset({"analysis", "support", "closed"})
EXERCISES = 3  # look-fors a calibration exercise is suggested for
RULE = ("Agreement = rooms where the team saw a look-for alike / rooms where two or more "
        "of its coaches observed it (\"not observed\" and \"unsure\" are not observations "
        "to compare). Counted per look-for across rooms, never per room or teacher; a "
        "figure from fewer than {minimum} rooms is withheld.")


class Compared(NamedTuple):
    """One look-for in one room observed by two or more coaches (internal: the room is
    never told)."""

    item: str
    room: str
    alike: bool
    pairs: tuple[tuple[str, str, bool], ...]  # (coach, coach, saw alike), coaches sorted


class Observed(NamedTuple):
    """A visit and what its coaches compared there."""

    view: VisitView
    compared: list[Compared]


# --- answers -------------------------------------------------------------------------


class Agreement(msgspec.Struct):
    """Rooms where two or more coaches observed a look-for, and where they saw it alike;
    `agreed` and `agreement` are null (`suppressed`) under the minimum rooms."""

    rooms: int
    agreed: int | None
    agreement: float | None
    suppressed: bool


class TermAgreement(msgspec.Struct):
    term: str
    agreement: Agreement


class ItemCalibration(msgspec.Struct):
    key: str
    prompt: str
    kind: Kind
    overall: Agreement
    terms: list[TermAgreement]
    discussed_by: int  # teams that discussed it in a debrief
    before_discussion: Agreement
    after_discussion: Agreement
    change: float | None  # after minus before, when both are shown


class Exercise(msgspec.Struct):
    key: str
    prompt: str
    agreement: float
    steps: list[str]


class Calibration(msgspec.Struct):
    scope: Scope
    scope_id: str
    title: str
    members: list[PersonRef]
    visits: int
    min_rooms: int
    rule: str
    items: list[ItemCalibration]
    most_differed: list[str]  # look-for keys, the least agreement first
    exercises: list[Exercise]


class TeamRef(msgspec.Struct):
    team_id: str
    members: list[PersonRef]
    visits: int


class Teams(msgspec.Struct):
    teams: list[TeamRef]


class PairItem(msgspec.Struct):
    key: str
    prompt: str
    agreement: Agreement


class PairCalibration(msgspec.Struct):
    coaches: list[PersonRef]
    rooms: int  # rooms both observed a look-for in
    min_rooms: int
    items: list[PairItem]


class Pairs(msgspec.Struct):
    coach: PersonRef
    pairs: list[PairCalibration]


# --- counting ------------------------------------------------------------------------


def agreement(results: Sequence[bool], minimum: int) -> Agreement:
    """The agreement of these rooms' results; withheld under `minimum` rooms."""
    rooms = len(results)
    if rooms < minimum:
        return Agreement(rooms=rooms, agreed=None, agreement=None, suppressed=True)
    agreed = sum(results)
    return Agreement(rooms=rooms, agreed=agreed, agreement=round(agreed / rooms, 3),
                     suppressed=False)


def team_id(members: Iterable[str]) -> str:
    """A team's id: the same coaches in any order are one team."""
    return hashlib.sha256("\n".join(sorted(set(members))).encode()).hexdigest()[:16]


def compare_visit(view: VisitView, rooms: VisitRooms, catalog: Catalog) -> list[Compared]:
    """What the visit's coaches compared: each look-for in each room two or more of them
    observed, and each pair of them there."""
    found: list[Compared] = []
    for members in rooms.partition.groups():
        room = rooms.room(members)
        if room is None or len(room.coaches) < 2:
            continue
        for look_for in catalog.items:
            seen = rooms.observations(members, room, look_for)
            alike = saw_alike(look_for, list(seen.values()))
            if alike is None:
                continue
            pairs = tuple((a, b, pair) for a, b in combinations(sorted(seen), 2)
                          if (pair := saw_alike(look_for, [seen[a], seen[b]])) is not None)
            found.append(Compared(look_for.key, f"{view.id}/{room.id}", alike, pairs))
    return found


def discussed_at(observed: Sequence[Observed]) -> dict[str, tuple[object, ...]]:
    """Per look-for, the order key of the first visit of one team where its coaches saw
    it differently and which reached its debrief."""
    found: dict[str, tuple[object, ...]] = {}
    for visit in sorted(observed, key=_order):
        if visit.view.phase not in DEBRIEFED:
            continue
        for compared in visit.compared:
            if not compared.alike and compared.item not in found:
                found[compared.item] = _order(visit)
    return found


def _order(visit: Observed) -> tuple[object, ...]:
    return (visit.view.date, visit.view.id)


def look_fors(catalogs: Iterable[Catalog]) -> list[LookFor]:
    """The look-fors of these catalogs, newest version's wording first, by key."""
    found: dict[str, LookFor] = {}
    for catalog in sorted(catalogs, key=lambda c: c.version, reverse=True):
        for item in catalog.items:
            found.setdefault(item.key, item)
    return [item for item in found.values() if combination(item.kind) != "quotes"]


def calibrate(observed: Sequence[Observed], items: Sequence[LookFor], minimum: int,
              ) -> tuple[list[ItemCalibration], list[str], list[Exercise]]:
    """Per look-for agreement over these visits: overall, per term, before and after
    each team discussed it; the look-fors seen differently most; their exercises."""
    by_team: dict[tuple[str, ...], list[Observed]] = {}
    for visit in observed:
        by_team.setdefault(tuple(sorted(visit.view.team)), []).append(visit)
    results: dict[str, list[bool]] = {}
    per_term: dict[str, dict[str, list[bool]]] = {}
    before: dict[str, list[bool]] = {}
    after: dict[str, list[bool]] = {}
    discussed_by: dict[str, int] = {}
    for visits in by_team.values():
        discussed = discussed_at(visits)
        for key in discussed:
            discussed_by[key] = discussed_by.get(key, 0) + 1
        for visit in visits:
            term = term_of(visit.view.date)
            for compared in visit.compared:
                results.setdefault(compared.item, []).append(compared.alike)
                per_term.setdefault(compared.item, {}).setdefault(term, []).append(
                    compared.alike)
                at = discussed.get(compared.item)
                side = after if at is not None and _order(visit) > at else before
                side.setdefault(compared.item, []).append(compared.alike)
    calibrated = []
    for item in items:
        then = agreement(before.get(item.key, []), minimum)
        now = agreement(after.get(item.key, []), minimum)
        change = (round(now.agreement - then.agreement, 3)
                  if now.agreement is not None and then.agreement is not None else None)
        calibrated.append(ItemCalibration(
            key=item.key, prompt=item.prompt, kind=item.kind,
            overall=agreement(results.get(item.key, []), minimum),
            terms=[TermAgreement(term=term, agreement=agreement(found, minimum))
                   for term, found in sorted(per_term.get(item.key, {}).items())],
            discussed_by=discussed_by.get(item.key, 0), before_discussion=then,
            after_discussion=now, change=change))
    differed = sorted((c for c in calibrated if c.overall.agreement is not None
                       and c.overall.agreement < 1), key=lambda c: (c.overall.agreement, c.key))
    by_key = {item.key: item for item in items}
    exercises = [Exercise(key=c.key, prompt=c.prompt, agreement=c.overall.agreement or 0.0,
                          steps=exercise_steps(by_key[c.key]))
                 for c in differed[:EXERCISES]]
    return calibrated, [c.key for c in differed], exercises


def exercise_steps(look_for: LookFor) -> list[str]:
    """A calibration exercise before the next visit, from the catalog's own description
    of the look-for."""
    steps = [f"Read the look-for together: \"{look_for.prompt}\"."]
    match look_for.kind:
        case "yes_no":
            steps.append("Agree what you would need to see or hear in 10 minutes to tap "
                         "yes, what makes it a no, and when it is not observed (not "
                         "observed is not a no).")
            if look_for.methods:
                steps.append("When it is a yes, agree how you tell the methods apart: "
                             + ", ".join(_words(m) for m in look_for.methods) + ".")
        case "choice":
            steps.append("Describe what each option looks like in a room, in students' "
                         "and the teacher's actions: "
                         + ", ".join(_words(o) for o in look_for.options) + ".")
        case "scale":
            low, high = look_for.min or 0, look_for.max or 0
            steps.append(f"Describe what a {low}, a {(low + high) // 2} and a {high} look "
                         f"like; your numbers count as alike within a quarter of the scale "
                         f"({(high - low) / 4:g} points).")
        case "count":
            if look_for.max_field == "students_present":
                steps.append("Agree who counts as on task and count the students present "
                             "the same way; your counts are compared as shares of the "
                             "students present, alike within 20 points.")
            else:
                steps.append("Agree what counts as one; your counts are alike within 2 or "
                             "a fifth of the larger count.")
        case "note":
            pass
        case _:
            assert_never(look_for.kind)
    steps.append("Before the next visit, watch one room (or a classroom video) for 10 "
                 "minutes, each tapping on your own; compare your taps before talking, "
                 "then agree how you will tap it.")
    return steps


def _words(key: str) -> str:
    return key.replace("_", " ")


# --- reading -------------------------------------------------------------------------


class Calibrations:
    """Calibration answers from the read models, scoped to the caller."""

    def __init__(self, store: ReadModelStore, min_rooms: int,
                 catalog: Callable[[int], Catalog]) -> None:
        self.store = store
        self.minimum = effective_min_rooms(min_rooms)
        self.catalog = catalog

    def teams(self, actor: Actor) -> Teams:
        """The teams the caller was on (organizers: every team)."""
        counted: dict[tuple[str, ...], int] = {}
        for view in self._views():
            members = tuple(sorted(set(view.team)))
            if len(members) >= 2 and may_see_team(actor, members):
                counted[members] = counted.get(members, 0) + 1
        return Teams(teams=[TeamRef(team_id=team_id(members),
                                    members=[self._person(m) for m in members], visits=count)
                            for members, count in sorted(counted.items())])

    def team(self, actor: Actor, wanted: str) -> Calibration:
        views = [v for v in self._views() if team_id(v.team) == wanted]
        if not views or not may_see_team(actor, views[0].team):
            raise NotFound("no team with that id that you can see", code="team_not_found")
        members = sorted(set(views[0].team))
        people = [self._person(m) for m in members]
        return self._report("team", wanted, "Team of " + ", ".join(p.name for p in people),
                            people, views)

    def partnership(self, actor: Actor, partnership_id: str) -> Calibration:
        doc = self.store.get(PARTNERSHIP, partnership_id)
        partnership = partnership_decoder.decode(doc) if doc is not None else None
        if partnership is None or not may_see_partnership(actor, partnership.members):
            raise NotFound("no partnership with that id that you can see",
                           code="partnership_not_found")
        members = set(partnership.members)
        views = [v for v in self._views()
                 if v.host in members and members.intersection(v.team)]
        name = FORMATS[partnership.kind].name
        title = f"{name}: {partnership.focus}" if partnership.focus else name
        return self._report("partnership", partnership_id, title,
                            [self._person(m) for m in partnership.members], views)

    def district(self, actor: Actor) -> Calibration:
        if not may_see_district(actor):
            raise Forbidden("district calibration is for organizers and analysts")
        return self._report("district", "district", "District", [], self._views())

    def pairs(self, actor: Actor) -> Pairs:
        """The caller's agreement with each coach they observed rooms with."""
        others = {other for visit in self._observed(self._own_visits(actor.user_id))
                  for compared in visit.compared for a, b, _ in compared.pairs
                  if actor.user_id in (a, b) for other in (a, b) if other != actor.user_id}
        return Pairs(coach=self._person(actor.user_id),
                     pairs=[self.pair(actor, actor.user_id, other) for other in sorted(others)])

    def pair(self, actor: Actor, first: str, second: str) -> PairCalibration:
        """Two coaches' agreement: for the two of them only (404 to anyone else)."""
        if first == second or not may_see_pair(actor, first, second):
            raise NotFound("no coach pair that you can see", code="pair_not_found")
        coaches = tuple(sorted((first, second)))
        shared = [v for v in self._views() if set(coaches) <= set(v.team)]
        results: dict[str, list[bool]] = {}
        rooms: set[str] = set()
        for visit in self._observed(shared):
            for compared in visit.compared:
                for a, b, alike in compared.pairs:
                    if (a, b) == coaches:
                        results.setdefault(compared.item, []).append(alike)
                        rooms.add(compared.room)
        items = look_fors(self.catalog(v.catalog_version) for v in shared) if shared else []
        return PairCalibration(
            coaches=[self._person(c) for c in coaches], rooms=len(rooms),
            min_rooms=self.minimum,
            items=[PairItem(key=item.key, prompt=item.prompt,
                            agreement=agreement(results.get(item.key, []), self.minimum))
                   for item in items if item.key in results])

    def rows(self, team_pseudonym: Callable[[tuple[str, ...]], str]) -> list[list[object]]:
        """The analysts' table (calibration.parquet): per look-for, for the district and
        for each team (a pseudonym), over all terms and per term, and before and after
        discussion: [scope, team, item, term, discussion, rooms, agreed, agreement,
        suppressed]. Never per pair, room or teacher."""
        views = self._views()
        observed = self._observed(views)
        items = look_fors({v.catalog_version: self.catalog(v.catalog_version)
                           for v in views}.values())
        by_team: dict[tuple[str, ...], list[Observed]] = {}
        for visit in observed:
            by_team.setdefault(tuple(sorted(set(visit.view.team))), []).append(visit)
        scopes: list[tuple[str, str | None, list[Observed]]] = [("district", None, observed)]
        scopes += [("team", team_pseudonym(members), visits)
                   for members, visits in sorted(by_team.items())]
        found: list[list[object]] = []
        for scope, team, visits in scopes:
            calibrated, _, _ = calibrate(visits, items, self.minimum)
            for item in calibrated:
                figures = [(None, "all", item.overall),
                           (None, "before", item.before_discussion),
                           (None, "after", item.after_discussion),
                           *((t.term, "all", t.agreement) for t in item.terms)]
                found.extend([scope, team, item.key, term, discussion, figure.rooms,
                              figure.agreed, figure.agreement, figure.suppressed]
                             for term, discussion, figure in figures)
        return found

    def _report(self, scope: Scope, scope_id: str, title: str, members: list[PersonRef],
                views: Sequence[VisitView]) -> Calibration:
        observed = self._observed(views)
        items = look_fors({v.catalog_version: self.catalog(v.catalog_version)
                           for v in views}.values())
        calibrated, differed, exercises = calibrate(observed, items, self.minimum)
        return Calibration(scope=scope, scope_id=scope_id, title=title, members=members,
                           visits=len(views), min_rooms=self.minimum,
                           rule=RULE.format(minimum=self.minimum), items=calibrated,
                           most_differed=differed, exercises=exercises)

    def _observed(self, views: Sequence[VisitView]) -> list[Observed]:
        found = []
        for view in views:
            if len(set(view.team)) < 2 or view.rooms == 0:
                continue
            catalog = self.catalog(view.catalog_version)
            rooms = VisitRooms(view, load_index(self.store, view.id), catalog,
                               self._load_logs)
            found.append(Observed(view, compare_visit(view, rooms, catalog)))
        return found

    def _load_logs(self, visit_id: str, classroom_ids: Sequence[str]) -> dict[str, RoomLog]:
        prefix = f"{visit_id}/"
        docs = self.store.get_many(ROOM, [prefix + cid for cid in classroom_ids])
        return {doc_id[len(prefix):]: log_decoder.decode(doc) for doc_id, doc in docs.items()}

    def _views(self) -> list[VisitView]:
        views = [view_decoder.decode(doc) for doc in self.store.all_of(VISIT).values()]
        return sorted(views, key=lambda v: (v.date, v.id))

    def _own_visits(self, user_id: str) -> list[VisitView]:
        return [v for v in self._views() if user_id in v.team]

    def _person(self, user_id: str) -> PersonRef:
        doc = self.store.get(PERSON, user_id)
        if doc is None:
            return PersonRef(id=user_id, name=user_id)
        person = person_decoder.decode(doc)
        return PersonRef(id=person.user_id, name=person.name)
