"""The application shell: connects as the session's database user and opens the home screen."""

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Static

from ejournal_tui.models import ROLE_NAMES, Me


class EJournalApp(App):
    TITLE = "Электронный журнал"
    BINDINGS = [Binding("ctrl+q", "quit", "Выход", id="quit")]

    def __init__(self, conninfo: str = ""):
        super().__init__()
        self.conninfo = conninfo
        self.conn = None
        self.me: Me | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static("Подключение к базе данных…", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.connect_db()

    @work(thread=True, exclusive=True, exit_on_error=False, group="connect")
    def connect_db(self) -> None:
        from ejournal_tui.db import accounts
        from ejournal_tui.db.connection import connect
        from ejournal_tui.db.errors import user_message

        try:
            conn = connect(self.conninfo)
            me = accounts.whoami(conn)
        except Exception as exc:
            self.call_from_thread(self._show_status, user_message(exc))
            return
        self.conn = conn
        self.call_from_thread(self._connected, me)

    def _connected(self, me: Me) -> None:
        self.me = me
        roles = ", ".join(ROLE_NAMES.get(r, r) for r in me.roles) or "нет ролей журнала"
        self.sub_title = f"{me.full_name or me.login} — {roles}"
        if me.staff_id is None:
            self._show_status("Учётная запись не связана с сотрудником или заблокирована. Обратитесь к администратору.")
        else:
            self._show_status(f"{me.organization_name}\n\nЗдравствуйте, {me.full_name}!")

    def _show_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def on_unmount(self) -> None:
        if self.conn is not None:
            self.conn.close()


def run_app(conninfo: str = "") -> None:
    EJournalApp(conninfo).run()
