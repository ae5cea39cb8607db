"""Textual's own texts in Russian (the strings are in ejournal_tui/i18n.py).

The command palette and the theme list are our subclasses (public API). The keys of the
drop-down list and of text fields are set on Textual's classes once: every Select and Input
of every screen gets them without each screen importing its own subclass.

Private Textual APIs used here, on purpose, each pinned by tests/test_textual_private.py
(pyproject pins textual to the 8.x series; check them when it moves):
- `textual.widgets._select.SelectOverlay`: the drop-down list of every Select; Textual exports
  no name for it, and its Escape binding's description is English.
- `DOMNode._merge_bindings()` / `_merged_bindings`: Textual merges BINDINGS once, when a class
  is created, into `_merged_bindings`; changing the BINDINGS of a class that exists (Input,
  TextArea, SelectOverlay — every instance in every screen) needs the merge run again. The
  public alternative, a subclass per widget, would have every screen import ours.
- `CommandPalette._NO_MATCHES`: the id of the «No matches found» option, to reword it.
"""

import functools
from weakref import WeakKeyDictionary

from textual.binding import Binding, BindingsMap
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets import Input, TextArea
from textual.widgets._select import SelectOverlay

from ejournal_tui import i18n


class RussianPalette(CommandPalette):
    BINDINGS = [  # noqa: RUF012 — Textual's own class attribute, same shape as its parent's
        Binding(key, action, i18n.PALETTE_KEYS[key], show=show)
        for key, action, show in (
            ("escape", "escape", True),
            ("down", "cursor_down", False),
            ("up", "command_list('cursor_up')", False),
            ("pagedown", "command_list('page_down')", False),
            ("pageup", "command_list('page_up')", False),
            ("ctrl+end, shift+end", "command_list('last')", False),
            ("ctrl+home, shift+home", "command_list('first')", False),
        )
    ]

    def __init__(self, placeholder: str = i18n.PALETTE_PLACEHOLDER, **kwargs):
        super().__init__(placeholder=placeholder, **kwargs)

    def on_mount(self) -> None:
        # «No matches found» is a literal inside the palette's search: reword the option as it
        # is added.
        commands = self.query_one(CommandList)
        add_option = commands.add_option

        def add(option=None):
            if getattr(option, "id", None) == self._NO_MATCHES:
                option = type(option)(i18n.PALETTE_NO_MATCHES, id=option.id, disabled=True)
            return add_option(option)

        commands.add_option = add  # type: ignore[method-assign]  # the palette's «no matches» line, in Russian


class RussianThemes(Provider):
    """Themes by their Russian names."""

    def _themes(self):
        for name, title in sorted(i18n.THEME_NAMES.items(), key=lambda item: item[1]):
            if name in self.app.available_themes:
                yield title, name

    def _set(self, name: str) -> None:
        self.app.theme = name

    async def discover(self) -> Hits:
        for title, name in self._themes():
            yield DiscoveryHit(title, lambda n=name: self._set(n))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, name in self._themes():
            if (score := matcher.match(title)) > 0:
                yield Hit(score, matcher.highlight(title), lambda n=name: self._set(n))


def _rebind(cls, bindings: list[Binding]) -> None:
    # Textual merges BINDINGS when a class is created: merge again for the class and its
    # subclasses (private: `_merge_bindings`, `_merged_bindings`; see the module's docstring).
    own = BindingsMap(cls.__dict__.get("BINDINGS", [])).key_to_bindings  # one entry per key
    for binding in bindings:
        own.pop(binding.key, None)  # ours replaces the class's own binding of that key
    cls.BINDINGS = [*(b for key_bindings in own.values() for b in key_bindings), *bindings]
    todo = [cls]
    while todo:
        klass = todo.pop()
        klass._merged_bindings = klass._merge_bindings()
        todo.extend(klass.__subclasses__())


_told: WeakKeyDictionary[Input, str] = WeakKeyDictionary()  # the text a field last refused


def _restricted(self: Input) -> None:
    """Text past a field's limit is refused with a word, not cut silently."""
    self.app.bell()
    if self.max_length and len(self.value) >= self.max_length and self.value != _told.get(self):
        _told[self] = self.value  # once per refusal, not once per key
        n = self.max_length
        self.app.notify(f"Поле вмещает не больше {n} {i18n.plural(n, 'символа', 'символов', 'символов')}: "
                        "лишнее не вставлено.", severity="warning")


@functools.cache  # once per process
def install() -> None:
    Input.restricted = _restricted  # type: ignore[method-assign]  # Textual's documented hook for refused input
    _rebind(SelectOverlay, [Binding("escape", "dismiss", i18n.SELECT_DISMISS)])
    # Ctrl+A selects all, as in every Russian office program (Home still goes to the start).
    _rebind(Input, [Binding("ctrl+a", "select_all", "выделить всё", show=False)])
    _rebind(TextArea, [Binding("ctrl+a", "select_all", "выделить всё", show=False)])
