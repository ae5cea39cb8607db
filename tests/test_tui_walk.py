"""Issue 14: every role at 80×24, every screen reachable from its home by the keys of its screens
(the bindings, as the footer, F1 and Ctrl+P list them), with the dialogs they open, F1 and the
command palette — and no English word on any of them. What counts as a word: two or more Latin
letters in a row. What is Latin by nature is left out before the check: logins, e-mails and file
paths (a token holding «_», «@» or «/» next to Latin letters), command lines («ejournal print …»),
and the short allow-list below (quantum names, keys, file formats). A number with a decimal point
(«4.5») is reported too: Russian writes «4,5». On the way every drop-down list is opened: it lies
inside its dialog (or the screen)."""

import re

import pytest
from staff_tui import acknowledge, app_as, painted, settle, tables_measured, wait_for
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from ejournal_tui.tui import select_fit
from ejournal_tui.tui.app import HOMES

LOGINS = {"teacher": "o1_teacher01", "methodist": "o1_methodist", "deputy": "o1_deputy",
          "director": "o1_director", "admin": "o1_admin"}
SIZE = (80, 24)
DEPTH = 3  # home → list → card/dialog → its dialog
# what may stay Latin: quantum names, keys, file formats and units of the regulation
# (keys in any case: the footer writes them as Textual does, «esc», «f1», «^s»)
ALLOWED = {"it", "vr", "ar", "esc", "ctrl", "tab", "shift", "enter", "del", "delete", "home", "end", "pgup",
           "pgdn", "backspace", "csv", "pdf", "utf", "alt", "ssh",
           "postgres"}  # the database's superuser: a login in the activity lists, data like the others
COMMAND = re.compile(r"`?ejournal(?:\s+-{0,2}[a-z][-a-z0-9_=.]*)*`?")  # a command line to type, as it is typed
DATA = re.compile(r"\S*[A-Za-z]\S*[_@/\\]\S*|\S*[_@/\\]\S*[A-Za-z]\S*")  # logins, e-mails, paths
WORD = re.compile(r"[A-Za-z]{2,}")
# «4.5»: Russian writes «4,5». Not a decimal: dates «23.10.2025» and «23.10», the regulation's «п. 5.1»
POINT = re.compile(r"(?<![\d.])(?!\d\d\.\d\d(?![\d.]))\d+\.\d+(?![\d.])")
ITEM = re.compile(r"п\.\W*\d+(?:\.\d+)+")  # «п. 5.1», even wrapped after «п.» (padding and borders between)
# what the walk still finds on screens owned elsewhere (told to the lead; remove when fixed there)
POINT_KNOWN: set[str] = set()  # screens known to print a decimal point (none now)
# actions that leave the screen, quit the app or change the role: not part of a walk
SKIP = {"back", "cancel", "reload", "refresh", "quit", "help", "command_palette", "switch_role", "no", "dismiss",
        "app.help", "app.quit", "close", "focus_next", "focus_previous", "screenshot", "app.command_palette"}


def visible_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def english(text: str) -> set[str]:
    cleaned = ITEM.sub(" ", DATA.sub(" ", COMMAND.sub(" ", text)))
    return {w for w in WORD.findall(cleaned) if w.lower() not in ALLOWED} | set(POINT.findall(cleaned))


def name_of(screen) -> str:
    title = getattr(screen, "heading", None) or getattr(screen, "TITLE", None) or ""
    return f"{type(screen).__name__}«{title}»" if title else type(screen).__name__


def screen_keys(screen) -> list[tuple[str, str]]:
    """(key, action) of the screen's own bindings, one key per action, in the order declared."""
    seen, out = set(), []
    for key, bindings in screen._bindings.key_to_bindings.items():
        for b in bindings:
            if b.action in SKIP or "." in b.action or b.action in seen or key.startswith(("ctrl+", "super+")):
                continue
            seen.add(b.action)
            out.append((key, b.action))
    return out


class Walk:
    def __init__(self, pilot):
        self.pilot = pilot
        self.found: dict[str, set[str]] = {}
        self.walked: list[str] = []
        self.spilled: list[str] = []
        self.seen: set[str] = set()
        self.selects = 0

    async def drop_downs(self, where: str) -> None:
        """Open every drop-down of the screen: its list lies inside the dialog (or the screen)."""
        screen = self.pilot.app.screen
        for select in list(screen.query(Select)):
            if not select.display or select.disabled or not select.region.height:
                continue
            select.focus()
            select.expanded = True
            await self.quiet()
            overlay = select.query_one(SelectOverlay)
            area = select_fit.box(select)
            if not (area.contains_region(overlay.region) and screen.region.contains_region(overlay.region)):
                self.spilled.append(f"{where} #{select.id}: {overlay.region} outside {area}")
            self.selects += 1
            select.expanded = False
            await self.quiet()

    async def check(self, where: str) -> None:
        """Reads the screen once it has stopped changing: a live reload (LISTEN) can refill a
        table after quiet(), and a table not yet measured cuts «01.10.2026» to «01.1» under its
        header «Дата» — taken for a decimal point, as CI once saw on the teacher's home."""
        await painted(self.pilot)
        words = english(visible_text(self.pilot.app))
        if any(type(s).__name__ in POINT_KNOWN for s in self.pilot.app.screen_stack):  # a dialog shows it too
            words = {w for w in words if not POINT.fullmatch(w)}
        if words:
            self.found.setdefault(where, set()).update(words)

    async def quiet(self) -> None:
        """Workers done and every table measured: an unmeasured column is header-wide and cuts
        «01.12.2026» to «01.1», which reads as a decimal point (seen on a busy machine)."""
        await settle(self.pilot)
        await wait_for(self.pilot, lambda: tables_measured(self.pilot.app.screen), "the tables to measure their rows")

    async def back_to(self, screen) -> None:
        app = self.pilot.app
        for _ in range(6):
            if app.screen is screen:
                return
            await self.pilot.press("escape")
            await self.quiet()
        while app.screen is not screen and len(app.screen_stack) > 1:
            app.pop_screen()
            await self.quiet()

    async def visit(self, path: str, depth: int) -> None:
        app, pilot = self.pilot.app, self.pilot
        screen = app.screen
        where = f"{path} {name_of(screen)}"
        await self.check(where)
        if name_of(screen) in self.seen:  # reached again by another key: walked once is enough
            return
        self.seen.add(name_of(screen))
        self.walked.append(where)
        await self.drop_downs(where)
        await pilot.press("f1")
        await self.quiet()
        if app.screen is not screen:
            await self.check(f"{where} F1")
            await self.back_to(screen)
        if isinstance(screen, Screen) and depth == 0:
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
            await self.quiet()
            await self.check(f"{where} Ctrl+P")
            await self.back_to(screen)
        if depth >= DEPTH:
            return
        for key, action in screen_keys(screen):
            if app.screen is not screen:
                await self.back_to(screen)
            await pilot.press(key)
            await self.quiet()
            if app.screen is screen:
                await self.check(f"{where} [{key}] {action}")  # a notification, a change in place
                continue
            await self.visit(f"{where} → [{key}]", depth + 1)
            await self.back_to(screen)


@pytest.mark.parametrize("role", list(LOGINS))
async def test_no_english_word_on_any_screen_80x24(login_conninfo, sql, role):
    import importlib

    login = LOGINS[role]
    acknowledge(sql, login)
    module, name = HOMES[role]
    home = getattr(importlib.import_module(module), name)
    async with app_as(login_conninfo, login).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, home), f"the {role}'s home", 120)
        await settle(pilot)
        walk = Walk(pilot)
        await walk.visit(role, 0)
        print(f"\n{role}: {len(walk.walked)} screens walked, {walk.selects} drop-downs opened\n  "
              + "\n  ".join(walk.walked))
    assert not walk.spilled, "drop-downs outside their dialog:\n" + "\n".join(walk.spilled)
    assert not walk.found, "\n".join(f"{where}: {sorted(words)}" for where, words in walk.found.items())
