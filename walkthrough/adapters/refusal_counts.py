"""How often each rule refused something, per day: counts by error code, nothing else.

A refused event is not stored (the contract: re-sending it is refused again), so
the log cannot tell how often the rules fired. This table can: one row per
(day, code) with a count. The refused text, who sent it, the visit or the school
are never written - a count by rule is all a labor-management meeting needs to
see that the rules work.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import date

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL, Identifier

TABLE = "refusal_counts"
CREATE_TABLE = ("CREATE TABLE IF NOT EXISTS {} (day TEXT NOT NULL, code TEXT NOT NULL, "
                "count BIGINT NOT NULL, PRIMARY KEY (day, code))")


class RefusalCounts(ABC):
    @abstractmethod
    def add(self, day: date, counts: Mapping[str, int]) -> None:
        """Count refusals by code on `day`."""

    @abstractmethod
    def totals(self, since: date, until: date) -> dict[str, int]:
        """Refusals by code from `since` to `until`, both included."""


class SQLiteRefusalCounts(RefusalCounts):
    def __init__(self, datastore: SQLiteDatastore) -> None:
        self.datastore = datastore
        with self.datastore.transaction(commit=True) as c:
            c.execute(CREATE_TABLE.format(TABLE))

    def add(self, day: date, counts: Mapping[str, int]) -> None:
        rows = [(day.isoformat(), code, count) for code, count in sorted(counts.items())
                if count]
        if not rows:
            return
        with self.datastore.transaction(commit=True) as c:
            c.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?) ON CONFLICT (day, code) "
                          f"DO UPDATE SET count = count + excluded.count", rows)

    def totals(self, since: date, until: date) -> dict[str, int]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT code, SUM(count) AS total FROM {TABLE} WHERE day >= ? AND "
                      f"day <= ? GROUP BY code ORDER BY code",
                      [since.isoformat(), until.isoformat()])
            return {row["code"]: int(row["total"]) for row in c.fetchall()}


class PostgresRefusalCounts(RefusalCounts):
    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore
        self.table = Identifier(datastore.schema, TABLE)
        with self.datastore.transaction(commit=True) as c:
            c.execute(SQL(CREATE_TABLE).format(self.table))

    def add(self, day: date, counts: Mapping[str, int]) -> None:
        rows = [(day.isoformat(), code, count) for code, count in sorted(counts.items())
                if count]
        if not rows:
            return
        with self.datastore.transaction(commit=True) as c:
            c.executemany(SQL("INSERT INTO {} AS t VALUES (%s, %s, %s) ON CONFLICT (day, code) "
                              "DO UPDATE SET count = t.count + excluded.count")
                          .format(self.table), rows)

    def totals(self, since: date, until: date) -> dict[str, int]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(SQL("SELECT code, SUM(count) AS total FROM {} WHERE day >= %s AND "
                          "day <= %s GROUP BY code ORDER BY code").format(self.table),
                      [since.isoformat(), until.isoformat()])
            return {row["code"]: int(row["total"]) for row in c.fetchall()}
