"""Row models in one vocabulary: one base class for what the data layer returns (Row), one for
what forms send (Input), one class per name (the settings aside); and every key of our screens carries an id, which
is what the F1 help and the command palette list (Textual's built-in keys have none)."""

import importlib
import inspect
import pkgutil

from pydantic import BaseModel
from pydantic_settings import BaseSettings
from textual.binding import Binding
from textual.dom import DOMNode

import ejournal_tui
from ejournal_tui.db.inputs import Input
from ejournal_tui.models import Row


def _modules():
    for info in pkgutil.walk_packages(ejournal_tui.__path__, "ejournal_tui."):
        if info.name.endswith(("__main__", ".print_worker")):
            continue
        yield importlib.import_module(info.name)


def _own(module, base):
    return [c for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, base) and c.__module__ == module.__name__]


def test_every_model_is_a_row_or_an_input_and_each_name_is_defined_once():
    where: dict[str, list[str]] = {}
    for module in _modules():
        for cls in _own(module, BaseModel):
            if cls in (Row, Input) or issubclass(cls, BaseSettings) or module.__name__ == "ejournal_tui.settings":
                continue  # the settings (and their sections) are not rows
            assert issubclass(cls, Row | Input), f"{cls.__module__}.{cls.__name__}: derive from Row or Input"
            where.setdefault(cls.__name__, []).append(module.__name__)
    twice = {name: mods for name, mods in where.items() if len(mods) > 1}
    assert not twice, twice


def test_every_key_of_our_screens_has_an_id():
    missing = []
    for module in _modules():
        if module.__name__ == "ejournal_tui.tui.russian":  # Textual's own keys, relabelled in Russian
            continue
        for cls in _own(module, DOMNode):
            if cls.__name__ == "ListTable":  # DataTable's own keys (all but Enter), as Textual has them
                continue
            for b in cls.__dict__.get("BINDINGS", []):
                if isinstance(b, Binding) and b.id is None:
                    missing.append(f"{cls.__name__}: {b.key} → {b.action}")
    assert not missing, missing
