"""Row models: what the data layer hands to screens and reports."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

ROLE_NAMES = {
    "teacher": "педагог",
    "methodist": "методист",
    "deputy": "заместитель директора",
    "director": "директор",
    "admin": "администратор",
}


class Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class UserAccount(Row):
    id: int
    organization_id: int
    login: str
    full_name: str
    is_locked: bool
    can_login: bool
    roles: list[str]


class Me(Row):
    """The person behind the session."""

    staff_id: int | None
    login: str
    full_name: str | None
    organization_id: int | None
    organization_name: str | None
    roles: list[str]


class AuditEntry(Row):
    at: datetime
    actor: str
    actor_name: str | None
    op: str
    old_row: dict | None
    new_row: dict | None
    reason: str | None


class AccountRequest(Row):
    """An account change waiting for a second person (ej.pending_account_request)."""

    id: int
    organization_id: int
    login: str
    kind: str  # create | roles | unlock | password
    full_name: str | None = None
    roles: list[str] | None = None
    current_roles: list[str] = []
    requested_by: str
    requested_by_name: str | None = None
    requested_at: datetime
    may_decide: bool


class AccountEvent(Row):
    """One account operation from audit.account_event (ej.account_log)."""

    id: int
    at: datetime
    actor: str
    actor_name: str | None = None
    login: str
    login_name: str | None = None
    op: str
    detail: dict
