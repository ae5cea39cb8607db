"""The regulation's duties a person reads on first login, and the confirmation (who and when
come from the session, 0011). The methodist sees who confirmed (ejournal_tui.db.lists.staff)."""

from datetime import datetime

from ejournal_tui.db.connection import Conn
from ejournal_tui.models import Row


class Duty(Row):
    role: str
    position: int
    duty: str


class Acknowledged(Row):
    role: str
    acknowledged_at: datetime


def missing(conn: Conn) -> dict[str, list[Duty]]:
    """The session's roles whose duties it has not confirmed yet, each with its duties."""
    rows = conn.execute(
        """
        SELECT d.role, d.position, d.duty
          FROM ej.regulation_duty d
         WHERE pg_has_role(session_user, 'ej_' || d.role, 'MEMBER')
           AND NOT EXISTS (SELECT 1 FROM ej.acknowledgment a
                            WHERE a.staff_id = ej.current_staff_id() AND a.role = d.role)
         ORDER BY array_position(ARRAY['teacher', 'methodist', 'deputy', 'director', 'admin'], d.role), d.position
        """
    ).fetchall()
    out: dict[str, list[Duty]] = {}
    for r in rows:
        out.setdefault(r["role"], []).append(Duty(**r))
    return out


def acknowledge(conn: Conn, roles: list[str]) -> list[Acknowledged]:
    """Confirm the duties of these roles, all at once."""
    with conn.transaction():
        conn.execute(
            """INSERT INTO ej.acknowledgment (role) SELECT unnest(%s::text[])
               ON CONFLICT (staff_id, role) DO NOTHING""", (roles,))
        rows = conn.execute(
            """SELECT role, acknowledged_at FROM ej.acknowledgment
                WHERE staff_id = ej.current_staff_id() AND role = ANY (%s) ORDER BY role""", (roles,)).fetchall()
    return [Acknowledged(**r) for r in rows]
