"""The application shell: connects as the session's database user, asks a person who has not
yet done so to confirm the regulation's duties of their roles, and opens the home of their role
(a person with several roles chooses one, F2 switches). Every database call runs in a thread
worker through `self.db`."""

import importlib
from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ejournal_tui import i18n, log
from ejournal_tui.dates import fmt_day
from ejournal_tui.db.session import Session
from ejournal_tui.models import ROLE_NAMES, Me
from ejournal_tui.settings import Settings, current
from ejournal_tui.tui import russian, select_fit

if TYPE_CHECKING:
    from ejournal_tui.db.live import Listener
    from ejournal_tui.outbox import Outbox

russian.install()
select_fit.install()


# The home screen of each role: (module, class).
HOMES = {
    "teacher": ("ejournal_tui.tui.screens.teacher.home", "HomeScreen"),
    "methodist": ("ejournal_tui.tui.screens.methodist.home", "MethodistHomeScreen"),
    "deputy": ("ejournal_tui.tui.screens.deputy.home", "DeputyHomeScreen"),
    "director": ("ejournal_tui.tui.screens.director.home", "DirectorHomeScreen"),
    "admin": ("ejournal_tui.tui.screens.admin.home", "AdminHomeScreen"),
}


class EJournalApp(App):
    TITLE = "Электронный журнал"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "справка", id="app.help"),
        Binding("ctrl+p", "command_palette", "команды", id="app.commands", show=False),
        Binding("f2", "switch_role", "роль", id="app.role", tooltip="сменить роль (у вас их несколько)"),
        Binding("ctrl+q", "quit", "выход", id="app.quit"),
    ]

    def __init__(self, conninfo: str = "", today: date | None = None, offline_hint: str = "",
                 settings: Settings | None = None):
        super().__init__()
        self.settings = settings or current()
        self.offline_hint = offline_hint  # what to run when the server cannot be reached
        self.db = Session(conninfo)
        self.fixed_today = today  # tests and snapshots freeze the date the screens show
        self.me: Me | None = None
        self.outbox: Outbox | None = None  # unsaved journal writes of this process, on disk (ejournal_tui.outbox)
        self.listener: Listener | None = None  # LISTEN ej_journal: changes made elsewhere (ejournal_tui.db.live)
        self.role: str | None = None  # the role whose home is open
        self.roles: list[str] = []  # the roles this person may open
        # where reports and printouts are saved (over SSH: the server's home of the OS user)
        self.export_dir = self.settings.export_dir

    @property
    def today(self) -> date:
        """The organization's date by the database (ej.today()), not this machine's."""
        if self.fixed_today:
            return self.fixed_today
        return self.me.today() if self.me else date.today()  # before login nothing shows a date

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Подключение к базе данных…", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        if self.settings.keymap:  # [keymap] of config.toml: binding id → key(s)
            self.set_keymap(self.settings.keymap)
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        elif self.settings.theme:
            self.notify(f"Оформления «{self.settings.theme}» нет (настройка theme).", severity="warning")
        self.connect_db()

    @work(thread=True, exclusive=True, exit_on_error=False, group="connect")
    def connect_db(self) -> None:
        from ejournal_tui.db import accounts

        try:
            me = self.db.run(accounts.whoami)
        except Exception as exc:
            log.error("connect failed", exc)
            hint = f"\n\n{self.offline_hint}" if self.offline_hint else ""
            self.call_from_thread(self._show_status, self.db.message(exc) + hint + "\n\nВыход: Ctrl+Q.")
            return
        self.call_from_thread(self._connected, me)

    def _connected(self, me: Me) -> None:
        from ejournal_tui.outbox import Outbox

        self.me = me
        log.event("connected", staff=me.staff_id, roles=",".join(me.roles))
        if self.outbox is None:
            self.outbox = Outbox(me.login)
            self.replay_outbox(me.login)
        self.start_listening()
        roles = ", ".join(ROLE_NAMES.get(r, r) for r in me.roles) or "нет ролей журнала"
        self.sub_title = f"{me.full_name or me.login} — {roles}"
        if me.staff_id is None:
            self._show_status(
                "Учётная запись не связана с сотрудником или заблокирована. "
                "Обратитесь к администратору.\n\nВыход: Ctrl+Q."
            )
        else:
            self.roles = [r for r in me.roles if r in HOMES]
            self.check_acknowledgment()

    @work(thread=True, exclusive=True, exit_on_error=False, group="connect")
    def check_acknowledgment(self) -> None:
        """On first login (per role) the regulation's duties are read and confirmed first."""
        from ejournal_tui.db import acknowledgment

        try:
            missing = self.db.run(acknowledgment.missing)
        except Exception as exc:
            self.call_from_thread(self._show_status, self.error_text(exc) + "\n\nВыход: Ctrl+Q.")
            return
        self.call_from_thread(self._acknowledge_or_go, missing)

    @work(thread=True, exclusive=True, exit_on_error=False, group="replay")
    def replay_outbox(self, login: str) -> None:
        """Marks an earlier session of this login could not save (killed, hung up, offline)."""
        from ejournal_tui.db.session import Unreachable
        from ejournal_tui.journal_engine import replay
        from ejournal_tui.outbox import Leftover

        leftover = Leftover(login)
        entries = leftover.claim()
        if not entries:
            leftover.release(replayed=False)
            return
        try:
            results = replay(self.db, entries)
        except Unreachable:
            leftover.release(replayed=False)  # kept for the next start
            self.call_from_thread(
                self.notify, f"Несохранённые изменения прошлого сеанса ({len(entries)}) будут отправлены при "
                "следующем входе: сейчас нет связи с базой данных.", severity="warning", timeout=15)
            return
        leftover.release(replayed=True)
        names = self.db.run(_student_names, [r.student_id for r in results if r.student_id])
        self.call_from_thread(self._replayed, results, names)

    def _replayed(self, results, names: dict[int, str]) -> None:
        saved = sum(1 for r in results if r.outcome == "saved")
        refused = [r for r in results if r.outcome != "saved"]
        text = f"Изменения прошлого сеанса, не сохранённые тогда, записаны: {saved}."
        if refused:
            lines = []
            for r in refused[:8]:
                who = names.get(r.student_id, "занятие") if r.student_id else "занятие"
                why = {"conflict": f"в базе уже «{r.theirs}» (изменено в другом сеансе)",
                       "needs_reason": "нужна причина исправления", "failed": r.theirs}.get(r.outcome, r.outcome)
                lines.append(f"{fmt_day(r.day)} {who}: ваше «{r.mine}» не записано — {why}")
            more = f"\n…и ещё {len(refused) - 8}" if len(refused) > 8 else ""
            text += "\nНе записано: " + str(len(refused)) + "\n" + "\n".join(lines) + more
        self.notify(text, title="Восстановлено", severity="warning" if refused else "information",
                    timeout=30 if refused else 8, markup=False)

    def start_listening(self) -> None:
        """One extra connection of the app hears what changed elsewhere; screens read it again."""
        from ejournal_tui.db.live import Listener

        if self.listener is None:
            self.listener = listener = Listener(self.db.conninfo, self._heard, own_pid=lambda: self.db.backend_pid)
            listener.start()

    def _heard(self, changes: set[tuple[str, int, int]]) -> None:
        """From the listener's thread: (table, organization id, group id) of what changed."""
        self.post_message(Changed(changes))

    def on_changed(self, message: "Changed") -> None:
        org = self.me.organization_id if self.me else None
        groups = {g for _, o, g in message.changes if o == org}
        for screen in self.screen_stack:
            handler = getattr(screen, "live_changed", None)
            if handler is not None:
                handler(groups)

    def _acknowledge_or_go(self, missing: dict) -> None:
        if not missing:
            self._go_home()
            return
        from ejournal_tui.tui.screens.common.acknowledgment import AcknowledgmentScreen

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self._go_home()
            else:
                self._show_status("Работа с журналом начинается с ознакомления с обязанностями по Положению.\n\n"
                                  "Выход: Ctrl+Q. При следующем входе обязанности будут показаны снова.")

        self.push_screen(AcknowledgmentScreen(missing), done)

    def _go_home(self) -> None:
        if not self.roles:
            self._show_status("У вашей учётной записи нет ролей журнала. Обратитесь к администратору.\n\n"
                              "Выход: Ctrl+Q.")
        elif len(self.roles) == 1:
            self.open_home(self.roles[0])
        else:
            from ejournal_tui.tui.screens.common.role import RoleScreen

            self.push_screen(RoleScreen(self.roles))

    def open_home(self, role: str) -> None:
        """The home of a role, above the role chooser (if any)."""
        module, name = HOMES[role]
        screen = getattr(importlib.import_module(module), name)()
        while len(self.screen_stack) > self._base_depth:
            self.pop_screen()
        self.role = role
        me = self.me
        self.sub_title = f"{(me.full_name or me.login) if me else ''} — {ROLE_NAMES.get(role, role)}"
        self.push_screen(screen)

    @property
    def _base_depth(self) -> int:
        """Screens below a role's home: the app's own, and the role chooser for several roles."""
        return 2 if len(self.roles) > 1 else 1

    def action_switch_role(self) -> None:
        pending = sum(getattr(s, "pending_writes", 0) for s in self.screen_stack)
        if pending:
            self.notify(f"Сначала должны сохраниться изменения ({pending}).", severity="warning")
            return
        while len(self.screen_stack) > self._base_depth:
            self.pop_screen()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "switch_role":
            return len(self.roles) > 1 and self.role is not None
        return True

    def _show_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def error_text(self, exc: BaseException) -> str:
        """A Russian sentence for what went wrong: a form's check, a lookup, or the database."""
        return self.db.user_error(exc).message

    def show_error(self, exc: BaseException, title: str | None = None) -> None:
        """The one place an error becomes a message a person reads (ejournal_tui.errors)."""
        error = self.db.user_error(exc)
        log.error("error shown", exc, screen=type(self.screen).__name__)
        self.notify(error.message, title=title or error.title, severity="error", timeout=10, markup=False)

    def action_help(self) -> None:
        from ejournal_tui.tui.screens.common.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        pending = sum(getattr(s, "pending_writes", 0) for s in self.screen_stack)
        if not pending:
            self.exit()
            return
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        def done(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(
            ConfirmScreen(
                f"Не сохранено изменений: {pending}. Нет связи с базой данных.\n"
                "Они записаны на этом компьютере и будут отправлены при следующем входе. Выйти?",
                yes="Выйти",
                no="Остаться",
                default_no=True,
            ),
            done,
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every key of the current screen, by its description."""
        screen = next(s for s in reversed(self.screen_stack) if not isinstance(s, russian.CommandPalette))
        seen = set()
        for active in screen.active_bindings.values():
            b = active.binding
            own = active.node in (screen, self)  # not the widgets' own keys (arrows…)
            if not own or b.id is None or b.action in seen or not active.enabled:
                continue
            seen.add(b.action)
            key = b.key_display or self.get_key_display(b)
            yield SystemCommand(
                (b.tooltip or b.description).capitalize(),
                f"клавиша {key}",
                partial(self.run_action, b.action, active.node),
            )
        yield SystemCommand("Оформление", "сменить цветовую тему", self.action_change_theme)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not russian.CommandPalette.is_open(self):
            self.push_screen(russian.RussianPalette(id="--command-palette"))

    def search_themes(self) -> None:
        self.push_screen(russian.RussianPalette(providers=[russian.RussianThemes],
                                                placeholder=i18n.THEMES_PLACEHOLDER))

    def on_unmount(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        if self.outbox is not None:
            self.outbox.close()  # kept on disk while anything in it is unsaved
        self.db.close()


class Changed(Message):
    def __init__(self, changes: set[tuple[str, int, int]]):
        super().__init__()
        self.changes = changes


def _student_names(conn, ids: list[int]) -> dict[int, str]:
    from ejournal_tui.db.journal import student_names

    return student_names(conn, ids)


def run_app(conninfo: str = "", offline_hint: str = "") -> None:
    """SIGHUP (the SSH link or tmux window closed) and SIGTERM end the app cleanly; what is not
    saved stays in the outbox for the next start."""
    import signal

    app = EJournalApp(conninfo, offline_hint=offline_hint)

    def stop(signum, frame) -> None:
        app.call_later(app.exit)

    signal.signal(signal.SIGHUP, stop)
    signal.signal(signal.SIGTERM, stop)
    app.run()
