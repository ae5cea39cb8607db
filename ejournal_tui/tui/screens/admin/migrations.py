"""The state of the database schema: every migration file of this program version, applied or
not, and when; a changed or missing file is a problem for the administrator to solve."""

from rich.text import Text

from ejournal_tui.db import admin_accounts
from ejournal_tui.db.admin_accounts import STATE_NAME
from ejournal_tui.tui.screens.common.table_screen import TableScreen


class MigrationsScreen(TableScreen):
    KEY = "name"
    TITLE = "Миграции базы данных"
    HELP = """Файлы миграций схемы базы данных этой версии программы и их состояние.
Неприменённые применяет администратор на сервере: `ejournal db migrate` (от имени владельца базы).
«Файл изменён после применения» — применённый файл менять нельзя: верните его и добавьте новый."""

    def fetch(self):
        return self.db.run(admin_accounts.migration_status)

    def show(self, data) -> None:
        applied = sum(1 for m in data if m.state == "applied")
        self.set_title(f"[b]Миграции[/b]: применено {applied} из {len(data)}")
        self.fill(("Файл", "Состояние", "Применена"),
                  [(m.name, (m.name, Text(STATE_NAME.get(m.state, m.state),
                                          style="" if m.state == "applied" else "yellow"), m.applied_at))
                   for m in data])
