"""F1: what the screen under it is for and every key it answers to."""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown

from ejournal_tui.tui.screens.dialogs.base import Dialog
from ejournal_tui.vocabulary import words

COMMON = """
Стрелки, PgUp/PgDn, Home/End — перемещение по таблицам, Tab — к следующему полю или таблице.

**Везде:** F1 — эта справка, Ctrl+P — все команды экрана по названию, Ctrl+Q — выход.
Буквенные клавиши работают и в английской раскладке (те же клавиши клавиатуры).
Клавиши можно переназначить в файле настроек `~/.config/ejournal/config.toml` — об этом
знает администратор.
"""


class HelpScreen(Dialog):
    FOCUS = "#help-box"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "закрыть", id="help.close")]

    def __init__(self, screen: Screen):
        super().__init__(id="help")
        self.target = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(self._text())

    def _text(self) -> str:
        title = getattr(self.target, "TITLE", None) or self.app.title
        keys: dict[str, list[str]] = {}
        texts: dict[str, str] = {}
        for key, active in self.target.active_bindings.items():
            b = active.binding
            # the screen's and the app's own keys (ours carry an id; Textual's built-in ones, such as
            # Tab, have none); widgets' standard keys are summarised below
            if active.node not in (self.target, self.app) or b.id is None:
                continue
            keys.setdefault(b.action, []).append(self.app.get_key_display(Binding(key, b.action)))
            texts[b.action] = b.tooltip or b.description
        lines = [f"# {title}", "", words(getattr(self.target, "HELP", "") or ""), "", "## Клавиши", ""]
        lines += [f"- **{' '.join(k)}** — {texts[action]}" for action, k in keys.items()]
        lines += ["", COMMON]
        return "\n".join(lines)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss()
