"""Tests run against a real PostgreSQL: EJOURNAL_TEST_DSN (a superuser connection) if set,
otherwise a throw-away embedded server from pgserver.

Databases:
- `template_db`: migrated, with `small` demo data and a second organization, made once.
- `db` (per test): a clone of the template (CREATE DATABASE … TEMPLATE), so a test may
  commit, connect as any demo login, and leave nothing behind.
- `sql` (per test): one superuser connection to a clone, with `as_user(login)` that switches
  the session identity (SET SESSION AUTHORIZATION) the way pgTAP tests do.
"""

import contextlib
import itertools
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql as pgsql

from ejournal_tui.db import accounts, migrations
from ejournal_tui.db.connection import Conn, connect, with_user

# The demo organizations keep their journal in Moscow time (organization.time_zone, ej.today()).
# The tests' sessions and this process take the same zone (libpq's PGTZ, TZ).
os.environ["PGTZ"] = os.environ["TZ"] = "Europe/Moscow"
time.tzset()
from fixed_today import TODAY  # noqa: E402  (after TZ: the default is the Moscow date)

# The tester's own config.toml (a keymap, a theme) must not change what the tests see.
os.environ["EJOURNAL_CONFIG"] = os.devnull

TEMPLATE = f"ejournal_tmpl_{os.getpid()}"
DEMO_LOGINS = {
    "o1_teacher01": "teacher",
    "o1_teacher02": "teacher",
    "o1_methodist": "methodist",
    "o1_deputy": "deputy",
    "o1_director": "director",
    "o1_admin": "admin",
    "o2_teacher01": "teacher",
    "o2_methodist": "methodist",
}
_counter = itertools.count()


@dataclass
class Server:
    superuser: str  # conninfo of a superuser, any database

    def conninfo(self, dbname: str, user: str | None = None) -> str:
        params = psycopg.conninfo.conninfo_to_dict(self.superuser)
        params["dbname"] = dbname
        if user:
            params["user"] = user
            params.pop("password", None)
        return psycopg.conninfo.make_conninfo("", **params)

    def create_db(self, name: str, template: str | None = None) -> str:
        """A new database held at the suite's date (ej.frozen_today): its ej.today() is TODAY
        whatever the hour, so a run that crosses midnight, or starts on a Monday or on the 1st,
        sees the same dates as the demo data made at the start. (A clone does not inherit the
        setting from its template: it belongs to the database, so every new one gets it here.)"""
        with connect(self.conninfo("postgres")) as conn:
            q = pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name))
            if template:
                q += pgsql.SQL(" TEMPLATE {}").format(pgsql.Identifier(template))
            conn.execute(q)
            conn.execute(pgsql.SQL("ALTER DATABASE {} SET ej.today = {}").format(
                pgsql.Identifier(name), pgsql.Literal(TODAY.isoformat())))
        return name

    def drop_db(self, name: str) -> None:
        with connect(self.conninfo("postgres")) as conn:
            conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    dsn = os.environ.get("EJOURNAL_TEST_DSN")
    if dsn:
        yield Server(dsn)
        return
    from ejournal_tui.db.embedded import EmbeddedServer

    embedded = EmbeddedServer(Path(tmp_path_factory.mktemp("pg")) / "pgdata", cleanup="delete")
    yield Server(embedded.conninfo(dbname="postgres"))
    embedded.stop()


SECOND_ORG_SQL = """
-- A second organization, made through the ordinary path (triggers on), for isolation tests.
WITH o AS (INSERT INTO ej.organization (name, unit_name) VALUES ('Технопарк «Второй»', 'ДТ «Второй»') RETURNING id),
     s AS (INSERT INTO ej.staff (organization_id, login, full_name)
           SELECT o.id, l, n FROM o, (VALUES ('o2_teacher01', 'Второва Анна Сергеевна'),
                                            ('o2_methodist', 'Второв Олег Ильич')) v(l, n) RETURNING id, login),
     q AS (INSERT INTO ej.quantum (organization_id, name) SELECT id, 'IT-квантум' FROM o RETURNING id, organization_id),
     p AS (INSERT INTO ej.program (organization_id, quantum_id, name, total_hours)
           SELECT organization_id, id, 'Вводный модуль', 72 FROM q RETURNING id, organization_id),
     it AS (INSERT INTO ej.iteration (organization_id, name, starts_on, ends_on, status)
            SELECT id, 'Итерация второго', ej.today(NULL) - 30, ej.today(NULL) + 60, 'active' FROM o RETURNING id)
INSERT INTO ej.study_group (organization_id, iteration_id, program_id, teacher_id, name)
SELECT p.organization_id, it.id, p.id, s.id, 'Второй-1' FROM p, it, s WHERE s.login = 'o2_teacher01';

INSERT INTO ej.student (organization_id, last_name, first_name, birth_date, sex)
SELECT organization_id, 'Второй', 'Ученик', date '2012-05-05', 'м' FROM ej.study_group WHERE name = 'Второй-1';

INSERT INTO ej.enrollment (group_id, student_id, enrolled_on, enroll_order, organization_id)
SELECT g.id, s.id, ej.today(NULL) - 30, '№ 1', g.organization_id
  FROM ej.study_group g, ej.student s WHERE g.name = 'Второй-1' AND s.last_name = 'Второй';

INSERT INTO ej.lesson (group_id, held_on, hours, topic, organization_id)
SELECT id, ej.today(NULL) - 7, 2, 'Вводное занятие', organization_id FROM ej.study_group WHERE name = 'Второй-1';

INSERT INTO ej.attendance (lesson_id, student_id, status, organization_id, group_id)
SELECT l.id, s.id, 'present', l.organization_id, l.group_id
  FROM ej.lesson l JOIN ej.study_group g ON g.id = l.group_id, ej.student s
 WHERE g.name = 'Второй-1' AND s.last_name = 'Второй';
"""


@pytest.fixture(scope="session")
def template_db(server: Server) -> Iterator[str]:
    from ejournal_tui import vocabulary
    from ejournal_tui.db.demo import load_demo_data

    server.drop_db(TEMPLATE)
    server.create_db(TEMPLATE)
    with connect(server.conninfo(TEMPLATE)) as conn:
        migrations.migrate(conn)
        vocabulary.load(conn)  # as the app does when it connects
        load_demo_data(conn, size="small", seed=1, today=TODAY)
        conn.execute(SECOND_ORG_SQL)
        for login, role in DEMO_LOGINS.items():
            accounts.ensure_login_role(conn, login, role)
    yield TEMPLATE
    server.drop_db(TEMPLATE)


@pytest.fixture(scope="session")
def today() -> date:
    """The suite's fixed today (fixed_today.TODAY): the demo data's date and every database's
    ej.today(). Tests take their dates from it, never from the real clock."""
    return TODAY


@pytest.fixture
def db(server: Server, template_db: str) -> Iterator[str]:
    """A private clone of the demo database; returns its name."""
    name = f"ejt_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    server.create_db(name, template=template_db)
    yield name
    server.drop_db(name)


@pytest.fixture
def empty_db(server: Server) -> Iterator[str]:
    name = f"eje_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    server.create_db(name)
    yield name
    server.drop_db(name)


class SqlSession:
    """A superuser connection that can act as any login, pgTAP style."""

    def __init__(self, conn: Conn):
        self.conn = conn

    def run(self, query, params=None) -> list[dict]:
        cur = self.conn.execute(query, params)
        return cur.fetchall() if cur.description else []

    def one(self, query, params=None):
        rows = self.run(query, params)
        assert len(rows) == 1, rows
        return next(iter(rows[0].values()))

    @contextlib.contextmanager
    def as_user(self, login: str):
        self.conn.execute(pgsql.SQL("SET SESSION AUTHORIZATION {}").format(pgsql.Identifier(login)))
        try:
            yield self
        finally:
            self.conn.execute("RESET SESSION AUTHORIZATION")

    def refuses(self, query, params=None) -> psycopg.Error:
        """Run in a savepoint; the database must refuse it. Returns the error."""
        try:
            with self.conn.transaction():
                self.conn.execute(query, params)
        except psycopg.Error as exc:
            return exc
        raise AssertionError(f"the database accepted: {query}")

    def changes(self, query, params=None) -> int:
        """Run in a savepoint that is rolled back; return the number of rows affected."""
        try:
            with self.conn.transaction():
                cur = self.conn.execute(query, params)
                count = cur.rowcount
                raise _Rollback
        except _Rollback:
            return count


class _Rollback(Exception):
    pass


@pytest.fixture
def sql(server: Server, db: str) -> Iterator[SqlSession]:
    with connect(server.conninfo(db)) as conn:
        yield SqlSession(conn)


@pytest.fixture
def login_conninfo(server: Server, db: str):
    """conninfo for a demo login on the test's database."""

    def make(login: str) -> str:
        return with_user(server.conninfo(db), login)

    return make


# --- Finding demo rows by what they are (used by test_rls, test_rules, test_audit, test_archive) ---


class Journal:
    """Looks demo rows up by their meaning (whose group, which iteration), never by a fixed id,
    so the tests survive changes to the demo generator. Runs as the superuser of `sql`."""

    def __init__(self, sql: SqlSession):
        self.sql = sql

    def staff_id(self, login: str) -> int:
        return self.sql.one("SELECT id FROM ej.staff WHERE login = %s", (login,))

    def org_id(self, login: str) -> int:
        return self.sql.one("SELECT organization_id FROM ej.staff WHERE login = %s", (login,))

    def groups(self, teacher: str, status: str = "active") -> list[int]:
        """Groups of a teacher in iterations of that status that have students and held lessons."""
        rows = self.sql.run(
            """SELECT g.id FROM ej.study_group g
                 JOIN ej.iteration i ON i.id = g.iteration_id
                 JOIN ej.staff s ON s.id = g.teacher_id
                WHERE s.login = %s AND i.status = %s
                  AND EXISTS (SELECT 1 FROM ej.enrollment e WHERE e.group_id = g.id)
                  AND EXISTS (SELECT 1 FROM ej.lesson l JOIN ej.attendance a ON a.lesson_id = l.id
                               WHERE l.group_id = g.id)
                ORDER BY g.id""",
            (teacher, status),
        )
        return [r["id"] for r in rows]

    def group(self, teacher: str, status: str = "active") -> int:
        found = self.groups(teacher, status)
        assert found, f"the demo data has no {status} group of {teacher} with students and marks"
        return found[0]

    def lesson(self, group_id: int, *, older_than_days: int = 0) -> int:
        """A held lesson of the group that has marks; the latest one at least that old."""
        row = self.sql.run(
            """SELECT l.id FROM ej.lesson l
                WHERE l.group_id = %s AND l.held_on <= ej.today(NULL) - %s
                  AND EXISTS (SELECT 1 FROM ej.attendance a WHERE a.lesson_id = l.id)
                ORDER BY l.held_on DESC LIMIT 1""",
            (group_id, older_than_days),
        )
        assert row, f"group {group_id} has no marked lesson older than {older_than_days} days"
        return row[0]["id"]

    def mark(self, lesson_id: int) -> dict:
        """One attendance mark of the lesson: {lesson_id, student_id, status}."""
        rows = self.sql.run(
            "SELECT lesson_id, student_id, status FROM ej.attendance WHERE lesson_id = %s "
            "ORDER BY student_id LIMIT 1",
            (lesson_id,),
        )
        assert rows, f"lesson {lesson_id} has no marks"
        return rows[0]

    def free_date(self, group_id: int, *, min_age_days: int = 0):
        """The latest date of the group's iteration, not in the future and at least min_age_days
        ago, with no lesson yet and with at least one student enrolled on it."""
        row = self.sql.run(
            """SELECT d::date AS d
                 FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id,
                      generate_series(i.starts_on, least(i.ends_on, ej.today(NULL) - %s), interval '1 day') d
                WHERE g.id = %s
                  AND NOT EXISTS (SELECT 1 FROM ej.lesson l WHERE l.group_id = g.id AND l.held_on = d::date)
                  AND EXISTS (SELECT 1 FROM ej.enrollment e
                               WHERE e.group_id = g.id AND e.enrolled_on <= d::date
                                 AND (e.left_on IS NULL OR e.left_on > d::date))
                ORDER BY d DESC LIMIT 1""",
            (min_age_days, group_id),
        )
        assert row, f"group {group_id} has no free date for a new lesson"
        return row[0]["d"]

    def enrolled_student(self, group_id: int, on) -> int:
        return self.sql.run(
            """SELECT student_id FROM ej.enrollment
                WHERE group_id = %s AND enrolled_on <= %s AND (left_on IS NULL OR left_on > %s)
                ORDER BY student_id LIMIT 1""",
            (group_id, on, on),
        )[0]["student_id"]

    def add_lesson(self, group_id: int, held_on, **columns) -> int:
        """A lesson inserted as the superuser (filled_by stays empty)."""
        cols = {"group_id": group_id, "held_on": held_on, "organization_id": 0, "hours": 2, **columns}
        q = pgsql.SQL("INSERT INTO ej.lesson ({}) VALUES ({}) RETURNING id").format(
            pgsql.SQL(", ").join(map(pgsql.Identifier, cols)),
            pgsql.SQL(", ").join([pgsql.Placeholder()] * len(cols)),
        )
        return self.sql.one(q, list(cols.values()))

    @contextlib.contextmanager
    def reason_given(self, reason: str = "исправление при проверке"):
        """A transaction in which late corrections carry a reason (ej.set_reason), so a test of
        access rights is not refused by the edit-window rule instead."""
        with self.sql.conn.transaction():
            self.sql.run("SELECT ej.set_reason(%s)", (reason,))
            yield self.sql

    def add_remark(self, group_id: int, author: str = "o1_deputy",
                   body: str = "Заполните темы занятий") -> int:
        """A remark on the group, inserted as the superuser."""
        return self.sql.one(
            """INSERT INTO ej.remark (organization_id, group_id, author_id, body)
               VALUES (0, %s, (SELECT id FROM ej.staff WHERE login = %s), %s) RETURNING id""",
            (group_id, author, body),
        )


    def fill_lesson(self, group_id: int, held_on, student_id: int) -> int:
        """A lesson with one 'present' mark, inserted in the session's current identity (inside
        `sql.as_user(...)`, so the rules and the audit see that login)."""
        lesson = self.sql.one("INSERT INTO ej.lesson (group_id, held_on, hours, organization_id) "
                              "VALUES (%s, %s, 2, 0) RETURNING id", (group_id, held_on))
        self.sql.run("INSERT INTO ej.attendance (lesson_id, student_id, status, organization_id, group_id) "
                     "VALUES (%s, %s, 'present', 0, 0)", (lesson, student_id))
        return lesson


def ej_tables(sql: SqlSession) -> list[str]:
    return [r["tablename"] for r in sql.run("SELECT tablename FROM pg_tables WHERE schemaname = 'ej' ORDER BY 1")]


def at_once(work, times: int = 3) -> tuple[list, list[Exception]]:
    """Run work() in that many threads at the same time: (their results, their errors)."""
    results: list = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            results.append(work())
        except Exception as exc:  # collected: the caller asserts there are none
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.fixture
def journal(sql: SqlSession) -> Journal:
    return Journal(sql)


@pytest.fixture
def target(sql: SqlSession) -> tuple[int, date, list[int]]:
    """(group, day, enrolled students in the journal's order) of o1_teacher01: the latest planned
    date of a group in the active iteration, within the edit window (no reasons needed), with the
    lesson of that date, if any, removed by the superuser ("planned, not filled yet")."""
    row = sql.run(
        """SELECT p.group_id, max(p.held_on) AS day
             FROM ej.planned_lesson p
             JOIN ej.study_group g ON g.id = p.group_id JOIN ej.iteration i ON i.id = g.iteration_id
             JOIN ej.staff s ON s.id = g.teacher_id
            WHERE s.login = 'o1_teacher01' AND i.status = 'active' AND p.held_on <= ej.today(NULL)
            GROUP BY p.group_id ORDER BY 2 DESC, 1 LIMIT 1""")
    group_id, day = row[0]["group_id"], row[0]["day"]
    if day < TODAY - timedelta(days=3):
        pytest.skip("no lesson of the teacher within the last 3 days in the demo data")
    with sql.conn.transaction():
        sql.run("SELECT ej.set_reason('подготовка теста')")
        sql.run("DELETE FROM ej.lesson WHERE group_id = %s AND held_on = %s", (group_id, day))
    enrolled = sql.run(
        """SELECT e.student_id FROM ej.enrollment e JOIN ej.student s ON s.id = e.student_id
            WHERE e.group_id = %s AND e.enrolled_on <= %s AND (e.left_on IS NULL OR e.left_on > %s)
            ORDER BY s.last_name, s.first_name, s.middle_name, s.id""",
        (group_id, day, day),
    )
    return group_id, day, [r["student_id"] for r in enrolled]


@pytest.fixture(scope="module")
def module_conn(server: Server, template_db: str) -> Iterator[Conn]:
    """One clone of the demo database for a whole test module, and a superuser connection to it."""
    name = f"ejm_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    server.create_db(name, template=template_db)
    try:
        with connect(server.conninfo(name)) as conn:
            yield conn
    finally:
        server.drop_db(name)


@pytest.fixture
def rollback_sql(module_conn: Conn) -> Iterator[SqlSession]:
    """Like `sql`, but the whole test is one transaction on the module's clone, rolled back at
    the end: much faster than a clone per test, for tests that need no commit and no second
    connection. (Transaction-local settings such as ej.set_reason then last the whole test.)"""
    with module_conn.transaction(force_rollback=True):
        yield SqlSession(module_conn)


@pytest.fixture
def own_clone(server: Server, db: str) -> Iterator[tuple[SqlSession, Journal]]:
    """(sql, journal) on this test's own clone, committing as usual: for a test in a module whose
    `sql` is `rollback_sql` but which needs real transactions."""
    with connect(server.conninfo(db)) as conn:
        session = SqlSession(conn)
        yield session, Journal(session)
