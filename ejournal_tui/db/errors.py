"""Database errors as a person reads them: in Russian, with no personal data.

`to_user_error` maps any exception of a call to one of `ejournal_tui.errors`' kinds:

- our business rules raise with a SQLSTATE of our own class `EJ` (`RAISE EXCEPTION '…' USING
  ERRCODE = 'EJ003'`, the table of codes heads sql/migrations/0001): the code gives the kind
  (`RULE_KINDS`) and the message, a Russian sentence written for people, is shown as it is.
  The code alone — not the words or who raised it — says the error is ours;
- for the server's own errors the kind comes from the SQLSTATE (`23505` → a conflict, `42501` →
  no rights, class `08` → no connection…), see `_KIND_BY_STATE`, and the words from a
  constraint's message (its comment, loaded once per session from `ej.constraint_messages()`)
  or the general sentence of the SQLSTATE.

Details of the offending row (psycopg's `diag.message_detail`) are never shown: they may carry
personal data. Exceptions that are not the database's are shown only when they are a
`UserError` (or a form's `ValidationError`); any other is an "unexpected error".
"""

import psycopg
from psycopg import errors as pgerr
from pydantic import ValidationError

from ejournal_tui.db.connection import Conn
from ejournal_tui.errors import (
    UNEXPECTED,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    RuleViolation,
    Unavailable,
    Unexpected,
    UserError,
)

RULE_CLASS = "EJ"  # the SQLSTATE class of our rules' RAISE (sql/migrations/0001 lists the codes)
RULE_KINDS: dict[str, type[UserError]] = {
    "EJ001": Invalid,  # a value given does not pass the rule
    "EJ002": Forbidden,  # this session may not do it
    "EJ003": RuleViolation,  # a rule of the journal refuses the change
    "EJ004": Conflict,  # such a record already exists, or it was changed meanwhile
    "EJ005": NotFound,  # not there, or not visible to this session
}
INTERNAL = "EJ000"  # an invariant of the schema itself: not worded for people

_BY_CLASS = {
    "08": "Нет связи с базой данных. Изменения сохранятся, когда связь восстановится.",
    "22": "Неверное значение: проверьте формат даты, числа или длину текста.",
    "23": "Значение не прошло проверку базы данных.",
    "25": "Сейчас эти данные изменить нельзя.",
    "28": "Нет доступа: учётная запись не найдена, заблокирована или пароль неверен.",
    "40": "Данные одновременно изменил другой пользователь. Повторите действие.",
    "42": "Недостаточно прав для этого действия.",
    "53": "Сервер базы данных перегружен. Повторите позже.",
    "57": "Сервер базы данных перезапускается. Повторите позже.",
}

_BY_STATE = {
    "23505": "Такая запись уже есть.",
    "23503": "Связанная запись не найдена или ещё используется.",
    "23502": "Заполните обязательное поле.",
    "42501": "Недостаточно прав: эта запись вам недоступна.",
    "22001": "Слишком длинный текст.",
    "22003": "Число вне допустимого диапазона.",
    "22007": "Неверная дата или время.",
    "22008": "Неверная дата или время.",
    "22P02": "Неверный формат значения.",
    "57014": "Запрос прерван: он выполнялся слишком долго.",
}

_KIND_BY_CLASS: dict[str, type[UserError]] = {
    "08": Unavailable,
    "22": Invalid,
    "23": RuleViolation,
    "25": RuleViolation,
    "28": Forbidden,
    "40": Conflict,
    "42": Forbidden,
    "53": Unavailable,
    "57": Unavailable,
}

_KIND_BY_STATE: dict[str, type[UserError]] = {
    "23505": Conflict,  # unique_violation
    "42710": Conflict,  # duplicate_object
    "23502": Invalid,  # not_null_violation
    "P0002": NotFound,  # no_data_found
    "42704": NotFound,  # undefined_object
}

BAD_CHARACTERS = "Недопустимые символы в тексте (нулевой байт или повреждённый символ Юникода)."


def to_user_error(exc: BaseException, constraint_messages: dict[str, str] | None = None) -> UserError:
    """The refusal a person reads for an exception of the data layer."""
    if isinstance(exc, UserError):
        return exc
    if isinstance(exc, ValidationError):
        from ejournal_tui.db.inputs import first_error, first_field

        return Invalid(first_error(exc), field=first_field(exc))
    if _bad_characters(exc):
        return Invalid(BAD_CHARACTERS)
    if isinstance(exc, psycopg.Error):
        return _from_database(exc, constraint_messages or {})
    return Unexpected(UNEXPECTED)


def user_message(exc: BaseException, constraint_messages: dict[str, str] | None = None) -> str:
    """One clear Russian sentence for an exception from the data layer."""
    return to_user_error(exc, constraint_messages).message


def _from_database(exc: psycopg.Error, constraint_messages: dict[str, str]) -> UserError:
    state = exc.sqlstate or ""
    if isinstance(exc, psycopg.OperationalError) and not isinstance(exc, pgerr.QueryCanceled):
        # no SQLSTATE at all: the driver lost the server (or never reached it)
        if state.startswith("28"):
            return Forbidden(_BY_CLASS["28"], title="Нет доступа")
        return Unavailable(_BY_CLASS["08"])
    diag = exc.diag
    field = diag.column_name
    if state.startswith(RULE_CLASS):
        rule = RULE_KINDS.get(state)
        if rule is None or not diag.message_primary:
            return Unexpected(UNEXPECTED)  # EJ000, or a code of a newer schema than this program
        return rule(diag.message_primary, field=field)  # one of our rules, worded for people
    kind = _KIND_BY_STATE.get(state) or _KIND_BY_CLASS.get(state[:2], Unexpected)
    name = diag.constraint_name
    if name and name in constraint_messages:
        return kind(constraint_messages[name], field=field)
    if isinstance(exc, pgerr.NotNullViolation) and field:
        return kind(f"Заполните обязательное поле ({field}).", field=field)
    text = _BY_STATE.get(state) or _BY_CLASS.get(state[:2]) or f"Ошибка базы данных (код {state or '—'})."
    return kind(text, field=field)


def _bad_characters(exc: BaseException) -> bool:
    """Text the driver refuses before it reaches the server: a NUL byte (psycopg's DataError with
    no SQLSTATE) or a lone surrogate (UnicodeEncodeError while encoding the parameters)."""
    if isinstance(exc, UnicodeError):
        return True
    return (isinstance(exc, psycopg.DataError) and not getattr(exc, "sqlstate", None)
            and "NUL" in str(exc))


def load_constraint_messages(conn: Conn) -> dict[str, str]:
    rows = conn.execute("SELECT constraint_name, message FROM ej.constraint_messages()").fetchall()
    return {r["constraint_name"]: r["message"] for r in rows}
