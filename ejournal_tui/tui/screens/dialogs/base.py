"""The one base of every dialog (a modal screen over another): F1 help, Escape cancels,
compact fields that fit 80×24, a footer, the first field focused, refusals shown one way."""

from datetime import date
from typing import Any, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Select

from ejournal_tui import dates
from ejournal_tui.tui.screens.common.base import Common, R


class Dialog(Common[R], ModalScreen[R]):
    # a modal screen hides the app's own keys: F1 is bound again here for every dialog
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "app.help", "справка", id="modal.help", show=False),
        Binding("escape", "cancel", "отмена", id="dialog.cancel"),
    ]
    CANCELLED: ClassVar[Any] = None  # what the dialog answers when it is left with Escape
    FOCUS: ClassVar[str | None] = None  # the widget (a selector) that has the focus on opening

    def on_mount(self) -> None:
        # borderless fields and buttons: a dialog must fit 80×24
        for widget in [*self.query(Input), *self.query(Select), *self.query(Button)]:
            widget.compact = True
        self.mount(Footer(compact=True, show_command_palette=False))
        if self.FOCUS is not None:
            self.query_one(self.FOCUS).focus()

    def action_cancel(self) -> None:
        self.dismiss(self.CANCELLED)

    def warn(self, message: str, field: str | None = None) -> None:
        """A warning, and the focus on the field to correct: the next typing lands there."""
        self.notify(message, severity="warning")
        if field is not None and (widgets := self.query(field)):
            widgets.first().focus()

    def read_date(self, text: str, field: str | None = None) -> date | None:
        """A typed date (what dates.parse accepts), or a warning and None."""
        day = dates.parse(text)
        if day is None:
            self.warn(f"Дата: {dates.EXAMPLE}.", field)
        return day


class SaveDialog(Dialog[R]):
    """A dialog that saves what was typed: Enter in a field or the «save» button saves, any other
    button cancels. The subclass says what saving is (action_save)."""

    def action_save(self) -> None:
        raise NotImplementedError

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()


def row(*cells: str | Widget) -> Horizontal:
    """One line of a dialog's fields: each text is a label for the field after it."""
    return Horizontal(*(Label(c, classes="label") if isinstance(c, str) else c for c in cells), classes="row")
