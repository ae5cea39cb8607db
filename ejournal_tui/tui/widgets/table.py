"""Filling a DataTable from rows of data: values shown as text (never read as markup), the
cursor kept where it was, one «нет» row when there is nothing."""

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from ejournal_tui.reports.text import cell

NONE = "none"


def _data_table_keys_but(*dropped: str) -> list[BindingType]:
    """DataTable's keys as Textual merges them (a subclass's binding of a key replaces its
    base's), from the classes' public BINDINGS, without `dropped`."""
    keys: dict[str, Binding] = {}
    for base in reversed(DataTable.__mro__):
        for binding in Binding.make_bindings(base.__dict__.get("BINDINGS", [])):
            keys[binding.key] = binding
    return [b for key, b in keys.items() if key not in dropped]


class ListTable(DataTable, inherit_bindings=False):
    """A DataTable whose Enter is the screen's (shown in the footer, F1 and Ctrl+P), not the
    table's own «select»: every other key as in DataTable. A mouse click on the row under the
    cursor still posts RowSelected."""

    BINDINGS: ClassVar[list[BindingType]] = _data_table_keys_but("enter")


def fill(table: DataTable, columns: Sequence[str], rows: Iterable[tuple[object, Sequence]],
         empty: str = "нет") -> None:
    """rows: (key, values); a value may be a rich Text (styled), anything else is shown as text.

    The columns are as wide as their widest cell, set here rather than measured by DataTable
    when it is next idle: a table refilled around that measurement once kept its columns as wide
    as their headers, and the teacher's home showed «01.10.2026» as «01.1»."""
    row = table.cursor_row
    body = [(str(key), [v if isinstance(v, Text) else Text(cell(v)) for v in values]) for key, values in rows]
    if not body:
        body = [(NONE, [Text(empty), *[Text("")] * (len(columns) - 1)])]
    table.clear(columns=True)
    for i, label in enumerate(columns):
        table.add_column(label, width=max([cell_len(label), *(c[i].cell_len for _, c in body if i < len(c))]))
    for key, cells in body:
        table.add_row(*cells, key=key)
    if 0 <= row < table.row_count:
        table.move_cursor(row=row, animate=False)


def selected(table: DataTable) -> str | None:
    """The key of the cursor row, None when the table is empty."""
    if table.row_count == 0:
        return None
    key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    return None if key == NONE else key


def clip(value, width: int) -> str:
    """A long text cut to the column's width with «…» (the whole of it is on the info line or
    the card): one long name must not push the other columns out of an 80-column screen."""
    text = cell(value)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def iteration_short(name: str | None) -> str:
    """«Итерация 2 (01.02.2026 – 30.05.2026)» → «Итерация 2»: the dates are in the iteration's list."""
    return (name or "").split(" (")[0]


def group_labels(groups: Iterable[tuple[int, str, int | None, str | None]]) -> dict[int, str]:
    """(group id, group name, iteration id, iteration name) → what a list shows for the group:
    «IT-1 · Итерация 2» when groups of several iterations are listed together (the same name
    recurs in each iteration), the bare name when they are all of one iteration."""
    groups = list(groups)
    several = len({iteration_id for _, _, iteration_id, _ in groups}) > 1
    return {gid: f"{name} · {iteration_short(it_name)}" if several else name
            for gid, name, _, it_name in groups}


def pct(value) -> str:
    return "—" if value is None else cell(value) + " %"


def short_name(full_name: str | None) -> str:
    """«Иванова Мария Петровна» → «Иванова М.П.»: names that fit a column at 80×24."""
    parts = (full_name or "").split()
    if len(parts) < 2:
        return full_name or ""
    return parts[0] + " " + "".join(p[0] + "." for p in parts[1:3])
