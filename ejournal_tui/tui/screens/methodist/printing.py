"""The hard copy of a quantum's journal for an iteration (regulation: the methodist hands the
hard copies over to the deputy director; the director signs and stamps them): collected under
the user's role and rendered in a process of its own (so the TUI's memory stays as it was) with
a progress bar, saved as PDF, and its fingerprint recorded so the paper can be matched to the
database later. The folder of the file must exist: nothing is created that was not asked for."""

from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, ProgressBar, Select, Static

from ejournal_tui.db import lists
from ejournal_tui.db import reports as q
from ejournal_tui.reports import journal, print_worker
from ejournal_tui.tui.screens.common.base import BaseScreen, esc


class PrintScreen(BaseScreen):
    TITLE = "Печать журнала"
    HELP = """Твёрдая копия электронного журнала квантума за итерацию — для прошивки, подписей педагогов
квантума и директора и печати организации (Положение, п. 2.3). Выберите итерацию и квантум, проверьте
имя файла и нажмите Ctrl+S (или кнопку «Печать»). PDF собирается несколько секунд — ход показывает
полоса; работать в других окнах можно и в это время.
На каждой странице — номер листа и отпечаток данных; отпечаток записывается в базу, чтобы бумажную
копию можно было сверить с журналом («ejournal print lookup ОТПЕЧАТОК»).
Печатайте односторонне: номер листа стоит на каждой странице, один лист — одна страница.
Копия для прошивки (с заключительным листом «Прошнуровано, пронумеровано…») получается только для
завершённой итерации, в которой внесены все занятия и отметки; иначе — РАБОЧАЯ КОПИЯ на каждом листе.
Папка файла должна существовать."""
    DEFAULT_CSS = """
    PrintScreen #pr-box { padding: 1 2; height: auto; }
    PrintScreen .pr-row { height: 1; margin-bottom: 1; }
    PrintScreen .pr-row Label { width: 12; }
    PrintScreen .pr-row Select, PrintScreen .pr-row Input { width: 1fr; }
    PrintScreen #pr-progress { margin: 1 0; }
    PrintScreen #pr-status { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "print", "печать", id="print.run", tooltip="собрать PDF журнала"),
        Binding("escape", "back", "назад", id="print.back"),
    ]

    def __init__(self):
        super().__init__()
        self.busy = False
        self.printed: SimpleNamespace | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="pr-box"):
            yield Static("[b]Твёрдая копия журнала квантума за итерацию[/b]")
            with Horizontal(classes="pr-row"):
                yield Label("Итерация")
                yield Select([], prompt="итерация", id="pr-iteration", compact=True)
            with Horizontal(classes="pr-row"):
                yield Label("Квантум")
                yield Select([], prompt="квантум", id="pr-quantum", compact=True)
            with Horizontal(classes="pr-row"):
                yield Label("Файл")
                yield Input(id="pr-path", compact=True)
            yield Static("Печатайте [b]односторонне[/b]: один лист — одна страница.", id="pr-note")
            yield Button("Печать (Ctrl+S)", variant="primary", id="pr-run", compact=True)
            yield ProgressBar(total=100, show_eta=False, id="pr-progress")
            yield Static("", id="pr-status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load_iterations()

    @work(thread=True, exclusive=True, exit_on_error=False, group="print-choices")
    def load_iterations(self) -> None:
        from ejournal_tui.db.control import current_iteration

        choices = self.db.run(lists.iteration_choices, True)
        current = self.db.run(current_iteration)
        self.app.call_from_thread(self._iterations, choices, current)

    def _iterations(self, choices: list[lists.Choice], current: int | None) -> None:
        select = self.query_one("#pr-iteration", Select)
        select.set_options([(c.name, c.id) for c in choices])
        if current is not None:
            select.value = current
        select.focus()

    @on(Select.Changed, "#pr-iteration")
    def _iteration(self, event: Select.Changed) -> None:
        if event.value != Select.NULL:
            self.load_quantums(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print-choices")
    def load_quantums(self, iteration_id: int) -> None:
        quantums = self.db.run(q.quantums_with_groups, iteration_id)
        self.app.call_from_thread(self._quantums, quantums)

    def _quantums(self, quantums: list[q.Choice]) -> None:
        select = self.query_one("#pr-quantum", Select)
        select.set_options([(f"{c.name} (групп: {c.detail})", c.id) for c in quantums])
        if quantums:
            select.value = quantums[0].id
        else:
            self.query_one("#pr-status", Static).update("[yellow]В этой итерации нет групп.[/yellow]")

    @on(Select.Changed, "#pr-quantum")
    def _quantum(self, event: Select.Changed) -> None:
        if event.value == Select.NULL:
            return
        it = self.query_one("#pr-iteration", Select).value
        folder = self.app.export_dir if self.app.export_dir.is_dir() else Path.home()  # one that exists
        self.query_one("#pr-path", Input).value = str(folder / f"journal-{it}-{event.value}.pdf")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_print()

    def action_print(self) -> None:
        if self.busy:
            self.notify("Печать уже идёт.", severity="warning")
            return
        it = self.query_one("#pr-iteration", Select).value
        quantum = self.query_one("#pr-quantum", Select).value
        path = self.query_one("#pr-path", Input).value.strip()
        if it == Select.NULL or quantum == Select.NULL:
            self.notify("Выберите итерацию и квантум.", severity="warning")
            return
        if not path:
            self.notify("Укажите файл.", severity="warning")
            return
        try:
            target = journal.check_output(path)
        except journal.JournalError as exc:
            self.query_one("#pr-status", Static).update(f"[red]{esc(str(exc))}[/red]")
            self.notify(str(exc), title="Журнал не напечатан", severity="error", markup=False)
            return
        path = str(target)
        self.busy = True
        self.query_one(ProgressBar).update(total=100, progress=0)
        self.query_one("#pr-status", Static).update("Сбор данных…")
        self._print(it, quantum, path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print-run")
    def _print(self, iteration_id: int, quantum_id: int, path: str) -> None:
        def progress(done: int, total: int, label: str) -> None:
            self.app.call_from_thread(self._progress, done, total, label)

        try:
            done = print_worker.run(self.db.conninfo, {"iteration": iteration_id, "quantum": quantum_id,
                                                       "output": path}, progress)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._done, SimpleNamespace(**done), path)

    def _progress(self, done: int, total: int, label: str) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)
        self.query_one("#pr-status", Static).update(f"Вёрстка: {esc(label)} ({done} из {total})")

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self.query_one("#pr-status", Static).update(f"[red]{esc(self.app.error_text(exc))}[/red]")
        self.app.show_error(exc, title="Журнал не напечатан")

    def _done(self, printed: SimpleNamespace, path: str) -> None:
        self.busy = False
        self.printed = printed
        bar = self.query_one(ProgressBar)
        bar.update(total=bar.total or 1, progress=bar.total or 1)
        if printed.binding:
            what = "Копия для прошивки: распечатайте односторонне, прошейте и передайте заместителю директора."
        else:
            what = ("[yellow]РАБОЧАЯ КОПИЯ[/yellow] (не для прошивки): "
                    + esc("; ".join(printed.working_reasons)) + ". Печатайте односторонне.")
        self.query_one("#pr-status", Static).update(
            f"[green]Готово:[/green] {esc(path)}\nЛистов: {printed.pages} · отпечаток данных [b]{printed.fingerprint}"
            f"[/b] (записан в базу). {what}")
        self.notify(f"Журнал сохранён: {printed.pages} л.", timeout=8)

    def action_back(self) -> None:
        if self.busy:
            self.notify("Дождитесь окончания печати.", severity="warning")
            return
        self.dismiss(None)
