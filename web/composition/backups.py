"""Backups of a whole store, taken while it serves, and restores into an empty place.

Everything that must survive lives in the store itself: the event log with its sync
receipts, device tokens and sign-in links, the deployment's secret, the hashed staff
rosters and the read models with their tracking position. So a backup is one copy of
the store, read in one consistent snapshot:

- SQLite: the online backup API, in one step. In WAL mode the copy is one read
  transaction: tablets keep syncing while it runs, and the copy holds exactly what was
  committed when it began (every `accepted` answered before then, nothing half-written).
  The copy is one self-contained file, marked as a walkthrough backup.
- PostgreSQL: `pg_dump` of the store's schema (its own repeatable-read snapshot), in
  pg_dump's custom format; `pg_restore` brings it back.

A restore goes only into an empty place (no store file in the data directory; no table
in the schema): it never merges into or overwrites a store. A file that is not a
backup of a walkthrough store is refused with a message that says why.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import psycopg
from psycopg.sql import SQL, Identifier

from web.composition.settings import PostgresLocation, Settings

FORMAT = 1  # of the marker below; a backup of a newer format is refused
MARKER_TABLE = "walkthrough_backup"
# Tables every walkthrough store has: a file without them is not one.
STORE_TABLES = ("stored_events", "sync_receipts")
PG_STORE_TABLES = ("walkthrough_events", "sync_receipts")
BUSY_TIMEOUT_SECONDS = 30.0


class BackupError(Exception):
    """A backup or restore refused or failed; `message` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Copied(msgspec.Struct, frozen=True):
    """What a backup holds, or what a restore brought back."""

    path: Path
    events: int  # in the log
    position: int  # the log's last position
    made_at: str  # when the backup was taken (ISO 8601, UTC)


def backup(settings: Settings, dest: Path, now: datetime | None = None) -> Copied:
    made_at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    if dest.exists():
        raise BackupError(f"{dest} already exists: name a new file for each backup "
                          "(e.g. with the date), or move the old one away")
    if not dest.parent.is_dir():
        raise BackupError(f"{dest.parent} is not a directory")
    location = settings.postgres
    if location is not None:
        return _pg_backup(location, dest, made_at)
    return _sqlite_backup(settings.sqlite_path, dest, made_at)


def restore(settings: Settings, src: Path) -> Copied:
    if not src.is_file():
        raise BackupError(f"{src} is not a file")
    location = settings.postgres
    if location is not None:
        return _pg_restore(location, src)
    return _sqlite_restore(settings.data_dir, settings.sqlite_path, src)


# --- SQLite -------------------------------------------------------------------------


def _sqlite_backup(store: Path, dest: Path, made_at: str) -> Copied:
    if not store.is_file():
        raise BackupError(f"there is no store at {store} (WALKTHROUGH_DATA_DIR)")
    partial = _private_file(dest.with_name(dest.name + ".partial"))
    try:
        with closing(sqlite3.connect(store, timeout=BUSY_TIMEOUT_SECONDS)) as source, \
                closing(sqlite3.connect(partial)) as copy:
            # One step: one read transaction over the whole file, so a consistent
            # snapshot; in WAL mode writers go on meanwhile (several steps would
            # restart whenever another connection writes).
            source.backup(copy, pages=-1)
            # One self-contained file: no -wal beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
            events, position = _log_extent(copy)
            copy.execute(f"CREATE TABLE {MARKER_TABLE} (format INTEGER NOT NULL, "
                         "made_at TEXT NOT NULL, events INTEGER NOT NULL, "
                         "position INTEGER NOT NULL)")
            copy.execute(f"INSERT INTO {MARKER_TABLE} VALUES (?, ?, ?, ?)",
                         (FORMAT, made_at, events, position))
            copy.commit()
        _fsync(partial)
        partial.rename(dest)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup failed: {exc}") from exc
    return Copied(path=dest, events=events, position=position, made_at=made_at)


def _sqlite_restore(data_dir: Path, store: Path, src: Path) -> Copied:
    _require_empty(data_dir)
    made_at, events, position = _check_sqlite_backup(src)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = _private_file(store.with_name(store.name + ".partial"))
    try:
        with closing(_open_read_only(src)) as source, \
                closing(sqlite3.connect(partial)) as copy:
            source.backup(copy, pages=-1)
            copy.execute(f"DROP TABLE {MARKER_TABLE}")
            copy.commit()
        _fsync(partial)
        partial.rename(store)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the restore failed: {exc}") from exc
    return Copied(path=store, events=events, position=position, made_at=made_at)


def _require_empty(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        raise BackupError(f"the data directory {data_dir} is not a directory")
    if data_dir.is_dir():
        present = sorted(entry.name for entry in data_dir.iterdir())
        if present:
            shown = ", ".join(present[:5]) + (", ..." if len(present) > 5 else "")
            raise BackupError(
                f"the data directory {data_dir} is not empty ({shown}): restore only into an "
                "empty data directory (stop the server, move the old one aside, or point "
                "WALKTHROUGH_DATA_DIR at a new one)")


def _open_read_only(path: Path) -> sqlite3.Connection:
    # immutable: nothing else writes a backup, and it leaves no -shm/-wal beside it
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def _check_sqlite_backup(src: Path) -> tuple[str, int, int]:
    """The backup's (made_at, events, position), or why it is not a walkthrough backup."""
    not_backup = f"{src} is not a walkthrough backup"
    try:
        with closing(_open_read_only(src)) as db:
            tables = {row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if MARKER_TABLE not in tables:
                raise BackupError(f"{not_backup}: it is an SQLite database without the mark "
                                  "`walkthrough backup` leaves (a live store is copied with "
                                  "`walkthrough backup`, not by hand)")
            missing = [table for table in STORE_TABLES if table not in tables]
            if missing:
                raise BackupError(f"{not_backup}: it has no {', '.join(missing)} table")
            found = db.execute(f"SELECT format, made_at, events, position FROM {MARKER_TABLE}"
                               ).fetchall()
            if len(found) != 1:
                raise BackupError(f"{not_backup}: its mark is damaged")
            backup_format, made_at, events, position = found[0]
            if backup_format != FORMAT:
                raise BackupError(f"{src} is a backup of format {backup_format}; this version "
                                  f"reads format {FORMAT}: restore it with the version that "
                                  "made it")
            problems = [row[0] for row in db.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                raise BackupError(f"{src} is damaged: {'; '.join(problems)}")
            if _log_extent(db) != (events, position):
                raise BackupError(f"{src} is damaged: its log does not hold the {events} "
                                  "events it was taken with")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{not_backup}: {exc}") from None
    return str(made_at), int(events), int(position)


def _log_extent(db: sqlite3.Connection) -> tuple[int, int]:
    count, top = db.execute("SELECT COUNT(*), MAX(rowid) FROM stored_events").fetchone()
    return int(count), int(top or 0)


def _private_file(path: Path) -> Path:
    """A new empty file only its owner reads: a store holds token hashes and the
    deployment's secret."""
    path.unlink(missing_ok=True)
    path.touch(mode=0o600)
    return path


def _fsync(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


# --- PostgreSQL ---------------------------------------------------------------------


def _pg_env(location: PostgresLocation) -> dict[str, str]:
    env = {**os.environ, "PGHOST": location.host, "PGPORT": str(location.port),
           "PGUSER": location.user, "PGDATABASE": location.dbname,
           "PGCONNECT_TIMEOUT": str(location.connect_timeout)}
    if location.password:
        env["PGPASSWORD"] = location.password
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install "
                          "postgresql-client, the same major version as the server)")
    return found


def _run(args: list[str], location: PostgresLocation) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=_pg_env(location), capture_output=True, text=True,
                          check=False)


def _pg_backup(location: PostgresLocation, dest: Path, made_at: str) -> Copied:
    # Counted before the dump's snapshot, which holds at least these.
    events, position = _pg_extent(location)
    partial = _private_file(dest.with_name(dest.name + ".partial"))
    done = _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                 f"--schema={location.schema}", f"--file={partial}"], location)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    tables = _dump_tables(partial, location)
    missing = [t for t in PG_STORE_TABLES if (location.schema, t) not in tables]
    if missing:
        partial.unlink(missing_ok=True)
        raise BackupError(f"schema {location.schema} holds no walkthrough store "
                          f"(no {', '.join(missing)} table)")
    _fsync(partial)
    partial.rename(dest)
    return Copied(path=dest, events=events, position=position, made_at=made_at)


def _dump_tables(path: Path, location: PostgresLocation) -> set[tuple[str, str]]:
    """(schema, table) of every table in a pg_dump archive; BackupError when it is not one."""
    listed = _run([_tool("pg_restore"), "--list", str(path)], location)
    if listed.returncode != 0:
        raise BackupError(f"{path} is not a walkthrough backup: pg_restore cannot read it "
                          f"({listed.stderr.strip()})")
    tables = set()
    for line in listed.stdout.splitlines():
        # "215; 1259 16390 TABLE schema name owner"
        parts = line.split()
        if ";" in line and not line.startswith(";") and "TABLE" in parts:
            at = parts.index("TABLE")
            if at + 2 < len(parts) and parts[at - 1].isdigit():
                tables.add((parts[at + 1], parts[at + 2]))
    return tables


def _pg_restore(location: PostgresLocation, src: Path) -> Copied:
    tables = _dump_tables(src, location)
    schemas = {schema for schema, table in tables if table in PG_STORE_TABLES}
    if not schemas:
        raise BackupError(f"{src} is not a walkthrough backup: it holds no "
                          f"{' or '.join(PG_STORE_TABLES)} table")
    if schemas != {location.schema}:
        raise BackupError(f"{src} is a backup of schema {', '.join(sorted(schemas))}; "
                          f"WALKTHROUGH_DATABASE_URL names schema {location.schema}: set "
                          f"?schema={min(schemas)} to restore it")
    with _pg_connection(location) as conn:
        present = conn.execute("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_schema = %s", [location.schema]).fetchone()
        if present is not None and present[0]:
            raise BackupError(f"schema {location.schema} is not empty ({present[0]} tables): "
                              "restore only into an empty schema (drop it or name another)")
        if location.schema != "public":  # pg_dump recreates a schema of its own, not public
            conn.execute(SQL("DROP SCHEMA IF EXISTS {}").format(Identifier(location.schema)))
    done = _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                 "--single-transaction", f"--dbname={location.dbname}", str(src)], location)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
    events, position = _pg_extent(location)
    return Copied(path=src, events=events, position=position, made_at="")


@contextmanager
def _pg_connection(location: PostgresLocation) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    try:
        conn = psycopg.connect(host=location.host, port=location.port, user=location.user,
                               password=location.password, dbname=location.dbname,
                               connect_timeout=location.connect_timeout, autocommit=True)
    except psycopg.OperationalError as exc:
        raise BackupError(f"cannot reach {location}: {exc}") from exc
    with conn:
        yield conn


def _pg_extent(location: PostgresLocation) -> tuple[int, int]:
    with _pg_connection(location) as conn:
        found = conn.execute(SQL("SELECT count(*), max(notification_id) FROM {}")
                             .format(Identifier(location.schema, PG_STORE_TABLES[0]))
                             ).fetchone()
    assert found is not None
    count, top = found
    return int(str(count)), int(str(top or 0))
