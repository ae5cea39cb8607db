"""The application shell: connects as the session's database user and opens the screens of
that user's role. Every database call runs in a thread worker through `self.db`."""

import re
from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import ClassVar

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ejournal_tui.db.session import Session
from ejournal_tui.models import ROLE_NAMES, Me

_CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


class EJournalApp(App):
    TITLE = "Электронный журнал"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("f1", "help", "справка", id="app.help"),
        Binding("ctrl+p", "command_palette", "команды", id="app.commands", show=False),
        Binding("ctrl+q", "quit", "выход", id="app.quit"),
    ]

    def __init__(self, conninfo: str = "", today: date | None = None):
        super().__init__()
        self.db = Session(conninfo)
        self.fixed_today = today  # tests and snapshots freeze the date the screens show
        self.me: Me | None = None

    @property
    def today(self) -> date:
        return self.fixed_today or date.today()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Подключение к базе данных…", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.connect_db()

    @work(thread=True, exclusive=True, exit_on_error=False, group="connect")
    def connect_db(self) -> None:
        from ejournal_tui.db import accounts

        try:
            me = self.db.run(accounts.whoami)
        except Exception as exc:
            self.call_from_thread(self._show_status, self.db.message(exc) + "\n\nВыход: Ctrl+Q.")
            return
        self.call_from_thread(self._connected, me)

    def _connected(self, me: Me) -> None:
        self.me = me
        roles = ", ".join(ROLE_NAMES.get(r, r) for r in me.roles) or "нет ролей журнала"
        self.sub_title = f"{me.full_name or me.login} — {roles}"
        if me.staff_id is None:
            self._show_status(
                "Учётная запись не связана с сотрудником или заблокирована. "
                "Обратитесь к администратору.\n\nВыход: Ctrl+Q."
            )
        elif "teacher" in me.roles:
            from ejournal_tui.tui.screens.home import HomeScreen

            self.push_screen(HomeScreen())
        else:
            from ejournal_tui.tui.screens.role import RoleScreen

            self.push_screen(RoleScreen())

    def _show_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def show_error(self, exc: BaseException, title: str = "Ошибка") -> None:
        """The one place a database error becomes a message a person reads."""
        self.notify(self.db.message(exc), title=title, severity="error", timeout=10, markup=False)

    def action_help(self) -> None:
        from ejournal_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        pending = sum(getattr(s, "pending_writes", 0) for s in self.screen_stack)
        if not pending:
            self.exit()
            return
        from ejournal_tui.tui.screens.confirm import ConfirmScreen

        def done(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(
            ConfirmScreen(
                f"Не сохранено изменений: {pending}. Нет связи с базой данных.\nВыйти и потерять их?",
                yes="Выйти",
                no="Остаться",
            ),
            done,
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every key of the current screen, by its description."""
        from textual.command import CommandPalette

        screen = next(s for s in reversed(self.screen_stack) if not isinstance(s, CommandPalette))
        seen = set()
        for active in screen.active_bindings.values():
            b = active.binding
            own = active.node in (screen, self)  # not the widgets' own keys (arrows…)
            if not own or not _CYRILLIC.search(b.description or "") or b.action in seen or not active.enabled:
                continue
            seen.add(b.action)
            key = b.key_display or self.get_key_display(b)
            yield SystemCommand(
                (b.tooltip or b.description).capitalize(),
                f"клавиша {key}",
                partial(self.run_action, b.action, active.node),
            )
        yield SystemCommand("Оформление", "сменить цветовую тему", self.action_change_theme)

    def on_unmount(self) -> None:
        self.db.close()


def run_app(conninfo: str = "") -> None:
    EJournalApp(conninfo).run()
