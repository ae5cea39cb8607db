"""The keys a user may rebind: every binding of ours that has an id (`[keymap]` in config.toml,
applied with Textual's App.set_keymap)."""

import importlib
import inspect
import pkgutil

from textual.binding import Binding

PACKAGES = ("ejournal_tui.tui.screens", "ejournal_tui.tui.widgets")


def binding_ids() -> list[Binding]:
    """One binding per id, from the app and every screen and widget class of the package."""
    from ejournal_tui.tui import app

    modules = [app]
    for name in PACKAGES:
        package = importlib.import_module(name)
        modules += [importlib.import_module(m.name) for m in pkgutil.walk_packages(package.__path__, f"{name}.")]
    found: dict[str, Binding] = {}
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not cls.__module__.startswith("ejournal_tui."):
                continue
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    found.setdefault(binding.id, binding)
    return sorted(found.values(), key=lambda b: b.id or "")
