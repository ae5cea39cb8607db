"""The methodist's multi-step duties in SQL: roll-over, archive, weekly analysis,
corrections; the director's load view; LAN passwords."""

from datetime import timedelta

import psycopg
import pytest
from conftest import at_once

from ejournal_tui.db import accounts
from ejournal_tui.db.connection import connect
from ejournal_tui.db.errors import user_message

ROLES = ["o1_teacher01", "o1_methodist", "o1_deputy", "o1_director", "o1_admin"]


def active_iteration(sql):
    return sql.run("SELECT id, ends_on FROM ej.iteration WHERE status = 'active' AND organization_id = "
                   "(SELECT organization_id FROM ej.staff WHERE login = 'o1_methodist')")[0]


def rollover(conn, it, students):
    return conn.execute(
        "SELECT ej.rollover(%s, 'Следующая итерация', %s, %s, %s, '№ 99-о') AS id",
        (it["id"], it["ends_on"] + timedelta(14), it["ends_on"] + timedelta(120), students),
    ).fetchone()["id"]


def test_rollover_twice_and_concurrently_makes_one_iteration(sql, login_conninfo):
    it = active_iteration(sql)
    with sql.as_user("o1_methodist"):
        candidates = sql.run("SELECT * FROM ej.rollover_candidates(%s)", (it["id"],))
    staying = [c["student_id"] for c in candidates if c["continuing"]][::2]
    assert staying and any(not c["continuing"] for c in candidates)  # leavers are offered but not chosen

    def run():
        with connect(login_conninfo("o1_methodist")) as conn, conn.transaction():
            return rollover(conn, it, staying)

    results, errors = at_once(run)
    with connect(login_conninfo("o1_methodist")) as conn:
        results.append(rollover(conn, it, staying))  # and once more, later
    assert errors == [] and len(set(results)) == 1
    new = results[0]
    assert sql.one("SELECT count(*) FROM ej.iteration WHERE name = 'Следующая итерация'") == 1
    assert sql.one("SELECT status FROM ej.iteration WHERE id = %s", (new,)) == "planned"
    old_groups = sql.one("SELECT count(*) FROM ej.study_group WHERE iteration_id = %s", (it["id"],))
    assert sql.one("SELECT count(*) FROM ej.study_group WHERE iteration_id = %s", (new,)) == old_groups
    enrolled = sql.run("SELECT e.student_id FROM ej.enrollment e JOIN ej.study_group g ON g.id = e.group_id "
                       "WHERE g.iteration_id = %s", (new,))
    assert sorted(r["student_id"] for r in enrolled) == sorted(staying)
    dup_slots = sql.one("SELECT count(*) FROM (SELECT group_id, weekday, starts_at FROM ej.schedule_slot s "
                        "JOIN ej.study_group g ON g.id = s.group_id WHERE g.iteration_id = %s "
                        "GROUP BY 1, 2, 3 HAVING count(*) > 1) d", (new,))
    assert dup_slots == 0
    assert sql.one("SELECT count(*) FROM ej.schedule_slot s JOIN ej.study_group g ON g.id = s.group_id "
                   "WHERE g.iteration_id = %s", (new,)) > 0


@pytest.mark.parametrize("login", ["o1_teacher01", "o1_deputy", "o1_director", "o1_admin"])
def test_only_the_methodist_rolls_over_and_archives(sql, login):
    it = active_iteration(sql)
    with sql.as_user(login):
        err = sql.refuses("SELECT ej.rollover(%s, 'X', %s, %s, '{}', '№ 1')",
                          (it["id"], it["ends_on"] + timedelta(14), it["ends_on"] + timedelta(100)))
        assert isinstance(err, psycopg.errors.InsufficientPrivilege)
        err = sql.refuses("SELECT ej.archive_iteration(%s, true)", (it["id"],))
        assert isinstance(err, psycopg.errors.InsufficientPrivilege)
    assert sql.one("SELECT status FROM ej.iteration WHERE id = %s", (it["id"],)) == "active"


def test_archive_checks_first_then_freezes_for_everyone(sql):
    it = active_iteration(sql)
    with sql.as_user("o1_methodist"):
        err = sql.refuses("SELECT ej.archive_iteration(%s, true)", (it["id"],))
        assert "архивировать можно после её окончания" in user_message(err)
    sql.run("UPDATE ej.iteration SET ends_on = ej.today(NULL) - 1 WHERE id = %s", (it["id"],))
    with sql.as_user("o1_methodist"):
        problems = sql.run("SELECT * FROM ej.archive_problems(%s)", (it["id"],))
        assert problems, "the demo data leaves some lessons unfilled"
        assert {p["problem"] for p in problems} & {"занятие не заполнено"}
        err = sql.refuses("SELECT ej.archive_iteration(%s)", (it["id"],))
        assert "незаполненные занятия" in user_message(err)
        assert sql.one("SELECT ej.archive_iteration(%s, true)", (it["id"],)) == len(problems)
    lesson = sql.run("SELECT l.id, l.group_id FROM ej.lesson l JOIN ej.study_group g ON g.id = l.group_id "
                     "WHERE g.iteration_id = %s LIMIT 1", (it["id"],))[0]
    for login in ROLES:
        with sql.as_user(login):
            for stmt in ("UPDATE ej.lesson SET hours = 1 WHERE id = %(l)s",
                         "DELETE FROM ej.attendance WHERE lesson_id = %(l)s",
                         "UPDATE ej.study_group SET room = 'x' WHERE id = %(g)s",
                         "INSERT INTO ej.remark (group_id, body) VALUES (%(g)s, 'Проверка')"):
                try:
                    with sql.conn.transaction():
                        sql.conn.execute("SELECT ej.set_reason('проверка архива')")
                        cur = sql.conn.execute(stmt, {"l": lesson["id"], "g": lesson["group_id"]})
                        assert cur.rowcount == 0, (login, stmt)  # RLS hid it: also nothing changed
                except psycopg.Error:
                    pass
    assert sql.one("SELECT count(*) FROM audit.log WHERE table_name = 'lesson' AND op = 'UPDATE' "
                   "AND row_key = jsonb_build_object('id', %s)", (lesson["id"],)) == 0


def test_weekly_analysis_matches_independent_counts(sql):
    week = sql.one("SELECT date_trunc('week', ej.today(NULL) - 14)::date")
    with sql.as_user("o1_methodist"):
        rows = sql.run("SELECT * FROM ej.weekly_analysis(%s)", (week,))
    assert rows
    teacher = next(r for r in rows if r["teacher_name"] == sql.one(
        "SELECT full_name FROM ej.staff WHERE login = 'o1_teacher01'"))
    held = sql.run(
        """SELECT count(*) AS lessons,
                  count(*) FILTER (WHERE l.filled_at::date - l.held_on > 3) AS late
             FROM ej.lesson l JOIN ej.study_group g ON g.id = l.group_id
             JOIN ej.iteration i ON i.id = g.iteration_id JOIN ej.staff s ON s.id = g.teacher_id
            WHERE s.login = 'o1_teacher01' AND i.status = 'active' AND l.held_on BETWEEN %s AND %s + 6""",
        (week, week))[0]
    assert teacher["filled_on_time"] + teacher["filled_late"] == held["lessons"]
    assert teacher["filled_late"] == held["late"]
    assert teacher["planned"] >= held["lessons"]


def test_change_request_accept_applies_decline_needs_reason(sql, journal):
    group = journal.group("o1_teacher01")
    student = sql.one("SELECT student_id FROM ej.enrollment WHERE group_id = %s LIMIT 1", (group,))
    with sql.as_user("o1_teacher01"):
        a = sql.one("INSERT INTO ej.change_request (group_id, student_id, field, proposed) "
                    "VALUES (%s, %s, 'school', 'МБОУ «Лицей № 1»') RETURNING id", (group, student))
        b = sql.one("INSERT INTO ej.change_request (group_id, student_id, field, proposed) "
                    "VALUES (%s, %s, 'phone', '+7 900 000-00-00') RETURNING id", (group, student))
        assert isinstance(sql.refuses("SELECT ej.resolve_change_request(%s, true)", (a,)),
                          psycopg.errors.InsufficientPrivilege)
    with sql.as_user("o1_methodist"):
        sql.run("SELECT ej.resolve_change_request(%s, true)", (a,))
        assert "причину отказа" in user_message(sql.refuses("SELECT ej.resolve_change_request(%s, false)", (b,)))
        sql.run("SELECT ej.resolve_change_request(%s, false, 'Телефон подтверждён родителями')", (b,))
    assert sql.one("SELECT school FROM ej.student WHERE id = %s", (student,)) == "МБОУ «Лицей № 1»"
    assert sql.one("SELECT phone FROM ej.student WHERE id = %s", (student,)) != "+7 900 000-00-00"
    states = sql.run("SELECT status, resolved_by FROM ej.change_request WHERE id IN (%s, %s) ORDER BY id", (a, b))
    assert [s["status"] for s in states] == ["done", "declined"]
    assert {s["resolved_by"] for s in states} == {journal.staff_id("o1_methodist")}


def test_teacher_load_and_schedule_warning(sql):
    with sql.as_user("o1_director"):
        load = sql.run("SELECT * FROM ej.teacher_load WHERE iteration_id = %s", (active_iteration(sql)["id"],))
        assert load and all(r["hours_per_week"] > 0 for r in load)
        assert sql.run("SELECT * FROM ej.schedule_warnings()") == []  # the demo schedule is approved
    # the current term ends before the next one starts: iterations of one organization never overlap
    sql.run("UPDATE ej.iteration SET ends_on = ej.today(NULL) + 2 WHERE id = %s", (active_iteration(sql)["id"],))
    with sql.as_user("o1_methodist"):
        sql.run("INSERT INTO ej.iteration (name, starts_on, ends_on) "
                "VALUES ('Скоро', ej.today(NULL) + 3, ej.today(NULL) + 90)")
        warn = sql.run("SELECT * FROM ej.schedule_warnings()")
    assert [(w["iteration_name"], w["days_left"]) for w in warn] == [("Скоро", 3)]
    with sql.as_user("o1_teacher01"):
        assert isinstance(sql.refuses("SELECT * FROM ej.teacher_load"), psycopg.errors.InsufficientPrivilege)


def test_one_time_password_is_a_scram_verifier(sql, login_conninfo):
    with connect(login_conninfo("o1_admin")) as admin:
        issued = accounts.issue_password(admin, "o1_teacher02")
        password = issued.password
        with pytest.raises(psycopg.Error):
            admin.execute("SELECT ej.set_user_password('o1_teacher02', 'plain-text-password')")
    with connect(login_conninfo("o1_director")) as director:  # a teacher's reset waits for the director
        assert issued.request_id is not None
        accounts.decide(director, issued.request_id, True)
    row = sql.run("SELECT rolpassword, rolvaliduntil > now() + interval '6 days' AS week "
                  "FROM pg_authid WHERE rolname = 'o1_teacher02'")[0]
    assert row["rolpassword"].startswith("SCRAM-SHA-256$") and password not in row["rolpassword"]
    assert row["week"] is True
    with connect(login_conninfo("o1_teacher02")) as me:
        accounts.change_own_password(me, "o1_teacher02", "Новый-пароль-2026")
    assert sql.one("SELECT rolvaliduntil = 'infinity' FROM pg_authid WHERE rolname = 'o1_teacher02'") is True
    sql.run("ALTER ROLE o1_teacher02 PASSWORD NULL VALID UNTIL 'infinity'")  # roles are server-wide
