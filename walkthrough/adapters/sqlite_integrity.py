"""Whether an SQLite file is a walkthrough store that can be opened: checked before
anything opens it (SQLite would take a zero-byte file for a new, empty database and
start an empty district over it, and report a damaged one only when a read lands
on a damaged page).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
EVENTS_TABLE = "stored_events"  # eventsourcing's event log: every walkthrough store has it
BUSY_TIMEOUT_SECONDS = 10
ADVICE = "restore it from a backup, or move it away to start a new district"


class StoreDamaged(Exception):
    """The store's file cannot be a walkthrough store as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_sqlite_store(path: Path, *, thorough: bool = False) -> None:
    """Raise StoreDamaged unless `path` is absent (a new store) or a whole SQLite
    database holding a walkthrough event log. `thorough` also reads every page
    (SQLite's quick_check: seconds for a large store, so once per start of a command,
    not in each server process)."""
    directory = path.parent
    if directory.exists() and not directory.is_dir():
        raise StoreDamaged(f"the data directory {directory} is a file, not a directory")
    if not path.exists():
        return
    if not path.is_file():
        raise StoreDamaged(f"{path} is not a file")
    size = path.stat().st_size
    if size == 0:
        raise StoreDamaged(f"{path} is empty (zero bytes), not a walkthrough store: {ADVICE}")
    with path.open("rb") as file:
        header = file.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise StoreDamaged(f"{path} is not an SQLite database: {ADVICE}")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The size in the header is valid when its change counter matches; a store being
    # written (a WAL with pages not yet copied back) may be caught mid-checkpoint.
    header_valid = header[24:28] == header[92:96]
    wal = Path(f"{path}-wal")
    settled = not (wal.exists() and wal.stat().st_size > 0)
    if header_valid and settled and size < page_size * pages:
        raise StoreDamaged(f"{path} is truncated ({size} of {page_size * pages} bytes): "
                           f"{ADVICE}")
    _check_contents(path, thorough)


def _check_contents(path: Path, thorough: bool) -> None:
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                     timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as exc:
        raise StoreDamaged(f"{path} cannot be opened: {exc}") from None
    try:
        problems = ([row[0] for row in connection.execute("PRAGMA quick_check(5)")]
                    if thorough else ["ok"])
        if problems != ["ok"]:
            raise StoreDamaged(f"{path} is damaged ({'; '.join(problems)}): {ADVICE}")
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.OperationalError as exc:
        if any(word in str(exc) for word in ("locked", "busy", "unable to open")):
            return  # held by a writer, or not ours to read: opening it will tell
        raise StoreDamaged(f"{path} is damaged ({exc}): {ADVICE}") from None
    except sqlite3.DatabaseError as exc:
        raise StoreDamaged(f"{path} is damaged ({exc}): {ADVICE}") from None
    finally:
        connection.close()
    if EVENTS_TABLE not in tables:
        raise StoreDamaged(f"{path} is an SQLite database of something else (it has no "
                           f"{EVENTS_TABLE} table), not a walkthrough store")
