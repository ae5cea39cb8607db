"""The audit log: every change of every table, by whom, append-only, readable per row."""

import json

import psycopg
import pytest
from conftest import ej_tables
from psycopg import errors as pgerr
from psycopg import sql as pgsql

# AFTER (no BEFORE bit) ROW (1) INSERT (4) DELETE (8) UPDATE (16)
AUDIT_TGTYPE = 1 | 4 | 8 | 16
LOGINS = (
    "o1_teacher01",
    "o1_teacher02",
    "o1_methodist",
    "o1_deputy",
    "o1_director",
    "o1_admin",
    "o2_teacher01",
    "o2_methodist",
)






@pytest.fixture
def sql(rollback_sql):
    """Every test of this module runs in one rolled-back transaction on a shared clone."""
    return rollback_sql


def primary_key(sql, table: str) -> list[str]:
    rows = sql.run(
        """SELECT a.attname FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = %s::regclass AND i.indisprimary
            ORDER BY array_position(i.indkey, a.attnum)""",
        (f"ej.{table}",),
    )
    return [r["attname"] for r in rows]


def columns(sql, table: str) -> set[str]:
    rows = sql.run(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        (f"ej.{table}",),
    )
    return {r["attname"] for r in rows}


def test_every_table_has_the_audit_trigger(sql):
    rows = sql.run(
        """SELECT c.relname, t.tgtype, t.tgenabled, t.tgfoid::regproc::text AS fn
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname = 'zz_audit'
            WHERE n.nspname = 'ej' AND c.relkind IN ('r', 'p')"""
    )
    assert len(rows) >= 19
    wrong = [
        r for r in rows if (r["tgtype"], r["tgenabled"], r["fn"]) != (AUDIT_TGTYPE, "O", "audit.log_change")
    ]
    assert wrong == [], "tables without the audit trigger: run audit.enable('ej.<table>') in their migration"


# Tables the demo data may leave empty: how to make one row to change.
RECIPES = {
    "account_request": (
        "INSERT INTO ej.account_request (organization_id, login, kind, full_name, roles)"
        " VALUES (1, 'recipe_login', 'create', 'Проверкин Тест', ARRAY['teacher'])"
    ),
    "acknowledgment": (
        "INSERT INTO ej.acknowledgment (staff_id, role) SELECT id, 'teacher' FROM ej.staff"
        " WHERE login = 'o1_teacher01'"
    ),
    "change_request": (
        "INSERT INTO ej.change_request (organization_id, group_id, student_id, field, proposed)"
        " SELECT 0, e.group_id, e.student_id, 'school', 'Школа № 5' FROM ej.enrollment e"
        " WHERE {writable} LIMIT 1"
    ),
    "data_check": (
        "INSERT INTO ej.data_check (organization_id, group_id) SELECT 0, id FROM ej.study_group g"
        " WHERE g.id IN (SELECT group_id FROM ej.enrollment e WHERE {writable}) LIMIT 1"
    ),
    "print_fingerprint": (
        "INSERT INTO ej.print_fingerprint (organization_id, fingerprint, data_hash, kind, title, pages,"
        " printed_login)"
        " VALUES (1, 'ABCD-1234', 'abcd1234' || repeat('0', 56), 'report', 'Отчёт', 1, 'postgres')"
    ),
    "remark": (
        "INSERT INTO ej.remark (organization_id, group_id, author_id, body)"
        " SELECT 0, e.group_id, (SELECT min(id) FROM ej.staff), 'Проверить журнал' FROM ej.enrollment e"
        " WHERE {writable} LIMIT 1"
    ),
    "board_post": (
        "INSERT INTO ej.board_post (organization_id, author_id, week_of, title, body)"
        " VALUES (1, (SELECT min(id) FROM ej.staff), ej.today(NULL), 'Анализ недели', 'Текст')"
    ),
}
WRITABLE_GROUP = (
    "group_id IN (SELECT g.id FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id"
    " WHERE i.status <> 'archived')"
)
NO_GROUP_OR_WRITABLE = f"(group_id IS NULL OR {WRITABLE_GROUP})"


def test_every_table_logs_its_changes(sql):
    """For each table, one UPDATE (as the superuser, late edits explained) leaves exactly one
    audit row with the row's key, old and new row, organization and group, this transaction."""
    sql.run("SELECT ej.set_reason('проверка журнала изменений')")
    txid = sql.one("SELECT txid_current()")
    problems = []
    for table in ej_tables(sql):
        cols = columns(sql, table)
        where = {
            "study_group": "iteration_id IN (SELECT id FROM ej.iteration WHERE status <> 'archived')",
            "iteration": "status <> 'archived'",
        }.get(table, NO_GROUP_OR_WRITABLE if "group_id" in cols else "true")
        t = pgsql.Identifier(table)
        if not sql.one(pgsql.SQL("SELECT count(*) FROM ej.{} WHERE ").format(t) + pgsql.SQL(where)):
            if table not in RECIPES:
                problems.append(f"{table}: no row to change; add a recipe to RECIPES")
                continue
            sql.run(RECIPES[table].format(writable=WRITABLE_GROUP.replace("group_id", "e.group_id")))
        pk = primary_key(sql, table)
        key_expr = pgsql.SQL("jsonb_build_object({})").format(
            pgsql.SQL(", ").join(
                pgsql.SQL("{}, t.{}").format(pgsql.Literal(c), pgsql.Identifier(c)) for c in pk
            )
        )
        before = sql.one("SELECT count(*) FROM audit.log")
        key = sql.one(
            pgsql.SQL(
                "UPDATE ej.{t} AS t SET {c} = t.{c} WHERE ctid = (SELECT ctid FROM ej.{t} WHERE {w} LIMIT 1) "
                "RETURNING {k}"
            ).format(t=t, c=pgsql.Identifier(pk[0]), w=pgsql.SQL(where), k=key_expr)
        )
        logged = sql.run(
            "SELECT * FROM audit.log WHERE id > (SELECT max(id) FROM audit.log) - 1 AND table_name = %s",
            (table,),
        )
        if sql.one("SELECT count(*) FROM audit.log") != before + 1 or len(logged) != 1:
            problems.append(f"{table}: {len(logged)} audit rows for one update")
            continue
        row = logged[0]
        org = row["new_row"].get("id" if table == "organization" else "organization_id")
        group = row["new_row"].get("id" if table == "study_group" else "group_id")
        expected = {
            "actor": "postgres",
            "op": "UPDATE",
            "row_key": key,
            "txid": txid,
            "reason": "проверка журнала изменений",
            "organization_id": org,
            "group_id": group,
        }
        got = {k: row[k] for k in expected}
        if got != expected or row["old_row"] is None or row["at"] is None:
            problems.append(f"{table}: logged {got}, expected {expected}")
    assert problems == []


# --- changes made as logins -------------------------------------------------------------------


def scenario(sql, journal, login) -> list[tuple[str, str]]:
    """Insert, update and delete as the login; returns the (table, op) changes made."""
    if login == "o1_teacher01":
        group = journal.group(login)
        day = journal.free_date(group)
        student = journal.enrolled_student(group, day)
        with sql.as_user(login):
            lesson = journal.fill_lesson(group, day, student)
            sql.run("UPDATE ej.attendance SET status = 'absent' WHERE lesson_id = %s", (lesson,))
            sql.run("DELETE FROM ej.attendance WHERE lesson_id = %s", (lesson,))
            sql.run("DELETE FROM ej.lesson WHERE id = %s", (lesson,))
        return [
            ("lesson", "INSERT"),
            ("attendance", "INSERT"),
            ("attendance", "UPDATE"),
            ("attendance", "DELETE"),
            ("lesson", "DELETE"),
        ]
    if login == "o1_methodist":
        with sql.as_user(login):
            student = sql.one(
                "INSERT INTO ej.student (last_name, first_name, birth_date, sex) "
                "VALUES ('Журналова', 'Вера', '2012-04-04', 'ж') RETURNING id"
            )
            sql.run("UPDATE ej.student SET school_class = '6В' WHERE id = %s", (student,))
            sql.run("DELETE FROM ej.student WHERE id = %s", (student,))
        return [("student", "INSERT"), ("student", "UPDATE"), ("student", "DELETE")]
    if login == "o1_deputy":
        group = journal.group("o1_teacher01")
        with sql.as_user(login):
            remark = sql.one(
                "INSERT INTO ej.remark (group_id, organization_id, body) "
                "VALUES (%s, 0, 'Не заполнены темы') RETURNING id",
                (group,),
            )
            sql.run("UPDATE ej.remark SET body = 'Не заполнены темы занятий' WHERE id = %s", (remark,))
            sql.run("DELETE FROM ej.remark WHERE id = %s", (remark,))
        return [("remark", "INSERT"), ("remark", "UPDATE"), ("remark", "DELETE")]
    raise AssertionError(login)


@pytest.mark.parametrize("login", ["o1_teacher01", "o1_methodist", "o1_deputy"])
def test_changes_as_a_login_are_logged_with_that_login(sql, journal, login):
    txid = sql.one("SELECT txid_current()")
    last = sql.one("SELECT coalesce(max(id), 0) FROM audit.log")
    sql.run("SELECT ej.set_reason('Проверка журнала')")  # in case the free day is past the edit window
    made = scenario(sql, journal, login)
    rows = sql.run("SELECT * FROM audit.log WHERE id > %s ORDER BY id", (last,))
    assert [(r["table_name"], r["op"]) for r in rows] == made
    org = journal.org_id(login)
    for r in rows:
        assert r["actor"] == login
        assert r["txid"] == txid
        assert r["organization_id"] == org
        assert r["reason"] == "Проверка журнала"
        assert (r["old_row"] is None) == (r["op"] == "INSERT")
        assert (r["new_row"] is None) == (r["op"] == "DELETE")
        data = r["new_row"] or r["old_row"]
        pk = primary_key(sql, r["table_name"])
        assert r["row_key"] == {c: data[c] for c in pk}
        if r["op"] == "UPDATE":
            assert r["old_row"] != r["new_row"]
    # the first row made is followed from its insert to its delete
    first = rows[0]
    ops = [
        r["op"] for r in rows if (r["table_name"], r["row_key"]) == (first["table_name"], first["row_key"])
    ]
    assert ops[0] == "INSERT" and ops[-1] == "DELETE"


# --- nobody rewrites history ------------------------------------------------------------------


def is_permission_denied(exc: psycopg.Error) -> bool:
    return isinstance(exc, pgerr.InsufficientPrivilege) and "permission denied" in str(exc)


@pytest.mark.parametrize("login", LOGINS)
def test_no_application_role_can_change_the_log(sql, login):
    before = sql.run("SELECT count(*) AS n, max(id) AS m FROM audit.log")[0]
    with sql.as_user(login):
        for statement in (
            "UPDATE audit.log SET reason = 'подчистка'",
            "DELETE FROM audit.log",
            "TRUNCATE audit.log",
            "INSERT INTO audit.log (table_name, op, row_key) VALUES ('lesson', 'DELETE', '{}')",
        ):
            assert is_permission_denied(sql.refuses(statement)), statement
        for statement in (
            "ALTER TABLE audit.log DISABLE TRIGGER ALL",
            "DROP TABLE audit.log",
            "ALTER TABLE ej.lesson DISABLE TRIGGER zz_audit",
        ):
            assert isinstance(sql.refuses(statement), pgerr.InsufficientPrivilege), statement
    assert sql.run("SELECT count(*) AS n, max(id) AS m FROM audit.log")[0] == before


def test_not_even_the_superuser_or_the_owner_can_change_the_log(sql):
    sql.run("UPDATE ej.organization SET name = name")  # at least one row in the log
    before = sql.run("SELECT count(*) AS n, max(id) AS m FROM audit.log")[0]
    assert before["n"] > 0
    for statement in (
        "UPDATE audit.log SET reason = 'подчистка'",
        "DELETE FROM audit.log",
        "TRUNCATE audit.log",
    ):
        err = sql.refuses(statement)
        assert err.sqlstate == "EJ002", (statement, err)
        assert "Журнал изменений нельзя исправлять или удалять" in str(err)
    # the owner of the table: RLS gives it no row to change, and the trigger refuses the rest
    sql.run("SET ROLE ej_owner")
    try:
        for statement in (
            "UPDATE audit.log SET reason = 'подчистка'",
            "DELETE FROM audit.log",
            "TRUNCATE audit.log",
        ):
            try:
                assert sql.changes(statement) <= 0, statement
            except psycopg.Error as err:
                assert err.sqlstate in ("42501", "EJ002"), (statement, err)
    finally:
        sql.run("RESET ROLE")
    assert sql.run("SELECT count(*) AS n, max(id) AS m FROM audit.log")[0] == before


# --- who reads the log ---------------------------------------------------------------------------


def test_log_readers_see_only_their_scope(sql, journal):
    """Teachers: rows of their own groups; the administrator: organization, staff, quanta and
    iterations of its organization, nothing about children; everyone: nothing of the other
    organization."""
    sql.run("SELECT ej.set_reason('проверка журнала изменений')")
    for teacher in ("o1_teacher01", "o1_teacher02", "o2_teacher01"):
        sql.run("UPDATE ej.lesson SET hours = hours WHERE id = %s", (journal.lesson(journal.group(teacher)),))
    sql.run("UPDATE ej.student SET school = school WHERE id = (SELECT min(id) FROM ej.student)")
    sql.run("UPDATE ej.staff SET position = position")
    sql.run("UPDATE ej.iteration SET name = name WHERE status <> 'archived'")
    own = "SELECT id FROM ej.study_group WHERE teacher_id = %s"
    for login in (
        "o1_teacher01",
        "o1_teacher02",
        "o2_teacher01",
        "o1_methodist",
        "o1_deputy",
        "o1_director",
        "o1_admin",
        "o2_methodist",
    ):
        org = journal.org_id(login)
        with sql.as_user(login):
            rows = sql.run("SELECT table_name, organization_id, group_id FROM audit.log")
        assert rows, f"{login} sees no history at all: the test proves nothing"
        assert {r["organization_id"] for r in rows} == {org}, login
        if "teacher" in login:
            groups = {r["id"] for r in sql.run(own, (journal.staff_id(login),))}
            assert {r["group_id"] for r in rows} <= groups, login
        if "admin" in login:
            assert {r["table_name"] for r in rows} <= {"organization", "staff", "quantum", "iteration"}
        if login in ("o1_methodist", "o1_deputy", "o1_director"):
            assert {"student", "lesson", "staff"} <= {r["table_name"] for r in rows}, login


# --- the history of one row -------------------------------------------------------------------


def test_row_history_follows_one_row_and_respects_rls(sql, journal):
    group = journal.group("o1_teacher01")
    day = journal.free_date(group)
    with sql.conn.transaction():
        sql.run("SELECT ej.set_reason('Тема уточнена')")
        with sql.as_user("o1_teacher01"):
            lesson = sql.one(
                "INSERT INTO ej.lesson (group_id, held_on, hours, organization_id) "
                "VALUES (%s, %s, 2, 0) RETURNING id",
                (group, day),
            )
            sql.run("UPDATE ej.lesson SET topic = 'Сборка робота' WHERE id = %s", (lesson,))
    other_lesson = journal.lesson(journal.group("o1_teacher02"))
    sql.run("UPDATE ej.lesson SET hours = hours WHERE id = %s", (other_lesson,))
    key = json.dumps({"id": lesson})
    history = (
        "SELECT op, actor, actor_name, reason, new_row ->> 'topic' AS topic"
        " FROM audit.row_history('lesson', %s)"
    )
    name = sql.one("SELECT full_name FROM ej.staff WHERE login = 'o1_teacher01'")
    expected = [
        {
            "op": "INSERT",
            "actor": "o1_teacher01",
            "actor_name": name,
            "reason": "Тема уточнена",
            "topic": None,
        },
        {
            "op": "UPDATE",
            "actor": "o1_teacher01",
            "actor_name": name,
            "reason": "Тема уточнена",
            "topic": "Сборка робота",
        },
    ]
    for login in ("o1_teacher01", "o1_methodist", "o1_deputy", "o1_director"):
        with sql.as_user(login):
            assert sql.run(history, (key,)) == expected, login
    for login in ("o1_teacher02", "o1_admin", "o2_methodist", "o2_teacher01"):
        with sql.as_user(login):
            assert sql.run(history, (key,)) == [], login
    # and a teacher does not see the history of another teacher's lesson
    other_key = json.dumps({"id": other_lesson})
    with sql.as_user("o1_teacher01"):
        assert sql.run(history, (other_key,)) == []
    with sql.as_user("o1_teacher02"):
        assert len(sql.run(history, (other_key,))) >= 1
