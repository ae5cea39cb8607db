"""Accounts: a PostgreSQL login role and its staff row, through ej.request_account() and friends.

A login that reads children's data (issued, granted such a role, unlocked, or given a new
password by an administrator) takes effect only when a second person confirms the request
(ej.decide_account_request: the director; for a director's login, the deputy). The functions
that may wait return the request's number, or None when the change was applied at once
(a superuser, or a login with the administrator role only)."""

from dataclasses import dataclass
from datetime import UTC, datetime

from psycopg import sql

from ejournal_tui.db.connection import Conn, one, rows_as
from ejournal_tui.errors import Forbidden, NotFound
from ejournal_tui.models import AccountEvent, AccountRequest, Me, UserAccount

ROLES = ("teacher", "methodist", "deputy", "director", "admin")


@dataclass(frozen=True)
class Issued:
    staff_id: int | None  # the account exists now
    request_id: int | None  # … or it awaits confirmation


@dataclass(frozen=True)
class IssuedPassword:
    password: str
    request_id: int | None  # None: valid now; else valid once the request is confirmed


def issue_account(conn: Conn, login: str, roles: list[str], full_name: str,
                  organization_id: int | None = None) -> Issued:
    row = one(conn.execute("SELECT * FROM ej.request_account(%s, %s, %s, %s)",
                       (login, roles, full_name, organization_id)))
    return Issued(row["staff_id"], row["request_id"])


def add_user(conn: Conn, login: str, roles: list[str], full_name: str,
             organization_id: int | None = None) -> int | None:
    """The staff id of the new account, or None when it awaits confirmation."""
    return issue_account(conn, login, roles, full_name, organization_id).staff_id


def set_locked(conn: Conn, login: str, locked: bool) -> int | None:
    """Locking is immediate; unlocking a login that reads children's data is a request."""
    return one(conn.execute("SELECT ej.request_lock(%s, %s) AS id", (login, locked)))["id"]


def set_roles(conn: Conn, login: str, roles: list[str]) -> int | None:
    """The login's roles become exactly these; a new role that reads children's data is a request."""
    return one(conn.execute("SELECT ej.request_roles(%s, %s) AS id", (login, roles)))["id"]


def pending_requests(conn: Conn) -> list[AccountRequest]:
    return rows_as(conn, AccountRequest, "SELECT * FROM ej.pending_account_request ORDER BY requested_at, id")


def decide(conn: Conn, request_id: int, confirm: bool) -> None:
    conn.execute("SELECT ej.decide_account_request(%s, %s)", (request_id, confirm))


def account_log(conn: Conn, limit: int = 200) -> list[AccountEvent]:
    return rows_as(conn, AccountEvent, "SELECT * FROM ej.account_log ORDER BY at DESC, id DESC LIMIT %s", (limit,))


def list_users(conn: Conn) -> list[UserAccount]:
    return rows_as(conn, UserAccount, "SELECT * FROM ej.user_account ORDER BY organization_id, full_name")


def whoami(conn: Conn) -> Me:
    row = conn.execute(
        """
        SELECT s.id AS staff_id, session_user AS login, s.full_name, s.organization_id,
               o.name AS organization_name, ej.org_time_zone(s.organization_id) AS time_zone,
               ej.today() AS db_today, ej.frozen_today(), clock_timestamp() - %s::timestamptz AS clock_skew,
               ARRAY(SELECT substr(g.rolname, 4) FROM pg_roles g
                      WHERE g.rolname IN ('ej_teacher', 'ej_methodist', 'ej_deputy', 'ej_director', 'ej_admin')
                        AND pg_has_role(session_user, g.oid, 'MEMBER')
                      ORDER BY array_position(ARRAY['ej_teacher', 'ej_methodist', 'ej_deputy',
                                                    'ej_director', 'ej_admin']::name[], g.rolname)) AS roles
          FROM (SELECT 1) one
          LEFT JOIN ej.staff s ON s.login = session_user
          LEFT JOIN ej.organization o ON o.id = s.organization_id
        """,
        (datetime.now(UTC),),
    ).fetchone()
    if row is None:  # FROM (SELECT 1): always one row
        raise NotFound("Учётная запись не найдена")
    return Me(**row)


def ensure_login_role(conn: Conn, login: str, role: str) -> None:
    """For demo and test servers only: a login for an existing staff row, made directly — the one
    path that skips the second person's confirmation (and the account log), so it refuses anyone
    but a superuser."""
    if role not in ROLES:
        raise ValueError(role)
    if not one(conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = session_user"))["rolsuper"]:
        raise Forbidden("Учётные записи без подтверждения создаёт только суперпользователь (демо, тесты)")
    if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone():
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login)))
    conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier("ej_" + role), sql.Identifier(login)))
    # As ej.add_user() would have it: the owner administers the login (lock/unlock, PostgreSQL 16+).
    conn.execute(sql.SQL("GRANT {} TO ej_owner WITH ADMIN OPTION").format(sql.Identifier(login)))


def _verifier(conn: Conn, login: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier, computed by libpq on this side of the connection."""
    return conn.pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256").decode()


def issue_password(conn: Conn, login: str) -> IssuedPassword:
    """A generated one-time password for LAN use; shown once, valid for a week from the moment it
    takes effect (at once, or when the reset is confirmed)."""
    import secrets

    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    password = "".join(secrets.choice(alphabet) for _ in range(14))
    row = one(conn.execute("SELECT * FROM ej.request_password(%s, %s)",
                       (login, _verifier(conn, login, password))))
    return IssuedPassword(password, row["request_id"])


def change_own_password(conn: Conn, login: str, password: str) -> None:
    conn.execute("SELECT ej.change_own_password(%s)", (_verifier(conn, login, password),))


def add_organization(conn: Conn, name: str, *, unit_name: str | None = None,
                     director_name: str | None = None, address: str | None = None,
                     time_zone: str | None = None) -> int:
    """A technopark; only the database owner or a superuser may add one (no role has INSERT).
    `time_zone` (IANA, default Europe/Moscow) is where its "today" and the 3-day window are counted."""
    row = one(conn.execute(
        "INSERT INTO ej.organization (name, unit_name, director_name, address, time_zone)"
        " VALUES (%s, %s, %s, %s, coalesce(%s, 'Europe/Moscow')) RETURNING id",
        (name, unit_name, director_name, address, time_zone),
    ))
    return row["id"]
