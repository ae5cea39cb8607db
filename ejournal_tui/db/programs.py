"""Programs (ДООП) and their КТП: the list, a program's topics, and the КТП import from a CSV
file or a pasted list «тема; часы» — checked line by line by ej.import_ktp, which also writes
it in one transaction."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from psycopg.types.json import Jsonb
from pydantic import field_validator

from ejournal_tui.db import inputs
from ejournal_tui.db.connection import Conn, one, rows_as
from ejournal_tui.db.inputs import Input
from ejournal_tui.errors import Invalid, NotFound
from ejournal_tui.models import Row


class ProgramRow(Row):
    id: int
    quantum_id: int
    quantum_name: str
    name: str
    total_hours: Decimal
    approved_on: date | None
    topics: int
    ktp_hours: Decimal


class ProgramInput(Input):
    quantum_id: int
    name: str
    total_hours: Decimal
    approved_on: date | None = None

    _name = field_validator("name", mode="before")(lambda v: inputs.required(v, "Название программы", 300))
    _hours = field_validator("total_hours", mode="before")(lambda v: inputs.parse_hours(v, "Объём программы, ч"))
    _approved = field_validator("approved_on", mode="before")(
        lambda v: inputs.parse_date(v, "Дата утверждения", optional=True))

    _quantum = field_validator("quantum_id", mode="before")(lambda v: inputs.chosen(v, "Выберите квантум"))


class TopicRow(Row):
    id: int
    position: int
    title: str
    hours: Decimal
    lessons: int


class KtpLine(Row):
    line: int
    position: int
    title: str | None
    hours: Decimal | None
    error: str | None


def programs(conn: Conn) -> list[ProgramRow]:
    return rows_as(
        conn, ProgramRow,
        """
        SELECT p.id, p.quantum_id, q.name AS quantum_name, p.name, p.total_hours, p.approved_on,
               count(t.id)::int AS topics, coalesce(sum(t.hours), 0) AS ktp_hours
          FROM ej.program p JOIN ej.quantum q ON q.id = p.quantum_id
          LEFT JOIN ej.program_topic t ON t.program_id = p.id
         GROUP BY p.id, q.name ORDER BY q.name, p.name
        """
    )


def program(conn: Conn, program_id: int) -> ProgramRow:
    found = [p for p in programs(conn) if p.id == program_id]
    if not found:
        raise NotFound("Программа не найдена")
    return found[0]


def save_program(conn: Conn, program_id: int | None, data: ProgramInput) -> int:
    values = (data.quantum_id, data.name, data.total_hours, data.approved_on)
    if program_id is None:
        row = one(conn.execute(
            "INSERT INTO ej.program (quantum_id, name, total_hours, approved_on) VALUES (%s, %s, %s, %s) RETURNING id",
            values,
        ))
        return row["id"]
    cur = conn.execute(
        "UPDATE ej.program SET quantum_id = %s, name = %s, total_hours = %s, approved_on = %s WHERE id = %s",
        (*values, program_id),
    )
    if cur.rowcount != 1:
        raise NotFound("Программа не найдена")
    return program_id


def topics(conn: Conn, program_id: int) -> list[TopicRow]:
    return rows_as(
        conn, TopicRow,
        """SELECT t.id, t.position, t.title, t.hours,
                  (SELECT count(*) FROM ej.lesson l WHERE l.topic_id = t.id)::int AS lessons
             FROM ej.program_topic t WHERE t.program_id = %s ORDER BY t.position""",
        (program_id,),
    )


def parse_ktp(text: str) -> list[dict]:
    """Lines «тема; часы» into {"line", "title", "hours"} as typed. A line may be separated by «;»,
    a tab (copied from a spreadsheet) or a comma; the last field is the hours; a leading number
    column («1; Введение; 2») is dropped; empty lines and a header line («Тема; Часы») are skipped."""
    out: list[dict] = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        delimiter = next((d for d in (";", "\t") if d in line), ",")
        fields = [f.strip() for f in next(csv.reader(io.StringIO(line), delimiter=delimiter), [])]
        if not any(fields):
            continue
        if len(fields) >= 3 and fields[0].rstrip(".").isdigit():
            fields = fields[1:]
        title = " ".join(f for f in fields[:-1] if f) if len(fields) > 1 else fields[0]
        hours = fields[-1] if len(fields) > 1 else ""
        if not out and hours.lower().startswith(("час", "кол")):
            continue  # a header line («Тема; Часы», «№; Тема; Кол-во часов»)
        out.append({"line": number, "title": title, "hours": hours})
    return out


def read_ktp_file(path: str) -> str:
    """A CSV file as text: UTF-8 (with or without BOM), else Windows-1251 (older spreadsheets)."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise Invalid(f"Файл «{path}» не найден")
    data = p.read_bytes()
    if len(data) > 1_000_000:
        raise Invalid("Файл слишком большой для КТП (больше 1 МБ)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def check_ktp(conn: Conn, program_id: int, lines: list[dict]) -> list[KtpLine]:
    """The preview: every line with its error, nothing written."""
    return _import(conn, program_id, lines, False)


def import_ktp(conn: Conn, program_id: int, lines: list[dict]) -> list[KtpLine]:
    return _import(conn, program_id, lines, True)


def _import(conn: Conn, program_id: int, lines: list[dict], apply: bool) -> list[KtpLine]:
    with conn.transaction():
        return rows_as(
        conn, KtpLine,
            "SELECT * FROM ej.import_ktp(%s, %s, %s)", (program_id, Jsonb(lines), apply)
        )
