"""The staff roster store, the same on every backend: replaced whole, per school, kept
as keyed hashes only, with the same key in every process of one deployment."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.conftest import FakeClock
from walkthrough.adapters.roster_store import ROSTER_FRESHNESS_SECONDS
from walkthrough.names import NamesAPerson, Roster
from web.composition.bootstrap import Services, bootstrap
from web.composition.settings import Settings

LINCOLN, JEFFERSON = "lincoln-middle", "jefferson-elementary"
STAFF = ["Zofia Wiśniewska-Kowalczyk", "Seán O'Brien"]


@pytest.fixture
def second(services: Services, settings: Settings, clock: FakeClock) -> Iterator[Services]:
    """Another process's view of the same store."""
    other = bootstrap(settings, clock=clock)
    yield other
    other.close()


def test_a_school_without_a_roster_has_an_empty_one(services: Services) -> None:
    assert services.roster.hashes(LINCOLN) == frozenset()
    assert services.roster.roster(LINCOLN).match("Wiśniewska") is None


def test_the_stored_roster_screens_notes_with_accents_and_case_ignored(
        services: Services) -> None:
    stored = services.roster.replace_names(LINCOLN, STAFF)
    assert services.roster.hashes(LINCOLN) == stored.hashes
    roster = services.roster.roster(LINCOLN)
    assert roster.match("wisniewska modelled it") == "wisniewska"
    assert roster.match("SEAN asked") == "SEAN"
    with pytest.raises(NamesAPerson):
        roster.check("Kowalczyk's room")


def test_replacing_replaces_the_whole_list(services: Services) -> None:
    services.roster.replace_names(LINCOLN, STAFF)
    services.roster.replace_names(LINCOLN, ["Quentin Þórsson"])
    roster = services.roster.roster(LINCOLN)
    assert roster.match("wisniewska") is None
    assert roster.match("thorsson") == "thorsson"
    services.roster.replace_names(LINCOLN, [])
    assert services.roster.hashes(LINCOLN) == frozenset()


def test_each_school_has_its_own_roster(services: Services) -> None:
    services.roster.replace_names(LINCOLN, STAFF)
    services.roster.replace_names(JEFFERSON, ["Quentin Þórsson"])
    assert services.roster.roster(JEFFERSON).match("Wiśniewska") is None
    assert services.roster.roster(LINCOLN).match("Quentin") is None
    services.roster.replace_names(JEFFERSON, [])
    assert services.roster.roster(LINCOLN).match("Wiśniewska") == "Wiśniewska"


def test_another_process_of_the_deployment_matches_the_same_hashes(
        services: Services, second: Services) -> None:
    services.roster.replace_names(LINCOLN, STAFF)
    assert second.roster.roster(LINCOLN).match("O'Brien") == "O'Brien"
    assert second.roster.from_names(STAFF) == services.roster.from_names(STAFF)


def test_a_roster_is_read_once_per_freshness_bound_and_at_once_after_a_replace_here(
        services: Services, second: Services) -> None:
    now = [100.0]
    services.roster.clock = second.roster.clock = lambda: now[0]
    assert services.roster.roster(LINCOLN).match("O'Brien") is None
    assert second.roster.roster(LINCOLN).match("O'Brien") is None
    services.roster.replace_names(LINCOLN, STAFF)
    # The process that replaced it screens with the new roster at once...
    assert services.roster.roster(LINCOLN).match("O'Brien") == "O'Brien"
    # ...another keeps what it read for the bound, and reads again after it.
    now[0] += ROSTER_FRESHNESS_SECONDS / 2
    assert second.roster.roster(LINCOLN).match("O'Brien") is None
    now[0] += ROSTER_FRESHNESS_SECONDS / 2
    assert second.roster.roster(LINCOLN).match("O'Brien") == "O'Brien"


def test_a_read_across_a_replace_is_not_kept(services: Services) -> None:
    """A roster read while a replace runs may be the old one: used once, never kept."""
    store = services.roster
    store.replace_names(LINCOLN, ["Quentin Þórsson"])
    read = store.hashes

    def read_then_replace(school_id: str) -> frozenset[bytes]:
        old = read(school_id)
        store.replace_names(LINCOLN, STAFF)  # lands after the read, before it is kept
        return old

    store.hashes = read_then_replace  # type: ignore[method-assign]
    assert store.roster(LINCOLN).match("Quentin") == "Quentin"
    store.hashes = read  # type: ignore[method-assign]
    assert store.roster(LINCOLN).match("Quentin") is None
    assert store.roster(LINCOLN).match("O'Brien") == "O'Brien"


def test_only_hashes_are_stored(services: Services) -> None:
    services.roster.replace_names(LINCOLN, STAFF)
    stored = services.roster.hashes(LINCOLN)
    # zofia wisniewska kowalczyk wisniewskakowalczyk sean obrien brien, and the full names
    # (zofia + each family token, sean + each family token)
    assert len(stored) == 7 + 3 + 2
    assert all(len(token_hash) == 32 for token_hash in stored)
    assert stored.isdisjoint(Roster.from_names(STAFF, b"another key").hashes)


def test_concurrent_replaces_leave_one_whole_list(services: Services,
                                                  second: Services) -> None:
    lists = [[f"Name{i}a Name{i}b Name{i}c"] for i in range(8)]
    expected = {frozenset(services.roster.from_names(names).hashes) for names in lists}
    barrier = threading.Barrier(len(lists))

    def replace(index: int) -> None:
        store = (services if index % 2 else second).roster
        barrier.wait()
        store.replace_names(LINCOLN, lists[index])

    threads = [threading.Thread(target=replace, args=(i,)) for i in range(len(lists))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert services.roster.hashes(LINCOLN) in expected
