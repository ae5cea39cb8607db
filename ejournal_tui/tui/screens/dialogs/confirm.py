"""A yes/no question."""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ejournal_tui.tui.screens.dialogs.base import Dialog


class ConfirmScreen(Dialog[bool]):
    TITLE = "Подтверждение"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "no", "Отмена", id="cancel")]

    def __init__(self, question: str, yes: str = "Да", no: str = "Нет", default_no: bool = False):
        super().__init__()
        self.question, self.yes, self.no = question, yes, no
        self.default_no = default_no  # Enter answers «no» (staying is the safe choice)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="question")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="default" if self.default_no else "primary", id="yes")
                yield Button(self.no, variant="primary" if self.default_no else "default", id="no")

    def on_mount(self) -> None:
        super().on_mount()
        if self.default_no:
            self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_no(self) -> None:
        self.dismiss(False)
