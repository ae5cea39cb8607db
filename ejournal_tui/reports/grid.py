"""The attendance grid of a monthly spread, drawn by ReportLab itself.

xhtml2pdf lays out a table cell as a paragraph (~0.7–1 ms of CPU a cell, whatever the markup),
and a spread's grid has 200–600 cells: three quarters of the time of the whole sheet. ReportLab
draws a table of plain strings at ~30 µs a cell. So the template writes
`<pdf:attendance data="…"></pdf:attendance>` where the grid goes, the data as JSON in base64
(nothing in it is markup, so a name prints as typed), and this module's tag puts a ReportLab Table into
xhtml2pdf's story there: the rest of the sheet (headings, legend, lessons, footer) is still
xhtml2pdf's, and the grid flows with it as a table of the template did. The grid's look is that
of the stylesheet's `table.t.grid` (base.html): the same widths, borders, fonts and padding; its
text is text (searchable); a long name wraps within its column, a word longer than the column is
cut with «…».
"""

from __future__ import annotations

import base64
import json

MM = 72 / 25.4
SIZE = 7.5            # pt, table.grid
LEADING = SIZE * 1.25  # body's line-height
FONT, BOLD = "dejavusans_00", "dejavusans_10"
HEAD_BG, SUM_BG = "#eeeeee", "#f2f2f2"
NUMBER_MM, NAME_MM, ABSENT_MM, EXCUSED_MM = 6.0, 44.0, 8.0, 10.0
HEAD_PT, SUB_PT, SUM_PT = 13.0, 11.5, 13.0  # the heights xhtml2pdf gave the header and total rows
DAYS_MM = 86.0  # the date columns share this, each at most 10 mm


def data(month, chunk, last: bool) -> str:
    """One spread's grid for the tag's attribute: JSON in base64 (no quotes for html5lib to unescape,
    ~5 ms a sheet), what table() draws."""
    lessons = month.lessons
    return base64.b64encode(json.dumps({
        "days": [ls.held_on.day for ls in lessons],
        "rows": [[r.number, r.name, list(r.cells), r.absent or "", r.excused or ""] for r in chunk],
        "total": ([ls.present for ls in lessons],
                  month.totals.absent if month.totals else "", month.totals.excused if month.totals else "")
        if last else None,
    }, ensure_ascii=False).encode()).decode("ascii")


def table(spec: dict):
    """A ReportLab Table that looks like the grid of the template: two header rows (the dates under
    «Даты занятий», «н» and «уваж.» under «Пропущено»), a row per student, the «Присутствовало»
    row on the last sheet of a month; repeated headers if it ever splits."""
    from reportlab.lib import colors
    from reportlab.lib.utils import simpleSplit
    from reportlab.platypus import Table, TableStyle

    from ejournal_tui.reports.pdf import fit  # a word longer than the column: cut with «…»

    days, rows, total = spec["days"], spec["rows"], spec["total"]
    n = max(1, len(days))
    w = min(10.0, DAYS_MM / n)
    widths = [NUMBER_MM * MM, NAME_MM * MM, *[w * MM] * len(days), ABSENT_MM * MM, EXCUSED_MM * MM]
    name_room = NAME_MM * MM - 4  # the cell's padding
    last_col = len(widths) - 1
    first_day, absent_col = 2, 2 + len(days)

    head = ["№", "Фамилия, имя", "Даты занятий" if n * w >= 22 else "Даты", *[""] * (len(days) - 1),
            "Пропущено", ""]
    data = [head, ["", "", *[str(d) for d in days], "н", "уваж."]]
    for number, name, cells, absent, excused in rows:
        lines = [fit(line, name_room / MM, SIZE) for line in simpleSplit(str(name), FONT, SIZE, name_room)] or [""]
        data.append([str(number), "\n".join(lines), *[str(c) for c in cells], str(absent), str(excused)])
    if total is not None:
        present, absent, excused = total
        data.append(["Присутствовало", "", *[str(p) for p in present], str(absent), str(excused)])

    black = colors.black
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, SIZE, LEADING),
        ("GRID", (0, 0), (-1, -1), 0.5, black),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 2), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 2), (-1, -1), 1.2),  # td: 1.5pt 2pt 0.8pt; the row as high as xhtml2pdf's,
        ("BOTTOMPADDING", (0, 2), (-1, -1), 1.35),  # its text as high in it
        ("LEFTPADDING", (0, 2), (-1, -1), 2),
        ("RIGHTPADDING", (0, 2), (-1, -1), 2),
        ("ALIGN", (1, 2), (1, -1), "LEFT"),
        # the header: th of the stylesheet
        ("FONT", (0, 0), (-1, 1), BOLD, SIZE, LEADING),
        ("BACKGROUND", (0, 0), (-1, 1), colors.HexColor(HEAD_BG)),
        ("VALIGN", (0, 0), (-1, 1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, 1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, 1), 0.6),
        ("LEFTPADDING", (0, 0), (-1, 1), 1),
        ("RIGHTPADDING", (0, 0), (-1, 1), 1),
        ("SPAN", (0, 0), (0, 1)),
        ("SPAN", (1, 0), (1, 1)),
        ("SPAN", (first_day, 0), (absent_col - 1, 0)),
        ("SPAN", (absent_col, 0), (last_col, 0)),
    ]
    if total is not None:
        style += [
            ("SPAN", (0, -1), (1, -1)),
            ("ALIGN", (0, -1), (1, -1), "LEFT"),
            ("FONT", (0, -1), (-1, -1), BOLD, SIZE, LEADING),
            ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor(SUM_BG)),
        ]
    heights = [HEAD_PT, SUB_PT, *[None] * len(rows), *([SUM_PT] if total is not None else [])]
    return Table(data, colWidths=widths, rowHeights=heights, style=TableStyle(style), repeatRows=2, hAlign="LEFT")


_installed = False


def install() -> None:
    """Teach xhtml2pdf the tag <pdf:attendance data="JSON">: a ReportLab Table in the story there.
    xhtml2pdf finds a tag's class by name in its parser module (pisaTag + the tag without the colon,
    upper-cased) and its attributes in default.TAGS."""
    global _installed
    if _installed:
        return
    from xhtml2pdf import default, parser
    from xhtml2pdf.tags import pisaTag

    class pisaTagPDFATTENDANCE(pisaTag):  # the name xhtml2pdf looks up
        def start(self, c) -> None:
            c.addPara()
            c.addStory(table(json.loads(base64.b64decode(self.attr.data))))

    default.TAGS["pdfattendance"] = (0, {"data": (default.STRING, default.MUST)})
    parser.pisaTagPDFATTENDANCE = pisaTagPDFATTENDANCE
    _installed = True
