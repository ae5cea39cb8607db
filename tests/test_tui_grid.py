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
        grid.build(STUDENTS, LESSONS, lambda s, lesson: cell(s, lesson, None, False, START), Totals(), START)
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


def _cells(strip) -> list[tuple[str, object]]:
    return [(char, segment.style) for segment in strip for char in segment.text]


async def test_a_row_renders_the_columns_in_view_as_data_table_renders_them_all(monkeypatch):
    """The grid renders a row's cells in view only; every line, at every sideways scroll, is
    the same picture (characters and styles) as DataTable's rendering of the whole row."""
    from textual.widgets import DataTable

    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.query_one(JournalGrid)
        await painted(pilot)
        for column in (3, 20, 45, 81):
            grid.move_cursor(row=4, column=column)
            await wait_for(pilot, lambda: cursor_in_view(grid), "the grid scrolled to the cursor")
            await painted(pilot)
            style, x1 = grid.rich_style, int(grid.scroll_x)
            ours = [grid._render_line(y, x1, x1 + grid.size.width, style) for y in range(grid.size.height)]
            grid._clear_caches()
            with monkeypatch.context() as m:
                m.setattr(JournalGrid, "_columns_in_view", lambda self, x1, x2: (0, len(self.ordered_columns)))
                m.setattr(JournalGrid, "_render_line_in_row", DataTable._render_line_in_row)
                theirs = [grid._render_line(y, x1, x1 + grid.size.width, style) for y in range(grid.size.height)]
            grid._clear_caches()
            assert [_cells(s) for s in ours] == [_cells(s) for s in theirs], column


async def test_a_put_renders_one_line_of_a_few_cells(monkeypatch):
    """A changed cell repaints its own line only (not the whole widget's ~20 lines), and that
    line renders the cells in view, not the row's 82."""
    from textual.widgets import DataTable

    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.query_one(JournalGrid)
        await painted(pilot)
        before = lines(grid)
        painted_lines, cells = [], 0
        render_line, render_cell = DataTable.render_line, DataTable._render_cell

        def spy_line(self, y):
            painted_lines.append(y)
            return render_line(self, y)

        def spy_cell(self, *args, **kwargs):
            nonlocal cells
            cells += 1
            return render_cell(self, *args, **kwargs)

        monkeypatch.setattr(DataTable, "render_line", spy_line)
        monkeypatch.setattr(DataTable, "_render_cell", spy_cell)
        grid.put([("3", day_key(LESSONS[1].held_on), Text("н"))])
        await wait_for(pilot, lambda: painted_lines, "the grid repainted")
        await pilot.pause()
        assert len(painted_lines) == 1, painted_lines
        assert cells <= 2 + 16  # the fixed columns and a block of 8–16 in view, not 82
        monkeypatch.undo()
        assert sum(a != b for a, b in zip(before, lines(grid), strict=True)) == 1


async def test_a_put_when_scrolled_down_repaints_the_fixed_totals_and_the_row_in_view():
    app = GridApp()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.query_one(JournalGrid)
        grid.move_cursor(row=28, column=3)
        await wait_for(pilot, lambda: grid.scroll_y > 0, "the grid scrolled down")
        await painted(pilot)
        before = lines(grid)
        day = day_key(LESSONS[1].held_on)
        grid.put([("total", day, Text("7/9")), ("25", day, Text("н")), ("2", day, Text("н"))])
        await wait_for(pilot, lambda: lines(grid) != before, "the changed cells repainted")
        await painted(pilot)
        after = lines(grid)
        changed = [after[y] for y in range(len(before)) if before[y] != after[y]]
        assert len(changed) == 2, changed
        assert "7/9" in changed[0] and "Ученик25" in changed[1] and "н" in changed[1][19:]  # past the name
        grid.move_cursor(row=1)
        await wait_for(pilot, lambda: grid.scroll_y == 0, "the grid scrolled up")
        await painted(pilot)
        row2 = next(line for line in lines(grid) if "Ученик02" in line)
        assert "н" in row2[19:]  # a row out of view gets the change when it comes into view
