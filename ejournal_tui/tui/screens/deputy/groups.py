"""The groups of one teacher or quantum with the same control numbers as the dashboard; Enter
opens a group's journal read-only, «з» writes a remark on the group."""

from typing import ClassVar

from textual.binding import Binding, BindingType

from ejournal_tui.db import control, lists
from ejournal_tui.db.control import ControlRow
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.control import COLUMNS, metrics
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.widgets.table import short_name


class ControlGroupsScreen(TableScreen[ControlRow]):
    KEY = "key_id"
    TITLE = "Группы: контроль"
    HELP = """Группы педагога (или квантума) с показателями ведения журнала, как на панели контроля.
Enter — журнал группы (только просмотр), «з» — замечание педагогу по группе."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "журнал", id="control_groups.open", key_display="⏎",
                tooltip="журнал группы (только просмотр)"),
        Binding("з,p", "remark", "замечание", id="control_groups.remark", tooltip="замечание педагогу по группе"),
    ]

    def __init__(self, teacher_id: int | None = None, quantum_id: int | None = None,
                 iteration_id: int | None = None):
        super().__init__()
        self.teacher_id, self.quantum_id, self.iteration_id = teacher_id, quantum_id, iteration_id

    def fetch(self) -> list[ControlRow]:
        if self.iteration_id is None:
            self.iteration_id = self.db.run(control.current_iteration)
        return self.db.run(control.dashboard, "group", self.iteration_id, self.today, self.teacher_id,
                           self.quantum_id)

    def show(self, data: list[ControlRow]) -> None:
        whose = data[0].detail if data and self.teacher_id else ""
        self.set_title(f"[b]Группы{(' · ' + esc(whose)) if whose else ''}[/b]: {len(data)} · Enter — журнал")
        self.fill(("Группа", *COLUMNS[1:]), [(r.key_id, (r.name, *metrics(r)[1:])) for r in data])

    def describe(self, r: ControlRow) -> str:
        return esc(f"{r.name}: {short_name(r.detail)}; занятий с темой {r.with_topic} из {r.lessons}")

    def action_open(self) -> None:
        from ejournal_tui.tui.screens.teacher.journal import JournalScreen

        if (key := self.need("Выберите группу.")) is not None:
            self.app.push_screen(JournalScreen(int(key), read_only=True))

    def action_remark(self) -> None:
        from ejournal_tui.tui.screens.common.remarks import remark_form

        if (key := self.need("Выберите группу.")) is not None:
            self.open_with(lists.group_choices, lambda groups: remark_form(groups, int(key)))
