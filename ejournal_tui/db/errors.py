"""Database errors as a person reads them: in Russian, with no personal data.

Constraint messages live in the database (comments on constraints, ej.constraint_messages());
business-rule triggers raise Russian messages themselves. Details of the offending row
(psycopg's `diag.message_detail`) are never shown: they may carry personal data.
"""

import re

import psycopg
from psycopg import errors as pgerr

from ejournal_tui.db.connection import Conn

_CYRILLIC = re.compile(r"[А-Яа-яЁё]")

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


BAD_CHARACTERS = "Недопустимые символы в тексте (нулевой байт или повреждённый символ Юникода)."


def user_message(exc: BaseException, constraint_messages: dict[str, str] | None = None) -> str:
    """One clear Russian sentence for an exception from the data layer."""
    if _bad_characters(exc):
        return BAD_CHARACTERS
    if isinstance(exc, psycopg.OperationalError) and not isinstance(exc, psycopg.errors.QueryCanceled):
        if getattr(exc, "sqlstate", None) and str(exc.sqlstate).startswith("28"):
            return _BY_CLASS["28"]
        return _BY_CLASS["08"]
    if not isinstance(exc, psycopg.Error):
        # the data layer's own refusals (LookupError, ValueError…) are written for people
        text = str(exc)
        if _CYRILLIC.search(text) and "\n" not in text and len(text) < 300:
            return text
        return "Непредвиденная ошибка. Данные не изменены."
    diag = exc.diag
    name = diag.constraint_name
    if name and constraint_messages and name in constraint_messages:
        return constraint_messages[name]
    primary = diag.message_primary or ""
    if _CYRILLIC.search(primary):
        return primary  # raised by our own rules, written for people
    state = exc.sqlstate or ""
    if isinstance(exc, pgerr.InsufficientPrivilege) and "row-level security" in primary:
        return "Недостаточно прав: это запись чужой группы или организации."
    if isinstance(exc, pgerr.NotNullViolation) and diag.column_name:
        return f"Заполните обязательное поле ({diag.column_name})."
    return _BY_STATE.get(state) or _BY_CLASS.get(state[:2]) or f"Ошибка базы данных (код {state or '—'})."


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
