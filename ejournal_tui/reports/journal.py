"""The hard copy of the journal: collect what it prints (one query per section, through
ejournal_tui.db.reports, under the caller's own role) and arrange it the way the paper form
of shared/PRINT_FORM.md lays it out. Numbers come from SQL; this module only places them.

The fingerprint is a hash of everything collected, so the same data always prints the same
fingerprint, and a paper copy can be matched to the database later."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ejournal_tui import dates
from ejournal_tui.db import reports as q
from ejournal_tui.db.connection import Conn, one
from ejournal_tui.errors import UserError
from ejournal_tui.reports import pdf
from ejournal_tui.reports.russian import SHEETS, count_in_words, month_name
from ejournal_tui.vocabulary import WEEKDAYS

# How many students one monthly spread holds before it continues on the next sheet.
ROWS_PER_SPREAD = 28


class JournalError(UserError, RuntimeError):
    """Nothing to print, or not allowed to see it; the message is for a person."""


@dataclass
class GridRow:
    number: int
    name: str
    cells: list[str]
    absent: int | None
    excused: int | None


@dataclass
class MonthSpread:
    month: date
    title: str
    lessons: list[q.LessonRow]
    chunks: list[list[GridRow]]
    totals: q.GroupMonth | None


@dataclass
class StudentLine:
    number: int
    rec: q.Enrolled

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.rec.last_name, self.rec.first_name, self.rec.middle_name) if p)


@dataclass
class NumericTable:
    dates: list[date]
    covered: list[bool]
    rows: list[tuple[str, list[int | None]]]
    future: list[bool] = field(default_factory=list)   # the date is still to come: no numbers yet

    @property
    def note(self) -> str:
        """The footnote under the table (kept on the same sheet as the table)."""
        notes = []
        if any(not c and not f for c, f in zip(self.covered, self.future, strict=True)):
            notes.append("«—» — в этот день группы итерации не занимались")
        if any(self.future):
            notes.append("дата ещё не наступила — данных нет")
        return "; ".join(notes)


@dataclass
class GroupDoc:
    info: q.GroupInfo
    slots: list[q.Slot]
    slot_changes: list[q.Slot]
    students: list[StudentLine]
    months: list[MonthSpread]
    briefings: list[q.PaperBriefing]
    unbriefed: list[str]
    events: list[q.PaperEvent]
    achievements: list[q.PaperAchievement]
    remarks: list[q.PaperRemark]
    group_months: list[q.GroupMonth]
    fulfilment: q.Fulfilment | None
    numeric: NumericTable
    academic_year: str


@dataclass
class JournalDoc:
    kind: str                      # journal | group
    header: q.Header
    groups: list[GroupDoc]
    teachers: list[str]
    programs: list[tuple[str, Decimal]]
    legend: list[q.LegendRow]
    quantum_numeric: NumericTable | None
    fulfilment: list[q.Fulfilment]
    group_attendance: dict[int, dict]
    quantum_attendance: dict | None
    fulfilment_total: dict | None
    data_hash: str
    fingerprint: str
    printed_at: datetime = field(default_factory=datetime.now)
    printed_by: str | None = None
    # the binding copy (closing page, for the director's signature and stamp) or a working copy
    working_reasons: list[str] = field(default_factory=list)
    teacher_only: str | None = None   # a teacher's print: whose groups it holds
    unmarked_cells: int = 0

    @property
    def binding(self) -> bool:
        return not self.working_reasons

    @property
    def stamp(self) -> str | None:
        return None if self.binding else "РАБОЧАЯ КОПИЯ"

    @property
    def title(self) -> str:
        h = self.header
        if self.kind == "group" and self.groups:
            return f"Журнал группы {self.groups[0].info.group_name} · {h.iteration_name}"
        return f"Журнал · {h.quantum_name} · {h.iteration_name}"

    @property
    def footer(self) -> str:
        h = self.header
        where = self.groups[0].info.group_name if self.kind == "group" and self.groups else h.quantum_name
        text = f"{h.unit_name or h.organization_name} · {where} · {h.iteration_name}"
        return text if self.binding else f"РАБОЧАЯ КОПИЯ · {text}"


def fingerprint_of(payload: object) -> tuple[str, str]:
    """(data_hash, fingerprint): sha256 of the canonical JSON of the printed data, and its
    first eight hex digits as «XXXX-XXXX»."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return digest, f"{digest[:4]}-{digest[4:8]}".upper()


# The sections of each group's part: one query for all the groups each, in the fingerprint under
# its name, and handed to each group by its group_id.
PER_GROUP: dict[str, Callable[[Conn, list[int]], list[Any]]] = {
    "slots": q.journal_slots, "students": q.journal_students, "lessons": q.journal_lessons,
    "student_months": q.journal_student_months, "group_months": q.journal_group_months,
    "briefings": q.journal_briefings, "unbriefed": q.journal_unbriefed, "events": q.journal_events,
    "achievements": q.journal_achievements, "remarks": q.journal_remarks,
}


def _dump(items) -> list:
    return [i.model_dump(mode="json") for i in items]


def collect(conn: Conn, iteration_id: int | None = None, quantum_id: int | None = None,
            group_id: int | None = None) -> JournalDoc:
    """The hard copy of one quantum's iteration (kind «journal») or of one group («group»)."""
    kind = "group" if group_id is not None else "journal"
    if group_id is not None:
        place = q.group_place(conn, group_id)
        if place is None:
            raise JournalError(f"Группа № {group_id} не найдена или недоступна")
        iteration_id, quantum_id = place
    elif iteration_id is None or quantum_id is None:
        raise JournalError("Укажите итерацию и квантум")
    header = q.journal_header(conn, iteration_id, quantum_id)
    if header is None:
        raise JournalError(f"Итерация № {iteration_id} не найдена или недоступна")
    if header.quantum_id is None:
        raise JournalError(f"Квантум № {quantum_id} не найден в организации итерации")
    infos = q.journal_groups(conn, iteration_id, quantum_id, group_id)
    if not infos:
        raise JournalError("Нет групп для печати: в этом квантуме и итерации нет групп, доступных вам")
    ids = [g.group_id for g in infos]

    sections = {name: read(conn, ids) for name, read in PER_GROUP.items()}
    marks = q.journal_marks(conn, ids)
    fulfilment = q.journal_fulfilment(conn, ids)
    numeric = q.numeric(conn, iteration_id, group_ids=ids, quantum_id=quantum_id)
    dates = q.numeric_dates(conn, iteration_id)
    today = one(conn.execute("SELECT current_date AS d"))["d"]
    legend = q.attendance_legend(conn)
    group_attendance = {r["group_id"]: r for r in q.attendance(conn, "group", iteration_id, quantum_id,
                                                                 group_id=group_id)}
    quantum_rows = q.attendance(conn, "quantum", iteration_id, quantum_id, group_id=group_id)
    quantum_attendance = quantum_rows[0] if quantum_rows else None
    fulfilment_total = q.fulfilment_total(conn, ids)

    data_hash, fp = fingerprint_of({
        "kind": kind, "header": header.model_dump(mode="json"), "groups": _dump(infos),
        **{name: _dump(rows) for name, rows in sections.items()}, "marks": _dump(marks),
        # planned_to_date counts scheduled dates up to today: it is printed, but left out of the
        # fingerprint, which is to match a paper copy to the records whatever day it is checked
        "fulfilment": [f.model_dump(mode="json", exclude={"planned_to_date"}) for f in fulfilment],
        "numeric": _dump(numeric), "dates": [d.isoformat() for d in dates],
        "legend": _dump(legend), "group_attendance": group_attendance, "quantum_attendance": quantum_attendance,
        "fulfilment_total": fulfilment_total,
    })

    by_group: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for name, rows in sections.items():
        for row in rows:
            by_group[row.group_id][name].append(row)
    code_of = {(m.lesson_id, m.student_id): m.code for m in marks}
    fulfil_of = {f.group_id: f for f in fulfilment}
    groups = []
    for info in infos:
        g = by_group[info.group_id]
        base = [s for s in g["slots"] if s.valid_from is None and s.valid_to is None]
        changes = [s for s in g["slots"] if s.valid_from is not None or s.valid_to is not None]
        numbered = [StudentLine(i, rec) for i, rec in enumerate(g["students"], start=1)]
        groups.append(GroupDoc(
            info=info, slots=base, slot_changes=changes, students=numbered,
            months=_months(g["students"], g["lessons"], code_of, g["student_months"], g["group_months"]),
            briefings=g["briefings"], unbriefed=[u.student for u in g["unbriefed"]], events=g["events"],
            achievements=g["achievements"], remarks=g["remarks"], group_months=g["group_months"],
            fulfilment=fulfil_of.get(info.group_id),
            numeric=_numeric_table([r for r in numeric if r.level == "group" and r.group_id == info.group_id],
                                   dates, today),
            academic_year=f"{dates[0].year}/{dates[0].year + 1}",
        ))
    teachers = sorted({g.teacher_name for g in infos})
    programs = sorted({(g.program_name, g.program_hours) for g in infos})
    quantum_numeric = None
    if kind == "journal":
        quantum_numeric = _numeric_table([r for r in numeric if r.level == "quantum"], dates, today)
    # the summary lists the groups in the order of the body
    fulfilment = [fulfil_of[i.group_id] for i in infos if i.group_id in fulfil_of]
    teacher_only = None if q.reads_whole_organization(conn) else ", ".join(teachers)
    gaps = q.journal_gaps(conn, ids, header.ends_on, sections["lessons"])
    return JournalDoc(kind=kind, header=header, groups=groups, teachers=teachers, programs=programs,
                      legend=legend, quantum_numeric=quantum_numeric, fulfilment=fulfilment,
                      group_attendance=group_attendance, quantum_attendance=quantum_attendance,
                      fulfilment_total=fulfilment_total, data_hash=data_hash, fingerprint=fp,
                      working_reasons=working_reasons(header, gaps, teacher_only),
                      teacher_only=teacher_only, unmarked_cells=gaps["unmarked_cells"])


def working_reasons(header: q.Header, gaps: dict, teacher_only: str | None) -> list[str]:
    """Why a print is a working copy and not the copy to bind; empty: the copy to bind. Only an
    iteration that is over (closed or archived) with every scheduled lesson written and every
    mark given is bound, and only as a whole quantum (or group), not a teacher's part of it."""
    out = []
    if header.status not in ("closed", "archived"):
        out.append("итерация не завершена")
    if gaps["missing_lessons"]:
        out.append(f"не записано занятий по расписанию: {gaps['missing_lessons']}")
    if gaps["unmarked_cells"]:
        out.append(f"не внесены отметки посещаемости: {gaps['unmarked_cells']} "
                   f"(в {gaps['unmarked_lessons']} занятиях, в клетках «?»)")
    if teacher_only:
        out.append(f"только группы педагога {teacher_only}")
    return out


def _months(enrollments: list[q.Enrolled], lessons: list[q.LessonRow], code_of: dict[tuple[int, int], str],
            student_months: list[q.StudentMonth], group_months: list[q.GroupMonth]) -> list[MonthSpread]:
    """One spread per month with lessons: the grid of codes on the left, the lessons on the right."""
    # one grid row per student, however many enrollments (left and came back)
    periods: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    names: dict[int, str] = {}
    for e in enrollments:
        periods[e.student_id].append((e.enrolled_on, e.left_on))
        names.setdefault(e.student_id, f"{e.last_name} {e.first_name}")
    order = list(names)  # already sorted by name in SQL
    totals = {(s.student_id, s.month): s for s in student_months}
    month_totals = {m.month: m for m in group_months}

    by_month: dict[date, list[q.LessonRow]] = defaultdict(list)
    for lesson in lessons:
        by_month[lesson.held_on.replace(day=1)].append(lesson)

    spreads = []
    for month in sorted(by_month):
        month_lessons = by_month[month]
        rows = []
        for number, sid in enumerate(order, start=1):
            cells = []
            for lesson in month_lessons:
                day = lesson.held_on
                if not any(a <= day and (b is None or day < b) for a, b in periods[sid]):
                    cells.append("—")
                else:
                    cells.append(code_of.get((lesson.lesson_id, sid), "?"))
            t = totals.get((sid, month))
            rows.append(GridRow(number, names[sid], cells, t.absent if t else None, t.excused if t else None))
        chunks = [rows[i:i + ROWS_PER_SPREAD] for i in range(0, len(rows), ROWS_PER_SPREAD)] or [[]]
        spreads.append(MonthSpread(month, month_name(month), month_lessons, chunks, month_totals.get(month)))
    return spreads


def _numeric_table(rows: list[q.NumericRow], dates: list[date], today: date) -> NumericTable:
    """Rows: measures in the order of the SQL function; columns: the report dates. A date no
    group of the scope was running on prints «—»; a date still to come, «ещё не наступила»."""
    covered = [any(r.as_of == d for r in rows) for d in dates]
    measures: dict[int, str] = {}
    values: dict[tuple[int, date], int] = {}
    for r in rows:
        measures.setdefault(r.measure_no, r.measure)
        values[(r.measure_no, r.as_of)] = r.students
    for no, label in ((1, "всего"), (2, "мальчиков"), (3, "девочек")):
        measures.setdefault(no, label)
    table = []
    for no in sorted(measures):
        table.append((measures[no], [values.get((no, d), 0) if ok else None for d, ok in zip(dates, covered,
                                                                                                strict=True)]))
    return NumericTable(dates, covered, table, [d > today for d in dates])


# ------------------------------------------------------------------------------------ rendering


@dataclass
class Printed:
    pdf: bytes
    pages: int
    fingerprint: str
    data_hash: str
    title: str
    record_id: int | None = None
    binding: bool = True
    working_reasons: list[str] = field(default_factory=list)
    path: str | None = None

    def summary(self) -> str:
        """What a person is told after a successful print."""
        kind = "копия для прошивки" if self.binding else "РАБОЧАЯ КОПИЯ (" + "; ".join(self.working_reasons) + ")"
        where = f"{self.path}: " if self.path else ""
        return (f"{where}{self.pages} л., отпечаток данных {self.fingerprint}; {kind}.\n{ONE_SIDED}")


@dataclass
class Section:
    template: str   # portrait | spread | wide
    html: str
    cost: int       # about the CPU time it takes to render, ms
    label: str


def sections(doc: JournalDoc) -> list[Section]:
    """The hard copy as sections that each begin a page, in the order of PRINT_FORM.md: title;
    per group the main data, the monthly spreads, the student list, then briefings, events and
    achievements, remarks, totals and the numeric report; the quantum summary."""
    m: Any = pdf.environment().get_template("sections.html").module  # its macros, by name
    out = [Section("portrait", m.title(doc), 40, "титульный лист")]
    for g in doc.groups:
        name = g.info.group_name
        out.append(Section("portrait", m.group_main(doc, g), 60, f"группа {name}"))
        for month in g.months:
            for k, chunk in enumerate(month.chunks):
                first, last = k == 0, k == len(month.chunks) - 1
                cost = 12 + len(chunk) // 5 + len(month.lessons) // 2
                out.append(Section("spread", m.spread(doc, g, month, chunk, first, last), cost,
                                   f"группа {name}: {month.title}"))
        out.append(Section("wide", m.student_list(doc, g), 8 + len(g.students) // 4, f"группа {name}: список"))
        total = doc.group_attendance.get(g.info.group_id)
        cost = 30 + len(g.briefings) + 5 * (len(g.events) + len(g.achievements) + len(g.remarks))
        out.append(Section("portrait", m.group_rest(doc, g, total), cost, f"группа {name}: инструктажи, итоги"))
    if doc.kind == "journal":
        headers = ["Группа", "Педагог", "Часов по КТП", "Проведено часов", "%", "Занятий", "Посещаемость, %"]
        rows = [[f.group_name, f.teacher_name, f.ktp_hours, f.delivered_hours, f.hours_pct, f.lessons, f.hours_pct]
                for f in doc.fulfilment] + [["По квантуму", "", None, None, None, None, None]]
        _, widths = pdf.column_widths(headers, rows, 168)
        out.append(Section("portrait", m.summary(doc, widths), 50 + 3 * len(doc.groups), "сводные сведения"))
    return out


def split(items: list[Section], parts: int) -> list[list[Section]]:
    """Consecutive runs of sections of about equal cost."""
    total = sum(s.cost for s in items)
    out: list[list[Section]] = [[]]
    done = 0
    for s in items:
        if out[-1] and len(out) < parts and done + s.cost / 2 > total * len(out) / parts:
            out.append([])
        out[-1].append(s)
        done += s.cost
    return out


# The footer lines: portrait frame 138 mm, landscape 240 mm, at 7 pt; the fingerprint is never cut.
FOOT_WIDTH_MM = 136
FOOT_WIDE_MM = 236
ONE_SIDED = "Печатайте односторонне: номер листа стоит на каждой странице, один лист — одна страница."


def footer_line(footer: str, fingerprint: str, width_mm: float = FOOT_WIDTH_MM) -> str:
    """The footer cut to one line of the footer frame (portrait by default: a journal has both),
    so that the fingerprint after it never wraps."""
    return pdf.fit(footer, width_mm - pdf.text_width_mm(f" · отпечаток данных {fingerprint}", 7), 7)


def common_context(doc: JournalDoc) -> dict:
    return {"doc": doc, "fingerprint": doc.fingerprint, "footer": footer_line(doc.footer, doc.fingerprint),
            "title": doc.title}


def render(doc: JournalDoc, progress: pdf.Progress | None = None, unit=SHEETS) -> Printed:
    """The PDF of a collected journal; the copy to bind ends with the closing page that states
    the number of sheets in words, a working copy has no closing page and is stamped
    «РАБОЧАЯ КОПИЯ» on every sheet. `progress(done, total, label)` as parts are finished."""
    common = common_context(doc)
    secs = sections(doc)
    closing_steps = 1 if doc.binding else 0
    # more parts than processes, so that the progress bar moves and the processes stay busy;
    # rendered here, one part a group when somebody watches the progress (~30 ms a part)
    workers = pdf.parallel_workers()
    parts = 3 * workers if workers > 1 else (len(doc.groups) + 1 if progress else 1)
    chunks = split(secs, parts if len(secs) > 8 else 1)
    htmls = [pdf.render_html("document.html", sections=chunk, **common) for chunk in chunks]
    done = [0]

    def part_done(i: int) -> None:
        done[0] += len(chunks[i])
        if progress:
            progress(done[0], len(secs) + closing_steps, chunks[i][-1].label)

    body = pdf.render_parts(htmls, part_done)
    closing: list[bytes] = []
    if doc.binding:
        pages = sum(pdf.page_count(b) for b in body)
        m: Any = pdf.environment().get_template("sections.html").module
        # The closing page counts every sheet, itself included; it is one page unless the list of
        # teachers is very long, and then the count is made again with its real length.
        own = 1
        while True:
            count = pages + own
            closing_html = m.closing(doc, doc.fingerprint, count_in_words(count, unit))
            last = pdf.html_to_pdf(pdf.render_html(
                "document.html", sections=[Section("portrait", closing_html, 40, "")], **common))
            if pdf.page_count(last) == own:
                break
            own = pdf.page_count(last)
        closing = [last]
    data, total = pdf.number_pages([*body, *closing], title=doc.title, subject=f"Отпечаток данных {doc.fingerprint}",
                                   stamp=doc.stamp)
    if progress and closing:
        progress(len(secs) + 1, len(secs) + 1, "заключительный лист")
    return Printed(data, total, doc.fingerprint, doc.data_hash, doc.title, binding=doc.binding,
                   working_reasons=list(doc.working_reasons))


def check_output(path: str | os.PathLike) -> Path:
    """The file a print goes to, checked before anything is collected or rendered: its folder
    must exist (nothing is created that was not asked for) and be writable, and the name must
    not be a folder."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise JournalError(f"«{target}» — это папка; укажите имя файла PDF")
    folder = target.parent
    if not folder.is_dir():
        raise JournalError(f"Папки «{folder}» нет: выберите существующую папку (новые папки не создаются)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise JournalError(f"В папку «{folder}» нельзя записать файл: нет прав")
    return target


def save(conn: Conn, printed: Printed, target: Path, record) -> None:
    """Write the PDF to a temporary file beside the target, then, in one transaction, record the
    print and move the complete file into place: a print is recorded only if its file exists
    in full, and a failed print leaves neither a file nor a record."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(printed.pdf)
            f.flush()
            os.fsync(f.fileno())
        with conn.transaction():
            printed.record_id = record()
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def print_journal(conn: Conn, iteration_id: int | None = None, quantum_id: int | None = None,
                  group_id: int | None = None, progress: pdf.Progress | None = None,
                  record: bool = True, output: str | os.PathLike | None = None) -> Printed:
    """Collect, render, and (with `output`) save the hard copy and record its fingerprint
    (ej.print_fingerprint) in the transaction that puts the file in place; as the caller's role.
    Without `output` the print is recorded at once (if `record`) and only returned."""
    target = check_output(output) if output is not None else None
    doc = collect(conn, iteration_id, quantum_id, group_id)
    me = conn.execute("SELECT s.full_name FROM ej.staff s WHERE s.login = session_user").fetchone()
    doc.printed_by = me["full_name"] if me else None
    printed = render(doc, progress)

    def add_record() -> int:
        return q.record_print(
            conn, organization_id=doc.header.organization_id, fingerprint=doc.fingerprint,
            data_hash=doc.data_hash, kind=doc.kind, title=doc.title, pages=printed.pages,
            iteration_id=doc.header.iteration_id, quantum_id=doc.header.quantum_id,
            group_id=group_id, params={"iteration": iteration_id, "quantum": quantum_id, "group": group_id,
                                       "binding": doc.binding})

    if target is not None:
        save(conn, printed, target, add_record if record else lambda: None)
        printed.path = str(target)
    elif record:
        printed.record_id = add_record()
    return printed


# ------------------------------------------------------------------------------ template helpers


def weekday_name(n: int) -> str:
    return WEEKDAYS[n - 1]


def fmt_date(d: date | datetime | None) -> str:
    return dates.fmt_date(d, "")


def fmt_num(x) -> str:
    """12 → «12», 12.50 → «12,5», None → «—»."""
    if x is None:
        return "—"
    if isinstance(x, Decimal | float):
        s = f"{Decimal(str(x)).normalize():f}"
        return s.replace(".", ",")
    return str(x)
