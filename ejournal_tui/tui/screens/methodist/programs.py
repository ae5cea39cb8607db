"""Programs (ДООП) of the quantums with the size of their КТП; add or change a program,
open its КТП (Enter) to see and import the topics."""

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from ejournal_tui.dates import typed
from ejournal_tui.db import lists, programs
from ejournal_tui.db.programs import ProgramInput, ProgramRow
from ejournal_tui.reports.text import cell
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.screens.dialogs.form import Field, FormScreen


class ProgramsScreen(TableScreen[ProgramRow]):
    TITLE = "Программы и КТП"
    HELP = """Дополнительные общеобразовательные общеразвивающие программы по квантумам: объём в часах,
дата утверждения, сколько тем и часов в КТП. Жёлтым — часы КТП не совпадают с объёмом программы.
Enter — КТП программы (там же загрузка КТП из файла CSV или вставленного списка), «д» — новая
программа, «к» — карточка программы, «в» — квантумы (новый квантум, изменить название)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "КТП", id="programs.open", key_display="⏎", tooltip="КТП программы"),
        Binding("д,l", "add", "новая", id="programs.add", tooltip="новая программа"),
        Binding("к,r", "edit", "карточка", id="programs.edit", tooltip="название, квантум, объём, дата утверждения"),
        Binding("в,d", "quantums", "квантумы", id="programs.quantums", tooltip="квантумы: новый, изменить название"),
    ]

    def fetch(self) -> list[ProgramRow]:
        return self.db.run(programs.programs)

    def show(self, data: list[ProgramRow]) -> None:
        self.set_title(f"[b]Программы[/b]: {len(data)}")
        self.fill(("Квантум", "Программа", "Часов", "Тем КТП", "Часов КТП"),
                  [(p.id, (p.quantum_name, p.name, p.total_hours, p.topics,
                           Text(cell(p.ktp_hours), style="" if p.ktp_hours == p.total_hours else "yellow")))
                   for p in data])

    def describe(self, p: ProgramRow) -> str:
        return esc(f"{p.name} · утверждена {typed(p.approved_on) or '—'}")

    def action_open(self) -> None:
        from ejournal_tui.tui.screens.methodist.ktp import KtpScreen

        if (p := self.row(self.need("Выберите программу."))) is not None:
            self.app.push_screen(KtpScreen(p.id, p.name), self.reload_after)

    def action_quantums(self) -> None:
        from ejournal_tui.tui.screens.methodist.quantums import QuantumsScreen

        self.app.push_screen(QuantumsScreen(), self.reload_after)

    def action_add(self) -> None:
        self.open_with(lists.quantum_choices, lambda q: _form(None, q))

    def action_edit(self) -> None:
        if (p := self.row(self.need("Выберите программу."))) is not None:
            self.open_with(lists.quantum_choices, lambda q: _form(p, q))


def _form(p: ProgramRow | None, quantums: list[lists.Choice]) -> FormScreen:
    fields = [
        Field("quantum_id", "Квантум", p.quantum_id if p else None, options=[(q.name, q.id) for q in quantums]),
        Field("name", "Название", p.name if p else "", max_length=300),
        Field("total_hours", "Объём, часов", cell(p.total_hours) if p else "", placeholder="например 72"),
        Field("approved_on", "Утверждена", typed(p.approved_on) if p else "", placeholder="ДД.ММ.ГГГГ"),
    ]
    program_id = p.id if p else None

    def save(conn, values: dict) -> int:
        return programs.save_program(conn, program_id, ProgramInput(**values))

    return FormScreen("Новая программа" if p is None else "Программа", fields, save)
