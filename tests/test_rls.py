"""Who reads and writes what: DESIGN.md's roles table, for every table of schema `ej`.

The expectation tables below are the specification. A new table in `ej` fails
`test_every_table_is_covered` until it is added here with its intended access.

Read scopes: "org" — every row of the login's own organization; "own" — rows of the
teacher's own groups (their students and guardians too); None — no SELECT at all.
Write privileges: "IUD" letters, or "U(col, …)" for a column-level UPDATE.
"""

import psycopg
import pytest
from conftest import DEMO_LOGINS, ej_tables
from psycopg import errors as pgerr
from psycopg import sql as pgsql

from ejournal_tui.vocabulary import TABLES as VOCABULARY

ROLES = ("teacher", "methodist", "deputy", "director", "admin")

# fmt: off
READ = {
    #  table                     teacher  methodist deputy director admin
    "organization":            ("org",   "org",    "org",  "org",   "org"),
    "staff":                   ("org",   "org",    "org",  "org",   "org"),
    "quantum":                 ("org",   "org",    "org",  "org",   "org"),
    "iteration":               ("org",   "org",    "org",  "org",   "org"),
    "program":                 ("org",   "org",    "org",  "org",   None),
    "program_topic":           ("org",   "org",    "org",  "org",   None),
    "board_post":              ("org",   "org",    "org",  "org",   None),
    "study_group":             ("own",   "org",    "org",  "org",   None),
    "student":                 ("own",   "org",    "org",  "org",   None),
    "guardian":                ("own",   "org",    "org",  "org",   None),
    "enrollment":              ("own",   "org",    "org",  "org",   None),
    "schedule_slot":           ("own",   "org",    "org",  "org",   None),
    "lesson":                  ("own",   "org",    "org",  "org",   None),
    "attendance":              ("own",   "org",    "org",  "org",   None),
    "safety_briefing":         ("own",   "org",    "org",  "org",   None),
    "safety_briefing_student": ("own",   "org",    "org",  "org",   None),
    "event":                   ("own",   "org",    "org",  "org",   None),
    "achievement":             ("own",   "org",    "org",  "org",   None),
    "remark":                  ("own",   "org",    "org",  "org",   None),
    "change_request":          ("own",   "org",    "org",  "org",   None),
    "data_check":              ("own",   "org",    "org",  "org",   None),
    "print_fingerprint":       ("own",   "org",    "org",  "org",   None),  # own: printed by the teacher
    "regulation_duty":         ("all",   "all",    "all",  "all",   "all"),  # the same text for everyone
    **{table: ("all",) * len(ROLES) for table in VOCABULARY},  # the lookup tables (0002)
    "acknowledgment":          ("own",   "org",    "org",  "org",   "own"),  # own: one's own confirmations
    "frozen_topic":            ("org",   "org",    "org",  "org",   None),  # КТП copied into archived terms
    "account_request":         (None,    None,     "org",  "org",   "org"),  # written only by ej.request_*()
}
# Reference data without an organization: the same rows for every organization.
SHARED = {"regulation_duty", *VOCABULARY}

STAFF_COLUMNS = "U(email, full_name, phone, position)"
FIX_COLUMNS = "U(fixed_at, fixed_note)"
RESOLVE = "U(resolution_note, status)"
WRITE = {
    #  table                     teacher      methodist      deputy director admin
    "organization":            ("",          "",            "",    "",      ""),
    "staff":                   ("",          STAFF_COLUMNS, "",    "",      ""),
    "quantum":                 ("",          "IUD",         "",    "",      ""),
    "iteration":               ("",          "IUD",         "",    "",      ""),
    "program":                 ("",          "IUD",         "",    "",      ""),
    "program_topic":           ("",          "IUD",         "",    "",      ""),
    "board_post":              ("",          "IUD",         "",    "",      ""),
    "study_group":             ("",          "IUD",         "",    "",      ""),
    "student":                 ("",          "IUD",         "",    "",      ""),
    "guardian":                ("",          "IUD",         "",    "",      ""),
    "enrollment":              ("",          "IUD",         "",    "",      ""),
    "schedule_slot":           ("",          "IUD",         "",    "",      ""),
    "lesson":                  ("IUD",       "",            "",    "",      ""),
    "attendance":              ("IUD",       "",            "",    "",      ""),
    "safety_briefing":         ("IUD",       "",            "",    "",      ""),
    "safety_briefing_student": ("IUD",       "",            "",    "",      ""),
    "event":                   ("IUD",       "",            "",    "",      ""),
    "achievement":             ("IUD",       "",            "",    "",      ""),
    "remark":                  (FIX_COLUMNS, "IUD",         "IUD", "",      ""),
    "change_request":          ("I",         RESOLVE,       "",    "",      ""),
    "data_check":              ("I",         "",            "",    "",      ""),
    "print_fingerprint":       ("I",         "I",           "I",   "I",     ""),
    "regulation_duty":         ("",          "",            "",    "",      ""),
    **{table: ("",) * len(ROLES) for table in VOCABULARY},  # only a migration writes it
    "acknowledgment":          ("I",         "I",           "I",   "I",     "I"),
    "frozen_topic":            ("",          "",            "",    "",      ""),
    "account_request":         ("",          "",            "",    "",      ""),
}
# fmt: on

LOGINS = DEMO_LOGINS

OWN_GROUPS = "(SELECT id FROM ej.study_group WHERE teacher_id = %(staff)s)"
OWN_STUDENTS = f"(SELECT student_id FROM ej.enrollment WHERE group_id IN {OWN_GROUPS})"
OWN_FILTER = {
    "study_group": "teacher_id = %(staff)s",
    "student": f"id IN {OWN_STUDENTS}",
    "guardian": f"student_id IN {OWN_STUDENTS}",
    "print_fingerprint": "printed_by = %(staff)s",
    "acknowledgment": "staff_id = %(staff)s",
}
# Tables the demo data fills for organization 1: a login that should see them sees rows.
DEMO_FILLED = {
    "organization",
    "staff",
    "quantum",
    "iteration",
    "program",
    "study_group",
    "student",
    "enrollment",
    "lesson",
    "attendance",
}
# ... and the second organization (SECOND_ORG_SQL in conftest.py).
ORG2_FILLED = DEMO_FILLED


@pytest.fixture
def sql(rollback_sql):
    """Every test of this module runs in one rolled-back transaction on a shared clone."""
    return rollback_sql




def first_column(sql, table: str) -> str:
    return sql.one(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum = 1", (f"ej.{table}",)
    )


def scope_filter(table: str, scope: str) -> str:
    if scope == "all":
        return "true"
    if scope == "org":
        return "id = %(org)s" if table == "organization" else "organization_id = %(org)s"
    return OWN_FILTER.get(table, f"group_id IN {OWN_GROUPS}")


def fingerprint(sql, table: str, where: str = "true", params=None) -> tuple[int, str]:
    """Count and hash of the rows a session sees: equal fingerprints mean the same rows."""
    q = pgsql.SQL(
        "SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h "
        "FROM ej.{} t WHERE "
    ).format(pgsql.Identifier(table)) + pgsql.SQL(where)
    row = sql.run(q, params)[0]
    return row["n"], row["h"]


def is_permission_denied(exc: psycopg.Error) -> bool:
    return isinstance(exc, pgerr.InsufficientPrivilege) and "permission denied" in str(exc)


def is_rls_refusal(exc: psycopg.Error) -> bool:
    return isinstance(exc, pgerr.InsufficientPrivilege) and "row-level security" in str(exc)


def is_not_found(exc: psycopg.Error) -> bool:
    """A reference to a row the login cannot see: the message of an id that does not exist."""
    # the database's foreign key (23503) or our rule's "not found" (EJ005, ej.tg_visible_parents)
    return exc.sqlstate in ("23503", "EJ005") and "не найден" in (exc.diag.message_primary or "")


# --- the expectation tables cover the schema, and the schema matches them -------------------


def test_every_table_is_covered(sql):
    tables = set(ej_tables(sql))
    assert tables - READ.keys() == set(), "add the new tables to READ and WRITE in test_rls.py"
    assert tables - WRITE.keys() == set(), "add the new tables to WRITE in test_rls.py"
    assert READ.keys() - tables == set(), "READ names tables that do not exist"
    assert all(len(v) == len(ROLES) for v in (*READ.values(), *WRITE.values()))


def test_every_table_forces_row_level_security(sql):
    rows = sql.run(
        """SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                  (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'ej' AND c.relkind = 'r'"""
    )
    weak = [
        r["relname"] for r in rows if not (r["relrowsecurity"] and r["relforcerowsecurity"] and r["policies"])
    ]
    assert weak == []


def test_application_roles_do_not_bypass_rls(sql):
    rows = sql.run(
        "SELECT rolname FROM pg_roles WHERE (rolsuper OR rolbypassrls) AND rolname = ANY(%s)",
        ([f"ej_{r}" for r in ROLES] + list(LOGINS),),
    )
    assert rows == []


def test_table_privileges_match_the_roles_table(sql):
    """Grants, checked for every table and group role: nothing more, nothing less."""
    problems = []
    for table in ej_tables(sql):
        for i, role in enumerate(ROLES):
            group = f"ej_{role}"
            rel = f"ej.{table}"
            actual = ""
            for letter, priv in (
                ("I", "INSERT"),
                ("U", "UPDATE"),
                ("D", "DELETE"),
                ("T", "TRUNCATE"),
                ("R", "REFERENCES"),
                ("G", "TRIGGER"),
            ):
                if sql.one("SELECT has_table_privilege(%s, %s, %s)", (group, rel, priv)):
                    actual += letter
            if "U" not in actual:
                cols = [
                    r["attname"]
                    for r in sql.run(
                        """SELECT attname FROM pg_attribute
                        WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped
                          AND has_column_privilege(%s, attrelid, attnum, 'UPDATE') ORDER BY attname""",
                        (rel, group),
                    )
                ]
                if cols:
                    actual += f"U({', '.join(cols)})"
            if actual != WRITE[table][i]:
                problems.append(f"{group} on {table}: has {actual!r}, expected {WRITE[table][i]!r}")
            can_read = sql.one("SELECT has_table_privilege(%s, %s, 'SELECT')", (group, rel))
            if can_read != (READ[table][i] is not None):
                problems.append(f"{group} SELECT on {table}: {can_read}")
    assert problems == []


def test_no_function_is_executable_by_public(sql):
    """Functions are executable by PUBLIC when created: each migration must revoke that, and
    grant EXECUTE to the roles meant to call them."""
    rows = sql.run(
        """SELECT p.oid::regprocedure::text AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname IN ('ej', 'audit') AND has_function_privilege('public', p.oid, 'EXECUTE')"""
    )
    assert [r["fn"] for r in rows] == []


# --- reading: each login sees exactly the rows of its scope ------------------------------------


@pytest.mark.parametrize("login", list(LOGINS))
def test_login_reads_exactly_its_scope(sql, journal, login):
    role = LOGINS[login]
    col = ROLES.index(role)
    params = {"staff": journal.staff_id(login), "org": journal.org_id(login)}
    problems = []
    for table in ej_tables(sql):
        scope = READ[table][col]
        if scope is None:
            with sql.as_user(login):
                err = sql.refuses(pgsql.SQL("SELECT 1 FROM ej.{} LIMIT 1").format(pgsql.Identifier(table)))
            if not is_permission_denied(err):
                problems.append(f"{table}: expected permission denied, got {err!r}")
            continue
        expected = fingerprint(sql, table, scope_filter(table, scope), params)
        with sql.as_user(login):
            seen = fingerprint(sql, table)
        if seen != expected:
            problems.append(f"{table}: sees {seen[0]} rows, should see {expected[0]} ({scope})")
        if login.startswith("o1_") and table in DEMO_FILLED and seen[0] == 0:
            problems.append(f"{table}: sees nothing, the test proves nothing")
    assert problems == []


def test_teacher_sees_only_part_of_the_organization(sql, journal):
    """'own' is strictly narrower than 'org' for a teacher of a multi-teacher organization."""
    for table in ("study_group", "enrollment", "lesson", "attendance", "student"):
        org_rows = fingerprint(
            sql, table, "organization_id = %(org)s", {"org": journal.org_id("o1_teacher01")}
        )[0]
        with sql.as_user("o1_teacher01"):
            own_rows = fingerprint(sql, table)[0]
        assert 0 < own_rows < org_rows, table


def test_teacher_does_not_see_another_teachers_groups(sql, journal):
    """Teacher against teacher of the same organization, both ways. The rows of the other
    teacher are listed by id as the superuser: a filter run as the teacher would itself be
    narrowed by RLS and prove nothing."""
    checks = {
        "study_group": "id",
        "enrollment": "group_id",
        "schedule_slot": "group_id",
        "lesson": "group_id",
        "attendance": "group_id",
        "remark": "group_id",
        "achievement": "group_id",
        "student": "id",
        "guardian": "student_id",
    }
    for me, other in (("o1_teacher01", "o1_teacher02"), ("o1_teacher02", "o1_teacher01")):
        their_groups = [
            r["id"]
            for r in sql.run(
                "SELECT id FROM ej.study_group WHERE teacher_id = %s", (journal.staff_id(other),)
            )
        ]
        # students of the other teacher who are not also in one of mine
        their_students = [
            r["student_id"]
            for r in sql.run(
                """SELECT e.student_id FROM ej.enrollment e JOIN ej.study_group g ON g.id = e.group_id
                WHERE g.teacher_id = %s
               EXCEPT
               SELECT e.student_id FROM ej.enrollment e JOIN ej.study_group g ON g.id = e.group_id
                WHERE g.teacher_id = %s""",
                (journal.staff_id(other), journal.staff_id(me)),
            )
        ]
        assert their_groups and their_students, "the demo data proves nothing here"
        for table, column in checks.items():
            ids = their_students if table in ("student", "guardian") else their_groups
            where = f"{column} = ANY(%(ids)s)"
            exists = fingerprint(sql, table, where, {"ids": ids})[0]
            with sql.as_user(me):
                seen = fingerprint(sql, table, where, {"ids": ids})[0]
            assert seen == 0, f"{me} sees {seen} {table} rows of {other}"
            if table in ("study_group", "enrollment", "lesson", "attendance", "student"):
                assert exists > 0, f"no {table} rows of {other} in the demo: the test proves nothing"


@pytest.mark.parametrize("login", list(LOGINS))
def test_organizations_are_isolated(sql, journal, login):
    """No login sees, changes or deletes a single row of the other organization, in any table."""
    col = ROLES.index(LOGINS[login])
    mine = journal.org_id(login)
    must_exist = ORG2_FILLED if login.startswith("o1_") else DEMO_FILLED
    problems = []
    for table in ej_tables(sql):
        if READ[table][col] is None or table in SHARED:
            continue
        where = ("id" if table == "organization" else "organization_id") + " <> %(mine)s"
        foreign = fingerprint(sql, table, where, {"mine": mine})[0]
        if foreign == 0 and table in must_exist:
            problems.append(f"{table}: the other organization has no rows, the test proves nothing")
        first = first_column(sql, table)
        t = pgsql.Identifier(table)
        with sql.as_user(login):
            seen = fingerprint(sql, table, where, {"mine": mine})[0]
            if WRITE[table][col] == "IUD":
                changed = sql.changes(
                    pgsql.SQL("UPDATE ej.{t} SET {c} = {c} WHERE ").format(t=t, c=pgsql.Identifier(first))
                    + pgsql.SQL(where),
                    {"mine": mine},
                )
                deleted = sql.changes(
                    pgsql.SQL("DELETE FROM ej.{} WHERE ").format(t) + pgsql.SQL(where), {"mine": mine}
                )
                if changed or deleted:
                    problems.append(
                        f"{table}: updated {changed}, deleted {deleted} rows of the other organization"
                    )
        if seen:
            problems.append(f"{table}: sees {seen} rows of the other organization")
    assert problems == []


# --- writing: what is not granted is refused, for every table ----------------------------------


@pytest.mark.parametrize("login", ["o1_teacher01", "o1_methodist", "o1_deputy", "o1_director", "o1_admin"])
def test_ungranted_writes_are_refused(sql, login):
    col = ROLES.index(LOGINS[login])
    problems = []
    for table in ej_tables(sql):
        granted = WRITE[table][col]
        table_level = "" if granted.startswith("U(") else granted  # a column grant is no UPDATE of "id"
        first = first_column(sql, table)
        t = pgsql.Identifier(table)
        statements = {
            "I": pgsql.SQL("INSERT INTO ej.{} DEFAULT VALUES").format(t),
            "U": pgsql.SQL("UPDATE ej.{t} SET {c} = {c}").format(t=t, c=pgsql.Identifier(first)),
            "D": pgsql.SQL("DELETE FROM ej.{}").format(t),
            "T": pgsql.SQL("TRUNCATE ej.{} CASCADE").format(t),
        }
        for letter, statement in statements.items():
            if letter in table_level:
                continue
            with sql.as_user(login):
                try:
                    err = sql.refuses(statement)
                except AssertionError:
                    problems.append(f"{table}: {letter} accepted")
                    continue
            if not is_permission_denied(err):
                problems.append(f"{table}: {letter} refused with {err!r}, not by privileges")
    assert problems == []


# --- writing: the teacher -------------------------------------------------------------------
# Every id is looked up as the superuser before acting as a login.


def other_org_group(sql) -> int:
    return sql.one("SELECT id FROM ej.study_group WHERE name = 'Второй-1'")


def test_teacher_writes_lessons_of_own_group_only(sql, journal):
    me = journal.staff_id("o1_teacher01")
    journal_other = journal.staff_id("o1_teacher02")
    mine = journal.group("o1_teacher01")
    my_lesson = journal.lesson(mine)
    my_day = journal.free_date(mine)
    foreign = [
        (g, journal.free_date(g), journal.lesson(g))
        for g in (journal.group("o1_teacher02"), other_org_group(sql))
    ]
    insert = (
        "INSERT INTO ej.lesson (group_id, held_on, hours, organization_id) VALUES (%s, %s, 2, 0) RETURNING id"
    )
    with journal.reason_given(), sql.as_user("o1_teacher01"):
        # who filled the lesson in is the session's login, whatever the client says
        new_id = sql.one(
            "INSERT INTO ej.lesson (group_id, held_on, hours, organization_id, filled_by) "
            "VALUES (%s, %s, 2, 0, %s) RETURNING id",
            (mine, my_day, journal_other),
        )
        assert sql.changes("UPDATE ej.lesson SET topic = 'Повторение' WHERE id = %s", (my_lesson,)) == 1
        assert sql.changes("DELETE FROM ej.lesson WHERE id = %s", (new_id,)) == 1
        for group, day, lesson in foreign:
            assert is_not_found(sql.refuses(insert, (group, day)))
            assert sql.changes("UPDATE ej.lesson SET topic = 'Чужое' WHERE id = %s", (lesson,)) == 0
            assert sql.changes("DELETE FROM ej.lesson WHERE id = %s", (lesson,)) == 0
            # nor can an own lesson be moved into a foreign group
            assert sql.refuses("UPDATE ej.lesson SET group_id = %s WHERE id = %s", (group, my_lesson))
    assert sql.one("SELECT filled_by FROM ej.lesson WHERE id = %s", (new_id,)) == me
    for _group, _day, lesson in foreign:
        assert sql.one("SELECT topic IS DISTINCT FROM 'Чужое' FROM ej.lesson WHERE id = %s", (lesson,))


def test_teacher_writes_attendance_of_own_group_only(sql, journal):
    mine = journal.group("o1_teacher01")
    foreign_groups = (journal.group("o1_teacher02"), other_org_group(sql))
    # a fresh lesson without marks in each group (made by the superuser) and an existing mark
    fresh, marks = {}, {}
    for group in (mine, *foreign_groups):
        day = journal.free_date(group)
        fresh[group] = (journal.add_lesson(group, day), journal.enrolled_student(group, day))
        mark = journal.mark(journal.lesson(group))
        marks[group] = (mark["lesson_id"], mark["student_id"])
    insert = (
        "INSERT INTO ej.attendance (lesson_id, student_id, status, organization_id, group_id) "
        "VALUES (%s, %s, 'present', 0, 0)"
    )
    update = "UPDATE ej.attendance SET status = 'absent' WHERE lesson_id = %s AND student_id = %s"
    delete = "DELETE FROM ej.attendance WHERE lesson_id = %s AND student_id = %s"
    with journal.reason_given(), sql.as_user("o1_teacher01"):
        sql.run(insert, fresh[mine])
        assert sql.changes(update, fresh[mine]) == 1
        assert sql.changes(update, marks[mine]) == 1
        assert sql.changes(delete, marks[mine]) == 1
        for group in foreign_groups:
            assert is_not_found(sql.refuses(insert, fresh[group]))
            assert sql.changes(update, marks[group]) == 0
            assert sql.changes(delete, marks[group]) == 0
            # an own mark cannot be moved onto a foreign lesson
            assert sql.refuses(
                "UPDATE ej.attendance SET lesson_id = %s WHERE lesson_id = %s AND student_id = %s",
                (fresh[group][0], *marks[mine]),
            )
    row = sql.run(
        "SELECT updated_by, group_id, organization_id FROM ej.attendance "
        "WHERE lesson_id = %s AND student_id = %s",
        fresh[mine],
    )[0]
    assert row == {
        "updated_by": journal.staff_id("o1_teacher01"),
        "group_id": mine,
        "organization_id": journal.org_id("o1_teacher01"),
    }
    for group in foreign_groups:
        assert sql.one("SELECT count(*) FROM ej.attendance WHERE lesson_id = %s", (fresh[group][0],)) == 0


def test_teacher_cannot_write_students_or_groups(sql, journal):
    mine = journal.group("o1_teacher01")
    student = journal.enrolled_student(mine, journal.free_date(mine))
    with sql.as_user("o1_teacher01"):
        for statement, params in (
            (
                "INSERT INTO ej.student (last_name, first_name, birth_date, sex) "
                "VALUES ('Новиков', 'Павел', '2012-01-01', 'м')",
                None,
            ),
            ("UPDATE ej.student SET school_class = '8А' WHERE id = %s", (student,)),
            ("DELETE FROM ej.guardian WHERE student_id = %s", (student,)),
            ("UPDATE ej.study_group SET room = '101' WHERE id = %s", (mine,)),
            ("UPDATE ej.enrollment SET enroll_order = '№ 9' WHERE group_id = %s", (mine,)),
            (
                "INSERT INTO ej.board_post (week_of, title, body) VALUES (ej.today(NULL), 'Итоги', 'Текст')",
                None,
            ),
        ):
            assert is_permission_denied(sql.refuses(statement, params)), statement


def test_teacher_fixes_remarks_but_cannot_rewrite_them(sql, journal):
    my_group = journal.group("o1_teacher01")
    mine = journal.add_remark(my_group)
    theirs = journal.add_remark(journal.group("o1_teacher02"))
    fix = "UPDATE ej.remark SET fixed_at = now(), fixed_note = 'Исправлено' WHERE id = %s"
    with sql.as_user("o1_teacher01"):
        assert is_permission_denied(
            sql.refuses("UPDATE ej.remark SET body = 'Всё хорошо' WHERE id = %s", (mine,))
        )
        assert is_permission_denied(
            sql.refuses("UPDATE ej.remark SET closed_at = now() WHERE id = %s", (mine,))
        )
        assert is_permission_denied(sql.refuses("DELETE FROM ej.remark WHERE id = %s", (mine,)))
        assert is_permission_denied(
            sql.refuses(
                "INSERT INTO ej.remark (group_id, organization_id, body) VALUES (%s, 0, 'Сам себе')",
                (my_group,),
            )
        )
        assert sql.changes(fix, (theirs,)) == 0
        sql.run(fix, (mine,))
    assert sql.one("SELECT fixed_note FROM ej.remark WHERE id = %s", (mine,)) == "Исправлено"
    assert sql.one("SELECT body FROM ej.remark WHERE id = %s", (mine,)) == "Заполните темы занятий"
    assert sql.one("SELECT fixed_at FROM ej.remark WHERE id = %s", (theirs,)) is None


# --- writing: the methodist, the deputy, the director, the administrator ----------------------


def test_methodist_keeps_lists_of_own_org_only(sql, journal):
    org1, org2 = journal.org_id("o1_methodist"), journal.org_id("o2_methodist")
    own_group = journal.group("o1_teacher01")
    iteration, starts = sql.run(
        "SELECT i.id, i.starts_on FROM ej.study_group g JOIN ej.iteration i "
        "ON i.id = g.iteration_id WHERE g.id = %s",
        (own_group,),
    )[0].values()
    other_group = other_org_group(sql)
    other = sql.run(
        "SELECT iteration_id, program_id, teacher_id FROM ej.study_group WHERE id = %s", (other_group,)
    )[0]
    other_student = sql.one("SELECT min(id) FROM ej.student WHERE organization_id = %s", (org2,))
    mark = journal.mark(journal.lesson(own_group))
    add_student = (
        "INSERT INTO ej.student (last_name, first_name, birth_date, sex, organization_id) "
        "VALUES ('Новикова', 'Дарья', '2013-03-03', 'ж', %s) RETURNING id"
    )
    enroll = (
        "INSERT INTO ej.enrollment (group_id, student_id, enrolled_on, enroll_order, organization_id) "
        "VALUES (%s, %s, %s, '№ 77', 0)"
    )
    add_group = (
        "INSERT INTO ej.study_group (iteration_id, program_id, teacher_id, name, organization_id) "
        "VALUES (%s, %s, %s, 'Новая группа', %s)"
    )
    with sql.as_user("o1_methodist"):
        student = sql.one(add_student, (org1,))
        sql.run(
            "INSERT INTO ej.guardian (student_id, full_name, relation) VALUES (%s, 'Новикова Ирина', 'мать')",
            (student,),
        )
        sql.run(enroll, (own_group, student, starts))
        sql.run(
            """INSERT INTO ej.study_group (iteration_id, program_id, teacher_id, name)
                   SELECT %s, g.program_id, g.teacher_id, 'Новая группа'
                     FROM ej.study_group g WHERE g.id = %s""",
            (iteration, own_group),
        )
        assert sql.changes("UPDATE ej.student SET school_class = '6А' WHERE id = %s", (student,)) == 1
        # organization 2: not writable, not visible
        assert is_rls_refusal(sql.refuses(add_student, (org2,)))
        assert is_not_found(sql.refuses(add_group, (*other.values(), org2)))
        assert sql.refuses(add_group, (*other.values(), org1))  # refused by the one-organization rule
        assert sql.refuses(enroll, (other_group, student, starts))
        assert is_rls_refusal(
            sql.refuses("UPDATE ej.student SET organization_id = %s WHERE id = %s", (org2, student))
        )
        assert sql.changes("UPDATE ej.student SET school_class = '6А' WHERE id = %s", (other_student,)) == 0
        assert sql.changes("UPDATE ej.study_group SET room = '1' WHERE id = %s", (other_group,)) == 0
        # the journal is the teacher's
        assert is_permission_denied(
            sql.refuses(
                "UPDATE ej.attendance SET status = 'absent' WHERE lesson_id = %s AND student_id = %s",
                (mark["lesson_id"], mark["student_id"]),
            )
        )
        assert is_permission_denied(
            sql.refuses(
                "INSERT INTO ej.attendance (lesson_id, student_id, status, organization_id, group_id) "
                "VALUES (%s, %s, 'present', 0, 0)",
                (mark["lesson_id"], student),
            )
        )
    assert sql.one("SELECT organization_id FROM ej.student WHERE id = %s", (student,)) == org1
    assert sql.one("SELECT count(*) FROM ej.enrollment WHERE student_id = %s", (student,)) == 1
    assert sql.one("SELECT count(*) FROM ej.study_group WHERE name = 'Новая группа'") == 1


def test_deputy_writes_remarks_not_lists(sql, journal):
    own_group = journal.group("o1_teacher01")
    other_group = other_org_group(sql)
    add = (
        "INSERT INTO ej.remark (group_id, organization_id, body) VALUES (%s, 0, 'Нет темы занятия')"
        " RETURNING id"
    )
    with sql.as_user("o1_deputy"):
        remark = sql.one(add, (own_group,))
        assert (
            sql.changes("UPDATE ej.remark SET body = 'Нет темы занятия 12.03' WHERE id = %s", (remark,)) == 1
        )
        assert is_not_found(sql.refuses(add, (other_group,)))
        assert is_permission_denied(
            sql.refuses(
                "INSERT INTO ej.student (last_name, first_name, birth_date, sex) "
                "VALUES ('Иванов', 'Иван', '2012-01-01', 'м')"
            )
        )
        assert is_permission_denied(sql.refuses("UPDATE ej.student SET school_class = '5А'"))
        assert is_permission_denied(sql.refuses("UPDATE ej.lesson SET topic = 'Тема'"))
    assert sql.one("SELECT author_id FROM ej.remark WHERE id = %s", (remark,)) == journal.staff_id(
        "o1_deputy"
    )
    assert sql.one("SELECT organization_id FROM ej.remark WHERE id = %s", (remark,)) == journal.org_id(
        "o1_deputy"
    )


def test_director_and_admin_only_read(sql, journal):
    own_group = journal.group("o1_teacher01")
    for login in ("o1_director", "o1_admin"):
        with sql.as_user(login):
            for statement in (
                "UPDATE ej.iteration SET name = name",
                "UPDATE ej.staff SET phone = '+7 900 000-00-00'",
                "DELETE FROM ej.board_post",
                f"INSERT INTO ej.remark (group_id, organization_id, body) VALUES ({own_group}, 0, 'Текст')",
            ):
                assert is_permission_denied(sql.refuses(statement)), (login, statement)
    with sql.as_user("o1_director"):
        assert sql.one("SELECT count(*) FROM ej.attendance") > 0
    with sql.as_user("o1_admin"):
        for table in (
            "student",
            "guardian",
            "attendance",
            "enrollment",
            "lesson",
            "achievement",
            "study_group",
        ):
            assert is_permission_denied(sql.refuses(f"SELECT * FROM ej.{table}")), table
        assert (
            sql.one("SELECT count(*) FROM ej.staff")
            == sql.one("SELECT count(*) FROM ej.staff WHERE organization_id = (SELECT ej.current_org_id())")
            > 0
        )
