"""Row models: what the data layer hands to screens and reports."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict

ROLE_NAMES = {
    "teacher": "педагог",
    "methodist": "методист",
    "deputy": "заместитель директора",
    "director": "директор",
    "admin": "администратор",
}


class Row(BaseModel):
    # the validator of each row model is built when the model is first used, not at import: the
    # teacher's first screen needs a few of the ~100 row models (cold start, DESIGN.md)
    model_config = ConfigDict(frozen=True, defer_build=True)


class Choice(Row):
    """One entry of a list to choose from (an iteration, a group, a teacher…)."""

    id: int
    name: str
    detail: str | None = None


class StudentData(Row):
    """A student's own data: the card on the screen and the enrollment list of the hard copy."""

    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: date
    sex: str
    school: str | None
    school_class: str | None
    address: str | None
    phone: str | None
    medical_clearance: bool
    medical_clearance_on: date | None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


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
    time_zone: str  # the organization's IANA zone: its "today" is the journal's
    db_today: date  # ej.today() when the session began
    frozen_today: date | None  # a database held at a past date (ej.frozen_today)
    clock_skew: timedelta  # the database's clock minus this process's

    def today(self) -> date:
        """The organization's date now, as ej.today() has it: the database's clock in the
        organization's zone, moved on with the time since login (a session left open overnight
        turns the page)."""
        now = datetime.now(UTC) + self.clock_skew
        try:
            day = now.astimezone(ZoneInfo(self.time_zone)).date()
        except ZoneInfoNotFoundError:  # no tz database on this machine: the date at login
            day = self.db_today
        return min(day, self.frozen_today) if self.frozen_today else day


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
