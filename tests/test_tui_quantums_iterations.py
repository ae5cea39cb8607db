"""Issue 14: the methodist edits the quantums and makes an iteration by hand (and cancels one that
has not started), with Textual's Pilot at 80×24 on a clone of the demo database. The database
enforces (only the methodist of the organization writes; names unique; iterations never overlap;
a status only through its functions); the dialogs explain refusals in Russian."""

from datetime import timedelta

from staff_tui import acknowledge, app_as, cursor_to, fill, form_by, notes, settle, until, wait_for
from textual.widgets import Static

from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen
from ejournal_tui.tui.screens.dialogs.form import FormScreen
from ejournal_tui.tui.screens.methodist.home import MethodistHomeScreen

METHODIST = "o1_methodist"
SIZE = (80, 24)


def org(sql, login: str = METHODIST) -> int:
    return sql.one("SELECT organization_id FROM ej.staff WHERE login = %s", (login,))


def form_error(app) -> str:
    return str(app.screen.query_one("#form-error", Static).render())


async def test_methodist_adds_and_renames_a_quantum(login_conninfo, sql):
    from ejournal_tui.tui.screens.methodist.programs import ProgramsScreen
    from ejournal_tui.tui.screens.methodist.quantums import QuantumsScreen

    acknowledge(sql, METHODIST)
    taken = sql.one("SELECT name FROM ej.quantum WHERE organization_id = %s ORDER BY id LIMIT 1", (org(sql),))
    app = app_as(login_conninfo, METHODIST)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, MethodistHomeScreen)
        await pilot.press("р")
        await until(pilot, ProgramsScreen)
        await pilot.press("в")
        screen = await until(pilot, QuantumsScreen)
        assert len(screen.data) == sql.one("SELECT count(*) FROM ej.quantum WHERE organization_id = %s", (org(sql),))
        await form_by(pilot, "д")
        await fill(pilot, {"name": taken})
        assert isinstance(app.screen, FormScreen)  # refused by the database's unique name
        assert "Квантум с таким названием уже есть" in form_error(app)
        assert app.focused.id == "f-name"
        await fill(pilot, {"name": "  Космоквантум  "})
        await until(pilot, QuantumsScreen)
        new = sql.one("SELECT id FROM ej.quantum WHERE name = 'Космоквантум' AND organization_id = %s", (org(sql),))
        assert new is not None
        await cursor_to(pilot, screen.table, new)
        await form_by(pilot, "enter")
        await fill(pilot, {"name": ""})
        assert "Заполните поле «Название квантума»" in form_error(app)
        await fill(pilot, {"name": "Космоквантум (спутники)"})
        await until(pilot, QuantumsScreen)
        assert "Космоквантум (спутники)" in [q.name for q in screen.data]
    assert sql.one("SELECT name FROM ej.quantum WHERE id = %s", (new,)) == "Космоквантум (спутники)"
    assert sql.one("SELECT count(*) FROM audit.log WHERE table_name = 'quantum' AND row_key->>'id' = %s",
                   (str(new),)) == 2


def test_only_the_methodist_of_the_organization_writes_quantums(sql):
    ours = sql.one("SELECT id FROM ej.quantum WHERE organization_id = %s ORDER BY id LIMIT 1", (org(sql),))
    for login in ("o1_deputy", "o1_director", "o1_teacher01", "o1_admin"):
        with sql.as_user(login):
            sql.refuses("INSERT INTO ej.quantum (name) VALUES ('Чужой квантум')")
            sql.refuses("UPDATE ej.quantum SET name = 'Переименован' WHERE id = %s", (ours,))
    with sql.as_user("o2_methodist"):  # another organization's methodist does not see ours
        assert sql.run("UPDATE ej.quantum SET name = 'Переименован' WHERE id = %s RETURNING id", (ours,)) == []
    assert sql.one("SELECT name FROM ej.quantum WHERE id = %s", (ours,)) != "Переименован"


async def test_methodist_makes_an_iteration_by_hand_and_cancels_it(login_conninfo, sql):
    from ejournal_tui.tui.screens.methodist.iterations import IterationsScreen

    acknowledge(sql, METHODIST)
    last = sql.run("SELECT id, name, starts_on, ends_on, status FROM ej.iteration WHERE organization_id = %s "
                   "ORDER BY ends_on DESC LIMIT 1", (org(sql),))[0]
    app = app_as(login_conninfo, METHODIST)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, MethodistHomeScreen)
        await pilot.press("и")
        screen = await until(pilot, IterationsScreen)
        await form_by(pilot, "д")
        form = app.screen
        assert isinstance(form, FormScreen)
        suggested = form.values()
        assert suggested["name"] and suggested["starts_on"] and suggested["ends_on"]  # after the last one
        overlapping = (last["ends_on"] - timedelta(days=3)).strftime("%d.%m.%Y")
        await fill(pilot, {"name": "Летняя школа", "starts_on": overlapping,
                           "ends_on": (last["ends_on"] + timedelta(days=40)).strftime("%d.%m.%Y")})
        assert isinstance(app.screen, FormScreen)
        assert "пересекаются с другой итерацией" in form_error(app)
        await fill(pilot, {"ends_on": overlapping})
        assert "заканчиваться позже" in form_error(app)
        assert app.focused.id == "f-ends_on"
        starts = last["ends_on"] + timedelta(days=10)
        await fill(pilot, {"starts_on": starts.strftime("%d.%m.%Y"),
                           "ends_on": (starts + timedelta(days=30)).strftime("%d.%m.%Y")})
        await until(pilot, IterationsScreen)
        made = sql.run("SELECT id, status, starts_on FROM ej.iteration WHERE name = 'Летняя школа'")
        assert len(made) == 1 and made[0]["status"] == "planned" and made[0]["starts_on"] == starts

        await wait_for(pilot, lambda: str(made[0]["id"]) in [str(k.value) for k in screen.table.rows], "the new row")
        if last["status"] != "planned":
            await cursor_to(pilot, screen.table, last["id"])
            await pilot.press("о")
            await settle(pilot)
            assert app.screen is screen  # no question: the database would refuse it anyway
            assert any("отменить можно только ту, что ещё не началась" in n for n in notes(app))
        await cursor_to(pilot, screen.table, made[0]["id"])
        await pilot.press("о")
        question = await until(pilot, ConfirmScreen, loaded=False)
        assert "Летняя школа" in question.question
        await pilot.press("enter")  # Enter answers «Оставить»: nothing is cancelled by a slip
        await until(pilot, IterationsScreen)
        assert sql.one("SELECT count(*) FROM ej.iteration WHERE id = %s", (made[0]["id"],)) == 1
        await pilot.press("о")
        await until(pilot, ConfirmScreen, loaded=False)
        await pilot.click("#yes")
        await until(pilot, IterationsScreen)
        await wait_for(pilot, lambda: any("отменена" in n for n in notes(app)), "the cancellation's notice")
    assert sql.one("SELECT count(*) FROM ej.iteration WHERE id = %s", (made[0]["id"],)) == 0


def test_iteration_rules_hold_for_a_hand_made_iteration(sql):
    from ejournal_tui.db import iterations
    from ejournal_tui.db.iterations import IterationInput

    last = sql.run("SELECT starts_on, ends_on FROM ej.iteration WHERE organization_id = %s "
                   "ORDER BY ends_on DESC LIMIT 1", (org(sql),))[0]
    active = sql.one("SELECT id FROM ej.iteration WHERE organization_id = %s AND status = 'active'", (org(sql),))
    with sql.as_user(METHODIST):
        # a new iteration is «планируется»; its status moves only through the functions
        err = sql.refuses("INSERT INTO ej.iteration (name, starts_on, ends_on, status) "
                          "VALUES ('Сразу идёт', %s, %s, 'active')",
                          (last["ends_on"] + timedelta(days=5), last["ends_on"] + timedelta(days=50)))
        assert "Статус итерации меняется только" in str(err)
        with sql.conn.transaction():
            dates = {"starts_on": last["ends_on"] + timedelta(days=5), "ends_on": last["ends_on"] + timedelta(days=50)}
            new = iterations.save_iteration(sql.conn, None, IterationInput(name="Особая", **dates))
            err = sql.refuses("SELECT ej.cancel_iteration(%s)", (active,))
            assert "ещё не началась" in str(err)
            assert iterations.cancel(sql.conn, new) == 0
    for login in ("o1_deputy", "o1_director", "o1_teacher01"):
        with sql.as_user(login):
            sql.refuses("INSERT INTO ej.iteration (name, starts_on, ends_on) VALUES ('Чужая', %s, %s)",
                        (last["ends_on"] + timedelta(days=5), last["ends_on"] + timedelta(days=50)))
