"""The teacher's journal: groups, the grid of one group, saving marks and lessons.

Every write names the version the screen loaded; when the record has changed since, somebody
else changed it and the caller gets the current value back instead of overwriting it. A mark
is one round trip (ej.save_mark does the check, the reason and the write); a lesson is one
transaction of a few statements.
"""

from datetime import date
from decimal import Decimal
from itertools import repeat

from psycopg.rows import tuple_row

from ejournal_tui.db.connection import Conn, one
from ejournal_tui.errors import NotFound
from ejournal_tui.journal_models import (
    Grid,
    Group,
    Lesson,
    LessonConflict,
    LessonSaved,
    Mark,
    MarkResult,
    Saved,
    Student,
    TopicProgress,
    Value,
)

GROUP_COLUMNS = """
SELECT g.id, g.name, g.room, g.program_id, p.name AS program_name, p.total_hours, q.name AS quantum,
       i.id AS iteration_id, i.name AS iteration_name, i.starts_on, i.ends_on, i.status AS iteration_status"""
GROUP_FROM = """
  FROM ej.study_group g
  JOIN ej.program p ON p.id = g.program_id
  JOIN ej.quantum q ON q.id = p.quantum_id
  JOIN ej.iteration i ON i.id = g.iteration_id
"""
GROUP_SQL = (GROUP_COLUMNS + """,
       (SELECT count(DISTINCT e.student_id) FROM ej.enrollment e WHERE e.group_id = g.id)::int AS students"""
             + GROUP_FROM)

LESSON_SQL = """
SELECT l.held_on, l.id, l.hours, l.topic_id, l.topic, t.title AS topic_title, s.full_name AS filled_by_name,
       l.filled_at, l.version
  FROM ej.lesson l
  LEFT JOIN ej.program_topic t ON t.id = l.topic_id
  LEFT JOIN ej.staff s ON s.id = l.filled_by
"""

MARK_SQL = """
SELECT a.lesson_id, a.student_id, a.status, a.reason, a.reason_text, a.version,
       s.full_name AS updated_by_name, a.updated_at
  FROM ej.attendance a
  LEFT JOIN ej.staff s ON s.id = a.updated_by
"""


def my_groups(conn: Conn, include_archived: bool = False) -> list[Group]:
    """The caller's own groups, the current iteration first."""
    rows = conn.execute(
        GROUP_SQL
        + """
         WHERE g.teacher_id = (SELECT ej.current_staff_id()) AND (%s OR i.status <> 'archived')
         ORDER BY i.status = 'active' DESC, i.starts_on DESC, g.name
        """,
        (include_archived,),
    ).fetchall()
    return [Group(**r) for r in rows]


def group(conn: Conn, group_id: int) -> Group:
    row = conn.execute(GROUP_SQL + " WHERE g.id = %s", (group_id,)).fetchone()
    if row is None:
        raise NotFound("Группа не найдена или недоступна")
    return Group(**row)


STUDENTS_SQL = """
SELECT s.id, s.last_name, s.first_name, s.middle_name,
       json_agg(json_build_object('enrolled_on', e.enrolled_on, 'left_on', e.left_on)
                ORDER BY e.enrolled_on) AS periods
  FROM ej.enrollment e JOIN ej.student s ON s.id = e.student_id
 WHERE e.group_id = %(g)s
 GROUP BY s.id
 ORDER BY s.last_name, s.first_name, s.middle_name, s.id
"""

# The grid's group row carries its planned dates, from the schedule slots and the iteration it
# has joined anyway (ej.planned_lesson would read the group and the iteration again, each with
# its policy): three arrays in the order of date and start, so the first slot of a day comes first.
GRID_GROUP_SQL = (
    GROUP_COLUMNS
    + """, pl.planned_on, pl.planned_starts, pl.planned_ends"""
    + GROUP_FROM
    + """
 CROSS JOIN LATERAL (
       SELECT array_agg(d ORDER BY d, s.starts_at) AS planned_on,
              array_agg(s.starts_at ORDER BY d, s.starts_at) AS planned_starts,
              array_agg(s.ends_at ORDER BY d, s.starts_at) AS planned_ends
         FROM ej.schedule_slot s
        CROSS JOIN LATERAL ej.weekday_dates(s.weekday, greatest(i.starts_on, s.valid_from),
                                            least(i.ends_on, s.valid_to)) d
        WHERE s.group_id = g.id) pl
 WHERE g.id = %(g)s"""
)


def _columns(held: list[dict], planned_on: list | None, starts: list | None, ends: list | None) -> list[Lesson]:
    """One column a date, in date order: a lesson held, a planned date (the day's first slot), or both."""
    slot: dict[date, tuple] = {}
    for day, start, end in zip(planned_on or (), starts or (), ends or (), strict=True):
        slot.setdefault(day, (start, end))
    lesson = {r["held_on"]: r for r in held}
    columns = []
    for day in sorted(lesson.keys() | slot.keys()):
        start, end = slot.get(day, (None, None))
        columns.append(Lesson(**lesson.get(day, {"held_on": day}), planned=day in slot, starts_at=start, ends_at=end))
    return columns


# One row per student, the marks as arrays: ~25 rows instead of ~1,900, no model per mark.
GRID_MARKS_SQL = """
SELECT student_id, array_agg(lesson_id), array_agg(status), array_agg(reason), array_agg(reason_text),
       array_agg(version)
  FROM ej.attendance
 WHERE group_id = %(g)s
 GROUP BY student_id
"""


def grid(conn: Conn, group_id: int) -> Grid:
    """The journal screen's grid: the group, students, lesson columns and every mark, in one round
    trip (the four queries pipelined)."""
    with conn.pipeline():
        # the students are counted from the students' query: one RLS-checked read of ej.enrollment
        # (and its policy's helper call) fewer per open
        g = conn.execute(GRID_GROUP_SQL, {"g": group_id})
        s = conn.execute(STUDENTS_SQL, {"g": group_id})
        lcur = conn.execute(LESSON_SQL + " WHERE l.group_id = %(g)s", {"g": group_id})
        m = conn.cursor(row_factory=tuple_row, binary=True)  # ~40% less time parsing the arrays than text
        m.execute(GRID_MARKS_SQL, {"g": group_id})
    row = g.fetchone()
    if row is None:
        raise LookupError("Группа не найдена или недоступна")
    lessons = _columns(lcur.fetchall(), row.pop("planned_on"), row.pop("planned_starts"), row.pop("planned_ends"))
    day_of = {x.id: x.held_on for x in lessons if x.id is not None}.__getitem__
    # A Saved is immutable: one object per distinct (status, reason, text, version) — a few
    # dozen for ~1,900 marks — and the per-mark work runs in C (zip/map), not in a Python loop.
    saved: dict[tuple, Saved] = {}
    marks: dict = {}
    for sid, ids, statuses, reasons, texts, versions in m.fetchall():
        keys = list(zip(statuses, reasons, texts, versions, strict=True))
        for k in set(keys).difference(saved):
            saved[k] = Saved(Value(*k[:3]), k[3])
        marks.update(zip(zip(map(day_of, ids), repeat(sid)), map(saved.__getitem__, keys), strict=True))
    m.close()
    students = [Student(**r) for r in s.fetchall()]
    return Grid(group=Group(**row, students=len(students)), students=students, lessons=lessons, marks=marks)


SAVE_MARK_SQL = "SELECT * FROM ej.save_mark(%s, %s, %s, %s, %s, %s, %s, %s, %s)"


def save_mark_once(
    conn: Conn,
    *,
    group_id: int,
    held_on: date,
    student_id: int,
    status: str | None,
    reason: str | None = None,
    reason_text: str | None = None,
    version: int | None = None,
    hours: Decimal = Decimal(2),
    late_reason: str | None = None,
) -> MarkResult:
    """One mark in one round trip (ej.save_mark): saved, conflict or needs_reason."""
    with conn.cursor(row_factory=tuple_row) as cur:
        row = one(cur.execute(
            SAVE_MARK_SQL,
            (group_id, held_on, student_id, status, reason, reason_text or None, version, hours, late_reason),
            prepare=True,
        ))
    outcome, lid, lver, lhours, lat, lby, st, r, t, v, by, at, correction = row
    lesson = Lesson(held_on=held_on, id=lid, hours=lhours, version=lver, filled_at=lat, filled_by_name=lby)
    mark = Saved(Value(st, r, t), v, by, at) if st is not None else None
    return MarkResult(outcome, lesson, mark, correction)


def column_values(conn: Conn, group_id: int, held_on: date) -> tuple[Lesson | None, dict[int, Saved]]:
    """One date of the grid as the database holds it now."""
    lesson, marks = column(conn, group_id, held_on)
    return lesson, {
        m.student_id: Saved(Value(m.status, m.reason, m.reason_text), m.version, m.updated_by_name, m.updated_at)
        for m in marks
    }


def get_mark(conn: Conn, lesson_id: int, student_id: int) -> Mark | None:
    row = conn.execute(MARK_SQL + " WHERE a.lesson_id = %s AND a.student_id = %s", (lesson_id, student_id)).fetchone()
    return Mark(**row) if row else None


def get_lesson(conn: Conn, group_id: int, held_on: date) -> Lesson | None:
    row = conn.execute(LESSON_SQL + " WHERE l.group_id = %s AND l.held_on = %s", (group_id, held_on)).fetchone()
    return Lesson(**row) if row else None


def set_late_reason(conn: Conn, reason: str | None) -> None:
    """The reason of a late correction, for the rest of the current transaction only: call it
    inside the transaction that writes (the database ignores a reason of another one)."""
    if reason:
        conn.execute("SELECT ej.set_reason(%s)", (reason,))


def reason_problem(conn: Conn, reason: str) -> str | None:
    """What the database finds wrong with a late-correction reason (None: it will do)."""
    return one(conn.execute("SELECT ej.reason_problem(%s) AS p", (reason,)))["p"]


def save_lesson(
    conn: Conn,
    *,
    group_id: int,
    held_on: date,
    hours: Decimal,
    topic_id: int | None,
    topic: str | None,
    lesson_id: int | None = None,
    version: int | None = None,
    late_reason: str | None = None,
) -> LessonSaved | LessonConflict:
    """Create a lesson, or change hours and topic of one loaded at `version`."""
    with conn.transaction():
        set_late_reason(conn, late_reason)
        if lesson_id is None:
            cur = conn.execute(
                """INSERT INTO ej.lesson (group_id, held_on, hours, topic_id, topic)
                   VALUES (%s, %s, %s, %s, %s)
                   ON CONFLICT (group_id, held_on) DO NOTHING""",
                (group_id, held_on, hours, topic_id, topic or None),
            )
        else:
            cur = conn.execute(
                """UPDATE ej.lesson SET hours = %s, topic_id = %s, topic = %s
                    WHERE id = %s AND version = %s""",
                (hours, topic_id, topic or None, lesson_id, version),
            )
        current = get_lesson(conn, group_id, held_on)
        if cur.rowcount == 1 and current is not None:
            return LessonSaved(lesson=current)
        return LessonConflict(current=current)


def topic_progress(conn: Conn, group_id: int) -> list[TopicProgress]:
    rows = conn.execute(
        """SELECT topic_id, position, title, hours, delivered_hours, lessons, last_held_on
             FROM ej.topic_progress WHERE group_id = %s ORDER BY position""",
        (group_id,),
    ).fetchall()
    return [TopicProgress(**r) for r in rows]


def next_topic(topics: list[TopicProgress], exclude_lesson_topic: int | None = None) -> TopicProgress | None:
    """What the lesson editor suggests: the topic of the last lesson held if it is not delivered
    in full yet, else the next topic after it (an older gap is not gone back to)."""
    held = [t for t in topics if t.last_held_on is not None]
    last = max(held, key=lambda t: (t.last_held_on, t.position), default=None)
    after = [t for t in topics if last is None or t.position > last.position or t is last]
    for t in after + topics:
        if not t.done and t.topic_id != exclude_lesson_topic:
            return t
    return None


def column(conn: Conn, group_id: int, held_on: date) -> tuple[Lesson | None, list[Mark]]:
    """One date of the grid as the database holds it now (after a refused write)."""
    lesson = get_lesson(conn, group_id, held_on)
    if lesson is None:
        return None, []
    rows = conn.execute(MARK_SQL + " WHERE a.lesson_id = %s", (lesson.id,)).fetchall()
    return lesson, [Mark(**r) for r in rows]


def student_names(conn: Conn, ids: list[int]) -> dict[int, str]:
    """Short names of the students given that the caller may see."""
    rows = conn.execute(
        """SELECT id, last_name || ' ' || left(first_name, 1) || '.' AS name FROM ej.student
            WHERE id = ANY(%s)""",
        (list(set(ids)),),
    ).fetchall()
    return {r["id"]: r["name"] for r in rows}
