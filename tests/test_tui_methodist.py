"""The methodist's duties (issue 4, items 1–7; issue 5: printing with a progress bar, reports as
tables) driven with Textual's Pilot as o1_methodist against a clone of the demo database: what
the methodist does on the screen is what the database holds afterwards. That the other roles
are refused the same by the database: tests/test_admin_db.py."""

import asyncio
import threading
from datetime import date, timedelta

import psycopg
import pytest
from fixed_today import TODAY
from staff_tui import (
    acknowledge,
    app_as,
    cursor_to,
    errors,
    fill,
    form_by,
    keys,
    notes,
    open_by,
    settle,
    until,
    wait_for,
)
from textual.widgets import DataTable, Input, TextArea

from ejournal_tui.db import home as teacher_home
from ejournal_tui.db.connection import connect
from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen
from ejournal_tui.tui.screens.dialogs.form import FormScreen
from ejournal_tui.tui.screens.methodist.home import MethodistHomeScreen

METHODIST = "o1_methodist"


@pytest.fixture
def start(login_conninfo, sql):
    acknowledge(sql, METHODIST)

    def make(**kwargs):
        return app_as(login_conninfo, METHODIST, **kwargs)

    return make


async def home(pilot) -> MethodistHomeScreen:
    return await until(pilot, MethodistHomeScreen)


def org(sql) -> int:
    return sql.one("SELECT organization_id FROM ej.staff WHERE login = %s", (METHODIST,))


def active(sql) -> dict:
    return sql.run("SELECT id, name, starts_on, ends_on FROM ej.iteration WHERE status = 'active' "
                   "AND organization_id = %s", (org(sql),))[0]


# ---------------------------------------------------------------------------------- 1. lists


async def test_student_added_after_a_duplicate_warning_with_a_guardians_consent(start, sql):
    from ejournal_tui.tui.screens.methodist.guardians import GuardiansScreen
    from ejournal_tui.tui.screens.methodist.students import StudentsListScreen

    twin = sql.run("SELECT last_name, first_name, birth_date FROM ej.student WHERE organization_id = %s "
                   "ORDER BY id LIMIT 1", (org(sql),))[0]
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("о")
        screen = await until(pilot, StudentsListScreen)
        await pilot.press(*twin["last_name"][:4])  # the search line has the focus
        await settle(pilot)
        assert screen.data and all(s.last_name.startswith(twin["last_name"][:4]) for s in screen.data)
        await form_by(pilot, "enter", "д")  # to the list, «добавить»
        values = {"last_name": twin["last_name"].upper(), "first_name": twin["first_name"],
                  "birth_date": twin["birth_date"].strftime("%d.%m.%Y"), "sex": "ж", "school_class": "13",
                  "pd_consent_on": "01.09.2026"}
        await fill(pilot, values)
        assert isinstance(app.screen, FormScreen)  # a clear refusal, nothing typed is lost
        assert "Класс: число от 1 до 11" in str(app.screen.query_one("#form-error").render())
        await fill(pilot, {"school_class": "7б"})
        assert isinstance(app.screen, ConfirmScreen)
        assert "уже есть" in app.screen.question and twin["first_name"] in app.screen.question
        await pilot.press("enter")  # «Да, сохранить»
        await until(pilot, StudentsListScreen)
        new = sql.run("SELECT id, school_class, pd_consent_on FROM ej.student WHERE last_name = %s "
                      "AND birth_date = %s ORDER BY id DESC", (twin["last_name"].upper(), twin["birth_date"]))
        assert len(new) == 1 and new[0]["school_class"] == "7Б" and new[0]["pd_consent_on"] == date(2026, 9, 1)

        search = screen.query_one("#st-search", Input)
        search.value = twin["last_name"].upper()
        await settle(pilot)
        await cursor_to(pilot, screen.table, new[0]["id"])
        await pilot.press("р")
        await until(pilot, GuardiansScreen)
        await form_by(pilot, "д")
        await fill(pilot, {"full_name": "Проверкина Анна Ивановна", "relation": "мать", "phone": "+7 900 111-22-33",
                           "pd_consent_on": "02.09.2026"})
        await until(pilot, GuardiansScreen)
    assert sql.run("SELECT full_name, relation, pd_consent_on FROM ej.guardian WHERE student_id = %s",
                   (new[0]["id"],)) == [{"full_name": "Проверкина Анна Ивановна", "relation": "мать",
                                         "pd_consent_on": date(2026, 9, 2)}]


async def test_transfer_and_enrollment_by_order(start, sql, journal):
    from ejournal_tui.tui.screens.methodist.students import StudentsListScreen

    group = journal.group("o1_teacher01")
    other = sql.one("SELECT id FROM ej.study_group WHERE iteration_id = (SELECT iteration_id FROM ej.study_group "
                    "WHERE id = %s) AND id <> %s ORDER BY id LIMIT 1", (group, group))
    student, last_name = sql.run(
        "SELECT s.id, s.last_name FROM ej.enrollment e JOIN ej.student s ON s.id = e.student_id "
        "WHERE e.group_id = %s AND e.left_on IS NULL ORDER BY s.id LIMIT 1", (group,))[0].values()
    today = TODAY
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("о")
        screen = await until(pilot, StudentsListScreen)
        screen.query_one("#st-search", Input).value = last_name
        await settle(pilot)
        await cursor_to(pilot, screen.table, student)
        await form_by(pilot, "в")
        await fill(pilot, {"order": "№ 12-о", "to_group_id": other})
        await until(pilot, StudentsListScreen)
        assert not errors(app)
        await cursor_to(pilot, screen.table, student)
        await form_by(pilot, "з")
        third = sql.one("SELECT id FROM ej.study_group WHERE iteration_id = (SELECT iteration_id FROM "
                        "ej.study_group WHERE id = %s) AND id NOT IN (%s, %s) ORDER BY id LIMIT 1",
                        (group, group, other))
        await fill(pilot, {"group_id": third, "enroll_order": ""})
        assert "Приказ о зачислении" in str(app.screen.query_one("#form-error").render())
        await fill(pilot, {"enroll_order": "№ 13-о"})
        await until(pilot, StudentsListScreen)
    rows = sql.run("SELECT group_id, enrolled_on, enroll_order, left_on, leave_order FROM ej.enrollment "
                   "WHERE student_id = %s AND group_id IN (%s, %s, %s) ORDER BY group_id = %s DESC, id",
                   (student, group, other, third, group))
    old = rows[0]
    assert (old["group_id"], old["left_on"], old["leave_order"]) == (group, today, "№ 12-о")
    assert {(r["group_id"], r["enrolled_on"], r["enroll_order"]) for r in rows[1:]} == {
        (other, today, "№ 12-о"), (third, today, "№ 13-о")}


async def test_staff_contacts_groups_and_schedule(start, sql):
    from ejournal_tui.tui.screens.methodist.groups import GroupsScreen
    from ejournal_tui.tui.screens.methodist.schedule import ScheduleScreen
    from ejournal_tui.tui.screens.methodist.staff import StaffScreen

    teacher = sql.one("SELECT id FROM ej.staff WHERE login = 'o1_teacher02'")
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("к")
        screen = await until(pilot, StaffScreen)
        await cursor_to(pilot, screen.table, teacher)
        await form_by(pilot, "enter")
        await fill(pilot, {"phone": "+7 (812) 555-12-34", "position": "старший педагог"})
        await until(pilot, StaffScreen)
        await pilot.press("escape", "г")
        groups = await until(pilot, GroupsScreen)
        form = await form_by(pilot, "д")
        program = form.query_one("#f-program_id")._options[1][1]
        await fill(pilot, {"name": "Новая-1", "program_id": program, "teacher_id": teacher, "room": "301"})
        await until(pilot, GroupsScreen)
        new = sql.one("SELECT id FROM ej.study_group WHERE name = 'Новая-1'")
        await cursor_to(pilot, groups.table, new)
        await pilot.press("р")
        await until(pilot, ScheduleScreen)
        await form_by(pilot, "д")
        await fill(pilot, {"weekday": 3, "starts_at": "16:00", "ends_at": "15:00"})
        assert "заканчиваться позже" in str(app.screen.query_one("#form-error").render())
        await fill(pilot, {"ends_at": "17.30"})
        await until(pilot, ScheduleScreen)
    assert sql.run("SELECT phone, position FROM ej.staff WHERE id = %s", (teacher,)) == [
        {"phone": "+7 (812) 555-12-34", "position": "старший педагог"}]
    assert sql.run("SELECT g.teacher_id, g.room, g.iteration_id, s.weekday, s.starts_at::text, s.ends_at::text "
                   "FROM ej.study_group g JOIN ej.schedule_slot s ON s.group_id = g.id WHERE g.id = %s", (new,)) == [
        {"teacher_id": teacher, "room": "301", "iteration_id": active(sql)["id"], "weekday": 3,
         "starts_at": "16:00:00", "ends_at": "17:30:00"}]


# ------------------------------------------------------------------------------------ 2. КТП


async def test_program_and_its_ktp_imported_from_a_file_with_errors_per_line(start, sql, tmp_path):
    from ejournal_tui.tui.screens.methodist.ktp import KtpScreen
    from ejournal_tui.tui.screens.methodist.ktp_import import KtpImportScreen
    from ejournal_tui.tui.screens.methodist.programs import ProgramsScreen

    csv = tmp_path / "ktp.csv"
    csv.write_bytes("№;Тема;Часы\n1;Введение. Техника безопасности;2\n2;Датчики;два\n3;;2\n".encode("cp1251"))
    quantum = sql.one("SELECT id FROM ej.quantum WHERE organization_id = %s ORDER BY id LIMIT 1", (org(sql),))
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("р")
        screen = await until(pilot, ProgramsScreen)
        await form_by(pilot, "д")
        await fill(pilot, {"quantum_id": quantum, "name": "Проверочная программа с КТП из файла",
                           "total_hours": "5,5", "approved_on": "01.09.2026"})
        await until(pilot, ProgramsScreen)
        program = sql.one("SELECT id FROM ej.program WHERE name = 'Проверочная программа с КТП из файла'")
        await cursor_to(pilot, screen.table, program)
        await pilot.press("enter")
        await until(pilot, KtpScreen)
        await pilot.press("и")
        imp = await until(pilot, KtpImportScreen, loaded=False)
        path = imp.query_one("#ktp-file", Input)
        path.value = str(csv)
        path.focus()
        await pilot.press("enter")
        await settle(pilot)
        imp.check()  # (the screen checks 0.4 s after the text stops changing)
        await settle(pilot)
        preview = imp.query_one("#ktp-preview", DataTable)
        assert [c.error for c in imp.checked] == [None, "часы «два» — не число (например 2 или 1,5)", "нет темы"]
        assert preview.row_count == 3 and "ошибок: 2" in str(imp.query_one("#ktp-summary").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, KtpImportScreen) and "ошибками" in notes(app)[-1]
        imp.query_one("#ktp-text", TextArea).load_text("Введение. Техника безопасности; 2\nДатчики\t1,5\n"
                                                       "Сборка робота; 2\n")
        imp.check()
        await settle(pilot)
        assert not any(c.error for c in imp.checked)
        await pilot.press("ctrl+s")
        await until(pilot, ConfirmScreen, loaded=False)
        await pilot.press("enter")
        ktp = await until(pilot, KtpScreen)
        assert [t.title for t in ktp.data] == ["Введение. Техника безопасности", "Датчики", "Сборка робота"]
    topics = sql.run("SELECT position, title, hours::text FROM ej.program_topic WHERE program_id = %s "
                     "ORDER BY position", (program,))
    assert [(t["position"], t["title"], t["hours"]) for t in topics] == [
        (1, "Введение. Техника безопасности", "2.0"), (2, "Датчики", "1.5"), (3, "Сборка робота", "2.0")]
    assert sql.one("SELECT total_hours::text FROM ej.program WHERE id = %s", (program,)) == "5.5"


# ------------------------------------------------------------------------------- 3. roll-over


async def _rollover_from_the_ui(pilot, order: str, skip: int = 0):
    """Iterations → the active one → «п»; the order number, `skip` students unticked, Ctrl+S, yes."""
    from ejournal_tui.tui.screens.methodist.iterations import IterationsScreen
    from ejournal_tui.tui.screens.methodist.rollover import RolloverScreen

    await pilot.press("и")
    screen = await until(pilot, IterationsScreen)
    active_row = next(i for i in screen.data if i.status == "active")
    await cursor_to(pilot, screen.table, active_row.id)
    ro = await open_by(pilot, RolloverScreen, "п")
    ro.query_one("#ro-order", Input).value = order
    ro.query_one("#ro-table", DataTable).focus()
    for _ in range(skip):
        await pilot.press("space")
    await pilot.press("ctrl+s")
    await until(pilot, ConfirmScreen, loaded=False)
    return ro


async def test_rollover_twice_and_beside_another_session_makes_one_iteration(start, sql, login_conninfo):
    it = active(sql)
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        ro = await _rollover_from_the_ui(pilot, "№ 99-о", skip=1)
        chosen = sorted({s for _, s in ro.chosen})
        name, starts, ends = ro._input().name, ro._input().starts_on, ro._input().ends_on
        await pilot.press("enter")
        await settle(pilot)
        assert not errors(app) and "готова" in notes(app)[-1]

        # the same again from the screen, while another methodist's session runs it too
        held, release = threading.Event(), threading.Event()

        def other_session():
            with connect(login_conninfo(METHODIST)) as conn, conn.transaction():
                conn.execute("SELECT ej.rollover(%s, %s, %s, %s, %s, '№ 99-о')", (it["id"], name, starts, ends,
                                                                                  chosen))
                held.set()
                release.wait(120)

        thread = threading.Thread(target=other_session)
        thread.start()
        assert held.wait(10)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await _rollover_from_the_ui(pilot, "№ 99-о", skip=1)
        await pilot.press("enter")  # the screen's call now waits for the other session's lock
        waiting = """SELECT count(*) FROM pg_stat_activity
                      WHERE datname = current_database() AND wait_event_type = 'Lock'"""
        await wait_for(pilot, lambda: sql.one(waiting) > 0, "the screen's roll-over to wait for the other's lock")
        release.set()
        await asyncio.to_thread(thread.join, 120)
        await settle(pilot)
        assert not errors(app), errors(app)
    new = sql.run("SELECT id, status, starts_on FROM ej.iteration WHERE name = %s", (name,))
    assert len(new) == 1 and new[0]["status"] == "planned" and new[0]["starts_on"] == starts
    count = "SELECT count(*) FROM ej.study_group WHERE iteration_id = %s"
    assert sql.one(count, (new[0]["id"],)) == sql.one(count, (it["id"],))
    enrolled = sql.run("SELECT e.student_id, e.enroll_order FROM ej.enrollment e JOIN ej.study_group g "
                       "ON g.id = e.group_id WHERE g.iteration_id = %s", (new[0]["id"],))
    assert sorted(r["student_id"] for r in enrolled) == chosen  # each once
    assert {r["enroll_order"] for r in enrolled} == {"№ 99-о"}
    assert sql.one("SELECT count(*) FROM (SELECT group_id, weekday, starts_at FROM ej.schedule_slot s JOIN "
                   "ej.study_group g ON g.id = s.group_id WHERE g.iteration_id = %s GROUP BY 1, 2, 3 "
                   "HAVING count(*) > 1) d", (new[0]["id"],)) == 0


# --------------------------------------------------------------------------------- 4. archive


async def test_archive_from_the_ui_freezes_the_iteration_for_every_role(start, sql):
    from ejournal_tui.tui.screens.methodist.archive import ArchiveScreen
    from ejournal_tui.tui.screens.methodist.iterations import IterationsScreen

    it = active(sql)
    # the term is over (only an ended iteration is archived): it ended yesterday
    sql.run("UPDATE ej.iteration SET ends_on = ej.today(NULL) - 1 WHERE id = %s", (it["id"],))
    problems = sql.one("SELECT count(*) FROM ej.archive_problems(%s)", (it["id"],))
    assert problems > 0
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("и")
        screen = await until(pilot, IterationsScreen)
        await cursor_to(pilot, screen.table, it["id"])
        await pilot.press("а")
        archive = await until(pilot, ArchiveScreen)
        assert len(archive.data) == problems
        assert f"незаполненных занятий {problems}" in str(archive.query_one("#list-title").render())
        await pilot.press("а")
        confirm = await until(pilot, ConfirmScreen, loaded=False)
        assert f"незаполненные занятия: {problems}" in confirm.question
        await pilot.press("enter")
        await until(pilot, IterationsScreen)
        assert next(i for i in screen.data if i.id == it["id"]).status == "archived"
    assert sql.one("SELECT status FROM ej.iteration WHERE id = %s", (it["id"],)) == "archived"
    lesson = sql.run("SELECT l.id, l.group_id FROM ej.lesson l JOIN ej.study_group g ON g.id = l.group_id "
                     "WHERE g.iteration_id = %s ORDER BY l.held_on DESC LIMIT 1", (it["id"],))[0]
    writes = ("UPDATE ej.lesson SET hours = 1 WHERE id = %(l)s",
              "DELETE FROM ej.attendance WHERE lesson_id = %(l)s",
              "UPDATE ej.study_group SET room = 'x' WHERE id = %(g)s",
              "INSERT INTO ej.remark (group_id, body) VALUES (%(g)s, 'Проверка')",
              "UPDATE ej.iteration SET name = 'x' WHERE id = %(i)s")
    before = sql.one("SELECT count(*) FROM audit.log")
    for login in ("o1_teacher01", METHODIST, "o1_deputy", "o1_director", "o1_admin"):
        with sql.as_user(login):
            for stmt in writes:
                try:
                    with sql.conn.transaction():
                        sql.run("SELECT ej.set_reason('проверка архива')")
                        assert sql.changes(stmt, {"l": lesson["id"], "g": lesson["group_id"], "i": it["id"]}) == 0
                except psycopg.Error:
                    pass
    assert sql.one("SELECT count(*) FROM audit.log") == before


# ------------------------------------------------------------------------- 5. weekly analysis


async def test_weekly_analysis_is_posted_to_the_board_teachers_see(start, sql, login_conninfo):
    from ejournal_tui.tui.screens.methodist.analysis import AnalysisScreen

    week = TODAY - timedelta(days=TODAY.weekday() + 7)
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        screen = await open_by(pilot, AnalysisScreen, "а")
        with sql.as_user(METHODIST):
            expected = sql.run("SELECT teacher_id, planned, filled_late FROM ej.weekly_analysis(%s)", (week,))
        assert [(r.teacher_id, r.planned, r.filled_late) for r in screen.rows] == [
            (r["teacher_id"], r["planned"], r["filled_late"]) for r in expected]
        body = screen.query_one("#an-body", TextArea)
        assert f"Итоги недели {week:%d.%m}" in body.text
        body.load_text(body.text + "\n\nСобрание педагогов — в пятницу.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MethodistHomeScreen)
    post = sql.run("SELECT id, week_of, title, body, author_id, posted_at"
                   " FROM ej.board_post ORDER BY id DESC LIMIT 1")[0]
    assert post["week_of"] == week and post["body"].endswith("Собрание педагогов — в пятницу.")
    assert post["author_id"] == sql.one("SELECT id FROM ej.staff WHERE login = %s", (METHODIST,))
    with connect(login_conninfo("o1_teacher01")) as conn:
        # The post is dated by the server's clock, which may be ahead of the suite's TODAY
        # (EJOURNAL_TEST_TODAY): the teacher sees it from the day it was posted.
        board = teacher_home.home(conn, max(TODAY, post["posted_at"].date())).board
    assert board is not None and board.id == post["id"]


# ------------------------------------------------------------------------ 6. monthly activity


async def test_monthly_activity_shows_who_filled_in_what(start, sql, journal):
    from ejournal_tui.tui.screens.methodist.activity import ActivityDetailScreen, ActivityScreen

    group = journal.group("o1_teacher02")
    day = journal.free_date(group, min_age_days=0)
    student = journal.enrolled_student(group, day)
    with sql.as_user("o1_teacher02"), sql.conn.transaction():
        sql.run("SELECT ej.set_reason('заполнение с опозданием')")
        lesson = sql.one("INSERT INTO ej.lesson (group_id, held_on, topic) VALUES (%s, %s, 'Тема') RETURNING id",
                         (group, day))
        sql.run("INSERT INTO ej.attendance (lesson_id, student_id, status) VALUES (%s, %s, 'present')",
                (lesson, student))
    # The log records when things were done by the server's clock, which the suite's fixed date
    # does not hold back: the app opens at that date, so "this month" is the month they were done in.
    done_on = sql.one("SELECT (now() AT TIME ZONE 'Europe/Moscow')::date")
    app = start(today=done_on)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("м")
        screen = await until(pilot, ActivityScreen)
        row = next(r for r in screen.data if r.login == "o1_teacher02")
        assert (row.lessons, row.marks, row.days_active) == (1, 1, 1)
        assert all(r.actions == 0 for r in screen.data if r.login == "o1_teacher01")
        await cursor_to(pilot, screen.table, "o1_teacher02")
        await pilot.press("enter")
        detail = await until(pilot, ActivityDetailScreen, loaded=False)
        assert [(d.lessons, d.marks) for d in detail.days] == [(1, 1)]
        await pilot.press("escape", "п")
        await settle(pilot)
        assert screen.month == (done_on.replace(day=1) - timedelta(days=1)).replace(day=1)


# ------------------------------------------------------------------ 7. remarks and corrections


async def test_remark_written_fixed_by_the_teacher_and_closed(start, sql, journal):
    from ejournal_tui.tui.screens.common.remarks import RemarksScreen

    group = journal.group("o1_teacher01")
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("з")
        await until(pilot, RemarksScreen)
        await form_by(pilot, "н")
        await fill(pilot, {"group_id": group, "lesson_on": "01.01.2020", "body": "Укажите темы занятий"})
        assert "нет занятия 01.01.2020" in str(app.screen.query_one("#form-error").render())
        await fill(pilot, {"lesson_on": ""})
        await until(pilot, RemarksScreen)
        remark = sql.one("SELECT id FROM ej.remark WHERE body = 'Укажите темы занятий'")
        with sql.as_user("o1_teacher01"):
            sql.run("UPDATE ej.remark SET fixed_at = now(), fixed_note = 'Темы указаны' WHERE id = %s", (remark,))
        await pilot.press("escape")
        screen = await home(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await cursor_to(pilot, screen.query_one("#m-remarks", DataTable), remark)
        form = await form_by(pilot, "enter")
        assert "Темы указаны" in str(form.query_one("#form-note").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(remark) not in keys(screen.query_one("#m-remarks", DataTable))
    row = sql.run("SELECT r.author_id, r.closed_by, r.closed_at IS NOT NULL AS closed FROM ej.remark r "
                  "WHERE id = %s", (remark,))[0]
    me = sql.one("SELECT id FROM ej.staff WHERE login = %s", (METHODIST,))
    assert row == {"author_id": me, "closed_by": me, "closed": True}


async def test_corrections_accepted_and_declined_with_a_reason(start, sql, journal):
    group = journal.group("o1_teacher01")
    student = journal.enrolled_student(group, TODAY)
    with sql.as_user("o1_teacher01"):
        accept = sql.one("INSERT INTO ej.change_request (group_id, student_id, field, proposed) "
                         "VALUES (%s, %s, 'school', 'МБОУ «Гимназия № 3»') RETURNING id", (group, student))
        decline = sql.one("INSERT INTO ej.change_request (group_id, student_id, field, proposed) "
                          "VALUES (%s, %s, 'phone', '+7 900 999-99-99') RETURNING id", (group, student))
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await home(pilot)
        table = screen.query_one("#m-requests", DataTable)
        assert keys(table) == [str(accept), str(decline)]
        await cursor_to(pilot, table, accept)
        await form_by(pilot, "enter")
        await pilot.press("ctrl+s")
        await home(pilot)
        await settle(pilot)
        await cursor_to(pilot, table, decline)
        await form_by(pilot, "enter")
        await fill(pilot, {"decision": "decline"})
        assert "причину отказа" in str(app.screen.query_one("#form-error").render())
        await fill(pilot, {"note": "Телефон подтверждён родителями"})
        await home(pilot)
    assert sql.one("SELECT school FROM ej.student WHERE id = %s", (student,)) == "МБОУ «Гимназия № 3»"
    assert sql.run("SELECT status, resolution_note FROM ej.change_request WHERE id IN (%s, %s) ORDER BY id",
                   (accept, decline)) == [{"status": "done", "resolution_note": None},
                                          {"status": "declined", "resolution_note": "Телефон подтверждён родителями"}]


# ------------------------------------------------------- issue 5: printing and reports in the TUI


async def test_hard_copy_printed_with_a_progress_bar_and_its_fingerprint_recorded(start, sql, tmp_path):
    from textual.widgets import ProgressBar, Select

    from ejournal_tui.tui.screens.methodist.printing import PrintScreen

    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        screen = await open_by(pilot, PrintScreen, "п")
        quantum = screen.query_one("#pr-quantum", Select)
        quantum.value = quantum._options[-1][1]  # the quantum with the fewest groups: a shorter print
        await settle(pilot)
        path = screen.query_one("#pr-path", Input)
        assert path.value.endswith(f"-{quantum.value}.pdf")
        path.value = str(tmp_path / "journal.pdf")
        seen = []
        original = screen._progress

        def spy(done, total, label):
            seen.append((done, total))
            original(done, total, label)

        screen._progress = spy
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.printed is not None or errors(app), "the print to finish", timeout=300)
        await settle(pilot)
        assert not errors(app), errors(app)
        bar = screen.query_one(ProgressBar)
        assert bar.progress == bar.total and seen[-1][0] == seen[-1][1]
        printed = screen.printed
    data = (tmp_path / "journal.pdf").read_bytes()
    assert data.startswith(b"%PDF") and printed.pages > 3 and len(seen) >= 3
    assert sql.run("SELECT kind, pages, fingerprint FROM ej.print_fingerprint") == [
        {"kind": "journal", "pages": printed.pages, "fingerprint": printed.fingerprint}]


async def test_reports_shown_as_tables_and_saved_as_csv(start, sql, tmp_path):
    from textual.widgets import Select

    from ejournal_tui.tui.screens.common.report_view import ReportScreen

    it = active(sql)
    app = start()
    app.export_dir = tmp_path
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("т")
        screen = await until(pilot, ReportScreen)
        with sql.as_user(METHODIST):
            expected = sql.run("SELECT teacher_name, lessons FROM ej.report_timeliness('teacher', %s)", (it["id"],))
        assert screen.table.row_count == len(expected)
        assert [(r[0], r[3]) for r in screen.report.rows] == [(e["teacher_name"], e["lessons"]) for e in expected]
        screen.query_one("#rep-name", Select).value = "attendance"
        await settle(pilot)
        screen.query_one("#rep-by", Select).value = "quantum"
        await settle(pilot)
        assert screen.report.title == "Посещаемость по квантумам"
        with sql.as_user(METHODIST):
            quantums = sql.one("SELECT count(*) FROM ej.report_attendance('quantum', %s)", (it["id"],))
        assert screen.table.row_count == quantums
        form = await form_by(pilot, "в")
        assert form.query_one("#f-path", Input).value.startswith(str(tmp_path))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Сохранено" in notes(app)[-1]
    files = list(tmp_path.glob("attendance-*.csv"))
    assert len(files) == 1
    text = files[0].read_bytes().decode("utf-8")
    assert text.startswith("\ufeffКвантум;Групп;Занятий") and len(text.strip().splitlines()) == quantums + 1
