"""A date field: shows a date as it is typed (01.09.2026) and reads back what dates.parse accepts."""

from datetime import date

from textual.widgets import Input

from ejournal_tui import dates


class DateInput(Input):
    def __init__(self, day: date | None, *, id: str, disabled: bool = False):
        super().__init__(dates.typed(day), id=id, placeholder=dates.PLACEHOLDER, classes="short", disabled=disabled)

    @property
    def date(self) -> date | None:
        """The typed date, or None when the text is not one."""
        return dates.parse(self.value)
