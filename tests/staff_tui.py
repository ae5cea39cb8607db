"""Helpers of the Pilot tests of the administration's screens (methodist, deputy director,
director, administrator): start the app as a demo login on the test's database clone, wait for
its workers, fill a form, read the notifications."""

import time
from collections.abc import Callable

from textual.widgets import DataTable, Input, Select
from textual.worker import WorkerCancelled, WorkerState

from ejournal_tui.tui.app import EJournalApp


def acknowledge(sql, login: str) -> None:
    """The login has already confirmed the regulation's duties of its roles (made as the superuser)."""
    sql.run(
        """INSERT INTO ej.acknowledgment (organization_id, staff_id, role)
           SELECT s.organization_id, s.id, substr(g.rolname, 4) FROM ej.staff s, pg_roles g
            WHERE s.login = %s AND g.rolname LIKE 'ej\\_%%' AND g.rolname <> 'ej_owner'
              AND pg_has_role(s.login, g.oid, 'MEMBER')
           ON CONFLICT DO NOTHING""",
        (login,),
    )


def app_as(login_conninfo, login: str, **kwargs) -> EJournalApp:
    return EJournalApp(login_conninfo(login), **kwargs)


async def workers_done(pilot) -> None:
    """Wait for the app's workers. A worker of a screen that closed itself (a dialog that
    saved and dismissed) is cancelled by Textual after its work is done: not a failure."""
    try:
        await pilot.app.workers.wait_for_complete()
    except WorkerCancelled:
        await pilot.pause()


async def wait_for(pilot, condition: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    """Wait for a state of the app, not for a time: check the condition after each round of the
    event loop. The timeout only bounds a failure; on a busy machine it is never what passes a test."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}; the app shows {type(pilot.app.screen).__name__}")
        await pilot.pause(0.01)


def tables_measured(screen) -> bool:
    """No table of the screen still owes its new rows' column widths: DataTable measures them when
    its message queue is idle (private state, pinned in test_textual_private.py), and until then it
    paints the columns as wide as their headers — the same picture twice on a busy machine."""
    return not any(t._require_update_dimensions or t._updated_cells for t in screen.query(DataTable))


async def painted(pilot, timeout: float = 60.0) -> None:
    """Until the screen stops changing: two pictures of it, a round of the event loop apart, are
    the same (layout, scrollbars and the cursor's scroll have all settled), and every table has
    measured its rows."""
    last = None

    def same() -> bool:
        nonlocal last
        picture = pilot.app.export_screenshot()
        stable, last = picture == last, picture
        return stable and tables_measured(pilot.app.screen)

    await wait_for(pilot, same, "the screen to stop changing", timeout)


def cursor_in_view(table: DataTable) -> bool:
    """The table's cell cursor lies inside the visible part of the table (it has scrolled to it)."""
    columns = table.ordered_columns
    if not columns or table.size.width == 0:
        return False
    widths = [c.get_render_width(table) for c in columns]
    fixed = sum(widths[: table.fixed_columns])
    column = table.cursor_coordinate.column
    start = sum(widths[:column])
    visible = table.scrollable_content_region.width
    if column < table.fixed_columns:
        return True
    return start - table.scroll_x >= fixed and start + widths[column] - table.scroll_x <= visible


async def settle(pilot, rounds: int = 2, timeout: float = 120.0) -> None:
    """Until the app is quiet: no worker pending or running for `rounds` rounds of the event loop
    in a row (a worker's result may start another), so what the workers loaded is on the screen."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < rounds:
        await pilot.pause()
        if any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers):
            quiet = 0
            await workers_done(pilot)
        else:
            quiet += 1
        if time.monotonic() > deadline:
            raise AssertionError(f"the app's workers did not finish in {timeout:.0f} s")
    await pilot.pause()


async def until(pilot, screen_type, loaded: bool = True, timeout: float = 60.0):
    """Wait until the screen on top is of this type (and has loaded its data)."""
    deadline = time.monotonic() + timeout
    while True:
        await settle(pilot, 1)
        screen = pilot.app.screen
        if isinstance(screen, screen_type) and (not loaded or getattr(screen, "data", True) is not None):
            return screen
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {screen_type.__name__}, the app shows {type(pilot.app.screen).__name__}; "
                                 f"notifications: {notes(pilot.app)}")


async def form_by(pilot, *keys: str):
    """Press the keys that open a form dialog and wait for it (a form needs no data to load)."""
    from ejournal_tui.tui.screens.dialogs.form import FormScreen

    await pilot.press(*keys)
    return await until(pilot, FormScreen, loaded=False)


async def open_by(pilot, screen_type, *keys: str):
    """Press the keys that open a screen, wait for it and for what its workers load."""
    await pilot.press(*keys)
    screen = await until(pilot, screen_type, loaded=False)
    await settle(pilot)
    return screen


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


def errors(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def keys(table: DataTable) -> list[str]:
    return [str(k.value) for k in table.rows]


async def cursor_to(pilot, table: DataTable, key) -> None:
    table.focus()
    table.move_cursor(row=keys(table).index(str(key)))
    await pilot.pause()


async def fill(pilot, values: dict, save: str | None = "ctrl+s") -> None:
    """Put values into the fields of the dialog on top (Input: text, Select: value), then save."""
    screen = pilot.app.screen
    for name, value in values.items():
        widget = screen.query_one(f"#f-{name}")
        if isinstance(widget, Select):
            widget.value = value
        else:
            assert isinstance(widget, Input)
            widget.value = value
    await pilot.pause()
    if save:
        await pilot.press(save)
        await settle(pilot)
