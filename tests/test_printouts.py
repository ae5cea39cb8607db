"""The hard copy a methodist binds (issue 12): the academic year of an iteration that starts in
August, the copy to bind vs a working copy, the output file checked before rendering and recorded
with it, no sheet carrying only a footnote. Real database, real PDF read back with pypdf."""

import io
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from ejournal_tui.cli import main
from ejournal_tui.db import reports as q
from ejournal_tui.db.connection import connect
from ejournal_tui.reports import journal, pdf


def pages_of(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def iteration(sql, status: str) -> dict:
    return sql.run("SELECT id, starts_on, ends_on FROM ej.iteration WHERE organization_id = 1 AND status = %s "
                   "ORDER BY starts_on LIMIT 1", (status,))[0]


def quantum_of(sql, iteration_id: int) -> int:
    """The quantum of the iteration with the most groups (organization 1)."""
    return sql.one("""SELECT p.quantum_id FROM ej.study_group g JOIN ej.program p ON p.id = g.program_id
                       WHERE g.iteration_id = %s GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""", (iteration_id,))


# ------------------------------------------------------------------------- 1. the academic year


def test_an_iteration_starting_in_august_belongs_to_the_year_starting_that_september(sql, login_conninfo):
    august = sql.run("SELECT id, starts_on FROM ej.iteration WHERE organization_id = 1 "
                     "AND extract(month FROM starts_on) = 8")
    assert august, "the demo data has an iteration that starts in August"
    it, starts = august[0]["id"], august[0]["starts_on"]
    year = starts.year
    assert sql.one("SELECT ej.academic_year(%s)", (starts,)) == year
    assert sql.one("SELECT ej.academic_year(%s)", (date(year + 1, 7, 31),)) == year
    with connect(login_conninfo("o1_methodist")) as conn:
        assert q.numeric_dates(conn, it) == [date(year, 10, 1), date(year + 1, 1, 1), date(year + 1, 6, 1)]
        rows = q.numeric(conn, it)
        total = {r.as_of: r.students for r in rows if r.level == "organization" and r.measure == "всего"}
        assert total.get(date(year, 10, 1), 0) > 0  # the iteration ran on 01.10 of its year
        quantum = quantum_of(sql, it)
        doc = journal.collect(conn, it, quantum)
    assert doc.groups[0].academic_year == f"{year}/{year + 1}"
    assert doc.quantum_numeric is not None
    assert (doc.quantum_numeric.rows[0][1][0] or 0) > 0


def test_a_date_still_to_come_shows_no_numbers(sql, login_conninfo):
    active = iteration(sql, "active")
    today = sql.one("SELECT ej.today(NULL)")
    later = date(today.year + 1, 1, 1)
    assert active["starts_on"] <= today
    with connect(login_conninfo("o1_methodist")) as conn:
        assert q.numeric(conn, active["id"], [later]) == []  # not «0 pupils»: nobody knows yet
        assert q.numeric(conn, active["id"], [today])
        quantum = quantum_of(sql, active["id"])
        doc = journal.collect(conn, active["id"], quantum)
        table = doc.quantum_numeric
        assert any(table.future) and all(f == (d > today) for d, f in zip(table.dates, table.future, strict=True))
        from ejournal_tui.reports import catalog

        report = catalog.build(conn, "numeric", catalog.Options(iteration=active["id"], as_of=[today, later]))
    assert report.rows and all(r[-1] == "ещё не наступила" for r in report.rows)
    summary = [s for s in journal.sections(doc) if s.label == "сводные сведения"]
    html = pdf.render_html("document.html", sections=summary, **journal.common_context(doc))
    text = "\n".join(pages_of(pdf.html_to_pdf(html)))
    assert "ещё не наступила" in text


# ----------------------------------------------------------------- 2. binding copy, working copy


def test_only_an_ended_complete_iteration_prints_the_copy_to_bind(sql, login_conninfo):
    active = iteration(sql, "active")
    quantum = quantum_of(sql, active["id"])
    with connect(login_conninfo("o1_methodist")) as conn:
        printed = journal.print_journal(conn, active["id"], quantum, record=False)
    pages = pages_of(printed.pdf)
    assert not printed.binding and "итерация не завершена" in printed.working_reasons
    assert all("РАБОЧАЯ КОПИЯ" in p for p in pages)
    assert not any("Прошнуровано" in p for p in pages)
    assert "РАБОЧАЯ КОПИЯ — не для прошивки" in pages[0] and "итерация не завершена" in pages[0]
    # a cell with no mark prints «?», which the legend explains
    unmarked = sql.one("""SELECT count(*) FROM ej.lesson l JOIN ej.report_lesson_attendance la ON la.lesson_id = l.id
                            JOIN ej.program p ON p.id = (SELECT program_id FROM ej.study_group WHERE id = l.group_id)
                           WHERE p.quantum_id = %s AND l.group_id IN (SELECT id FROM ej.study_group
                                                                      WHERE iteration_id = %s) AND la.unmarked > 0""",
                       (quantum, active["id"]))
    spreads = [p for p in pages if "Учёт посещаемости" in p]
    assert all("«?» — отметка не внесена" in " ".join(p.split()) for p in spreads)
    if unmarked:
        assert any("клетки «?»" in p for p in spreads)

    archived = iteration(sql, "archived")
    quantum = quantum_of(sql, archived["id"])
    # a gap in an ended iteration: one student's mark removed, and it is a working copy again
    with connect(login_conninfo("o1_methodist")) as conn:
        assert journal.collect(conn, archived["id"], quantum).binding
    with sql.conn.transaction():
        sql.run("SET LOCAL session_replication_role = replica")  # archived iterations are immutable
        sql.run("""DELETE FROM ej.attendance WHERE ctid = (
                     SELECT a.ctid FROM ej.attendance a JOIN ej.study_group g ON g.id = a.group_id
                       JOIN ej.program p ON p.id = g.program_id
                      WHERE g.iteration_id = %s AND p.quantum_id = %s LIMIT 1)""", (archived["id"], quantum))
    with connect(login_conninfo("o1_methodist")) as conn:
        doc = journal.collect(conn, archived["id"], quantum)
    assert not doc.binding and any("отметки" in r for r in doc.working_reasons)


def test_a_teachers_print_says_whose_groups_and_totals_only_those(sql, login_conninfo):
    archived = iteration(sql, "archived")
    row = sql.run(
        """SELECT s.login, s.full_name, p.quantum_id, count(*) AS mine,
                  (SELECT count(*) FROM ej.study_group g2 JOIN ej.program p2 ON p2.id = g2.program_id
                    WHERE g2.iteration_id = g.iteration_id AND p2.quantum_id = p.quantum_id) AS every
             FROM ej.study_group g JOIN ej.program p ON p.id = g.program_id JOIN ej.staff s ON s.id = g.teacher_id
            WHERE g.iteration_id = %s AND s.organization_id = 1
            GROUP BY 1, 2, 3, g.iteration_id HAVING count(*) < (SELECT count(*) FROM ej.study_group g2
                JOIN ej.program p2 ON p2.id = g2.program_id
               WHERE g2.iteration_id = g.iteration_id AND p2.quantum_id = p.quantum_id)
            ORDER BY 1 LIMIT 1""", (archived["id"],))[0]
    hours = sql.one("""SELECT sum(l.hours) FROM ej.lesson l JOIN ej.study_group g ON g.id = l.group_id
                         JOIN ej.program p ON p.id = g.program_id JOIN ej.staff s ON s.id = g.teacher_id
                        WHERE g.iteration_id = %s AND p.quantum_id = %s AND s.login = %s""",
                    (archived["id"], row["quantum_id"], row["login"]))
    with connect(login_conninfo(row["login"])) as conn:
        printed = journal.print_journal(conn, archived["id"], row["quantum_id"], record=False)
    pages = pages_of(printed.pdf)
    text = "\n".join(" ".join(p.split()) for p in pages)
    assert not printed.binding and not any("Прошнуровано" in p for p in pages)
    assert f"только группы педагога {row['full_name']}" in text
    assert "По квантуму" not in text
    summary = " ".join(pages[-1].split())
    assert f"Итого по группам педагога {journal.fmt_num(hours)}" in summary


# ------------------------------------------------------------------------------- 3. the output


def test_a_print_into_a_missing_folder_is_refused_before_rendering_and_not_recorded(
        sql, login_conninfo, tmp_path, capsys, monkeypatch):
    active = iteration(sql, "active")
    quantum = quantum_of(sql, active["id"])
    dsn = login_conninfo("o1_methodist")
    rendered = []
    real = pdf.render_parts

    def counted(*a, **k):
        rendered.append(1)
        return real(*a, **k)

    monkeypatch.setattr(pdf, "render_parts", counted)
    missing = tmp_path / "no" / "such" / "j.pdf"
    code = main(["--dsn", dsn, "print", "journal", "--iteration", str(active["id"]), "--quantum", str(quantum),
                 "-o", str(missing)])
    err = capsys.readouterr().err
    assert code == 1 and "Папки" in err and "Непредвиденная" not in err
    assert not rendered and not (tmp_path / "no").exists()
    assert sql.one("SELECT count(*) FROM ej.print_fingerprint") == 0
    with connect(dsn) as conn, pytest.raises(journal.JournalError):
        journal.print_journal(conn, active["id"], quantum, output=tmp_path)  # a folder, not a file

    # success: the path, the sheets and the fingerprint; the record and the complete file, nothing else
    target = tmp_path / "j.pdf"
    assert main(["--dsn", dsn, "print", "journal", "--iteration", str(active["id"]), "--quantum", str(quantum),
                 "-o", str(target)]) == 0
    out = capsys.readouterr().out
    rec = sql.run("SELECT fingerprint, pages FROM ej.print_fingerprint")
    assert len(rec) == 1
    assert f"{target}: {rec[0]['pages']} л., отпечаток данных {rec[0]['fingerprint']}" in out
    assert "односторонне" in out
    assert len(PdfReader(target).pages) == rec[0]["pages"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["j.pdf"]


def test_a_failure_while_saving_leaves_neither_file_nor_record(sql, login_conninfo, tmp_path, monkeypatch):
    active = iteration(sql, "active")
    quantum = quantum_of(sql, active["id"])
    import os

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with connect(login_conninfo("o1_methodist")) as conn, pytest.raises(OSError):
        journal.print_journal(conn, active["id"], quantum, output=tmp_path / "j.pdf")
    assert list(tmp_path.iterdir()) == []
    assert sql.one("SELECT count(*) FROM ej.print_fingerprint") == 0


# ------------------------------------------------------------------------- 4. no footnote sheets


def test_no_sheet_holds_only_a_footnote(sql, login_conninfo):
    """The last section of a group ends with the numeric report and its footnote; however long
    the section before it grows (more events), the footnote never goes to a sheet of its own."""
    archived = iteration(sql, "archived")
    quantum = quantum_of(sql, archived["id"])
    with connect(login_conninfo("o1_methodist")) as conn:
        doc = journal.collect(conn, archived["id"], quantum)
    g = doc.groups[0]
    assert not all(g.numeric.covered)  # dates of the year outside the iteration: the footnote is there
    m: Any = pdf.environment().get_template("sections.html").module  # the template's macros
    common = {"doc": doc, "fingerprint": doc.fingerprint, "footer": doc.footer, "title": doc.title}
    seen_pages = set()
    for n in range(0, 34):
        g.events = [q.PaperEvent(group_id=g.info.group_id, held_on=archived["starts_on"], title=f"Выставка {k}",
                            place="Городской выставочный центр", participants=5) for k in range(n)]
        total = doc.group_attendance.get(g.info.group_id)
        html = pdf.render_html("document.html", sections=[journal.Section("portrait", m.group_rest(doc, g, total),
                                                                          1, "")], **common)
        pages = pages_of(pdf.html_to_pdf(html))
        seen_pages.add(len(pages))
        for page in pages:
            body = [line for line in page.splitlines() if line.strip() and "отпечаток данных" not in line]
            assert body and not all(line.startswith("«—»") or "вне периода" in line or "не наступила" in line
                                    for line in body), (n, page)
    assert len(seen_pages) >= 2  # the section did grow past a sheet


# ------------------------------------------------------------ 7. what changed since the print


def test_lookup_verify_lists_the_changes_from_the_audit_log(sql, login_conninfo, tmp_path):
    import argparse

    from ejournal_tui.reports import cli

    active = iteration(sql, "active")
    group = sql.one("""SELECT g.id FROM ej.study_group g WHERE g.iteration_id = %s ORDER BY g.id LIMIT 1""",
                    (active["id"],))
    with connect(login_conninfo("o1_methodist")) as conn:
        printed = journal.print_journal(conn, group_id=group, output=tmp_path / "g.pdf")
    mark = sql.run("""SELECT a.lesson_id, a.student_id, s.last_name || ' ' || s.first_name AS name, l.held_on
                        FROM ej.attendance a JOIN ej.student s ON s.id = a.student_id
                        JOIN ej.lesson l ON l.id = a.lesson_id
                       WHERE a.group_id = %s AND a.status = 'present' ORDER BY l.held_on DESC LIMIT 1""", (group,))[0]
    with sql.conn.transaction():
        sql.run("SELECT ej.set_reason('исправление при проверке')")
        sql.run("UPDATE ej.attendance SET status = 'absent' WHERE lesson_id = %s AND student_id = %s",
                (mark["lesson_id"], mark["student_id"]))
        sql.run("UPDATE ej.lesson SET topic = 'Новая тема' WHERE id = %s", (mark["lesson_id"],))
    parser = argparse.ArgumentParser()
    cli.add_commands(parser.add_subparsers(dest="command"))
    out = io.StringIO()
    with connect(login_conninfo("o1_deputy")) as conn:
        code = cli.run(parser.parse_args(["print", "lookup", printed.fingerprint, "--verify"]), conn, out, out)
    text = out.getvalue()
    assert code == 2 and "Данные изменились" in text, text
    line = next(x for x in text.splitlines() if mark["name"] in x)
    assert "отметка" in line and "присутствовал → н" in line and "исправление при проверке" in line
    assert mark["held_on"].strftime("%d.%m.%Y") in line
    assert any("занятие" in x and "изменено: тема" in x for x in text.splitlines())


# ---------------------------------------------------------------------- the print dialog (TUI)


async def test_the_print_dialog_creates_no_folder_and_prints_in_a_process_of_its_own(
        login_conninfo, sql, tmp_path, monkeypatch):
    import os

    from staff_tui import acknowledge, app_as, errors, notes, open_by, settle, until, wait_for
    from textual.widgets import Input, Select, Static

    from ejournal_tui.reports import print_worker
    from ejournal_tui.tui.screens.methodist.home import MethodistHomeScreen
    from ejournal_tui.tui.screens.methodist.printing import PrintScreen

    acknowledge(sql, "o1_methodist")
    children = []
    real_run = print_worker.run

    def spy(conninfo, job, progress=None):
        children.append(job)
        return real_run(conninfo, job, progress)

    monkeypatch.setattr(print_worker, "run", spy)
    rendered_here = []
    monkeypatch.setattr(pdf, "render_parts", lambda *a, **k: rendered_here.append(1))
    app = app_as(login_conninfo, "o1_methodist")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, MethodistHomeScreen)
        screen = await open_by(pilot, PrintScreen, "п")
        assert "односторонне" in str(screen.query_one("#pr-note", Static).render())
        quantum = screen.query_one("#pr-quantum", Select)
        quantum.value = quantum._options[-1][1]
        await settle(pilot)
        screen.query_one("#pr-path", Input).value = str(tmp_path / "new" / "journal.pdf")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not (tmp_path / "new").exists() and not children
        assert any("Папки" in n for n in notes(app))
        app.clear_notifications()
        screen.query_one("#pr-path", Input).value = str(tmp_path / "journal.pdf")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.printed is not None or errors(app), "the print to finish", timeout=300)
        await settle(pilot)
        assert not errors(app), errors(app)
        printed = screen.printed
    assert children and not rendered_here  # rendered in the child process, not in the TUI's
    assert os.path.exists(tmp_path / "journal.pdf") and sorted(os.listdir(tmp_path)) == ["journal.pdf"]
    assert sql.run("SELECT pages, fingerprint FROM ej.print_fingerprint") == [
        {"pages": printed.pages, "fingerprint": printed.fingerprint}]
