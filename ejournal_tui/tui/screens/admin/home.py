"""The administrator's home (regulation: the administrator issues access and keeps the database):
accounts — issue (login, roles, person), lock, unlock, a one-time LAN password shown once — and the
state of the database migrations. The administrator never sees children's data."""

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from ejournal_tui.db import admin_accounts
from ejournal_tui.db.accounts import ROLES, Issued
from ejournal_tui.db.admin_accounts import AccountInput
from ejournal_tui.models import ROLE_NAMES, UserAccount
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.screens.dialogs.form import Field, FormScreen
from ejournal_tui.tui.widgets.table import short_name

NO = "—"
WAITING = {"roles": "новые роли", "unlock": "разблокировка", "password": "новый пароль"}


class AdminHomeScreen(TableScreen[UserAccount]):
    KEY = "login"
    TITLE = "Учётные записи"
    HELP = """Учётные записи сотрудников (Положение: реквизиты доступа выдают администратор и методист).

* «н» — новая учётная запись: логин, ФИО и роли; вход по SSH — под этим же логином.
* «б» — заблокировать или разблокировать: заблокированный не может войти, его данные в журнале остаются.
* «п» — одноразовый пароль для входа по локальной сети: показывается один раз и действует неделю;
  при первом входе сотрудник меняет его (`ejournal password`). Программа паролей не хранит.
* «м» — состояние базы данных (миграции).

Учётная запись с доступом к данным обучающихся (педагог, методист, заместитель директора, директор),
такая роль, разблокировка и новый пароль для неё вступают в силу только после подтверждения
директором (для учётной записи директора — заместителем директора); до этого они в списке как
«ждёт подтверждения».

Данные обучающихся администратору недоступны — это проверяет база данных."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("н,y", "add", "новая", id="admin.add", tooltip="новая учётная запись"),
        Binding("б,comma", "lock", "блокировка", id="admin.lock", tooltip="заблокировать или разблокировать"),
        Binding("п,g", "password", "пароль", id="admin.password", tooltip="одноразовый пароль для входа по сети"),
        Binding("м,v", "migrations", "миграции", id="admin.migrations", tooltip="состояние миграций базы данных"),
        Binding("f5", "reload", "обновить", id="admin.reload", show=False),
    ]

    def __init__(self):
        super().__init__()
        self.migrations: list = []
        self.pending: list = []

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return action != "back"

    def fetch(self) -> list[UserAccount]:
        self.migrations = self.db.run(admin_accounts.migration_status)
        self.pending = self.db.run(admin_accounts.pending)
        return self.db.run(admin_accounts.list_accounts)

    def show(self, data: list[UserAccount]) -> None:
        applied = sum(1 for m in self.migrations if m.state == "applied")
        bad = [m for m in self.migrations if m.state != "applied"]
        db_state = (f"[green]база данных в порядке[/green] (миграций {applied})" if not bad else
                    f"[yellow]миграций не в порядке: {len(bad)}[/yellow] — «м»")
        locked = sum(1 for a in data if a.is_locked)
        self.set_title(f"[b]Учётные записи[/b]: {len(data)}" + (f", заблокировано {locked}" if locked else "")
                       + f" · {db_state}")
        rows = []
        for a in data:
            state = Text("заблокирована", style="yellow") if a.is_locked else (
                Text("вход есть") if a.can_login else Text("нет входа", style="yellow"))
            rows.append((a.login, (a.login, short_name(a.full_name),
                                   ", ".join(ROLE_NAMES.get(r, r) for r in a.roles) or NO, state)))
        for r in self.pending:
            if r.kind == "create":
                rows.append((r.login, (r.login, short_name(r.full_name or ""),
                                       ", ".join(ROLE_NAMES.get(x, x) for x in r.roles or []) or NO,
                                       Text("ждёт подтверждения", style="yellow"))))
        waiting = {r.login: r for r in self.pending if r.kind != "create"}
        rows = [(k, (*cells[:3], Text(f"{WAITING[waiting[k].kind]}: ждёт подтверждения", style="yellow")))
                if k in waiting else (k, cells) for k, cells in rows]
        self.fill(("Логин", "ФИО", "Роли", "Вход"), rows)

    def describe(self, a: UserAccount) -> str:
        return esc(f"{a.full_name} · {a.login}")

    def _account(self) -> UserAccount | None:
        key = self.need("Выберите учётную запись.")
        account = self.row(key)
        if key is not None and account is None:
            self.notify("Учётная запись ещё не подтверждена.", severity="warning")
        return account

    def _issued(self, result) -> None:
        if result is not None and getattr(result, "request_id", None):
            self.notify(admin_accounts.awaiting(result.request_id), timeout=10)
        self.load()

    def action_add(self) -> None:
        options = [(ROLE_NAMES[r], r) for r in ROLES]
        fields = [
            Field("login", "Логин", "", placeholder="латиницей, например ivanova_mp", max_length=63),
            Field("full_name", "ФИО", "", placeholder="Иванова Мария Петровна", max_length=200),
            Field("role1", "Роль", "teacher", options=options, allow_blank=False),
            Field("role2", "Вторая роль", None, options=options),
        ]

        def save(conn, values: dict) -> Issued:
            roles = list(dict.fromkeys(r for r in (values.pop("role1"), values.pop("role2")) if r))
            return admin_accounts.issue(conn, AccountInput(roles=roles, **values))

        self.app.push_screen(FormScreen("Новая учётная запись", fields, save, save_label="Выдать",
                                        note="Пароль для входа по сети — клавишей «п» после выдачи. "
                                             "Учётная запись с доступом к данным обучающихся действует "
                                             "после подтверждения директором."),
                             self._issued)

    def action_lock(self) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        if (a := self._account()) is None:
            return
        lock = not a.is_locked
        verb = "Заблокировать" if lock else "Разблокировать"

        def answer(yes: bool | None) -> None:
            if yes:
                self.write(admin_accounts.set_locked, a.login, lock, then=self._lock_done(a.login, lock))

        self.app.push_screen(ConfirmScreen(f"{verb} учётную запись {a.login} ({a.full_name})?", yes=verb,
                                           no="Отмена"), answer)

    def _lock_done(self, login: str, lock: bool):
        def done(request_id: int | None) -> None:
            self.notify(admin_accounts.awaiting(request_id) if request_id else
                        f"Учётная запись {login} {'заблокирована' if lock else 'разблокирована'}.")
        return done

    def action_password(self) -> None:
        from ejournal_tui.tui.screens.admin.password import PasswordScreen
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        if (a := self._account()) is None:
            return
        if a.is_locked:
            self.notify("Учётная запись заблокирована: сначала разблокируйте её.", severity="warning")
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(PasswordScreen(a))

        self.app.push_screen(ConfirmScreen(
            f"Выдать {a.login} ({a.full_name}) новый одноразовый пароль для входа по сети?\n"
            "Прежний пароль перестанет действовать.", yes="Выдать", no="Отмена"), answer)

    def action_migrations(self) -> None:
        from ejournal_tui.tui.screens.admin.migrations import MigrationsScreen

        self.app.push_screen(MigrationsScreen())

    def action_back(self) -> None:
        """The home screen stays; F2 changes the role."""
