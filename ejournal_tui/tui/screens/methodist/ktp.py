"""The КТП of a program: topics in order with their hours and how many lessons took each;
«и» imports a new КТП from a CSV file or a pasted list."""

from typing import ClassVar

from textual.binding import Binding, BindingType

from ejournal_tui.db import programs
from ejournal_tui.db.programs import TopicRow
from ejournal_tui.reports.text import cell
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen


class KtpScreen(TableScreen):
    TITLE = "КТП программы"
    HELP = """Календарно-тематический план программы: темы по порядку, часы, сколько занятий по теме уже
проведено во всех группах. «и» — загрузить КТП из файла CSV или вставленного списка «тема; часы»:
сначала проверка с ошибками по строкам, потом загрузка одним действием."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("и,b", "import", "загрузить КТП", id="ktp.import", tooltip="загрузить КТП из CSV или списка"),
    ]

    def __init__(self, program_id: int, program_name: str):
        super().__init__()
        self.program_id, self.program_name = program_id, program_name

    def fetch(self) -> list[TopicRow]:
        return self.db.run(programs.topics, self.program_id)

    def show(self, data: list[TopicRow]) -> None:
        hours = sum(t.hours for t in data)
        self.set_title(f"[b]КТП: {esc(self.program_name)}[/b] · тем {len(data)}, часов {cell(hours)}")
        self.fill(("№", "Тема", "Часов", "Занятий"),
                  [(t.id, (t.position, t.title, t.hours, t.lessons)) for t in data], empty="КТП пуст: «и» — загрузить")

    def action_import(self) -> None:
        from ejournal_tui.tui.screens.methodist.ktp_import import KtpImportScreen

        self.app.push_screen(KtpImportScreen(self.program_id, self.program_name), self.reload_after)
