"""Where read models live: documents keyed by kind and id, plus an index of who
is on which visit, written in the same transaction as the tracking position
(eventsourcing's tracking table), so a crash never applies an event twice.

Two backends with one interface (`ReadModelStore`): SQLite (one file, one
machine) and PostgreSQL (any number of processes and machines).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL, Composed, Identifier

from walkthrough.adapters.postgres_connections import sent_again_only_when_lost

Key = tuple[str, str]
# One row: the version of the read models' documents (projections.versions).
SCHEMA_VERSION_TABLE = ("CREATE TABLE IF NOT EXISTS rm_schema_version ("
                        "id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)")
Member = tuple[str, str, str]  # user_id, visit_id, relation
Row = tuple[str, ...]


class ReadModelStore(Protocol):
    def get(self, kind: str, doc_id: str) -> bytes | None: ...

    def get_many(self, kind: str, doc_ids: Sequence[str]) -> dict[str, bytes]: ...

    def all_of(self, kind: str) -> dict[str, bytes]: ...

    def first(self, kind: str, prefix: str, limit: int) -> list[tuple[str, bytes]]:
        """Up to `limit` documents of `kind` whose id starts with `prefix`, by id."""

    def visits_of(self, user_id: str) -> list[tuple[str, str]]: ...

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def write(self, docs: dict[Key, bytes | None], members: Iterable[Member],
              tracking: Tracking, previous: int) -> None:
        """Upsert documents (None: delete) and membership rows and move the tracking
        position from `previous` to `tracking`, atomically; IntegrityError (nothing
        written) when another projector moved it first."""

    def reset(self, application_name: str) -> None:
        """Forget every read model and set the position back to the log's start."""

    def dump(self) -> list[Row]:
        """Every row of every read model, in a stable order, for comparisons."""

    def snapshot(self, application_name: str) -> tuple[int, list[Row]]:
        """The position and `dump()`, read consistently together."""

    def schema_version(self) -> int | None:
        """The read models' version (projections.versions); None: never set."""

    def set_schema_version(self, version: int) -> None: ...


def _document_rows(rows: Iterable[tuple[str, str, bytes]]) -> list[Row]:
    return [(kind, doc_id, bytes(doc).decode()) for kind, doc_id, doc in rows]


def prefix_end(prefix: str) -> str:
    """The smallest id after every id that starts with `prefix` (ids compare byte-wise)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _upserts(docs: dict[Key, bytes | None]) -> list[tuple[str, str, bytes]]:
    return [(kind, doc_id, doc) for (kind, doc_id), doc in docs.items() if doc is not None]


def _deletes(docs: dict[Key, bytes | None]) -> list[tuple[str, str]]:
    return [key for key, doc in docs.items() if doc is None]


def _member_rows(rows: Iterable[tuple[str, str, str]]) -> list[Row]:
    return [("member", user_id, visit_id, relation) for user_id, visit_id, relation in rows]


class SQLiteReadModelStore(SQLiteTrackingRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS rm_documents ("
            "kind TEXT, id TEXT, doc BLOB NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID",
            "CREATE TABLE IF NOT EXISTS rm_visit_members ("
            "user_id TEXT, visit_id TEXT, relation TEXT NOT NULL, "
            "PRIMARY KEY (user_id, visit_id)) WITHOUT ROWID",
            SCHEMA_VERSION_TABLE,
        ]

    def schema_version(self) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT version FROM rm_schema_version WHERE id = 1")
            row = c.fetchone()
        return None if row is None else int(row[0])

    def set_schema_version(self, version: int) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("INSERT INTO rm_schema_version VALUES (1, ?) ON CONFLICT (id) "
                      "DO UPDATE SET version = excluded.version", [version])

    def get(self, kind: str, doc_id: str) -> bytes | None:
        return self.get_many(kind, [doc_id]).get(doc_id)

    def get_many(self, kind: str, doc_ids: Sequence[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(doc_ids), 500):
                chunk = list(doc_ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                c.execute(f"SELECT id, doc FROM rm_documents WHERE kind = ? AND id IN ({marks})",
                          [kind, *chunk])
                found.update((row["id"], bytes(row["doc"])) for row in c.fetchall())
        return found

    def all_of(self, kind: str) -> dict[str, bytes]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT id, doc FROM rm_documents WHERE kind = ? ORDER BY id", [kind])
            return {row["id"]: bytes(row["doc"]) for row in c.fetchall()}

    def first(self, kind: str, prefix: str, limit: int) -> list[tuple[str, bytes]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT id, doc FROM rm_documents WHERE kind = ? AND id >= ? AND id < ? "
                      "ORDER BY id LIMIT ?", [kind, prefix, prefix_end(prefix), limit])
            return [(row["id"], bytes(row["doc"])) for row in c.fetchall()]

    def visits_of(self, user_id: str) -> list[tuple[str, str]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT visit_id, relation FROM rm_visit_members WHERE user_id = ? "
                      "ORDER BY visit_id", [user_id])
            return [(row["visit_id"], row["relation"]) for row in c.fetchall()]

    def write(self, docs: dict[Key, bytes | None], members: Iterable[Member],
              tracking: Tracking, previous: int) -> None:
        with self.datastore.transaction(commit=True) as c:
            # The position first: the first statement takes SQLite's write lock, so
            # the check and the writes below see the same, latest state.
            c.execute("INSERT INTO tracking VALUES (?, ?) ON CONFLICT (application_name) "
                      "DO UPDATE SET notification_id = excluded.notification_id "
                      "WHERE tracking.notification_id = ? RETURNING notification_id",
                      [tracking.application_name, tracking.notification_id, previous])
            if c.fetchone() is None:
                raise IntegrityError(f"position moved past {previous}")
            c.executemany("INSERT OR REPLACE INTO rm_documents VALUES (?, ?, ?)",
                          _upserts(docs))
            c.executemany("DELETE FROM rm_documents WHERE kind = ? AND id = ?", _deletes(docs))
            c.executemany("INSERT OR REPLACE INTO rm_visit_members VALUES (?, ?, ?)",
                          list(members))

    def reset(self, application_name: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            # Zero rather than delete the position: a projector that read the old
            # one then fails its compare-and-set instead of writing stale documents.
            c.execute("UPDATE tracking SET notification_id = 0 WHERE application_name = ?",
                      [application_name])
            c.execute("DELETE FROM rm_documents")
            c.execute("DELETE FROM rm_visit_members")

    def dump(self) -> list[Row]:
        return self.snapshot("")[1]

    def snapshot(self, application_name: str) -> tuple[int, list[Row]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.select_max_tracking_id_statement, [application_name])
            position = c.fetchone()[0] or 0
            c.execute("SELECT kind, id, doc FROM rm_documents ORDER BY kind, id")
            rows = _document_rows((r["kind"], r["id"], r["doc"]) for r in c.fetchall())
            c.execute("SELECT user_id, visit_id, relation FROM rm_visit_members "
                      "ORDER BY user_id, visit_id")
            rows += _member_rows((r["user_id"], r["visit_id"], r["relation"])
                                 for r in c.fetchall())
        return position, rows


class PostgresReadModelStore(PostgresTrackingRecorder):
    """The same read models in a PostgreSQL schema. Text sorts byte-wise
    (COLLATE "C") so dumps order exactly like SQLite's."""

    # The library's, without its ten attempts per call (walkthrough.adapters).
    max_tracking_id = sent_again_only_when_lost(PostgresTrackingRecorder.max_tracking_id)
    has_tracking_id = sent_again_only_when_lost(PostgresTrackingRecorder.has_tracking_id)

    def __init__(self, datastore: PostgresDatastore, *,
                 tracking_table_name: str = "notification_tracking") -> None:
        super().__init__(datastore, tracking_table_name=tracking_table_name)
        schema = self.datastore.schema
        self.documents = Identifier(schema, "rm_documents")
        self.members = Identifier(schema, "rm_visit_members")
        self.tracking = Identifier(schema, self.tracking_table_name)
        self.version = Identifier(schema, "rm_schema_version")
        self.sql_create_statements += [
            # Ids compare byte-wise, like SQLite's, so prefix ranges use the key.
            SQL('CREATE TABLE IF NOT EXISTS {} (kind text COLLATE "C", id text COLLATE "C", '
                "doc bytea NOT NULL, PRIMARY KEY (kind, id))").format(self.documents),
            SQL("CREATE TABLE IF NOT EXISTS {} (user_id text, visit_id text, "
                "relation text NOT NULL, PRIMARY KEY (user_id, visit_id))").format(self.members),
            SQL("CREATE TABLE IF NOT EXISTS {} (id integer PRIMARY KEY CHECK (id = 1), "
                "version integer NOT NULL)").format(self.version),
        ]

    def schema_version(self) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(SQL("SELECT version FROM {} WHERE id = 1").format(self.version))
            row = c.fetchone()
        return None if row is None else int(row["version"])

    def set_schema_version(self, version: int) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(SQL("INSERT INTO {} VALUES (1, %s) ON CONFLICT (id) "
                          "DO UPDATE SET version = excluded.version").format(self.version),
                      [version])

    def get(self, kind: str, doc_id: str) -> bytes | None:
        return self.get_many(kind, [doc_id]).get(doc_id)

    def get_many(self, kind: str, doc_ids: Sequence[str]) -> dict[str, bytes]:
        if not doc_ids:
            return {}
        return self._docs(SQL("SELECT id, doc FROM {} WHERE kind = %s AND id = ANY(%s)")
                          .format(self.documents), [kind, list(doc_ids)])

    def all_of(self, kind: str) -> dict[str, bytes]:
        return self._docs(SQL('SELECT id, doc FROM {} WHERE kind = %s ORDER BY id COLLATE "C"')
                          .format(self.documents), [kind])

    def first(self, kind: str, prefix: str, limit: int) -> list[tuple[str, bytes]]:
        found = self._docs(SQL('SELECT id, doc FROM {} WHERE kind = %s AND id >= %s '
                               'AND id < %s ORDER BY id COLLATE "C" LIMIT %s')
                           .format(self.documents), [kind, prefix, prefix_end(prefix), limit])
        return list(found.items())

    def _docs(self, statement: Composed, params: list[object]) -> dict[str, bytes]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return {row["id"]: bytes(row["doc"]) for row in c.fetchall()}

    def visits_of(self, user_id: str) -> list[tuple[str, str]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(SQL('SELECT visit_id, relation FROM {} WHERE user_id = %s '
                          'ORDER BY visit_id COLLATE "C"').format(self.members), [user_id])
            return [(row["visit_id"], row["relation"]) for row in c.fetchall()]

    def write(self, docs: dict[Key, bytes | None], members: Iterable[Member],
              tracking: Tracking, previous: int) -> None:
        with self.datastore.transaction(commit=True) as c:
            # The position first: a concurrent projector's upsert waits for ours
            # and then finds the position moved (read committed re-checks the row).
            c.execute(SQL("INSERT INTO {0} VALUES (%s, %s) ON CONFLICT (application_name) "
                          "DO UPDATE SET notification_id = excluded.notification_id "
                          "WHERE {0}.notification_id = %s RETURNING notification_id")
                      .format(self.tracking),
                      [tracking.application_name, tracking.notification_id, previous])
            if c.fetchone() is None:
                raise IntegrityError(f"position moved past {previous}")
            upserts, deletes = _upserts(docs), _deletes(docs)
            if upserts:
                c.executemany(SQL("INSERT INTO {} VALUES (%s, %s, %s) ON CONFLICT (kind, id) "
                                  "DO UPDATE SET doc = excluded.doc").format(self.documents),
                              upserts)
            if deletes:
                c.executemany(SQL("DELETE FROM {} WHERE kind = %s AND id = %s")
                              .format(self.documents), deletes)
            rows = list(members)
            if rows:
                c.executemany(SQL("INSERT INTO {} VALUES (%s, %s, %s) "
                                  "ON CONFLICT (user_id, visit_id) "
                                  "DO UPDATE SET relation = excluded.relation")
                              .format(self.members), rows)

    def reset(self, application_name: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            # Zero rather than delete the position (see SQLiteReadModelStore.reset).
            c.execute(SQL("UPDATE {} SET notification_id = 0 WHERE application_name = %s")
                      .format(self.tracking), [application_name])
            c.execute(SQL("DELETE FROM {}").format(self.documents))
            c.execute(SQL("DELETE FROM {}").format(self.members))

    def dump(self) -> list[Row]:
        return self.snapshot("")[1]

    def snapshot(self, application_name: str) -> tuple[int, list[Row]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            c.execute(self.max_tracking_id_statement, [application_name])
            found = c.fetchone()
            position = int(found["max"] or 0) if found else 0
            c.execute(SQL('SELECT kind, id, doc FROM {} ORDER BY kind COLLATE "C", '
                          'id COLLATE "C"').format(self.documents))
            rows = _document_rows((r["kind"], r["id"], r["doc"]) for r in c.fetchall())
            c.execute(SQL('SELECT user_id, visit_id, relation FROM {} '
                          'ORDER BY user_id COLLATE "C", visit_id COLLATE "C"')
                      .format(self.members))
            rows += _member_rows((r["user_id"], r["visit_id"], r["relation"])
                                 for r in c.fetchall())
        return position, rows
