"""The numeric report of the teacher's own groups (the last page of the paper journal): how many
students as of 01.10, 01.01 and 01.06 — in total, boys, girls, by school class, by years attending."""

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from ejournal_tui.dates import fmt_date
from ejournal_tui.db import group_records
from ejournal_tui.db.group_records import NumericReport
from ejournal_tui.tui.screens.common.base import BaseScreen


class NumericReportScreen(BaseScreen):
    TITLE = "Цифровой отчёт"
    HELP = """Количество обучающихся ваших групп на 1 октября, 1 января и 1 июня учебного года: всего,
мальчиков, девочек, по классам школы и по году обучения в технопарке. Группа учитывается на дату, если
её итерация идёт в этот день; «—» — в этот день ни одна из групп блока не занималась.
«х» и «ъ» (или [ и ]) — предыдущий и следующий учебный год. Те же числа печатаются в твёрдой копии журнала
и в цифровом отчёте командной строки (`ejournal numeric`)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("х,left_square_bracket", "year(-1)", "год назад", id="numeric.prev", key_display="х"),
        Binding("ъ,right_square_bracket", "year(1)", "год вперёд", id="numeric.next", key_display="ъ"),
        Binding("f5", "reload", "обновить", id="numeric.reload", show=False),
        Binding("escape", "back", "назад", id="numeric.back"),
    ]

    def __init__(self):
        super().__init__()
        self.data: NumericReport | None = None
        self.shift = 0  # academic years back (-) or forward (+) from today's

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Загрузка…", id="numeric-title")
        yield DataTable(cursor_type="row", id="numeric-table")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()

    @property
    def as_of(self) -> date:
        t = self.today
        try:
            return t.replace(year=t.year + self.shift)
        except ValueError:  # 29 February
            return t.replace(year=t.year + self.shift, day=28)

    @work(thread=True, exclusive=True, exit_on_error=False, group="numeric")
    def load(self) -> None:
        data = self.db.run(group_records.numeric, self.as_of)
        self.app.call_from_thread(self._loaded, data)

    def _loaded(self, data: NumericReport) -> None:
        self.data = data
        first = data.dates[0].year
        self.query_one("#numeric-title", Static).update(
            f"[b]Количество обучающихся[/b] · {first}/{first + 1} учебный год · мои группы"
        )
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("Показатель", key="measure")
        for d in data.dates:
            table.add_column(Text(f"на {fmt_date(d)}", justify="right"), key=d.isoformat())
        for n, block in enumerate(data.blocks):
            table.add_row(Text(block.title, style="bold"), *[""] * len(data.dates), key=f"b{n}")
            for m, (measure, values) in enumerate(block.rows):
                cells = [Text("—" if v is None else str(v), justify="right") for v in values]
                table.add_row(Text("  " + measure), *cells, key=f"b{n}m{m}")
        if not data.blocks:
            table.add_row(Text("В этом учебном году у вас нет групп."), *[""] * len(data.dates), key="none")
        table.focus()

    def action_year(self, step: int) -> None:
        self.shift += step
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()
