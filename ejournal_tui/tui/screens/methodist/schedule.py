"""The weekly schedule of a group: days, times, rooms; a change from a date by an order.
What the director approves as the schedule and teacher load of an iteration."""

from typing import ClassVar

from textual.binding import Binding, BindingType

from ejournal_tui.db import lists
from ejournal_tui.db.lists import SlotInput, SlotRow
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.screens.dialogs.form import Field, FormScreen
from ejournal_tui.vocabulary import WEEKDAYS


class ScheduleScreen(TableScreen):
    TITLE = "Расписание группы"
    HELP = """Занятия группы по дням недели. «д» — добавить занятие в расписание, Delete — удалить.
Изменение расписания с даты записывается с номером приказа («Действует с», «Приказ»).
Расписание и нагрузку итерации утверждает директор; после изменений попросите утвердить снова."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("д,l", "add", "добавить", id="schedule.add", tooltip="добавить занятие в расписание"),
        Binding("delete", "delete", "удалить", id="schedule.delete", tooltip="удалить занятие из расписания"),
    ]

    def __init__(self, group_id: int, group_name: str):
        super().__init__()
        self.group_id, self.group_name = group_id, group_name

    def fetch(self) -> list[SlotRow]:
        return self.db.run(lists.slots, self.group_id)

    def show(self, data: list[SlotRow]) -> None:
        self.set_title(f"[b]Расписание группы {esc(self.group_name)}[/b]")
        self.fill(("День", "Начало", "Конец", "Кабинет", "Действует с", "по", "Приказ"),
                  [(s.id, (WEEKDAYS[s.weekday - 1], f"{s.starts_at:%H:%M}", f"{s.ends_at:%H:%M}", s.room,
                           s.valid_from, s.valid_to, s.change_order)) for s in data])

    def action_add(self) -> None:
        fields = [
            Field("weekday", "День недели", None, options=[(d, i) for i, d in enumerate(WEEKDAYS, start=1)]),
            Field("starts_at", "Начало", "", placeholder="ЧЧ:ММ, например 16:00"),
            Field("ends_at", "Конец", "", placeholder="ЧЧ:ММ, например 17:30"),
            Field("room", "Кабинет", "", max_length=50),
            Field("valid_from", "Действует с", "", placeholder="пусто — вся итерация"),
            Field("change_order", "Приказ №", "", placeholder="при изменении расписания", max_length=50),
        ]
        group_id = self.group_id

        def save(conn, values: dict) -> int:
            return lists.add_slot(conn, group_id, SlotInput(**values))

        self.app.push_screen(FormScreen(f"Занятие в расписании: {self.group_name}", fields, save), self.reload_after)

    def action_delete(self) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        key = self.need("Выберите занятие расписания.")
        if key is None:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.write(lists.delete_slot, int(key), done="Занятие удалено из расписания.")

        self.app.push_screen(ConfirmScreen("Удалить это занятие из расписания?", yes="Удалить", no="Отмена"), answer)
