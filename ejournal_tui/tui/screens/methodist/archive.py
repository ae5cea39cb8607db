"""Archive an iteration at its end (regulation): first the checks — lessons without a topic or
with marks missing, planned dates never filled — then, confirmed, the iteration becomes
read-only for everyone (the database refuses every write to it)."""

from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType

from ejournal_tui.dates import fmt_date
from ejournal_tui.db import methodist
from ejournal_tui.db.methodist import ArchiveProblem, Iteration
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen


class ArchiveScreen(TableScreen[ArchiveProblem]):
    KEY = None
    TITLE = "Архивация итерации"
    HELP = """Перед архивацией — проверка журнала итерации: занятия без темы, без отметок, занятия по
расписанию, которых нет в журнале. Лучше сначала попросить педагогов исправить («з» — замечание
педагогу по выбранной строке; Enter — журнал группы).
«а» — архивировать: после этого журнал итерации не может изменить никто (это проверяет база данных);
его можно только смотреть и печатать."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("а,f", "archive", "архивировать", id="archive.run", tooltip="архивировать итерацию"),
        Binding("enter", "open", "журнал", id="archive.journal", key_display="⏎", tooltip="журнал группы"),
        Binding("з,p", "remark", "замечание", id="archive.remark", tooltip="замечание педагогу по этой строке"),
    ]

    def __init__(self, iteration: Iteration):
        super().__init__()
        self.iteration = iteration

    def fetch(self) -> list[ArchiveProblem]:
        return self.db.run(methodist.archive_problems, self.iteration.id)

    def show(self, data: list[ArchiveProblem]) -> None:
        name = esc(self.iteration.name)
        if data:
            self.set_title(f"[b]{name}[/b]: [yellow]незаполненных занятий {len(data)}[/yellow] — исправьте их "
                           "или архивируйте с ними («а»)")
        else:
            self.set_title(f"[b]{name}[/b]: журнал заполнен полностью — «а» архивировать")
        self.fill(("Группа", "Педагог", "Дата", "Что не так"),
                  [(n, (p.group_name, p.teacher_name, p.held_on, p.problem)) for n, p in enumerate(data)],
                  empty="проблем нет")

    def _problem(self) -> ArchiveProblem | None:
        return self.row(self.need("Выберите строку."))

    def action_open(self) -> None:
        from ejournal_tui.tui.screens.teacher.journal import JournalScreen

        if (p := self._problem()) is not None:
            self.app.push_screen(JournalScreen(p.group_id, p.held_on, read_only=True))

    def action_remark(self) -> None:
        from ejournal_tui.tui.screens.common.remarks import remark_form

        if (p := self._problem()) is None:
            return
        on = None if p.problem == "занятие не заполнено" else p.held_on  # a remark on a lesson needs the lesson
        body = f"Занятие {fmt_date(p.held_on)}: {p.problem}. Заполните, пожалуйста, до архивации итерации."
        self.open_with(_groups, lambda groups: remark_form(groups, p.group_id, on, body))

    def action_archive(self) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        if self.data is None:
            return
        problems = len(self.data)
        question = (f"Архивировать итерацию «{self.iteration.name}»?\n"
                    + (f"В журнале остаются незаполненные занятия: {problems}. " if problems else "")
                    + "После архивации журнал итерации не сможет изменить никто.")

        def answer(yes: bool | None) -> None:
            if yes:
                self._archive(problems > 0)

        self.app.push_screen(ConfirmScreen(question, yes="Архивировать", no="Отмена"), answer)

    @work(thread=True, exclusive=True, exit_on_error=False, group="archive-run")
    def _archive(self, accept: bool) -> None:
        self.db.run(methodist.archive, self.iteration.id, accept)
        self.app.call_from_thread(self._done)

    def _done(self) -> None:
        self.notify(f"Итерация «{self.iteration.name}» в архиве: журнал только для чтения.", timeout=8)
        self.dismiss(True)


def _groups(conn):
    from ejournal_tui.db import lists

    return lists.group_choices(conn)
