"""КТП import: a CSV file or a pasted list «тема; часы» → a preview checked by the database line
by line (errors shown per line) → Ctrl+S writes the КТП in one transaction."""

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static, TextArea

from ejournal_tui.db import programs
from ejournal_tui.db.programs import KtpLine
from ejournal_tui.reports.text import cell
from ejournal_tui.tui.screens.common.base import BaseScreen, esc
from ejournal_tui.tui.widgets.table import fill

EXAMPLE = "Вводное занятие. Техника безопасности; 2\nОсновы алгоритмизации; 4"


class KtpImportScreen(BaseScreen):
    TITLE = "Загрузка КТП"
    HELP = f"""Каждая строка — тема и часы через «;» (или табуляцию — так копируется из таблицы), например:

    {EXAMPLE.replace(chr(10), chr(10) + '    ')}

Номер в начале строки и строка заголовка пропускаются. Файл CSV (кодировка UTF-8 или 1251): путь в
верхней строке и Enter. Проверка идёт сразу, ошибки — по строкам. Ctrl+S — загрузить: темы КТП станут
ровно такими, по порядку (тема № N обновится на месте, занятия сохранят свою тему). Esc — назад."""
    DEFAULT_CSS = """
    KtpImportScreen #ktp-head, KtpImportScreen #ktp-summary { height: auto; padding: 0 1; background: $boost; }
    KtpImportScreen #ktp-file { margin: 0 1; }
    KtpImportScreen #ktp-text { height: 7; margin: 0 1; }
    KtpImportScreen #ktp-preview { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "загрузить", id="ktp_import.save", tooltip="загрузить проверенный КТП"),
        Binding("escape", "back", "назад", id="ktp_import.back"),
    ]

    def __init__(self, program_id: int, program_name: str):
        super().__init__()
        self.program_id, self.program_name = program_id, program_name
        self.lines: list[dict] = []
        self.checked: list[KtpLine] | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"[b]КТП: {esc(self.program_name)}[/b] — вставьте строки «тема; часы» или укажите файл CSV",
                     id="ktp-head")
        yield Input(placeholder="путь к файлу CSV и Enter (или вставьте текст ниже)", id="ktp-file")
        yield TextArea(id="ktp-text")
        yield Static("Строк нет.", id="ktp-summary")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="ktp-preview")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#ktp-file", Input).focus()  # the screen asks for a file first

    @on(Input.Submitted, "#ktp-file")
    def _file(self, event: Input.Submitted) -> None:
        self._read(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="ktp-file")
    def _read(self, path: str) -> None:
        text = programs.read_ktp_file(path)
        self.app.call_from_thread(self._put, text)

    def _put(self, text: str) -> None:
        area = self.query_one("#ktp-text", TextArea)
        area.load_text(text)
        area.focus()

    @on(TextArea.Changed, "#ktp-text")
    def _changed(self) -> None:
        self.checked = None
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.4, self.check)

    def check(self) -> None:
        self.lines = programs.parse_ktp(self.query_one("#ktp-text", TextArea).text)
        if not self.lines:
            self._show([])
            return
        self._check(self.lines)

    @work(thread=True, exclusive=True, exit_on_error=False, group="ktp-check")
    def _check(self, lines: list[dict]) -> None:
        checked = self.db.run(programs.check_ktp, self.program_id, lines)
        self.app.call_from_thread(self._show, checked)

    def _show(self, checked: list[KtpLine]) -> None:
        self.checked = checked
        errors = [c for c in checked if c.error]
        hours = sum(c.hours or 0 for c in checked)
        summary = f"Тем: {len(checked)}, часов: {cell(hours)}"
        summary += (f" · [red]ошибок: {len(errors)}[/red] (строки {', '.join(str(c.line) for c in errors[:8])})"
                    if errors else " · ошибок нет: Ctrl+S — загрузить" if checked else "")
        self.query_one("#ktp-summary", Static).update(summary if checked else "Строк нет.")
        fill(self.query_one("#ktp-preview", DataTable), ("Строка", "№", "Тема", "Часы", "Ошибка"),
             [(c.line, (c.line, c.position, c.title, c.hours, Text(c.error or "", style="red"))) for c in checked],
             empty="строк нет")

    def action_save(self) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        if self.checked is None:
            self.notify("Дождитесь проверки строк.", severity="warning")
            return
        if not self.checked:
            self.notify("Нет ни одной строки КТП.", severity="warning")
            return
        if any(c.error for c in self.checked):
            self.notify("Сначала исправьте строки с ошибками.", severity="warning")
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._save(self.lines)

        self.app.push_screen(ConfirmScreen(f"Заменить КТП программы «{self.program_name}» этими темами "
                                           f"({len(self.checked)})?", yes="Загрузить", no="Отмена"), answer)

    @work(thread=True, exclusive=True, exit_on_error=False, group="ktp-save")
    def _save(self, lines: list[dict]) -> None:
        saved = self.db.run(programs.import_ktp, self.program_id, lines)
        self.app.call_from_thread(self._saved, saved)

    def _saved(self, saved: list[KtpLine]) -> None:
        self.notify(f"КТП загружен: тем {len(saved)}.")
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(None)
