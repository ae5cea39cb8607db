"""Remarks on journal keeping (regulation: the deputy director and the methodist note them, the
teacher fixes them): written on a group or one of its lessons, answered by the teacher, closed
by the administration. Who wrote and who closed come from the session (0009)."""

from datetime import date

from pydantic import field_validator

from ejournal_tui.dates import fmt_date, fmt_day
from ejournal_tui.db import inputs
from ejournal_tui.db.connection import Conn, one, rows_as
from ejournal_tui.db.inputs import Input
from ejournal_tui.errors import Invalid, NotFound
from ejournal_tui.journal_models import Remark

STATES = {"open": "открыто", "fixed": "устранено, ждёт закрытия", "closed": "закрыто"}


RemarkRow = Remark  # the staff's list of remarks: the one remark model (ejournal_tui.journal_models)


def answered(r: "RemarkRow") -> str:
    """Whether the teacher answered, and when: «ответ 12.10», «без ответа»."""
    return f"ответ {fmt_day(r.fixed_at)}" if r.fixed_at else "без ответа"



class RemarkInput(Input):
    group_id: int
    lesson_on: date | None = None
    body: str

    _body = field_validator("body", mode="before")(lambda v: inputs.required(v, "Замечание", 2000))
    _on = field_validator("lesson_on", mode="before")(
        lambda v: inputs.parse_date(v, "Дата занятия", optional=True))

    _group = field_validator("group_id", mode="before")(lambda v: inputs.chosen(v, "Выберите группу"))


def remarks(conn: Conn, include_closed: bool = False) -> list[RemarkRow]:
    """Remarks of the organization: fixed ones (waiting to be closed) first, then open, newest first."""
    return rows_as(
        conn, RemarkRow,
        """
        SELECT r.id, r.group_id, g.name AS group_name, g.iteration_id, i.name AS iteration_name,
               t.full_name AS teacher_name, l.held_on AS lesson_held_on,
               a.full_name AS author_name, r.body, r.created_at, r.fixed_at, r.fixed_note, r.closed_at
          FROM ej.remark r
          JOIN ej.study_group g ON g.id = r.group_id
          JOIN ej.iteration i ON i.id = g.iteration_id
          JOIN ej.staff t ON t.id = g.teacher_id
          LEFT JOIN ej.lesson l ON l.id = r.lesson_id
          LEFT JOIN ej.staff a ON a.id = r.author_id
         WHERE %s OR r.closed_at IS NULL
         ORDER BY r.closed_at IS NOT NULL, r.fixed_at IS NULL, r.created_at DESC
        """,
        (include_closed,),
    )


def add_remark(conn: Conn, data: RemarkInput) -> int:
    """On the group, or on its lesson of that date (which must be in the journal)."""
    with conn.transaction():
        lesson_id = None
        if data.lesson_on is not None:
            row = conn.execute("SELECT id FROM ej.lesson WHERE group_id = %s AND held_on = %s",
                               (data.group_id, data.lesson_on)).fetchone()
            if row is None:
                raise Invalid(f"У группы нет занятия {fmt_date(data.lesson_on)}: оставьте дату пустой, "
                                 "чтобы сделать замечание на группу")
            lesson_id = row["id"]
        row = one(conn.execute("INSERT INTO ej.remark (group_id, lesson_id, body) VALUES (%s, %s, %s) RETURNING id",
                           (data.group_id, lesson_id, data.body)))
    return row["id"]


def close_remark(conn: Conn, remark_id: int) -> None:
    cur = conn.execute("UPDATE ej.remark SET closed_at = now() WHERE id = %s AND closed_at IS NULL", (remark_id,))
    if cur.rowcount != 1:
        raise NotFound("Замечание не найдено или уже закрыто")
