"""Who changed a mark or a lesson and when, from the audit log. At 80 columns the reason is read
whole: «Что» and «Причина» wrap inside their columns (a row grows as tall as they need), the date,
the person and the action are narrow, and the row under the cursor is written out below."""

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ejournal_tui.dates import fmt_dt
from ejournal_tui.journal_models import HistoryEntry
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.dialogs.base import Dialog
from ejournal_tui.tui.widgets.table import clip, short_name

WHEN, WHO, WHAT = 10, 14, 9  # «23.10.2025» over «14:05»; «Иванова М.П.»; «изменение»
# the dialog's border and padding, the cells' padding and the scroll bar
FRAME = 6 + 2 * 5 + 2


class HistoryScreen(Dialog):
    TITLE = "История изменений"
    HELP = """Все изменения записи из журнала изменений базы данных: когда, кто, что и почему.
Длинные «Что» и «Причина» переносятся по строкам; строка под курсором целиком — под таблицей."""
    DEFAULT_CSS = """
    HistoryScreen #history-table { height: auto; max-height: 14; }
    HistoryScreen #history-row { height: auto; max-height: 4; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,и,b", "close", "закрыть", id="history.close")]

    def __init__(self, title: str, entries: list[HistoryEntry]):
        super().__init__()
        self.title_text, self.entries = title, entries

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(f"[b]История: {esc(self.title_text)}[/b]")
            if not self.entries:
                yield Static("Изменений нет.")
            yield DataTable(cursor_type="row", id="history-table")
            yield Static("", id="history-row")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#history-table", DataTable)
        room = min(100, self.app.size.width) - FRAME - WHEN - WHO - WHAT
        what = max(12, room * 2 // 5)
        reason = max(14, room - what)
        for label, width in (("Когда", WHEN), ("Кто", WHO), ("Действие", WHAT), ("Что", what), ("Причина", reason)):
            table.add_column(label, width=width)
        for n, e in enumerate(self.entries):
            table.add_row(Text(fmt_dt(e.at).replace(" ", "\n")), Text(clip(short_name(e.actor_name or e.actor), WHO)),
                          clip(e.op, WHAT), Text(e.summary), Text(e.reason or ""), height=None, key=str(n))
        self._show_row()

    @on(DataTable.RowHighlighted)
    def _show_row(self) -> None:
        table = self.query_one("#history-table", DataTable)
        if not self.entries or table.row_count == 0:
            return
        e = self.entries[min(table.cursor_row, len(self.entries) - 1)]
        self.query_one("#history-row", Static).update(
            esc(f"{fmt_dt(e.at)} · {e.actor_name or e.actor} · {e.op}: {e.summary}. Причина: {e.reason or '—'}"))

    def action_close(self) -> None:
        self.dismiss()
