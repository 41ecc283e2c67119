"""Where read models live: documents keyed by kind and id, plus an index of who
is on which visit, written in the same transaction as the tracking position
(eventsourcing's tracking table), so a crash never applies an event twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

Key = tuple[str, str]


class SQLiteReadModelStore(SQLiteTrackingRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS rm_documents ("
            "kind TEXT, id TEXT, doc BLOB NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID",
            "CREATE TABLE IF NOT EXISTS rm_visit_members ("
            "user_id TEXT, visit_id TEXT, relation TEXT NOT NULL, "
            "PRIMARY KEY (user_id, visit_id)) WITHOUT ROWID",
        ]

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

    def visits_of(self, user_id: str) -> list[tuple[str, str]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT visit_id, relation FROM rm_visit_members WHERE user_id = ? "
                      "ORDER BY visit_id", [user_id])
            return [(row["visit_id"], row["relation"]) for row in c.fetchall()]

    def write(self, docs: dict[Key, bytes], members: Iterable[tuple[str, str, str]],
              tracking: Tracking) -> None:
        """Upsert documents and membership rows, and record how far we got, atomically."""
        with self.datastore.transaction(commit=True) as c:
            c.executemany("INSERT OR REPLACE INTO rm_documents VALUES (?, ?, ?)",
                          [(kind, doc_id, doc) for (kind, doc_id), doc in docs.items()])
            c.executemany("INSERT OR REPLACE INTO rm_visit_members VALUES (?, ?, ?)",
                          list(members))
            self._insert_tracking(c, tracking)

    def dump(self) -> list[tuple[str, ...]]:
        """Every row of every read model, in a stable order, for comparisons."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT kind, id, doc FROM rm_documents ORDER BY kind, id")
            rows: list[tuple[str, ...]] = [
                (r["kind"], r["id"], bytes(r["doc"]).decode()) for r in c.fetchall()]
            c.execute("SELECT user_id, visit_id, relation FROM rm_visit_members "
                      "ORDER BY user_id, visit_id")
            rows += [("member", r["user_id"], r["visit_id"], r["relation"])
                     for r in c.fetchall()]
        return rows
