"""Quantums of the organization (the methodist's list): a new quantum, a new name. The database
lets only the methodist of the organization write them and checks the name; a refusal is
explained in the dialog, which stays open with what was typed."""

from typing import ClassVar

from textual.binding import Binding, BindingType

from ejournal_tui.db import quantums
from ejournal_tui.db.quantums import QuantumInput, QuantumRow
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.screens.dialogs.form import Field, FormScreen


class QuantumsScreen(TableScreen[QuantumRow]):
    TITLE = "Квантумы"
    HELP = """Квантумы организации — направления, по которым написаны программы и набраны группы.
«д» — новый квантум, Enter или «к» — изменить название (программы, группы и журналы квантума
показывают новое название сразу; в архиве остаётся прежнее). Название — до 100 символов и не
повторяет другой квантум. Изменять квантумы может только методист организации."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "изменить", id="quantums.open", key_display="⏎", tooltip="изменить название"),
        Binding("д,l", "add", "новый", id="quantums.add", tooltip="новый квантум"),
        Binding("к,r", "open", "название", id="quantums.edit", show=False, tooltip="изменить название квантума"),
    ]

    def fetch(self) -> list[QuantumRow]:
        return self.db.run(quantums.quantums)

    def show(self, data: list[QuantumRow]) -> None:
        self.set_title(f"[b]Квантумы[/b]: {len(data)}")
        self.fill(("Квантум", "Программ", "Групп"), [(q.id, (q.name, q.programs, q.groups)) for q in data],
                  empty="квантумов нет — «д» добавить")

    def describe(self, q: QuantumRow) -> str:
        return esc(f"{q.name}: программ {q.programs}, групп в текущих итерациях {q.groups}")

    def action_add(self) -> None:
        self.app.push_screen(quantum_form(None), self.reload_after)

    def action_open(self) -> None:
        if (q := self.row(self.need("Выберите квантум."))) is not None:
            self.app.push_screen(quantum_form(q), self.reload_after)


def quantum_form(q: QuantumRow | None) -> FormScreen:
    quantum_id = q.id if q else None

    def save(conn, values: dict) -> int:
        return quantums.save_quantum(conn, quantum_id, QuantumInput(**values))

    return FormScreen("Новый квантум" if q is None else "Квантум",
                      [Field("name", "Название", q.name if q else "", max_length=100)], save)
