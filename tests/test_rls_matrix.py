"""The row-level security matrix (issue 10, proof a): every table and view of schema `ej` ×
the five roles × SELECT / INSERT / UPDATE / DELETE × a row of the teacher's own group, of another
teacher's group of the same organization, and of another organization.

The expected outcome of every cell is declared once, below, in EXPECTED; a table or view
without a row there fails the test. Each cell runs in its own savepoint, rolled back.

An outcome is one letter per place (own group, other group, other organization):
  +  allowed: the rows are seen, inserted, changed or deleted
  0  nothing happens: the rows are invisible (SELECT sees none, UPDATE and DELETE touch none)
  x  refused by the database's rules (row-level security, a "not found", a rule trigger)
  P  refused before any row is looked at: no privilege, or a view that cannot be written
For tables without a group ("org" tables) the first two places are the same rows of the
login's own organization."""

import psycopg
import pytest
from org_rows import seed
from psycopg import errors as pgerr
from psycopg import sql as pgsql
from psycopg.types.json import Jsonb

from ejournal_tui.vocabulary import TABLES as VOCABULARY

ROLES = ("teacher", "methodist", "deputy", "director", "admin")
LOGIN = {"teacher": "o1_teacher01", "methodist": "o1_methodist", "deputy": "o1_deputy",
         "director": "o1_director", "admin": "o1_admin"}
OPS = ("S", "I", "U", "D")
PLACES = ("own", "group", "org")

# The access patterns, "S… I… U… D…" with one letter per place.
NOTHING = "SPPP IPPP UPPP DPPP"     # no privilege at all
READ_ALL = "S+++ IPPP UPPP DPPP"    # the same rows for every organization
READ_ORG = "S++0 IPPP UPPP DPPP"    # reads the whole organization
READ_OWN = "S+00 IPPP UPPP DPPP"    # reads own groups only
KEEP_ORG = "S++0 I++x U++0 D++0"    # keeps the organization's rows
KEEP_USED = "S++0 I++x U++0 Dxx0"   # … but a row other rows refer to is not deleted
ITERATIONS = "S++0 Ixxx U++0 Dxx0"  # … and a new iteration starts as «planned» (a running one's copy is refused)
EDIT_ORG = "S++0 IPPP U++0 DPPP"    # reads the organization, changes some columns
KEEP_OWN = "S+00 I+xx U+00 D+00"    # keeps own groups' rows
FIX_OWN = "S+00 IPPP U+00 DPPP"     # reads own groups', changes some columns
ADD_OWN = "S+00 I+xx UPPP DPPP"     # reads and adds rows of own groups (or one's own)
ADD_MINE = "S++0 Ixxx UPPP DPPP"    # reads the organization's, adds only rows of one's own
MINE = "S000 Ixxx UPPP DPPP"        # one's own rows only (the places hold teachers' rows)

# fmt: off
EXPECTED = {
    #  table or view                    teacher    methodist   deputy     director   admin
    "organization":                   (READ_ORG, READ_ORG,   READ_ORG,  READ_ORG,  READ_ORG),
    "staff":                          (READ_ORG, EDIT_ORG,   READ_ORG,  READ_ORG,  READ_ORG),
    "quantum":                        (READ_ORG, KEEP_USED,  READ_ORG,  READ_ORG,  READ_ORG),
    "iteration":                      (READ_ORG, ITERATIONS, READ_ORG,  READ_ORG,  READ_ORG),
    "program":                        (READ_ORG, KEEP_USED,  READ_ORG,  READ_ORG,  NOTHING),
    "program_topic":                  (READ_ORG, KEEP_USED,  READ_ORG,  READ_ORG,  NOTHING),
    "frozen_topic":                   (READ_ORG, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "board_post":                     (READ_ORG, KEEP_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "study_group":                    (READ_OWN, KEEP_USED,  READ_ORG,  READ_ORG,  NOTHING),
    "student":                        (READ_OWN, KEEP_USED,  READ_ORG,  READ_ORG,  NOTHING),
    "guardian":                       (READ_OWN, KEEP_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "enrollment":                     (READ_OWN, KEEP_USED,  READ_ORG,  READ_ORG,  NOTHING),  # marks keep it
    "schedule_slot":                  (READ_OWN, KEEP_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "lesson":                         (KEEP_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "attendance":                     (KEEP_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "safety_briefing":                (KEEP_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "safety_briefing_student":        (KEEP_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "event":                          (KEEP_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "achievement":                    (KEEP_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "remark":                         (FIX_OWN,  KEEP_ORG,   KEEP_ORG,  READ_ORG,  NOTHING),
    "change_request":                 (ADD_OWN,  EDIT_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "data_check":                     (ADD_OWN,  READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "print_fingerprint":              (ADD_OWN,  ADD_MINE,   ADD_MINE,  ADD_MINE,  NOTHING),
    "regulation_duty":                (READ_ALL, READ_ALL,   READ_ALL,  READ_ALL,  READ_ALL),
    **{table: (READ_ALL,) * len(ROLES) for table in VOCABULARY},  # the lookup tables (0002)
    "acknowledgment":                 (ADD_OWN,  ADD_MINE,   ADD_MINE,  ADD_MINE,  MINE),
    "account_request":                (NOTHING,  NOTHING,    READ_ORG,  READ_ORG,  READ_ORG),  # via ej.request_*()
    # views: read only, through the row-level security of the tables they read
    "user_account":                   (READ_ORG, READ_ORG,   READ_ORG,  READ_ORG,  READ_ORG),
    "account_log":                    (NOTHING,  NOTHING,    READ_ORG,  READ_ORG,  READ_ORG),
    "pending_account_request":        (NOTHING,  NOTHING,    READ_ORG,  READ_ORG,  READ_ORG),
    "attendance_code_legend":         (READ_ALL, READ_ALL,   READ_ALL,  READ_ALL,  READ_ALL),
    "planned_lesson":                 (READ_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "topic_progress":                 (READ_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "group_topic":                    (READ_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "group_data_check":               (READ_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "teacher_load":                   (NOTHING,  READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "report_planned_date":            (READ_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "report_group":                   (READ_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "report_lesson_attendance":       (READ_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "report_student_month":           (READ_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "report_attendance_group_month":  (READ_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "report_fulfilment":              (READ_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
    "report_fulfilment_topic":        (READ_OWN, READ_ORG,   READ_ORG,  READ_ORG,  NOTHING),
}
# fmt: on

# Where a table's rows are: by group, by student, by who they belong to, or by organization.
GROUP_COLUMN = {"study_group": "id"}
STUDENT_COLUMN = {"student": "id", "guardian": "student_id"}
STAFF_COLUMN = {"acknowledgment": "staff_id"}
SHARED = {"regulation_duty", "attendance_code_legend", *VOCABULARY}


@pytest.fixture(scope="module")
def matrix(module_conn):
    """Every cell's outcome, computed once for the module (one transaction, rolled back)."""
    from conftest import Journal, SqlSession

    with module_conn.transaction(force_rollback=True):
        sql = SqlSession(module_conn)
        at = seed(sql, Journal(sql))
        subjects = {
            r["relname"]: r["relkind"]
            for r in sql.run("SELECT relname, relkind FROM pg_class WHERE relnamespace = 'ej'::regnamespace "
                             "AND relkind IN ('r', 'v') ORDER BY relname")
        }
        outcomes = {}
        for name, kind in subjects.items():
            if name not in EXPECTED:
                continue
            cols = {r["attname"] for r in sql.run(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                (f"ej.{name}",))}
            for role in ROLES:
                outcomes[name, role] = _row(sql, name, kind, cols, LOGIN[role], at)
        yield subjects, outcomes


def _where(name: str, cols: set[str], place) -> tuple[str, dict]:
    if name in SHARED:
        return "true", {}
    if name == "iteration":
        return "id = %(iteration)s", {"iteration": place.iteration}
    if name in GROUP_COLUMN or "group_id" in cols:
        return f"{GROUP_COLUMN.get(name, 'group_id')} = %(group)s", {"group": place.group}
    if name in STUDENT_COLUMN:
        return f"{STUDENT_COLUMN[name]} = %(student)s", {"student": place.student}
    if name == "account_log":  # the account events of the place's organization's logins
        return ("login IN (SELECT login FROM ej.staff WHERE organization_id = %(org)s)"), {"org": place.org}
    if name in STAFF_COLUMN:
        return f"{STAFF_COLUMN[name]} = %(teacher)s", {"teacher": place.teacher}
    return ("id" if name == "organization" else "organization_id") + " = %(org)s", {"org": place.org}


def _row(sql, name, kind, cols, login, at) -> str:
    t = pgsql.Identifier(name)
    letters = {op: "" for op in OPS}
    for place_name in PLACES:
        place = at[place_name]
        where, params = _where(name, cols, place)
        cond = pgsql.SQL(where)
        total = sql.one(pgsql.SQL("SELECT count(*) FROM ej.{} WHERE ").format(t) + cond, params)
        assert total > 0, f"{name}: no rows in place {place_name}: the matrix proves nothing there"
        ctids = [] if kind == "v" else [r["ctid"] for r in sql.run(
            pgsql.SQL("SELECT ctid::text AS ctid FROM ej.{} WHERE ").format(t) + cond
            + pgsql.SQL(" ORDER BY ctid LIMIT 3"), params)]
        row = None if kind == "v" else sql.run(
            pgsql.SQL("SELECT ctid::text AS ctid, to_jsonb(x) AS row FROM ej.{} x WHERE ").format(t) + cond
            + pgsql.SQL(" ORDER BY ctid LIMIT 1"), params)[0]
        column = sql.one(
            "SELECT coalesce((SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped AND has_column_privilege(%s, attrelid, attnum, 'UPDATE') ORDER BY attnum "
            "LIMIT 1), (SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum = 1))",
            (f"ej.{name}", login, f"ej.{name}"))
        c = pgsql.Identifier(column)
        by_ctid = pgsql.SQL("ctid = ANY(%(ctids)s::tid[])") if kind == "r" else pgsql.SQL("false")
        statements = {
            "S": (pgsql.SQL("SELECT count(*) AS n FROM ej.{} WHERE ").format(t) + cond, params),
            "U": (pgsql.SQL("UPDATE ej.{t} SET {c} = {c} WHERE ").format(t=t, c=c) + by_ctid, {"ctids": ctids}),
            "D": (pgsql.SQL("DELETE FROM ej.{} WHERE ").format(t) + by_ctid, {"ctids": ctids}),
            "I": (pgsql.SQL("INSERT INTO ej.{t} SELECT * FROM jsonb_populate_record(NULL::ej.{t}, %(row)s)").format(t=t)
                  if kind == "r" else pgsql.SQL("INSERT INTO ej.{} DEFAULT VALUES").format(t),
                  {"row": Jsonb(row["row"]) if row else None}),
        }
        for op in OPS:
            statement, args = statements[op]
            take_out = row["ctid"] if (op == "I" and row) else None
            letters[op] += _cell(sql, login, statement, args, take_out, name, op, total if op == "S" else len(ctids))
    return " ".join(op + letters[op] for op in OPS)


class _Undo(Exception):
    pass


def _cell(sql, login, statement, args, take_out, name, op, expected_rows) -> str:
    result = "?"
    try:
        with sql.conn.transaction():
            if take_out:
                # the original row leaves without a trace, so that its copy does not collide with it
                sql.conn.execute("SET LOCAL session_replication_role = replica")
                sql.conn.execute(pgsql.SQL("DELETE FROM ej.{} WHERE ctid = %s::tid").format(pgsql.Identifier(name)),
                                 (take_out,))
                sql.conn.execute("SET LOCAL session_replication_role = origin")
            # a SET inside a savepoint is undone with it, whatever happens
            sql.conn.execute(pgsql.SQL("SET SESSION AUTHORIZATION {}").format(pgsql.Identifier(login)))
            cur = sql.conn.execute(statement, args)
            n = cur.fetchone()["n"] if op == "S" else cur.rowcount
            if op == "I":
                result = "+"
            elif n == 0:
                result = "0"
            else:
                result = "+" if n == expected_rows else "~"  # "~": part of the rows, a leak or a hole
            raise _Undo
    except _Undo:
        pass
    except pgerr.InsufficientPrivilege as exc:
        result = "P" if "permission denied" in str(exc) else "x"
    except pgerr.ObjectNotInPrerequisiteState as exc:
        result = "P" if " view " in str(exc) else "x"  # a view that cannot be written
    except psycopg.Error:
        result = "x"
    return result


def test_every_table_and_view_is_declared(matrix):
    subjects, _ = matrix
    assert set(subjects) - EXPECTED.keys() == set(), "declare the new tables and views in EXPECTED"
    assert EXPECTED.keys() - set(subjects) == set(), "EXPECTED names tables or views that do not exist"


@pytest.mark.parametrize("role", ROLES)
def test_matrix(matrix, role):
    _, outcomes = matrix
    i = ROLES.index(role)
    wrong = {
        name: f"{outcomes[name, role]}  (expected {expected[i]})"
        for name, expected in EXPECTED.items()
        if (name, role) in outcomes and outcomes[name, role] != expected[i]
    }
    assert wrong == {}


def test_matrix_size(matrix):
    """The cells actually tried: every declared subject × role × operation × place."""
    _, outcomes = matrix
    assert len(outcomes) * len(OPS) * len(PLACES) == len(EXPECTED) * len(ROLES) * len(OPS) * len(PLACES)
