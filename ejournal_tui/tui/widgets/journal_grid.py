
"""The journal grid: students down, lesson dates across, a mark in each cell.

Row 0 (fixed) holds the totals per lesson; columns 0–1 (fixed) the student and the student's
total. A key press changes one cell and its two totals, never a rebuild.

DataTable.update_cell bumps a counter that is part of every render-cache key, so one changed
cell re-renders every cell of every visible row — each row with all of its ~80 columns
(about 100 ms at 80×24). `put` changes the cells and drops only their cache entries.
Likewise a row's (and a screen line's) cache key holds the cursor position, so moving the
cursor re-rendered every row and re-cropped every line; rows and lines the cursor is not on now
render once and stay cached. A row renders only the columns in view (DataTable renders all ~80
and crops ~10), and `put` repaints only the screen lines it changed, not the whole widget.
"""

from datetime import date
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from ejournal_tui.dates import fmt_day
from ejournal_tui.journal_models import Lesson, Student, Value
from ejournal_tui.vocabulary import WEEKDAYS_SHORT

TOTAL_ROW = "total"
NAME_COL = "name"
SUM_COL = "sum"

NOWHERE = Coordinate(-1, -1)
WINDOW_BLOCK = 8  # columns rendered together (see _columns_in_view)
STYLE = {"present": "green", "absent": "bold red", "excused": "yellow"}


def day_key(day: date) -> str:
    return day.isoformat()


def header(lesson: Lesson, today: date) -> Text:
    d = lesson.held_on
    flag = ""
    if lesson.id is not None and lesson.title is None:
        flag = "!"  # held, topic missing
    elif lesson.filled_late:
        flag = "*"
    text = Text(f"{WEEKDAYS_SHORT[d.weekday()]}{flag}\n{fmt_day(d)}", justify="center")
    if lesson.id is None:
        text.stylize("dim" if d > today else "red")
    elif flag == "!":
        text.stylize("yellow")
    return text


def cell(student: Student, lesson: Lesson, value: Value | None, pending: bool, today: date) -> Text:
    """«—» outside the enrollment, the paper's letter for a mark (б/з/с/у for the valid reasons);
    an unsaved mark is underlined and followed by «*»."""
    if not student.enrolled(lesson.held_on):
        return Text("—", style="dim", justify="center")
    if pending:
        status = value.status if value else None
        letter = value.letter if value else "·"
        return Text(letter + "*", style=f"{STYLE.get(status or '', '')} underline", justify="center")
    if value is None:
        return Text("·" if lesson.id is not None else "", style="dim", justify="center")
    return Text(value.letter, style=STYLE.get(value.status or "", ""), justify="center")


def _discard(cache, stale) -> None:
    for key in [k for k in cache.keys() if stale(k)]:  # noqa: SIM118 (an LRUCache cannot be iterated)
        cache.discard(key)


class JournalGrid(DataTable):
    DEFAULT_CSS = """
    JournalGrid { height: 1fr; }
    """

    def __init__(self, **kwargs):
        super().__init__(cursor_type="cell", zebra_stripes=True, header_height=2, cell_padding=0, **kwargs)
        self._window: tuple[int, int] | None = None  # the columns a row renders (see _render_line)
        self._frame_style = self._frame_widths = self._frame_styles = None  # once a frame (render_lines)

    def build(self, students: list[Student], lessons: list[Lesson], cells, totals, today: date) -> None:
        """(Re)build the whole table: on load and when a new date column appears."""
        self.fixed_rows = 0
        self.fixed_columns = 0
        self.clear(columns=True)
        self.add_column(Text(" Обучающийся\n"), key=NAME_COL, width=19)
        self.add_column(Text("Был\n", justify="center"), key=SUM_COL, width=6)
        for lesson in lessons:
            self.add_column(header(lesson, today), key=day_key(lesson.held_on), width=6)
        self.add_row(
            Text(" Присутствовали", style="bold"),
            Text(""),
            *(totals.column(lesson) for lesson in lessons),
            key=TOTAL_ROW,
        )
        for s in students:
            self.add_row(
                Text(" " + s.short_name),
                totals.row(s),
                *(cells(s, lesson) for lesson in lessons),
                key=str(s.id),
            )
        self.fixed_rows = 1
        self.fixed_columns = 2

    def cursor_scroll_x(self) -> int:
        """Where the grid stands when the cursor's column is the right-most one on screen (the
        name and total columns stay fixed), or at the left edge if it fits there."""
        widths = [column.get_render_width(self) for column in self.ordered_columns]
        column = self.cursor_column
        if column < self.fixed_columns or column >= len(widths):
            return 0
        end = sum(widths[: column + 1])
        return max(0, min(end - self.scrollable_content_region.width, int(self.max_scroll_x)))

    def reveal_cursor(self) -> None:
        """Scroll to the cursor the same way whatever the layout was when the cursor moved: a
        journal opens (and survives a resize) in one picture, not in one of several."""
        self.scroll_to(x=self.cursor_scroll_x(), animate=False)

    def on_resize(self) -> None:
        self.call_after_refresh(self.reveal_cursor)

    def _render_line_in_row(self, row_key, line_no, base_style, cursor_location, hover_location):
        """One line of a row, like DataTable's, but only the columns in view (`_window`, set by
        `_render_line`): DataTable renders all ~80 cells of a row and crops ~10 of them. The
        columns left of the window are one blank segment of their width, so the crop is the same.
        With a cell cursor, a row without the cursor (or the mouse) looks the same wherever the
        cursor is: it has one cache key."""
        located = self._row_locations.get(row_key)
        row = located if located is not None else -1
        if cursor_location.row != row:
            cursor_location = NOWHERE
        if hover_location.row != row:
            hover_location = NOWHERE
        columns, widths = self.ordered_columns, self._column_widths()
        first, last = self._window or (0, len(columns))
        # our own key shape in DataTable's (private) row cache; `put` matches its first item
        key: Any = (row_key, line_no, base_style, cursor_location, hover_location, first, last, self.cursor_type,
               self.show_cursor, self._show_hover_cursor, self._update_count, self._pseudo_class_state)
        cached = self._row_render_cache.get(key)
        if cached is not None:
            return cached
        render_cell = self._render_cell
        cursor_type = self.cursor_type

        def line(column: int, style) -> list[Segment]:
            at = Coordinate(row, column)
            return render_cell(row, column, style, widths[column],
                               cursor=self._should_highlight(cursor_location, at, cursor_type),
                               hover=self._should_highlight(hover_location, at, cursor_type))[line_no]

        if row_key is self._header_row_key:
            fixed_style = self._component_style("datatable--header")
        else:
            fixed_style = self._component_style("datatable--fixed") + Style.from_meta({"fixed": True})
        fixed = [line(c, fixed_style) for c in range(self.fixed_columns)]
        row_style = self._get_row_style(row, base_style)
        scrollable = [[Segment(" " * sum(widths[:first]))]] if first else []
        scrollable += [line(c, row_style) for c in range(first, last)]
        if last >= len(columns):  # DataTable's filling of a widget wider than the table
            remaining = max(0, self.size.width - sum(widths[self.fixed_columns:]))
            if row_style.bgcolor is not None:
                faded = Color.from_rich_color(row_style.bgcolor).blend(self.background_colors[1], factor=0.25)
                extend = Style.from_color(color=row_style.color, bgcolor=faded.rich_color)
            else:
                extend = Style.from_color(row_style.color, row_style.bgcolor)
            extend += Style.from_meta({"row": row, "column": 0, "out_of_bounds": True})
            scrollable.append([Segment(" " * remaining, extend)])
        pair = (fixed, scrollable)
        self._row_render_cache[key] = pair
        return pair

    @property
    def ordered_columns(self):
        """DataTable builds this list anew on each call (~15 times a key); it changes only with
        the columns, each change of which bumps `_update_count` (or replaces the locations)."""
        key = (self._update_count, id(self._column_locations), len(self.columns))
        if getattr(self, "_ordered", (None,))[0] != key:  # (DataTable's __init__ reads it already)
            self._ordered = (key, super().ordered_columns)
        return self._ordered[1]

    def _column_widths(self) -> list[int]:
        widths = getattr(self, "_frame_widths", None)
        return widths if widths is not None else [c.get_render_width(self) for c in self.ordered_columns]

    def _component_style(self, name: str) -> Style:
        styles = getattr(self, "_frame_styles", None)
        if styles is None:
            return self.get_component_styles(name).rich_style
        if name not in styles:
            styles[name] = self.get_component_styles(name).rich_style
        return styles[name]

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        if row_index == -1:
            return self._component_style("datatable--header")
        if row_index < self.fixed_rows:
            return self._component_style("datatable--fixed")
        if self.zebra_stripes:
            return self._component_style("datatable--odd-row" if row_index % 2 else "datatable--even-row")
        return base_style

    def _columns_in_view(self, x1: int, x2: int) -> tuple[int, int]:
        """The columns a line cropped to [x1, x2) shows (x1 after the fixed columns), widened to
        blocks of WINDOW_BLOCK columns: a step sideways mostly stays in the same rendered rows."""
        widths = self._column_widths()
        start, end = x1 + sum(widths[: self.fixed_columns]), x2
        first, last, x = len(widths), len(widths), 0
        for index, width in enumerate(widths):
            if x + width > start and first == len(widths):
                first = index
            x += width
            if x >= end:
                last = index + 1
                break
        first = first // WINDOW_BLOCK * WINDOW_BLOCK
        last = min(len(widths), -(-last // WINDOW_BLOCK) * WINDOW_BLOCK)
        return first, last

    def render_lines(self, crop):
        # once a frame, not once a line (the style walks the ancestors) or once a cell
        self._frame_style = self.rich_style
        self._frame_widths = [c.get_render_width(self) for c in self.ordered_columns]
        self._frame_styles = {}
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = self._frame_widths = self._frame_styles = None

    @property
    def rich_style(self):
        return getattr(self, "_frame_style", None) or super().rich_style

    def _render_line(self, y, x1, x2, base_style):
        # DataTable's line cache keys every line on the cursor, so a moved cursor re-rendered
        # (and re-cropped from ~80 columns) every visible line. A line off the cursor's (and the
        # mouse's) row keys on NOWHERE instead; `put` drops the lines of the rows it changes.
        try:
            row_key, _ = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        row = self._row_locations.get(row_key) if row_key in self._row_locations else -1
        cursor = self.cursor_coordinate if self.cursor_coordinate.row == row else NOWHERE
        hover = self.hover_coordinate if self.hover_coordinate.row == row else NOWHERE
        # our own key shape in DataTable's (private) line cache, told apart by its "grid" tag
        key: Any = ("grid", y, x1, x2, self.size.width, cursor, hover, base_style, self.cursor_type,
               self._show_hover_cursor, self._update_count, self._pseudo_class_state)
        strip = self._line_cache.get(key)
        if strip is None:
            self._window = self._columns_in_view(x1, x2)
            try:
                strip = super()._render_line(y, x1, x2, base_style)
            finally:
                self._window = None
            self._line_cache[key] = strip
        return strip

    def put(self, changes: list[tuple[str, str, Text]]) -> None:
        """Set cells (row key, column key, value) and repaint just them."""
        # the caches are matched on the keys' plain strings: a RowKey hashes in Python, slowly
        rows: set[str] = set()
        cells: set[tuple[str, str]] = set()
        for row, column, value in changes:
            self._data[RowKey(row)][ColumnKey(column)] = value
            rows.add(row)
            cells.add((row, column))
        indexes = {self._row_locations.get(RowKey(r)) for r in rows}
        _discard(self._cell_render_cache, lambda k: (k[0].value, k[1].value) in cells)
        _discard(self._row_render_cache, lambda k: k[0].value in rows)
        _discard(self._row_renderable_cache, lambda k: k[1] in indexes)
        ys = {y for y, (row_key, _) in enumerate(self._y_offsets) if row_key.value in rows}
        top = self.header_height if self.show_header else 0
        _discard(self._line_cache, lambda k: (k[1] if k[0] == "grid" else k[0]) - top in ys)
        self._refresh_lines(ys, top)

    def _refresh_lines(self, ys: set[int], top: int) -> None:
        """Repaint just the screen lines of these table lines: a whole-widget refresh sends every
        visible line (~20) through the styles cache again, ~10× the cost of the changed ones."""
        fixed = sum(row.height for row in self.ordered_rows[: self.fixed_rows])
        scroll_y, width, height = int(self.scroll_y), self.size.width, self.size.height
        regions = []
        for y in ys:
            screen_y = top + (y if y < fixed else y - scroll_y)
            if (y < fixed or screen_y >= top + fixed) and 0 <= screen_y < height:
                regions.append(Region(0, screen_y, width, 1))
        if regions:
            self.refresh(*regions)

    def set_header(self, lesson: Lesson, today: date) -> None:
        column = self.columns.get(self.get_column_key(lesson.held_on))
        if column is not None:
            column.label = header(lesson, today)
            self._clear_caches()
            self.refresh()

    def get_column_key(self, day: date):
        for key in self.columns:
            if key.value == day_key(day):
                return key
        return None
