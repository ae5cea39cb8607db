"""The students of a group, their cards, and the monthly "данные проверены" mark."""

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from ejournal_tui.dates import fmt_date, fmt_dt
from ejournal_tui.db import group_records, students
from ejournal_tui.db.group_records import GroupStudent
from ejournal_tui.journal_models import DataCheck
from ejournal_tui.tui.screens.common.base import BaseScreen, esc
from ejournal_tui.tui.widgets.table import clip


class StudentsScreen(BaseScreen):
    TITLE = "Обучающиеся группы"
    HELP = """Список группы: пол, класс, медицинский допуск к занятиям (с датой), вводный инструктаж
по технике безопасности («ТБ»), даты зачисления и выбытия, школа. Обучающийся без допуска или без вводного инструктажа
отмечен красным. Enter — карточка обучающегося.
Положение обязывает педагога не реже раза в месяц проверять данные обучающихся и сообщать методисту
об изменениях. Проверив карточки, нажмите «д» — «данные проверены»: отметка сохранится с датой."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "карточка", id="students.open", key_display="⏎", priority=True),
        Binding("д,l", "checked", "данные проверены", id="students.checked"),
        Binding("escape", "back", "назад", id="students.back"),
    ]

    def __init__(self, group_id: int):
        super().__init__()
        self.group_id = group_id
        self.data: list[GroupStudent] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Загрузка…", id="students-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="students-table")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="students")
    def load(self) -> None:
        data = self.db.run(group_records.group_students, self.group_id)
        check = self.db.run(students.last_check, self.group_id)
        self.app.call_from_thread(self._loaded, data, check)

    def _loaded(self, data: list[GroupStudent], check: DataCheck) -> None:
        self.data = data
        self.title = f"Обучающиеся: {check.group_name}"
        self._show_check(check)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("№", "Обучающийся", "Пол", "Класс", "Мед. допуск", "ТБ", "В группе", "Школа")
        for i, s in enumerate(data, start=1):
            periods = "; ".join(
                f"с {fmt_date(p.enrolled_on)}" + (f" по {fmt_date(p.left_on)}" if p.left_on else "") for p in s.periods
            )
            if s.medical_clearance:
                clearance = Text(f"с {fmt_date(s.medical_clearance_on)}" if s.medical_clearance_on else "есть")
            else:
                clearance = Text("НЕТ", style="bold red")
            briefed = Text("да") if s.introduced else Text("НЕТ", style="bold red")
            table.add_row(
                str(i),
                Text(clip(s.short_name, 24)),
                s.sex,
                Text(s.school_class or "—"),
                clearance,
                briefed,
                periods,
                Text(clip(s.school or "—", 20)),
                key=str(s.id),
            )
        table.focus()

    def _show_check(self, check: DataCheck) -> None:
        if check.checked_at is None:
            text = "[yellow]Данные группы ещё не проверялись.[/yellow]"
        else:
            late = " [yellow](больше месяца назад — пора проверить)[/yellow]" if check.overdue(self.today) else ""
            text = f"Данные проверены {fmt_dt(check.checked_at)}, {esc(check.checked_by_name or '')}{late}"
        flags = ""
        if self.data:
            current = [s for s in self.data if s.enrolled(self.today)]
            no_clearance = sum(not s.medical_clearance for s in current)
            no_briefing = sum(not s.introduced for s in current)
            parts = [f"без мед. допуска: {no_clearance}"] * bool(no_clearance)
            parts += [f"без вводного инструктажа: {no_briefing}"] * bool(no_briefing)
            flags = f"\n[red]{', '.join(parts)}[/red]" if parts else ""
        self.query_one("#students-title", Static).update(f"[b]{esc(check.group_name)}[/b] · {text}{flags}")

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        from ejournal_tui.tui.screens.teacher.student_card import StudentCardScreen

        table = self.query_one(DataTable)
        if not self.data:
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        if row_key.value is not None:
            self.app.push_screen(StudentCardScreen(self.group_id, int(row_key.value)))

    def action_checked(self) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        def answer(yes: bool | None) -> None:
            if yes:
                self._mark_checked()

        self.app.push_screen(
            ConfirmScreen(
                "Данные всех обучающихся группы проверены и актуальны?\n"
                "(об изменениях сообщите методисту из карточки, клавиша «м»)",
                yes="Да, проверены",
                no="Отмена",
            ),
            answer,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="students-check")
    def _mark_checked(self) -> None:
        check = self.db.run(students.mark_checked, self.group_id)
        self.app.call_from_thread(self._checked, check)

    def _checked(self, check: DataCheck) -> None:
        self._show_check(check)
        self.notify("Проверка данных записана.")

    def action_back(self) -> None:
        self.dismiss()
