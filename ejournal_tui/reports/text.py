"""Reports as text: tabulate tables for the terminal (text, github) and CSV for spreadsheets.

CSV is UTF-8 with a byte-order mark, «;» between fields and a decimal comma, which is what
spreadsheet programs with Russian settings open without asking. A text cell that a spreadsheet
would take for a formula (it starts with =, +, -, @, a tab or CR) gets a leading apostrophe, as
spreadsheets expect (OWASP «CSV injection»); numbers stay numbers. Text tables for the terminal
show non-printable characters escaped (ejournal_tui.terminal.safe)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from ejournal_tui import dates
from ejournal_tui.errors import Invalid
from ejournal_tui.terminal import safe

FORMATS = ("text", "github", "csv")
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """One value as a person reads it: dates dd.mm.yyyy, decimal comma, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime):
        return dates.fmt_dt(value)
    if isinstance(value, date):
        return dates.fmt_date(value)
    if isinstance(value, Decimal | float):
        text = f"{Decimal(str(value)).normalize():f}"
        return text.replace(".", ",")
    return str(value)


def is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def table(headers: Sequence[str], rows: Sequence[Sequence], fmt: str = "text") -> str:
    """The rows as text in one of FORMATS. Numbers are right-aligned in text tables."""
    if fmt not in FORMATS:
        raise Invalid(f"формат: {', '.join(FORMATS)}")
    if fmt == "csv":
        return to_csv(headers, rows)
    from tabulate import tabulate  # here, not at the top: every screen's start imports this module

    numeric = [bool(rows) and all(is_number(r[i]) or r[i] is None for r in rows) for i in range(len(headers))]
    body = [[safe(cell(v)) for v in r] for r in rows]
    align = ["right" if n else "left" for n in numeric]
    return tabulate(body, headers=[safe(h) for h in headers], tablefmt="simple" if fmt == "text" else "github",
                    disable_numparse=True, colalign=align if headers else None)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence], *, bom: bool = True) -> str:
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    if headers:
        writer.writerow([csv_cell(h) for h in headers])
    for r in rows:
        writer.writerow([csv_cell(v) for v in r])
    return out.getvalue()


def csv_cell(value) -> str:
    """One CSV cell: a number as a number; text that would start a formula, neutralised."""
    text = cell(value)
    if not is_number(value) and text.startswith(FORMULA_START):
        return "'" + text
    return text
