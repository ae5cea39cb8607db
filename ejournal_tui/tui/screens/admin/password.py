"""A one-time password for LAN use: generated here, sent to the server only as a SCRAM
verifier, shown once on this screen and never stored. Valid for a week."""

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from ejournal_tui.db import admin_accounts
from ejournal_tui.models import UserAccount
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.dialogs.base import Dialog


class PasswordScreen(Dialog):
    TITLE = "Одноразовый пароль"
    HELP = """Пароль показывается один раз: передайте его сотруднику лично. Он действует неделю; при первом
входе сотрудник задаёт свой (`ejournal password`). В базе хранится только его хэш (SCRAM-SHA-256)."""
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "закрыть", id="password.close")]

    def __init__(self, account: UserAccount):
        super().__init__()
        self.account = account

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"[b]Пароль для {esc(self.account.login)}[/b] ({esc(self.account.full_name)})")
            yield Static("Выдаю пароль…", id="password-text")

    def on_mount(self) -> None:
        super().on_mount()
        self.issue()

    @work(thread=True, exclusive=True, exit_on_error=False, group="password")
    def issue(self) -> None:
        try:
            password = self.db.run(admin_accounts.one_time_password, self.account.login)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._show, password)

    def _show(self, issued) -> None:
        when = ("Действует 7 дней." if issued.request_id is None else
                f"Начнёт действовать (на 7 дней) после подтверждения запроса № {issued.request_id} директором "
                "(для учётной записи директора — заместителем директора); прежний пароль действует до тех пор.")
        self.query_one("#password-text", Static).update(
            f"\n    [b reverse] {esc(issued.password)} [/]\n\n{when} Больше он нигде не показывается.\n"
            "Esc или Enter — закрыть.")

    def _failed(self, exc: Exception) -> None:
        self.query_one("#password-text", Static).update(f"[red]{esc(self.app.error_text(exc))}[/red]")

    def action_close(self) -> None:
        self.dismiss()
