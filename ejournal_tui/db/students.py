"""Students of a teacher's groups: the card (read-only for the teacher), proposed corrections
for the methodist, and the monthly "data checked" mark of a group."""


from ejournal_tui.db.connection import Conn, one
from ejournal_tui.errors import NotFound
from ejournal_tui.journal_models import DataCheck, StudentCard


def card(conn: Conn, group_id: int, student_id: int) -> StudentCard:
    row = conn.execute(
        """
        SELECT s.id, s.last_name, s.first_name, s.middle_name, s.birth_date, s.sex, s.school, s.school_class,
               s.address, s.phone, s.medical_clearance, s.medical_clearance_on, s.pd_consent_on,
               coalesce((SELECT json_agg(json_build_object('enrolled_on', e.enrolled_on, 'left_on', e.left_on)
                                         ORDER BY e.enrolled_on)
                           FROM ej.enrollment e
                          WHERE e.group_id = %(g)s AND e.student_id = s.id), '[]') AS periods,
               coalesce((SELECT json_agg(json_build_object('full_name', gu.full_name, 'relation', gu.relation,
                                                           'phone', gu.phone, 'email', gu.email)
                                         ORDER BY gu.id)
                           FROM ej.guardian gu WHERE gu.student_id = s.id), '[]') AS guardians,
               (SELECT count(*) FROM ej.change_request c
                 WHERE c.group_id = %(g)s AND c.student_id = s.id AND c.status = 'open')::int AS open_requests
          FROM ej.student s WHERE s.id = %(s)s
        """,
        {"g": group_id, "s": student_id},
    ).fetchone()
    if row is None:
        raise NotFound("Обучающийся не найден или недоступен")
    return StudentCard(**row)


def request_change(conn: Conn, group_id: int, student_id: int, field: str, proposed: str) -> int:
    row = one(conn.execute(
        "INSERT INTO ej.change_request (group_id, student_id, field, proposed) VALUES (%s, %s, %s, %s) RETURNING id",
        (group_id, student_id, field, proposed.strip()),
    ))
    return row["id"]


def mark_checked(conn: Conn, group_id: int, note: str | None = None) -> DataCheck:
    conn.execute("INSERT INTO ej.data_check (group_id, note) VALUES (%s, %s)", (group_id, note or None))
    return last_check(conn, group_id)


def last_check(conn: Conn, group_id: int) -> DataCheck:
    row = conn.execute(
        """SELECT c.group_id, g.name AS group_name, c.checked_at, c.checked_by_name
             FROM ej.group_data_check c JOIN ej.study_group g ON g.id = c.group_id WHERE c.group_id = %s""",
        (group_id,),
    ).fetchone()
    if row is None:
        raise NotFound("Группа не найдена или недоступна")
    return DataCheck(**row)
