"""Home of a person without the teacher role: the screens of those roles are another task."""

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from ejournal_tui.models import ROLE_NAMES
from ejournal_tui.tui.screens.base import BaseScreen


class RoleScreen(BaseScreen):
    TITLE = "Начало"
    HELP = "Журнал групп ведут педагоги. Разделы вашей роли появятся в следующих версиях."

    def compose(self) -> ComposeResult:
        yield Header()
        me = self.app.me
        roles = ", ".join(ROLE_NAMES.get(r, r) for r in me.roles) if me else ""
        yield Static(
            f"{me.organization_name if me else ''}\n\nЗдравствуйте, {me.full_name if me else ''}!\n"
            f"Ваши роли: {roles or 'нет ролей журнала'}.\n\n"
            "Разделы для этих ролей появятся в следующих версиях.",
            id="role-text",
        )
        yield Footer(compact=True, show_command_palette=False)
