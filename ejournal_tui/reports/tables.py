"""Tables of the hard copy drawn by ReportLab, looking like the stylesheet's `table.t`.

xhtml2pdf lays out every table cell as a paragraph (~0.7–1 ms of CPU a cell, more when the
table splits across pages), and the lessons of a monthly spread and the student list are most
of a journal's cells after the attendance grid (grid.py). ReportLab draws a cell of plain lines
at a few tens of µs. So the template writes `<pdf:plaintable data="…"></pdf:plaintable>` (the
data as JSON in base64, as the grid's: nothing in it is markup, so a name prints as typed) and
this module's tag puts a ReportLab Table into xhtml2pdf's story there.

The look is that of base.html: `td` (8 pt, or 7 pt for `table.list`; padding 1.5/2/0.8/2 pt,
0.5 pt black borders, top-aligned), `th` (bold, centred, grey, padding 1.2/1/0.6/1 pt),
`td.sum` (bold on light grey); column widths as the template gave them, the columns without
one sharing the rest of the frame. Text wraps at spaces only, as xhtml2pdf does (a phone number's
no-break spaces keep it whole); a cell's explicit line breaks are kept.

A spec is {"widths": [mm or null], "size": pt, "head": [cells], "rows": [[cells]],
"sums": number of last rows that are totals, "align": ["L" | "C" per column], "frame": mm}; a cell
is a string, or [text, {"span": n, "bold": 1, "align": "C", "size": pt}]; a row's spanned cells are left out.
"""

from __future__ import annotations

import base64
import json

from markupsafe import Markup

from ejournal_tui.dates import fmt_day

MM = 72 / 25.4
FONT, BOLD = "dejavusans_00", "dejavusans_10"
HEAD_BG, SUM_BG = "#eeeeee", "#f2f2f2"
LEADING = 1.25  # body's line-height


def markup(spec: dict) -> Markup:
    """The tag for a template: `{{ plain_table(spec) }}`."""
    data = base64.b64encode(json.dumps(spec, ensure_ascii=False, default=str).encode()).decode("ascii")
    return Markup(f'<pdf:plaintable data="{data}"></pdf:plaintable>')


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy lines of `text` no wider than `width` (pt), broken at plain spaces and at the
    text's own line breaks; a word longer than the line stays whole on a line of its own."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    space = stringWidth(" ", font, size)
    out: list[str] = []
    for para in str(text).split("\n"):
        line: list[str] = []
        used = -space
        for word in para.split(" "):
            if not word:
                continue
            w = stringWidth(word, font, size)
            if line and used + space + w > width:
                out.append(" ".join(line))
                line, used = [], -space
            line.append(word)
            used += space + w
        out.append(" ".join(line))
    return out


def table(spec: dict):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    size = float(spec["size"])
    leading = size * LEADING
    frame = float(spec["frame"])
    given = [w for w in spec["widths"] if w is not None]
    free = [w for w in spec["widths"] if w is None]
    rest = (frame - sum(given)) / len(free) if free else 0.0
    widths = [(w if w is not None else rest) * MM for w in spec["widths"]]
    ncols = len(widths)
    align = spec.get("align") or ["L"] * ncols
    head, rows = spec["head"], spec["rows"]
    sums = int(spec.get("sums", 0))
    body_from = 1 if head else 0
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), FONT, size, leading),
        ("TOPPADDING", (0, body_from), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, body_from), (-1, -1), 1.35),
        ("LEFTPADDING", (0, body_from), (-1, -1), 2),
        ("RIGHTPADDING", (0, body_from), (-1, -1), 2),
    ]
    for c, a in enumerate(align):
        if a == "C":
            style.append(("ALIGN", (c, body_from), (c, -1), "CENTER"))
    data = []
    if head:
        style += [
            ("FONT", (0, 0), (-1, 0), BOLD, size, leading),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEAD_BG)),
            ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ("TOPPADDING", (0, 0), (-1, 0), 1.2),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 0.6),
            ("LEFTPADDING", (0, 0), (-1, 0), 1),
            ("RIGHTPADDING", (0, 0), (-1, 0), 1),
        ]
        data.append(_row(head, widths, size, 2, style, 0, bold=True))
    for i, cells in enumerate(rows):
        r = body_from + i
        total = i >= len(rows) - sums
        if total:
            style += [("FONT", (0, r), (-1, r), BOLD, size, leading),
                      ("BACKGROUND", (0, r), (-1, r), colors.HexColor(SUM_BG))]
        data.append(_row(cells, widths, size, 4, style, r, bold=total))
    return Table(data, colWidths=widths, style=TableStyle(style), repeatRows=1 if head else 0, hAlign="LEFT")


def _row(cells: list, widths: list[float], size: float, pad: float, style: list, r: int, bold: bool) -> list[str]:
    out: list[str] = []
    for cell in cells:
        text, opts = (cell, {}) if not isinstance(cell, list) else (cell[0], cell[1])
        c = len(out)
        span = int(opts.get("span", 1))
        font = BOLD if bold or opts.get("bold") else FONT
        if span > 1:
            style.append(("SPAN", (c, r), (c + span - 1, r)))
        cell_size = float(opts.get("size", size))
        if (opts.get("bold") and not bold) or cell_size != size:
            style.append(("FONT", (c, r), (c, r), font, cell_size, cell_size * LEADING))
        if "align" in opts:
            style.append(("ALIGN", (c, r), (c, r), {"C": "CENTER", "L": "LEFT"}[opts["align"]]))
        room = sum(widths[c:c + span]) - pad
        out.append("\n".join(wrap("" if text is None else str(text), font, cell_size, room)))
        out.extend([""] * (span - 1))
    return out


_installed = False


def install() -> None:
    """Teach xhtml2pdf the tag <pdf:plaintable data="…"> (see grid.install)."""
    global _installed
    if _installed:
        return
    from xhtml2pdf import default, parser
    from xhtml2pdf.tags import pisaTag

    class pisaTagPDFPLAINTABLE(pisaTag):  # the name xhtml2pdf looks up
        def start(self, c) -> None:
            c.addPara()
            c.addStory(table(json.loads(base64.b64decode(self.attr.data))))

    default.TAGS["pdfplaintable"] = (0, {"data": (default.STRING, default.MUST)})
    parser.pisaTagPDFPLAINTABLE = pisaTagPDFPLAINTABLE
    _installed = True


# ------------------------------------------------------------------ the tables of the hard copy


def lessons(month) -> Markup:
    """The lessons of a monthly spread (the right frame of the spread, 109 mm)."""
    from ejournal_tui.reports.journal import fmt_num

    rows: list[list] = [
        [fmt_day(ls.held_on), (f"{ls.topic_no}. " if ls.topic_no else "") + (ls.topic or ""),
         fmt_num(ls.hours), ""] for ls in month.lessons]
    t = month.totals
    sums = 0
    if t:
        two = {"span": 2, "align": "L"}
        rows += [[[f"Итого за месяц: {t.lessons} зан.", two], fmt_num(t.hours), ""],
                 [[f"С начала периода: {t.lessons_total} зан.", two], fmt_num(t.hours_total), ""]]
        sums = 2
    return markup({"frame": 109, "size": 8, "widths": [13, None, 10, 24], "align": ["C", "L", "C", "L"],
                   "head": ["Дата", "Тема занятия (по КТП)", "Часы", "Подпись педагога"], "rows": rows, "sums": sums})


def students(group) -> Markup:
    """The student list of a group (a wide landscape page, 273 mm)."""
    from ejournal_tui.reports.journal import fmt_date as d

    nb = "\u00a0"
    rows: list[list] = []
    for s in group.students:
        e = s.rec
        school = (e.school or "") + (f", {e.school_class} кл." if e.school_class else "")
        medical: str | list = (f"есть\n{d(e.medical_clearance_on)}" if e.medical_clearance_on else "есть") \
            if e.medical_clearance else ["нет", {"bold": 1}]
        address = (e.address or "") + (f"; {e.phone.replace(' ', nb)}" if e.phone else "")
        guardians = "; ".join(f"{p.full_name} ({p.relation})" + (f", {p.phone.replace(' ', nb)}" if p.phone else "")
                              for p in e.guardians)
        left = ""
        if e.left_on:
            left = f"с {d(e.left_on)}" + (f", {e.leave_order}" if e.leave_order else "") + \
                (f"; {e.leave_reason}" if e.leave_reason else "")
        rows.append([str(s.number), s.full_name, str(e.birth_date.year), school, medical, address, guardians,
                     f"{d(e.enrolled_on)}, {e.enroll_order}", left])
    return markup({"frame": 273, "size": 7, "widths": [6, 36, 10, 33, 17, 50, 61, 28, None],
                   "align": ["C", "L", "C", "L", "L", "L", "L", "L", "L"],
                   "head": ["№", "Фамилия, имя, отчество", "Год рожд.", "Школа, класс", "Мед. допуск",
                            "Домашний адрес, телефон", "Родители (законные представители), телефоны",
                            "Зачислен (дата, приказ)", "Выбыл (дата, приказ, причина)"],
                   "rows": rows})


def briefings(group) -> Markup:
    """The safety briefings of a group (portrait, 168 mm)."""
    from ejournal_tui.reports.journal import fmt_date as d

    rows = [[str(n), d(b.held_on), b.kind, b.content, b.given_by,
             [f"{len(b.students)}: " + ", ".join(b.students), {"size": 7.5}]]
            for n, b in enumerate(group.briefings, start=1)]
    return markup({"frame": 168, "size": 8, "widths": [6, 18, 21, 50, 25, None], "align": ["C"] + ["L"] * 5,
                   "head": ["№", "Дата", "Вид", "Краткое содержание", "Провёл", "Обучающиеся"], "rows": rows})


def totals(group, total) -> Markup:
    """A group's attendance by month and for the period."""
    from ejournal_tui.reports.journal import fmt_num as num
    from ejournal_tui.reports.russian import month_name

    rows = [[month_name(m.month), str(m.lessons), num(m.hours), str(m.marks), str(m.present), str(m.absent),
             str(m.excused), num(m.present_pct)] for m in group.group_months]
    if total:
        rows.append(["За период", str(total["lessons"]), num(total["hours"]), str(total["marks"]),
                     str(total["present"]), str(total["absent"]), str(total["excused"]), num(total["present_pct"])])
    return markup({"frame": 168, "size": 8, "widths": [30, 17, 17, 18, 22, 14, 16, None], "align": ["L"] + ["C"] * 7,
                   "head": ["Месяц", "Занятий", "Часов", "Отметок", "Присутствий", "н", "уваж.", "Посещаемость, %"],
                   "rows": rows, "sums": 1 if total else 0})


def numeric(t) -> Markup:
    """The numeric report: a row per measure, a column per report date."""
    from ejournal_tui.reports.journal import fmt_date as d

    rows = [[label, *("ещё не наступила" if t.future[i] else "—" if v is None else str(v)
                      for i, v in enumerate(values))] for label, values in t.rows]
    return markup({"frame": 168, "size": 8, "widths": [None, *[30] * len(t.dates)],
                   "align": ["L", *["C"] * len(t.dates)],
                   "head": ["Количество обучающихся", *[f"на {d(x)}" for x in t.dates]], "rows": rows})
