"""For a person with several roles: which role's work to open. F2 comes back here."""

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ejournal_tui.models import ROLE_NAMES
from ejournal_tui.tui.screens.common.base import BaseScreen, esc

WORK = {
    "teacher": "свои группы: журнал, посещаемость, темы занятий, замечания",
    "methodist": "списки, программы и КТП, итерации, анализ недели, замечания, отчёты, печать",
    "deputy": "контроль ведения журнала, замечания, отчёт по итогам итерации",
    "director": "утверждение расписания и нагрузки педагогов",
    "admin": "учётные записи, пароли, состояние базы данных",
}


class RoleScreen(BaseScreen):
    TITLE = "Выбор роли"
    HELP = """У вас несколько ролей. Выберите, чью работу открыть (стрелки и Enter).
Вернуться к выбору можно из любого экрана клавишей F2."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "открыть", id="role.open", key_display="⏎", show=False),
    ]

    def __init__(self, roles: list[str]):
        super().__init__()
        self.roles = roles

    def compose(self) -> ComposeResult:
        yield Header()
        me = self.app.me
        yield Static(
            f"{esc(me.organization_name if me else '')}\n\nЗдравствуйте, {esc(me.full_name if me else '')}!\n"
            "У вас несколько ролей — выберите, с какой работы начать:",
            id="role-text",
        )
        yield OptionList(
            *[Option(f"{ROLE_NAMES[r].capitalize()} — {WORK[r]}", id=r) for r in self.roles], id="role-list"
        )
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        self.app.role = None
        self.app.sub_title = (self.app.me.full_name or "") if self.app.me else ""

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.app.open_home(event.option.id)

    def action_open(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.app.open_home(self.roles[options.highlighted])
