"""«Сообщить методисту»: which data is wrong and what it should be."""

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static

from ejournal_tui.db import students
from ejournal_tui.journal_models import FIELD_NAME, StudentCard
from ejournal_tui.tui.screens.dialogs.base import SaveDialog


class ChangeRequestScreen(SaveDialog[bool]):
    CANCELLED = False
    TITLE = "Сообщить методисту"
    HELP = "Выберите, какие данные исправить, опишите верное значение и нажмите Enter или Ctrl+S."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "отправить", id="request.send"),
        Binding("escape", "cancel", "отмена", id="request.cancel"),
    ]

    def __init__(self, group_id: int, card: StudentCard):
        super().__init__()
        self.group_id, self.card = group_id, card

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(
                f"[b]Исправление данных: {self.card.full_name}[/b]\n"
                "Запрос получит методист; он исправит данные по документам."
            )
            yield Select(
                [(name, code) for code, name in FIELD_NAME.items()],
                prompt="что исправить",
                id="request-field",
            )
            yield Input(
                placeholder="как должно быть (например: новый телефон мамы +7 …)",
                max_length=1000,
                id="request-text",
            )
            with Horizontal(classes="buttons"):
                yield Button("Отправить (Ctrl+S)", variant="primary", id="save")
                yield Button("Отмена (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Select).focus()


    def action_save(self) -> None:
        field = self.query_one(Select).value
        text = self.query_one(Input).value.strip()
        if field == Select.NULL:
            self.notify("Выберите, какие данные исправить.", severity="warning")
        elif len(text) < 2:
            self.notify("Опишите исправление.", severity="warning")
        else:
            self._send(field, text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="request")
    def _send(self, field: str, text: str) -> None:
        self.db.run(students.request_change, self.group_id, self.card.id, field, text)
        self.app.call_from_thread(self._sent)

    def _sent(self) -> None:
        self.notify("Запрос отправлен методисту.")
        self.dismiss(True)
