"""SVG snapshots of the teacher's home and journal at 80×24 and 120×40.

They use the fixed organization of test_tui_fixtures (dates of 2025, the app's "today"
frozen at 23.10.2025), so the pictures do not change with the calendar. Update them with
`pytest tests/test_tui_snapshots.py --snapshot-update` and look at the result.
"""

from pathlib import Path

import pytest
import pytest_textual_snapshot
from staff_tui import cursor_in_view, painted, wait_for, workers_done
from test_tui_fixtures import FIXED_TODAY, fixed  # noqa: F401  (fixture)

from ejournal_tui.tui.app import EJournalApp

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def _snapshots_in_tests_snapshots(monkeypatch):
    here = str(Path(__file__).parent / "snapshots")
    monkeypatch.setattr(
        pytest_textual_snapshot.SVGImageExtension, "dirname", classmethod(lambda cls, *, test_location: here)
    )


async def _loaded(pilot, screen_type=None) -> None:
    """Until the screen shows its data (a loaded screen has `data`), its workers are done, a
    journal's grid has scrolled to the cursor, and the picture no longer changes."""
    from ejournal_tui.tui.screens.teacher.home import HomeScreen
    from ejournal_tui.tui.screens.teacher.journal import JournalScreen

    screen_type = screen_type or HomeScreen

    def loaded() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, screen_type) and screen.data is not None

    await wait_for(pilot, loaded, f"{screen_type.__name__} with its data")
    await workers_done(pilot)
    if screen_type is JournalScreen:
        grid = pilot.app.screen.grid
        await wait_for(pilot, lambda: cursor_in_view(grid) and grid.scroll_x == grid.cursor_scroll_x(),
                       "the grid scrolled to the cursor")
    await painted(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare, fixed, size):  # noqa: F811
    assert snap_compare(EJournalApp(fixed, today=FIXED_TODAY), terminal_size=size, run_before=_loaded)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_journal(snap_compare, fixed, size):  # noqa: F811
    async def open_journal(pilot):
        await _loaded(pilot)
        from ejournal_tui.tui.screens.teacher.journal import JournalScreen

        groups = pilot.app.screen.query_one("#groups")
        groups.focus()
        await wait_for(pilot, lambda: groups.has_focus, "the groups table to take the focus")
        await pilot.press("enter")
        await _loaded(pilot, JournalScreen)

    assert snap_compare(EJournalApp(fixed, today=FIXED_TODAY), terminal_size=size, run_before=open_journal)
