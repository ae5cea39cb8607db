"""One session's connection to the database, shared by the screens' worker threads.

Calls are serialized by a lock (one transaction at a time on the connection). A lost
connection is closed and reported as `Unreachable`; the next call connects again, so the
screens can retry without knowing psycopg.
"""

import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

import psycopg

from ejournal_tui import vocabulary
from ejournal_tui.db import errors
from ejournal_tui.db.connection import Conn, connect
from ejournal_tui.errors import Unavailable, UserError

T = TypeVar("T")


class Unreachable(Unavailable):
    """The database cannot be reached now; the call changed nothing and may be retried."""


class Session:
    def __init__(self, conninfo: str = ""):
        self.conninfo = conninfo
        self._conn: Conn | None = None
        self._lock = threading.Lock()
        self._messages: dict[str, str] = {}

    def run(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """fn(connection, *args, **kwargs) with the session's connection, connecting if needed."""
        with self._lock:
            conn = self._connection()
            try:
                return fn(conn, *args, **kwargs)
            except psycopg.OperationalError as exc:
                if isinstance(exc, psycopg.errors.QueryCanceled) or (not conn.closed and not conn.broken):
                    raise
                self._drop()
                raise Unreachable(errors.user_message(exc)) from exc

    def ping(self) -> None:
        self.run(lambda conn: conn.execute("SELECT 1"))

    def user_error(self, exc: BaseException) -> UserError:
        """The refusal a person reads for an error of a call (with this database's constraint
        messages)."""
        return errors.to_user_error(exc, self._messages)

    def message(self, exc: BaseException) -> str:
        """A Russian sentence for an error of a call."""
        return self.user_error(exc).message

    @property
    def backend_pid(self) -> int | None:
        conn = self._conn
        return conn.info.backend_pid if conn is not None and not conn.closed else None

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _connection(self) -> Conn:
        if self._conn is not None and (self._conn.closed or self._conn.broken):
            self._drop()
        if self._conn is None:
            try:
                # keepalives: a link that silently died is noticed in about half a minute
                self._conn = connect(
                    self.conninfo,
                    connect_timeout=5,
                    keepalives=1,
                    keepalives_idle=10,
                    keepalives_interval=5,
                    keepalives_count=3,
                )
                if not self._messages:
                    self._messages = errors.load_constraint_messages(self._conn)
                    vocabulary.load(self._conn)
            except psycopg.OperationalError as exc:
                self._drop()
                if exc.sqlstate and exc.sqlstate.startswith("28"):
                    raise  # refused login: retrying will not help
                raise Unreachable(errors.user_message(exc)) from exc
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
