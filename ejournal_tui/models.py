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
