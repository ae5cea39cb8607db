"""The teacher's home page: this week's lessons, lessons overdue, remarks, the board, data checks."""

from datetime import date, timedelta

from ejournal_tui.db.connection import Conn
from ejournal_tui.db.journal import my_groups
from ejournal_tui.errors import NotFound
from ejournal_tui.journal_models import BoardPost, DataCheck, DueLesson, Home, Remark, WeekLesson


def home(conn: Conn, today: date) -> Home:
    groups = my_groups(conn)
    ids = [g.id for g in groups]
    monday = today - timedelta(days=today.weekday())
    week = conn.execute(
        """
        SELECT g.id AS group_id, g.name AS group_name, coalesce(l.held_on, p.held_on) AS held_on,
               p.starts_at, p.ends_at, coalesce(p.room, g.room) AS room, l.id AS lesson_id,
               coalesce(l.topic, t.title) AS topic
          FROM (SELECT * FROM ej.planned_lesson WHERE group_id = ANY(%(ids)s)
                   AND held_on BETWEEN %(mon)s AND %(mon)s + 6) p
          FULL JOIN (SELECT * FROM ej.lesson WHERE group_id = ANY(%(ids)s)
                        AND held_on BETWEEN %(mon)s AND %(mon)s + 6) l
            ON l.group_id = p.group_id AND l.held_on = p.held_on
          JOIN ej.study_group g ON g.id = coalesce(l.group_id, p.group_id)
          LEFT JOIN ej.program_topic t ON t.id = l.topic_id
         ORDER BY 3, p.starts_at NULLS LAST, g.name
        """,
        {"ids": ids, "mon": monday},
    ).fetchall()
    due = conn.execute("SELECT * FROM ej.lessons_due(%s) ORDER BY held_on, group_name", (today,)).fetchall()
    remarks = conn.execute(
        """
        SELECT r.id, r.group_id, g.name AS group_name, l.held_on AS lesson_held_on,
               s.full_name AS author_name,
               r.body, r.created_at, r.fixed_at, r.fixed_note
          FROM ej.remark r
          JOIN ej.study_group g ON g.id = r.group_id
          LEFT JOIN ej.lesson l ON l.id = r.lesson_id
          LEFT JOIN ej.staff s ON s.id = r.author_id
         WHERE r.closed_at IS NULL AND r.group_id = ANY(%s)
         ORDER BY r.fixed_at IS NOT NULL, r.created_at
        """,
        (ids,),
    ).fetchall()
    board = conn.execute(
        """
        SELECT b.id, b.week_of, b.title, b.body, s.full_name AS author_name, b.posted_at
          FROM ej.board_post b LEFT JOIN ej.staff s ON s.id = b.author_id
         WHERE b.organization_id = (SELECT ej.current_org_id()) AND b.posted_at::date <= %s
         ORDER BY b.posted_at DESC LIMIT 1
        """,
        (today,),
    ).fetchone()
    checks = conn.execute(
        """
        SELECT c.group_id, g.name AS group_name, c.checked_at, c.checked_by_name
          FROM ej.group_data_check c JOIN ej.study_group g ON g.id = c.group_id
         WHERE c.group_id = ANY(%s) ORDER BY g.name
        """,
        (ids,),
    ).fetchall()
    return Home(
        groups=groups,
        week=[WeekLesson(**r) for r in week],
        due=[DueLesson(**r) for r in due],
        remarks=[Remark(**r) for r in remarks],
        board=BoardPost(**board) if board else None,
        checks=[DataCheck(**r) for r in checks],
    )


def answer_remark(conn: Conn, remark_id: int, note: str) -> None:
    """The teacher reports a remark fixed; the author closes it."""
    cur = conn.execute("UPDATE ej.remark SET fixed_at = now(), fixed_note = %s WHERE id = %s", (note, remark_id))
    if cur.rowcount != 1:
        raise NotFound("Замечание не найдено или уже закрыто")
