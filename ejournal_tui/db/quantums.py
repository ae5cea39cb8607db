"""Quantums (the technopark's subject units) of the organization: the list with how many programs
and groups each has, a new quantum, a new name. Only the methodist of the organization writes
them (row-level security of migration 0005); the name's rules are the database's constraints."""

from pydantic import field_validator

from ejournal_tui.db import inputs
from ejournal_tui.db.connection import Conn, one, rows_as
from ejournal_tui.db.inputs import Input
from ejournal_tui.errors import NotFound
from ejournal_tui.models import Row


class QuantumRow(Row):
    id: int
    name: str
    programs: int
    groups: int  # of iterations not archived


class QuantumInput(Input):
    name: str

    _name = field_validator("name", mode="before")(lambda v: inputs.required(v, "Название квантума", 100))


def quantums(conn: Conn) -> list[QuantumRow]:
    return rows_as(
        conn, QuantumRow,
        """
        SELECT q.id, q.name, count(DISTINCT p.id)::int AS programs,
               count(DISTINCT g.id) FILTER (WHERE i.status <> 'archived')::int AS groups
          FROM ej.quantum q
          LEFT JOIN ej.program p ON p.quantum_id = q.id
          LEFT JOIN ej.study_group g ON g.program_id = p.id
          LEFT JOIN ej.iteration i ON i.id = g.iteration_id
         GROUP BY q.id ORDER BY q.name
        """,
    )


def save_quantum(conn: Conn, quantum_id: int | None, data: QuantumInput) -> int:
    """A new quantum (None) or a new name; the database checks the name and who writes."""
    if quantum_id is None:
        return one(conn.execute("INSERT INTO ej.quantum (name) VALUES (%s) RETURNING id", (data.name,)))["id"]
    row = conn.execute("UPDATE ej.quantum SET name = %s WHERE id = %s RETURNING id", (data.name, quantum_id)).fetchone()
    if row is None:
        raise NotFound("Квантум не найден: его мог удалить или изменить другой пользователь")
    return row["id"]
