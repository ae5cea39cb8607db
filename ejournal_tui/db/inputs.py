"""What people type, checked before it reaches the database: dates as 01.09.2026, optional
fields left empty, phones and e-mails of the shapes the database accepts. Every check fails
with one Russian sentence; the database checks the same things again with its own messages.
The phone and e-mail patterns are the database's own (ejournal_tui.vocabulary)."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from ejournal_tui import dates
from ejournal_tui.errors import Invalid, UserError
from ejournal_tui.vocabulary import current

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# what no text may carry: a NUL byte (PostgreSQL cannot store it) or a lone surrogate (not UTF-8)
BROKEN = re.compile(r"[\x00\ud800-\udfff]")
BROKEN_TEXT = "Недопустимые символы в тексте (нулевой байт или повреждённый символ Юникода)"


class Input(BaseModel):
    """A form's values: strings stripped, unknown keys ignored."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _no_broken_text(cls, data):
        if isinstance(data, dict) and any(isinstance(v, str) and BROKEN.search(v) for v in data.values()):
            raise Invalid(BROKEN_TEXT)
        return data


def text(value) -> str | None:
    """An optional text field: None when left empty."""
    if value is None:
        return None
    value = str(value).strip()
    if CONTROL.search(value):
        raise Invalid("Недопустимые символы в тексте")
    return value or None


def required(value, what: str, longest: int = 300) -> str:
    value = text(value)
    if not value:
        raise Invalid(f"Заполните поле «{what}»")
    if len(value) > longest:
        raise Invalid(f"«{what}»: не длиннее {longest} символов")
    return value


def chosen(value, message: str):
    """A choice from a list (an id, a weekday): nothing chosen is refused with `message`."""
    if value in (None, "", False):
        raise Invalid(message)
    return value


def staff_name(value) -> str:
    """A staff member's full name: two to four words, spaces tidied."""
    name = " ".join(required(value, "ФИО", 200).split())
    if not 2 <= len(name.split()) <= 4:
        raise Invalid("ФИО сотрудника: от двух до четырёх слов, например «Иванова Мария Петровна»")
    return name


def parse_date(value, what: str = "Дата", optional: bool = False) -> date | None:
    """What dates.parse accepts (01.09.2026, 1.9.2026, 2026-09-01, 01.09.26), or Invalid."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    value = (value or "").strip()
    if not value:
        if optional:
            return None
        raise Invalid(f"{what}: укажите дату в виде {dates.EXAMPLE}")
    if (day := dates.parse(value)) is not None:
        return day
    raise Invalid(f"{what}: «{value}» — не дата; нужно {dates.EXAMPLE}")


def parse_hours(value, what: str = "Часы", top: Decimal = Decimal(2000)) -> Decimal:
    try:
        hours = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise Invalid(f"{what}: «{value}» — не число") from None
    if not Decimal(0) < hours <= top:
        raise Invalid(f"{what}: больше нуля и не более {top}")
    return hours


def phone(value) -> str | None:
    value = text(value)
    if value and not current().phone_ok(value):
        raise Invalid("Телефон: цифры, пробелы, скобки и дефисы, например +7 (812) 555-12-34")
    return value


def email(value) -> str | None:
    value = text(value)
    if value and (not current().email_ok(value) or len(value) > 200):
        raise Invalid("Электронная почта должна быть вида имя@домен.ru")
    return value


def first_error(exc: ValidationError) -> str:
    """The first problem of a form, as the validator worded it (an `Invalid` raised by a check of
    ours); pydantic's own type checks, worded in English, become a general Russian sentence."""
    err = exc.errors()[0]
    ours = err.get("ctx", {}).get("error")
    if isinstance(ours, UserError):
        return ours.message
    field = first_field(exc)
    return f"Неверное значение поля {field}" if field else "Неверное значение"


def first_field(exc: ValidationError) -> str | None:
    """The form field of the first problem, if it is about one field."""
    loc = exc.errors()[0].get("loc", ())
    return ".".join(str(x) for x in loc if not isinstance(x, int)) or None
