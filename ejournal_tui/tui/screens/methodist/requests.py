"""Teachers' open requests to correct a student's data, oldest first; Enter — accept or decline."""

from typing import ClassVar

from textual.binding import Binding, BindingType

from ejournal_tui.db import methodist
from ejournal_tui.db.methodist import ChangeRequest
from ejournal_tui.journal_models import FIELD_NAME
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen


class RequestsScreen(TableScreen[ChangeRequest]):
    TITLE = "Запросы на исправление данных"
    HELP = """Педагоги ежемесячно проверяют данные обучающихся и сообщают методисту об изменениях.
Enter — принять запрос (фамилия, имя, отчество, школа, класс, адрес и телефон исправляются сами; прочее
исправьте в карточке обучающегося) или отклонить с причиной — педагог увидит ответ."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "решение", id="requests.resolve", key_display="⏎", tooltip="принять или отклонить"),
    ]

    def fetch(self) -> list[ChangeRequest]:
        return self.db.run(methodist.change_requests)

    def show(self, data: list[ChangeRequest]) -> None:
        self.set_title(f"[b]Открытые запросы педагогов[/b]: {len(data)}")
        self.fill(("Дата", "Обучающийся", "Что", "Сейчас", "Предлагается", "От"),
                  [(r.id, (r.created_at.date(), r.student_name, FIELD_NAME.get(r.field, r.field), r.current,
                           r.proposed, r.created_by_name)) for r in data])

    def describe(self, r: ChangeRequest) -> str:
        return esc(f"{r.group_name}: {r.proposed}")

    def action_open(self) -> None:
        from ejournal_tui.tui.screens.methodist.request import resolve_dialog

        key = self.need("Выберите запрос.")
        r = self.row(key)
        if r is not None:
            self.app.push_screen(resolve_dialog(r), self.reload_after)
