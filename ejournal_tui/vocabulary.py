"""The words and limits of the journal, as the database defines them (no Textual here).

Every coded value a table holds — attendance statuses, absence reasons, briefing kinds,
achievement levels, iteration statuses, guardians' relations — is a row of a lookup table with
its Russian label, and the limits (the edit window, the participants' limit, the phone and e-mail
patterns) are functions: all of it in sql/migrations/0002_tables.sql, the only place it is
written. `load(conn)` reads it with one call of `ej.vocabulary()` when the app's session
connects (as the constraint messages are; the CLI and the print worker call `ensure(conn)`), and
`current()` gives it to models, screens and reports.

Weekday names are not stored in the database (no SQL needs them): they are the constants
below, the one place in the program that spells them.
"""

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from ejournal_tui.i18n import plural

# the lookup tables (0002), each a field of Vocabulary below: the same rows for every organization
TABLES = ("attendance_status", "absence_reason", "briefing_kind", "achievement_level", "iteration_status",
          "guardian_relation")
WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")
WEEKDAYS_SHORT = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")


@dataclass(frozen=True)
class Term:
    """One row of a lookup table: the code stored in the tables and what a person reads."""

    code: str
    label: str
    letter: str = ""  # the mark in a journal cell (statuses and reasons)
    legend: str = ""  # its line in the printed legend
    content: str = ""  # a briefing kind's default content


@dataclass(frozen=True)
class Vocabulary:
    attendance_status: tuple[Term, ...]
    absence_reason: tuple[Term, ...]
    briefing_kind: tuple[Term, ...]
    achievement_level: tuple[Term, ...]
    iteration_status: tuple[Term, ...]
    guardian_relation: tuple[Term, ...]
    edit_window_days: int
    participants_limit: int
    phone_pattern: str
    email_pattern: str
    _by_code: dict[str, dict[str, Term]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Vocabulary":
        terms = {t: tuple(Term(**row) for row in data.get(t) or ()) for t in TABLES}
        return cls(
            **terms,
            edit_window_days=int(data["edit_window_days"]),
            participants_limit=int(data["participants_limit"]),
            phone_pattern=data["phone_pattern"],
            email_pattern=data["email_pattern"],
            _by_code={t: {x.code: x for x in terms[t]} for t in TABLES},
        )

    def term(self, table: str, code: str | None) -> Term | None:
        return self._by_code[table].get(code or "")

    def reason_label(self, code: str | None) -> str:
        t = self.term("absence_reason", code)
        return t.label if t else (code or "")

    def reason_letter(self, code: str | None) -> str:
        t = self.term("absence_reason", code)
        return t.letter if t else self.status_letter("excused")

    def label(self, table: str, code: str | None) -> str:
        """The label of a code of one lookup table (the code itself if the table has no such row)."""
        t = self.term(table, code)
        return t.label if t else (code or "")

    def status_letter(self, code: str | None) -> str:
        t = self.term("attendance_status", code)
        return t.letter if t else ""

    def status_label(self, code: str | None) -> str:
        t = self.term("attendance_status", code)
        return t.label if t else (code or "")

    @property
    def days(self) -> str:
        """«3 дней» — the edit window in words after «позже», «более», «в течение»."""
        return f"{self.edit_window_days} {plural(self.edit_window_days, 'дня', 'дней', 'дней')}"

    @property
    def days_after(self) -> str:
        """«3 дня» — the edit window after «через», «не позднее … после»."""
        return f"{self.edit_window_days} {plural(self.edit_window_days, 'день', 'дня', 'дней')}"

    def phone_ok(self, value: str) -> bool:
        return re.match(self.phone_pattern, value) is not None

    def email_ok(self, value: str) -> bool:
        return re.match(self.email_pattern, value) is not None


_lock = threading.Lock()
_current: Vocabulary | None = None


def load(conn) -> Vocabulary:
    """Reads the vocabulary of the database `conn` is connected to and makes it current."""
    global _current
    row = conn.execute("SELECT ej.vocabulary() AS v").fetchone()
    data = row["v"] if isinstance(row, dict) else row[0]
    vocab = Vocabulary.from_json(data)
    with _lock:
        _current = vocab
    return vocab


def ensure(conn) -> Vocabulary | None:
    """Loads the vocabulary once per process, when the database has one (a database still being
    migrated has not)."""
    if _current is not None:
        return _current
    row = conn.execute("SELECT to_regprocedure('ej.vocabulary()') IS NOT NULL AS ok").fetchone()
    if not (row["ok"] if isinstance(row, dict) else row[0]):
        return None
    return load(conn)


def words(text: str) -> str:
    """A help text with the vocabulary's words in place: «{edit_window}» → «3 дней» (after
    «позже», «более», «не позднее»), «{edit_window_acc}» → «3 дня» (after «через»),
    «{absence_reasons}» → «б» болезнь, «з» заявление родителей, …"""
    v = _current
    if v is None:
        return text
    reasons = ", ".join(f"«{t.letter}» {t.label}" for t in v.absence_reason)
    return (text.replace("{edit_window}", v.days).replace("{edit_window_acc}", v.days_after)
            .replace("{absence_reasons}", reasons))


def current() -> Vocabulary:
    """The vocabulary loaded with the session; the app loads it when it first connects."""
    if _current is None:
        raise RuntimeError("the vocabulary is not loaded: ejournal_tui.vocabulary.load(conn) first")
    return _current
