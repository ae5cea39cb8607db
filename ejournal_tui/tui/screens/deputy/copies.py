"""Hard copies of the journal printed for the iteration (regulation: the deputy director receives
them from the methodist by quantum): title, sheets, the data fingerprint, who printed, when, and
who received it when."""

from typing import ClassVar

from textual.binding import Binding, BindingType

from ejournal_tui.dates import fmt_dt
from ejournal_tui.db import control
from ejournal_tui.db.control import HardCopy
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.widgets.table import short_name


class HardCopiesScreen(TableScreen[HardCopy]):
    TITLE = "Твёрдые копии журнала"
    HELP = """Напечатанные твёрдые копии журнала итерации: что напечатано, сколько листов, отпечаток данных
(он стоит внизу каждого листа — по нему бумажную копию сверяют с базой), кто и когда печатал.

По Положению методист передаёт твёрдые копии заместителю директора. «п» — отметить, что копия
получена: база записывает, кто и когда её принял."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("п,g", "receive", "получена", id="copies.receive",
                tooltip="отметить получение твёрдой копии от методиста"),
    ]

    def __init__(self, iteration_id: int | None):
        super().__init__()
        self.iteration_id = iteration_id

    def fetch(self) -> list[HardCopy]:
        return self.db.run(control.hard_copies, self.iteration_id)

    def show(self, data: list[HardCopy]) -> None:
        waiting = sum(1 for c in data if c.received_at is None)
        self.set_title(f"[b]Твёрдые копии журнала[/b]: {len(data)}, не получено: {waiting}")
        self.fill(("Документ", "Листов", "Отпечаток", "Получена", "Печатал(а)"),
                  [(c.id, (c.title, c.pages, c.fingerprint,
                           f"{fmt_dt(c.received_at)}, {short_name(c.received_by_name)}" if c.received_at else "нет",
                           short_name(c.printed_by_name)))
                   for c in data],
                  empty="журнал этой итерации ещё не печатали")

    def describe(self, c: HardCopy) -> str:
        got = f"получена {fmt_dt(c.received_at)}: {c.received_by_name}" if c.received_at else "не получена («п»)"
        return esc(f"напечатана {fmt_dt(c.printed_at)}: {c.printed_by_name or '—'} · {got}")

    def action_receive(self) -> None:
        c = self.row(self.need("Выберите копию."))
        if c is not None:
            if c.received_at is not None:
                self.notify(f"Копия уже получена {fmt_dt(c.received_at)}.")
            else:
                self.write(control.receive_hard_copy, c.id, done="Получение твёрдой копии записано.")
