"""Forward-only SQL migrations: applied in order, once, each in its own transaction,
checksummed, under an advisory lock so that two administrators at once are safe.

Every function, view, trigger and policy is defined once, in the file of its topic, in its final
form; a later change of one is a new file with CREATE OR REPLACE. Repeatable files (functions
and views re-applied whenever their checksum changes, as Flyway's R__ files) were weighed and not
taken: views and SQL-language functions are checked against the tables when created, policies
and column defaults need their functions first, and tables need functions in their CHECKs — so
the order between the repeatable files and the versioned ones would have to be declared by hand
(or re-applying a view would need DROP … CASCADE of its dependants), which is the ordering
problem the numbered files already solve. scripts/schema_diff shows that the folded files build
the schema the earlier ones did."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from ejournal_tui.db.connection import Conn
from ejournal_tui.paths import sql_dir

LOCK_KEY = 7_405_331_101  # pg_advisory_lock key of the migration runner
_NAME = re.compile(r"^\d{4}_[a-z0-9_]+\.sql$")

META_DDL = """
CREATE SCHEMA IF NOT EXISTS ejournal_meta;
CREATE TABLE IF NOT EXISTS ejournal_meta.schema_migration (
    name       text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT session_user
);
DO $$
BEGIN
    IF obj_description('ejournal_meta.schema_migration'::regclass, 'pg_class') IS NULL THEN
        COMMENT ON TABLE ejournal_meta.schema_migration
            IS 'Применённые миграции sql/migrations: имя файла и его контрольная сумма.';
    END IF;
END $$;
"""

# The files of the schema before its first release (0001–0021, and later 0019–0020, folded into the
# present set while nothing was deployed). A database that applied any of them was built by that pre-release schema:
# it cannot be migrated forward, only recreated.
PRE_RELEASE = frozenset({
    "0014_teacher_policy_arrays.sql", "0015_mark_write_path.sql", "0016_organization_integrity.sql",
    "0017_accounts_and_text.sql", "0018_time_and_reasons.sql", "0019_journal_engine.sql",
    "0020_first_hour.sql", "0021_printouts.sql", "0019_fast_paths.sql", "0020_lessons_due_plural.sql",
})
PRE_RELEASE_MESSAGE = (
    "База данных создана предварительной версией схемы журнала (миграции до первого выпуска, например {name}); "
    "обновить её нельзя. Пересоздайте базу: выгрузите данные (pg_dump --data-only --schema=ej), создайте "
    "пустую базу, выполните «ejournal db migrate» и загрузите данные обратно (psql -f)."
)


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
        old = sorted(PRE_RELEASE & _applied(conn).keys())
        if old:
            raise MigrationError(PRE_RELEASE_MESSAGE.format(name=old[0]))
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
    """Run the file as one script. Without parameters psycopg sends it by the simple query
    protocol, so the server itself splits the statements (dollar quotes, E'' strings, nested
    comments — no lexer of our own). Where a statement failed: the server gives the position of
    a parse or name error in the script (turned into a line); a run-time error (a division by
    zero, a rule that refuses) has no position, and its message and context are shown instead."""
    with conn.transaction():
        try:
            conn.execute(m.text, prepare=False)
        except psycopg.Error as exc:
            raise MigrationError(f"{m.name}: {_where(m.text, exc)}не выполнено: "
                                 f"{(exc.diag.message_primary or str(exc)).strip()}{_context(exc)}. "
                                 "База данных не изменена.") from exc
        conn.execute("RESET ROLE")  # a file may SET LOCAL ROLE ej_owner
        conn.execute(
            "INSERT INTO ejournal_meta.schema_migration (name, checksum) VALUES (%s, %s)", (m.name, m.checksum)
        )


def _where(text: str, exc: psycopg.Error) -> str:
    position = exc.diag.statement_position
    if not position or not position.isdigit():
        return ""
    offset = int(position) - 1
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return f"строка {line} («{text[start:end if end >= 0 else None].strip()[:100]}») "


def _context(exc: psycopg.Error) -> str:
    context = (exc.diag.context or "").strip().splitlines()
    return f" ({context[-1]})" if context else ""
