"""Outgoing email, kept in the store until it is sent: a write that asks for an email
only adds a row here, so a mail server that is down or refusing never blocks it or loses
the message. A sender in the server process (web.composition.mail) takes what is due, sends it and
marks it sent, or records the error and tries again later, waiting longer each time.

The rules live in `MailQueue`; each backend only says how to create the table, insert,
list, claim and update rows in its own SQL dialect. Claiming is what keeps several
server processes from sending one message twice: it moves the row's next attempt past
a lease, and only the process whose update changed the row sends it.

A message made from a fact (an invitation to a visit, a reminder of a check-in) is
enqueued with a key: its id is derived from the key, so asking again for the same
message adds nothing, however often the fact is looked at. A message may carry an
iCalendar part (an invitation), sent beside its text.

A message may carry an expiry (a sign-in link is useless after 15 minutes): past it,
the message is given up instead of sent.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta

import msgspec
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL, Composed, Identifier

TABLE = "outgoing_mail"
# While one process sends a message, the others leave it alone for this long.
LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(minutes=10)
LAST_ERROR_CHARS = 500
# A message still refused after this many attempts (about three hours) is given up.
MOST_ATTEMPTS = 25
KEYED = uuid.UUID("3d4f1c52-8a0e-4d6b-9c61-2f5e7b8a9d10")  # ids of keyed messages
Row = tuple[str, str, str, str, str, str, str | None, str | None]


class OutgoingMail(msgspec.Struct, frozen=True):
    id: str
    recipient: str
    subject: str
    body: str
    attempts: int
    expires_at: datetime | None
    calendar: str | None = None  # an iCalendar part (METHOD:REQUEST or CANCEL)


class MailQueueStatus(msgspec.Struct, frozen=True):
    """What organizers see of the queue: how many messages wait, were sent, are being
    retried after a failure or were given up, and the last error with when it happened."""

    waiting: int
    sent: int
    retrying: int
    given_up: int
    last_error: str | None
    last_error_at: datetime | None
    last_sent_at: datetime | None


def retry_wait(attempts: int, first: timedelta = FIRST_RETRY,
               longest: timedelta = LONGEST_WAIT) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling, capped."""
    wait: timedelta = first * 2 ** max(0, attempts - 1)
    return min(wait, longest)


class MailQueue(ABC):
    def __init__(self, first_retry: timedelta = FIRST_RETRY,
                 longest_wait: timedelta = LONGEST_WAIT) -> None:
        self.first_retry = first_retry
        self.longest_wait = longest_wait

    def enqueue(self, recipient: str, subject: str, body: str, now: datetime,
                expires_at: datetime | None = None, key: str | None = None,
                calendar: str | None = None) -> str:
        """Keep a message to send as soon as possible; its id. With a key, a message
        with the same key is kept once (the second ask adds nothing)."""
        mail_id = str(uuid.uuid4() if key is None else uuid.uuid5(KEYED, key))
        self._insert((mail_id, recipient, subject, body, _at(now), _at(now),
                      None if expires_at is None else _at(expires_at), calendar))
        return mail_id

    def claim_due(self, now: datetime, limit: int = 20) -> list[OutgoingMail]:
        """Messages due now, each claimed for this caller for `LEASE`; expired ones are
        given up on the way."""
        claimed = []
        for mail, next_attempt_at in self._due(_at(now), limit):
            if mail.expires_at is not None and mail.expires_at <= now:
                self._give_up(mail.id, _at(now))
                continue
            if self._claim(mail.id, next_attempt_at, _at(now + LEASE)):
                claimed.append(mail)
        return claimed

    def sent(self, mail_id: str, now: datetime) -> None:
        self._sent(mail_id, _at(now))

    def failed(self, mail: OutgoingMail, error: str, now: datetime) -> datetime | None:
        """Record a failed attempt; when the next one is due (None: given up)."""
        attempts = mail.attempts + 1
        next_at = now + retry_wait(attempts, self.first_retry, self.longest_wait)
        self._failed(mail.id, attempts, error[:LAST_ERROR_CHARS], _at(now),
                     _at(next_at))
        if attempts >= MOST_ATTEMPTS or (mail.expires_at is not None
                                         and mail.expires_at <= next_at):
            self._give_up(mail.id, _at(now))
            return None
        return next_at

    def status(self) -> MailQueueStatus:
        counts, last_error, last_error_at, last_sent_at = self._status()
        return MailQueueStatus(
            waiting=counts.get("waiting", 0), sent=counts.get("sent", 0),
            retrying=counts.get("retrying", 0), given_up=counts.get("given_up", 0),
            last_error=last_error,
            last_error_at=_time(last_error_at), last_sent_at=_time(last_sent_at))

    # Each statement is written once (below); a backend only runs them in its dialect.

    def _insert(self, row: Row) -> None:
        self._execute(INSERT, list(row))

    def _due(self, now: str, limit: int) -> list[tuple[OutgoingMail, str]]:
        return [_mail(row) for row in self._query(DUE, [now, limit])]

    def _claim(self, mail_id: str, next_attempt_at: str, lease_until: str) -> bool:
        """Move the row's next attempt to `lease_until` if it is still `next_attempt_at`
        and unsent: True when this caller's update did it."""
        return self._execute(CLAIM, [lease_until, mail_id, next_attempt_at]) == 1

    def _sent(self, mail_id: str, now: str) -> None:
        self._execute(SENT, [now, mail_id])

    def _failed(self, mail_id: str, attempts: int, error: str, now: str,
                next_attempt_at: str) -> None:
        self._execute(FAILED, [attempts, error, now, next_attempt_at, mail_id])

    def _give_up(self, mail_id: str, now: str) -> None:
        self._execute(GIVE_UP, [now, mail_id])

    def _status(self) -> tuple[dict[str, int], str | None, str | None, str | None]:
        counts = {str(row["state"]): int(str(row["n"])) for row in self._query(COUNTS, [])}
        error = next(iter(self._query(LAST_ERROR, [])), None)
        sent = next(iter(self._query(LAST_SENT, [])), None)
        return (counts, None if error is None else _text(error["last_error"]),
                None if error is None else _text(error["last_error_at"]),
                None if sent is None else _text(sent["last_sent_at"]))

    @abstractmethod
    def _execute(self, statement: str, params: list[object]) -> int:
        """Run a write; how many rows it changed."""

    @abstractmethod
    def _query(self, statement: str, params: list[object]) -> list[dict[str, object]]:
        """Run a read; its rows."""


def _text(value: object) -> str | None:
    return None if value is None else str(value)

def _at(moment: datetime) -> str:
    """Times are kept as UTC ISO text of one width, so SQL compares them as text."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _mail(row: dict[str, object]) -> tuple[OutgoingMail, str]:
    expires = row["expires_at"]
    return OutgoingMail(
        id=str(row["id"]), recipient=str(row["recipient"]), subject=str(row["subject"]),
        body=str(row["body"]), attempts=int(str(row["attempts"])),
        expires_at=None if expires is None else datetime.fromisoformat(str(expires)),
        calendar=None if row["calendar"] is None else str(row["calendar"]),
    ), str(row["next_attempt_at"])


# Written once with "?" parameters (SQLite); `_postgres` makes the PostgreSQL statement.
CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS {} ("
    "id TEXT PRIMARY KEY, recipient TEXT NOT NULL, subject TEXT NOT NULL, "
    "body TEXT NOT NULL, created_at TEXT NOT NULL, next_attempt_at TEXT NOT NULL, "
    "expires_at TEXT, attempts INTEGER NOT NULL DEFAULT 0, sent_at TEXT, "
    "given_up_at TEXT, last_error TEXT, last_error_at TEXT, calendar TEXT)"
)
INSERT = ("INSERT INTO {} (id, recipient, subject, body, created_at, next_attempt_at, "
          "expires_at, calendar) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")
UNSENT = "sent_at IS NULL AND given_up_at IS NULL"
DUE = (f"SELECT id, recipient, subject, body, attempts, expires_at, next_attempt_at, "
       f"calendar FROM {{}} "
       f"WHERE {UNSENT} AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?")
CLAIM = f"UPDATE {{}} SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ? AND {UNSENT}"
SENT = "UPDATE {} SET sent_at = ? WHERE id = ?"
FAILED = ("UPDATE {} SET attempts = ?, last_error = ?, last_error_at = ?, "
          "next_attempt_at = ? WHERE id = ?")
GIVE_UP = f"UPDATE {{}} SET given_up_at = ? WHERE id = ? AND {UNSENT}"
COUNTS = ("SELECT CASE WHEN sent_at IS NOT NULL THEN 'sent' "
          "WHEN given_up_at IS NOT NULL THEN 'given_up' "
          "WHEN attempts > 0 THEN 'retrying' ELSE 'waiting' END AS state, "
          "COUNT(*) AS n FROM {} GROUP BY 1")
LAST_ERROR = ("SELECT last_error, last_error_at FROM {} WHERE last_error_at IS NOT NULL "
              "ORDER BY last_error_at DESC LIMIT 1")
LAST_SENT = "SELECT MAX(sent_at) AS last_sent_at FROM {}"


def _postgres(statement: str, table: Identifier) -> Composed:
    return SQL(statement.replace("?", "%s")).format(table)


class SQLiteMailQueue(MailQueue):
    def __init__(self, datastore: SQLiteDatastore, first_retry: timedelta = FIRST_RETRY,
                 longest_wait: timedelta = LONGEST_WAIT) -> None:
        super().__init__(first_retry, longest_wait)
        self.datastore = datastore
        with self.datastore.transaction(commit=True) as c:
            c.execute(CREATE_TABLE.format(TABLE))

    def _execute(self, statement: str, params: list[object]) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute(statement.format(TABLE), params)
            return int(c.sqlite_cursor.rowcount)

    def _query(self, statement: str, params: list[object]) -> list[dict[str, object]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement.format(TABLE), params)
            return [dict(row) for row in c.fetchall()]


class PostgresMailQueue(MailQueue):
    def __init__(self, datastore: PostgresDatastore, first_retry: timedelta = FIRST_RETRY,
                 longest_wait: timedelta = LONGEST_WAIT) -> None:
        super().__init__(first_retry, longest_wait)
        self.datastore = datastore
        self.table = Identifier(datastore.schema, TABLE)
        with self.datastore.transaction(commit=True) as c:
            c.execute(_postgres(CREATE_TABLE, self.table))

    def _execute(self, statement: str, params: list[object]) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute(_postgres(statement, self.table), params)
            return c.rowcount

    def _query(self, statement: str, params: list[object]) -> list[dict[str, object]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(_postgres(statement, self.table), params)
            return [dict(row) for row in c.fetchall()]
