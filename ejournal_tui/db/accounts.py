"""Accounts: a PostgreSQL login role and its staff row, through ej.add_user() and friends."""

from datetime import UTC, datetime

import psycopg
from psycopg import sql

from ejournal_tui.models import Me, UserAccount

ROLES = ("teacher", "methodist", "deputy", "director", "admin")


def add_user(conn: psycopg.Connection, login: str, roles: list[str], full_name: str,
             organization_id: int | None = None) -> int:
    row = conn.execute("SELECT ej.add_user(%s, %s, %s, %s) AS id",
                       (login, roles, full_name, organization_id)).fetchone()
    return row["id"]


def set_locked(conn: psycopg.Connection, login: str, locked: bool) -> None:
    conn.execute("SELECT ej.set_user_locked(%s, %s)", (login, locked))


def list_users(conn: psycopg.Connection) -> list[UserAccount]:
    rows = conn.execute("SELECT * FROM ej.user_account ORDER BY organization_id, full_name").fetchall()
    return [UserAccount(**r) for r in rows]


def whoami(conn: psycopg.Connection) -> Me:
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
    return Me(**row)


def ensure_login_role(conn: psycopg.Connection, login: str, role: str) -> None:
    """For demo and test servers only (run as a superuser): a login for an existing staff row."""
    if role not in ROLES:
        raise ValueError(role)
    if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone():
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login)))
    conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier("ej_" + role), sql.Identifier(login)))
    # As ej.add_user() would have it: the owner administers the login (lock/unlock, PostgreSQL 16+).
    conn.execute(sql.SQL("GRANT {} TO ej_owner WITH ADMIN OPTION").format(sql.Identifier(login)))


def _verifier(conn: psycopg.Connection, login: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier, computed by libpq on this side of the connection."""
    return conn.pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256").decode()


def issue_password(conn: psycopg.Connection, login: str) -> str:
    """A generated one-time password for LAN use; shown once, valid for a week."""
    import secrets

    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    password = "".join(secrets.choice(alphabet) for _ in range(14))
    conn.execute("SELECT ej.set_user_password(%s, %s)", (login, _verifier(conn, login, password)))
    return password


def change_own_password(conn: psycopg.Connection, login: str, password: str) -> None:
    conn.execute("SELECT ej.change_own_password(%s)", (_verifier(conn, login, password),))


def add_organization(conn: psycopg.Connection, name: str, *, unit_name: str | None = None,
                     director_name: str | None = None, address: str | None = None,
                     time_zone: str | None = None) -> int:
    """A technopark; only the database owner or a superuser may add one (no role has INSERT).
    `time_zone` (IANA, default Europe/Moscow) is where its "today" and the 3-day window are counted."""
    row = conn.execute(
        "INSERT INTO ej.organization (name, unit_name, director_name, address, time_zone)"
        " VALUES (%s, %s, %s, %s, coalesce(%s, 'Europe/Moscow')) RETURNING id",
        (name, unit_name, director_name, address, time_zone),
    ).fetchone()
    return row["id"]
