"""The deputy director's control of journal keeping and the director's approval of the schedule
and teacher load (regulation, section 4). Numbers come from SQL (ej.control_dashboard,
ej.teacher_load); the approval is ej.approve_schedule, recorded with who and when."""

from datetime import date, datetime, time
from decimal import Decimal

from ejournal_tui.db.connection import Conn, one, rows_as
from ejournal_tui.models import Row

BY = ("teacher", "quantum", "group")


class ControlRow(Row):
    key_id: int
    name: str
    detail: str | None
    groups: int
    lessons: int
    with_topic: int
    topics_pct: Decimal | None
    hours_pct: Decimal | None
    present_pct: Decimal | None
    on_time: int
    late: int
    missing: int
    on_time_pct: Decimal | None
    remarks_open: int


def dashboard(conn: Conn, by: str, iteration_id: int, today: date,
              teacher_id: int | None = None, quantum_id: int | None = None) -> list[ControlRow]:
    rows = conn.execute("SELECT * FROM ej.control_dashboard(%s, %s, %s, %s, %s)",
                        (by, iteration_id, today, teacher_id, quantum_id)).fetchall()
    return [ControlRow(**r) for r in rows]


def current_iteration(conn: Conn) -> int | None:
    from ejournal_tui.db.reports import current_iteration as current

    return current(conn)


class LoadRow(Row):
    teacher_id: int
    teacher_name: str
    groups: int
    slots: int
    hours_per_week: Decimal | None


class SlotView(Row):
    group_id: int
    group_name: str
    teacher_name: str
    program_name: str
    weekday: int | None
    starts_at: time | None
    ends_at: time | None
    room: str | None


class Approval(Row):
    id: int
    name: str
    starts_on: date
    ends_on: date
    status: str
    schedule_approved_at: datetime | None
    approved_by_name: str | None


def iterations(conn: Conn) -> list[Approval]:
    """Iterations not archived, the next to start first: what the director may approve."""
    return rows_as(
        conn, Approval,
        """SELECT i.id, i.name, i.starts_on, i.ends_on, i.status, i.schedule_approved_at,
                  s.full_name AS approved_by_name
             FROM ej.iteration i LEFT JOIN ej.staff s ON s.id = i.schedule_approved_by
            WHERE i.status <> 'archived'
            ORDER BY i.schedule_approved_at IS NOT NULL, i.starts_on DESC"""
    )


def teacher_load(conn: Conn, iteration_id: int) -> list[LoadRow]:
    return rows_as(
        conn, LoadRow,
        """SELECT teacher_id, teacher_name, groups, slots, hours_per_week FROM ej.teacher_load
            WHERE iteration_id = %s ORDER BY teacher_name""",
        (iteration_id,),
    )


def schedule(conn: Conn, iteration_id: int) -> list[SlotView]:
    return rows_as(
        conn, SlotView,
        """SELECT g.id AS group_id, g.name AS group_name, t.full_name AS teacher_name, p.name AS program_name,
                  s.weekday, s.starts_at, s.ends_at, coalesce(s.room, g.room) AS room
             FROM ej.study_group g
             JOIN ej.staff t ON t.id = g.teacher_id
             JOIN ej.program p ON p.id = g.program_id
             LEFT JOIN ej.schedule_slot s ON s.group_id = g.id
            WHERE g.iteration_id = %s
            ORDER BY s.weekday NULLS FIRST, s.starts_at, g.name""",
        (iteration_id,),
    )


def approve(conn: Conn, iteration_id: int) -> datetime:
    return one(conn.execute("SELECT ej.approve_schedule(%s) AS at", (iteration_id,)))["at"]


class HardCopy(Row):
    id: int
    title: str
    kind: str
    pages: int
    fingerprint: str
    printed_by_name: str | None
    printed_at: datetime
    received_by_name: str | None = None
    received_at: datetime | None = None


def hard_copies(conn: Conn, iteration_id: int | None) -> list[HardCopy]:
    """Hard copies of the journal printed (and so handed over to the deputy director)."""
    return rows_as(
        conn, HardCopy,
        """SELECT p.id, p.title, p.kind, p.pages, p.fingerprint, s.full_name AS printed_by_name, p.printed_at,
                  r.full_name AS received_by_name, p.received_at
             FROM ej.print_fingerprint p LEFT JOIN ej.staff s ON s.id = p.printed_by
             LEFT JOIN ej.staff r ON r.id = p.received_by
            WHERE p.kind IN ('journal', 'group') AND (%(it)s::bigint IS NULL OR p.iteration_id = %(it)s)
            ORDER BY p.printed_at DESC""",
        {"it": iteration_id},
    )


def receive_hard_copy(conn: Conn, copy_id: int) -> datetime:
    """The deputy director confirms receiving a hard copy from the methodist: who and when."""
    return one(conn.execute("SELECT ej.receive_hard_copy(%s) AS at", (copy_id,)))["at"]
