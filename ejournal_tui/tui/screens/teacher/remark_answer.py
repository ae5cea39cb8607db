"""The teacher answers a remark: what was fixed. The author then closes it."""

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from ejournal_tui.dates import fmt_dt
from ejournal_tui.journal_models import Remark
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.dialogs.base import Dialog


class RemarkAnswerScreen(Dialog[str | None]):
    TITLE = "Ответ на замечание"
    HELP = "Напишите, что исправлено, и нажмите Enter. Замечание закроет его автор."
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "отмена", id="remark.cancel")]

    def __init__(self, remark: Remark):
        super().__init__()
        self.remark = remark

    def compose(self) -> ComposeResult:
        r = self.remark
        with Vertical(classes="dialog wide"):
            yield Static(
                f"[b]Замечание[/b] ({esc(r.author_name)}, {fmt_dt(r.created_at)}), "
                f"группа {esc(r.group_name)}:\n"
                f"{esc(r.body)}"
            )
            yield Input(r.fixed_note or "", placeholder="что исправлено", max_length=1000, id="remark-note")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if len(event.value.strip()) < 2:
            self.notify("Напишите, что исправлено.", severity="warning")
            return
        self.dismiss(event.value.strip())
