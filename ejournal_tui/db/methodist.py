"""The methodist's duties (regulation, «Методист обязан»): roll the journal over to the next
iteration, archive an iteration, the weekly analysis posted to the board, the monthly control of
users' activity, teachers' proposed corrections. Every step is one SQL function or statement."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import Field, field_validator, model_validator

from ejournal_tui.dates import fmt_date, fmt_day
from ejournal_tui.db import inputs
from ejournal_tui.db.connection import Conn, one, rows_as
from ejournal_tui.db.control import Approval
from ejournal_tui.db.inputs import Input
from ejournal_tui.errors import Invalid, NotFound
from ejournal_tui.journal_models import BoardPost
from ejournal_tui.models import Row
from ejournal_tui.vocabulary import current

NEXT_STATUS = {"planned": "active", "active": "closed"}

# ------------------------------------------------------------------------------ iterations


class Iteration(Approval):
    """An iteration as the methodist keeps it: the director's view, and its archive and groups."""

    archived_at: datetime | None
    groups: int

    @property
    def status_name(self) -> str:
        return current().label("iteration_status", self.status)


def iterations(conn: Conn) -> list[Iteration]:
    return rows_as(
        conn, Iteration,
        """
        SELECT i.id, i.name, i.starts_on, i.ends_on, i.status, i.schedule_approved_at,
               s.full_name AS approved_by_name, i.archived_at,
               (SELECT count(*) FROM ej.study_group g WHERE g.iteration_id = i.id)::int AS groups
          FROM ej.iteration i LEFT JOIN ej.staff s ON s.id = i.schedule_approved_by
         ORDER BY i.starts_on DESC
        """
    )


def set_status(conn: Conn, iteration_id: int, status: str) -> None:
    """planned → active → closed; the archive only through archive()."""
    if status not in ("active", "closed"):
        raise Invalid("Итерацию можно только начать или закончить; в архив — командой «архивировать»")
    conn.execute("SELECT ej.set_iteration_status(%s, %s)", (iteration_id, status))


# ------------------------------------------------------------------------------- roll-over


class Candidate(Row):
    student_id: int
    student_name: str
    group_id: int
    group_name: str
    continuing: bool


class RolloverInput(Input):
    from_iteration: int
    name: str
    starts_on: date
    ends_on: date
    order: str
    student_ids: list[int] = Field(default_factory=list)

    _name = field_validator("name", mode="before")(lambda v: inputs.required(v, "Название итерации", 100))
    _starts = field_validator("starts_on", mode="before")(lambda v: inputs.parse_date(v, "Начало"))
    _ends = field_validator("ends_on", mode="before")(lambda v: inputs.parse_date(v, "Окончание"))
    _order = field_validator("order", mode="before")(lambda v: inputs.required(v, "Приказ о зачислении", 50))

    @model_validator(mode="after")
    def _dates(self):
        if self.ends_on <= self.starts_on:
            raise Invalid("Итерация должна заканчиваться позже, чем начинается")
        if (self.ends_on - self.starts_on).days > 366:
            raise Invalid("Итерация длится не больше года")
        return self


def suggest_next(it: Iteration) -> tuple[str, date, date]:
    """Name and dates of the iteration after `it`: from the Monday two weeks after it ends, as long."""
    starts = it.ends_on + timedelta(days=14)
    starts -= timedelta(days=starts.weekday())
    ends = starts + (it.ends_on - it.starts_on)
    number = _number_in(it.name)
    name = f"Итерация {number + 1}" if number else "Следующая итерация"
    return f"{name} ({fmt_date(starts)} – {fmt_date(ends)})", starts, ends


def _number_in(name: str) -> int:
    digits = ""
    for ch in name.split("(")[0]:
        if ch.isdigit():
            digits += ch
        elif digits:
            break
    return int(digits) if digits else 0


def rollover_candidates(conn: Conn, from_iteration: int) -> list[Candidate]:
    return rows_as(conn, Candidate, "SELECT * FROM ej.rollover_candidates(%s)", (from_iteration,))


def rollover(conn: Conn, data: RolloverInput) -> int:
    """ej.rollover: one transaction, safe to run twice or twice at once."""
    row = one(conn.execute(
        "SELECT ej.rollover(%s, %s, %s, %s, %s, %s) AS id",
        (data.from_iteration, data.name, data.starts_on, data.ends_on, data.student_ids, data.order),
    ))
    return row["id"]


# --------------------------------------------------------------------------------- archive


class ArchiveProblem(Row):
    group_id: int
    group_name: str
    teacher_name: str
    held_on: date
    problem: str


def archive_problems(conn: Conn, iteration_id: int) -> list[ArchiveProblem]:
    return rows_as(conn, ArchiveProblem, "SELECT * FROM ej.archive_problems(%s)", (iteration_id,))


def archive(conn: Conn, iteration_id: int, accept_problems: bool) -> int:
    row = one(conn.execute("SELECT ej.archive_iteration(%s, %s) AS n", (iteration_id, accept_problems)))
    return row["n"]


# ------------------------------------------------------------------------- weekly analysis


class WeekRow(Row):
    teacher_id: int
    teacher_name: str
    planned: int
    filled_on_time: int
    filled_late: int
    not_filled: int
    no_topic: int
    attendance_pct: Decimal | None


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_analysis(conn: Conn, week: date, today: date) -> list[WeekRow]:
    return rows_as(conn, WeekRow, "SELECT * FROM ej.weekly_analysis(%s, %s)", (week, today))


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + " %"


def _short(full_name: str) -> str:
    parts = full_name.split()
    return parts[0] + " " + "".join(p[0] + "." for p in parts[1:3]) if len(parts) > 1 else full_name


def analysis_text(week: date, rows: list[WeekRow]) -> tuple[str, str]:
    """The board post the numbers make: a title and a text the methodist may edit before posting."""
    span = f"{fmt_day(week)} – {fmt_date(week + timedelta(days=6))}"
    title = f"Анализ ведения журнала: неделя {span}"
    planned = sum(r.planned for r in rows)
    on_time = sum(r.filled_on_time for r in rows)
    late = [r for r in rows if r.filled_late]
    missing = [r for r in rows if r.not_filled]
    no_topic = [r for r in rows if r.no_topic]
    lines = [
        f"Итоги недели {span}.",
        "",
        f"Занятий по расписанию и проведённых: {planned}, из них заполнено в течение {current().days}: {on_time}.",
    ]
    pcts = [r.attendance_pct for r in rows if r.attendance_pct is not None]
    if pcts:
        lines.append(f"Посещаемость по педагогам: от {_pct(min(pcts))} до {_pct(max(pcts))}.")
    lines.append("")
    if missing:
        lines.append("Не заполнены занятия: " + "; ".join(f"{_short(r.teacher_name)} — {r.not_filled}"
                                                         for r in missing) + ".")
    if late:
        lines.append(f"Заполнены позже {current().days}: " + "; ".join(f"{_short(r.teacher_name)} — {r.filled_late}"
                                                              for r in late) + ".")
    if no_topic:
        lines.append("Не указана тема занятия: " + "; ".join(f"{_short(r.teacher_name)} — {r.no_topic}"
                                                            for r in no_topic) + ".")
    if not (missing or late or no_topic):
        lines.append("Все занятия недели заполнены в срок, темы указаны. Спасибо!")
    else:
        lines += ["", "Прошу заполнить пропущенное до конца недели. Напоминаю: журнал заполняется не позднее "
                      f"{current().days} после занятия, исправления позже — с указанием причины."]
    return title, "\n".join(lines)


def post_analysis(conn: Conn, week: date, title: str, body: str) -> int:
    title, body = inputs.required(title, "Заголовок", 200), (body or "").strip()
    if not body:
        raise Invalid("Текст анализа пуст")
    row = one(conn.execute(
        "INSERT INTO ej.board_post (week_of, title, body) VALUES (%s, %s, %s) RETURNING id", (week, title, body)
    ))
    return row["id"]


def posts(conn: Conn, week: date) -> list[BoardPost]:
    return rows_as(
        conn, BoardPost,
        """SELECT b.id, b.week_of, b.title, b.body, b.posted_at, s.full_name AS author_name
             FROM ej.board_post b LEFT JOIN ej.staff s ON s.id = b.author_id
            WHERE b.week_of = %s ORDER BY b.posted_at DESC""",
        (week,),
    )


# ------------------------------------------------------------------------ monthly activity


class ActivityRow(Row):
    month: date
    login: str
    full_name: str | None
    actions: int
    days_active: int
    lessons: int
    marks: int
    other: int
    last_at: datetime | None


class ActivityDay(Row):
    day: date
    group_name: str | None
    lessons: int
    marks: int
    other: int
    first_at: datetime
    last_at: datetime


def month_span(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def activity(conn: Conn, month: date) -> list[ActivityRow]:
    """ej.report_user_activity of one month: everyone of the organization, zeros included."""
    first, last = month_span(month)
    return rows_as(conn, ActivityRow, "SELECT * FROM ej.report_user_activity(%s, %s)", (first, last))


def activity_detail(conn: Conn, login: str, month: date) -> list[ActivityDay]:
    """What one person changed that month, per day and group, from the audit log (RLS applies)."""
    first, last = month_span(month)
    return rows_as(
        conn, ActivityDay,
        """
        SELECT l.at::date AS day, g.name AS group_name,
               count(*) FILTER (WHERE l.table_name = 'lesson')::int AS lessons,
               count(*) FILTER (WHERE l.table_name = 'attendance')::int AS marks,
               count(*) FILTER (WHERE l.table_name NOT IN ('lesson', 'attendance'))::int AS other,
               min(l.at) AS first_at, max(l.at) AS last_at
          FROM audit.log l LEFT JOIN ej.study_group g ON g.id = l.group_id
         WHERE l.actor = %s AND l.at >= %s AND l.at < %s::date + 1
         GROUP BY 1, 2 ORDER BY 1, 2
        """,
        (login, first, last),
    )


# ------------------------------------------------------------------------ change requests


class ChangeRequest(Row):
    id: int
    group_name: str
    student_id: int
    student_name: str
    field: str
    proposed: str
    current: str | None
    created_by_name: str | None
    created_at: datetime


def change_requests(conn: Conn) -> list[ChangeRequest]:
    """Open requests, oldest first, with the value the card holds now."""
    return rows_as(
        conn, ChangeRequest,
        """
        SELECT c.id, g.name AS group_name, c.student_id,
               concat_ws(' ', s.last_name, s.first_name, s.middle_name) AS student_name, c.field, c.proposed,
               CASE c.field WHEN 'last_name' THEN s.last_name WHEN 'first_name' THEN s.first_name
                            WHEN 'middle_name' THEN s.middle_name
                            WHEN 'birth_date' THEN to_char(s.birth_date, 'DD.MM.YYYY')
                            WHEN 'sex' THEN s.sex WHEN 'school' THEN s.school WHEN 'school_class' THEN s.school_class
                            WHEN 'address' THEN s.address WHEN 'phone' THEN s.phone
                            WHEN 'medical_clearance' THEN CASE WHEN s.medical_clearance THEN 'есть' ELSE 'нет' END
               END AS current,
               t.full_name AS created_by_name, c.created_at
          FROM ej.change_request c
          JOIN ej.study_group g ON g.id = c.group_id
          JOIN ej.student s ON s.id = c.student_id
          LEFT JOIN ej.staff t ON t.id = c.created_by
         WHERE c.status = 'open'
         ORDER BY c.created_at
        """
    )


# Fields ej.resolve_change_request applies itself; the others the methodist edits in the card.
APPLIED = ("last_name", "first_name", "middle_name", "school", "school_class", "address", "phone")


def resolve_request(conn: Conn, request_id: int, accept: bool, note: str | None) -> None:
    conn.execute("SELECT ej.resolve_change_request(%s, %s, %s)", (request_id, accept, (note or "").strip() or None))


# ------------------------------------------------------------------------------- reminders


class Reminder(Row):
    kind: str
    iteration_id: int | None
    message: str


def reminders(conn: Conn, today: date) -> list[Reminder]:
    return rows_as(conn, Reminder, "SELECT * FROM ej.duty_reminders(%s)", (today,))


# ------------------------------------------------------------------------------ home page


class MethodistHome(Row):
    reminders: list[Reminder]
    requests: list[ChangeRequest]
    to_close: list  # remarks the teachers marked fixed (ejournal_tui.db.remarks.RemarkRow)
    week: list[WeekRow]
    week_of: date


def home(conn: Conn, today: date) -> MethodistHome:
    """What needs the methodist now: the regulation's deadlines, teachers' requests, remarks to
    close, and how the journal is kept this week."""
    from ejournal_tui.db.remarks import remarks

    # On a Monday the week has just begun: the last complete week is the one to look at.
    week = monday(today) - timedelta(days=7 if today.weekday() == 0 else 0)
    return MethodistHome(
        reminders=reminders(conn, today),
        requests=change_requests(conn),
        to_close=[r for r in remarks(conn) if r.state == "fixed"],
        week=weekly_analysis(conn, week, today),
        week_of=week,
    )


class IterationSummary(Row):
    id: int
    name: str
    starts_on: date
    ends_on: date
    groups: int
    students: int
    slots: int


def iteration_summary(conn: Conn, iteration_id: int) -> IterationSummary:
    row = conn.execute(
        """SELECT i.id, i.name, i.starts_on, i.ends_on,
                  (SELECT count(*) FROM ej.study_group g WHERE g.iteration_id = i.id)::int AS groups,
                  (SELECT count(DISTINCT e.student_id) FROM ej.enrollment e JOIN ej.study_group g ON g.id = e.group_id
                    WHERE g.iteration_id = i.id)::int AS students,
                  (SELECT count(*) FROM ej.schedule_slot s JOIN ej.study_group g ON g.id = s.group_id
                    WHERE g.iteration_id = i.id)::int AS slots
             FROM ej.iteration i WHERE i.id = %s""",
        (iteration_id,),
    ).fetchone()
    if row is None:
        raise NotFound("Итерация не найдена")
    return IterationSummary(**row)
