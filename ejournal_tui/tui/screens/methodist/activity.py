"""The monthly control of users' activity (regulation 5.1): who filled in what, from the audit
log — per person the changes, days of work, lessons and marks; Enter — by day and group."""

from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ejournal_tui.db import methodist
from ejournal_tui.db.methodist import ActivityDay, ActivityRow
from ejournal_tui.reports.russian import month_name
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.screens.dialogs.base import Dialog
from ejournal_tui.tui.widgets.table import fill, short_name


class ActivityScreen(TableScreen[ActivityRow]):
    KEY = "login"
    TITLE = "Активность пользователей"
    HELP = """Ежемесячный контроль активности пользователей журнала (Положение, п. 5.1) — по журналу
изменений базы данных: сколько изменений сделал каждый, в сколько дней, сколько занятий и отметок.
Жёлтым — педагоги, не работавшие с журналом в этом месяце.
«п» / «с» — предыдущий и следующий месяц, Enter — по дням и группам."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "по дням", id="activity.open", key_display="⏎", tooltip="по дням и группам"),
        Binding("п,g", "month(-1)", "пред. месяц", id="activity.prev", tooltip="предыдущий месяц"),
        Binding("с,c", "month(1)", "след. месяц", id="activity.next", tooltip="следующий месяц"),
    ]

    def __init__(self, month: date | None = None):
        super().__init__()
        self.month = month

    def fetch(self) -> list[ActivityRow]:
        self.month = (self.month or self.today).replace(day=1)
        return self.db.run(methodist.activity, self.month)

    def show(self, data: list[ActivityRow]) -> None:
        idle = sum(1 for r in data if not r.actions)
        self.set_title(f"[b]Активность за {month_name(self.month or self.today)}[/b] · пользователей {len(data)}"
                       + (f", [yellow]без изменений: {idle}[/yellow]" if idle else ""))
        self.fill(("ФИО", "Логин", "Изменений", "Дней", "Занятий", "Отметок", "Прочее", "Последнее"),
                  [(r.login, (Text(short_name(r.full_name) or r.login, style="" if r.actions else "yellow"), r.login,
                              r.actions, r.days_active, r.lessons, r.marks, r.other, r.last_at)) for r in data])

    def action_month(self, step: int) -> None:
        first = self.month or self.today.replace(day=1)
        self.month = (first + timedelta(days=32)).replace(day=1) if step > 0 else (first - timedelta(days=1)).replace(
            day=1)
        self.load()

    def action_open(self) -> None:
        key = self.need("Выберите пользователя.")
        row = self.row(key)
        month = self.month or self.today.replace(day=1)
        if row is not None:
            self.open_with(methodist.activity_detail, lambda days: ActivityDetailScreen(row, month, days),
                           row.login, month)


class ActivityDetailScreen(Dialog):
    TITLE = "Активность по дням"
    HELP = "Изменения пользователя за месяц по дням и группам, из журнала изменений. Esc — закрыть."
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "закрыть", id="activity_detail.close")]

    def __init__(self, row: ActivityRow, month: date, days: list[ActivityDay]):
        super().__init__()
        self.row, self.month, self.days = row, month, days

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(f"[b]{esc(self.row.full_name or self.row.login)}[/b] — {month_name(self.month)}")
            table: DataTable[object] = DataTable(cursor_type="row", id="activity-days")
            yield table

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one(DataTable)
        fill(table, ("День", "Группа", "Занятий", "Отметок", "Прочее", "С", "По"),
             [(n, (d.day, d.group_name or "—", d.lessons, d.marks, d.other, f"{d.first_at:%H:%M}",
                   f"{d.last_at:%H:%M}")) for n, d in enumerate(self.days)], empty="изменений нет")
        table.focus()

    def action_close(self) -> None:
        self.dismiss()
