"""A drop-down list stays inside its dialog: Textual opens a Select's list below it, up to 12
lines, kept inside the screen only — at 24 rows a field near a dialog's bottom spills its list
over the dialog's border. Here the list takes the rows left below the field inside the dialog
(the screen, outside dialogs), or opens above the field when more rows are there.

Private Textual APIs used (Textual offers no public hook for where the list opens), pinned by
tests/test_textual_private.py: `textual.widgets._select.SelectOverlay`, `Select._options` and
`Select._watch_expanded`, which is wrapped."""

import functools
from typing import cast

from textual.geometry import Region
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

SMALLEST = 3  # a few options


def box(select: Select) -> Region:
    """Where the list may lie: inside the border of the dialog holding the select, or the screen."""
    screen = select.screen
    if isinstance(screen, ModalScreen):
        top = next((w for w in select.ancestors_with_self if w.parent is screen), None)
        if top is not None and top is not select:
            return cast(Widget, top).content_region.intersection(screen.region)
    return screen.region


def fit(select: Select) -> None:
    overlay = select.query_one(SelectOverlay)
    area, field = box(select), select.region
    below = area.bottom - field.bottom
    above = field.y - area.y
    needed = len(select._options) + overlay.styles.gutter.height  # the options and the list's border
    if below >= min(needed, SMALLEST) and (below >= needed or below >= above):
        overlay.styles.max_height = min(needed, below, 12)
        overlay.styles.offset = (0, 0)
    else:
        height = max(min(needed, above, 12), 1)
        overlay.styles.max_height = height
        overlay.styles.offset = (0, -(height + field.height))


@functools.cache  # once per process
def install() -> None:
    watch = Select._watch_expanded

    def _watch_expanded(self: Select, expanded: bool) -> None:
        if expanded and self.is_mounted and self.region.height:
            fit(self)
        watch(self, expanded)

    Select._watch_expanded = _watch_expanded  # type: ignore[method-assign]  # the private hook, see above
