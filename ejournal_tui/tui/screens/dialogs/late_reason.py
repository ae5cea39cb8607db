"""A correction more than 3 days after the lesson (or the briefing, event, achievement): the
teacher says why (kept in the history). Whether the reason will do is the database's rule
(ej.reason_problem): the dialog asks it and shows its answer."""

from collections.abc import Callable
from datetime import date
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from ejournal_tui.dates import fmt_date
from ejournal_tui.db import journal
from ejournal_tui.journal_models import is_late
from ejournal_tui.tui.screens.dialogs.base import Dialog
from ejournal_tui.vocabulary import current


class LateReasonScreen(Dialog[str | None]):
    TITLE = "Причина исправления"
    HELP = (
        "Журнал — финансовый документ: исправление записи позже {edit_window} после занятия "
        "сохраняется с причиной. Напишите её фразой (хотя бы два слова) и нажмите Enter."
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "отмена", id="late.cancel")]

    def __init__(self, day: date, default: str = "", what: str = "Занятие"):
        super().__init__()
        self.day, self.default, self.what = day, default, what
        self._checking = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                f"{self.what} {fmt_date(self.day)} — более {current().days} назад.\n"
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
        if not self._checking:
            self._checking = True
            self._check(event.value.strip())

    @work(thread=True, exclusive=True, exit_on_error=False, group="late-reason")
    def _check(self, reason: str) -> None:
        try:
            problem = self.db.run(journal.reason_problem, reason)
        finally:
            self.app.call_from_thread(setattr, self, "_checking", False)
        if problem:
            self.app.call_from_thread(self.notify, problem, severity="warning")
        else:
            self.app.call_from_thread(self.dismiss, reason)


def with_late_reason(screen, days: list[date | None], then: Callable[[str | None], object],
                     what: str = "Запись от", cancelled: Callable[[], None] | None = None) -> None:
    """then(None) at once when no date is past the edit window; otherwise the reason is asked
    first and then(reason) runs when it is given (cancelled() when it is not)."""
    late = [d for d in days if d is not None and is_late(d, screen.today)]
    if not late:
        then(None)
        return

    def given(reason: str | None) -> None:
        if reason:
            then(reason)
        elif cancelled:
            cancelled()

    screen.app.push_screen(LateReasonScreen(min(late), what=what), given)
