"""The private Textual APIs ejournal relies on (ejournal_tui/tui/russian.py names them and why).
When Textual changes one of them these tests fail here, by name, rather than a key silently
doing nothing somewhere in a screen. pyproject pins textual to the 8.x series."""

from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.widgets import DataTable, Input, Select, TextArea
from textual.widgets._select import SelectOverlay  # private: Textual exports no name for it

from ejournal_tui import i18n
from ejournal_tui.tui import russian
from ejournal_tui.tui.widgets.table import ListTable

russian.install()


def test_bindings_are_merged_once_per_class_into_merged_bindings():
    """`_rebind` re-runs `_merge_bindings()` into `_merged_bindings`, which each new instance
    copies into its bindings: so Ctrl+A of every Input, and Escape of every drop-down list."""
    assert callable(DOMNode._merge_bindings)
    for cls, key, action in ((Input, "ctrl+a", "select_all"), (TextArea, "ctrl+a", "select_all"),
                             (SelectOverlay, "escape", "dismiss")):
        merged = cls._merged_bindings.key_to_bindings[key]
        assert [b.action for b in merged] == [action], cls
        instance = cls() if cls is not SelectOverlay else cls(type_to_search=False)
        assert [b.action for b in instance._bindings.key_to_bindings[key]] == [action], cls
    assert SelectOverlay._merged_bindings.key_to_bindings["escape"][0].description == i18n.SELECT_DISMISS


def test_the_no_matches_option_id_of_the_palette():
    assert isinstance(CommandPalette._NO_MATCHES, str) and CommandPalette._NO_MATCHES


async def test_select_opens_a_select_overlay():
    class Tiny(App):
        def compose(self) -> ComposeResult:
            yield Select([("один", 1), ("два", 2)])

    async with Tiny().run_test() as pilot:
        assert pilot.app.query_one(SelectOverlay) is not None


def test_list_table_has_every_key_of_data_table_but_enter():
    """ListTable rebuilds DataTable's keys from the public BINDINGS: the same as Textual's merge."""
    ours = ListTable._merged_bindings.key_to_bindings
    theirs = DataTable._merged_bindings.key_to_bindings
    assert set(ours) == set(theirs) - {"enter"}
    assert all(ours[key] == theirs[key] for key in ours)


def test_select_watch_expanded_and_options_for_select_fit():
    """ejournal_tui.tui.select_fit wraps Select._watch_expanded and counts Select._options."""
    from textual.widgets import Select

    assert callable(Select._watch_expanded)
    select = Select([("один", 1), ("два", 2)])
    assert len(select._options) >= 2


def test_data_table_internals_the_journal_grid_overrides_and_reads():
    """JournalGrid (tui/widgets/journal_grid.py) renders only the columns in view and repaints one
    line per mark: it overrides `_render_line_in_row` and `_get_row_style` and reads DataTable's
    caches and offsets. Each name must still exist, with the signature the override expects."""
    import inspect

    table: DataTable[str] = DataTable()
    for name in ("_clear_caches", "_get_offsets", "_get_row_style", "_render_cell", "_render_line",
                 "_render_line_in_row", "_should_highlight"):
        assert callable(getattr(DataTable, name)), name
    # _require_update_dimensions and _updated_cells: tests/staff_tui.py's painted() waits on them
    for name in ("_cell_render_cache", "_column_locations", "_data", "_header_row_key", "_line_cache",
                 "_pseudo_class_state", "_require_update_dimensions", "_row_locations", "_row_render_cache",
                 "_row_renderable_cache", "_show_hover_cursor", "_update_count", "_updated_cells", "_y_offsets"):
        assert hasattr(table, name), name
    assert list(inspect.signature(DataTable._render_line_in_row).parameters) == [
        "self", "row_key", "line_no", "base_style", "cursor_location", "hover_location"]
