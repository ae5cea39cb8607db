"""An iteration made by hand (not by the roll-over): its name and dates, a change of them, and
the cancellation of one that has not started. The database keeps the rules of migration 0016:
a new iteration is «планируется» (its status moves only through ej.set_iteration_status),
iterations of one organization do not overlap, dates keep the lessons given inside them, and
ej.cancel_iteration refuses an iteration that started or has lessons."""

from datetime import date

from pydantic import field_validator, model_validator

from ejournal_tui.db import inputs
from ejournal_tui.db.connection import Conn, one
from ejournal_tui.db.inputs import Input
from ejournal_tui.errors import Invalid, NotFound


class IterationInput(Input):
    name: str
    starts_on: date
    ends_on: date

    _name = field_validator("name", mode="before")(lambda v: inputs.required(v, "Название", 100))
    _starts = field_validator("starts_on", mode="before")(lambda v: inputs.parse_date(v, "Начало"))
    _ends = field_validator("ends_on", mode="before")(lambda v: inputs.parse_date(v, "Окончание"))

    @model_validator(mode="after")
    def _dates(self):
        if self.ends_on <= self.starts_on:
            raise Invalid("Окончание: итерация должна заканчиваться позже, чем начинается", field="ends_on")
        if (self.ends_on - self.starts_on).days > 366:
            raise Invalid("Окончание: итерация длится не больше года", field="ends_on")
        return self


def save_iteration(conn: Conn, iteration_id: int | None, data: IterationInput) -> int:
    """A new iteration («планируется»), or new name and dates of one not archived."""
    values = (data.name, data.starts_on, data.ends_on)
    if iteration_id is None:
        return one(conn.execute(
            "INSERT INTO ej.iteration (name, starts_on, ends_on) VALUES (%s, %s, %s) RETURNING id", values))["id"]
    row = conn.execute("UPDATE ej.iteration SET name = %s, starts_on = %s, ends_on = %s WHERE id = %s RETURNING id",
                       (*values, iteration_id)).fetchone()
    if row is None:
        raise NotFound("Итерация не найдена: её могли отменить или изменить")
    return row["id"]


def cancel(conn: Conn, iteration_id: int) -> int:
    """ej.cancel_iteration: the groups removed with it."""
    return one(conn.execute("SELECT ej.cancel_iteration(%s) AS groups", (iteration_id,)))["groups"]
