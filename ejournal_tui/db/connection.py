"""Opening connections. Identity is the database session itself; the app stores no passwords."""

from typing import Any, TypeAlias, TypeVar

import psycopg
from psycopg.abc import Params
from psycopg.rows import DictRow, class_row, dict_row

from ejournal_tui.errors import NotFound

APPLICATION_NAME = "ejournal"

Conn: TypeAlias = psycopg.Connection[DictRow]
"""Every connection of the app: rows come back as dicts (`dict_row`); a query that wants another
shape passes its own `row_factory` to `cursor()`."""

R = TypeVar("R")


def one(cur: psycopg.Cursor[R]) -> R:
    """The row of a query that returns one: `SELECT f()`, `INSERT … RETURNING`, or an `UPDATE …
    RETURNING` whose row may be hidden from this session (row-level security) or gone."""
    row = cur.fetchone()
    if row is None:
        raise NotFound("Запись не найдена или недоступна")
    return row


def rows_as(conn: Conn, model: type[R], query: str, params: Params | None = None) -> list[R]:
    """The rows of a query as `model` instances, built by psycopg's `class_row` (model(**columns))."""
    with conn.cursor(row_factory=class_row(model)) as cur:
        return cur.execute(query, params).fetchall()


def connect(conninfo: str = "", *, autocommit: bool = True, **kwargs: Any) -> Conn:
    """A connection with libpq's own conventions (conninfo, PG* variables, service file, .pgpass)."""
    kwargs.setdefault("application_name", APPLICATION_NAME)
    kwargs.setdefault("connect_timeout", 10)
    return psycopg.connect(conninfo, autocommit=autocommit, row_factory=dict_row, **kwargs)


def connect_for_reports(conninfo: str = "", **kwargs: Any) -> Conn:
    """Read-only reports may run on a standby: the setting report_dsn (EJOURNAL_REPORT_DSN, e.g.
    the servers' list with target_session_attrs=prefer-standby) when set, else the ordinary one."""
    from ejournal_tui.settings import current

    return connect(current().report_dsn or conninfo, **kwargs)


def with_user(conninfo: str, user: str, dbname: str | None = None) -> str:
    """The same server, another login (the demo server trusts its local socket)."""
    params: dict[str, Any] = psycopg.conninfo.conninfo_to_dict(conninfo)
    params["user"] = user
    if dbname:
        params["dbname"] = dbname
    return psycopg.conninfo.make_conninfo(**params)
