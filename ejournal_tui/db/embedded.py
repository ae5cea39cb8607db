"""The private PostgreSQL of `ejournal demo` and of the tests, from the pgserver wheel.

It listens on a Unix socket only and trusts local logins: acceptable for this private demo
server, never for production.
"""

import logging
import warnings
from pathlib import Path

import psycopg

from ejournal_tui.db.connection import connect, with_user

DEMO_DATABASE = "ejournal"

# pgserver asks platformdirs for the runtime directory when it is imported, and platformdirs
# warns (RuntimeDirWarning) when XDG_RUNTIME_DIR is unset or not private, as under root or sudo;
# the fallback it picks works, and a warning on every start only alarms the user. So pgserver is
# imported only here, below this filter (scripts too: `postgres_bin()`).
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")


def postgres_bin() -> Path:
    """The embedded server's programs (pg_ctl, pgbench…)."""
    from pgserver._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


class EmbeddedServerError(RuntimeError):
    pass


class EmbeddedServer:
    def __init__(self, pgdata: Path, *, cleanup: str | None = "stop"):
        try:
            import pgserver
        except ImportError as exc:  # the extra is not installed
            raise EmbeddedServerError(
                "Встроенный сервер не установлен: pip install 'ejournal[embedded]'"
            ) from exc
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        self._server = pgserver.get_server(pgdata, cleanup_mode=cleanup)
        self.pgdata = pgdata
        self.superuser_conninfo = psycopg.conninfo.make_conninfo(self._server.get_uri())

    def conninfo(self, dbname: str = DEMO_DATABASE, user: str = "postgres") -> str:
        return with_user(self.superuser_conninfo, user, dbname)

    def ensure_database(self, dbname: str = DEMO_DATABASE) -> str:
        with connect(self.superuser_conninfo) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
            if not exists:
                conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(dbname)))
        return self.conninfo(dbname)

    def drop_database(self, dbname: str) -> None:
        with connect(self.superuser_conninfo) as conn:
            conn.execute(
                psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(dbname))
            )

    def stop(self) -> None:
        self._server.cleanup()
