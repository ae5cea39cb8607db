"""Dates as people here read and type them — 01.09.2026 — in one place, for screens, forms,
reports and the command line. No Textual, no database."""

from datetime import date, datetime

# what a date field accepts, tried in this order: 01.09.2026 (also 1.9.2026), 2026-09-01, 01.09.26
FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y")
PLACEHOLDER = "ДД.ММ.ГГГГ"
EXAMPLE = f"{PLACEHOLDER}, например 01.09.2026"


def parse(text: str | None) -> date | None:
    """A date typed by a person, or None when the text is not one of FORMATS."""
    text = (text or "").strip()
    for fmt in FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:  # strptime's own: try the next form
            continue
    return None


def fmt_date(d: date | None, empty: str = "—") -> str:
    """01.09.2026 (a datetime shows its date); `empty` for no date."""
    return f"{d.day:02}.{d.month:02}.{d.year:04}" if d else empty


def fmt_day(d: date | None, empty: str = "—") -> str:
    """01.09: a day of the current year, in narrow columns."""
    return f"{d.day:02}.{d.month:02}" if d else empty


def fmt_dt(d: datetime | None, empty: str = "—") -> str:
    """01.09.2026 14:05."""
    return f"{fmt_date(d)} {d:%H:%M}" if d else empty


def typed(d: date | None) -> str:
    """A date as it is typed into a field (empty for none): what a form shows to be corrected."""
    return fmt_date(d, "")
