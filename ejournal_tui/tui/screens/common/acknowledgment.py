"""First login: the duties the regulation gives each of one's roles, read and confirmed. The
confirmation (who, when) is stored in the database and shown to the methodist."""

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Markdown, Static

from ejournal_tui.db import acknowledgment
from ejournal_tui.db.acknowledgment import Duty
from ejournal_tui.models import ROLE_NAMES
from ejournal_tui.tui.screens.common.base import BaseScreen

TITLES = {
    "teacher": "Педагог дополнительного образования обязан",
    "methodist": "Методист обязан",
    "deputy": "Заместитель директора обязан",
    "director": "Директор обязан",
    "admin": "Администратор обязан",
}


class AcknowledgmentScreen(BaseScreen):
    TITLE = "Ознакомление с обязанностями"
    HELP = """Положение об электронном журнале возлагает на каждого пользователя обязанности по его роли.
Прочитайте их (стрелки, PgUp/PgDn) и подтвердите клавишей Enter. Подтверждение с датой и временем
сохраняется в базе данных; методист видит, кто ознакомился. Ctrl+Q — выйти, не подтверждая:
при следующем входе обязанности будут показаны снова."""
    DEFAULT_CSS = """
    AcknowledgmentScreen #ack-head { padding: 0 1; background: $boost; height: auto; }
    AcknowledgmentScreen #ack-box { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,ctrl+s", "confirm", "ознакомлен(а)", id="ack.confirm", key_display="⏎", priority=True,
                tooltip="ознакомлен(а) с обязанностями и обязуюсь их выполнять"),
    ]

    def __init__(self, duties: dict[str, list[Duty]]):
        super().__init__()
        self.duties = duties

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Положение об электронном журнале ДТ «Кванториум», раздел 4 «Права и обязанности».\n"
                     "Прочитайте и подтвердите: [b]Enter — ознакомлен(а)[/b].", id="ack-head")
        with VerticalScroll(id="ack-box"):
            yield Markdown(self._text())
        yield Footer(compact=True, show_command_palette=False)

    def _text(self) -> str:
        lines = []
        for role, duties in self.duties.items():
            lines += [f"### {TITLES.get(role, ROLE_NAMES.get(role, role))}", ""]
            lines += [f"{d.position}. {d.duty}" for d in duties]
            lines.append("")
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.query_one("#ack-box").focus()

    def action_confirm(self) -> None:
        self._confirm()

    @work(thread=True, exclusive=True, exit_on_error=False, group="ack")
    def _confirm(self) -> None:
        self.db.run(acknowledgment.acknowledge, list(self.duties))
        self.app.call_from_thread(self._done)

    def _done(self) -> None:
        self.notify("Ознакомление с обязанностями записано.")
        self.dismiss(True)
