"""Refusals written for the person at the keyboard: one small hierarchy for the whole app.

A `UserError` carries a Russian sentence (`message`), the title of the notice that shows it
and, for a form, the field it is about. The data layer raises these for its own checks and
`ejournal_tui.db.errors.to_user_error` turns a database error into one (by SQLSTATE and the
server's diagnostics, never by the words of the text); the app shows every error through one
path (`EJournalApp.show_error`). Each kind also derives from the built-in exception it stands
for, so `except LookupError` and pydantic's validators (which take `ValueError`) keep working.

No Textual and no psycopg here: the command line, the print worker and the screens share it.
"""

from __future__ import annotations


class UserError(Exception):
    """A refusal that a person can read: nothing in it is internal or personal."""

    title = "Ошибка"

    def __init__(self, message: str, *, title: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title
        self.field = field  # the form field it is about, when known

    def __str__(self) -> str:
        return self.message


class Invalid(UserError, ValueError):
    """A value that does not pass a check: a form's field, a date, a length, a format."""

    title = "Неверное значение"


class NotFound(UserError, LookupError):
    """The row is not there, or this session may not see it (the same words for both)."""

    title = "Не найдено"


class Forbidden(UserError, PermissionError):
    """This session's roles may not do it."""

    title = "Нет прав"


class RuleViolation(UserError):
    """A rule of the journal refuses the change (the edit window, a closed iteration, a limit…)."""

    title = "Не разрешено"


class Conflict(UserError):
    """Someone else changed the same data first, or such a record already exists."""

    title = "Конфликт изменений"


class Unavailable(UserError, ConnectionError):
    """The database cannot be reached now: nothing changed, the action may be repeated."""

    title = "Нет связи"


class Unexpected(UserError):
    """Anything else: said in general words, since its text is not written for people."""

    title = "Ошибка"


UNEXPECTED = "Непредвиденная ошибка. Данные не изменены."
