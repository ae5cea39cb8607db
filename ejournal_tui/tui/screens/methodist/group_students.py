"""One group's list by orders: who was enrolled when and by which order, who left, when, why.
Enter — expel or transfer the student under the cursor by an order."""

from typing import ClassVar

from textual.binding import Binding, BindingType

from ejournal_tui.db import lists
from ejournal_tui.db.lists import EnrollmentRow
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen


class GroupStudentsScreen(TableScreen[EnrollmentRow]):
    TITLE = "Список группы"
    HELP = """Обучающиеся группы с датами и номерами приказов о зачислении и выбытии.
Enter — отчислить или перевести в другую группу по приказу (дата выбытия — первый день вне группы).
Зачисляют из списка обучающихся (клавиша «з» там)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "выбытие", id="group_students.leave", key_display="⏎",
                tooltip="отчислить или перевести по приказу"),
    ]

    def __init__(self, group_id: int, group_name: str):
        super().__init__()
        self.group_id, self.group_name = group_id, group_name

    def fetch(self) -> list[EnrollmentRow]:
        return self.db.run(lists.group_enrollments, self.group_id)

    def show(self, data: list[EnrollmentRow]) -> None:
        now = sum(1 for e in data if e.open_on(self.today))
        self.set_title(f"[b]{esc(self.group_name)}[/b]: в группе {now}, всего записей {len(data)}")
        self.fill(("Обучающийся", "Зачислен", "Приказ", "Выбыл", "Приказ", "Причина"),
                  [(e.id, (e.student_name, e.enrolled_on, e.enroll_order, e.left_on, e.leave_order, e.leave_reason))
                   for e in data])

    def action_open(self) -> None:
        from ejournal_tui.tui.screens.methodist.student_form import leave_form

        key = self.need("Выберите обучающегося.")
        e = self.row(key)
        if e is None:
            return
        if not e.open_on(self.today):
            self.notify("Обучающийся уже выбыл из группы.", severity="warning")
            return
        self.open_with(lists.group_choices, lambda groups: leave_form(e.student_name, [e], groups, self.today))
