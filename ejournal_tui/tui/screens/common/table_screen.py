"""The shape of the administration's lists: a title line, one table, a line about the row under
the cursor, the footer. Data is fetched in a thread worker (`fetch`, no Textual there) and shown
on the UI thread (`show`); writes go through `write`, which reloads the list when done."""

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from ejournal_tui.db.session import Unreachable
from ejournal_tui.tui.screens.common.base import BaseScreen, esc
from ejournal_tui.tui.widgets.table import ListTable, fill, selected

Item = TypeVar("Item")  # a row of the list: TableScreen[StaffRow]


class TableScreen(BaseScreen, Generic[Item]):
    KEY: ClassVar[str | None] = "id"  # the field of a row that is its key in the table; None: its position
    AUTO_FOCUS = "#list-table"
    DEFAULT_CSS = """
    TableScreen #list-title { height: auto; max-height: 6; padding: 0 1; background: $boost; }
    TableScreen #list-table { height: 1fr; }
    TableScreen #list-info { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "reload", "обновить", id="list.reload", show=False),
        Binding("escape", "back", "назад", id="list.back"),
    ]

    def __init__(self):
        super().__init__()
        self.data = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Загрузка…", id="list-title")
        yield from self.compose_top()
        yield ListTable(cursor_type="row", zebra_stripes=True, id="list-table")
        yield Static("", id="list-info")
        yield Footer(compact=True, show_command_palette=False)

    def compose_top(self) -> ComposeResult:
        yield from ()

    @property
    def table(self) -> DataTable:
        return self.query_one("#list-table", DataTable)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="list-load")
    def load(self) -> None:
        try:
            data = self.fetch()
        except Unreachable as exc:
            self.app.call_from_thread(self.set_title, f"[red]{esc(str(exc))}[/red] F5 — повторить.")
            return
        self.app.call_from_thread(self._loaded, data)

    def _loaded(self, data) -> None:
        self.data = data
        self.show(data)
        self.show_info()
        if self.focused is None:
            self.table.focus()

    def fetch(self):
        """Runs in a worker thread: the data of the screen, through self.db.run."""
        raise NotImplementedError

    def show(self, data) -> None:
        raise NotImplementedError

    def info(self, key: str | None) -> str:
        """A line about the row under the cursor (markup): describe() of the loaded row."""
        item = self.row(key)
        return "" if item is None else self.describe(item)

    def describe(self, item: Item) -> str:
        return ""

    def set_title(self, markup: str) -> None:
        self.query_one("#list-title", Static).update(markup)

    def fill(self, columns, rows, empty: str = "нет") -> None:
        fill(self.table, columns, rows, empty)

    @property
    def key(self) -> str | None:
        return selected(self.table)

    def row(self, key: str | None) -> Item | None:
        """The loaded item of the table row with this key (None: no such row)."""
        if key is None or not self.data:
            return None
        if self.KEY is None:
            return self.data[int(key)]
        return next((x for x in self.data if str(getattr(x, self.KEY)) == key), None)

    @on(DataTable.RowHighlighted)
    def show_info(self) -> None:
        if self.data is not None:
            self.query_one("#list-info", Static).update(self.info(self.key))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """Enter on a row."""

    def need(self, what: str = "Выберите строку в таблице.") -> str | None:
        """The key under the cursor, or a warning and None."""
        key = self.key
        if key is None:
            self.notify(what, severity="warning")
        return key

    @work(thread=True, exclusive=False, exit_on_error=False, group="list-write")
    def write(self, fn: Callable, *args, done: str = "", then: Callable | None = None) -> None:
        result = self.db.run(fn, *args)
        self.app.call_from_thread(self._written, result, done, then)

    def _written(self, result, done: str, then: Callable | None) -> None:
        if done:
            self.notify(done)
        if then is not None:
            then(result)
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="list-open")
    def open_with(self, fetch: Callable, build: Callable, *args) -> None:
        """Fetch what a dialog needs (choices, a record) in a worker, then open it; reload on close."""
        data = self.db.run(fetch, *args)
        def show() -> None:
            self.app.push_screen(build(data), self.reload_after)

        self.app.call_from_thread(show)

    def reload_after(self, _result=None) -> None:
        """A callback for pushed screens: show what they changed."""
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()
