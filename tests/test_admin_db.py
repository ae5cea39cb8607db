"""The SQL side of the administration's screens (migration 0012) and, for every duty of issue 4,
that the roles which do not own it are refused by the database even without the app."""

from datetime import timedelta

import psycopg
import pytest
from psycopg.types.json import Jsonb

from ejournal_tui.db import migrations
from ejournal_tui.db.connection import connect
from ejournal_tui.db.errors import user_message

LOGINS = {"teacher": "o1_teacher01", "methodist": "o1_methodist", "deputy": "o1_deputy",
          "director": "o1_director", "admin": "o1_admin"}


@pytest.fixture
def sql(rollback_sql):
    """One rolled-back transaction on the module's clone per test."""
    return rollback_sql


@pytest.fixture
def ids(sql, journal):
    """Rows of organization 1 that the duties act on, found by meaning."""
    it = sql.run("SELECT id, ends_on FROM ej.iteration WHERE status = 'active' AND organization_id = %s",
                 (journal.org_id("o1_methodist"),))[0]
    group = journal.group("o1_teacher01")
    enrollment = sql.one("SELECT id FROM ej.enrollment WHERE group_id = %s AND left_on IS NULL ORDER BY id LIMIT 1",
                         (group,))
    student = sql.one("SELECT student_id FROM ej.enrollment WHERE id = %s", (enrollment,))
    program = sql.one(
        "INSERT INTO ej.program (organization_id, quantum_id, name, total_hours) "
        "SELECT organization_id, id, 'Программа без занятий', 10 FROM ej.quantum WHERE organization_id = %s "
        "ORDER BY id LIMIT 1 RETURNING id", (journal.org_id("o1_methodist"),))
    guardian = sql.one("INSERT INTO ej.guardian (organization_id, student_id, full_name) SELECT organization_id, id, "
                       "'Проверкина Анна' FROM ej.student WHERE id = %s RETURNING id", (student,))
    remark = journal.add_remark(group)
    # a term that has ended (two years ago, before any of the demo's): the one that may be archived
    ended = sql.one("INSERT INTO ej.iteration (organization_id, name, starts_on, ends_on, status) "
                    "VALUES (%s, 'Давняя', ej.today(NULL) - 730, ej.today(NULL) - 700, 'active') RETURNING id",
                    (journal.org_id("o1_methodist"),))
    with sql.as_user("o1_teacher01"):
        request = sql.one("INSERT INTO ej.change_request (group_id, student_id, field, proposed) "
                          "VALUES (%s, %s, 'school', 'МБОУ «Лицей № 2»') RETURNING id", (group, student))
    return {"iteration": it["id"], "ended": ended, "next_start": it["ends_on"] + timedelta(14),
            "next_end": it["ends_on"] + timedelta(120), "group": group, "enrollment": enrollment,
            "student": student, "program": program, "guardian": guardian, "remark": remark, "request": request,
            "teacher": journal.staff_id("o1_teacher02")}


# Every duty of issue 4: who owns it, and one statement that does it.
DUTIES = {
    "1. add a student": ({"methodist"}, "INSERT INTO ej.student (last_name, first_name, birth_date, sex) "
                                        "VALUES ('Проверкин', 'Тест', '2012-01-01', 'м')"),
    "1. edit staff": ({"methodist"}, "UPDATE ej.staff SET phone = '+7 900 000-00-01' WHERE login = 'o1_teacher02'"),
    "1. guardian's consent": ({"methodist"}, "UPDATE ej.guardian SET pd_consent_on = ej.today(NULL) "
                                             "WHERE id = %(guardian)s"),
    "1. add a group": ({"methodist"}, "INSERT INTO ej.study_group (iteration_id, program_id, teacher_id, name) "
                                      "VALUES (%(iteration)s, %(program)s, %(teacher)s, 'Проверка-1')"),
    "1. enroll by order": ({"methodist"}, "INSERT INTO ej.enrollment (group_id, student_id, enrolled_on, enroll_order) "
                                          "SELECT %(group)s, id, ej.today(NULL), '№ 3-о' FROM ej.student "
                                          "WHERE organization_id = (SELECT organization_id FROM ej.study_group "
                                          "WHERE id = %(group)s) AND id NOT IN (SELECT student_id FROM ej.enrollment "
                                          "WHERE group_id = %(group)s) LIMIT 1"),
    "1. expel by order": ({"methodist"}, "SELECT ej.expel_or_transfer(%(enrollment)s, ej.today(NULL), '№ 5-о', 'x')"),
    "1. duplicates": ({"methodist"}, "SELECT d.* FROM ej.student s, "
                                     "ej.student_duplicates(s.last_name, s.first_name, s.birth_date) d "
                                     "WHERE s.id = %(student)s"),
    "2. import a КТП": ({"methodist"}, "SELECT * FROM ej.import_ktp(%(program)s, "
                                      "'[{\"title\": \"Тема\", \"hours\": \"2\"}]', true)"),
    "3. roll over": ({"methodist"}, "SELECT ej.rollover(%(iteration)s, 'Следующая', %(next_start)s, %(next_end)s, "
                                    "'{}', '№ 1')"),
    "4. archive": ({"methodist"}, "SELECT ej.archive_iteration(%(ended)s, true)"),
    "5. post the weekly analysis": ({"methodist"}, "INSERT INTO ej.board_post (week_of, title, body) "
                                                   "VALUES (ej.today(NULL), 'Анализ', 'Текст')"),
    "7. write a remark": ({"methodist", "deputy"}, "INSERT INTO ej.remark (group_id, body) "
                                                   "VALUES (%(group)s, 'Проверка')"),
    "7. close a remark": ({"methodist", "deputy"}, "UPDATE ej.remark SET closed_at = now() WHERE id = %(remark)s"),
    "7. accept a correction": ({"methodist"}, "SELECT ej.resolve_change_request(%(request)s, true)"),
    "8. control dashboard": ({"methodist", "deputy", "director"},
                             "SELECT * FROM ej.control_dashboard('teacher', %(iteration)s)"),
    "8. deadline reminders": ({"methodist", "deputy", "director"}, "SELECT * FROM ej.duty_reminders(%(next_start)s)"),
    "10. approve the schedule": ({"director"}, "SELECT ej.approve_schedule(%(iteration)s)"),
    "11. issue an account": ({"admin"}, "SELECT ej.add_user('proverka_h6', ARRAY['teacher'], 'Проверкин Тест')"),
    "11. lock an account": ({"admin"}, "SELECT ej.set_user_locked('o1_teacher02', true)"),
    "11. set a LAN password": ({"admin"}, "SELECT ej.set_user_password('o1_teacher02', "
                                          "'SCRAM-SHA-256$4096:AAAA$BBBB:CCCC')"),
    "11. migration status": ({"admin"}, "SELECT count(*) FROM ejournal_meta.schema_migration"),
}


def attempt(sql, login: str, stmt: str, params: dict):
    """('ok', rows affected) or ('refused', error); always rolled back."""
    with sql.as_user(login):
        try:
            return "ok", sql.changes(stmt, params)
        except psycopg.Error as exc:
            return "refused", exc


@pytest.mark.parametrize("duty", DUTIES)
def test_each_duty_is_its_owners_and_refused_to_the_others(sql, ids, duty):
    owners, stmt = DUTIES[duty]
    for role, login in LOGINS.items():
        outcome, detail = attempt(sql, login, stmt, ids)
        if role in owners:
            assert outcome == "ok" and detail > 0, (duty, role, detail)
        else:
            # refused outright, or (row-level security) nothing matched and nothing changed
            assert outcome == "refused" or detail == 0, (duty, role)
            if outcome == "refused":
                assert user_message(detail)  # a sentence a person can read


def test_reports_of_other_roles_are_limited_to_what_they_may_see(sql, ids, journal):
    """6 and 9: a teacher's activity and end-of-iteration rows are the teacher's own; the
    administrator, who must not see the journal, is refused."""
    teacher = journal.staff_id("o1_teacher01")
    with sql.as_user("o1_teacher01"):
        rows = sql.run("SELECT teacher_id FROM ej.report_iteration(%s) WHERE teacher_id IS NOT NULL",
                       (ids["iteration"],))
        assert rows and {r["teacher_id"] for r in rows} == {teacher}
        logins = {r["login"] for r in sql.run("SELECT login FROM ej.report_user_activity()")}
        assert "o1_teacher01" in logins and not logins & {"o1_teacher02", "o1_methodist", "o1_deputy"}
    for stmt in ("SELECT * FROM ej.report_user_activity()", "SELECT * FROM ej.report_iteration(%(iteration)s)",
                 "SELECT * FROM ej.student", "SELECT * FROM ej.guardian"):
        outcome, _ = attempt(sql, "o1_admin", stmt, ids)
        assert outcome == "refused", stmt


def test_duplicates_ignore_case_spaces_and_yo(sql, ids):
    sql.run("UPDATE ej.student SET last_name = 'Сёмина', first_name = 'Алёна', birth_date = '2013-02-03' "
            "WHERE id = %s", (ids["student"],))
    with sql.as_user("o1_methodist"):
        found = sql.run("SELECT student_id FROM ej.student_duplicates(' семина ', 'АЛЕНА', '2013-02-03')")
        assert [r["student_id"] for r in found] == [ids["student"]]
        assert sql.run("SELECT * FROM ej.student_duplicates('Семина', 'Алена', '2013-02-04')") == []
        assert sql.run("SELECT * FROM ej.student_duplicates('Семина', 'Алена', '2013-02-03', %s)",
                       (ids["student"],)) == []
    with sql.as_user("o2_methodist"):  # another organization's methodist sees no such student
        assert sql.run("SELECT * FROM ej.student_duplicates('Семина', 'Алена', '2013-02-03')") == []


def _lines(*pairs):
    return Jsonb([{"line": n, "title": t, "hours": h} for n, (t, h) in enumerate(pairs, start=1)])


def test_ktp_import_checks_every_line_and_writes_only_a_clean_list(sql, ids):
    bad = _lines(("Введение", "2"), ("", "2"), ("Датчики", "два"), ("Сборка", "1,5"), ("Итог", "0"))
    with sql.as_user("o1_methodist"):
        rows = sql.run("SELECT line, error FROM ej.import_ktp(%s, %s)", (ids["program"], bad))
        assert [r["error"] for r in rows] == [None, "нет темы", "часы «два» — не число (например 2 или 1,5)", None,
                                              "часы: от 0,5 до 200"]
        assert sql.one("SELECT count(*) FROM ej.program_topic WHERE program_id = %s", (ids["program"],)) == 0
        err = sql.refuses("SELECT * FROM ej.import_ktp(%s, %s, true)", (ids["program"], bad))
        assert "ошибки (строк: 3)" in user_message(err)
        good = _lines(("Введение", "2"), ("Датчики", "4"), ("Сборка", "1,5"))
        sql.run("SELECT * FROM ej.import_ktp(%s, %s, true)", (ids["program"], good))
    topics = sql.run("SELECT position, title, hours FROM ej.program_topic WHERE program_id = %s ORDER BY position",
                     (ids["program"],))
    assert [(t["position"], t["title"], float(t["hours"])) for t in topics] == [
        (1, "Введение", 2.0), (2, "Датчики", 4.0), (3, "Сборка", 1.5)]


def test_ktp_import_keeps_the_topics_lessons_refer_to(sql, journal):
    group = journal.group("o1_teacher01")
    program = sql.one("SELECT program_id FROM ej.study_group WHERE id = %s", (group,))
    used = sql.one("SELECT max(t.position) FROM ej.lesson l JOIN ej.program_topic t ON t.id = l.topic_id "
                   "WHERE t.program_id = %s", (program,))
    before = sql.one("SELECT count(*) FROM ej.program_topic WHERE program_id = %s", (program,))
    with sql.as_user("o1_methodist"):
        err = sql.refuses("SELECT * FROM ej.import_ktp(%s, %s, true)", (program, _lines(("Одна тема", "2"))))
        assert f"тема № {used}" in user_message(err)
        # a list as long as the old one is written in place: lessons keep their topic rows
        lines = _lines(*[(f"Тема {n}", "2") for n in range(1, before + 1)])
        sql.run("SELECT * FROM ej.import_ktp(%s, %s, true)", (program, lines))
    assert sql.one("SELECT count(*) FROM ej.program_topic WHERE program_id = %s", (program,)) == before
    assert sql.one("SELECT count(*) FROM ej.lesson l JOIN ej.program_topic t ON t.id = l.topic_id "
                   "WHERE l.group_id = %s AND t.title LIKE 'Тема %%'", (group,)) > 0


def test_expel_and_transfer_are_one_step_by_an_order(sql, ids, journal):
    other = sql.one("SELECT id FROM ej.study_group WHERE iteration_id = %s AND id <> %s ORDER BY id LIMIT 1",
                    (ids["iteration"], ids["group"]))
    day = sql.one("SELECT greatest(ej.today(NULL), max(l.held_on) + 1) FROM ej.lesson l WHERE l.group_id = %s",
                  (ids["group"],))
    with sql.as_user("o1_methodist"):
        new = sql.one("SELECT ej.expel_or_transfer(%s, %s, '№ 44-о', NULL, %s)", (ids["enrollment"], day, other))
    old = sql.run("SELECT left_on, leave_order, leave_reason FROM ej.enrollment WHERE id = %s",
                  (ids["enrollment"],))[0]
    assert old["left_on"] == day and old["leave_order"] == "№ 44-о" and old["leave_reason"].startswith("перевод")
    moved = sql.run("SELECT group_id, student_id, enrolled_on, enroll_order FROM ej.enrollment WHERE id = %s", (new,))
    assert moved == [{"group_id": other, "student_id": ids["student"], "enrolled_on": day,
                      "enroll_order": "№ 44-о"}]
    with sql.as_user("o1_methodist"):
        err = sql.refuses("SELECT ej.expel_or_transfer(%s, %s, '№ 45-о', 'x')", (ids["enrollment"], day))
        assert "уже выбыл" in user_message(err)


def test_a_refused_transfer_changes_nothing(sql, ids):
    """The new group's iteration does not cover the date: the old enrollment stays open too."""
    archived = sql.one("SELECT g.id FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id "
                       "WHERE i.status = 'archived' AND g.organization_id = (SELECT organization_id FROM "
                       "ej.study_group WHERE id = %s) LIMIT 1", (ids["group"],))
    with sql.as_user("o1_methodist"):
        err = sql.refuses("SELECT ej.expel_or_transfer(%s, ej.today(NULL), '№ 46-о', NULL, %s)",
                          (ids["enrollment"], archived))
    assert user_message(err)
    assert sql.one("SELECT left_on FROM ej.enrollment WHERE id = %s", (ids["enrollment"],)) is None


def test_control_dashboard_matches_independent_counts(sql, ids, journal):
    teacher = journal.staff_id("o1_teacher01")
    with sql.as_user("o1_deputy"):
        row = sql.run("SELECT * FROM ej.control_dashboard('teacher', %s) WHERE key_id = %s",
                      (ids["iteration"], teacher))[0]
        groups = sql.run("SELECT * FROM ej.control_dashboard('group', %s, ej.today(NULL), %s)",
                         (ids["iteration"], teacher))
        quantums = sql.run("SELECT * FROM ej.control_dashboard('quantum', %s)", (ids["iteration"],))
    counts = sql.run(
        """SELECT count(DISTINCT g.id) AS groups, count(l.id) AS lessons,
                  count(l.id) FILTER (WHERE l.topic_id IS NOT NULL OR l.topic IS NOT NULL) AS with_topic
             FROM ej.study_group g LEFT JOIN ej.lesson l ON l.group_id = g.id AND l.held_on <= ej.today(NULL)
            WHERE g.teacher_id = %s AND g.iteration_id = %s""", (teacher, ids["iteration"]))[0]
    marks = sql.run("""SELECT count(*) AS marks, count(*) FILTER (WHERE a.status = 'present') AS present
                         FROM ej.attendance a JOIN ej.study_group g ON g.id = a.group_id
                        WHERE g.teacher_id = %s AND g.iteration_id = %s""", (teacher, ids["iteration"]))[0]
    assert (row["groups"], row["lessons"], row["with_topic"]) == (counts["groups"], counts["lessons"],
                                                                 counts["with_topic"])
    assert float(row["present_pct"]) == pytest.approx(100 * marks["present"] / marks["marks"], abs=0.05)
    assert row["remarks_open"] == 3  # two of the demo data and one of the fixture
    assert sum(g["lessons"] for g in groups) == row["lessons"] and len(groups) == row["groups"]
    assert sum(q["groups"] for q in quantums) == sql.one("SELECT count(*) FROM ej.study_group WHERE iteration_id = %s",
                                                         (ids["iteration"],))
    with sql.as_user("o1_methodist"):
        err = sql.refuses("SELECT * FROM ej.control_dashboard('school', %s)", (ids["iteration"],))
        assert "Разрез панели контроля" in user_message(err)


def test_deadline_reminders(sql, ids):
    it = sql.run("SELECT name, ends_on FROM ej.iteration WHERE id = %s", (ids["iteration"],))[0]
    with sql.as_user("o1_methodist"):
        near_end = {r["kind"]: r["message"] for r in
                    sql.run("SELECT * FROM ej.duty_reminders(%s)", (it["ends_on"] - timedelta(10),))}
        after_end = {r["kind"] for r in sql.run("SELECT * FROM ej.duty_reminders(%s)", (it["ends_on"] + timedelta(2),))}
        assert "rollover" in near_end and it["name"] in near_end["rollover"]
        assert "archive" in after_end and "analysis" in after_end  # no post for the week before
        sql.run("SELECT ej.rollover(%s, 'Следующая', %s, %s, '{}', '№ 1')",
                (ids["iteration"], ids["next_start"], ids["next_end"]))
        soon = {r["kind"]: r["message"] for r in
                sql.run("SELECT * FROM ej.duty_reminders(%s)", (ids["next_start"] - timedelta(3),))}
    assert "rollover" not in soon and "через 3 дн." in soon["schedule"]


def test_the_administrator_reads_migration_status_on_the_apps_own_connection(server, db):
    """Not a superuser, not the owner: the grant of 0012 lets the app show the state."""
    with connect(server.conninfo(db, user="o1_admin")) as conn:
        states = migrations.status(conn)
        assert {s.state for s in states} == {"applied"} and len(states) == len(migrations.discover())
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM ej.student")
    with connect(server.conninfo(db, user="o1_teacher01")) as conn, pytest.raises(
            psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT count(*) FROM ejournal_meta.schema_migration")

