"""Hard copies of the journal printed for the iteration (regulation: the deputy director receives
them from the methodist by quantum): title, sheets, the data fingerprint, who printed, when."""


from ejournal_tui.db import control
from ejournal_tui.db.control import HardCopy
from ejournal_tui.tui.screens.table_screen import TableScreen


class HardCopiesScreen(TableScreen):
    TITLE = "Твёрдые копии журнала"
    HELP = """Напечатанные твёрдые копии журнала итерации: что напечатано, сколько листов, отпечаток данных
(он стоит внизу каждого листа — по нему бумажную копию сверяют с базой), кто и когда печатал."""
    def __init__(self, iteration_id: int | None):
        super().__init__()
        self.iteration_id = iteration_id

    def fetch(self) -> list[HardCopy]:
        return self.db.run(control.hard_copies, self.iteration_id)

    def show(self, data: list[HardCopy]) -> None:
        self.set_title(f"[b]Твёрдые копии журнала[/b]: {len(data)}")
        self.fill(("Документ", "Листов", "Отпечаток", "Печатал(а)", "Когда"),
                  [(c.id, (c.title, c.pages, c.fingerprint, c.printed_by_name, c.printed_at)) for c in data],
                  empty="журнал этой итерации ещё не печатали")
