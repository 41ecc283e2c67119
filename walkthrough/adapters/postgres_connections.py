"""PostgreSQL connections without a ping per checkout.

The pool's check (`check_idle`) costs no round trip: an idle connection the server has
written to (a terminated backend's last words, a restart's end of stream) is pinged,
and dropped when that fails. A connection that dies after leaving the pool is found by
the error: `run_statement` has the pool ping its idle connections (replacing the dead
ones) and sends its one statement again on another.
"""

from __future__ import annotations

import functools
import select
from collections.abc import Callable, Sequence
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

import psycopg
import psycopg_pool
from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import tuple_row

# A statement meeting a dropped connection is sent this often in all (after the pool
# has pinged its idle connections and replaced the dead ones).
LOST_CONNECTION_ATTEMPTS = 3

P = ParamSpec("P")
R = TypeVar("R")


class HasDatastore(Protocol):
    @property
    def datastore(self) -> PostgresDatastore: ...


S = TypeVar("S", bound=HasDatastore)


def sent_again_only_when_lost(
        method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """A recorder method of eventsourcing's without the library's own retry (ten
    attempts 0.2 s apart, each waiting up to the connect timeout: with the server away,
    a request learnt it after ten timeouts - 52 s by default - instead of one). Sent
    again only when the server dropped the connection under it, as `run_statement`."""
    inner: Callable[Concatenate[S, P], R] = getattr(method, "__wrapped__", method)

    @functools.wraps(inner)
    def call(recorder: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(LOST_CONNECTION_ATTEMPTS):
            try:
                return inner(recorder, *args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                if attempt + 1 == LOST_CONNECTION_ATTEMPTS or not connection_lost(exc):
                    raise
                recorder.datastore.pool.check()
        raise AssertionError("unreachable")

    return call


def run_statement(datastore: PostgresDatastore, statement: bytes, params: Sequence[Any],
                  ) -> list[tuple[Any, ...]]:
    """One statement in autocommit (its own transaction, one round trip), its rows;
    sent again, on another connection, when the server had dropped the one it was sent
    on. Only for statements that are safe to send twice: a read, or a write that the
    database refuses the second time (a key stored already)."""
    for attempt in range(LOST_CONNECTION_ATTEMPTS):
        try:
            with datastore.get_connection() as conn, \
                    conn.cursor(row_factory=tuple_row) as curs:
                curs.execute(statement, params, prepare=True)
                return curs.fetchall()
        except (OperationalError, InterfaceError) as exc:
            if attempt + 1 == LOST_CONNECTION_ATTEMPTS or not connection_lost(exc):
                raise
            # Whatever dropped this one (a restart, terminated backends) may have
            # dropped the others waiting in the pool: ping them all, once.
            datastore.pool.check()
    raise AssertionError("unreachable")


def check_idle(conn: psycopg.Connection[Any]) -> None:
    """Whether a connection leaving the pool still works, without a round trip: an idle
    connection the server has written to (a terminated backend's last words, a restart's
    end of stream) is pinged, and dropped when that fails. The pool's `check`."""
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("the connection is closed")
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    if readable:
        conn.execute("")


def connection_lost(exc: Exception) -> bool:
    """Whether the server dropped the connection under a statement (so the statement
    can be sent again on another), rather than refusing the statement or not being
    reachable at all (no connection within the timeout)."""
    cause = exc.__cause__
    if isinstance(cause, psycopg_pool.PoolTimeout) or not isinstance(
            cause, psycopg.OperationalError | psycopg.InterfaceError):
        return False
    state = getattr(cause, "sqlstate", None)
    return state is None or state.startswith(("08", "57P"))
