"""The administrator's work in the app: accounts (issue, lock, unlock, a one-time LAN password)
and the state of the database migrations. Never children's data: the role has no grants on it."""

import re

from pydantic import field_validator

from ejournal_tui.db import accounts, inputs, migrations
from ejournal_tui.db.connection import Conn
from ejournal_tui.db.inputs import Input
from ejournal_tui.errors import Invalid
from ejournal_tui.models import AccountRequest, UserAccount

LOGIN = re.compile(r"^[a-z_][a-z0-9_.-]{1,62}$")
STATE_NAME = {"applied": "применена", "pending": "не применена", "changed": "файл изменён после применения",
              "missing": "файла нет в программе"}


class AccountInput(Input):
    login: str
    full_name: str
    roles: list[str]

    @field_validator("login", mode="before")
    @classmethod
    def _login(cls, v):
        v = (v or "").strip()
        if not LOGIN.match(v):
            raise Invalid("Логин: латинские строчные буквы, цифры, «_», «.», «-»; от 2 до 63 символов, "
                             "начинается с буквы")
        return v

    _name = field_validator("full_name", mode="before")(lambda v: inputs.staff_name(v))

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, v):
        roles = [r for r in (v or []) if r]
        if not roles:
            raise Invalid("Выберите хотя бы одну роль")
        unknown = [r for r in roles if r not in accounts.ROLES]
        if unknown:
            raise Invalid(f"Неизвестная роль: {', '.join(unknown)}")
        return roles


def list_accounts(conn: Conn) -> list[UserAccount]:
    return accounts.list_users(conn)


def pending(conn: Conn) -> list[AccountRequest]:
    return accounts.pending_requests(conn)


def issue(conn: Conn, data: AccountInput) -> accounts.Issued:
    """The login role and its staff row in one step, or a request awaiting the director."""
    return accounts.issue_account(conn, data.login, data.roles, data.full_name)


def set_locked(conn: Conn, login: str, locked: bool) -> int | None:
    return accounts.set_locked(conn, login, locked)


def one_time_password(conn: Conn, login: str) -> accounts.IssuedPassword:
    """A generated password for LAN use, valid for a week: shown once, never stored by the app."""
    return accounts.issue_password(conn, login)


def awaiting(request_id: int | None) -> str:
    """What the administrator is told when a change waits for the second person."""
    return (f"Запрос № {request_id} ждёт подтверждения директора (для учётной записи директора — "
            "заместителя директора); до этого он не действует.")


def migration_status(conn: Conn) -> list[migrations.MigrationState]:
    return migrations.status(conn)
