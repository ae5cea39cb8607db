"""The administrator's duty (issue 4, item 11) with Textual's Pilot as o1_admin: accounts issued,
locked, unlocked, a one-time LAN password shown once; migration status; no children's data.
Also the person the account was issued to: two roles, both acknowledged at once, F2 between them.
Roles are server-wide, so every login made or changed here is put back in the end."""

import uuid

import pytest
from staff_tui import acknowledge, app_as, cursor_to, fill, form_by, open_by, settle, until

from ejournal_tui.db import migrations
from ejournal_tui.tui.screens.admin.home import AdminHomeScreen
from ejournal_tui.tui.screens.admin.migrations import MigrationsScreen
from ejournal_tui.tui.screens.admin.password import PasswordScreen
from ejournal_tui.tui.screens.common.acknowledgment import AcknowledgmentScreen
from ejournal_tui.tui.screens.common.role import RoleScreen
from ejournal_tui.tui.screens.deputy.home import DeputyHomeScreen
from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen
from ejournal_tui.tui.screens.methodist.home import MethodistHomeScreen

ADMIN = "o1_admin"


@pytest.fixture
def new_login(sql):
    login = f"h6_{uuid.uuid4().hex[:8]}"
    yield login
    sql.run(f"DROP ROLE IF EXISTS {login}")
    sql.run("ALTER ROLE o1_teacher02 LOGIN PASSWORD NULL VALID UNTIL 'infinity'")


async def test_accounts_issued_locked_unlocked_and_a_password_shown_once(login_conninfo, sql, new_login):
    acknowledge(sql, ADMIN)
    app = app_as(login_conninfo, ADMIN)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until(pilot, AdminHomeScreen)
        assert "база данных в порядке" in str(screen.query_one("#list-title").render())
        await form_by(pilot, "н")
        await fill(pilot, {"login": "Новый Логин", "full_name": "Двуролева Анна Петровна", "role1": "methodist",
                           "role2": "deputy"})
        assert "Логин: латинские" in str(app.screen.query_one("#form-error").render())
        await fill(pilot, {"login": new_login})
        await until(pilot, AdminHomeScreen)
        # a login that reads children's data waits for the director (issue 10, finding 4)
        assert sql.run("SELECT * FROM ej.user_account WHERE login = %s", (new_login,)) == []
        assert sql.run("SELECT full_name, roles FROM ej.pending_account_request WHERE login = %s", (new_login,)) == [
            {"full_name": "Двуролева Анна Петровна", "roles": ["deputy", "methodist"]}]
        await settle(pilot)
        assert "ждёт подтверждения" in str(screen.table.get_row(new_login)[3])

        await cursor_to(pilot, screen.table, "o1_teacher02")
        for _ in ("lock", "unlock"):
            await pilot.press("б")
            await until(pilot, ConfirmScreen, loaded=False)
            await pilot.press("enter")
            await until(pilot, AdminHomeScreen)
            state = sql.run("SELECT s.is_locked, r.rolcanlogin FROM ej.staff s JOIN pg_roles r ON r.rolname = s.login "
                            "WHERE s.login = 'o1_teacher02'")[0]
            assert state == {"is_locked": True, "rolcanlogin": False}  # unlocking waits for the director
        assert sql.one("SELECT kind FROM ej.pending_account_request WHERE login = 'o1_teacher02'") == "unlock"
        sql.run("SELECT ej.decide_account_request(id, true) FROM ej.pending_account_request "
                "WHERE login = 'o1_teacher02'")  # as the superuser here; the director's screen is tested apart
        await pilot.press("f5")
        await settle(pilot)

        await pilot.press("п")
        await until(pilot, ConfirmScreen, loaded=False)
        shown = await open_by(pilot, PasswordScreen, "enter")
        text = str(shown.query_one("#password-text").render())
        password = text.split()[0]
        assert len(password) == 14 and "после подтверждения запроса" in text
        await pilot.press("escape", "м")
        states = await until(pilot, MigrationsScreen)
        assert [m.name for m in states.data] == [m.name for m in migrations.discover()]
        assert {m.state for m in states.data} == {"applied"}
    assert sql.one("SELECT rolpassword FROM pg_authid WHERE rolname = 'o1_teacher02'") is None  # not yet
    sql.run("SELECT ej.decide_account_request(id, true) FROM ej.pending_account_request WHERE login = 'o1_teacher02'")
    verifier = sql.one("SELECT rolpassword FROM pg_authid WHERE rolname = 'o1_teacher02'")
    assert verifier.startswith("SCRAM-SHA-256$") and password not in verifier


async def test_a_person_with_two_roles_confirms_both_and_switches_with_f2(login_conninfo, sql, new_login):
    org = sql.one("SELECT organization_id FROM ej.staff WHERE login = %s", (ADMIN,))
    sql.run("SELECT ej.add_user(%s, ARRAY['methodist', 'deputy'], 'Двуролева Анна Петровна', %s)", (new_login, org))
    app = app_as(login_conninfo, new_login)
    async with app.run_test(size=(80, 24)) as pilot:
        ack = await until(pilot, AcknowledgmentScreen, loaded=False)
        assert list(ack.duties) == ["methodist", "deputy"]
        await pilot.press("enter")
        await until(pilot, RoleScreen, loaded=False)
        await pilot.press("down", "enter")
        await until(pilot, DeputyHomeScreen)
        assert app.sub_title.endswith("заместитель директора")
        await pilot.press("f2")
        await until(pilot, RoleScreen, loaded=False)
        await pilot.press("up", "enter")
        await until(pilot, MethodistHomeScreen)
    assert sorted(r["role"] for r in sql.run("SELECT a.role FROM ej.acknowledgment a JOIN ej.staff s "
                                             "ON s.id = a.staff_id WHERE s.login = %s", (new_login,))) == [
        "deputy", "methodist"]
