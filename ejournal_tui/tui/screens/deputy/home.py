"""The deputy director's control dashboard (regulation: periodic control of journal keeping — the
material covered, attendance, filling on time): per teacher or per quantum of an iteration.
Enter drills down to the groups, and from a group to its journal, read-only."""

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Select

from ejournal_tui.db import control, lists
from ejournal_tui.db.control import ControlRow
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.control import COLUMNS, metrics
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.widgets.table import short_name


class DeputyHomeScreen(TableScreen[ControlRow]):
    KEY = "key_id"
    TITLE = "Контроль ведения журнала"
    HELP = """Контроль ведения электронного журнала по педагогам или квантумам итерации («в» — сменить разрез):

* **Зан.** — проведено занятий; **С темой** — доля занятий с указанной темой;
* **КТП** — сколько часов КТП уже дано; **Посещ.** — посещаемость по отметкам;
* **В срок** — доля занятий, заполненных не позднее {edit_window}; **Не зап.** — занятия по расписанию,
  которых нет в журнале; **Замеч.** — незакрытые замечания.

Enter — группы педагога (квантума), оттуда Enter — журнал группы (только просмотр).
«з» — замечания, «и» — отчёт о работе педагогов с журналом по итогам итерации, «т» — все отчёты,
«к» — твёрдые копии журнала, переданные методистом."""
    DEFAULT_CSS = "DeputyHomeScreen #dep-iteration { margin: 0 1; width: 1fr; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "группы", id="deputy.open", key_display="⏎", tooltip="группы педагога или квантума"),
        Binding("в,d", "toggle_by", "разрез", id="deputy.toggle", tooltip="по педагогам или по квантумам"),
        Binding("з,p", "remarks", "замечания", id="deputy.remarks", tooltip="замечания педагогам"),
        Binding("и,b", "iteration_report", "итоги", id="deputy.iteration",
                tooltip="отчёт о работе педагогов с журналом по итогам итерации"),
        Binding("т,n", "reports", "отчёты", id="deputy.reports", tooltip="все отчёты"),
        Binding("к,r", "copies", "копии", id="deputy.copies", tooltip="твёрдые копии журнала"),
        Binding("ч,x", "accounts", "учётные записи", id="deputy.accounts", show=False,
                tooltip="запросы об учётной записи директора и журнал операций с учётными записями"),
        Binding("f5", "reload", "обновить", id="deputy.reload", show=False),
    ]

    def __init__(self):
        super().__init__()
        self.by = "teacher"
        self.iteration_id: int | None = None
        self.choices: list[lists.Choice] = []
        self.reminders: list = []
        self._options_set = False

    def compose_top(self) -> ComposeResult:
        yield Select([], prompt="итерация", id="dep-iteration", compact=True)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return action != "back"

    def fetch(self) -> list[ControlRow]:
        from ejournal_tui.db import methodist

        if not self.choices:
            self.choices = self.db.run(lists.iteration_choices, True)
            self.iteration_id = self.iteration_id or self.db.run(control.current_iteration)
        self.reminders = self.db.run(methodist.reminders, self.today)
        if self.iteration_id is None:
            return []
        return self.db.run(control.dashboard, self.by, self.iteration_id, self.today)

    def show(self, data: list[ControlRow]) -> None:
        select = self.query_one("#dep-iteration", Select)
        if self.choices and not self._options_set:
            self._options_set = True
            with select.prevent(Select.Changed):
                select.set_options([(c.name, c.id) for c in self.choices])
                if self.iteration_id:
                    select.value = self.iteration_id
        title = "[b]По педагогам[/b]" if self.by == "teacher" else "[b]По квантумам[/b]"
        notes = "".join(f"\n[yellow]• {esc(r.message)}[/yellow]" for r in self.reminders
                        if r.kind in ("schedule", "archive"))
        self.set_title(f"{title} · «в» — {'по квантумам' if self.by == 'teacher' else 'по педагогам'}, "
                       f"Enter — группы{notes}")
        first = "Педагог" if self.by == "teacher" else "Квантум"
        self.fill((first, *COLUMNS),
                  [(r.key_id, (short_name(r.name) if self.by == "teacher" else r.name, *metrics(r))) for r in data],
                  empty="в итерации нет групп")

    def describe(self, r: ControlRow) -> str:
        return esc(f"{r.name} ({r.detail or ''}): занятий с темой {r.with_topic} из {r.lessons}; "
                   f"в срок {r.on_time}, позже {r.late}, не заполнено {r.missing}")

    @on(Select.Changed, "#dep-iteration")
    def _iteration(self, event: Select.Changed) -> None:
        if isinstance(event.value, int) and event.value != self.iteration_id:
            self.iteration_id = event.value
            self.load()

    def action_toggle_by(self) -> None:
        self.by = "quantum" if self.by == "teacher" else "teacher"
        self.load()

    def action_open(self) -> None:
        from ejournal_tui.tui.screens.deputy.groups import ControlGroupsScreen

        key = self.need("Выберите строку.")
        if key is None:
            return
        if self.by == "teacher":
            screen = ControlGroupsScreen(teacher_id=int(key), iteration_id=self.iteration_id)
        else:
            screen = ControlGroupsScreen(quantum_id=int(key), iteration_id=self.iteration_id)
        self.app.push_screen(screen, self.reload_after)

    def action_remarks(self) -> None:
        from ejournal_tui.tui.screens.common.remarks import RemarksScreen

        self.app.push_screen(RemarksScreen(), self.reload_after)

    def action_iteration_report(self) -> None:
        from ejournal_tui.tui.screens.common.report_view import ReportScreen

        self.app.push_screen(ReportScreen("iteration", self.iteration_id))

    def action_reports(self) -> None:
        from ejournal_tui.tui.screens.common.report_view import ReportScreen

        self.app.push_screen(ReportScreen("timeliness", self.iteration_id))

    def action_copies(self) -> None:
        from ejournal_tui.tui.screens.deputy.copies import HardCopiesScreen

        self.app.push_screen(HardCopiesScreen(self.iteration_id))

    def action_accounts(self) -> None:
        from ejournal_tui.tui.screens.common.account_requests import AccountRequestsScreen

        self.app.push_screen(AccountRequestsScreen())

    def action_back(self) -> None:
        """The home screen stays; F2 changes the role."""
