"""The hard copy (issue 5 item 1, PRINT_FORM.md): real database, real PDF, read back with pypdf."""

import argparse
import io
import re
import threading

import psycopg
import pytest
from pypdf import PdfReader

from ejournal_tui import settings
from ejournal_tui.db.connection import connect
from ejournal_tui.reports import cli, journal, pdf
from ejournal_tui.reports.russian import count_in_words, date_words, number_words, plural

# ------------------------------------------------------------------------------------ helpers


def pdf_pages(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def fonts(data: bytes) -> set[str]:
    found = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for f in page["/Resources"]["/Font"].values():
            found.add(str(f.get_object()["/BaseFont"]))
    return found


def biggest_quantum(sql, status: str) -> tuple[int, int]:
    """(iteration, quantum) of organization 1 with the most groups, in an iteration of that status."""
    row = sql.run(
        """SELECT g.iteration_id, p.quantum_id
             FROM ej.study_group g JOIN ej.program p ON p.id = g.program_id
             JOIN ej.iteration i ON i.id = g.iteration_id
             JOIN ej.staff s ON s.id = g.teacher_id AND s.login LIKE 'o1\\_%%'
            WHERE i.status = %s
            GROUP BY 1, 2 ORDER BY count(*) DESC, 2 LIMIT 1""", (status,))[0]
    return row["iteration_id"], row["quantum_id"]


# ------------------------------------------------------------------------------ words for counts


@pytest.mark.parametrize(("n", "words"), [
    (1, "один лист"), (2, "два листа"), (4, "четыре листа"), (5, "пять листов"), (11, "одиннадцать листов"),
    (12, "двенадцать листов"), (14, "четырнадцать листов"), (20, "двадцать листов"), (21, "двадцать один лист"),
    (22, "двадцать два листа"), (25, "двадцать пять листов"), (40, "сорок листов"), (41, "сорок один лист"),
    (100, "сто листов"), (101, "сто один лист"), (111, "сто одиннадцать листов"), (112, "сто двенадцать листов"),
    (212, "двести двенадцать листов"), (999, "девятьсот девяносто девять листов"),
    (1000, "одна тысяча листов"), (1001, "одна тысяча один лист"), (2002, "две тысячи два листа"),
    (5000, "пять тысяч листов"), (11000, "одиннадцать тысяч листов"), (21000, "двадцать одна тысяча листов"),
])
def test_sheet_count_in_words(n, words):
    assert count_in_words(n) == f"{n} ({words.rsplit(' ', 1)[0]}) {words.rsplit(' ', 1)[1]}"


def test_number_words_genders_and_plural_forms():
    assert number_words(1, "f") == "одна" and number_words(2, "f") == "две" and number_words(1, "n") == "одно"
    assert number_words(0) == "ноль"
    assert number_words(1_000_000) == "один миллион"
    assert number_words(2_341_001) == "два миллиона триста сорок одна тысяча один"
    assert plural(1, ("страница", "страницы", "страниц")) == "страница"
    assert plural(3, ("страница", "страницы", "страниц")) == "страницы"
    assert plural(111, ("страница", "страницы", "страниц")) == "страниц"
    with pytest.raises(ValueError):
        number_words(3, "x")


# ---------------------------------------------------------------------------------- the journal


def test_quantum_journal_hard_copy(sql, login_conninfo):
    iteration, quantum = biggest_quantum(sql, "archived")
    groups = sql.run("""SELECT g.id, g.name, s.full_name FROM ej.study_group g JOIN ej.program p ON p.id = g.program_id
                          JOIN ej.staff s ON s.id = g.teacher_id
                         WHERE g.iteration_id = %s AND p.quantum_id = %s ORDER BY g.name""", (iteration, quantum))
    first = groups[0]["id"]
    student = sql.run("""SELECT s.last_name || ' ' || s.first_name AS name FROM ej.enrollment e
                           JOIN ej.student s ON s.id = e.student_id WHERE e.group_id = %s
                          ORDER BY s.last_name, s.first_name LIMIT 1""", (first,))[0]["name"]
    codes = sql.run("""SELECT count(*) FILTER (WHERE status = 'absent') AS n,
                              count(*) FILTER (WHERE reason = 'illness') AS b
                         FROM ej.attendance WHERE group_id = %s""", (first,))[0]
    month_hours = sql.run("""SELECT count(*) AS lessons, sum(hours) AS hours FROM ej.lesson
                              WHERE group_id = %s AND date_trunc('month', held_on) =
                                    (SELECT date_trunc('month', min(held_on)) + interval '1 month'
                                       FROM ej.lesson WHERE group_id = %s)""", (first, first))[0]
    director = sql.one("SELECT director_name FROM ej.organization WHERE id = 1")
    starts, ends = sql.run("SELECT starts_on, ends_on FROM ej.iteration WHERE id = %s", (iteration,))[0].values()
    days = [r["d"] for r in sql.run("SELECT to_char(held_on, 'DD.MM') AS d FROM ej.lesson WHERE group_id = %s "
                                    "ORDER BY held_on", (first,))]

    with connect(login_conninfo("o1_methodist")) as conn:
        printed = journal.print_journal(conn, iteration, quantum)
    data = printed.pdf
    reader = PdfReader(io.BytesIO(data))
    pages = [p.extract_text() for p in reader.pages]
    text = "\n".join(pages)
    assert len(pages) == printed.pages >= 15

    # DejaVu embedded, nothing in Helvetica; Cyrillic reads back as text
    used = fonts(data)
    assert used and all("DejaVu" in f for f in used), used
    assert "ЖУРНАЛ" in pages[0] and "учёта работы педагога дополнительного образования" in pages[0]
    assert "Начат" in pages[0] and "Окончен" in pages[0]
    assert date_words(starts) in pages[0] and date_words(ends) in pages[0]  # an archived iteration is ended
    for g in groups:
        assert f"Группа {g['name']}" in text and g["full_name"] in text
    assert student in text
    assert "Учёт посещаемости" in text and "Содержание занятий" in text and "Тема занятия (по КТП)" in text
    assert "Подпись\nпедагога" in text
    # the codes in the grid: every «н» and «б» of the first group, counted apart from the view
    spreads = [p for p in pages if f"Учёт посещаемости · {groups[0]['name']} ·" in p]
    lines = [line.strip() for p in spreads for line in p.splitlines()]
    assert lines.count("н") - len(spreads) == codes["n"] > 0  # less the «н» column header of each sheet
    assert lines.count("б") == codes["b"]
    assert f"Итого за месяц: {month_hours['lessons']} зан." in text
    lesson_lines = {line.strip() for p in spreads for line in p.splitlines()}
    assert set(days) <= lesson_lines  # every lesson date of the group, in its month's lessons table
    assert "Список обучающихся" in text and "Инструктаж по технике безопасности" in text
    assert "Массовые мероприятия" in text and "Контроль ведения журнала" in text and "Цифровой отчёт" in text
    assert text.index("Учёт посещаемости") < text.index("Список обучающихся") < text.index("Инструктаж")

    # A4: portrait pages and landscape spreads; every sheet numbered, each footer fingerprinted
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {(595, 842), (842, 595)}
    for n, page in enumerate(pages, start=1):
        assert f"Лист {n}" in page
        assert printed.fingerprint in page
    # the closing page: the count in words, director, teachers, stamp
    last = pages[-1]
    assert "Прошнуровано, пронумеровано и скреплено печатью" in last
    assert count_in_words(len(pages)) in last
    assert "М.П." in last and director in last
    for g in groups:
        assert g["full_name"] in last

    row = sql.run("SELECT * FROM ej.print_fingerprint WHERE fingerprint = %s", (printed.fingerprint,))
    assert len(row) == 1 and row[0]["pages"] == len(pages) and row[0]["printed_login"] == "o1_methodist"
    assert row[0]["iteration_id"] == iteration and row[0]["quantum_id"] == quantum
    # the paper copy is matched later by its fingerprint: who printed it, and is the data the same
    parser = argparse.ArgumentParser()
    cli.add_commands(parser.add_subparsers(dest="command"))
    out = io.StringIO()
    with connect(login_conninfo("o1_deputy")) as conn:
        code = cli.run(parser.parse_args(["print", "lookup", printed.fingerprint, "--verify"]), conn, out, out)
    assert code == 0 and "Данные не изменились" in out.getvalue() and str(len(pages)) in out.getvalue()


def test_markup_in_names_prints_literally_and_long_groups_repeat_headers(sql, login_conninfo):
    iteration, quantum = biggest_quantum(sql, "active")
    group = sql.one("""SELECT g.id FROM ej.study_group g JOIN ej.program p ON p.id = g.program_id
                        WHERE g.iteration_id = %s AND p.quantum_id = %s ORDER BY g.name LIMIT 1""",
                    (iteration, quantum))
    starts = sql.one("SELECT starts_on FROM ej.iteration WHERE id = %s", (iteration,))
    # one student whose name is markup, and enough others that the group does not fit one sheet
    sql.run("""INSERT INTO ej.student (organization_id, last_name, first_name, birth_date, sex, school, address)
               SELECT organization_id, '<b>&"', 'Тег & «кавычки»', date '2013-03-03', 'м', '<i>Школа</i>',
                      'ул. <a href=x>'
                 FROM ej.study_group WHERE id = %s""", (group,))
    sql.run("""INSERT INTO ej.student (organization_id, last_name, first_name, birth_date, sex)
               SELECT g.organization_id, 'Длиннов' || n, 'Ученик', date '2012-01-01', 'ж'
                 FROM ej.study_group g, generate_series(1, 30) n WHERE g.id = %s""", (group,))
    sql.run("""INSERT INTO ej.enrollment (organization_id, group_id, student_id, enrolled_on, enroll_order)
               SELECT s.organization_id, %s, s.id, %s, '№ 1'
                 FROM ej.student s WHERE s.last_name = '<b>&"' OR s.last_name LIKE 'Длиннов%%'""", (group, starts))
    with sql.conn.transaction():
        sql.run("SELECT ej.set_reason('исправление темы')")
        sql.run("UPDATE ej.lesson SET topic = 'Тема <script>alert(1)</script> & «Ко»' WHERE id = "
                "(SELECT min(id) FROM ej.lesson WHERE group_id = %s)", (group,))

    with connect(login_conninfo("o1_methodist")) as conn:
        printed = journal.print_journal(conn, group_id=group)
    pages = pdf_pages(printed.pdf)
    text = "\n".join(pages)
    assert '<b>&"' in text and "Тег & «кавычки»" in text and "<i>Школа</i>" in text
    assert "<script>alert(1)</script> & «Ко»" in text
    assert "&amp;" not in text and "&lt;" not in text
    # the spread of a month goes on to the next sheet, with its header row again
    continued = [p for p in pages if "Учёт посещаемости" in p and "(продолжение)" in p]
    assert continued and all("Фамилия, имя" in p and "Пропущено" in p for p in continued)
    # the student list breaks across pages with the header repeated
    listing = [p for p in pages if "Список обучающихся" in p or "Фамилия, имя, отчество" in p]
    assert len(listing) >= 2 and all("Фамилия, имя, отчество" in p for p in listing)
    assert "Длиннов30 Ученик" in text


def test_a_teacher_prints_own_groups_only(sql, login_conninfo):
    own = sql.run("""SELECT g.iteration_id, p.quantum_id, g.id FROM ej.study_group g
                       JOIN ej.program p ON p.id = g.program_id JOIN ej.staff s ON s.id = g.teacher_id
                       JOIN ej.iteration i ON i.id = g.iteration_id
                      WHERE s.login = 'o1_teacher02' AND i.status = 'active' ORDER BY g.id""")
    iteration, quantum = own[0]["iteration_id"], own[0]["quantum_id"]
    others = sql.run("""SELECT g.name FROM ej.study_group g JOIN ej.program p ON p.id = g.program_id
                         JOIN ej.staff s ON s.id = g.teacher_id
                        WHERE g.iteration_id = %s AND p.quantum_id = %s AND s.login <> 'o1_teacher02'""",
                     (iteration, quantum))
    mine = {r["id"] for r in own if r["quantum_id"] == quantum}
    with connect(login_conninfo("o1_teacher02")) as conn:
        doc = journal.collect(conn, iteration, quantum)
        assert {g.info.group_id for g in doc.groups} == mine
        assert not {g.info.group_name for g in doc.groups} & {r["name"] for r in others}
        # another quantum the teacher has no group in: nothing to print
        foreign = conn.execute("""SELECT id FROM ej.quantum WHERE id <> ALL(%s) ORDER BY id LIMIT 1""",
                               ([r["quantum_id"] for r in own],)).fetchone()["id"]
        with pytest.raises(journal.JournalError, match="Нет групп"):
            journal.collect(conn, iteration, foreign)
    # the administrator reads no children's data: nothing to print either
    with connect(login_conninfo("o1_admin")) as conn, pytest.raises((journal.JournalError, psycopg.Error)):
        journal.print_journal(conn, group_id=next(iter(mine)))


def test_fingerprint_matches_the_data(sql, login_conninfo):
    iteration, quantum = biggest_quantum(sql, "active")
    group = sql.one("""SELECT g.id FROM ej.study_group g JOIN ej.program p ON p.id = g.program_id
                        WHERE g.iteration_id = %s AND p.quantum_id = %s ORDER BY g.name LIMIT 1""",
                    (iteration, quantum))
    with connect(login_conninfo("o1_methodist")) as conn:
        first = journal.collect(conn, group_id=group)
        again = journal.collect(conn, group_id=group)
        assert first.fingerprint == again.fingerprint and re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}", first.fingerprint)
    with sql.conn.transaction():
        sql.run("SELECT ej.set_reason('исправление при проверке')")
        sql.run("""UPDATE ej.attendance SET status = 'absent', reason = NULL
                    WHERE (lesson_id, student_id) = (SELECT lesson_id, student_id FROM ej.attendance
                                                      WHERE group_id = %s AND status = 'present' LIMIT 1)""", (group,))
    with connect(login_conninfo("o1_methodist")) as conn:
        changed = journal.collect(conn, group_id=group)
    assert changed.fingerprint != first.fingerprint


def test_parallel_and_sequential_render_alike(sql, login_conninfo, monkeypatch):
    iteration, quantum = biggest_quantum(sql, "active")
    with connect(login_conninfo("o1_methodist")) as conn:
        doc = journal.collect(conn, iteration, quantum)
    monkeypatch.setenv("EJOURNAL_PDF_WORKERS", "1")
    settings.reload()
    one = journal.render(doc)
    monkeypatch.setenv("EJOURNAL_PDF_WORKERS", "2")
    settings.reload()
    forked = []
    real = pdf._render_in_processes

    def counted(*a):
        forked.append(1)
        return real(*a)

    monkeypatch.setattr(pdf, "_render_in_processes", counted)
    seen = []
    two = journal.render(doc, progress=lambda done, total, label: seen.append((done, total)))
    monkeypatch.undo()
    settings.reload()  # the next tests see the environment as it was
    assert forked or threading.active_count() > 1  # in worker processes, unless threads forbid fork
    assert one.pages == two.pages
    assert pdf_pages(one.pdf) == pdf_pages(two.pdf)
    assert seen and seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_font_the_policy_refuses_is_an_error_not_boxes(tmp_path):
    """xhtml2pdf drops a font it may not read and carries on in Helvetica (Cyrillic as boxes):
    the renderer notices and refuses."""
    outside = tmp_path / "DejaVuSans.ttf"
    outside.write_bytes((pdf.FONT_DIR / "DejaVuSans.ttf").read_bytes())
    html = (f'<html><head><style>@font-face {{ font-family: DejaVuSans; src: url("{outside}"); }}'
            f' body {{ font-family: DejaVuSans; }}</style></head><body><p>Привет</p></body></html>')
    with pytest.raises(pdf.PdfError, match="Шрифты не загружены"):
        pdf.html_to_pdf(html)


# ------------------------------------------------------------------ speed work: same answers, cheaper


def test_plain_table_wraps_like_the_html_table():
    """The ReportLab tables of the hard copy (tables.py) break lines at plain spaces only, as
    xhtml2pdf did: a phone number with no-break spaces stays whole, a line break is kept, and a word
    longer than the column stays whole on a line of its own."""
    from ejournal_tui.reports import tables

    pdf.warm_up()
    phone = "+7\u00a0912\u00a0446-44-43"
    lines = tables.wrap(f"г. Чайковский, ул. Пушкина, д. 81, кв. 134; {phone}", tables.FONT, 7, 50 * pdf.MM)
    assert len(lines) > 1 and any(phone in line for line in lines)
    assert all(pdf.text_width_mm(line, 7) <= 50 for line in lines if " " in line)
    assert tables.wrap("есть\n25.06.2025", tables.FONT, 7, 100) == ["есть", "25.06.2025"]
    assert tables.wrap("Промдизайнквантумовский", tables.FONT, 8, 10) == ["Промдизайнквантумовский"]


def test_gaps_count_missing_lessons_as_the_timeliness_report_does(sql, login_conninfo):
    """journal_gaps counts the scheduled dates without a lesson for the printed groups alone; it must
    agree with ej.report_timeliness (which counts the whole organization) for every iteration."""
    from ejournal_tui.db import reports as q

    with connect(login_conninfo("o1_methodist")) as conn:
        for it in conn.execute("SELECT id, ends_on FROM ej.iteration ORDER BY id").fetchall():
            ids = [r["id"] for r in conn.execute("SELECT id FROM ej.study_group WHERE iteration_id = %s",
                                                 (it["id"],)).fetchall()]
            if not ids:
                continue
            want = conn.execute(
                """SELECT coalesce(sum(missing), 0)::integer AS n
                     FROM ej.report_timeliness('group', %s, least(%s::date + 4, ej.today()))
                    WHERE group_id = ANY(%s)""", (it["id"], it["ends_on"], ids)).fetchone()["n"]
            lessons = q.journal_lessons(conn, ids)
            gaps = q.journal_gaps(conn, ids, it["ends_on"], lessons)
            assert gaps["missing_lessons"] == want
            assert gaps["unmarked_cells"] == sum(ls.unmarked for ls in lessons if ls.unmarked > 0)
