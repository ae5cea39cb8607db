"""The methodist's list of students: search by name, add, edit (with the duplicate warning),
guardians, enroll into a group, expel or transfer by an order."""

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input

from ejournal_tui.db import lists
from ejournal_tui.db.lists import StudentRow
from ejournal_tui.errors import NotFound
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.widgets.table import clip

NAME_WIDTH = 26  # at 80 columns the date, class, groups, consent and guardians stay in view


class StudentsListScreen(TableScreen[StudentRow]):
    TITLE = "Обучающиеся"
    HELP = """Списки обучающихся ведёт методист на основании приказов (Положение, раздел 4).

Наберите в строке поиска начало фамилии (и имени) — список сузится; ↓ или Tab — к списку.
Перед сохранением нового обучающегося проверяется, нет ли уже такого (те же фамилия, имя и дата
рождения). Согласие родителей на обработку персональных данных записывается с датой — у
обучающегося и у каждого родителя (законного представителя).

Delete — удалить обучающегося, введённого по ошибке. База данных не даст удалить того, кто уже
зачислялся в группы или отмечен в журнале: выбывшего отчисляют по приказу («в»)."""
    DEFAULT_CSS = "StudentsListScreen #st-search { margin: 0 1; }"
    AUTO_FOCUS = "#st-search"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "карточка", id="students.edit", key_display="⏎",
                tooltip="карточка обучающегося: изменить данные"),
        Binding("д,l", "add", "добавить", id="students.add", tooltip="добавить обучающегося"),
        Binding("р,h", "guardians", "родители", id="students.guardians",
                tooltip="родители (законные представители) и их согласие на обработку данных"),
        Binding("з,p", "enroll", "зачислить", id="students.enroll", tooltip="зачислить в группу по приказу"),
        Binding("в,d", "leave", "выбытие", id="students.leave", tooltip="отчислить или перевести по приказу"),
        Binding("delete", "delete", "удалить", id="students.delete", show=False,
                tooltip="удалить обучающегося, введённого по ошибке (если он нигде не числился)"),
        Binding("ctrl+f", "search", "поиск", id="students.search", show=False, tooltip="искать по фамилии и имени"),
    ]

    def compose_top(self) -> ComposeResult:
        yield Input(placeholder="поиск: начало фамилии и имени, Enter — к списку", id="st-search", compact=True)

    def __init__(self):
        super().__init__()
        self.search = ""  # what the search line holds; read by the worker, set on the UI thread

    def fetch(self) -> list[StudentRow]:
        return self.db.run(lists.find_students, self.search)

    def show(self, data: list[StudentRow]) -> None:
        query = self.search.strip()
        found = f"найдено: {len(data)}" + (" (показаны первые)" if len(data) >= 300 else "")
        self.set_title(f"[b]Обучающиеся[/b] · {esc(query) + ' · ' if query else ''}{found}")
        self.fill(("ФИО", "Рождён(а)", "Кл.", "Группы", "Согласие ПД", "Род."),
                  [(s.id, (clip(s.full_name, NAME_WIDTH), s.birth_date, s.school_class, clip(s.groups or "—", 14),
                           s.pd_consent_on or "нет", s.guardians)) for s in data],
                  empty="никого не найдено")

    def describe(self, s: StudentRow) -> str:
        clearance = "есть" if s.medical_clearance else "[yellow]нет[/yellow]"
        return (f"{esc(s.full_name)} · {esc(s.groups or 'не в группе')} · {esc(s.school or 'школа не указана')} · "
                f"мед. допуск: {clearance}")

    @on(Input.Changed, "#st-search")
    def _search(self, event: Input.Changed) -> None:
        self.search = event.value
        self.load()

    @on(Input.Submitted, "#st-search")
    def _to_list(self) -> None:
        self.table.focus()

    def action_search(self) -> None:
        self.query_one("#st-search", Input).focus()

    def action_add(self) -> None:
        from ejournal_tui.tui.screens.methodist.student_form import student_form

        self.app.push_screen(student_form(None, None), self.reload_after)

    def action_open(self) -> None:
        from ejournal_tui.tui.screens.methodist.student_form import student_form

        if (key := self.need("Выберите обучающегося.")) is not None:
            self.open_with(lists.student, lambda data: student_form(int(key), data), int(key))

    def action_guardians(self) -> None:
        from ejournal_tui.tui.screens.methodist.guardians import GuardiansScreen

        if (s := self.row(self.need("Выберите обучающегося."))) is not None:
            self.app.push_screen(GuardiansScreen(s.id, s.full_name), self.reload_after)

    def action_enroll(self) -> None:
        from ejournal_tui.tui.screens.methodist.student_form import enroll_form

        if (s := self.row(self.need("Выберите обучающегося."))) is not None:
            self.open_with(lists.group_choices, lambda groups: enroll_form(s.id, s.full_name, groups, self.today))

    def action_leave(self) -> None:
        from ejournal_tui.tui.screens.methodist.student_form import leave_form

        if (s := self.row(self.need("Выберите обучающегося."))) is not None:
            self.open_with(_leave_data, lambda d: leave_form(s.full_name, d[0], d[1], self.today), s.id, self.today)

    def action_delete(self) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        if (s := self.row(self.need("Выберите обучающегося."))) is not None:
            def answer(yes: bool | None) -> None:
                if yes:
                    self.write(lists.delete_student, s.id, done=f"Обучающийся {s.full_name} удалён.")

            self.app.push_screen(ConfirmScreen(f"Удалить обучающегося {s.full_name}, введённого по ошибке?",
                                               yes="Удалить", no="Отмена"), answer)


def _leave_data(conn, student_id: int, today):
    enrollments = lists.student_enrollments(conn, student_id)
    if not any(e.open_on(today) for e in enrollments):
        raise NotFound("Обучающийся сейчас не числится ни в одной группе")
    return enrollments, lists.group_choices(conn)
