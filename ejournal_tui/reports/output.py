"""Reports as PDF (the look of the hard copy) and a group's journal as CSV for the methodist."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ejournal_tui.db import reports as q
from ejournal_tui.db.connection import Conn
from ejournal_tui.reports import journal, pdf
from ejournal_tui.reports.catalog import Report
from ejournal_tui.reports.journal import JournalError, Printed, Section, check_output, fingerprint_of, footer_line, save
from ejournal_tui.reports.text import is_number, to_csv


def _me(conn: Conn) -> tuple[int | None, str | None, str | None]:
    """(organization id, organization name, the caller's name)."""
    row = conn.execute(
        """
        SELECT o.id, o.name, (SELECT full_name FROM ej.staff WHERE login = session_user) AS me
          FROM ej.organization o
         ORDER BY o.id = ej.current_org_id() DESC NULLS LAST, o.id LIMIT 1
        """).fetchone()
    return (row["id"], row["name"], row["me"]) if row else (None, None, None)


def report_pdf(conn: Conn, report: Report, record: bool = True, output=None) -> Printed:
    """The report as PDF; with `output` written there (complete, or not at all) and recorded in
    the transaction that puts the file in place."""
    org_id, org_name, me = _me(conn)
    data_hash, fp = fingerprint_of({"report": report.name, "title": report.title, "subtitle": report.subtitle,
                                    "headers": report.headers, "rows": report.rows, "params": report.params})
    m: Any = pdf.environment().get_template("sections.html").module  # its macros, by name
    numeric = [bool(report.rows) and all(is_number(r[i]) or r[i] is None for r in report.rows)
               for i in range(len(report.headers))]
    size, widths = pdf.column_widths(report.headers, report.rows, 273 if report.landscape else 168)
    body = m.report(report, org_name or "", datetime.now(), me, numeric, widths, size)
    html = pdf.render_html("document.html", sections=[Section("wide" if report.landscape else "portrait", body,
                                                              0, report.title)],
                           fingerprint=fp, footer=footer_line(f"{org_name or ''} · {report.title}", fp,
                                              journal.FOOT_WIDE_MM if report.landscape else journal.FOOT_WIDTH_MM),
                           title=report.title)
    data, pages = pdf.number_pages([pdf.html_to_pdf(html)], title=report.title, subject=f"Отпечаток данных {fp}")
    printed = Printed(data, pages, fp, data_hash, report.title)

    def add_record() -> int | None:
        if not record or org_id is None:
            return None
        return q.record_print(conn, organization_id=org_id, fingerprint=fp, data_hash=data_hash, kind="report",
                              title=report.title, pages=pages, params=report.params)

    if output is not None:
        save(conn, printed, check_output(output), add_record)
        printed.path = str(output)
    else:
        printed.record_id = add_record()
    return printed


def journal_csv(conn: Conn, group_id: int) -> str:
    """A group's journal as CSV: the attendance grid (codes as in the hard copy) with each
    student's totals, then the lessons with topics and hours."""
    from ejournal_tui.reports.journal import collect

    doc = collect(conn, group_id=group_id)
    g = doc.groups[0]
    lessons = [lesson for m in g.months for lesson in m.lessons]
    totals = {r["student_id"]: r for r in q.student_totals(conn, group_id)}
    rows: list[list] = []
    order = list(dict.fromkeys(s.rec.student_id for s in g.students))
    names = {s.rec.student_id: s.full_name for s in g.students}
    grid: dict[int, list[str]] = {sid: [] for sid in order}
    for m in g.months:
        for chunk in m.chunks:
            for r in chunk:
                grid[order[r.number - 1]].extend(r.cells)
    for n, sid in enumerate(order, start=1):
        t = totals.get(sid, {})
        rows.append([n, names[sid], *grid[sid], t.get("lessons", 0), t.get("present", 0), t.get("absent", 0),
                     t.get("excused", 0), t.get("unmarked", 0)])
    headers = ["№", "Обучающийся", *[lesson.held_on for lesson in lessons], "Занятий", "Присутствовал",
               "н", "уваж.", "Нет отметки"]
    out = to_csv([_h(h) for h in headers], rows)
    out += "\r\n" + to_csv(["Дата", "№ темы КТП", "Тема", "Часы"],
                           [[lesson.held_on, lesson.topic_no, lesson.topic, lesson.hours] for lesson in lessons],
                           bom=False)
    return out


def _h(value) -> str:
    from ejournal_tui.reports.text import cell

    return cell(value)


__all__ = ["JournalError", "journal_csv", "report_pdf"]
