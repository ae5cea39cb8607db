"""SVG snapshots of the teacher's home and journal at 80×24 and 120×40.

They use the fixed organization of test_tui_fixtures (dates of 2025, the app's "today"
frozen at 23.10.2025), so the pictures do not change with the calendar. Update them with
`pytest tests/test_tui_snapshots.py --snapshot-update` and look at the result.
"""

from pathlib import Path

import pytest
import pytest_textual_snapshot
from staff_tui import workers_done
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
    """Until the screen shows its data (a loaded screen has `data`), then one more repaint."""
    from ejournal_tui.tui.screens.home import HomeScreen

    screen_type = screen_type or HomeScreen
    for _ in range(200):
        await pilot.pause(0.02)
        screen = pilot.app.screen
        if isinstance(screen, screen_type) and screen.data is not None:
            break
    await workers_done(pilot)
    await pilot.pause(0.3)  # layout and focus settle (scrollbars appear once the tables are filled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare, fixed, size):  # noqa: F811
    assert snap_compare(EJournalApp(fixed, today=FIXED_TODAY), terminal_size=size, run_before=_loaded)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_journal(snap_compare, fixed, size):  # noqa: F811
    async def open_journal(pilot):
        await _loaded(pilot)
        from ejournal_tui.tui.screens.journal import JournalScreen

        pilot.app.screen.query_one("#groups").focus()
        await pilot.press("enter")
        await _loaded(pilot, JournalScreen)

    assert snap_compare(EJournalApp(fixed, today=FIXED_TODAY), terminal_size=size, run_before=open_journal)
