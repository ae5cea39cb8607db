"""Program progress of a group: КТП topics and hours planned against delivered so far."""

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from ejournal_tui.dates import fmt_date
from ejournal_tui.db import journal
from ejournal_tui.journal_models import Group, TopicProgress
from ejournal_tui.reports.text import cell
from ejournal_tui.tui.screens.common.base import BaseScreen, esc


class ProgressScreen(BaseScreen):
    TITLE = "Выполнение программы"
    HELP = """Темы КТП программы группы: часы по плану («План»), проведено часов («Дано») и занятий («Зан.»),
дата последнего занятия по теме.
Зелёным — пройденные темы. Внизу — итог по программе."""
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "назад", id="progress.back")]

    def __init__(self, group_id: int):
        super().__init__()
        self.group_id = group_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Загрузка…", id="progress-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="progress-table")
        yield Static("", id="progress-total")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="progress")
    def load(self) -> None:
        group = self.db.run(journal.group, self.group_id)
        topics = self.db.run(journal.topic_progress, self.group_id)
        self.app.call_from_thread(self._loaded, group, topics)

    def _loaded(self, group: Group, topics: list[TopicProgress]) -> None:
        self.title = f"Программа: {group.name}"
        self.query_one("#progress-title", Static).update(
            f"[b]{esc(group.name)}[/b] · {esc(group.program_name)} ({cell(group.total_hours)} ч)"
        )
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("№", "Тема КТП", "План", "Дано", "Зан.", "Последнее")
        for t in topics:
            style = "green" if t.done else ("yellow" if t.delivered_hours else "")
            table.add_row(
                str(t.position),
                Text(_short(t.title), style=style),
                cell(t.hours),
                cell(t.delivered_hours),
                str(t.lessons),
                fmt_date(t.last_held_on),
            )
        planned = sum(t.hours for t in topics)
        delivered = sum(t.delivered_hours for t in topics)
        done = sum(1 for t in topics if t.done)
        self.query_one("#progress-total", Static).update(
            f"Тем пройдено: {done} из {len(topics)} · часов по КТП: {cell(delivered)} из {cell(planned)} · "
            f"программа: {cell(group.total_hours)} ч"
        )
        table.focus()

    def action_back(self) -> None:
        self.dismiss()


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
