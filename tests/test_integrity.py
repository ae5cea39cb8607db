"""Issue 10, findings 1, 2, 3, 5, 7 and 8, each reproduced as it was reported and refused:
references across organizations, rule messages about rows the caller cannot see, an archive
that changed when something else changed, and the iteration's life outside the database."""

from datetime import timedelta

import psycopg
import pytest
from psycopg import errors as pgerr
from psycopg.types.json import Jsonb

from ejournal_tui.db.errors import user_message
from ejournal_tui.reports.journal import collect


@pytest.fixture
def sql(rollback_sql):
    """Every test of this module runs in one rolled-back transaction on a shared clone."""
    rollback_sql.run("SELECT ej.set_reason('исправление при проверке журнала')")
    return rollback_sql


def org2(sql) -> dict:
    return sql.run(
        """SELECT g.organization_id AS org, g.id AS group, g.program_id AS program, p.quantum_id AS quantum,
                  g.iteration_id AS iteration,
                  (SELECT min(e.student_id) FROM ej.enrollment e WHERE e.group_id = g.id) AS student,
                  (SELECT min(l.id) FROM ej.lesson l WHERE l.group_id = g.id) AS lesson
             FROM ej.study_group g JOIN ej.program p ON p.id = g.program_id WHERE g.name = 'Второй-1'"""
    )[0]


def not_found(err: psycopg.Error) -> str:
    assert err.sqlstate in ("23503", "EJ005"), err  # the foreign key, or our rule's "not found"
    return user_message(err)


# --- 1. a guardian (with a phone number) for a child of another organization ------------------


def test_a_guardian_cannot_be_attached_to_another_organizations_child(sql, journal):
    other = org2(sql)
    mine = sql.one("SELECT min(id) FROM ej.guardian WHERE organization_id = %s", (journal.org_id("o1_methodist"),))
    add = ("INSERT INTO ej.guardian (student_id, full_name, relation, phone) "
           "VALUES (%s, 'Подставной Опекун', 'опекун', '+7 900 111-22-33')")
    with sql.as_user("o1_methodist"):
        assert user_message(sql.refuses(add, (other["student"],))) == "Обучающийся не найден"
        assert user_message(sql.refuses(add, (10**9,))) == "Обучающийся не найден"  # the very same words
        err = sql.refuses("UPDATE ej.guardian SET student_id = %s WHERE id = %s", (other["student"], mine))
        assert user_message(err) == "Обучающийся не найден"
    # even the owner's functions and the superuser cannot store it: the key carries the organization
    err = sql.refuses("UPDATE ej.guardian SET student_id = %s WHERE id = %s", (other["student"], mine))
    assert isinstance(err, pgerr.ForeignKeyViolation)
    with sql.as_user("o2_teacher01"):
        assert sql.one("SELECT count(*) FROM ej.guardian WHERE full_name = 'Подставной Опекун'") == 0


# --- 2. topics, programs, prints and remarks pointing into another organization -------------


def test_nothing_points_into_another_organization(sql, journal):
    other = org2(sql)
    own_group = journal.group("o1_teacher01")
    with sql.as_user("o1_methodist"):
        err = sql.refuses("INSERT INTO ej.program_topic (program_id, position, title, hours) "
                          "VALUES (%s, 1, 'Чужая тема', 2)", (other["program"],))
        assert not_found(err) == "Программа не найдена"
        err = sql.refuses("INSERT INTO ej.program (quantum_id, name, total_hours) VALUES (%s, 'Чужая', 72)",
                          (other["quantum"],))
        assert not_found(err) == "Квантум не найден"
    with sql.as_user("o1_teacher01"):
        err = sql.refuses(
            "INSERT INTO ej.print_fingerprint (fingerprint, data_hash, kind, title, group_id, pages) "
            "VALUES ('ABCD-1234', 'abcd1234' || repeat('0', 56), 'group', 'Журнал', %s, 1)", (other["group"],))
        assert not_found(err) == "Группа не найдена"
    with sql.as_user("o1_deputy"):
        err = sql.refuses("INSERT INTO ej.remark (group_id, lesson_id, body) VALUES (%s, %s, 'Чужое занятие')",
                          (own_group, other["lesson"]))
        assert not_found(err) == "Занятие не найдено"
    # and the other organization imports its own КТП undisturbed
    lines = Jsonb([{"title": f"Тема {n}", "hours": "2"} for n in range(1, 4)])
    with sql.as_user("o2_methodist"):
        sql.run("SELECT * FROM ej.import_ktp(%s, %s, true)", (other["program"], lines))
    assert sql.one("SELECT count(*) FROM ej.program_topic WHERE program_id = %s", (other["program"],)) == 3


# --- 3. no rule answers a question about a row the caller cannot see --------------------------


def test_rules_say_nothing_about_invisible_rows(sql, journal):
    """Each refusal about a row the login cannot see reads exactly like one about an id that does
    not exist, and names no date."""
    theirs = journal.group("o1_teacher02")
    their_archived = journal.group("o1_teacher02", "archived")
    their_lesson = journal.lesson(theirs)
    their_student = journal.enrolled_student(theirs, journal.free_date(theirs))
    mine = journal.group("o1_teacher01")
    my_day = journal.free_date(mine)
    other = org2(sql)
    nobody = 10**9
    mark = ("INSERT INTO ej.attendance (lesson_id, student_id, status, organization_id, group_id) "
            "VALUES (%s, %s, 'present', 0, 0)")
    lesson = "INSERT INTO ej.lesson (group_id, held_on, hours, organization_id) VALUES (%s, %s, 2, 0)"
    achievement = ("INSERT INTO ej.achievement (group_id, organization_id, student_id, held_on, competition, "
                   "level, result) VALUES (%s, 0, %s, %s, 'Робофест', 'региональный', '2 место')")
    enroll = ("INSERT INTO ej.enrollment (group_id, student_id, enrolled_on, enroll_order, organization_id) "
              "VALUES (%s, %s, '2001-01-01', '№ 1', 0)")
    cases = [
        # a mark on another teacher's lesson: was «не числится в группе на дату занятия (ДД.ММ.ГГГГ)»
        ("o1_teacher01", mark, (their_lesson, their_student), (nobody, their_student)),
        # a lesson in another teacher's archived group: was «Итерация в архиве»
        ("o1_teacher01", lesson, (their_archived, "2001-01-01"), (nobody, "2001-01-01")),
        # … or on a date outside another teacher's iteration: was «вне периода итерации (dates)»
        ("o1_teacher01", lesson, (theirs, "2001-01-01"), (nobody, "2001-01-01")),
        # an achievement of a student of someone else's group
        ("o1_teacher01", achievement, (mine, their_student, my_day), (mine, nobody, my_day)),
        # an enrollment into another organization's group: was «Даты зачисления … (dates)»
        ("o1_methodist", enroll, (other["group"], their_student), (nobody, their_student)),
    ]
    for login, statement, invisible, missing in cases:
        with sql.as_user(login):
            said = user_message(sql.refuses(statement, invisible))
            said_for_nothing = user_message(sql.refuses(statement, missing))
        assert said == said_for_nothing, (statement, said, said_for_nothing)
        assert "не найден" in said and not any(ch.isdigit() for ch in said), said


# --- 5. frozen means frozen -----------------------------------------------------------------


def _archived_print(sql) -> tuple[int, int, str]:
    row = sql.run("""SELECT g.iteration_id, p.quantum_id FROM ej.study_group g
                       JOIN ej.iteration i ON i.id = g.iteration_id JOIN ej.program p ON p.id = g.program_id
                      WHERE i.status = 'archived' AND i.organization_id = 1 ORDER BY g.id LIMIT 1""")[0]
    return row["iteration_id"], row["quantum_id"], collect(sql.conn, row["iteration_id"], row["quantum_id"]).fingerprint


def test_an_archived_journal_prints_the_same_whatever_happens_elsewhere(sql, journal):
    iteration, quantum, before = _archived_print(sql)
    active = sql.one("SELECT id FROM ej.iteration WHERE organization_id = 1 AND status = 'active'")
    live_before = collect(sql.conn, active, quantum).fingerprint
    programs = [r["program_id"] for r in sql.run(
        "SELECT DISTINCT program_id FROM ej.study_group WHERE iteration_id = %s", (iteration,))]
    teachers = [r["teacher_id"] for r in sql.run(
        "SELECT DISTINCT teacher_id FROM ej.study_group WHERE iteration_id = %s", (iteration,))]
    students = [r["student_id"] for r in sql.run(
        """SELECT DISTINCT e.student_id FROM ej.enrollment e JOIN ej.study_group g ON g.id = e.group_id
            WHERE g.iteration_id = %s LIMIT 20""", (iteration,))]
    with sql.as_user("o1_methodist"):
        # the next term's КТП: new titles and hours (the programs are shared between terms)
        for program in programs:
            count = sql.one("SELECT count(*) FROM ej.program_topic WHERE program_id = %s", (program,))
            lines = Jsonb(
                [{"title": f"Тема {n} (редакция 2027)", "hours": "3"} for n in range(1, count + 1)])
            sql.run("SELECT * FROM ej.import_ktp(%s, %s, true)", (program, lines))
        sql.run("UPDATE ej.program SET name = name || ' (2027)', total_hours = total_hours + 2 WHERE id = ANY(%s)",
                (programs,))
        sql.run("UPDATE ej.quantum SET name = name || ' (новый)' WHERE id = %s", (quantum,))
        sql.run("UPDATE ej.staff SET full_name = 'Новикова Мария Петровна', position = 'методист' "
                "WHERE id = ANY(%s)", (teachers,))
        sql.run("UPDATE ej.student SET last_name = 'Переименованный', school_class = '11А', sex = 'ж' "
                "WHERE id = ANY(%s)", (students,))
        sql.run("UPDATE ej.guardian SET phone = '+7 999 000-00-00' WHERE student_id = ANY(%s)", (students,))
        sql.run("INSERT INTO ej.guardian (student_id, full_name, relation) VALUES (%s, 'Новый Родитель', 'отец')",
                (students[0],))
        ends = sql.one("SELECT ends_on FROM ej.iteration WHERE id = %s", (active,))
        sql.run("SELECT ej.rollover(%s, 'Весна', %s, %s, '{}', '№ 1')", (active, ends + timedelta(days=14),
                                                                        ends + timedelta(days=120)))
    assert _archived_print(sql)[2] == before
    # the same changes do show in the running term's journal: the test can tell
    assert collect(sql.conn, active, quantum).fingerprint != live_before


# --- 7–8. the iteration's life --------------------------------------------------------------


def _active(sql) -> dict:
    return sql.run("SELECT * FROM ej.iteration WHERE organization_id = 1 AND status = 'active'")[0]


def test_status_changes_only_through_the_functions(sql):
    it = _active(sql)
    with sql.as_user("o1_methodist"):
        for status in ("archived", "closed"):
            err = sql.refuses("UPDATE ej.iteration SET status = %s WHERE id = %s", (status, it["id"]))
            assert "только командами" in user_message(err)
        err = sql.refuses("INSERT INTO ej.iteration (name, starts_on, ends_on, status) "
                          "VALUES ('Сразу идёт', '2031-01-01', '2031-03-01', 'active')")
        assert "только командами" in user_message(err)
        err = sql.refuses("SELECT ej.archive_iteration(%s, true)", (it["id"],))
        assert user_message(err) == (f"Итерация идёт до {it['ends_on']:%d.%m.%Y}: "
                                     "архивировать можно после её окончания")
        sql.run("SELECT ej.set_iteration_status(%s, 'closed')", (it["id"],))
    assert sql.one("SELECT status FROM ej.iteration WHERE id = %s", (it["id"],)) == "closed"
    with sql.as_user("o2_methodist"):  # another organization's iteration is not found
        assert user_message(sql.refuses("SELECT ej.set_iteration_status(%s, 'closed')", (it["id"],))) == (
            "Итерация не найдена")


def test_dates_cannot_leave_lessons_outside(sql):
    it = _active(sql)
    first, last = sql.run("""SELECT min(l.held_on) AS a, max(l.held_on) AS b FROM ej.lesson l
                               JOIN ej.study_group g ON g.id = l.group_id WHERE g.iteration_id = %s""",
                          (it["id"],))[0].values()
    with sql.as_user("o1_methodist"):
        for column, value in (("ends_on", last - timedelta(days=1)), ("starts_on", first + timedelta(days=1))):
            err = sql.refuses(f"UPDATE ej.iteration SET {column} = %s WHERE id = %s", (value, it["id"]))
            assert f"с {first:%d.%m.%Y} по {last:%d.%m.%Y}" in user_message(err)
        sql.run("UPDATE ej.iteration SET ends_on = %s WHERE id = %s", (last, it["id"]))  # still holds them all


def test_iterations_do_not_overlap_and_a_planned_one_can_be_cancelled(sql):
    it = _active(sql)
    start, end = it["ends_on"] + timedelta(days=14), it["ends_on"] + timedelta(days=120)
    roll = "SELECT ej.rollover(%s, %s, %s, %s, '{}', '№ 1')"
    with sql.as_user("o1_methodist"):
        spring = sql.one(roll, (it["id"], "Весна", start, end))
        err = sql.refuses(roll, (it["id"], "Весна-2", start, end))
        assert user_message(err, {"iteration_no_overlap": "x"}) == "x"
        assert err.diag.constraint_name == "iteration_no_overlap"
        groups = sql.one("SELECT count(*) FROM ej.study_group WHERE iteration_id = %s", (spring,))
        assert groups > 0
        assert user_message(sql.refuses("SELECT ej.cancel_iteration(%s)", (it["id"],))) == (
            "Отменить можно только итерацию, которая ещё не началась")
        assert sql.one("SELECT ej.cancel_iteration(%s)", (spring,)) == groups
        assert sql.one("SELECT count(*) FROM ej.iteration WHERE id = %s", (spring,)) == 0
        assert sql.one(roll, (it["id"], "Весна-2", start, end))  # the dates are free again
    with sql.as_user("o1_teacher01"):
        assert isinstance(sql.refuses("SELECT ej.cancel_iteration(%s)", (spring,)), pgerr.InsufficientPrivilege)


def test_approval_refuses_a_teacher_or_room_booked_twice(sql):
    it = _active(sql)
    start = it["ends_on"] + timedelta(days=14)
    with sql.as_user("o1_methodist"):
        spring = sql.one("SELECT ej.rollover(%s, 'Весна', %s, %s, '{}', '№ 1')",
                         (it["id"], start, start + timedelta(days=100)))
    a, b = sql.run("""SELECT g.id, g.name, g.teacher_id, t.full_name FROM ej.study_group g
                        JOIN ej.staff t ON t.id = g.teacher_id
                       WHERE g.iteration_id = %s ORDER BY g.teacher_id, g.id""", (spring,))[:2]
    slot = sql.run("SELECT weekday, starts_at, ends_at FROM ej.schedule_slot WHERE group_id = %s LIMIT 1",
                   (a["id"],))[0]
    with sql.as_user("o1_methodist"):
        # group b gets a's hour, in another room but with a's teacher
        sql.run("UPDATE ej.study_group SET teacher_id = %s, room = 'Каб. 999' WHERE id = %s",
                (a["teacher_id"], b["id"]))
        sql.run("INSERT INTO ej.schedule_slot (group_id, weekday, starts_at, ends_at, organization_id) "
                "VALUES (%s, %s, %s, %s, 0)", (b["id"], slot["weekday"], slot["starts_at"], slot["ends_at"]))
    with sql.as_user("o1_director"):
        said = user_message(sql.refuses("SELECT ej.approve_schedule(%s)", (spring,)))
    assert said.startswith(f"Расписание не утверждено: у педагога {a['full_name']} одновременно группы")
    assert a["name"] in said and b["name"] in said and f"{slot['starts_at']:%H:%M}" in said
    with sql.as_user("o1_methodist"):
        # now its own teacher again, but a's room
        sql.run("UPDATE ej.study_group SET teacher_id = %s, room = (SELECT coalesce(s.room, g.room) "
                "FROM ej.schedule_slot s JOIN ej.study_group g ON g.id = s.group_id WHERE g.id = %s LIMIT 1) "
                "WHERE id = %s", (b["teacher_id"], a["id"], b["id"]))
    with sql.as_user("o1_director"):
        said = user_message(sql.refuses("SELECT ej.approve_schedule(%s)", (spring,)))
    assert said.startswith("Расписание не утверждено: кабинет") and a["name"] in said and b["name"] in said
    assert sql.one("SELECT schedule_approved_at FROM ej.iteration WHERE id = %s", (spring,)) is None


def test_a_remark_is_fixed_when_the_server_says(sql, journal):
    remark = journal.add_remark(journal.group("o1_teacher01"))
    with sql.as_user("o1_teacher01"):
        sql.run("UPDATE ej.remark SET fixed_at = '2020-01-01', fixed_note = 'Исправлено' WHERE id = %s", (remark,))
    assert sql.one("SELECT fixed_at = now() FROM ej.remark WHERE id = %s", (remark,)) is True
