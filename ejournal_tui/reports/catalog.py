"""The periodic reports: what each one asks the database for and which columns it shows.

Every number comes from a view or function of sql/migrations/0008_reports.sql (through
ejournal_tui.db.reports); this module only picks columns and names them. The same Report is
printed as text, CSV or PDF, and shown by the TUI as a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ejournal_tui.dates import fmt_date
from ejournal_tui.db import reports as q
from ejournal_tui.db.connection import Conn
from ejournal_tui.errors import Invalid
from ejournal_tui.vocabulary import current


@dataclass
class Options:
    iteration: int | None = None
    quantum: int | None = None
    teacher: int | None = None
    group: int | None = None
    by: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    today: date | None = None
    as_of: list[date] | None = None
    detail: bool = False

    def params(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else [d.isoformat() for d in v] if isinstance(v, list)
                    else v) for k, v in self.__dict__.items() if v not in (None, False)}


@dataclass
class Report:
    name: str
    title: str
    headers: list[str]
    rows: list[list]
    subtitle: str = ""
    landscape: bool = False
    params: dict = field(default_factory=dict)


REPORTS = {
    "attendance": "Посещаемость (по группам, педагогам, квантумам, месяцам)",
    "fulfilment": "Выполнение программ: КТП, часы по плану и проведённые",
    "timeliness": "Своевременность заполнения журнала педагогами",
    "activity": "Активность пользователей по месяцам",
    "iteration": "Отчёт заместителя директора по итогам итерации",
    "numeric": "Цифровой отчёт: количество обучающихся на 01.10, 01.01, 01.06",
}

ATTENDANCE_BY = ("group", "teacher", "quantum", "month", "group_month")
TIMELINESS_BY = ("teacher", "group")


def build(conn: Conn, name: str, opts: Options) -> Report:
    if name not in REPORTS:
        raise Invalid(f"Неизвестный отчёт «{name}». Отчёты: {', '.join(REPORTS)}")
    if opts.iteration is None and name != "activity":
        opts.iteration = q.current_iteration(conn)
    report = globals()["_" + name](conn, opts)
    report.params = {"report": name, **opts.params()}
    return report


def _iteration_name(conn, iteration_id) -> str:
    if iteration_id is None:
        return "все итерации"
    row = conn.execute("SELECT name FROM ej.iteration WHERE id = %s", (iteration_id,)).fetchone()
    return row["name"] if row else f"итерация № {iteration_id}"


NUMBERS = ["Занятий", "Часов", "Отметок", "Присутствий", "н", "уваж.", "Посещаемость, %"]


def _attendance(conn, o: Options) -> Report:
    by = o.by or "group"
    if by not in ATTENDANCE_BY:
        raise Invalid(f"--by для посещаемости: {', '.join(ATTENDANCE_BY)}")
    rows = q.attendance(conn, by, o.iteration, o.quantum, o.teacher, o.group, o.date_from, o.date_to)
    keys = {
        "group": [("quantum_name", "Квантум"), ("group_name", "Группа"), ("teacher_name", "Педагог")],
        "teacher": [("teacher_name", "Педагог"), ("groups", "Групп")],
        "quantum": [("quantum_name", "Квантум"), ("groups", "Групп")],
        "month": [("month", "Месяц"), ("groups", "Групп")],
        "group_month": [("group_name", "Группа"), ("teacher_name", "Педагог"), ("month", "Месяц")],
    }[by]
    nums = ["lessons", "hours", "marks", "present", "absent", "excused", "present_pct"]
    by_name = {"group": "по группам", "teacher": "по педагогам", "quantum": "по квантумам", "month": "по месяцам",
               "group_month": "по группам и месяцам"}[by]
    return Report("attendance", f"Посещаемость {by_name}", [h for _, h in keys] + NUMBERS,
                  [[_month(r[k]) if k == "month" else r[k] for k, _ in keys] + [r[n] for n in nums] for r in rows],
                  subtitle=_iteration_name(conn, o.iteration), landscape=by == "group_month")


def _month(d: date | None) -> str:
    from ejournal_tui.reports.russian import month_name

    return month_name(d) if d else ""


def _fulfilment(conn, o: Options) -> Report:
    if o.detail:
        if o.group is None:
            raise Invalid("Для подробного отчёта по КТП укажите группу (--group)")
        rows = q.fulfilment_topics(conn, o.group)
        return Report("fulfilment", "Выполнение КТП по темам",
                      ["№", "Тема", "Часов по плану", "Проведено часов", "Занятий", "Первое", "Последнее"],
                      [[r["position"], r["title"], r["planned_hours"], r["delivered_hours"], r["lessons"],
                        r["first_on"], r["last_on"]] for r in rows],
                      subtitle=rows[0]["group_name"] if rows else f"группа № {o.group}")
    rows = q.fulfilment(conn, o.iteration, o.quantum, o.teacher, o.group)
    return Report("fulfilment", "Выполнение программ (КТП)",
                  ["Квантум", "Группа", "Педагог", "Тем КТП", "Часов КТП", "Занятий по расписанию",
                   "из них на сегодня", "Проведено занятий", "Проведено часов", "% часов", "Пройдено тем",
                   "% тем"],
                  [[r["quantum_name"], r["group_name"], r["teacher_name"], r["topics"], r["ktp_hours"],
                    r["planned_lessons"], r["planned_to_date"], r["lessons"], r["delivered_hours"], r["hours_pct"],
                    r["topics_covered"], r["topics_pct"]] for r in rows],
                  subtitle=_iteration_name(conn, o.iteration), landscape=True)


def _timeliness(conn, o: Options) -> Report:
    by = o.by or "teacher"
    if by not in TIMELINESS_BY:
        raise Invalid(f"--by для своевременности: {', '.join(TIMELINESS_BY)}")
    rows = q.timeliness(conn, by, o.iteration, o.today, o.teacher)
    keys = [("teacher_name", "Педагог")] + ([("group_name", "Группа")] if by == "group" else [("groups", "Групп")])
    nums = [("planned_due", "Занятий по расписанию (срок прошёл)"), ("lessons", "Заполнено занятий"),
            ("on_time", f"В срок (≤ {current().days})"), ("late", "С опозданием"), ("missing", "Не заполнено"),
            ("extra", "Вне расписания"), ("on_time_pct", "В срок, %"), ("max_delay_days", "Наибольшая задержка, дн.")]
    return Report("timeliness", "Своевременность заполнения журнала",
                  [h for _, h in keys + nums], [[r[k] for k, _ in keys + nums] for r in rows],
                  subtitle=f"{_iteration_name(conn, o.iteration)}; на {fmt_date(o.today or q.today(conn))}",
                  landscape=True)


def _activity(conn, o: Options) -> Report:
    rows = q.user_activity(conn, o.date_from, o.date_to)
    span = ""
    if rows:
        first, last = rows[0]["month"], rows[-1]["month"]
        span = _month(first) if first == last else f"{_month(first)} — {_month(last)}"
    return Report("activity", "Активность пользователей",
                  ["Месяц", "Логин", "ФИО", "Изменений", "Дней работы", "Занятий", "Отметок", "Прочее",
                   "Последнее действие"],
                  [[_month(r["month"]), r["login"], r["full_name"], r["actions"], r["days_active"], r["lessons"],
                    r["marks"], r["other"], r["last_at"]] for r in rows],
                  subtitle=span, landscape=True)


def _iteration(conn, o: Options) -> Report:
    if o.iteration is None:
        raise Invalid("Укажите итерацию (--iteration)")
    rows = q.iteration_report(conn, o.iteration, o.today)
    cols = [("teacher_name", "Педагог"), ("groups", "Групп"), ("students", "Обучающихся"),
            ("left_students", "Выбыло"), ("ktp_hours", "Часов КТП"), ("delivered_hours", "Проведено часов"),
            ("hours_pct", "% часов"), ("lessons", "Занятий"), ("present_pct", "Посещаемость, %"),
            ("on_time", "Заполнено в срок"), ("late", "С опозданием"), ("missing", "Не заполнено"),
            ("on_time_pct", "В срок, %"), ("remarks", "Замечаний"), ("remarks_open", "Не устранено")]
    return Report("iteration", "Работа педагогов с электронным журналом по итогам итерации",
                  [h for _, h in cols], [[r[k] for k, _ in cols] for r in rows],
                  subtitle=_iteration_name(conn, o.iteration), landscape=True)


NOT_YET = "ещё не наступила"


def _numeric(conn, o: Options) -> Report:
    rows = q.numeric(conn, o.iteration, o.as_of, [o.group] if o.group else None, o.quantum)
    asked = o.as_of or q.numeric_dates(conn, o.iteration)
    today = conn.execute("SELECT current_date AS d").fetchone()["d"]
    future = sorted({d for d in asked if d > today})  # nobody knows yet: a column that says so
    dates = sorted({r.as_of for r in rows} | set(future)) or asked
    scopes: dict[tuple, dict[tuple[int, str], dict[date, int]]] = {}
    level_name = {"organization": "Организация", "quantum": "Квантум", "group": "Группа"}
    for r in rows:
        scope = (r.level, r.quantum_name or "", r.group_name or "")
        scopes.setdefault(scope, {}).setdefault((r.measure_no, r.measure), {})[r.as_of] = r.students
    order = {"organization": 0, "quantum": 1, "group": 2}
    out = []
    for scope in sorted(scopes, key=lambda s: (order[s[0]], s[1], s[2])):
        level, quantum, group = scope
        where = group or quantum or "вся организация"
        for (_, measure), values in sorted(scopes[scope].items()):
            out.append([level_name[level], where, measure,
                        *(NOT_YET if d in future else values.get(d) for d in dates)])
    return Report("numeric", "Цифровой отчёт: количество обучающихся",
                  ["Уровень", "Группа / квантум", "Показатель"] + [f"на {fmt_date(d)}" for d in dates], out,
                  subtitle=_iteration_name(conn, o.iteration)
                  + ("".join(f"; {fmt_date(d)} {NOT_YET}" for d in future)))
