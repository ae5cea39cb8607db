"""Helpers of the Pilot tests of the administration's screens (methodist, deputy director,
director, administrator): start the app as a demo login on the test's database clone, wait for
its workers, fill a form, read the notifications."""

from textual.widgets import DataTable, Input, Select
from textual.worker import WorkerCancelled

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


async def settle(pilot, rounds: int = 2) -> None:
    """Let workers finish and their results reach the screen."""
    for _ in range(rounds):
        await pilot.pause()
        await workers_done(pilot)
    await pilot.pause()


async def until(pilot, screen_type, loaded: bool = True, tries: int = 100):
    """Wait until the screen on top is of this type (and has loaded its data)."""
    for _ in range(tries):
        await settle(pilot, 1)
        screen = pilot.app.screen
        if isinstance(screen, screen_type) and (not loaded or getattr(screen, "data", True) is not None):
            return screen
    raise AssertionError(f"expected {screen_type.__name__}, the app shows {type(pilot.app.screen).__name__}; "
                         f"notifications: {notes(pilot.app)}")


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
