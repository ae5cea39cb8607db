"""The director's duty (issue 4, item 10) with Textual's Pilot as o1_director: the schedule and
teacher load of the next iteration reviewed and approved, the approval recorded (who, when);
the methodist and the director warned while an iteration starts within a week unapproved."""

from datetime import timedelta

import pytest
from fixed_today import TODAY
from staff_tui import acknowledge, app_as, settle, until

from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen
from ejournal_tui.tui.screens.director.home import DirectorHomeScreen
from ejournal_tui.tui.screens.director.schedule import IterationScheduleScreen
from ejournal_tui.tui.screens.methodist.home import MethodistHomeScreen

DIRECTOR = "o1_director"


@pytest.fixture
def upcoming(sql, journal):
    """An iteration starting in 5 days, with one group and its weekly schedule, not approved."""
    starts = TODAY + timedelta(days=5)
    # the current term ends before it: iterations of one organization never overlap
    sql.run("UPDATE ej.iteration SET ends_on = %s WHERE organization_id = 1 AND status = 'active'",
            (starts - timedelta(days=1),))
    with sql.as_user("o1_methodist"):
        it = sql.one("INSERT INTO ej.iteration (name, starts_on, ends_on) VALUES ('Летняя школа', %s, %s) "
                     "RETURNING id", (starts, starts + timedelta(days=60)))
        group = sql.one("INSERT INTO ej.study_group (iteration_id, program_id, teacher_id, name) "
                        "SELECT %s, g.program_id, g.teacher_id, 'Лето-1' FROM ej.study_group g WHERE g.id = %s "
                        "RETURNING id", (it, journal.group("o1_teacher01")))
        sql.run("INSERT INTO ej.schedule_slot (group_id, weekday, starts_at, ends_at) VALUES (%s, 2, '10:00', '11:30'),"
                " (%s, 4, '10:00', '12:15')", (group, group))
    return it


async def test_director_reviews_the_load_and_approves_the_schedule(login_conninfo, sql, journal, upcoming):
    acknowledge(sql, DIRECTOR)
    app = app_as(login_conninfo, DIRECTOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until(pilot, DirectorHomeScreen)
        assert screen.iteration_id == upcoming  # the unapproved one comes first
        title = str(screen.query_one("#list-title").render())
        assert "не утверждены" in title and "через 5 дн." in title
        assert [(r.teacher_name, r.slots, float(r.hours_per_week)) for r in screen.data] == [
            (sql.one("SELECT full_name FROM ej.staff WHERE login = 'o1_teacher01'"), 2, 3.8)]
        await pilot.press("р")
        schedule = await until(pilot, IterationScheduleScreen)
        assert [(s.group_name, s.weekday) for s in schedule.data] == [("Лето-1", 2), ("Лето-1", 4)]
        await pilot.press("escape", "у")
        await until(pilot, ConfirmScreen, loaded=False)
        await pilot.press("enter")
        await settle(pilot)
        screen = await until(pilot, DirectorHomeScreen)
        assert "утверждены" in str(screen.query_one("#list-title").render())
        assert "не утверждены" not in str(screen.query_one("#list-title").render())
    row = sql.run("SELECT schedule_approved_by, schedule_approved_at > now() - interval '1 minute' AS now "
                  "FROM ej.iteration WHERE id = %s", (upcoming,))[0]
    assert row == {"schedule_approved_by": journal.staff_id(DIRECTOR), "now": True}
    assert sql.one("SELECT count(*) FROM audit.log WHERE table_name = 'iteration' AND actor = %s", (DIRECTOR,)) == 1


async def test_the_methodist_is_warned_until_the_director_approves(login_conninfo, sql, upcoming):
    acknowledge(sql, "o1_methodist")
    app = app_as(login_conninfo, "o1_methodist")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until(pilot, MethodistHomeScreen)
        warning = [r.message for r in screen.data.reminders if r.kind == "schedule"]
        assert warning and "Летняя школа" in warning[0] and "не утверждены директором" in warning[0]
        assert "Летняя школа" in str(screen.query_one("#m-reminders").render())
        with sql.as_user(DIRECTOR):
            sql.run("SELECT ej.approve_schedule(%s)", (upcoming,))
        await pilot.press("f5")
        await settle(pilot)
        assert not [r for r in screen.data.reminders if r.kind == "schedule"]
    with sql.as_user("o1_methodist"):  # and the methodist cannot approve it, even without the app
        err = sql.refuses("UPDATE ej.iteration SET schedule_approved_by = 1, schedule_approved_at = now() "
                          "WHERE id = %s", (upcoming,))
    assert "утверждает директор" in err.diag.message_primary


async def test_director_confirms_the_administrators_request_in_the_app(login_conninfo, sql):
    """Issue 10, finding 4: the administrator's teacher login exists only once the director confirms it
    in the app; the account log shows who did what."""
    import uuid

    from staff_tui import cursor_to

    from ejournal_tui.tui.screens.common.account_requests import AccountRequestsScreen

    login = f"h10_{uuid.uuid4().hex[:8]}"
    try:
        with sql.as_user("o1_admin"):
            request_id = sql.one("SELECT request_id FROM ej.request_account(%s, ARRAY['teacher'], "
                                 "'Новикова Анна Павловна')", (login,))
        assert sql.run("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)) == []
        acknowledge(sql, DIRECTOR)
        app = app_as(login_conninfo, DIRECTOR)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await until(pilot, DirectorHomeScreen)
            assert "ждут вашего подтверждения: 1" in str(screen.query_one("#list-title").render())
            await pilot.press("ч")
            accounts = await until(pilot, AccountRequestsScreen)
            await cursor_to(pilot, accounts.table, f"r{request_id}")
            await pilot.press("п")
            await until(pilot, ConfirmScreen, loaded=False)
            await pilot.press("enter")
            await settle(pilot)
            accounts = await until(pilot, AccountRequestsScreen)
            assert f"r{request_id}" not in [str(k.value) for k in accounts.table.rows]
            ops = [(e.op, e.actor) for e in accounts.data if e.login == login]
            assert ops == [("confirm", DIRECTOR), ("create", DIRECTOR), ("request", "o1_admin")]
        assert sql.one("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (login,)) is True
    finally:
        sql.run(f"DROP ROLE IF EXISTS {login}")
