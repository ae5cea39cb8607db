"""Somebody changed the record meanwhile: both values, the teacher chooses."""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.dialogs.base import Dialog


class ConflictScreen(Dialog[bool]):
    TITLE = "Запись изменена другим пользователем"
    HELP = (
        "Пока вы работали, эту запись изменил другой пользователь (или вы сами в другом сеансе). "
        "Ничего не перезаписано. "
        "Выберите, какое значение оставить."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,1", "keep_theirs", "оставить из базы", id="conflict.theirs"),
        Binding("2", "keep_mine", "записать моё", id="conflict.mine"),
    ]

    def __init__(self, what: str, theirs: str, who: str, mine: str, same_person: bool = False):
        super().__init__()
        self.what, self.theirs, self.who, self.mine = what, theirs, who, mine
        self.same_person = same_person  # the same login, another session (another window or computer)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="conflict"):
            changed = "Запись изменили вы в другом сеансе" if self.same_person else "Запись изменил другой пользователь"
            yield Static(f"[b]{esc(self.what)}[/b]\n{changed}{': ' + esc(self.who) if self.who else ''}.")
            yield Static(f"В базе: [b]{esc(self.theirs)}[/b]\nВаше:   [b]{esc(self.mine)}[/b]", id="conflict-values")
            with Horizontal(classes="buttons"):
                yield Button("1 Оставить из базы", id="theirs", variant="primary")
                yield Button("2 Записать моё", id="mine")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "mine")

    def action_keep_theirs(self) -> None:
        self.dismiss(False)

    def action_keep_mine(self) -> None:
        self.dismiss(True)
