"""Row models of the teacher's screens: groups, the journal grid, the home page, student cards."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from ejournal_tui.models import Row, StudentData
from ejournal_tui.vocabulary import current

FIELD_NAME = {
    "last_name": "фамилия",
    "first_name": "имя",
    "middle_name": "отчество",
    "birth_date": "дата рождения",
    "sex": "пол",
    "school": "школа",
    "school_class": "класс",
    "address": "адрес",
    "phone": "телефон",
    "medical_clearance": "медицинский допуск",
    "guardian": "родители (законные представители)",
    "other": "другое",
}


def is_late(held_on: date, today: date) -> bool:
    """More than the edit window after the lesson: a change of a filled record needs a reason."""
    return held_on < today - timedelta(days=current().edit_window_days)


class Group(Row):
    id: int
    name: str
    room: str | None
    program_id: int
    program_name: str
    total_hours: Decimal
    quantum: str
    iteration_id: int
    iteration_name: str
    starts_on: date
    ends_on: date
    iteration_status: str
    students: int = 0

    @property
    def writable(self) -> bool:
        return self.iteration_status != "archived"


class Period(Row):
    enrolled_on: date
    left_on: date | None  # exclusive

    def covers(self, day: date) -> bool:
        return self.enrolled_on <= day and (self.left_on is None or day < self.left_on)


class Student(Row):
    id: int
    last_name: str
    first_name: str
    middle_name: str | None
    periods: list[Period]

    @property
    def short_name(self) -> str:
        initials = self.first_name[:1] + "." + (self.middle_name[:1] + "." if self.middle_name else "")
        return f"{self.last_name} {initials}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    def enrolled(self, day: date) -> bool:
        return any(p.covers(day) for p in self.periods)


class Lesson(Row):
    """A column of the journal: a held lesson, a planned date, or both."""

    held_on: date
    id: int | None = None
    hours: Decimal | None = None
    topic_id: int | None = None
    topic: str | None = None
    topic_title: str | None = None
    filled_by_name: str | None = None
    filled_at: datetime | None = None
    version: int | None = None
    planned: bool = False
    starts_at: time | None = None
    ends_at: time | None = None

    @property
    def title(self) -> str | None:
        return self.topic or self.topic_title

    @property
    def filled_late(self) -> bool:
        return self.filled_at is not None and is_late(self.held_on, self.filled_at.date())

    @property
    def planned_hours(self) -> Decimal:
        """Academic hours (45 min) of the schedule slot; 2 when unknown."""
        if self.starts_at and self.ends_at:
            minutes = (self.ends_at.hour * 60 + self.ends_at.minute) - (
                self.starts_at.hour * 60 + self.starts_at.minute
            )
            return Decimal(min(8, max(1, round(minutes / 45))))
        return Decimal(2)


class Mark(Row):
    lesson_id: int
    student_id: int
    status: str
    reason: str | None = None
    reason_text: str | None = None
    version: int
    updated_by_name: str | None = None
    updated_at: datetime | None = None

    @property
    def letter(self) -> str:
        return current().status_letter(self.status)

    def describe(self) -> str:
        text = current().status_label(self.status)
        if self.reason:
            text += f": {current().reason_label(self.reason)}"
            if self.reason_text:
                text += f" ({self.reason_text})"
        return text

    def same_value(self, status: str | None, reason: str | None, reason_text: str | None) -> bool:
        return (self.status, self.reason, self.reason_text or None) == (status, reason, reason_text or None)


class LessonSaved(Row):
    lesson: Lesson


class LessonConflict(Row):
    current: Lesson | None


class TopicProgress(Row):
    topic_id: int
    position: int
    title: str
    hours: Decimal
    delivered_hours: Decimal
    lessons: int
    last_held_on: date | None

    @property
    def done(self) -> bool:
        return self.delivered_hours >= self.hours


class DueLesson(Row):
    group_id: int
    group_name: str
    held_on: date
    lesson_id: int | None
    days_overdue: int
    missing: str


class WeekLesson(Row):
    group_id: int
    group_name: str
    held_on: date
    starts_at: time | None
    ends_at: time | None
    room: str | None
    lesson_id: int | None
    topic: str | None


class Remark(Row):
    """A remark on a group's journal (ej.remark): on the teacher's home and in the staff's list."""

    id: int
    group_id: int
    group_name: str
    iteration_id: int | None = None  # the staff's list tells groups of several iterations apart
    iteration_name: str | None = None
    teacher_name: str | None = None  # the staff's list names the group's teacher
    lesson_held_on: date | None
    author_name: str | None
    body: str
    created_at: datetime
    fixed_at: datetime | None
    fixed_note: str | None
    closed_at: datetime | None = None

    @property
    def state(self) -> str:
        return "closed" if self.closed_at else "fixed" if self.fixed_at else "open"


class BoardPost(Row):
    id: int
    week_of: date
    title: str
    body: str
    author_name: str | None
    posted_at: datetime


class DataCheck(Row):
    group_id: int
    group_name: str
    checked_at: datetime | None
    checked_by_name: str | None

    def overdue(self, today: date) -> bool:
        if self.checked_at is None:
            return True
        last = self.checked_at.date()
        month_later = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
        # "over a month": the same day of the next month, clamped to that month's end
        try:
            due = month_later.replace(day=last.day)
        except ValueError:
            due = (month_later + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return today > due


class Home(Row):
    groups: list[Group]
    week: list[WeekLesson]
    due: list[DueLesson]
    remarks: list[Remark]
    board: BoardPost | None
    checks: list[DataCheck]


class Guardian(Row):
    full_name: str
    relation: str
    phone: str | None
    email: str | None


class StudentCard(StudentData):
    id: int
    pd_consent_on: date | None
    periods: list[Period]
    guardians: list[Guardian]
    open_requests: int


class HistoryEntry(Row):
    at: datetime
    actor: str
    actor_name: str | None
    op: str
    summary: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class Value:
    """What a cell of the journal says: a status (None: no mark), the valid reason and its text.
    The one model of a mark's value, from the key press to the database and back."""

    status: str | None
    reason: str | None = None
    reason_text: str | None = None

    @property
    def letter(self) -> str:
        """The letter of the paper journal (ej.attendance_code's), «+» for present, «·» for no mark."""
        if self.status is None:
            return "·"
        if self.status == "excused":
            return current().reason_letter(self.reason)
        return current().status_letter(self.status)

    def describe(self) -> str:
        if self.status is None:
            return "стереть отметку"
        vocab = current()
        out = f"{vocab.status_letter(self.status)} — {vocab.status_label(self.status)}"
        if self.reason:
            out += f": {vocab.reason_label(self.reason)}" + (f" ({self.reason_text})" if self.reason_text else "")
        return out


NO_MARK = Value(None)


@dataclass(slots=True, frozen=True)
class Saved:
    """A mark as the database holds it (immutable: grid() shares one per distinct value)."""

    value: Value
    version: int
    updated_by_name: str | None = None
    updated_at: datetime | None = None


@dataclass(slots=True)
class Grid:
    """A journal as the screen needs it: marks keyed (date, student id), no model per mark."""

    group: Group
    students: list[Student]
    lessons: list[Lesson]
    marks: dict[tuple[date, int], Saved]


@dataclass(slots=True)
class MarkResult:
    """ej.save_mark's answer: saved, conflict or needs_reason; the lesson and the mark as they are."""

    outcome: str
    lesson: Lesson | None
    mark: Saved | None
    correction: bool = False
