"""HTML (Jinja2, autoescaped) → PDF with xhtml2pdf, fonts from the package.

Known traps of xhtml2pdf 0.2.28 (shared/STYLE.md) and what this module does about them:
- it reads local files only inside the directories a ResourceAccessPolicy allows, and drops a
  font it may not read without failing: the policy names exactly the package's font directory,
  and every render checks that the fonts were really loaded;
- `pisa.err == 0` even when Cyrillic printed as boxes: the fonts are DejaVu and the tests read
  the text back;
- ReportLab starts every page, and draws every plain-string table cell (empty ones too), in
  Helvetica: during a render both are our DejaVu Sans, so no Helvetica is referenced at all;
- the policy allows no network and no other file: a name or topic is autoescaped by Jinja2
  anyway, so markup typed into the journal prints as typed.

The attendance grid of a monthly spread is not an HTML table: a `<pdf:attendance>` tag puts a
ReportLab table of plain strings into xhtml2pdf's story (grid.py), ~30× cheaper a cell; so do
the other big tables of the hard copy (lessons, student list, briefings, totals, numeric report:
`<pdf:plaintable>`, tables.py). A journal sheet now takes ~20–60 ms of CPU instead of ~120.

A long document is rendered in parts, side by side in forked worker processes when this
process has no other threads (xhtml2pdf is pure Python and slow: ~80 ms a page of tables), then
joined with pypdf and numbered through by an overlay («Лист N»), so that the result is the
same however it was rendered.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from pickle import PicklingError
from typing import cast

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ejournal_tui.errors import UserError
from ejournal_tui.reports import grid, tables

HERE = Path(__file__).resolve().parent
FONT_DIR = HERE / "fonts"
TEMPLATE_DIR = HERE / "templates"

# CSS family → file; the ReportLab names are what xhtml2pdf calls a family's faces
# (family lower-cased, then _<bold><italic>), registered here first so that they are the same.
FONTS = {
    ("DejaVuSans", False): "DejaVuSans.ttf",
    ("DejaVuSans", True): "DejaVuSans-Bold.ttf",
    ("DejaVuSerif", False): "DejaVuSerif.ttf",
    ("DejaVuSerif", True): "DejaVuSerif-Bold.ttf",
}
BASE_FONT = "dejavusans_00"

Progress = Callable[[int, int, str], None]


class PdfError(UserError, RuntimeError):
    pass


_lock = threading.Lock()  # one render at a time in a process (ReportLab keeps global state)
_registered = False
_env: Environment | None = None


def _rl_name(family: str, bold: bool) -> str:
    return f"{family.lower()}_{int(bold)}0"


def _register_fonts() -> None:
    global _registered
    if _registered:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for (family, bold), filename in FONTS.items():
        name = _rl_name(family, bold)
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    _registered = True


def font_faces() -> list[dict]:
    return [{"family": family, "bold": bold, "path": (FONT_DIR / filename).as_posix()}
            for (family, bold), filename in FONTS.items()]


def environment() -> Environment:
    global _env
    if _env is None:
        from ejournal_tui.reports import journal as j
        from ejournal_tui.reports import russian

        env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, trim_blocks=True,
                          lstrip_blocks=True, undefined=StrictUndefined)
        from ejournal_tui.reports.text import cell

        env.filters.update(d=j.fmt_date, num=j.fmt_num, weekday=j.weekday_name, words=russian.date_words,
                           month=russian.month_name, cell=cell, nobr=nobr)
        env.tests["contains"] = lambda seq, item: item in seq
        from ejournal_tui.reports import grid, tables

        env.globals.update(font_faces=font_faces(), attendance_grid=grid.data, lessons_table=tables.lessons,
                           students_table=tables.students, briefings_table=tables.briefings,
                           totals_table=tables.totals, numeric_table=tables.numeric)
        _env = env
    return _env


def nobr(text) -> str:
    """A phone number or «144 ч» kept on one line: its spaces made non-breaking."""
    return str(text).replace(" ", "\u00a0")


def text_width_mm(text: str, size: float, bold: bool = False) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    _register_fonts()
    return stringWidth(text, _rl_name("DejaVuSans", bold), size) / MM


def fit(text: str, width_mm: float, size: float) -> str:
    """`text` cut with «…» so that it takes one line of `width_mm` at `size` pt."""
    if text_width_mm(text, size) <= width_mm:
        return text
    while text and text_width_mm(text + "…", size) > width_mm:
        text = text[:-1]
    return text.rstrip(" ·,.–-(") + "…"


PAD_MM = 2.2  # a cell's padding and borders


def column_widths(headers: list[str], rows: list[list], total_mm: float) -> tuple[float, list[float]]:
    """(font size, column widths in mm) so that the table fills `total_mm`: no column narrower
    than the longest word of its header (bold) or of its cells, nor than its longest number or
    date (those never wrap); the room left goes to the columns whose text would wrap otherwise,
    in proportion to how much they hold. The font goes down from 8 pt to 6.5 pt when the words
    do not fit at 8 pt."""
    from ejournal_tui.reports.text import cell

    texts = [[cell(r[i]) for r in rows] for i in range(len(headers))]
    for size in (8.0, 7.5, 7.0, 6.5):
        least, want = [], []
        for h, col in zip(headers, texts, strict=True):
            words = [w for t in col for w in t.split()] + [w for w in str(h).split()]
            head = max((text_width_mm(w, size, bold=True) for w in str(h).split()), default=0)
            word = max((text_width_mm(w, size) for w in words), default=0)
            whole = max((text_width_mm(t, size) for t in col if _unbreakable(t)), default=0)
            least.append(max(head, word, whole) + PAD_MM)
            want.append(max(least[-1], max((text_width_mm(t, size) for t in col), default=0) + PAD_MM))
        if sum(least) <= total_mm or size == 6.5:
            break
    if sum(want) <= total_mm:  # everything fits on one line: share what is left evenly
        extra = (total_mm - sum(want)) / len(want)
        return size, [w + extra for w in want]
    room = max(0.0, total_mm - sum(least))
    short = [w - m for w, m in zip(want, least, strict=True)]
    return size, [m + room * s / (sum(short) or 1) for m, s in zip(least, short, strict=True)]


def _unbreakable(text: str) -> bool:
    """A number, a date or a percentage: printed on one line."""
    return len(text) <= 16 and all(ch.isdigit() or ch in ",.:-% " for ch in text)


def render_html(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def policy():
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    # No base directory: the document may read the font directory and nothing else.
    return ResourceAccessPolicy(base_dir=None, extra_roots=(FONT_DIR,), allow_remote=False)


@contextmanager
def _dejavu_canvas():
    """DejaVu Sans where ReportLab would otherwise pick Helvetica: the font a page starts with,
    and the font of table cells drawn as plain strings (empty ones included); compressed pages,
    their streams binary (not ASCII85: pypdf decodes that in pure Python when the parts are
    joined, ~10 ms a sheet)."""
    from reportlab import rl_config
    from reportlab.platypus.tables import CellStyle

    previous = rl_config.canvas_basefontname, CellStyle.fontname, rl_config.pageCompression, rl_config.useA85
    rl_config.canvas_basefontname = CellStyle.fontname = BASE_FONT
    rl_config.pageCompression = 1  # zlib: a third of the size, for next to no time
    rl_config.useA85 = 0
    try:
        yield
    finally:
        (rl_config.canvas_basefontname, CellStyle.fontname, rl_config.pageCompression,
         rl_config.useA85) = previous


def warm_up() -> None:
    """Import xhtml2pdf and parse the fonts once, in this process (before forking workers)."""
    from xhtml2pdf import pisa  # noqa: F401

    with _lock:
        _register_fonts()
        grid.install()
        tables.install()


def html_to_pdf(html: str) -> bytes:
    """One HTML document → PDF bytes. Raises PdfError if xhtml2pdf failed or a font was dropped."""
    from xhtml2pdf import pisa

    out = io.BytesIO()
    with _lock:
        _register_fonts()
        grid.install()
        tables.install()
        with _dejavu_canvas():
            result = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=policy())
    if result.err:
        raise PdfError(f"Не удалось построить PDF ({result.err} ошибок)")
    missing = {family.lower() for family, _ in FONTS} - set(result.fontList)
    if missing:
        raise PdfError("Шрифты не загружены: " + ", ".join(sorted(missing)))
    return out.getvalue()


def reader(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def page_count(data: bytes) -> int:
    return len(reader(data).pages)


# ------------------------------------------------------------------- several parts, one document

MM = 72 / 25.4
NUMBER_FONT = "dejavusans_10"
STAMP_FONT = "dejavusans_10"


def workers() -> int:
    """Processes for rendering parts side by side: the setting pdf_workers (EJOURNAL_PDF_WORKERS),
    else the CPUs (≤ 4)."""
    from ejournal_tui.settings import current

    return current().pdf_workers or max(1, min(4, os.cpu_count() or 1))


def parallel_workers() -> int:
    """How many processes render_parts() will use here and now (1: rendered in this process)."""
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return workers()


def render_parts(htmls: list[str], progress: Callable[[int], None] | None = None) -> list[bytes]:
    """Render independent HTML documents; `progress(i)` as part i is done. The render is pure
    Python, so threads would not help: parts go to forked worker processes when there are CPUs
    for them and this process has no other threads (fork is unsafe beside threads, and the
    other start methods re-import the main module). Otherwise, as from the TUI's worker
    threads, they are rendered here one after another. The result is the same either way."""
    n = min(parallel_workers(), len(htmls))
    if n > 1:
        warm_up()  # the children inherit xhtml2pdf, ReportLab and the parsed fonts: ~0.5 s each saved
        try:
            return _render_in_processes(htmls, n, progress)
        except (OSError, BrokenProcessPool, PicklingError):  # no processes here: render in this one
            pass
    out = []
    for i, html in enumerate(htmls):
        out.append(html_to_pdf(html))
        if progress:
            progress(i)
    return out


def _render_in_processes(htmls: list[str], n: int, progress) -> list[bytes]:
    results: list[bytes | None] = [None] * len(htmls)
    # gc.freeze in the child: what it inherited from this process (pending garbage with
    # finalizers, such as xhtml2pdf's temporary files) is this process's to finalize, not its.
    with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork"),
                             initializer=gc.freeze) as pool:
        futures = {pool.submit(html_to_pdf, html): i for i, html in enumerate(htmls)}
        for future in as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            if progress:
                progress(i)
    return results  # type: ignore[return-value]


def number_pages(parts: list[bytes], *, title: str, subject: str, first: int = 1,
                 stamp: str | None = None) -> tuple[bytes, int]:
    """Join the parts into one PDF and write «Лист N» in the outer bottom corner of every page
    (bottom right of a portrait page, bottom left of a landscape one), and `stamp` (such as
    «РАБОЧАЯ КОПИЯ») in the top outer corner. Returns (pdf, pages)."""
    from pypdf import PdfWriter
    from reportlab.pdfgen import canvas

    writer = PdfWriter()
    for part in parts:
        writer.append(reader(part), import_outline=False)  # the parts have no outline
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in writer.pages]
    with _lock:
        _register_fonts()
        buf = io.BytesIO()
        c = canvas.Canvas(buf, initialFontName=NUMBER_FONT, pageCompression=1)
        for number, (w, h) in enumerate(sizes, start=first):
            c.setPageSize((w, h))
            c.setFont(NUMBER_FONT, 9)
            if w <= h:
                c.drawRightString(w - 12 * MM, 9 * MM, f"Лист {number}")
            else:
                c.drawString(12 * MM, 9 * MM, f"Лист {number}")
            if stamp:
                c.setFont(STAMP_FONT, 11)
                c.drawRightString(w - 12 * MM, h - 9 * MM, stamp)
            c.showPage()
        c.save()
    _overlay(writer, reader(buf.getvalue()))
    writer.add_metadata({"/Title": title, "/Subject": subject, "/Author": "ejournal", "/Creator": "ejournal"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(sizes)


OVERLAY_FONT = "/ELst"  # the number's font on a page: a name ReportLab never gives (it names fonts F1, F2…)


def _overlay(writer, overlay) -> None:
    """Draw page i of `overlay` (a one-font ReportLab PDF) over page i of `writer` by appending its
    content stream to the page's, the page's own wrapped in q…Q, and its font added to the page's
    resources once for the whole document. pypdf's merge_page does the same but parses and rewrites
    every content stream: ~3 ms a page, all of it serial, after the parts are rendered."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    def stream(data: bytes, compress: bool = False):
        s = DecodedStreamObject()
        s.set_data(data)
        return writer._add_object(s.flate_encode() if compress else s)

    save, restore = stream(b"q\n"), stream(b"\nQ\n")
    key = NameObject(OVERLAY_FONT)
    font = None
    for page, over in zip(writer.pages, overlay.pages, strict=True):
        fonts = cast(DictionaryObject, over["/Resources"].get_object()["/Font"].get_object())
        (name,) = fonts.keys()
        if font is None:
            font = fonts.raw_get(name).clone(writer)
        # ReportLab's pages share one resource dictionary: give each page its own (shallow)
        # copy, or the number's font would be added to the shared one once per page.
        resources = DictionaryObject(cast(DictionaryObject, page["/Resources"].get_object()))
        own = DictionaryObject(cast(DictionaryObject, resources["/Font"].get_object())) if "/Font" in resources \
            else DictionaryObject()
        own[key] = font
        resources[NameObject("/Font")] = own
        page[NameObject("/Resources")] = resources
        contents = page.raw_get("/Contents")
        body = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        text = over.get_contents().get_data().replace(f"{name} ".encode(), f"{OVERLAY_FONT} ".encode())
        page[NameObject("/Contents")] = ArrayObject([save, *body, restore, stream(text, compress=True)])
