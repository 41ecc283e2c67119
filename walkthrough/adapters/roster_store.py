"""Each school's staff roster, kept as keyed hashes of name tokens and nothing else.

The roster is not an event: it is never in the log, so no export, replay or
NDJSON page can carry it, and replacing it leaves nothing of the old list
behind. One row per (school, token hash) in `staff_roster`; the names
themselves are never written anywhere.

The key comes from the deployment's secret (see `walkthrough.names.roster_key`):
changing WALKTHROUGH_PSEUDONYM_SECRET makes the stored hashes match nothing, so
each school's roster must be uploaded again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL, Identifier

from walkthrough.names import Roster

TABLE = "staff_roster"
CREATE_TABLE = ("CREATE TABLE IF NOT EXISTS {} (school_id TEXT NOT NULL, "
                "token_hash {} NOT NULL, PRIMARY KEY (school_id, token_hash))")


class RosterStore(ABC):
    """Rosters by school, under one key: build one from names, replace, load."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def from_names(self, names: Iterable[str]) -> Roster:
        return Roster.from_names(names, self._key)

    def replace_names(self, school_id: str, names: Iterable[str]) -> Roster:
        """The school's roster is now these names, and only these."""
        roster = self.from_names(names)
        self.replace(school_id, roster.hashes)
        return roster

    def roster(self, school_id: str) -> Roster:
        """The school's roster, to screen its free texts with (empty when none)."""
        return Roster(key=self._key, hashes=self.hashes(school_id))

    @abstractmethod
    def replace(self, school_id: str, hashes: Iterable[bytes]) -> None:
        """Replace the school's whole roster, in one transaction."""

    @abstractmethod
    def hashes(self, school_id: str) -> frozenset[bytes]: ...


class SQLiteRosterStore(RosterStore):
    def __init__(self, datastore: SQLiteDatastore, key: bytes) -> None:
        super().__init__(key)
        self.datastore = datastore
        with self.datastore.transaction(commit=True) as c:
            c.execute(CREATE_TABLE.format(TABLE, "BLOB"))

    def replace(self, school_id: str, hashes: Iterable[bytes]) -> None:
        # One SQLite writer at a time: the delete takes the write lock first.
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {TABLE} WHERE school_id = ?", [school_id])
            c.executemany(f"INSERT OR IGNORE INTO {TABLE} VALUES (?, ?)",
                          [(school_id, token_hash) for token_hash in hashes])

    def hashes(self, school_id: str) -> frozenset[bytes]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT token_hash FROM {TABLE} WHERE school_id = ?", [school_id])
            return frozenset(bytes(row["token_hash"]) for row in c.fetchall())


class PostgresRosterStore(RosterStore):
    def __init__(self, datastore: PostgresDatastore, key: bytes) -> None:
        super().__init__(key)
        self.datastore = datastore
        self.table = Identifier(datastore.schema, TABLE)
        with self.datastore.transaction(commit=True) as c:
            c.execute(SQL(CREATE_TABLE).format(self.table, SQL("BYTEA")))

    def replace(self, school_id: str, hashes: Iterable[bytes]) -> None:
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
        with self.datastore.transaction(commit=False) as c:
            c.execute(SQL("SELECT token_hash FROM {} WHERE school_id = %s").format(self.table),
                      [school_id])
            return frozenset(bytes(row["token_hash"]) for row in c.fetchall())
