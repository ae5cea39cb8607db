"""The journal grid widget alone (no database): a changed cell is repainted, and only its row."""

from datetime import date, timedelta

from rich.text import Text
from staff_tui import cursor_in_view, painted, wait_for
from textual.app import App

from ejournal_tui.journal_models import Lesson, Period, Student
from ejournal_tui.tui.widgets.journal_grid import JournalGrid, cell, day_key

START = date(2025, 9, 1)
STUDENTS = [
    Student(
        id=i,
        last_name=f"Ученик{i:02d}",
        first_name="Имя",
        middle_name=None,
        periods=[Period(enrolled_on=START, left_on=START + timedelta(days=30) if i == 5 else None)],
    )
    for i in range(1, 31)
]
LESSONS = [Lesson(held_on=START + timedelta(days=2 * k), id=k + 1, hours=2) for k in range(80)]


class Totals:
    def row(self, student):
        return Text("")

    def column(self, lesson):
        return Text("")


class GridApp(App):
    def compose(self):
        yield JournalGrid()

    def on_mount(self):
        grid = self.query_one(JournalGrid)
        grid.build(STUDENTS, LESSONS, lambda s, lesson: cell(s, lesson, None, None, START), Totals(), START)
        grid.focus()


def lines(grid: JournalGrid) -> list[str]:
    return [grid.render_line(y).text for y in range(grid.size.height)]


async def test_put_repaints_the_cell_and_nothing_else():
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.query_one(JournalGrid)
        await painted(pilot)
        before = lines(grid)
        grid.put([("3", day_key(LESSONS[1].held_on), Text("н"))])
        await wait_for(pilot, lambda: lines(grid) != before, "the changed cell repainted")
        after = lines(grid)
        changed = [y for y in range(len(before)) if before[y] != after[y]]
        assert len(changed) == 1
        assert "Ученик03" in after[changed[0]] and "н" in after[changed[0]]


async def test_outside_enrollment_shows_a_dash_and_moving_keeps_other_rows():
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.query_one(JournalGrid)
        await painted(pilot)
        row5 = next(line for line in lines(grid) if "Ученик05" in line)
        assert "—" not in row5  # enrolled on the first dates on screen
        grid.move_cursor(row=5, column=2 + 20)  # far right: 05 left after 30 days
        await wait_for(pilot, lambda: grid.scroll_x > 0 and cursor_in_view(grid), "the grid scrolled to the cursor")
        await painted(pilot)
        row5 = next(line for line in lines(grid) if "Ученик05" in line)
        assert "—" in row5


async def test_scrolling_sideways_renders_only_the_cells_that_changed(monkeypatch):
    """DataTable keys its row cache by the cursor position: every row, with all its 80 cells,
    was rendered anew on each step. The grid keeps rows the cursor is not on cached."""
    from textual.widgets import DataTable

    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.query_one(JournalGrid)
        grid.move_cursor(row=5, column=10)
        await painted(pilot)
        calls = 0
        render_cell = DataTable._render_cell

        def counting(self, *args, **kwargs):
            nonlocal calls
            calls += 1
            return render_cell(self, *args, **kwargs)

        monkeypatch.setattr(DataTable, "_render_cell", counting)
        for _ in range(5):
            await pilot.press("right")  # each step scrolls the view
        await wait_for(pilot, lambda: grid.scroll_x > 0 and cursor_in_view(grid), "the grid scrolled to the cursor")
        await pilot.pause()
        assert calls < 2000  # the plain DataTable renders ~10 000 cells here
