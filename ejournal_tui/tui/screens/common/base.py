"""What every screen shares: the app's database session, the date, the error handler, F1 help."""

from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from textual import getters
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from ejournal_tui.db.session import Session
    from ejournal_tui.tui.app import EJournalApp


R = TypeVar("R")


class Common(Screen[R]):
    # F1 shows the screen's HELP (Textual's own DOMNode.HELP: what the screen is for, in Markdown);
    # the keys are listed from BINDINGS.

    if TYPE_CHECKING:  # the app as its own class for the type checker; at run time Textual's property
        app = getters.app(EJournalApp)

    @property
    def db(self) -> "Session":
        return self.app.db

    @property
    def today(self) -> date:
        return self.app.today

    def refused(self, exc: BaseException) -> None:
        """A refused write: a dialog stays open with what was typed; the app says why."""
        self.app.show_error(exc, title="Не сохранено")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.show_error(event.worker.error)


class BaseScreen(Common[R]):
    pass


LIVE_SECONDS = 0.3  # a burst of changes elsewhere is read once, this long after its first


class ReloadingScreen(BaseScreen):
    """A screen whose data (self.data, filled by self.load()) is loaded on opening, again on
    coming back to it, and on F5."""

    data: Any = None
    _live_timer: Timer | None = None

    def load(self) -> Any:  # a @work method in the screens: it returns its Worker
        raise NotImplementedError

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.load()

    def action_refresh(self) -> None:
        self.load()

    def watched_groups(self) -> set[int] | None:
        """The groups whose changes this screen shows (None: any of the organization)."""
        return None

    def live_changed(self, groups: set[int]) -> None:
        """Lessons, marks or enrollments changed elsewhere (the app listens): the screen on top
        reads its data again — at most once a second; one below does when it is back on top."""
        watched = self.watched_groups()
        # not is_current: that is also true of the screen right below the top one
        if self.data is None or self.app.screen is not self or (watched is not None and not groups & watched):
            return
        if self._live_timer is None:
            self._live_timer = self.set_timer(LIVE_SECONDS, self._live_reload)

    def _live_reload(self) -> None:
        self._live_timer = None
        if self.is_current:
            self.load()


def esc(text: str | None) -> str:
    """Data shown inside markup: a name with «[» must not be read as a style."""
    from rich.markup import escape

    return escape(text or "")
