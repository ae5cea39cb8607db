"""Reports (issue 5 item 2, the numeric report of issue 7): the numbers of the SQL views and
functions against independent counts written differently here, RLS, the CLI, CSV and PDF."""

import argparse
import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest
from fixed_today import TODAY
from pypdf import PdfReader

from ejournal_tui.db import reports as q
from ejournal_tui.db.connection import connect
from ejournal_tui.reports import catalog, cli
from ejournal_tui.reports.text import BOM, table


def current_iteration(sql) -> int:
    return sql.one("""SELECT i.id FROM ej.iteration i WHERE i.organization_id = 1 AND i.status = 'active'""")


def run_cli(conn, *argv) -> tuple[int, str, str]:
    p = argparse.ArgumentParser(prog="ejournal")
    cli.add_commands(p.add_subparsers(dest="command"))
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(p.parse_args(list(argv)), conn, out, err)
    return code, out.getvalue(), err.getvalue()


def test_attendance_matches_independent_counts(sql, login_conninfo):
    it = current_iteration(sql)
    # independent: straight from the marks, one row per group, without the views
    expected = {r["name"]: r for r in sql.run(
        """SELECT g.name,
                  (SELECT count(*) FROM ej.lesson l WHERE l.group_id = g.id) AS lessons,
                  (SELECT count(*) FROM ej.attendance a WHERE a.group_id = g.id) AS marks,
                  (SELECT count(*) FROM ej.attendance a WHERE a.group_id = g.id AND a.status = 'present') AS present,
                  (SELECT count(*) FROM ej.attendance a WHERE a.group_id = g.id AND a.status = 'absent') AS absent,
                  (SELECT count(*) FROM ej.attendance a WHERE a.group_id = g.id AND a.status = 'excused') AS excused
             FROM ej.study_group g WHERE g.iteration_id = %s""", (it,))}
    with connect(login_conninfo("o1_methodist")) as conn:
        by_group = q.attendance(conn, "group", it)
        by_quantum = q.attendance(conn, "quantum", it)
        by_month = q.attendance(conn, "month", it)
        by_teacher = q.attendance(conn, "teacher", it)
    assert {r["group_name"] for r in by_group} == {n for n, e in expected.items() if e["lessons"]}
    for r in by_group:
        e = expected[r["group_name"]]
        assert (r["lessons"], r["marks"], r["present"], r["absent"], r["excused"]) == \
            (e["lessons"], e["marks"], e["present"], e["absent"], e["excused"])
        assert r["present_pct"] == round(Decimal(100 * e["present"]) / e["marks"], 1)
    for rows in (by_quantum, by_month, by_teacher):
        assert sum(r["marks"] for r in rows) == sum(e["marks"] for e in expected.values())
        assert sum(r["present"] for r in rows) == sum(e["present"] for e in expected.values())
    months = sql.run("""SELECT to_char(l.held_on, 'YYYY-MM') AS m, count(*) AS n FROM ej.attendance a
                          JOIN ej.lesson l ON l.id = a.lesson_id JOIN ej.study_group g ON g.id = l.group_id
                         WHERE g.iteration_id = %s GROUP BY 1""", (it,))
    assert {r["month"].strftime("%Y-%m"): r["marks"] for r in by_month} == {m["m"]: m["n"] for m in months}


def test_a_teacher_report_holds_own_groups_only(sql, login_conninfo):
    it = current_iteration(sql)
    own = {r["name"] for r in sql.run(
        """SELECT g.name FROM ej.study_group g JOIN ej.staff s ON s.id = g.teacher_id
            WHERE s.login = 'o1_teacher01' AND g.iteration_id = %s""", (it,))}
    with connect(login_conninfo("o1_teacher01")) as conn:
        assert {r["group_name"] for r in q.attendance(conn, "group", it)} == own
        assert {r["group_name"] for r in q.fulfilment(conn, it)} == own
        assert {r["group_name"] for r in q.timeliness(conn, "group", it)} == own
        code, out, _ = run_cli(conn, "report", "attendance", "--by", "group", "--iteration", str(it))
    assert code == 0
    others = {r["name"] for r in sql.run("SELECT name FROM ej.study_group WHERE iteration_id = %s", (it,))} - own
    assert all(g in out for g in own) and not any(f" {g} " in out for g in others)
    # another organization sees none of it
    with connect(login_conninfo("o2_methodist")) as conn:
        assert q.attendance(conn, "group", it) == []


def test_fulfilment_and_timeliness(sql, login_conninfo):
    it = current_iteration(sql)
    today = TODAY
    groups = sql.run("""SELECT g.id, g.name, g.program_id, i.starts_on, i.ends_on FROM ej.study_group g
                          JOIN ej.iteration i ON i.id = g.iteration_id WHERE g.iteration_id = %s""", (it,))
    with connect(login_conninfo("o1_deputy")) as conn:
        ful = {r["group_name"]: r for r in q.fulfilment(conn, it)}
        tim = {r["group_name"]: r for r in q.timeliness(conn, "group", it, today)}
        per_teacher = q.timeliness(conn, "teacher", it, today)
    for g in groups[:6]:
        lessons = sql.run("SELECT held_on, hours, topic_id, filled_at::date AS filled FROM ej.lesson "
                          "WHERE group_id = %s", (g["id"],))
        topics = sql.run("SELECT hours FROM ej.program_topic WHERE program_id = %s", (g["program_id"],))
        f = ful[g["name"]]
        assert f["lessons"] == len(lessons)
        assert f["delivered_hours"] == sum(r["hours"] for r in lessons)
        assert f["ktp_hours"] == sum(t["hours"] for t in topics) and f["topics"] == len(topics)
        assert f["topics_covered"] == len({r["topic_id"] for r in lessons if r["topic_id"]})
        # planned dates from the weekly slots, walked day by day in Python
        slots = sql.run("SELECT weekday, valid_from, valid_to FROM ej.schedule_slot WHERE group_id = %s", (g["id"],))
        planned = set()
        day = g["starts_on"]
        while day <= g["ends_on"]:
            for s in slots:
                if day.isoweekday() == s["weekday"] and (s["valid_from"] or day) <= day <= (s["valid_to"] or day):
                    planned.add(day)
            day += timedelta(days=1)
        assert f["planned_lessons"] == len(planned)
        due = {d for d in planned if d + timedelta(days=3) < today}
        held = {r["held_on"] for r in lessons}
        t = tim[g["name"]]
        assert t["planned_due"] == len(due)
        assert t["missing"] == len(due - held)
        assert t["late"] == sum(1 for r in lessons if r["filled"] > r["held_on"] + timedelta(days=3))
        assert t["on_time"] == len(lessons) - t["late"]
        assert t["extra"] == len(held - planned)
    assert sum(r["late"] for r in per_teacher) == sum(r["late"] for r in tim.values())
    assert sum(r["late"] for r in per_teacher) > 0


def test_numeric_report_on_each_date(sql, login_conninfo):
    """01.10, 01.01 and 01.06 of the academic year of each iteration; a date outside the
    iteration, or still to come, has no rows."""
    checked = set()
    for it, starts, ends in (r.values() for r in sql.run(
            "SELECT id, starts_on, ends_on FROM ej.iteration WHERE organization_id = 1 ORDER BY starts_on")):
        year = starts.year if starts.month >= 8 else starts.year - 1  # an iteration from August: that year
        dates = [date(year, 10, 1), date(year + 1, 1, 1), date(year + 1, 6, 1)]
        with connect(login_conninfo("o1_methodist")) as conn:
            rows = q.numeric(conn, it)
        got = {(r.level, r.quantum_id, r.group_id, r.as_of, r.measure): r.students for r in rows}
        today = sql.one("SELECT ej.today(NULL)")
        for d in dates:
            if not starts <= d <= ends or d > today:  # not in the iteration, or still to come: no numbers
                assert not [r for r in rows if r.as_of == d]
                continue
            # independent: the students on the rolls that day, counted per sex, class and quantum
            people = sql.run(
                """SELECT DISTINCT e.group_id, p.quantum_id, s.id, s.sex, s.school_class
                     FROM ej.enrollment e JOIN ej.study_group g ON g.id = e.group_id
                     JOIN ej.program p ON p.id = g.program_id JOIN ej.student s ON s.id = e.student_id
                    WHERE g.iteration_id = %s AND e.enrolled_on <= %s AND coalesce(e.left_on, 'infinity') > %s""",
                (it, d, d))
            everyone = {p["id"] for p in people}
            assert everyone
            org = {m: v for (lvl, _, _, dd, m), v in got.items() if lvl == "organization" and dd == d}
            assert org["всего"] == len(everyone)
            assert org.get("мальчиков", 0) == len({p["id"] for p in people if p["sex"] == "м"})
            assert org.get("девочек", 0) == len({p["id"] for p in people if p["sex"] == "ж"})
            for grade in range(1, 12):
                in_grade = {p["id"] for p in people if p["school_class"] and
                            int("".join(ch for ch in p["school_class"] if ch.isdigit())) == grade}
                assert org.get(f"{grade} класс", 0) == len(in_grade)
            assert sum(v for m, v in org.items() if "год" in m) == len(everyone)
            history = sql.run("SELECT student_id, enrolled_on FROM ej.enrollment "
                              "WHERE student_id = ANY(%s) AND enrolled_on <= %s", (list(everyone), d))
            years: dict[int, set] = {}
            for h in history:  # academic years: from August (an iteration starting then belongs to it)
                on = h["enrolled_on"]
                years.setdefault(h["student_id"], set()).add(on.year if on.month >= 8 else on.year - 1)
            for n, label in ((1, "1-й год"), (2, "2-й год")):
                assert org.get(label, 0) == sum(1 for sid in everyone if len(years[sid]) == n)
            for quantum in {p["quantum_id"] for p in people}:
                assert got[("quantum", quantum, None, d, "всего")] == len({p["id"] for p in people
                                                                          if p["quantum_id"] == quantum})
            for group in {p["group_id"] for p in people}:
                in_group = [p for p in people if p["group_id"] == group]
                assert got[("group", in_group[0]["quantum_id"], group, d, "всего")] == len(in_group)
            checked.add(d)
    # the demo data follows today: which report dates have passed inside an iteration varies, but
    # 01.10 of the August iteration always has
    assert any(d.month == 10 for d in checked), checked


def test_iteration_report_and_activity(sql, login_conninfo):
    it = current_iteration(sql)
    # the teacher works today: a lesson and marks, written through the ordinary path
    group, held_on = sql.run(
        """SELECT g.id, d::date AS day FROM ej.study_group g JOIN ej.staff s ON s.id = g.teacher_id
             JOIN ej.iteration i ON i.id = g.iteration_id,
                  generate_series(ej.today(NULL) - 2, ej.today(NULL), interval '1 day') d
            WHERE s.login = 'o1_teacher01' AND i.id = %s
              AND NOT EXISTS (SELECT 1 FROM ej.lesson l WHERE l.group_id = g.id AND l.held_on = d::date)
            ORDER BY g.id, d LIMIT 1""", (it,))[0].values()
    with connect(login_conninfo("o1_teacher01")) as conn:
        lesson = conn.execute("INSERT INTO ej.lesson (organization_id, group_id, held_on, topic) "
                              "VALUES (1, %s, %s, 'Повторение') RETURNING id", (group, held_on)).fetchone()["id"]
        conn.execute("""INSERT INTO ej.attendance (lesson_id, student_id, organization_id, group_id, status)
                        SELECT %s, e.student_id, 1, e.group_id, 'present' FROM ej.enrollment e
                         WHERE e.group_id = %s AND e.enrolled_on <= %s AND coalesce(e.left_on, 'infinity') > %s""",
                     (lesson, group, held_on, held_on))
    marks = sql.one("SELECT count(*) FROM ej.attendance WHERE lesson_id = %s", (lesson,))
    # The log records when things were done by the server's clock, which the suite's fixed date
    # does not hold back: the activity of the month they were done in (by default the report
    # shows the month of ej.today(), the same one unless the suite runs at a past date).
    month = sql.one("SELECT date_trunc('month', now() AT TIME ZONE 'Europe/Moscow')::date")
    with connect(login_conninfo("o1_methodist")) as conn:
        activity = {r["login"]: r for r in q.user_activity(conn, month)}
        report = q.iteration_report(conn, it)
    me = activity["o1_teacher01"]
    assert (me["lessons"], me["marks"], me["days_active"]) == (1, marks, 1)
    assert me["actions"] == sql.one("SELECT count(*) FROM audit.log WHERE actor = 'o1_teacher01' "
                                    "AND at >= %s::timestamp AT TIME ZONE 'Europe/Moscow'", (month,))
    assert activity["o1_teacher02"]["actions"] == 0  # everyone of the organization is listed
    total = report[-1]
    assert total["teacher_id"] is None
    assert total["lessons"] == sql.one("SELECT count(*) FROM ej.lesson l JOIN ej.study_group g ON g.id = l.group_id "
                                       "WHERE g.iteration_id = %s", (it,))
    assert total["groups"] == sql.one("SELECT count(*) FROM ej.study_group WHERE iteration_id = %s", (it,))
    assert sum(r["lessons"] for r in report[:-1]) == total["lessons"]
    assert total["remarks"] == sql.one("SELECT count(*) FROM ej.remark r JOIN ej.study_group g ON g.id = r.group_id "
                                       "WHERE g.iteration_id = %s", (it,))


def test_cli_formats_csv_with_bom_and_pdf(sql, login_conninfo, tmp_path):
    it = current_iteration(sql)
    group = sql.one("""SELECT g.id FROM ej.study_group g JOIN ej.staff s ON s.id = g.teacher_id
                        WHERE s.login = 'o1_teacher01' AND g.iteration_id = %s ORDER BY g.id LIMIT 1""", (it,))
    with connect(login_conninfo("o1_methodist")) as conn:
        code, out, _ = run_cli(conn, "report", "attendance", "--by", "quantum", "--format", "github")
        assert code == 0 and "| Квантум" in out and "IT-квантум" in out
        code, out, _ = run_cli(conn, "report", "timeliness", "--format", "text")
        assert code == 0 and "Своевременность" in out
        target = tmp_path / "fulfilment.csv"
        code, _, err = run_cli(conn, "export", "fulfilment", "-o", str(target))
        assert code == 0 and "записано" in err
        raw = target.read_bytes()
        assert raw.startswith(BOM.encode("utf-8"))
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:3] == ["Квантум", "Группа", "Педагог"] and len(rows) > 10
        journal_csv = tmp_path / "journal.csv"
        assert run_cli(conn, "export", "journal", "--group", str(group), "-o", str(journal_csv))[0] == 0
        text = journal_csv.read_bytes().decode("utf-8-sig")
        grid = list(csv.reader(io.StringIO(text), delimiter=";"))
        absent = sql.one("SELECT count(*) FROM ej.attendance WHERE group_id = %s AND status = 'absent'", (group,))
        assert sum(row.count("н") for row in grid[1:]) == absent
        pdf_path = tmp_path / "iteration.pdf"
        code, out, _ = run_cli(conn, "report", "iteration", "--format", "pdf", "-o", str(pdf_path))
        assert code == 0
        reader = PdfReader(str(pdf_path))
        text = "\n".join(p.extract_text() for p in reader.pages)
        assert "Работа педагогов с электронным журналом" in text and "Всего по итерации" in text
        fingerprint = out.split()[-1]
        assert fingerprint in text and "Лист 1" in text
        code, out, _ = run_cli(conn, "print", "lookup", fingerprint)
        assert code == 0 and "Работа педагогов" in out
        assert run_cli(conn, "report", "attendance", "--by", "nonsense")[0] == 1
        assert run_cli(conn, "export", "journal")[0] == 1
    assert sql.one("SELECT count(*) FROM ej.print_fingerprint WHERE kind = 'report' AND fingerprint = %s",
                   (fingerprint,)) == 1


def test_print_records_are_private(sql, login_conninfo):
    with connect(login_conninfo("o1_teacher01")) as conn:
        q.record_print(conn, organization_id=1, fingerprint="ABCD-1234", data_hash="abcd1234" + "0" * 56,
                       kind="report", title="Проба", pages=1)
    with connect(login_conninfo("o1_teacher02")) as conn:
        assert q.find_prints(conn, "abcd1234") == []  # another teacher's print
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # not in another organization's name
            q.record_print(conn, organization_id=2, fingerprint="ABCD-1235", data_hash="abcd1235" + "0" * 56,
                           kind="report", title="Чужая", pages=1)
        with pytest.raises(psycopg.errors.CheckViolation):  # the fingerprint is the start of the hash
            q.record_print(conn, organization_id=1, fingerprint="ABCD-1236", data_hash="ffff1236" + "0" * 56,
                           kind="report", title="Неверная", pages=1)
    with connect(login_conninfo("o1_methodist")) as conn:
        found = q.find_prints(conn, "abcd-1234")
        assert len(found) == 1 and found[0].printed_login == "o1_teacher01"
    with connect(login_conninfo("o2_methodist")) as conn:
        assert q.find_prints(conn, "ABCD-1234") == []
    # nobody rewrites who printed what
    with connect(login_conninfo("o1_methodist")) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE ej.print_fingerprint SET pages = 2")


def test_text_table_formats():
    rows = [["Иванов", 3, Decimal("87.50"), date(2026, 10, 1)], ["Петров", 12, None, None]]
    text = table(["ФИО", "Занятий", "%", "Дата"], rows)
    assert "87,5" in text and "01.10.2026" in text
    assert table(["ФИО"], [["a"]], "github").startswith("| ФИО")
    assert table(["ФИО", "n"], [rows[0][:2]], "csv") == "\ufeffФИО;n\r\nИванов;3\r\n"
    with pytest.raises(ValueError):
        table(["a"], [], "xml")
    assert catalog.REPORTS and set(catalog.REPORTS) == {"attendance", "fulfilment", "timeliness", "activity",
                                                        "iteration", "numeric"}
