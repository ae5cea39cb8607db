"""Issue 14, rough edges left after the first pass, with Textual's Pilot at 80×24: drop-down lists
inside their dialog, a long name in the students list, the history's reason readable, the КТП's
topic column after an import, the iteration beside a group's name, the remark's answer shown,
the decimal comma."""

from staff_tui import acknowledge, app_as, settle, until, wait_for
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from ejournal_tui.db import lists
from ejournal_tui.tui import select_fit
from ejournal_tui.tui.screens.form import FormScreen
from ejournal_tui.tui.screens.methodist_home import MethodistHomeScreen

METHODIST = "o1_methodist"
SIZE = (80, 24)


async def open_drop_down(pilot, select: Select) -> SelectOverlay:
    select.focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: select.expanded, "the list open")
    await settle(pilot)
    return select.query_one(SelectOverlay)


async def test_drop_downs_stay_inside_the_dialog_at_24_rows(login_conninfo, sql):
    from ejournal_tui.tui.screens.methodist_student_form import leave_form, student_form

    acknowledge(sql, METHODIST)
    async with app_as(login_conninfo, METHODIST).run_test(size=SIZE) as pilot:
        await until(pilot, MethodistHomeScreen)
        pilot.app.push_screen(student_form(None, None))
        screen = await until(pilot, FormScreen, loaded=False)
        dialog = screen.query_one(".form")
        for name in ("sex", "medical_clearance"):  # one high in the dialog, one at its bottom
            select = screen.query_one(f"#f-{name}", Select)
            select.scroll_visible(animate=False)
            await settle(pilot)
            overlay = await open_drop_down(pilot, select)
            assert overlay.region.height >= min(len(select._options), 3)  # every option, or a few
            assert dialog.content_region.contains_region(overlay.region), (name, overlay.region, dialog.region)
            assert select_fit.box(select) == dialog.content_region
            assert not overlay.region.overlaps(select.region)  # the field stays readable
            await pilot.press("escape")
            await wait_for(pilot, lambda s=select: not s.expanded, "the list closed")
        await pilot.press("escape")
        # a long list at the dialog's bottom opens upwards, inside the dialog, with many lines
        groups = [lists.Choice(id=n, name=f"Группа {n} · Итерация 2") for n in range(1, 30)]
        pilot.app.push_screen(leave_form("Обучающийся", [], groups, pilot.app.today))
        screen = await until(pilot, FormScreen, loaded=False)
        dialog = screen.query_one(".form")
        select = screen.query_one("#f-to_group_id", Select)
        overlay = await open_drop_down(pilot, select)
        assert dialog.content_region.contains_region(overlay.region), (overlay.region, dialog.content_region)
        assert overlay.region.height >= 8 and overlay.region.bottom <= select.region.y


async def test_ktp_topic_column_is_wide_right_after_an_import(login_conninfo, sql):
    from textual.widgets import DataTable, TextArea

    from ejournal_tui.tui.screens.confirm import ConfirmScreen
    from ejournal_tui.tui.screens.methodist_ktp import KtpScreen
    from ejournal_tui.tui.screens.methodist_ktp_import import KtpImportScreen

    acknowledge(sql, METHODIST)
    program = sql.run("SELECT p.id, p.name FROM ej.program p JOIN ej.staff s ON s.organization_id = p.organization_id "
                      "WHERE s.login = %s AND NOT EXISTS (SELECT 1 FROM ej.study_group g WHERE g.program_id = p.id) "
                      "ORDER BY p.id LIMIT 1", (METHODIST,))
    if not program:
        program = [sql.run("INSERT INTO ej.program (organization_id, quantum_id, name, total_hours) "
                           "SELECT organization_id, id, 'Пустая программа', 6 FROM ej.quantum WHERE organization_id = "
                           "(SELECT organization_id FROM ej.staff WHERE login = %s) ORDER BY id LIMIT 1 "
                           "RETURNING id, name", (METHODIST,))[0]]
    program = program[0]
    titles = ["Вводное занятие и техника безопасности в лаборатории", "Основы алгоритмизации", "Проект"]
    async with app_as(login_conninfo, METHODIST).run_test(size=SIZE) as pilot:
        await until(pilot, MethodistHomeScreen)
        pilot.app.push_screen(KtpScreen(program["id"], program["name"]))
        screen = await until(pilot, KtpScreen)
        await pilot.press("и")
        imp = await until(pilot, KtpImportScreen, loaded=False)
        imp.query_one("#ktp-text", TextArea).load_text("\n".join(f"{t}; 2" for t in titles))
        await wait_for(pilot, lambda: imp.checked is not None, "the lines checked")
        await pilot.press("ctrl+s")
        await until(pilot, ConfirmScreen, loaded=False)
        await pilot.press("enter")
        await until(pilot, KtpScreen)
        await wait_for(pilot, lambda: screen.data and len(screen.data) == 3, "the new КТП")
        await settle(pilot)
        table = screen.query_one(DataTable)
        topic = list(table.columns.values())[1]
        assert str(topic.label) == "Тема"
        assert topic.get_render_width(table) >= len(titles[0]) + 2
