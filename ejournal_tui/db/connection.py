"""Opening connections. Identity is the database session itself; the app stores no passwords."""

import psycopg
from psycopg.rows import dict_row

APPLICATION_NAME = "ejournal"


def connect(conninfo: str = "", *, autocommit: bool = True, **kwargs) -> psycopg.Connection:
    """A connection with libpq's own conventions (conninfo, PG* variables, service file, .pgpass)."""
    kwargs.setdefault("application_name", APPLICATION_NAME)
    kwargs.setdefault("connect_timeout", 10)
    return psycopg.connect(conninfo, autocommit=autocommit, row_factory=dict_row, **kwargs)


def connect_for_reports(conninfo: str = "", **kwargs) -> psycopg.Connection:
    """Read-only reports may run on a standby: the setting report_dsn (EJOURNAL_REPORT_DSN, e.g.
    the servers' list with target_session_attrs=prefer-standby) when set, else the ordinary one."""
    from ejournal_tui.settings import current

    return connect(current().report_dsn or conninfo, **kwargs)


def with_user(conninfo: str, user: str, dbname: str | None = None) -> str:
    """The same server, another login (the demo server trusts its local socket)."""
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    params["user"] = user
    if dbname:
        params["dbname"] = dbname
    return psycopg.conninfo.make_conninfo(**params)
