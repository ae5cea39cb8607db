"""Who changed a mark or a lesson and when, from the audit log."""

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ejournal_tui.journal_models import HistoryEntry
from ejournal_tui.tui.screens.base import BaseModal, esc, fmt_dt


class HistoryScreen(BaseModal):
    TITLE = "История изменений"
    HELP = "Все изменения записи из журнала изменений базы данных: когда, кто, что и почему."
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,и,b", "close", "закрыть", id="history.close")]

    def __init__(self, title: str, entries: list[HistoryEntry]):
        super().__init__()
        self.title_text, self.entries = title, entries

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(f"[b]История: {esc(self.title_text)}[/b]")
            if not self.entries:
                yield Static("Изменений нет.")
            table: DataTable[object] = DataTable(cursor_type="row", id="history-table")
            table.add_columns("Когда", "Кто", "Действие", "Что", "Причина")
            for e in self.entries:
                table.add_row(fmt_dt(e.at), Text(e.actor_name or e.actor), e.op, Text(e.summary), Text(e.reason or ""))
            yield table

    def action_close(self) -> None:
        self.dismiss()
