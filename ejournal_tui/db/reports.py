"""Queries of the reports and the hard copy. Every number comes from a view or function of
sql/migrations/0008_reports.sql; each function here is one query for a whole report or a whole
section of the printout (all groups at once), never one per row. Everything runs under the
caller's own role, so RLS decides what a report contains."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from ejournal_tui.db.connection import Conn, one
from ejournal_tui.models import Choice, Row, StudentData

# ------------------------------------------------------------------------------------------ models
# Paper…: a record as the hard copy prints it (people as text, one row per line of the form), not
# the screens' model of the same record (ejournal_tui.db.group_records, ejournal_tui.journal_models).


class Header(Row):
    organization_id: int
    organization_name: str
    unit_name: str | None
    city: str | None
    director_name: str | None
    iteration_id: int
    iteration_name: str
    starts_on: date
    ends_on: date
    status: str
    quantum_id: int | None
    quantum_name: str | None


class GroupInfo(Row):
    group_id: int
    group_name: str
    room: str | None
    iteration_id: int
    quantum_id: int
    quantum_name: str
    program_id: int
    program_name: str
    program_hours: Decimal
    teacher_id: int
    teacher_name: str


class Slot(Row):
    group_id: int
    weekday: int
    starts_at: time
    ends_at: time
    room: str | None
    valid_from: date | None
    valid_to: date | None
    change_order: str | None


class PaperGuardian(Row):
    full_name: str
    relation: str
    phone: str | None


class Enrolled(StudentData):
    group_id: int
    student_id: int
    enrolled_on: date
    enroll_order: str
    left_on: date | None
    leave_order: str | None
    leave_reason: str | None
    guardians: list[PaperGuardian]


class LessonRow(Row):
    group_id: int
    lesson_id: int
    held_on: date
    hours: Decimal
    topic_no: int | None
    topic: str | None
    enrolled: int
    present: int
    absent: int
    excused: int
    unmarked: int


class MarkRow(Row):
    lesson_id: int
    student_id: int
    code: str


class StudentMonth(Row):
    group_id: int
    student_id: int
    month: date
    lessons: int
    present: int
    absent: int
    excused: int
    unmarked: int


class GroupMonth(Row):
    group_id: int
    month: date
    lessons: int
    hours: Decimal
    marks: int
    present: int
    absent: int
    excused: int
    present_pct: Decimal | None
    lessons_total: int
    hours_total: Decimal


class Fulfilment(Row):
    organization_id: int
    iteration_id: int
    iteration_name: str
    quantum_id: int
    quantum_name: str
    program_id: int
    program_name: str
    program_hours: Decimal
    group_id: int
    group_name: str
    teacher_id: int
    teacher_name: str
    topics: int
    ktp_hours: Decimal
    planned_lessons: int
    planned_to_date: int
    lessons: int
    delivered_hours: Decimal
    topics_covered: int
    free_lessons: int
    hours_pct: Decimal | None
    topics_pct: Decimal | None


class PaperBriefing(Row):
    group_id: int
    briefing_id: int
    held_on: date
    kind: str
    content: str
    given_by: str
    students: list[str]


class Unbriefed(Row):
    group_id: int
    student: str


class PaperEvent(Row):
    group_id: int
    held_on: date
    title: str
    place: str | None
    participants: int


class PaperAchievement(Row):
    group_id: int
    held_on: date
    student: str
    competition: str
    level: str
    result: str


class PaperRemark(Row):
    group_id: int
    created_at: datetime
    body: str
    author: str
    author_position: str | None
    fixed_at: datetime | None
    fixed_note: str | None
    closed_at: datetime | None


class NumericRow(Row):
    level: str
    organization_id: int
    quantum_id: int | None
    quantum_name: str | None
    group_id: int | None
    group_name: str | None
    as_of: date
    groups: int
    measure_no: int
    measure: str
    students: int


class LegendRow(Row):
    position: int
    code: str
    meaning: str


class PrintRecord(Row):
    id: int
    organization_id: int
    fingerprint: str
    data_hash: str
    kind: str
    title: str
    iteration_id: int | None
    quantum_id: int | None
    group_id: int | None
    params: dict[str, Any]
    pages: int
    printed_by: int | None
    printed_by_name: str | None
    printed_login: str
    printed_at: datetime


# ------------------------------------------------------------------------------------- hard copy


def journal_header(conn: Conn, iteration_id: int, quantum_id: int | None) -> Header | None:
    row = conn.execute(
        """
        SELECT o.id AS organization_id, o.name AS organization_name, o.unit_name, o.city, o.director_name,
               i.id AS iteration_id, i.name AS iteration_name, i.starts_on, i.ends_on, i.status,
               q.id AS quantum_id,
               coalesce((SELECT g.frozen ->> 'quantum_name'
                           FROM ej.study_group g JOIN ej.program p ON p.id = g.program_id
                          WHERE g.iteration_id = i.id AND p.quantum_id = q.id AND g.frozen IS NOT NULL LIMIT 1),
                        q.name) AS quantum_name
          FROM ej.iteration i
          JOIN ej.organization o ON o.id = i.organization_id
          LEFT JOIN ej.quantum q ON q.id = %(quantum)s AND q.organization_id = i.organization_id
         WHERE i.id = %(iteration)s
        """, {"iteration": iteration_id, "quantum": quantum_id}).fetchone()
    return Header(**row) if row else None


def journal_groups(conn: Conn, iteration_id: int, quantum_id: int | None = None,
                   group_id: int | None = None) -> list[GroupInfo]:
    rows = conn.execute(
        """
        SELECT group_id, group_name, room, iteration_id, quantum_id, quantum_name, program_id, program_name,
               program_hours, teacher_id, teacher_name
          FROM ej.report_group
         WHERE iteration_id = %(iteration)s
           AND (%(quantum)s::bigint IS NULL OR quantum_id = %(quantum)s)
           AND (%(group)s::bigint IS NULL OR group_id = %(group)s)
         ORDER BY program_name, group_name
        """, {"iteration": iteration_id, "quantum": quantum_id, "group": group_id}).fetchall()
    return [GroupInfo(**r) for r in rows]


def group_place(conn: Conn, group_id: int) -> tuple[int, int] | None:
    """(iteration_id, quantum_id) of a group the caller can see."""
    row = conn.execute("SELECT iteration_id, quantum_id FROM ej.report_group WHERE group_id = %s",
                       (group_id,)).fetchone()
    return (row["iteration_id"], row["quantum_id"]) if row else None


def journal_slots(conn: Conn, group_ids: list[int]) -> list[Slot]:
    rows = conn.execute(
        """
        SELECT s.group_id, s.weekday, s.starts_at, s.ends_at, coalesce(s.room, g.room) AS room,
               s.valid_from, s.valid_to, s.change_order
          FROM ej.schedule_slot s JOIN ej.study_group g ON g.id = s.group_id
         WHERE s.group_id = ANY(%s)
         ORDER BY s.group_id, s.valid_from NULLS FIRST, s.weekday, s.starts_at
        """, (group_ids,)).fetchall()
    return [Slot(**r) for r in rows]


def journal_students(conn: Conn, group_ids: list[int]) -> list[Enrolled]:
    rows = conn.execute(
        """
        SELECT e.group_id, e.student_id, s.last_name, s.first_name, s.middle_name, s.birth_date, s.sex,
               s.school, s.school_class, s.medical_clearance, s.medical_clearance_on, s.address, s.phone,
               e.enrolled_on, e.enroll_order, e.left_on, e.leave_order, e.leave_reason,
               CASE WHEN g.frozen IS NOT NULL THEN coalesce(g.frozen -> 'guardians' -> s.id::text, '[]')
                    ELSE coalesce((SELECT jsonb_agg(jsonb_build_object('full_name', gu.full_name, 'relation',
                                                                       gu.relation, 'phone', gu.phone) ORDER BY gu.id)
                                     FROM ej.guardian gu WHERE gu.student_id = s.id), '[]') END AS guardians
          FROM ej.enrollment e
          JOIN ej.study_group g ON g.id = e.group_id
          JOIN ej.student x ON x.id = e.student_id
          CROSS JOIN LATERAL ej.as_printed(g.frozen, x) s
         WHERE e.group_id = ANY(%s)
         ORDER BY e.group_id, s.last_name, s.first_name, s.middle_name NULLS FIRST, s.id, e.enrolled_on
        """, (group_ids,)).fetchall()
    return [Enrolled(**r) for r in rows]


def journal_lessons(conn: Conn, group_ids: list[int]) -> list[LessonRow]:
    """The lessons with their topics and attendance counts. The topics come in a query of their
    own and are matched here: joined in SQL, the planner (which expects one lesson under RLS)
    loops over the КТП once per lesson, ~1 s for a quantum of 500 lessons instead of ~10 ms."""
    topics = {(r["group_id"], r["topic_id"]): (r["position"], r["title"]) for r in conn.execute(
        "SELECT group_id, topic_id, position, title FROM ej.group_topic WHERE group_id = ANY(%s)",
        (group_ids,)).fetchall()}
    rows = conn.execute(
        """
        SELECT l.group_id, l.id AS lesson_id, l.held_on, l.hours, l.topic_id, l.topic,
               la.enrolled, la.present, la.absent, la.excused, la.unmarked
          FROM ej.lesson l
          JOIN ej.report_lesson_attendance la ON la.lesson_id = l.id
         WHERE l.group_id = ANY(%s)
         ORDER BY l.group_id, l.held_on
        """, (group_ids,)).fetchall()
    out = []
    for r in rows:
        position, title = topics.get((r["group_id"], r.pop("topic_id")), (None, None))
        out.append(LessonRow(**r, topic_no=position) if r["topic"] is not None
                   else LessonRow(**{**r, "topic": title}, topic_no=position))
    return out


def journal_marks(conn: Conn, group_ids: list[int]) -> list[MarkRow]:
    rows = conn.execute(
        """
        SELECT a.lesson_id, a.student_id, ej.attendance_code(a.status, a.reason) AS code
          FROM ej.attendance a
         WHERE a.group_id = ANY(%s)
         ORDER BY a.lesson_id, a.student_id
        """, (group_ids,)).fetchall()
    return [MarkRow(**r) for r in rows]


def journal_student_months(conn: Conn, group_ids: list[int]) -> list[StudentMonth]:
    rows = conn.execute(
        """
        SELECT group_id, student_id, month, lessons, present, absent, excused, unmarked
          FROM ej.report_student_month WHERE group_id = ANY(%s)
         ORDER BY group_id, student_id, month
        """, (group_ids,)).fetchall()
    return [StudentMonth(**r) for r in rows]


def journal_group_months(conn: Conn, group_ids: list[int]) -> list[GroupMonth]:
    rows = conn.execute(
        """
        SELECT group_id, month, lessons, hours, marks, present, absent, excused, present_pct,
               (sum(lessons) OVER w)::integer AS lessons_total, sum(hours) OVER w AS hours_total
          FROM ej.report_attendance_group_month
         WHERE group_id = ANY(%s)
        WINDOW w AS (PARTITION BY group_id ORDER BY month)
         ORDER BY group_id, month
        """, (group_ids,)).fetchall()
    return [GroupMonth(**r) for r in rows]


def journal_fulfilment(conn: Conn, group_ids: list[int]) -> list[Fulfilment]:
    rows = conn.execute("SELECT * FROM ej.report_fulfilment WHERE group_id = ANY(%s) ORDER BY group_name",
                        (group_ids,)).fetchall()
    return [Fulfilment(**r) for r in rows]


def student_totals(conn: Conn, group_id: int) -> list[dict]:
    """Each student's lessons and marks over the whole period in a group."""
    return conn.execute(
        """
        SELECT student_id, sum(lessons)::integer AS lessons, sum(present)::integer AS present,
               sum(absent)::integer AS absent, sum(excused)::integer AS excused, sum(unmarked)::integer AS unmarked
          FROM ej.report_student_month WHERE group_id = %s GROUP BY student_id
        """, (group_id,)).fetchall()


def fulfilment_total(conn: Conn, group_ids: list[int]) -> dict | None:
    """КТП hours planned and delivered summed over the groups."""
    return conn.execute(
        """
        SELECT sum(ktp_hours) AS ktp_hours, sum(delivered_hours) AS delivered_hours, sum(lessons)::integer AS lessons,
               round(100.0 * sum(delivered_hours) / nullif(sum(ktp_hours), 0), 1) AS hours_pct
          FROM ej.report_fulfilment WHERE group_id = ANY(%s)
        HAVING count(*) > 0
        """, (group_ids,)).fetchone()


def journal_briefings(conn: Conn, group_ids: list[int]) -> list[PaperBriefing]:
    rows = conn.execute(
        """
        SELECT b.group_id, b.id AS briefing_id, b.held_on, b.kind, b.content, st.full_name AS given_by,
               coalesce(array_agg(s.last_name || ' ' || s.first_name ORDER BY s.last_name, s.first_name, s.id)
                        FILTER (WHERE s.id IS NOT NULL), '{}') AS students
          FROM ej.safety_briefing b
          JOIN ej.study_group g ON g.id = b.group_id
          JOIN ej.staff y ON y.id = b.given_by
          CROSS JOIN LATERAL ej.as_printed(g.frozen, y) st
          LEFT JOIN ej.safety_briefing_student bs ON bs.briefing_id = b.id
          LEFT JOIN ej.student x ON x.id = bs.student_id
          LEFT JOIN LATERAL ej.as_printed(g.frozen, x) s ON x.id IS NOT NULL
         WHERE b.group_id = ANY(%s)
         GROUP BY b.id, st.full_name
         ORDER BY b.group_id, b.held_on, b.id
        """, (group_ids,)).fetchall()
    return [PaperBriefing(**r) for r in rows]


def journal_unbriefed(conn: Conn, group_ids: list[int]) -> list[Unbriefed]:
    """Students of a group with no вводный briefing in that group."""
    rows = conn.execute(
        """
        SELECT DISTINCT e.group_id, s.last_name || ' ' || s.first_name AS student
          FROM ej.enrollment e
          JOIN ej.study_group g ON g.id = e.group_id
          JOIN ej.student x ON x.id = e.student_id
          CROSS JOIN LATERAL ej.as_printed(g.frozen, x) s
         WHERE e.group_id = ANY(%s)
           AND NOT EXISTS (SELECT 1 FROM ej.safety_briefing_student bs
                             JOIN ej.safety_briefing b ON b.id = bs.briefing_id
                            WHERE bs.group_id = e.group_id AND bs.student_id = e.student_id AND b.kind = 'вводный')
         ORDER BY 1, 2
        """, (group_ids,)).fetchall()
    return [Unbriefed(**r) for r in rows]


def journal_events(conn: Conn, group_ids: list[int]) -> list[PaperEvent]:
    rows = conn.execute(
        """
        SELECT group_id, held_on, title, place, participants FROM ej.event
         WHERE group_id = ANY(%s) ORDER BY group_id, held_on, id
        """, (group_ids,)).fetchall()
    return [PaperEvent(**r) for r in rows]


def journal_achievements(conn: Conn, group_ids: list[int]) -> list[PaperAchievement]:
    rows = conn.execute(
        """
        SELECT a.group_id, a.held_on, s.last_name || ' ' || s.first_name AS student, a.competition, a.level,
               a.result
          FROM ej.achievement a
          JOIN ej.study_group g ON g.id = a.group_id
          JOIN ej.student x ON x.id = a.student_id
          CROSS JOIN LATERAL ej.as_printed(g.frozen, x) s
         WHERE a.group_id = ANY(%s)
         ORDER BY a.group_id, a.held_on, s.last_name, s.first_name, a.id
        """, (group_ids,)).fetchall()
    return [PaperAchievement(**r) for r in rows]


def journal_remarks(conn: Conn, group_ids: list[int]) -> list[PaperRemark]:
    rows = conn.execute(
        """
        SELECT r.group_id, r.created_at, r.body, st.full_name AS author, st.position AS author_position,
               r.fixed_at, r.fixed_note, r.closed_at
          FROM ej.remark r
          JOIN ej.study_group g ON g.id = r.group_id
          JOIN ej.staff y ON y.id = r.author_id
          CROSS JOIN LATERAL ej.as_printed(g.frozen, y) st
         WHERE r.group_id = ANY(%s)
         ORDER BY r.group_id, r.created_at, r.id
        """, (group_ids,)).fetchall()
    return [PaperRemark(**r) for r in rows]


def attendance_legend(conn: Conn) -> list[LegendRow]:
    rows = conn.execute("SELECT position, code, meaning FROM ej.attendance_code_legend ORDER BY position")
    return [LegendRow(**r) for r in rows.fetchall()]


# ---------------------------------------------------------------------------------------- reports


def attendance(conn: Conn, by: str = "group", iteration_id: int | None = None,
               quantum_id: int | None = None, teacher_id: int | None = None, group_id: int | None = None,
               date_from: date | None = None, date_to: date | None = None) -> list[dict]:
    return conn.execute(
        "SELECT * FROM ej.report_attendance(%s, %s, %s, %s, %s, %s, %s)",
        (by, iteration_id, quantum_id, teacher_id, group_id, date_from, date_to)).fetchall()


def fulfilment(conn: Conn, iteration_id: int | None = None, quantum_id: int | None = None,
               teacher_id: int | None = None, group_id: int | None = None) -> list[dict]:
    return conn.execute(
        """
        SELECT * FROM ej.report_fulfilment
         WHERE (%(it)s::bigint IS NULL OR iteration_id = %(it)s) AND (%(q)s::bigint IS NULL OR quantum_id = %(q)s)
           AND (%(t)s::bigint IS NULL OR teacher_id = %(t)s) AND (%(g)s::bigint IS NULL OR group_id = %(g)s)
         ORDER BY iteration_name, quantum_name, group_name
        """, {"it": iteration_id, "q": quantum_id, "t": teacher_id, "g": group_id}).fetchall()


def fulfilment_topics(conn: Conn, group_id: int) -> list[dict]:
    return conn.execute(
        "SELECT * FROM ej.report_fulfilment_topic WHERE group_id = %s ORDER BY position", (group_id,)).fetchall()


def timeliness(conn: Conn, by: str = "teacher", iteration_id: int | None = None,
               today: date | None = None, teacher_id: int | None = None) -> list[dict]:
    return conn.execute(
        """
        SELECT * FROM ej.report_timeliness(%(by)s, %(it)s, coalesce(%(today)s::date, ej.today()))
         WHERE %(t)s::bigint IS NULL OR teacher_id = %(t)s
        """, {"by": by, "it": iteration_id, "today": today, "t": teacher_id}).fetchall()


def today(conn: Conn) -> date:
    """The date of the caller's organization (ej.today()): what "as of today" means in a report."""
    return one(conn.execute("SELECT ej.today() AS d"))["d"]


def user_activity(conn: Conn, date_from: date | None = None, date_to: date | None = None) -> list[dict]:
    return conn.execute("SELECT * FROM ej.report_user_activity(%s, %s)", (date_from, date_to)).fetchall()


def iteration_report(conn: Conn, iteration_id: int, today: date | None = None) -> list[dict]:
    return conn.execute("SELECT * FROM ej.report_iteration(%s, coalesce(%s::date, ej.today()))",
                        (iteration_id, today)).fetchall()


def numeric(conn: Conn, iteration_id: int | None = None, as_of: list[date] | None = None,
            group_ids: list[int] | None = None, quantum_id: int | None = None) -> list[NumericRow]:
    rows = conn.execute(
        """
        SELECT * FROM ej.report_numeric(%(it)s, %(as_of)s::date[])
         WHERE (%(groups)s::bigint[] IS NULL OR level <> 'group' OR group_id = ANY(%(groups)s))
           AND (%(q)s::bigint IS NULL OR level = 'organization' OR quantum_id = %(q)s)
        """, {"it": iteration_id, "as_of": as_of, "groups": group_ids, "q": quantum_id}).fetchall()
    return [NumericRow(**r) for r in rows]


def numeric_dates(conn: Conn, iteration_id: int | None) -> list[date]:
    """The three dates of the numeric report for an iteration (01.10, 01.01, 01.06 of its year)."""
    row = one(conn.execute(
        """
        SELECT ARRAY[make_date(y, 10, 1), make_date(y + 1, 1, 1), make_date(y + 1, 6, 1)] AS dates
          FROM (SELECT ej.academic_year(coalesce((SELECT starts_on FROM ej.iteration WHERE id = %s),
                                                 ej.today())) AS y) x
        """, (iteration_id,)))
    return list(row["dates"])


def journal_gaps(conn: Conn, group_ids: list[int], ends_on: date, lessons: list[LessonRow]) -> dict:
    """What keeps a hard copy from being the one to bind: lessons with a student left without a
    mark (from the collected `lessons`), and scheduled dates with no lesson written (counted as
    of a few days after the end, so every date of the iteration is due): the «missing» of
    ej.report_timeliness for these groups, counted for them alone (that function counts the
    whole organization: ~50× the time)."""
    missing = one(conn.execute(
        """SELECT count(*)::integer AS missing
             FROM ej.report_planned_date p
            WHERE p.group_id = ANY(%s) AND p.held_on + ej.edit_window_days() < least(%s::date + 4, ej.today())
              AND NOT EXISTS (SELECT 1 FROM ej.lesson l WHERE l.group_id = p.group_id AND l.held_on = p.held_on)""",
        (group_ids, ends_on)))
    unmarked = [ls.unmarked for ls in lessons if ls.unmarked > 0]
    return {"unmarked_lessons": len(unmarked), "unmarked_cells": sum(unmarked),
            "missing_lessons": missing["missing"]}


def reads_whole_organization(conn: Conn) -> bool:
    """Whether the caller's role sees every group of the organization (a teacher sees only own)."""
    row = one(conn.execute(
        """SELECT pg_has_role(session_user, 'ej_methodist', 'MEMBER')
                  OR pg_has_role(session_user, 'ej_deputy', 'MEMBER')
                  OR pg_has_role(session_user, 'ej_director', 'MEMBER')
                  OR pg_has_role(session_user, 'ej_owner', 'MEMBER') OR
                  (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) AS whole"""))
    return bool(row["whole"])


# ------------------------------------------------------------------------------ lookups for the CLI


def iterations(conn: Conn) -> list[Choice]:
    rows = conn.execute(
        """SELECT id, name, status AS detail FROM ej.iteration
            ORDER BY status = 'active' DESC, starts_on DESC""").fetchall()
    return [Choice(**r) for r in rows]


def current_iteration(conn: Conn) -> int | None:
    row = conn.execute(
        """SELECT id FROM ej.iteration
            ORDER BY status = 'active' DESC, status = 'closed' DESC, starts_on DESC LIMIT 1""").fetchone()
    return row["id"] if row else None


def quantums_with_groups(conn: Conn, iteration_id: int) -> list[Choice]:
    """Quantums of an iteration that have groups the caller can see, the one with most groups first."""
    rows = conn.execute(
        """SELECT quantum_id AS id, quantum_name AS name, count(*)::text AS detail
             FROM ej.report_group WHERE iteration_id = %s
            GROUP BY quantum_id, quantum_name ORDER BY count(*) DESC, quantum_name""", (iteration_id,)).fetchall()
    return [Choice(**r) for r in rows]


# --------------------------------------------------------------------------------- fingerprints


def record_print(conn: Conn, *, organization_id: int, fingerprint: str, data_hash: str, kind: str,
                 title: str, pages: int, iteration_id: int | None = None, quantum_id: int | None = None,
                 group_id: int | None = None, params: dict | None = None) -> int:
    from psycopg.types.json import Jsonb

    row = one(conn.execute(
        """
        INSERT INTO ej.print_fingerprint (organization_id, fingerprint, data_hash, kind, title, iteration_id,
                                          quantum_id, group_id, params, pages)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id
        """, (organization_id, fingerprint, data_hash, kind, title[:300], iteration_id, quantum_id, group_id,
              Jsonb(params or {}), pages)))
    return row["id"]


def find_prints(conn: Conn, fingerprint: str) -> list[PrintRecord]:
    code = fingerprint.strip().upper().replace(" ", "")
    if len(code) == 8 and "-" not in code:
        code = code[:4] + "-" + code[4:]
    rows = conn.execute(
        """
        SELECT p.*, s.full_name AS printed_by_name
          FROM ej.print_fingerprint p LEFT JOIN ej.staff s ON s.id = p.printed_by
         WHERE p.fingerprint = %s
         ORDER BY p.printed_at
        """, (code,)).fetchall()
    return [PrintRecord(**r) for r in rows]


def changes_since(conn: Conn, since: datetime, group_ids: list[int]) -> list[dict]:
    """What the audit log holds about the printed groups after `since`: lessons, marks,
    enrollments and the data of their students, oldest first, with the names and dates a
    person recognizes (under the caller's role: RLS of audit.log applies)."""
    return conn.execute(
        """
        WITH pupils AS (SELECT DISTINCT student_id FROM ej.enrollment WHERE group_id = ANY(%(g)s))
        SELECT a.at, a.actor, a.table_name, a.op, a.reason, a.old_row, a.new_row,
               g.name AS group_name,
               coalesce(l.held_on, (coalesce(a.new_row, a.old_row)->>'held_on')::date) AS held_on,
               s.last_name || ' ' || s.first_name AS student,
               ej.attendance_code(a.old_row->>'status', a.old_row->>'reason') AS old_code,
               ej.attendance_code(a.new_row->>'status', a.new_row->>'reason') AS new_code
          FROM audit.log a
          LEFT JOIN ej.study_group g ON g.id = a.group_id
          LEFT JOIN ej.lesson l ON a.table_name = 'attendance'
                               AND l.id = (coalesce(a.new_row, a.old_row)->>'lesson_id')::bigint
          LEFT JOIN ej.student s ON s.id = CASE WHEN a.table_name = 'student' THEN (a.row_key->>'id')::bigint
                                                ELSE (coalesce(a.new_row, a.old_row)->>'student_id')::bigint END
         WHERE a.at > %(since)s AND a.table_name <> 'print_fingerprint'
           AND (a.group_id = ANY(%(g)s)
                OR (a.table_name = 'student' AND (a.row_key->>'id')::bigint IN (SELECT student_id FROM pupils))
                OR (a.table_name = 'guardian'
                    AND (coalesce(a.new_row, a.old_row)->>'student_id')::bigint IN (SELECT student_id FROM pupils)))
         ORDER BY a.at, a.id
        """, {"since": since, "g": group_ids}).fetchall()
