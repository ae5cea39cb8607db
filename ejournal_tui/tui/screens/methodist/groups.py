"""Groups of an iteration: program, teacher, room, students on the rolls, the weekly schedule.
Add or change a group, open its list (expel, transfer), its schedule, its journal (read-only)."""

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Select

from ejournal_tui.db import lists
from ejournal_tui.db.lists import GroupInput, GroupRow
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.screens.dialogs.form import Field, FormScreen
from ejournal_tui.tui.widgets.table import short_name


class GroupsScreen(TableScreen[GroupRow]):
    TITLE = "Группы"
    HELP = """Группы итерации (итерацию выберите в списке сверху: Shift+Tab, Enter).
Enter — список группы (отчисление и перевод по приказу), «р» — расписание группы, «ж» — журнал
группы (только просмотр), «д» — новая группа, «к» — карточка группы (программа, педагог, кабинет).
Группы и расписание следующей итерации создаёт перевод журнала на новую итерацию (раздел «Итерации»).
Delete — удалить группу, созданную по ошибке; база данных не даст удалить группу с занятиями или
зачисленными обучающимися."""
    DEFAULT_CSS = "GroupsScreen #gr-iteration { margin: 0 1; width: 1fr; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "список", id="groups.open", key_display="⏎", tooltip="список группы"),
        Binding("р,h", "schedule", "расписание", id="groups.schedule", tooltip="расписание группы"),
        Binding("ж,semicolon", "journal", "журнал", id="groups.journal", tooltip="журнал группы (просмотр)"),
        Binding("д,l", "add", "новая", id="groups.add", tooltip="новая группа"),
        Binding("к,r", "edit", "карточка", id="groups.edit", tooltip="карточка группы: программа, педагог, кабинет"),
        Binding("delete", "delete", "удалить", id="groups.delete", show=False,
                tooltip="удалить группу, созданную по ошибке (пока в ней нет занятий и обучающихся)"),
    ]

    def __init__(self):
        super().__init__()
        self.iteration_id: int | None = None
        self.choices: list[lists.Choice] = []
        self._options_set = False

    def compose_top(self) -> ComposeResult:
        yield Select([], prompt="итерация", allow_blank=True, id="gr-iteration", compact=True)

    def fetch(self):
        if not self.choices:
            self.choices = self.db.run(lists.iteration_choices, True)
            self.iteration_id = self.iteration_id or (self.choices[0].id if self.choices else None)
        return self.db.run(lists.groups, self.iteration_id)

    def show(self, data: list[GroupRow]) -> None:
        select = self.query_one("#gr-iteration", Select)
        if self.choices and not self._options_set:  # the choices arrive with the first load
            self._options_set = True
            with select.prevent(Select.Changed):
                select.set_options([(c.name, c.id) for c in self.choices])
                select.value = self.iteration_id
        self.set_title(f"[b]Группы[/b]: {len(data)}")
        self.fill(("Группа", "Квантум", "Педагог", "Детей", "Расписание"),
                  [(g.id, (g.name, g.quantum_name, short_name(g.teacher_name), g.students, g.slots or "нет"))
                   for g in data])

    def describe(self, g: GroupRow) -> str:
        return esc(f"{g.program_name} · {g.teacher_name} · кабинет: {g.room or '—'}")

    @on(Select.Changed, "#gr-iteration")
    def _iteration(self, event: Select.Changed) -> None:
        if isinstance(event.value, int) and event.value != self.iteration_id:
            self.iteration_id = event.value
            self.load()

    def action_open(self) -> None:
        from ejournal_tui.tui.screens.methodist.group_students import GroupStudentsScreen

        if (g := self.row(self.need("Выберите группу."))) is not None:
            self.app.push_screen(GroupStudentsScreen(g.id, g.name), self.reload_after)

    def action_schedule(self) -> None:
        from ejournal_tui.tui.screens.methodist.schedule import ScheduleScreen

        if (g := self.row(self.need("Выберите группу."))) is not None:
            self.app.push_screen(ScheduleScreen(g.id, g.name), self.reload_after)

    def action_journal(self) -> None:
        from ejournal_tui.tui.screens.teacher.journal import JournalScreen

        if (g := self.row(self.need("Выберите группу."))) is not None:
            self.app.push_screen(JournalScreen(g.id, read_only=True))

    def action_add(self) -> None:
        self.open_with(_choices, lambda c: _group_form(None, self.iteration_id, c))

    def action_edit(self) -> None:
        if (g := self.row(self.need("Выберите группу."))) is not None:
            self.open_with(_choices, lambda c: _group_form(g, g.iteration_id, c))

    def action_delete(self) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        if (g := self.row(self.need("Выберите группу."))) is not None:
            def answer(yes: bool | None) -> None:
                if yes:
                    self.write(lists.delete_group, g.id, done=f"Группа {g.name} удалена.")

            self.app.push_screen(ConfirmScreen(f"Удалить группу {g.name}, созданную по ошибке?",
                                               yes="Удалить", no="Отмена"), answer)


def _choices(conn):
    return lists.iteration_choices(conn), lists.program_choices(conn), lists.teacher_choices(conn)


def _group_form(g: GroupRow | None, iteration_id: int | None, choices) -> FormScreen:
    iterations, programs, teachers = choices
    fields = [
        Field("name", "Название", g.name if g else "", max_length=100),
        Field("program_id", "Программа", g.program_id if g else None, options=[(c.name, c.id) for c in programs]),
        Field("teacher_id", "Педагог", g.teacher_id if g else None, options=[(c.name, c.id) for c in teachers]),
        Field("room", "Кабинет", (g.room or "") if g else "", max_length=50),
    ]
    if g is None:
        fields.insert(0, Field("iteration_id", "Итерация", iteration_id,
                               options=[(c.name, c.id) for c in iterations]))
    group_id = g.id if g else None

    def save(conn, values: dict) -> int:
        values.setdefault("iteration_id", iteration_id)
        return lists.save_group(conn, group_id, GroupInput(**values))

    return FormScreen("Новая группа" if g is None else f"Группа {g.name}", fields, save)
