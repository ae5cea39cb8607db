"""How the screens are laid out: by role, dialogs on one base, dates in one module.

- every screen module lives in a role package (teacher, methodist, deputy, director, admin) or in
  common/ (what several roles open, the screens' bases) or dialogs/ (the dialog base and the dialogs
  several screens open);
- a module may take anything from common/, dialogs/ and widgets/; from a role's screen module it
  takes only what it pushes: a screen class, or a function that builds the dialog to push;
- every modal screen derives from the one dialog base;
- dates are read and written by ejournal_tui.dates: no strptime and no «%d.%m» elsewhere.
No database: these read the code."""

import ast
import importlib
import inspect
import pkgutil
import re
import typing
from datetime import date, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from textual.screen import ModalScreen, Screen

import ejournal_tui
from ejournal_tui import dates
from ejournal_tui.tui import screens
from ejournal_tui.tui.screens.dialogs.base import Dialog

PACKAGE = "ejournal_tui.tui.screens"
ROLES = {"teacher", "methodist", "deputy", "director", "admin"}
SHARED = {"common", "dialogs"}
ROOT = Path(ejournal_tui.__file__).parent


def _modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(screens.__path__, f"{PACKAGE}.") if not m.ispkg]


def test_every_screen_module_is_in_a_role_or_shared_package():
    names = _modules()
    assert names
    for name in names:
        parts = name.removeprefix(f"{PACKAGE}.").split(".")
        assert len(parts) == 2 and parts[0] in ROLES | SHARED, name


def _imports(module_name: str) -> list[tuple[str, str, int]]:
    """(module, name, line) of every `from ejournal_tui.tui.screens.… import name`, nested ones too."""
    path = Path(importlib.import_module(module_name).__file__ or "")
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(f"{PACKAGE}."):
            found += [(node.module or "", alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            assert not any(a.name.startswith(f"{PACKAGE}.") for a in node.names), (module_name, node.lineno)
    return found


def _pushable(obj: object) -> bool:
    """A screen class, or a function that returns one (a dialog built to be pushed)."""
    if inspect.isclass(obj):
        return issubclass(obj, Screen)
    if inspect.isfunction(obj):
        returned = typing.get_type_hints(obj).get("return")
        return inspect.isclass(returned) and issubclass(returned, Screen)
    return False


def test_no_screen_takes_a_helper_from_another_screen():
    wrong = []
    for name in _modules():
        for source, imported, line in _imports(name):
            package = source.removeprefix(f"{PACKAGE}.").split(".")[0]
            if package in SHARED:
                continue
            if not _pushable(getattr(importlib.import_module(source), imported)):
                wrong.append(f"{name}:{line} takes {imported} from {source}")
    assert not wrong, "helpers shared by screens belong in common/, dialogs/ or widgets/:\n" + "\n".join(wrong)


def test_the_rule_sees_a_helper_taken_from_a_screen():
    from ejournal_tui.tui.screens.methodist import student_form
    from ejournal_tui.tui.screens.teacher import journal

    assert _pushable(journal.JournalScreen) and _pushable(student_form.student_form)
    assert not _pushable(student_form.YES_NO) and not _pushable(journal.RETRY_SECONDS)


def test_every_modal_screen_is_a_dialog():
    for name in _modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, ModalScreen):
                assert issubclass(cls, Dialog), f"{name}.{cls.__name__} should derive from dialogs.base.Dialog"


def test_dates_are_read_and_written_in_one_module():
    pattern = re.compile(r"strptime\(|strftime\(|:%d\.%m")
    wrong = [f"{path.relative_to(ROOT)}:{n}" for path in ROOT.rglob("*.py") if path.name != "dates.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line) and "%H:%M" not in line and "%d.%m.%y" not in line]
    assert not wrong, wrong


# --- the date module: what people type, round trips --------------------------------------------

DAYS = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
# what the five parsers before ejournal_tui.dates accepted between them
OLD_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y")


@given(DAYS)
def test_a_written_date_reads_back(d):
    assert dates.parse(dates.fmt_date(d)) == d
    assert dates.parse(dates.typed(d)) == d
    assert dates.parse(f"  {dates.fmt_date(d)} ") == d
    assert dates.parse(d.isoformat()) == d


@given(st.dates(min_value=date(1969, 1, 1), max_value=date(2068, 12, 31)))
def test_two_digit_years_and_single_digit_days(d):
    assert dates.parse(f"{d.day:02}.{d.month:02}.{d.year % 100:02}") == d
    if d.year >= 1000:
        assert dates.parse(f"{d.day}.{d.month}.{d.year}") == d


def _old(text: str) -> date | None:
    for fmt in OLD_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


@given(st.text(alphabet="0123456789.- ", max_size=12))
def test_what_was_accepted_is_accepted_alike(text):
    if (old := _old(text)) is not None:
        assert dates.parse(text) == old


@given(st.text(max_size=12))
def test_anything_else_is_no_date(text):
    day = dates.parse(text)
    assert day is None or isinstance(day, date)


@given(st.datetimes(min_value=datetime(1000, 1, 1)))
def test_written_forms(d):
    assert dates.fmt_date(d) == d.strftime("%d.%m.%Y")
    assert dates.fmt_day(d) == d.strftime("%d.%m")
    assert dates.fmt_dt(d) == d.strftime("%d.%m.%Y %H:%M")


def test_no_date():
    assert dates.fmt_date(None) == dates.fmt_dt(None) == dates.fmt_day(None) == "—"
    assert dates.typed(None) == "" and dates.parse("") is None and dates.parse(None) is None
    assert dates.parse("31.02.2026") is None and dates.parse("01.09") is None
