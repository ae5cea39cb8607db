"""A correction more than 3 days after the lesson: the teacher says why (kept in the history)."""

from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from ejournal_tui.tui.screens.base import BaseModal, fmt_date


class LateReasonScreen(BaseModal[str | None]):
    TITLE = "Причина исправления"
    HELP = (
        "Журнал — финансовый документ: исправление записи позже 3 дней после занятия "
        "сохраняется с причиной. Напишите её коротко и нажмите Enter."
    )
    BINDINGS: ClassVar[list[Binding]] = [Binding("escape", "cancel", "отмена", id="late.cancel")]

    def __init__(self, day: date, default: str = ""):
        super().__init__()
        self.day, self.default = day, default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                f"Занятие {fmt_date(self.day)} прошло более 3 дней назад.\n"
                "Укажите причину исправления (сохраняется в истории):"
            )
            yield Input(
                self.default,
                placeholder="например: ошибка при вводе, справка от врача",
                max_length=200,
                id="late-reason",
            )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if len(event.value.strip()) < 3:
            self.notify("Причина: хотя бы 3 символа.", severity="warning")
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
