"""The write-only staff roster cannot be read back (issue 30), on every backend.

The attack that read it: a coach on a team sends notes of candidate words and learns
from each refusal which word is on the school's staff list. Now a refusal never says
which word, and each person draws at most ROSTER_REFUSALS_PER_DAY roster refusals a
day; past that every text of theirs that a roster screens is held, names or not, so
what they learn is bounded by the bound. Organizers see that it was reached."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from itertools import pairwise
from typing import Any

from starlette.testclient import TestClient

from tests.builders import event, record
from tests.conftest import FakeClock
from walkthrough.names import ROSTER_REFUSALS_PER_DAY, limit_message, roster_message
from web.app import create_app
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings
from web.demo.district import CURRENT_VISIT

STAFF = ["Eleanor Whitfield", "Marcus Okonkwo", "Priya Raman", "Tobias Lindqvist"]
ON_THE_ROSTER = {"Eleanor", "Whitfield", "Marcus", "Okonkwo", "Priya", "Raman", "Tobias",
                 "Lindqvist"}
# 66 candidate words: the 8 name parts of the roster among 58 other names.
CANDIDATES = sorted(ON_THE_ROSTER | {
    "Abernathy", "Achterberg", "Adeyemi", "Albrecht", "Alcott", "Ambrose", "Antonelli",
    "Arkwright", "Ashdown", "Babcock", "Bancroft", "Barnaby", "Beaumont", "Bellamy",
    "Birchwood", "Blackwood", "Bramwell", "Brightman", "Calloway", "Castellano",
    "Chadwick", "Claymore", "Cornelius", "Cromwell", "Dabrowski", "Delacroix", "Dunmore",
    "Eastwood", "Ellsworth", "Fairbanks", "Farnsworth", "Featherstone", "Fitzgerald",
    "Galloway", "Garibaldi", "Gillespie", "Goldberg", "Greenwood", "Hargreaves",
    "Hawthorne", "Holloway", "Ingram", "Jablonski", "Kowalczyk", "Lockhart", "Mackenzie",
    "Montague", "Nakagawa", "Ogilvie", "Pemberton", "Quintero", "Rutherford", "Sandoval",
    "Thackeray", "Underwood", "Vasquez", "Wadsworth", "Yamaguchi"})


def note(text: str) -> dict[str, Any]:
    return event(CURRENT_VISIT, "EvidenceNoted", {"classroom_id": "c-demo-101", "text": text})


def enumerate_one_word_a_note(services: Services) -> tuple[set[str], list[Any]]:
    """What coach1 learns sending one note per candidate: the words refused as names."""
    outcomes = record(services, "coach1", *(note(f"{word} asked the class why")
                                             for word in CANDIDATES))
    learned = {word for word, outcome in zip(CANDIDATES, outcomes, strict=True)
               if outcome.error is not None and outcome.error.code == "names_a_person"}
    return learned, outcomes


def test_the_enumeration_recovers_no_more_than_the_bound(demo: Services) -> None:
    assert len(CANDIDATES) == 66
    demo.roster.replace_names("lincoln-middle", STAFF)
    learned, outcomes = enumerate_one_word_a_note(demo)
    assert len(learned) == ROSTER_REFUSALS_PER_DAY < len(ON_THE_ROSTER)
    assert learned <= ON_THE_ROSTER
    # No refusal says which word...
    for outcome in outcomes:
        if outcome.error is not None:
            assert outcome.error.message in (f"text: {roster_message()}",
                                             f"text: {limit_message(ROSTER_REFUSALS_PER_DAY)}")
            assert not any(word.casefold() in outcome.error.message.casefold()
                           for word in CANDIDATES)
    # ...and after the bound the answer is the same for every word, on the roster or not.
    last_refused = max(i for i, o in enumerate(outcomes)
                       if o.error is not None and o.error.code == "names_a_person")
    held = outcomes[last_refused + 1:]
    assert held
    assert {(o.status, o.error.code if o.error else None) for o in held} == {
        ("rejected", "roster_limit_reached")}
    # Trying again (new notes, the same words) tells nothing more.
    again, _ = enumerate_one_word_a_note(demo)
    assert again == set()


def test_notes_listing_many_words_learn_no_more_than_the_bound(demo: Services) -> None:
    """Group testing: notes of several candidates, halved until the refusals run out."""
    demo.roster.replace_names("lincoln-middle", STAFF)
    known_on: set[str] = set()
    known_off: set[str] = set()
    pending = [CANDIDATES[i:i + 8] for i in range(0, len(CANDIDATES), 8)]
    while pending:
        group = pending.pop()
        (outcome,) = record(demo, "coach1", note("Today " + ", ".join(group) + " asked why"))
        code = outcome.error.code if outcome.error else None
        if code is None:
            known_off.update(group)
        elif code == "names_a_person":
            if len(group) == 1:
                known_on.update(group)
            else:
                pending += [group[: len(group) // 2], group[len(group) // 2:]]
        else:
            assert code == "roster_limit_reached"
    # A word is known to be on the roster only when a refused note held it and
    # nothing else unknown: at most one per refusal, so at most the bound.
    assert len(known_on) <= ROSTER_REFUSALS_PER_DAY < len(ON_THE_ROSTER)
    assert known_on <= ON_THE_ROSTER
    assert not known_off & ON_THE_ROSTER


def test_the_same_note_refused_again_counts_once_and_ordinary_notes_pass(
        demo: Services) -> None:
    demo.roster.replace_names("lincoln-middle", STAFF)
    for _ in range(ROSTER_REFUSALS_PER_DAY + 2):  # a tablet resending one note
        (outcome,) = record(demo, "coach1", note("Whitfield asked the class why"))
        assert outcome.error is not None
        assert outcome.error.code == "names_a_person"
    assert demo.roster.refusals("coach1", "2026-11-23") == 1
    (accepted,) = record(demo, "coach1", note("6 of 24 students explained the target"))
    assert accepted.status == "accepted"


def test_the_bound_is_per_person_and_per_day(demo: Services, clock: FakeClock) -> None:
    demo.roster.replace_names("lincoln-middle", STAFF)
    words = sorted(ON_THE_ROSTER)
    record(demo, "coach1", *(note(f"{word} asked why") for word in words))
    (held,) = record(demo, "coach1", note("students compared answers"))
    assert held.error is not None
    assert held.error.code == "roster_limit_reached"
    # coach2, on the same team, has a bound of their own.
    (other,) = record(demo, "coach2", note("students compared answers"))
    assert other.status == "accepted"
    # The next day coach1's texts are screened again.
    clock.now += timedelta(days=1)
    (next_day,) = record(demo, "coach1", note("students compared answers"))
    assert next_day.status == "accepted"


def test_a_school_without_a_roster_is_not_held(demo: Services) -> None:
    demo.roster.replace_names("lincoln-middle", STAFF)
    record(demo, "coach1", *(note(f"{word} asked why") for word in sorted(ON_THE_ROSTER)))
    demo.roster.replace_names("lincoln-middle", [])
    (outcome,) = record(demo, "coach1", note("students compared answers"))
    assert outcome.status == "accepted"  # nothing to learn from a school with no roster


def test_refusals_count_up_to_the_bound_and_each_text_once(demo: Services) -> None:
    day = "2026-11-23"
    digests = [bytes([i]) * 32 for i in range(40)]
    spent = [demo.roster.spend_refusal("coach9", day, digest) for digest in digests]
    assert spent.count(True) == ROSTER_REFUSALS_PER_DAY
    assert all(a >= b for a, b in pairwise(spent))  # the first ones, then none
    assert demo.roster.refusals("coach9", day) == ROSTER_REFUSALS_PER_DAY
    assert demo.roster.spend_refusal("coach9", day, digests[0])  # counted already


def test_concurrent_processes_never_count_past_the_bound(
        services: Services, settings: Settings, clock: FakeClock) -> None:
    other = bootstrap(settings, clock=clock)  # another process's view of the same store
    try:
        day = "2026-11-23"
        stores = [services.roster, other.roster]
        with ThreadPoolExecutor(max_workers=8) as pool:
            spent = list(pool.map(
                lambda i: stores[i % 2].spend_refusal("coach9", day, bytes([i]) * 32),
                range(40)))
        assert spent.count(True) == ROSTER_REFUSALS_PER_DAY
        assert services.roster.refusals("coach9", day) == ROSTER_REFUSALS_PER_DAY
        assert other.roster.refusal_counts(day) == {"coach9": ROSTER_REFUSALS_PER_DAY}
    finally:
        other.close()


def test_organizers_see_that_the_bound_was_reached_and_never_the_words(
        demo: Services, clock: FakeClock) -> None:
    demo.roster.replace_names("lincoln-middle", STAFF)
    enumerate_one_word_a_note(demo)
    record(demo, "coach2", note("Raman asked why"))
    with TestClient(create_app(services=demo)) as client:
        token = demo.tokens.issue("organizer1", clock())
        answer = client.get("/api/roster-refusals",
                            headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
        assert answer.json() == {
            "day": "2026-11-23", "bound": ROSTER_REFUSALS_PER_DAY,
            "people": [
                {"user_id": "coach1", "refusals": ROSTER_REFUSALS_PER_DAY, "reached": True},
                {"user_id": "coach2", "refusals": 1, "reached": False}]}
        assert not any(word.casefold() in answer.text.casefold() for word in CANDIDATES)
        coach = demo.tokens.issue("coach1", clock())
        assert client.get("/api/roster-refusals",
                          headers={"Authorization": f"Bearer {coach}"}).status_code == 403
