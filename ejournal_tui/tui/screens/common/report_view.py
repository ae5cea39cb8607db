"""Reports as tables (issue 5): attendance, program fulfilment, timeliness, users' activity,
the deputy director's end-of-iteration report, the numeric report — every number from SQL,
under the user's own role. Saved as CSV (UTF-8 with BOM, opens in spreadsheets) or as PDF."""

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Select

from ejournal_tui.db import lists
from ejournal_tui.errors import Invalid
from ejournal_tui.reports import catalog
from ejournal_tui.reports.catalog import REPORTS, Options, Report
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.screens.dialogs.form import Field, FormScreen

BY_NAMES = {"group": "по группам", "teacher": "по педагогам", "quantum": "по квантумам", "month": "по месяцам",
            "group_month": "по группам и месяцам"}
BY = {"attendance": catalog.ATTENDANCE_BY, "timeliness": catalog.TIMELINESS_BY}


class ReportScreen(TableScreen):
    TITLE = "Отчёты"
    HELP = """Отчёты по журналу: выберите отчёт, итерацию и разрез в строке сверху (Shift+Tab — к ним,
Enter — открыть список), таблица обновится. Числа считает база данных, с правами вашей роли.

«в» — сохранить в CSV (UTF-8 с меткой порядка байтов: табличные редакторы открывают кириллицу правильно), «ф» — в PDF
(в том же оформлении, что и твёрдая копия; отпечаток данных записывается). Файлы сохраняются в папку
~/ejournal (путь можно изменить)."""
    DEFAULT_CSS = """
    ReportScreen #rep-choices { height: 1; margin: 0 1; }
    ReportScreen #rep-name { width: 2fr; }
    ReportScreen #rep-iteration { width: 2fr; }
    ReportScreen #rep-by { width: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("в,d", "csv", "CSV", id="report.csv", tooltip="сохранить отчёт в CSV"),
        Binding("ф,a", "pdf", "PDF", id="report.pdf", tooltip="сохранить отчёт в PDF"),
    ]

    def __init__(self, name: str = "timeliness", iteration_id: int | None = None):
        super().__init__()
        self.report_name, self.iteration_id = name, iteration_id
        self.by: str | None = None
        self.choices: list[lists.Choice] | None = None
        self.report: Report | None = None
        self._options_set = False

    def compose_top(self) -> ComposeResult:
        with Horizontal(id="rep-choices"):
            yield Select([(title, key) for key, title in REPORTS.items()], value=self.report_name, allow_blank=False,
                         id="rep-name", compact=True)
            yield Select([], prompt="итерация", id="rep-iteration", compact=True)
            yield Select([], prompt="разрез", id="rep-by", compact=True)

    def info(self, key: str | None) -> str:
        return ""  # data is the whole Report: its row under the cursor says all there is

    def fetch(self) -> Report:
        if self.choices is None:
            self.choices = self.db.run(lists.iteration_choices, True)
            if self.iteration_id is None:
                from ejournal_tui.db.control import current_iteration

                self.iteration_id = self.db.run(current_iteration)
        opts = Options(iteration=self.iteration_id, by=self.by, today=self.today)
        if self.report_name == "activity":
            opts = Options(date_from=self.today.replace(day=1), date_to=self.today)
        return self.db.run(catalog.build, self.report_name, opts)

    def show(self, report: Report) -> None:
        self.report = report
        iteration = self.query_one("#rep-iteration", Select)
        if self.choices and not self._options_set:
            self._options_set = True
            with iteration.prevent(Select.Changed):
                iteration.set_options([(c.name, c.id) for c in self.choices])
                iteration.value = self.iteration_id if self.iteration_id else Select.NULL
        by = self.query_one("#rep-by", Select)
        with by.prevent(Select.Changed):
            options = BY.get(self.report_name, ())
            by.set_options([(BY_NAMES[b], b) for b in options])
            by.disabled = not options
            if options:
                by.value = self.by if self.by in options else options[0]
        iteration.disabled = self.report_name == "activity"
        self.set_title(f"[b]{esc(report.title)}[/b]" + (f" · {esc(report.subtitle)}" if report.subtitle else "")
                       + f" · строк: {len(report.rows)}")
        self.fill(report.headers, [(n, row) for n, row in enumerate(report.rows)], empty="нет данных")

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        value = event.value
        if event.select.id == "rep-name":
            self.report_name, self.by = value if isinstance(value, str) else self.report_name, None
        elif event.select.id == "rep-iteration":
            self.iteration_id = value if isinstance(value, int) else None
        elif event.select.id == "rep-by":
            self.by = value if isinstance(value, str) else None
        self.load()

    def _path_form(self, suffix: str, write) -> FormScreen:
        folder = self.app.export_dir if self.app.export_dir.is_dir() else Path.home()  # one that exists
        default = folder / f"{self.report_name}-{self.today:%Y-%m-%d}.{suffix}"
        return FormScreen(f"Сохранить отчёт в {suffix.upper()}", [Field("path", "Файл", str(default))], write,
                          save_label="Сохранить")

    def action_csv(self) -> None:
        from ejournal_tui.reports.text import to_csv

        report = self.report
        if report is None:
            return

        def write(conn, values: dict) -> str:
            return _write(values["path"], to_csv(report.headers, report.rows))

        self.app.push_screen(self._path_form("csv", write), self._saved)

    def action_pdf(self) -> None:
        report = self.report
        if report is None:
            return

        def write(conn, values: dict) -> str:
            from ejournal_tui.reports.output import report_pdf

            printed = report_pdf(conn, report, output=values["path"])  # the folder must exist: nothing is created
            return f"{printed.path} ({printed.pages} с., отпечаток {printed.fingerprint})"

        self.app.push_screen(self._path_form("pdf", write), self._saved)

    def _saved(self, result) -> None:
        if result is not None:
            self.notify(f"Сохранено: {result.result}", timeout=10, markup=False)


def _write(path: str, data: str | bytes) -> str:
    """Write a file into an existing folder (none is made that was not asked for); return where it went."""
    target = Path(path).expanduser()
    if not target.name:
        raise Invalid("Укажите имя файла")
    if not target.parent.is_dir():
        raise Invalid(f"Папки «{target.parent}» нет: выберите существующую папку")
    if isinstance(data, bytes):
        target.write_bytes(data)
    else:
        target.write_text(data, encoding="utf-8", newline="")
    return str(target)
