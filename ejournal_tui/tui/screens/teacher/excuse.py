"""«у»: which valid reason — a short list, «другое» with a text."""

from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ejournal_tui.dates import fmt_date
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.dialogs.base import Dialog
from ejournal_tui.vocabulary import current


class ExcuseScreen(Dialog[tuple[str, str | None] | None]):
    TITLE = "Уважительная причина"
    HELP = "Выберите причину стрелками и Enter или цифрой — её номером в списке. Для «другое» напишите, какая именно."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "отмена", id="excuse.cancel"),
        Binding("1", "pick(0)", "причина 1", show=False, id="excuse.1"),
        Binding("2", "pick(1)", "причина 2", show=False, id="excuse.2"),
        Binding("3", "pick(2)", "причина 3", show=False, id="excuse.3"),
        Binding("4", "pick(3)", "причина 4", show=False, id="excuse.4"),
    ]

    def __init__(self, who: str, day: date):
        super().__init__()
        self.who, self.day = who, day

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"[b]{esc(self.who)}[/b], {fmt_date(self.day)}\nОтсутствовал(а) по уважительной причине:")
            yield OptionList(
                *(Option(f"{i}. {r.label}", id=r.code) for i, r in enumerate(current().absence_reason, start=1)),
                id="reasons",
            )
            yield Input(
                placeholder="какая причина (для «другое»), Enter — сохранить",
                id="reason-text",
                max_length=200,
                classes="hidden",
            )

    def action_pick(self, index: int) -> None:
        if self.focused is self.query_one("#reason-text"):
            return
        reasons = current().absence_reason
        if index >= len(reasons):
            return
        self.query_one(OptionList).highlighted = index
        self._chosen(reasons[index].code)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._chosen(event.option.id)

    def _chosen(self, code: str) -> None:
        if code != "other":
            self.dismiss((code, None))
            return
        text = self.query_one("#reason-text", Input)
        text.remove_class("hidden")
        text.focus()

    @on(Input.Submitted)
    def _text(self, event: Input.Submitted) -> None:
        if len(event.value.strip()) < 2:
            self.notify("Напишите причину (хотя бы 2 символа).", severity="warning")
            return
        self.dismiss(("other", event.value.strip()))
