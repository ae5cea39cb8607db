"""Issue 14 with Textual's Pilot at 80×24: Russian in Textual's own widgets, Ctrl+A, the
methodist's footer and Monday week, the КТП import's focus, the focus on a bad field, the
length limit told, the teacher's groups with their iteration in view."""

import contextlib
from datetime import timedelta

from fixed_today import TODAY
from staff_tui import acknowledge, app_as, fill, notes, settle, until
from test_tui_fixtures import FIXED_TODAY, fixed  # noqa: F401  (fixture)
from textual.command import CommandInput
from textual.widgets import DataTable, Input
from textual.widgets._footer import FooterKey
from textual.widgets._select import SelectOverlay

from ejournal_tui.tui.app import EJournalApp
from ejournal_tui.tui.screens.dialogs.form import FormScreen
from ejournal_tui.tui.screens.methodist.home import MethodistHomeScreen
from ejournal_tui.tui.screens.teacher.home import HomeScreen

METHODIST = "o1_methodist"
SIZE = (80, 24)


async def test_palette_themes_and_drop_down_keys_are_russian(login_conninfo, sql):
    acknowledge(sql, METHODIST)
    async with app_as(login_conninfo, METHODIST).run_test(size=SIZE) as pilot:
        await until(pilot, MethodistHomeScreen)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert pilot.app.screen.query_one(CommandInput).placeholder == "Найти команду…"
        await pilot.press("escape")
        pilot.app.action_change_theme()
        await settle(pilot)
        assert pilot.app.screen.query_one(CommandInput).placeholder == "Найти оформление…"
        escape = SelectOverlay._merged_bindings.key_to_bindings["escape"][0]
        assert escape.description == "закрыть список"


async def test_methodist_footer_shows_print_and_monday_shows_last_week(login_conninfo, sql):
    acknowledge(sql, METHODIST)
    monday = TODAY - timedelta(days=TODAY.weekday())
    async with app_as(login_conninfo, METHODIST, today=monday).run_test(size=SIZE) as pilot:
        screen = await until(pilot, MethodistHomeScreen)
        assert screen.data.week_of == monday - timedelta(days=7)
        keys = {k.description: k for k in screen.query(FooterKey)}
        assert "печать" in keys
        assert keys["печать"].region.right <= SIZE[0] and keys["печать"].region.width > 0


@contextlib.asynccontextmanager
async def new_student_form(login_conninfo, sql):
    """The methodist's form of a new student, open on the methodist's home."""
    from ejournal_tui.tui.screens.methodist.student_form import student_form

    acknowledge(sql, METHODIST)
    async with app_as(login_conninfo, METHODIST).run_test(size=SIZE) as pilot:
        await until(pilot, MethodistHomeScreen)
        pilot.app.push_screen(student_form(None, None))
        await until(pilot, FormScreen, loaded=False)
        yield pilot


async def test_ctrl_a_selects_all_and_a_long_text_is_refused_with_a_word(login_conninfo, sql):
    async with new_student_form(login_conninfo, sql) as pilot:
        field = pilot.app.screen.query_one("#f-last_name", Input)
        field.focus()
        field.value = "Я" * 80
        await pilot.press("ctrl+a")
        assert field.selected_text == field.value
        await pilot.press("end", "ю")
        assert len(field.value) == 80
        assert any("не больше 80 символов" in n for n in notes(pilot.app))


async def test_focus_goes_to_the_bad_field(login_conninfo, sql):
    async with new_student_form(login_conninfo, sql) as pilot:
        tomorrow = (TODAY + timedelta(days=1)).strftime("%d.%m.%Y")
        await fill(pilot, {"last_name": "Будущева", "first_name": "Ада", "birth_date": tomorrow, "sex": "ж",
                           "phone": ""})
        await settle(pilot)
        assert pilot.app.focused.id == "f-birth_date", notes(pilot.app)
        assert any("Дата рождения" in n for n in notes(pilot.app)), notes(pilot.app)


async def test_ktp_import_opens_on_the_file_path(login_conninfo, sql):
    acknowledge(sql, METHODIST)
    program = sql.run("SELECT p.id, p.name FROM ej.program p JOIN ej.staff s ON s.organization_id = p.organization_id "
                      "WHERE s.login = %s ORDER BY p.id LIMIT 1", (METHODIST,))[0]
    async with app_as(login_conninfo, METHODIST).run_test(size=SIZE) as pilot:
        await until(pilot, MethodistHomeScreen)
        from ejournal_tui.tui.screens.methodist.ktp_import import KtpImportScreen

        pilot.app.push_screen(KtpImportScreen(program["id"], program["name"]))
        await settle(pilot)
        assert pilot.app.focused.id == "ktp-file"


async def test_teacher_groups_show_the_iteration_at_80_columns(fixed):  # noqa: F811
    async with EJournalApp(fixed, today=FIXED_TODAY).run_test(size=SIZE) as pilot:
        screen = await until(pilot, HomeScreen)
        table = screen.query_one("#groups", DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[:2] == ["Группа", "Итерация"]
        left = sum(c.get_render_width(table) for c in list(table.columns.values())[:2])
        assert left < SIZE[0]
