"""The rest of the paper journal a teacher keeps for a group (PRINT_FORM.md): safety briefings,
events, achievements; the students the home screen flags (no вводный briefing, no medical
clearance); the numeric report of the teacher's own groups.

Every write is one transaction; RLS decides whose group it may be (a teacher: own groups only),
the triggers of 0004 keep dates inside the iteration and freeze archived iterations, and who gave
a briefing comes from the session (0013). An update or delete that finds no row — removed
meanwhile, or not the caller's — raises LookupError with a sentence for a person."""

from datetime import date

from ejournal_tui.db import reports
from ejournal_tui.db.connection import Conn, one, rows_as
from ejournal_tui.db.journal import group, set_late_reason
from ejournal_tui.errors import Invalid, NotFound
from ejournal_tui.journal_models import Group, Student
from ejournal_tui.models import Row

GONE = "Запись не найдена: её удалили или она вам недоступна."


class Person(Row):
    id: int
    name: str


class Briefing(Row):
    id: int
    held_on: date
    kind: str
    content: str
    given_by_name: str | None
    students: list[Person]


class Event(Row):
    id: int
    held_on: date
    title: str
    place: str | None
    participants: int


class Achievement(Row):
    id: int
    student_id: int
    student_name: str
    held_on: date
    competition: str
    level: str
    result: str


class GroupStudent(Student):
    """A student of the group with what the paper student list and the flags need."""

    sex: str
    school: str | None
    school_class: str | None
    medical_clearance: bool
    medical_clearance_on: date | None
    introduced: bool  # has a вводный briefing in this group


class Records(Row):
    group: Group
    students: list[GroupStudent]
    briefings: list[Briefing]
    events: list[Event]
    achievements: list[Achievement]
    present: dict[date, list[int]]  # lesson date → students marked present

    @property
    def introduced(self) -> set[int]:
        return {s.id for s in self.students if s.introduced}


class BriefingInput(Row):
    held_on: date
    kind: str
    content: str
    student_ids: list[int]


class EventInput(Row):
    held_on: date
    title: str
    place: str | None
    participants: int


class AchievementInput(Row):
    student_id: int
    held_on: date
    competition: str
    level: str
    result: str


class StudentFlag(Row):
    group_id: int
    group_name: str
    student_id: int
    student_name: str
    no_briefing: bool
    no_clearance: bool

    @property
    def missing(self) -> str:
        """What the student has not got: «вводного инструктажа и мед. допуска»."""
        return " и ".join(["вводного инструктажа"] * self.no_briefing + ["мед. допуска"] * self.no_clearance)


class StudentRecords(Row):
    briefings: list[Briefing]
    achievements: list[Achievement]


class NumericBlock(Row):
    title: str
    rows: list[tuple[str, list[int | None]]]  # measure, a value per date (None: no group running)


class NumericReport(Row):
    dates: list[date]
    blocks: list[NumericBlock]


STUDENTS_SQL = """
SELECT s.id, s.last_name, s.first_name, s.middle_name, s.sex, s.school, s.school_class,
       s.medical_clearance, s.medical_clearance_on,
       json_agg(json_build_object('enrolled_on', e.enrolled_on, 'left_on', e.left_on)
                ORDER BY e.enrolled_on) AS periods,
       EXISTS (SELECT 1 FROM ej.safety_briefing_student bs JOIN ej.safety_briefing b ON b.id = bs.briefing_id
                WHERE b.group_id = %(g)s AND bs.student_id = s.id AND b.kind = 'вводный') AS introduced
  FROM ej.enrollment e JOIN ej.student s ON s.id = e.student_id
 WHERE e.group_id = %(g)s
 GROUP BY s.id
 ORDER BY s.last_name, s.first_name, s.middle_name, s.id
"""

BRIEFINGS_SQL = """
SELECT b.id, b.held_on, b.kind, b.content, st.full_name AS given_by_name,
       coalesce((SELECT json_agg(json_build_object('id', s.id, 'name', s.last_name || ' ' || s.first_name)
                                 ORDER BY s.last_name, s.first_name, s.id)
                   FROM ej.safety_briefing_student bs JOIN ej.student s ON s.id = bs.student_id
                  WHERE bs.briefing_id = b.id), '[]') AS students
  FROM ej.safety_briefing b LEFT JOIN ej.staff st ON st.id = b.given_by
"""

ACHIEVEMENTS_SQL = """
SELECT a.id, a.student_id, s.last_name || ' ' || s.first_name AS student_name, a.held_on, a.competition,
       a.level, a.result
  FROM ej.achievement a JOIN ej.student s ON s.id = a.student_id
"""


def group_students(conn: Conn, group_id: int) -> list[GroupStudent]:
    return [GroupStudent(**r) for r in conn.execute(STUDENTS_SQL, {"g": group_id}).fetchall()]


def records(conn: Conn, group_id: int) -> Records:
    """Everything of the group's briefings, events and achievements screen."""
    g = group(conn, group_id)
    briefings = conn.execute(BRIEFINGS_SQL + " WHERE b.group_id = %s ORDER BY b.held_on, b.id", (group_id,))
    events = conn.execute(
        "SELECT id, held_on, title, place, participants FROM ej.event WHERE group_id = %s ORDER BY held_on, id",
        (group_id,),
    )
    achievements = conn.execute(
        ACHIEVEMENTS_SQL + " WHERE a.group_id = %s ORDER BY a.held_on, student_name, a.id", (group_id,)
    )
    present = conn.execute(
        """SELECT l.held_on, array_agg(a.student_id ORDER BY a.student_id) AS ids
             FROM ej.lesson l JOIN ej.attendance a ON a.lesson_id = l.id AND a.status = 'present'
            WHERE l.group_id = %s GROUP BY l.held_on""",
        (group_id,),
    )
    return Records(
        group=g,
        students=group_students(conn, group_id),
        briefings=[Briefing(**r) for r in briefings.fetchall()],
        events=[Event(**r) for r in events.fetchall()],
        achievements=[Achievement(**r) for r in achievements.fetchall()],
        present={r["held_on"]: r["ids"] for r in present.fetchall()},
    )


def introduced(conn: Conn, group_id: int) -> tuple[set[int], int]:
    """(students with a вводный briefing in the group, number of the group's briefings)."""
    row = one(conn.execute(
        """SELECT count(DISTINCT b.id)::int AS briefings,
                  coalesce(array_agg(DISTINCT bs.student_id) FILTER (WHERE b.kind = 'вводный'), '{}') AS ids
             FROM ej.safety_briefing b LEFT JOIN ej.safety_briefing_student bs ON bs.briefing_id = b.id
            WHERE b.group_id = %s""",
        (group_id,),
    ))
    return set(row["ids"]), row["briefings"]


# --- briefings ---------------------------------------------------------------------------------


def add_briefing(conn: Conn, group_id: int, b: BriefingInput, late_reason: str | None = None) -> int:
    """The briefing and its students, in one transaction; who gave it is the session."""
    _check(b)
    with conn.transaction():
        set_late_reason(conn, late_reason)
        briefing_id = one(conn.execute(
            """INSERT INTO ej.safety_briefing (group_id, held_on, kind, content)
               VALUES (%s, %s, %s, %s) RETURNING id""",
            (group_id, b.held_on, b.kind, b.content.strip()),
        ))["id"]
        _set_students(conn, briefing_id, b.student_ids)
    return briefing_id


def update_briefing(
    conn: Conn, briefing_id: int, b: BriefingInput, late_reason: str | None = None
) -> None:
    _check(b)
    with conn.transaction():
        set_late_reason(conn, late_reason)
        cur = conn.execute(
            "UPDATE ej.safety_briefing SET held_on = %s, kind = %s, content = %s WHERE id = %s",
            (b.held_on, b.kind, b.content.strip(), briefing_id),
        )
        if cur.rowcount != 1:
            raise NotFound(GONE)
        conn.execute(
            "DELETE FROM ej.safety_briefing_student WHERE briefing_id = %s AND student_id <> ALL(%s::bigint[])",
            (briefing_id, b.student_ids),
        )
        _set_students(conn, briefing_id, b.student_ids)


def _check(b: BriefingInput) -> None:
    if not b.student_ids:
        raise Invalid("Отметьте хотя бы одного обучающегося, прошедшего инструктаж.")


def _set_students(conn: Conn, briefing_id: int, student_ids: list[int]) -> None:
    conn.execute(
        """INSERT INTO ej.safety_briefing_student (briefing_id, student_id)
           SELECT %s, s FROM unnest(%s::bigint[]) s ON CONFLICT DO NOTHING""",
        (briefing_id, student_ids),
    )


def delete_briefing(conn: Conn, briefing_id: int, late_reason: str | None = None) -> None:
    _delete(conn, "safety_briefing", briefing_id, late_reason)


# --- events and achievements -------------------------------------------------------------------


def save_event(
    conn: Conn, group_id: int, e: EventInput, event_id: int | None = None, late_reason: str | None = None
) -> int:
    with conn.transaction():
        set_late_reason(conn, late_reason)
        return _save_event(conn, group_id, e, event_id)


def _save_event(conn: Conn, group_id: int, e: EventInput, event_id: int | None) -> int:
    values = (e.held_on, e.title.strip(), (e.place or "").strip() or None, e.participants)
    if event_id is None:
        return one(conn.execute(
            "INSERT INTO ej.event (held_on, title, place, participants, group_id) VALUES (%s, %s, %s, %s, %s)"
            " RETURNING id",
            (*values, group_id),
        ))["id"]
    cur = conn.execute(
        "UPDATE ej.event SET held_on = %s, title = %s, place = %s, participants = %s WHERE id = %s",
        (*values, event_id),
    )
    if cur.rowcount != 1:
        raise NotFound(GONE)
    return event_id


def delete_event(conn: Conn, event_id: int, late_reason: str | None = None) -> None:
    _delete(conn, "event", event_id, late_reason)


def save_achievement(
    conn: Conn,
    group_id: int,
    a: AchievementInput,
    achievement_id: int | None = None,
    late_reason: str | None = None,
) -> int:
    with conn.transaction():
        set_late_reason(conn, late_reason)
        return _save_achievement(conn, group_id, a, achievement_id)


def _save_achievement(conn: Conn, group_id: int, a: AchievementInput, achievement_id: int | None) -> int:
    values = (a.student_id, a.held_on, a.competition.strip(), a.level, a.result.strip())
    if achievement_id is None:
        return one(conn.execute(
            """INSERT INTO ej.achievement (student_id, held_on, competition, level, result, group_id)
               VALUES (%s, %s, %s, %s, %s, %s) RETURNING id""",
            (*values, group_id),
        ))["id"]
    cur = conn.execute(
        """UPDATE ej.achievement SET student_id = %s, held_on = %s, competition = %s, level = %s, result = %s
            WHERE id = %s""",
        (*values, achievement_id),
    )
    if cur.rowcount != 1:
        raise NotFound(GONE)
    return achievement_id


def delete_achievement(conn: Conn, achievement_id: int, late_reason: str | None = None) -> None:
    _delete(conn, "achievement", achievement_id, late_reason)


def _delete(conn: Conn, table: str, row_id: int, late_reason: str | None = None) -> None:
    query = {
        "safety_briefing": "DELETE FROM ej.safety_briefing WHERE id = %s",
        "event": "DELETE FROM ej.event WHERE id = %s",
        "achievement": "DELETE FROM ej.achievement WHERE id = %s",
    }[table]
    with conn.transaction():
        set_late_reason(conn, late_reason)
        if conn.execute(query, (row_id,)).rowcount != 1:
            raise NotFound(GONE)


# --- flags and a student's records -------------------------------------------------------------


def flags(conn: Conn, today: date) -> list[StudentFlag]:
    """Students on the rolls of the caller's running groups with no вводный briefing in the group
    or without a medical clearance (ej.briefing_missing, ej.clearance_missing)."""
    return rows_as(
        conn, StudentFlag,
        """
        SELECT group_id, group_name, student_id, student_name, bool_or(b) AS no_briefing, bool_or(c) AS no_clearance
          FROM (SELECT group_id, group_name, student_id, student_name, true AS b, false AS c
                  FROM ej.briefing_missing(%(d)s)
                UNION ALL
                SELECT group_id, group_name, student_id, student_name, false, true
                  FROM ej.clearance_missing(%(d)s)) f
         GROUP BY group_id, group_name, student_id, student_name
         ORDER BY group_name, student_name, student_id
        """,
        {"d": today},
    )


def student_records(conn: Conn, group_id: int, student_id: int) -> StudentRecords:
    """A student's briefings and achievements in the group, for the card."""
    briefings = conn.execute(
        BRIEFINGS_SQL
        + """ WHERE b.group_id = %(g)s AND EXISTS (SELECT 1 FROM ej.safety_briefing_student x
                                                 WHERE x.briefing_id = b.id AND x.student_id = %(s)s)
              ORDER BY b.held_on, b.id""",
        {"g": group_id, "s": student_id},
    ).fetchall()
    achievements = conn.execute(
        ACHIEVEMENTS_SQL + " WHERE a.group_id = %s AND a.student_id = %s ORDER BY a.held_on, a.id",
        (group_id, student_id),
    ).fetchall()
    return StudentRecords(
        briefings=[Briefing(**{**r, "students": []}) for r in briefings],
        achievements=[Achievement(**r) for r in achievements],
    )


# --- the numeric report ------------------------------------------------------------------------


def report_dates(today: date) -> list[date]:
    """01.10, 01.01 and 01.06 of the academic year (September to August) that `today` is in."""
    year = today.year - (1 if today.month < 9 else 0)
    return [date(year, 10, 1), date(year + 1, 1, 1), date(year + 1, 6, 1)]


def numeric(conn: Conn, today: date) -> NumericReport:
    """The caller's groups of the academic year (RLS: a teacher sees own groups), each group and
    all of them together, as of the three dates (ej.report_numeric)."""
    dates = report_dates(today)
    rows = reports.numeric(conn, None, dates)
    blocks = []
    group_rows = [r for r in rows if r.level == "group"]
    names = {r.group_id: f"Группа {r.group_name}" for r in group_rows}
    for group_id, title in sorted(names.items(), key=lambda x: x[1]):
        blocks.append(_block(title, [r for r in group_rows if r.group_id == group_id], dates))
    if len(names) > 1:
        blocks.append(_block("Все мои группы", [r for r in rows if r.level == "organization"], dates))
    return NumericReport(dates=dates, blocks=blocks)


def _block(title: str, rows: list[reports.NumericRow], dates: list[date]) -> NumericBlock:
    """Measures in the order of the SQL function; a date no group of the block ran on is None."""
    covered = {r.as_of for r in rows}
    measures: dict[int, str] = {1: "всего", 2: "мальчиков", 3: "девочек"}
    values: dict[tuple[int, date], int] = {}
    for r in rows:
        measures.setdefault(r.measure_no, r.measure)
        values[(r.measure_no, r.as_of)] = r.students
    return NumericBlock(
        title=title,
        rows=[
            (measures[no], [values.get((no, d), 0) if d in covered else None for d in dates]) for no in sorted(measures)
        ],
    )
