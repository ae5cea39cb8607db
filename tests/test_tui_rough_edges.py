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
