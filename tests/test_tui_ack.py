"""Issue 7, item 5: on first login a person reads the regulation's duties of their roles and
confirms; the confirmation (who, when) is stored and shown to the methodist."""

import pytest
from staff_tui import acknowledge, app_as, cursor_to, settle, until

from ejournal_tui.tui.screens.common.acknowledgment import AcknowledgmentScreen
from ejournal_tui.tui.screens.methodist.home import MethodistHomeScreen
from ejournal_tui.tui.screens.methodist.staff import StaffScreen


@pytest.mark.parametrize("login, role", [("o1_teacher02", "teacher"), ("o1_deputy", "deputy"),
                                         ("o1_director", "director"), ("o1_admin", "admin")])
async def test_first_login_shows_the_duties_and_stores_the_confirmation(login_conninfo, sql, login, role):
    app = app_as(login_conninfo, login)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until(pilot, AcknowledgmentScreen, loaded=False)
        text = screen._text()
        duty = sql.one("SELECT duty FROM ej.regulation_duty WHERE role = %s AND position = 1", (role,))
        assert duty in text
        assert sql.one("SELECT count(*) FROM ej.acknowledgment") == 0
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, AcknowledgmentScreen)
    rows = sql.run("SELECT s.login, a.role, a.acknowledged_at IS NOT NULL AS at FROM ej.acknowledgment a "
                   "JOIN ej.staff s ON s.id = a.staff_id")
    assert rows == [{"login": login, "role": role, "at": True}]

    # the next login goes straight to work
    app = app_as(login_conninfo, login)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, AcknowledgmentScreen)


async def test_quitting_without_confirmation_stores_nothing(login_conninfo, sql):
    app = app_as(login_conninfo, "o1_methodist")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, AcknowledgmentScreen, loaded=False)
        await pilot.press("ctrl+q")
    assert sql.one("SELECT count(*) FROM ej.acknowledgment") == 0


async def test_the_methodist_sees_who_confirmed(login_conninfo, sql):
    acknowledge(sql, "o1_methodist")
    acknowledge(sql, "o1_teacher01")
    app = app_as(login_conninfo, "o1_methodist")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, MethodistHomeScreen)
        await pilot.press("к")
        screen = await until(pilot, StaffScreen)
        staff = {s.login: s for s in screen.data}
        assert staff["o1_teacher01"].unacknowledged == [] and "teacher" in staff["o1_teacher01"].acknowledged
        assert staff["o1_teacher02"].unacknowledged == ["teacher"]
        await cursor_to(pilot, screen.table, staff["o1_teacher01"].id)
        info = str(screen.query_one("#list-info").render())
        assert "педагог: " in info and "нет" not in info.split("Ознакомление")[1]


def test_another_person_cannot_confirm_for_someone(sql):
    """The database takes who confirms from the session (0011): the refusal side of this duty."""
    with sql.as_user("o1_teacher01"):
        err = sql.refuses("INSERT INTO ej.acknowledgment (role) VALUES ('methodist')")
    assert "нет этой роли" in err.diag.message_primary
