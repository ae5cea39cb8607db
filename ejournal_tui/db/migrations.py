"""Forward-only SQL migrations: applied in order, once, each in its own transaction,
checksummed, under an advisory lock so that two administrators at once are safe."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from ejournal_tui.db.connection import Conn
from ejournal_tui.paths import sql_dir

LOCK_KEY = 7_405_331_101  # pg_advisory_lock key of the migration runner
_NAME = re.compile(r"^\d{4}_[a-z0-9_]+\.sql$")
_DOLLAR = re.compile(r"\$[A-Za-z_]*\$")

META_DDL = """
CREATE SCHEMA IF NOT EXISTS ejournal_meta;
CREATE TABLE IF NOT EXISTS ejournal_meta.schema_migration (
    name       text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT session_user
);
"""


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    name: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class MigrationState:
    name: str
    state: str  # applied | pending | changed | missing
    applied_at: object = None


def discover(directory: Path | None = None) -> list[Migration]:
    directory = directory or sql_dir() / "migrations"
    files = sorted(p for p in directory.glob("*.sql") if _NAME.match(p.name))
    return [Migration(p.name, p) for p in files]


def split_statements(text: str) -> list[tuple[int, str]]:
    """Split SQL into statements, respecting quotes, dollar quotes and comments.
    Returns (line number where the statement starts, statement)."""
    out: list[tuple[int, str]] = []
    i, n, start = 0, len(text), 0
    while i < n:
        c = text[i]
        if c == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c in "'\"":
            j = i + 1
            while j < n:
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif c == "$" and (m := _DOLLAR.match(text, i)):
            j = text.find(m.group(0), m.end())
            i = n if j < 0 else j + len(m.group(0))
        elif c == ";":
            _append(out, text, start, i)
            i += 1
            start = i
        else:
            i += 1
    _append(out, text, start, n)
    return out


def _append(out: list[tuple[int, str]], text: str, start: int, end: int) -> None:
    """Add text[start:end] as a statement, skipping its leading blanks and comments."""
    i = start
    while i < end:
        if text[i].isspace():
            i += 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            i = end if j < 0 or j > end else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = end if j < 0 or j > end else j + 2
        else:
            break
    body = text[i:end].strip()
    if body:
        out.append((text.count("\n", 0, i) + 1, body))


def _applied(conn: Conn) -> dict[str, dict]:
    exists = conn.execute("SELECT to_regclass('ejournal_meta.schema_migration') IS NOT NULL AS ok").fetchone()
    if not _get(exists, "ok", 0):
        return {}
    rows = conn.execute("SELECT name, checksum, applied_at FROM ejournal_meta.schema_migration").fetchall()
    return {_get(r, "name", 0): {"checksum": _get(r, "checksum", 1), "applied_at": _get(r, "applied_at", 2)}
            for r in rows}


def _get(row, key: str, index: int):
    return row[key] if isinstance(row, dict) else row[index]


def status(conn: Conn, migrations: list[Migration] | None = None) -> list[MigrationState]:
    migrations = migrations if migrations is not None else discover()
    applied = _applied(conn)
    states = []
    for m in migrations:
        rec = applied.pop(m.name, None)
        if rec is None:
            states.append(MigrationState(m.name, "pending"))
        else:
            state = "applied" if rec["checksum"] == m.checksum else "changed"
            states.append(MigrationState(m.name, state, rec["applied_at"]))
    states += [MigrationState(name, "missing", rec["applied_at"]) for name, rec in sorted(applied.items())]
    return states


def migrate(conn: Conn, migrations: list[Migration] | None = None) -> list[str]:
    """Apply pending migrations; return their names. `conn` must be in autocommit mode."""
    if not conn.autocommit:
        raise MigrationError("Для миграций нужно соединение в режиме autocommit")
    migrations = migrations if migrations is not None else discover()
    conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
    try:
        with conn.transaction():
            conn.execute(META_DDL)
        states = status(conn, migrations)
        bad = [s for s in states if s.state in ("changed", "missing")]
        if bad:
            desc = ", ".join(f"{s.name} ({'изменён после применения' if s.state == 'changed' else 'файл отсутствует'})"
                             for s in bad)
            raise MigrationError(f"Миграции не применены: {desc}. Применённые файлы менять нельзя — "
                                 "добавьте новый файл миграции.")
        pending = {s.name for s in states if s.state == "pending"}
        done = []
        for m in migrations:
            if m.name in pending:
                _apply(conn, m)
                done.append(m.name)
        return done
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))


def _apply(conn: Conn, m: Migration) -> None:
    text = m.text
    with conn.transaction():
        for number, (line, stmt) in enumerate(split_statements(text), start=1):
            try:
                conn.execute(stmt, prepare=False)
            except psycopg.Error as exc:
                first = stmt.splitlines()[0][:100]
                raise MigrationError(
                    f"{m.name}: оператор № {number} (строка {line}: «{first}») не выполнен: "
                    f"{(exc.diag.message_primary or str(exc)).strip()}. База данных не изменена."
                ) from exc
        conn.execute("RESET ROLE")  # a file may SET LOCAL ROLE ej_owner
        conn.execute(
            "INSERT INTO ejournal_meta.schema_migration (name, checksum) VALUES (%s, %s)", (m.name, m.checksum)
        )
