"""Each school's staff roster, kept as keyed hashes of name tokens and nothing else.

The roster is not an event: it is never in the log, so no export, replay or
NDJSON page can carry it, and replacing it leaves nothing of the old list
behind. One row per (school, token hash) in `staff_roster`; the names
themselves are never written anywhere.

The key comes from the deployment's secret (see `walkthrough.names.roster_key`):
changing WALKTHROUGH_PSEUDONYM_SECRET makes the stored hashes match nothing, so
each school's roster must be uploaded again.

Beside it, `staff_roster_refusals` counts each person's roster refusals per day (UTC),
one row per refused text (its keyed digest, never the text), so that the roster cannot
be read back one refusal at a time: past `refusals_per_day` (see
walkthrough.names.ROSTER_REFUSALS_PER_DAY) the person's texts are held. Counting is
one statement under a lock per person and day, so concurrent batches and processes
never count past the bound; the same text refused again is counted once.

A school's roster is read once and kept for `ROSTER_FRESHNESS_SECONDS` (every group of
batches screens its texts with it, and a read per group was a round trip per group):
a roster replaced through this store screens the texts decided after `replace`
returns; replaced through another process (another server worker), it does within
`ROSTER_FRESHNESS_SECONDS`.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from datetime import date

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL, Identifier

from walkthrough.adapters.postgres_connections import run_statement
from walkthrough.names import ROSTER_REFUSALS_PER_DAY, Roster

TABLE = "staff_roster"
CREATE_TABLE = ("CREATE TABLE IF NOT EXISTS {} (school_id TEXT NOT NULL, "
                "token_hash {} NOT NULL, PRIMARY KEY (school_id, token_hash))")
ROSTER_FRESHNESS_SECONDS = 1.0  # how long a school's roster is used without a read
REFUSALS = "staff_roster_refusals"
CREATE_REFUSALS = ("CREATE TABLE IF NOT EXISTS {} (user_id TEXT NOT NULL, day TEXT NOT NULL, "
                   "text_hash {} NOT NULL, PRIMARY KEY (user_id, day, text_hash))")


class RosterStore(ABC):
    """Rosters by school, under one key: build one from names, replace, load; and each
    person's roster refusals of the day, bounded."""

    def __init__(self, key: bytes, refusals_per_day: int = ROSTER_REFUSALS_PER_DAY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._key = key
        self.refusals_per_day = refusals_per_day
        self.clock = clock  # seconds, for how long a roster read is kept
        self._kept: dict[str, tuple[float, Roster]] = {}  # school -> (read at, roster)
        self._replaces = 0  # replaces begun or ended: a read across one is not kept
        self._replaces_lock = threading.Lock()

    def budget(self, user_id: str, day: date) -> RefusalBudget:
        """What `user_id` may still draw on `day`: attach it to the rosters that screen
        their texts (`Roster.bounded`)."""
        return RefusalBudget(self, user_id, day.isoformat())

    def from_names(self, names: Iterable[str]) -> Roster:
        return Roster.from_names(names, self._key)

    def replace_names(self, school_id: str, names: Iterable[str]) -> Roster:
        """The school's roster is now these names, and only these. Give each person as
        one name ("Given Family" or "Family, Given"): full names are screened as pairs,
        so that two ordinary words that make one person's name ("Will Grant") count."""
        roster = self.from_names(names)
        self.replace(school_id, roster.hashes)
        return roster

    def roster(self, school_id: str) -> Roster:
        """The school's roster, to screen its free texts with (empty when none): kept
        for ROSTER_FRESHNESS_SECONDS after it was read."""
        now = self.clock()
        kept = self._kept.get(school_id)
        if kept is not None and now - kept[0] < ROSTER_FRESHNESS_SECONDS:
            return kept[1]
        replaces = self._replaces
        roster = Roster(key=self._key, hashes=self.hashes(school_id))
        if replaces == self._replaces:  # no replace began or ended while reading
            self._kept[school_id] = (now, roster)
        return roster

    def replace(self, school_id: str, hashes: Iterable[bytes]) -> None:
        """Replace the school's whole roster, in one transaction."""
        self._count_replace()
        try:
            self._replace(school_id, hashes)
        finally:
            self._count_replace()
            self._kept.pop(school_id, None)

    def _count_replace(self) -> None:
        with self._replaces_lock:
            self._replaces += 1

    @abstractmethod
    def _replace(self, school_id: str, hashes: Iterable[bytes]) -> None: ...

    @abstractmethod
    def hashes(self, school_id: str) -> frozenset[bytes]: ...

    @abstractmethod
    def refusals(self, user_id: str, day: str) -> int:
        """How many texts of `user_id` the roster refused on `day` (ISO date)."""

    @abstractmethod
    def spend_refusal(self, user_id: str, day: str, digest: bytes) -> bool:
        """Count a roster refusal of the text with `digest`; False, counting nothing,
        when the person had reached the bound before it (a text counted already: True)."""

    @abstractmethod
    def refusal_counts(self, day: str) -> dict[str, int]:
        """Each person's roster refusals on `day`, for organizers (counts only)."""


class RefusalBudget:
    """One person's roster refusals of one day, as walkthrough.names.RosterBudget."""

    def __init__(self, store: RosterStore, user_id: str, day: str) -> None:
        self.store = store
        self.user_id = user_id
        self.day = day
        self._count: int | None = None  # read once, again after each refusal

    @property
    def bound(self) -> int:
        return self.store.refusals_per_day

    def exhausted(self) -> bool:
        if self._count is None:
            self._count = self.store.refusals(self.user_id, self.day)
        return self._count >= self.bound

    def spend(self, digest: bytes) -> bool:
        self._count = None
        return self.store.spend_refusal(self.user_id, self.day, digest)


class SQLiteRosterStore(RosterStore):
    def __init__(self, datastore: SQLiteDatastore, key: bytes) -> None:
        super().__init__(key)
        self.datastore = datastore
        with self.datastore.transaction(commit=True) as c:
            c.execute(CREATE_TABLE.format(TABLE, "BLOB"))
            c.execute(CREATE_REFUSALS.format(REFUSALS, "BLOB"))

    def _replace(self, school_id: str, hashes: Iterable[bytes]) -> None:
        # One SQLite writer at a time: the delete takes the write lock first.
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {TABLE} WHERE school_id = ?", [school_id])
            c.executemany(f"INSERT OR IGNORE INTO {TABLE} VALUES (?, ?)",
                          [(school_id, token_hash) for token_hash in hashes])

    def hashes(self, school_id: str) -> frozenset[bytes]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT token_hash FROM {TABLE} WHERE school_id = ?", [school_id])
            return frozenset(bytes(row["token_hash"]) for row in c.fetchall())

    def refusals(self, user_id: str, day: str) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT count(*) AS n FROM {REFUSALS} WHERE user_id = ? AND day = ?",
                      [user_id, day])
            return int(c.fetchone()["n"])

    def spend_refusal(self, user_id: str, day: str, digest: bytes) -> bool:
        # One statement: SQLite's single writer counts and inserts with nobody between.
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"INSERT OR IGNORE INTO {REFUSALS} SELECT ?, ?, ? WHERE (SELECT count(*) "
                      f"FROM {REFUSALS} WHERE user_id = ? AND day = ?) < ?",
                      [user_id, day, digest, user_id, day, self.refusals_per_day])
            c.execute(f"SELECT 1 FROM {REFUSALS} WHERE user_id = ? AND day = ? AND "
                      "text_hash = ?", [user_id, day, digest])
            return c.fetchone() is not None

    def refusal_counts(self, day: str) -> dict[str, int]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT user_id, count(*) AS n FROM {REFUSALS} WHERE day = ? "
                      "GROUP BY user_id ORDER BY user_id", [day])
            return {str(row["user_id"]): int(row["n"]) for row in c.fetchall()}


class PostgresRosterStore(RosterStore):
    def __init__(self, datastore: PostgresDatastore, key: bytes) -> None:
        super().__init__(key)
        self.datastore = datastore
        self.table = Identifier(datastore.schema, TABLE)
        self.refusals_table = Identifier(datastore.schema, REFUSALS)
        self.hashes_statement = SQL("SELECT token_hash FROM {} WHERE school_id = %s").format(
            self.table).as_bytes(None)
        with self.datastore.transaction(commit=True) as c:
            c.execute(SQL(CREATE_TABLE).format(self.table, SQL("BYTEA")))
            c.execute(SQL(CREATE_REFUSALS).format(self.refusals_table, SQL("BYTEA")))

    def _replace(self, school_id: str, hashes: Iterable[bytes]) -> None:
        with self.datastore.transaction(commit=True) as c:
            # Two replaces of one school at once: the second waits for the first and
            # then deletes what it wrote, so the roster is one list, never a mix.
            c.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{TABLE}:{school_id}"])
            c.execute(SQL("DELETE FROM {} WHERE school_id = %s").format(self.table),
                      [school_id])
            c.executemany(SQL("INSERT INTO {} VALUES (%s, %s) ON CONFLICT DO NOTHING")
                          .format(self.table),
                          [(school_id, token_hash) for token_hash in hashes])

    def hashes(self, school_id: str) -> frozenset[bytes]:
        # One statement, in autocommit: no BEGIN and ROLLBACK round trips around it.
        rows = run_statement(self.datastore, self.hashes_statement, [school_id])
        return frozenset(bytes(row[0]) for row in rows)

    def refusals(self, user_id: str, day: str) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(SQL("SELECT count(*) AS n FROM {} WHERE user_id = %s AND day = %s")
                      .format(self.refusals_table), [user_id, day])
            row = c.fetchone()
            return int(row["n"]) if row else 0

    def spend_refusal(self, user_id: str, day: str, digest: bytes) -> bool:
        with self.datastore.transaction(commit=True) as c:
            # Two processes counting one person's day wait for each other.
            c.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                      [f"{REFUSALS}:{user_id}:{day}"])
            c.execute(SQL("INSERT INTO {} SELECT %s, %s, %s WHERE (SELECT count(*) FROM {} "
                          "WHERE user_id = %s AND day = %s) < %s ON CONFLICT DO NOTHING")
                      .format(self.refusals_table, self.refusals_table),
                      [user_id, day, digest, user_id, day, self.refusals_per_day])
            c.execute(SQL("SELECT 1 AS found FROM {} WHERE user_id = %s AND day = %s AND "
                          "text_hash = %s").format(self.refusals_table), [user_id, day, digest])
            return c.fetchone() is not None

    def refusal_counts(self, day: str) -> dict[str, int]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(SQL("SELECT user_id, count(*) AS n FROM {} WHERE day = %s "
                          "GROUP BY user_id ORDER BY user_id").format(self.refusals_table),
                      [day])
            return {str(row["user_id"]): int(row["n"]) for row in c.fetchall()}
