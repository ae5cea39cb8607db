"""The schedule of an iteration by weekday: time, group, teacher, room — what the director
approves together with the teachers' load."""

from ejournal_tui.db import control
from ejournal_tui.db.control import SlotView
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.widgets.table import short_name
from ejournal_tui.vocabulary import WEEKDAYS


class IterationScheduleScreen(TableScreen[SlotView]):
    KEY = None
    TITLE = "Расписание итерации"
    HELP = "Занятия всех групп итерации по дням недели. Группы без расписания — в начале списка."

    def __init__(self, iteration_id: int, name: str):
        super().__init__()
        self.iteration_id, self.iteration_name = iteration_id, name

    def fetch(self) -> list[SlotView]:
        return self.db.run(control.schedule, self.iteration_id)

    def show(self, data: list[SlotView]) -> None:
        missing = sum(1 for s in data if s.weekday is None)
        self.set_title(f"[b]Расписание: {esc(self.iteration_name)}[/b]"
                       + (f" · [yellow]групп без расписания: {missing}[/yellow]" if missing else ""))
        self.fill(("День", "Время", "Группа", "Педагог", "Каб."),
                  [(n, (WEEKDAYS[s.weekday - 1] if s.weekday else "нет расписания",
                        f"{s.starts_at:%H:%M}–{s.ends_at:%H:%M}" if s.starts_at else "", s.group_name,
                        short_name(s.teacher_name), s.room)) for n, s in enumerate(data)])

    def describe(self, s: SlotView) -> str:
        return esc(f"{s.group_name}: {s.program_name}")
