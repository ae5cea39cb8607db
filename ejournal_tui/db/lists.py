"""The methodist's lists (regulation: «вести списки сотрудников, обучающихся … на основании
приказов»): staff, students with their guardians, groups, enrollments by order, the weekly
schedule of a group. RLS decides what a login reads and writes; the rules are in SQL."""

from datetime import date, datetime, time, timedelta

import psycopg
from pydantic import field_validator, model_validator

from ejournal_tui.db import inputs
from ejournal_tui.db.connection import Conn, one, rows_as
from ejournal_tui.db.inputs import Input
from ejournal_tui.db.reports import Slot
from ejournal_tui.errors import Invalid, NotFound
from ejournal_tui.models import Choice, Row
from ejournal_tui.vocabulary import current

# ----------------------------------------------------------------------------------- choices


def iteration_choices(conn: Conn, archived: bool = False) -> list[Choice]:
    return rows_as(
        conn, Choice,
        """SELECT i.id, i.name || ' · ' || s.label AS name
             FROM ej.iteration i JOIN ej.iteration_status s ON s.code = i.status
            WHERE %s OR i.status <> 'archived'
            ORDER BY i.status = 'active' DESC, i.starts_on DESC""",
        (archived,),
    )


def teacher_choices(conn: Conn) -> list[Choice]:
    return rows_as(
        conn, Choice,
        """SELECT s.id, s.full_name AS name FROM ej.user_account s
            WHERE 'teacher' = ANY (s.roles) AND NOT s.is_locked ORDER BY s.full_name"""
    )


def program_choices(conn: Conn) -> list[Choice]:
    return rows_as(
        conn, Choice,
        """SELECT p.id, q.name || ': ' || p.name AS name FROM ej.program p JOIN ej.quantum q ON q.id = p.quantum_id
            ORDER BY q.name, p.name"""
    )


def quantum_choices(conn: Conn) -> list[Choice]:
    return [Choice(**r) for r in conn.execute("SELECT id, name FROM ej.quantum ORDER BY name").fetchall()]


def group_choices(conn: Conn) -> list[Choice]:
    """Groups one may enroll into: of iterations not archived."""
    return rows_as(
        conn, Choice,
        """SELECT g.id, g.name || ' · ' || i.name AS name
             FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id
            WHERE i.status <> 'archived' ORDER BY i.starts_on DESC, g.name"""
    )


# ------------------------------------------------------------------------------------- staff


class StaffRow(Row):
    id: int
    login: str
    full_name: str
    position: str | None
    phone: str | None
    email: str | None
    is_locked: bool
    roles: list[str]
    acknowledged: dict[str, datetime]  # role → when its duties were confirmed

    @property
    def unacknowledged(self) -> list[str]:
        return [r for r in self.roles if r not in self.acknowledged]


class StaffInput(Input):
    full_name: str
    position: str | None = None
    phone: str | None = None
    email: str | None = None

    _name = field_validator("full_name", mode="before")(lambda v: inputs.staff_name(v))

    _position = field_validator("position", mode="before")(lambda v: inputs.text(v))
    _phone = field_validator("phone", mode="before")(lambda v: inputs.phone(v))
    _email = field_validator("email", mode="before")(lambda v: inputs.email(v))


def staff(conn: Conn) -> list[StaffRow]:
    return rows_as(
        conn, StaffRow,
        """
        SELECT s.id, s.login, s.full_name, s.position, s.phone, s.email, s.is_locked, u.roles,
               coalesce((SELECT jsonb_object_agg(a.role, a.acknowledged_at) FROM ej.acknowledgment a
                          WHERE a.staff_id = s.id), '{}') AS acknowledged
          FROM ej.staff s JOIN ej.user_account u ON u.id = s.id
         ORDER BY s.is_locked, s.full_name
        """
    )


def save_staff(conn: Conn, staff_id: int, data: StaffInput) -> None:
    cur = conn.execute(
        "UPDATE ej.staff SET full_name = %s, position = %s, phone = %s, email = %s WHERE id = %s",
        (data.full_name, data.position, data.phone, data.email, staff_id),
    )
    if cur.rowcount != 1:
        raise NotFound("Сотрудник не найден")


# ---------------------------------------------------------------------------------- students


class StudentRow(Row):
    id: int
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: date
    school: str | None
    school_class: str | None
    medical_clearance: bool
    pd_consent_on: date | None
    guardians: int
    groups: str | None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


class StudentInput(Input):
    last_name: str
    first_name: str
    middle_name: str | None = None
    birth_date: date
    sex: str
    school: str | None = None
    school_class: str | None = None
    address: str | None = None
    phone: str | None = None
    medical_clearance: bool = False
    medical_clearance_on: date | None = None
    pd_consent_on: date | None = None

    _last = field_validator("last_name", mode="before")(lambda v: inputs.required(v, "Фамилия", 80))
    _first = field_validator("first_name", mode="before")(lambda v: inputs.required(v, "Имя", 80))
    _middle = field_validator("middle_name", "school", "address", mode="before")(lambda v: inputs.text(v))
    _phone = field_validator("phone", mode="before")(lambda v: inputs.phone(v))
    _birth = field_validator("birth_date", mode="before")(lambda v: inputs.parse_date(v, "Дата рождения"))
    _clear_on = field_validator("medical_clearance_on", mode="before")(
        lambda v: inputs.parse_date(v, "Дата допуска", optional=True))
    _consent = field_validator("pd_consent_on", mode="before")(
        lambda v: inputs.parse_date(v, "Дата согласия на обработку персональных данных", optional=True))

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, v):
        v = (v or "").strip().lower()
        if v not in ("м", "ж"):
            raise Invalid("Пол: «м» или «ж»")
        return v

    @field_validator("school_class", mode="before")
    @classmethod
    def _class(cls, v):
        import re

        v = inputs.text(v)
        if v and not re.match(r"^(1[01]|[1-9])( ?[А-ЯЁа-яё])?$", v):
            raise Invalid("Класс: число от 1 до 11 и, при необходимости, буква, например «7Б»")
        return v.upper() if v else None

    @field_validator("medical_clearance", mode="before")
    @classmethod
    def _bool(cls, v):
        return v in (True, "да", "1", "true", 1)

    @model_validator(mode="after")
    def _dates(self):
        if self.medical_clearance_on and not self.medical_clearance:
            raise Invalid("Дата медицинского допуска указывается только при наличии допуска")
        # a sanity bound only (the journal's "today" is the database's): no zone is a day ahead
        if not date(1995, 1, 1) <= self.birth_date <= date.today() + timedelta(days=1):
            raise Invalid("Дата рождения вне допустимого диапазона")
        return self


class Duplicate(Row):
    student_id: int
    full_name: str
    birth_date: date
    school: str | None
    school_class: str | None
    groups: str | None


STUDENT_SQL = """
SELECT s.id, s.last_name, s.first_name, s.middle_name, s.birth_date, s.school, s.school_class,
       s.medical_clearance, s.pd_consent_on,
       (SELECT count(*) FROM ej.guardian gu WHERE gu.student_id = s.id)::int AS guardians,
       (SELECT string_agg(g.name, ', ' ORDER BY g.name) FROM ej.enrollment e
          JOIN ej.study_group g ON g.id = e.group_id JOIN ej.iteration i ON i.id = g.iteration_id
         WHERE e.student_id = s.id AND i.status <> 'archived'
           AND (e.left_on IS NULL OR e.left_on > ej.today())) AS groups
  FROM ej.student s
"""


def find_students(conn: Conn, query: str = "", limit: int = 300) -> list[StudentRow]:
    """Students whose name starts with the words typed («Ив Ан» finds Иванова Анна), by name."""
    words = [w.replace("%", "").replace("_", "") for w in query.split()][:3]
    cond, params = [], []
    for w in words:
        cond.append("(s.last_name ILIKE %s OR s.first_name ILIKE %s OR s.middle_name ILIKE %s)")
        params += [w + "%"] * 3
    where = " WHERE " + " AND ".join(cond) if cond else ""
    return rows_as(
        conn, StudentRow,
        STUDENT_SQL + where + " ORDER BY s.last_name, s.first_name, s.middle_name, s.id LIMIT %s", (*params, limit)
    )


def student(conn: Conn, student_id: int) -> StudentInput:
    row = conn.execute("SELECT * FROM ej.student WHERE id = %s", (student_id,)).fetchone()
    if row is None:
        raise NotFound("Обучающийся не найден")
    return StudentInput.model_construct(**row)


def duplicates(conn: Conn, data: StudentInput, except_id: int | None = None) -> list[Duplicate]:
    return rows_as(
        conn, Duplicate,
        "SELECT * FROM ej.student_duplicates(%s, %s, %s, %s)",
        (data.last_name, data.first_name, data.birth_date, except_id),
    )


STUDENT_FIELDS = ("last_name", "first_name", "middle_name", "birth_date", "sex", "school", "school_class",
                  "address", "phone", "medical_clearance", "medical_clearance_on", "pd_consent_on")


def save_student(conn: Conn, student_id: int | None, data: StudentInput) -> int:
    values = [getattr(data, f) for f in STUDENT_FIELDS]
    if student_id is None:
        row = one(conn.execute(
            f"INSERT INTO ej.student ({', '.join(STUDENT_FIELDS)}) VALUES ({', '.join(['%s'] * len(values))})"
            " RETURNING id",
            values,
        ))
        return row["id"]
    sets = ", ".join(f"{f} = %s" for f in STUDENT_FIELDS)
    cur = conn.execute(f"UPDATE ej.student SET {sets} WHERE id = %s", (*values, student_id))
    if cur.rowcount != 1:
        raise NotFound("Обучающийся не найден")
    return student_id


# --------------------------------------------------------------------------------- guardians



class GuardianRow(Row):
    id: int
    student_id: int
    full_name: str
    relation: str
    phone: str | None
    email: str | None
    pd_consent_on: date | None


class GuardianInput(Input):
    full_name: str
    relation: str = "другое"
    phone: str | None = None
    email: str | None = None
    pd_consent_on: date | None = None

    _name = field_validator("full_name", mode="before")(lambda v: inputs.required(v, "ФИО", 200))
    _phone = field_validator("phone", mode="before")(lambda v: inputs.phone(v))
    _email = field_validator("email", mode="before")(lambda v: inputs.email(v))
    _consent = field_validator("pd_consent_on", mode="before")(
        lambda v: inputs.parse_date(v, "Дата согласия на обработку персональных данных", optional=True))

    @field_validator("relation", mode="before")
    @classmethod
    def _relation(cls, v):
        if current().term("guardian_relation", v) is None:  # a pre-check from the database's own list
            raise Invalid("Кем приходится: " + ", ".join(t.label for t in current().guardian_relation))
        return v


def guardians(conn: Conn, student_id: int) -> list[GuardianRow]:
    return rows_as(conn, GuardianRow, "SELECT * FROM ej.guardian WHERE student_id = %s ORDER BY id", (student_id,))


def save_guardian(conn: Conn, guardian_id: int | None, student_id: int, data: GuardianInput) -> int:
    values = (data.full_name, data.relation, data.phone, data.email, data.pd_consent_on)
    if guardian_id is None:
        row = one(conn.execute(
            """INSERT INTO ej.guardian (student_id, full_name, relation, phone, email, pd_consent_on)
               VALUES (%s, %s, %s, %s, %s, %s) RETURNING id""",
            (student_id, *values),
        ))
        return row["id"]
    cur = conn.execute(
        """UPDATE ej.guardian SET full_name = %s, relation = %s, phone = %s, email = %s, pd_consent_on = %s
            WHERE id = %s""",
        (*values, guardian_id),
    )
    if cur.rowcount != 1:
        raise NotFound("Родитель (законный представитель) не найден")
    return guardian_id


def delete_guardian(conn: Conn, guardian_id: int) -> None:
    if conn.execute("DELETE FROM ej.guardian WHERE id = %s", (guardian_id,)).rowcount != 1:
        raise NotFound("Родитель (законный представитель) не найден")


# ------------------------------------------------------------------------------- enrollments


class EnrollmentRow(Row):
    id: int
    group_id: int
    group_name: str
    iteration_name: str
    iteration_status: str
    student_id: int
    student_name: str
    enrolled_on: date
    enroll_order: str
    left_on: date | None
    leave_order: str | None
    leave_reason: str | None

    def open_on(self, day: date) -> bool:
        """On the rolls that day or later, in an iteration not archived."""
        return self.iteration_status != "archived" and (self.left_on is None or self.left_on > day)


class EnrollInput(Input):
    group_id: int
    enrolled_on: date
    enroll_order: str

    _on = field_validator("enrolled_on", mode="before")(lambda v: inputs.parse_date(v, "Дата зачисления"))
    _order = field_validator("enroll_order", mode="before")(lambda v: inputs.required(v, "Приказ о зачислении", 50))

    _group = field_validator("group_id", mode="before")(lambda v: inputs.chosen(v, "Выберите группу"))


class LeaveInput(Input):
    enrollment_id: int
    left_on: date
    order: str
    reason: str | None = None
    to_group_id: int | None = None

    _on = field_validator("left_on", mode="before")(lambda v: inputs.parse_date(v, "Дата выбытия"))
    _order = field_validator("order", mode="before")(lambda v: inputs.required(v, "Приказ", 50))
    _reason = field_validator("reason", mode="before")(lambda v: inputs.text(v))

    _enrollment = field_validator("enrollment_id", mode="before")(
        lambda v: inputs.chosen(v, "Выберите группу, из которой обучающийся выбывает"))

    @field_validator("to_group_id", mode="before")
    @classmethod
    def _to(cls, v):
        return None if v in (None, "", False, 0) else v


ENROLLMENT_SQL = """
SELECT e.id, e.group_id, g.name AS group_name, i.name AS iteration_name, i.status AS iteration_status,
       e.student_id, concat_ws(' ', s.last_name, s.first_name, s.middle_name) AS student_name,
       e.enrolled_on, e.enroll_order, e.left_on, e.leave_order, e.leave_reason
  FROM ej.enrollment e
  JOIN ej.study_group g ON g.id = e.group_id
  JOIN ej.iteration i ON i.id = g.iteration_id
  JOIN ej.student s ON s.id = e.student_id
"""


def student_enrollments(conn: Conn, student_id: int) -> list[EnrollmentRow]:
    rows = conn.execute(ENROLLMENT_SQL + " WHERE e.student_id = %s ORDER BY e.enrolled_on DESC, g.name",
                        (student_id,)).fetchall()
    return [EnrollmentRow(**r) for r in rows]


def group_enrollments(conn: Conn, group_id: int) -> list[EnrollmentRow]:
    rows = conn.execute(ENROLLMENT_SQL + " WHERE e.group_id = %s ORDER BY s.last_name, s.first_name, e.enrolled_on",
                        (group_id,)).fetchall()
    return [EnrollmentRow(**r) for r in rows]


def enroll(conn: Conn, student_id: int, data: EnrollInput) -> int:
    row = one(conn.execute(
        "INSERT INTO ej.enrollment (group_id, student_id, enrolled_on, enroll_order) VALUES (%s, %s, %s, %s)"
        " RETURNING id",
        (data.group_id, student_id, data.enrolled_on, data.enroll_order),
    ))
    return row["id"]


def expel_or_transfer(conn: Conn, data: LeaveInput) -> int | None:
    """One SQL function, one transaction: the old enrollment ends, the new one (a transfer) begins."""
    row = one(conn.execute(
        "SELECT ej.expel_or_transfer(%s, %s, %s, %s, %s) AS id",
        (data.enrollment_id, data.left_on, data.order, data.reason, data.to_group_id),
    ))
    return row["id"]


# ------------------------------------------------------------------------------------ groups


class GroupRow(Row):
    id: int
    name: str
    iteration_id: int
    iteration_name: str
    iteration_status: str
    program_id: int
    program_name: str
    quantum_name: str
    teacher_id: int
    teacher_name: str
    room: str | None
    students: int
    slots: str | None


class GroupInput(Input):
    iteration_id: int
    program_id: int
    teacher_id: int
    name: str
    room: str | None = None

    _name = field_validator("name", mode="before")(lambda v: inputs.required(v, "Название группы", 100))
    _room = field_validator("room", mode="before")(lambda v: inputs.text(v))

    @field_validator("iteration_id", "program_id", "teacher_id", mode="before")
    @classmethod
    def _chosen(cls, v, info):
        what = {"iteration_id": "итерацию", "program_id": "программу", "teacher_id": "педагога"}[info.field_name]
        return inputs.chosen(v, f"Выберите {what}")


def groups(conn: Conn, iteration_id: int | None) -> list[GroupRow]:
    return rows_as(
        conn, GroupRow,
        """
        SELECT g.id, g.name, g.iteration_id, i.name AS iteration_name, i.status AS iteration_status,
               g.program_id, p.name AS program_name, q.name AS quantum_name, g.teacher_id,
               t.full_name AS teacher_name, g.room,
               (SELECT count(DISTINCT e.student_id) FROM ej.enrollment e
                 WHERE e.group_id = g.id AND (e.left_on IS NULL OR e.left_on > least(ej.today(), i.ends_on)))::int
                   AS students,
               (SELECT string_agg((ARRAY['пн', 'вт', 'ср', 'чт', 'пт', 'сб', 'вс'])[s.weekday] || ' '
                                  || to_char(s.starts_at, 'HH24:MI'), ', ' ORDER BY s.weekday, s.starts_at)
                  FROM ej.schedule_slot s WHERE s.group_id = g.id) AS slots
          FROM ej.study_group g
          JOIN ej.iteration i ON i.id = g.iteration_id
          JOIN ej.program p ON p.id = g.program_id
          JOIN ej.quantum q ON q.id = p.quantum_id
          JOIN ej.staff t ON t.id = g.teacher_id
         WHERE %(it)s::bigint IS NULL OR g.iteration_id = %(it)s
         ORDER BY g.name
        """,
        {"it": iteration_id},
    )


def save_group(conn: Conn, group_id: int | None, data: GroupInput) -> int:
    if group_id is None:
        row = one(conn.execute(
            """INSERT INTO ej.study_group (iteration_id, program_id, teacher_id, name, room)
               VALUES (%s, %s, %s, %s, %s) RETURNING id""",
            (data.iteration_id, data.program_id, data.teacher_id, data.name, data.room),
        ))
        return row["id"]
    cur = conn.execute(
        "UPDATE ej.study_group SET program_id = %s, teacher_id = %s, name = %s, room = %s WHERE id = %s",
        (data.program_id, data.teacher_id, data.name, data.room, group_id),
    )
    if cur.rowcount != 1:
        raise NotFound("Группа не найдена")
    return group_id


# ---------------------------------------------------------------------------------- schedule


class SlotRow(Slot):
    """A slot of the schedule as the methodist edits it: the printed one, with its id."""

    id: int


class SlotInput(Input):
    weekday: int
    starts_at: time
    ends_at: time
    room: str | None = None
    valid_from: date | None = None
    change_order: str | None = None

    _room = field_validator("room", "change_order", mode="before")(lambda v: inputs.text(v))
    _from = field_validator("valid_from", mode="before")(
        lambda v: inputs.parse_date(v, "Действует с", optional=True))

    _weekday = field_validator("weekday", mode="before")(lambda v: inputs.chosen(v, "Выберите день недели"))

    @field_validator("starts_at", "ends_at", mode="before")
    @classmethod
    def _time(cls, v):
        if isinstance(v, time):
            return v
        try:
            return datetime.strptime((v or "").strip().replace(".", ":"), "%H:%M").time()
        except ValueError:
            raise Invalid(f"Время: ЧЧ:ММ, например 16:00 (а не «{v}»)") from None

    @model_validator(mode="after")
    def _order(self):
        if self.ends_at <= self.starts_at:
            raise Invalid("Занятие должно заканчиваться позже, чем начинается")
        return self


def slots(conn: Conn, group_id: int) -> list[SlotRow]:
    return rows_as(
        conn, SlotRow,
        "SELECT * FROM ej.schedule_slot WHERE group_id = %s ORDER BY weekday, starts_at", (group_id,)
    )


def add_slot(conn: Conn, group_id: int, data: SlotInput) -> int:
    row = one(conn.execute(
        """INSERT INTO ej.schedule_slot (group_id, weekday, starts_at, ends_at, room, valid_from, change_order)
           VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        (group_id, data.weekday, data.starts_at, data.ends_at, data.room, data.valid_from, data.change_order),
    ))
    return row["id"]


def delete_slot(conn: Conn, slot_id: int) -> None:
    if conn.execute("DELETE FROM ej.schedule_slot WHERE id = %s", (slot_id,)).rowcount != 1:
        raise NotFound("Занятие расписания не найдено")


def delete_student(conn: Conn, student_id: int) -> None:
    """Delete a student entered by mistake; the database refuses one with enrollments or marks."""
    try:
        with conn.transaction():
            deleted = conn.execute("DELETE FROM ej.student WHERE id = %s", (student_id,)).rowcount
    except psycopg.errors.ForeignKeyViolation as exc:
        raise Invalid("Удалить нельзя: обучающийся уже зачислялся в группы или отмечен в журнале. "
                         "Удаляют только введённого по ошибке; выбывшего отчисляют по приказу.") from exc
    if not deleted:
        raise NotFound("Обучающийся не найден")


def delete_group(conn: Conn, group_id: int) -> None:
    """Delete a group entered by mistake; the database refuses one with lessons or enrollments."""
    if not conn.execute("DELETE FROM ej.study_group WHERE id = %s", (group_id,)).rowcount:
        raise NotFound("Группа не найдена")
