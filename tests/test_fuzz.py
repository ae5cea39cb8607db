"""Issue 10, proof (c): property-based fuzzing of the write functions and the CLI commands.

Every write function of the data layer that takes text, called as the role that uses it, with
whatever text hypothesis makes (control characters, NUL bytes, lone surrogates, formulas, very
long strings, Russian): either the value is stored exactly as given (after the documented
trimming of spaces), or the caller gets one clear Russian sentence and nothing at all was
written (audit.log, which records every change, did not grow). Never a traceback.

The number of examples per case: EJOURNAL_FUZZ_EXAMPLES (scripts/fuzz sets it so that the cases
together run ≥ 10,000); the test suite runs a few hundred in all."""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import pytest
from fixed_today import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ejournal_tui.cli import main
from ejournal_tui.db import accounts, lists, methodist, programs, remarks, students
from ejournal_tui.db import group_records as gr
from ejournal_tui.db import journal as jr
from ejournal_tui.db.connection import connect
from ejournal_tui.db.errors import load_constraint_messages, user_message
from ejournal_tui.db.inputs import first_error

EXAMPLES = int(os.environ.get("EJOURNAL_FUZZ_EXAMPLES", "15"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="EJOURNAL_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
RUN = {"examples": 0, "refused": 0}  # what this module actually ran: scripts/fuzz prints it
NASTY = ["\x00", "\x1b[31m", "\x07", "\x9b", "\ud800", "\udfff", "\u202e", "\n", "\r", "\t", "=HYPERLINK(\"x\")",
         "+1", "-1", "@", "'", '"', "\\", "%s", "%(x)s", "{}", "$$", "';--", "ё", "Ё", " ", "\u00a0", "\u200b",
         "\ufeff", "🙂", "a" * 301]

# any text: ordinary, with the nasty pieces mixed in, or any code point including lone surrogates
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(alphabet="Иванова Мария Петровна-", max_size=12)),
             max_size=6).map("".join),
    st.text(alphabet=st.characters(exclude_categories=()), max_size=30),
    st.sampled_from(["Иванова Мария Петровна", "Новикова  Анна ", "  ", "", "a" * 2001]),
)


@dataclass
class Ctx:
    teacher_group: int
    student: int
    lesson: dict
    staff: int
    group_row: dict
    program: dict
    admin_org: int


def same(stored, given_: str, norm: Callable[[str], str | None]) -> bool:
    return stored == norm(given_)


def strip(v: str) -> str | None:
    return v.strip() or None


def words(v: str) -> str:
    return " ".join(v.split())


@dataclass
class Case:
    name: str
    login: str
    write: Callable  # (conn, ctx, text) -> id of the row written (or None)
    read: str | None = None  # SQL reading the stored text back by that id
    norm: Callable[[str], str | None] = strip


def save_staff(conn, staff_id: int, data: "lists.StaffInput") -> int:
    lists.save_staff(conn, staff_id, data)
    return staff_id


CASES = [
    Case("staff full name", "o1_methodist",
         lambda c, x, v: save_staff(c, x.staff, lists.StaffInput(full_name=v)),
         "SELECT full_name FROM ej.staff WHERE id = %s", words),
    Case("staff position", "o1_methodist",
         lambda c, x, v: save_staff(c, x.staff, lists.StaffInput(full_name="Петрова Анна Ивановна", position=v)),
         "SELECT position FROM ej.staff WHERE id = %s"),
    Case("student last name", "o1_methodist",
         lambda c, x, v: lists.save_student(c, x.student, lists.StudentInput(
             **(lists.student(c, x.student).model_dump() | {"last_name": v}))),
         "SELECT last_name FROM ej.student WHERE id = %s"),
    Case("student address", "o1_methodist",
         lambda c, x, v: lists.save_student(c, x.student, lists.StudentInput(
             **(lists.student(c, x.student).model_dump() | {"address": v}))),
         "SELECT address FROM ej.student WHERE id = %s"),
    Case("guardian", "o1_methodist",
         lambda c, x, v: lists.save_guardian(c, None, x.student, lists.GuardianInput(full_name=v)),
         "SELECT full_name FROM ej.guardian WHERE id = %s"),
    Case("group room", "o1_methodist",
         lambda c, x, v: lists.save_group(c, x.group_row["id"], lists.GroupInput(**x.group_row | {"room": v})),
         "SELECT room FROM ej.study_group WHERE id = %s"),
    Case("program name", "o1_methodist",
         lambda c, x, v: programs.save_program(c, x.program["id"], programs.ProgramInput(
             **x.program | {"name": v})),
         "SELECT name FROM ej.program WHERE id = %s"),
    Case("КТП import", "o1_methodist",
         lambda c, x, v: programs.check_ktp(c, x.program["id"], programs.parse_ktp(v)) and None),
    Case("remark", "o1_methodist",
         lambda c, x, v: remarks.add_remark(c, remarks.RemarkInput(group_id=x.teacher_group, body=v)),
         "SELECT body FROM ej.remark WHERE id = %s"),
    Case("weekly analysis", "o1_methodist",
         lambda c, x, v: methodist.post_analysis(c, TODAY, "Анализ недели", v),
         "SELECT body FROM ej.board_post WHERE id = %s"),
    Case("lesson topic", "o1_teacher01",
         lambda c, x, v: _lesson_topic(c, x, v), "SELECT topic FROM ej.lesson WHERE id = %s",
         lambda v: v or None),
    Case("change request", "o1_teacher01",
         lambda c, x, v: students.request_change(c, x.teacher_group, x.student, "school", v),
         "SELECT proposed FROM ej.change_request WHERE id = %s", lambda v: v.strip()),
    Case("data check note", "o1_teacher01",
         lambda c, x, v: students.mark_checked(c, x.teacher_group, v) and x.teacher_group,
         "SELECT note FROM ej.data_check WHERE group_id = %s ORDER BY id DESC LIMIT 1", lambda v: v or None),
    Case("briefing", "o1_teacher01",
         lambda c, x, v: gr.add_briefing(c, x.teacher_group, gr.BriefingInput(
             held_on=x.lesson["held_on"], kind="повторный", content=v, student_ids=[x.student])),
         "SELECT content FROM ej.safety_briefing WHERE id = %s", lambda v: v.strip()),
    Case("event", "o1_teacher01",
         lambda c, x, v: gr.save_event(c, x.teacher_group, gr.EventInput(
             held_on=x.lesson["held_on"], title=v, place=v, participants=3)),
         "SELECT title FROM ej.event WHERE id = %s", lambda v: v.strip()),
    Case("achievement", "o1_teacher01",
         lambda c, x, v: gr.save_achievement(c, x.teacher_group, gr.AchievementInput(
             student_id=x.student, held_on=x.lesson["held_on"], competition=v, level="региональный",
             result="участник")),
         "SELECT competition FROM ej.achievement WHERE id = %s", lambda v: v.strip()),
    Case("account login", "o1_admin",
         lambda c, x, v: accounts.issue_account(c, v, ["teacher"], "Новикова Анна Павловна").request_id),
    Case("account name", "o1_admin",
         lambda c, x, v: accounts.issue_account(c, f"fz_{abs(hash(v)) % 10**12}", ["methodist"], v).request_id,
         "SELECT full_name FROM ej.account_request WHERE id = %s", lambda v: v),
    Case("account role", "o1_admin",
         lambda c, x, v: accounts.issue_account(c, f"fz_{abs(hash(v)) % 10**12}", [v], "Новикова Анна").request_id),
    Case("lock, roles, password of a login", "o1_admin",
         lambda c, x, v: _lock_roles_password(c, v)),
]


def _lock_roles_password(conn, login: str) -> None:
    accounts.set_locked(conn, login, True)
    accounts.set_roles(conn, login, ["admin"])
    accounts.issue_password(conn, login)


def _lesson_topic(conn, x: Ctx, v: str):
    lesson = conn.execute("SELECT id, group_id, held_on, hours, version FROM ej.lesson WHERE id = %s",
                          (x.lesson["id"],)).fetchone()
    saved = jr.save_lesson(conn, group_id=lesson["group_id"], held_on=lesson["held_on"], hours=lesson["hours"],
                           topic_id=None, topic=v, lesson_id=lesson["id"], version=lesson["version"])
    assert isinstance(saved, jr.LessonSaved), saved
    return lesson["id"]


@pytest.fixture
def ctx(sql, journal) -> Ctx:
    group = journal.group("o1_teacher01")
    # A lesson the teacher may still change without a reason: the latest one within the edit
    # window, or one entered today (which lessons are recent depends on the weekday of the run).
    recent = ("SELECT l.id, l.held_on FROM ej.lesson l JOIN ej.study_group g ON g.id = l.group_id "
              "WHERE l.group_id = %s AND l.held_on BETWEEN ej.today(g.organization_id) - ej.edit_window_days() "
              "AND ej.today(g.organization_id) ORDER BY l.held_on DESC LIMIT 1")
    found = sql.run(recent, (group,))
    if not found:
        sql.run("INSERT INTO ej.lesson (group_id, held_on, hours, topic) "
                "SELECT id, ej.today(organization_id), 2, 'Занятие' FROM ej.study_group WHERE id = %s", (group,))
        found = sql.run(recent, (group,))
    lesson = found[0]
    student = sql.one("SELECT min(student_id) FROM ej.enrollment WHERE group_id = %s", (group,))
    g = sql.run("SELECT id, iteration_id, program_id, teacher_id, name FROM ej.study_group WHERE id = %s",
                (group,))[0]
    p = sql.run("SELECT id, quantum_id, name, total_hours FROM ej.program WHERE id = %s", (g["program_id"],))[0]
    return Ctx(teacher_group=group, student=student, lesson=lesson, staff=journal.staff_id("o1_teacher02"),
               group_row=g, program=p, admin_org=journal.org_id("o1_admin"))


def _explained(exc: BaseException, messages: dict) -> str:
    if isinstance(exc, ValidationError):
        return first_error(exc)
    return user_message(exc, messages)


def _audit_rows(sql) -> int:
    return sql.one("SELECT count(*) FROM audit.log") + sql.one("SELECT count(*) FROM audit.account_event")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_write_functions_store_exactly_or_refuse_in_russian(sql, ctx, login_conninfo, case):
    with connect(login_conninfo(case.login)) as conn:
        messages = load_constraint_messages(conn)
        # the lesson is edited within its window: the teacher's session says why, once
        conn.execute("SELECT ej.set_reason('исправление темы занятия по КТП')")

        @FUZZ
        @given(value=TEXT)
        def check(value: str) -> None:
            RUN["examples"] += 1
            before = _audit_rows(sql)
            try:
                row_id = case.write(conn, ctx, value)
            except (psycopg.Error, ValueError, LookupError, UnicodeError, ValidationError) as exc:
                assert not conn.broken
                text = _explained(exc, messages)
                assert CYRILLIC.search(text) and "\n" not in text, (value, text)
                assert not text.startswith(("Непредвиденная ошибка", "Ошибка базы данных")), (value, text, exc)
                assert _audit_rows(sql) == before, f"a refused write left changes: {value!r}"
                RUN["refused"] += 1
                return
            if case.read and row_id is not None:
                stored = sql.one(case.read, (row_id,))
                assert same(stored, value, case.norm), (value, stored)

        check()


# --- the command line -----------------------------------------------------------------------------


def _cli_checks(server, db, capsys, argv: list[str], login: str | None = "o1_admin") -> None:
    code = main(["--dsn", server.conninfo(db, login), *argv])
    out = capsys.readouterr()
    assert code in (0, 1), (argv, code)
    assert "Traceback" not in out.err and "\x1b" not in out.out + out.err
    if code == 1 and not out.err:  # «not found» answers on stdout (print lookup)
        assert CYRILLIC.search(out.out), (argv, out.out)
    elif code == 1:
        lines = out.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ejournal: ") and CYRILLIC.search(lines[0]), (argv, out.err)
        assert not lines[0].startswith("ejournal: Непредвиденная ошибка"), (argv, out.err)


CLI = [
    ("add-user login", lambda v: ["admin", "add-user", v, "--role", "teacher", "--name", "Новикова Анна Павловна"]),
    ("add-user name", lambda v: ["admin", "add-user", "fz_cli_name", "--role", "teacher", "--name", v]),
    ("add-user role", lambda v: ["admin", "add-user", "fz_cli_role", "--role", v, "--name", "Новикова Анна"]),
    ("set-roles", lambda v: ["admin", "set-roles", v, "--role", "admin"]),
    ("lock-user", lambda v: ["admin", "lock-user", v]),
    ("unlock-user", lambda v: ["admin", "unlock-user", v]),
    ("set-password", lambda v: ["admin", "set-password", v]),
    ("print lookup", lambda v: ["print", "lookup", v]),
    ("report --by", lambda v: ["report", "attendance", "--by", v]),
]


@pytest.mark.parametrize(("name", "argv"), CLI, ids=[c[0] for c in CLI])
def test_cli_commands_answer_in_russian_or_do_it(server, db, capsys, name, argv):
    login = "o1_methodist" if argv("x")[0] in ("print", "report") else "o1_admin"
    arg_text = TEXT.filter(lambda v: not v.startswith("-") and "\x00" not in v)  # argv cannot carry NUL

    @FUZZ
    @given(value=arg_text)
    def check(value: str) -> None:
        RUN["examples"] += 1
        _cli_checks(server, db, capsys, argv(value), login)

    check()


def test_the_fuzz_budget_is_enough(capsys):
    """Runs last: scripts/fuzz (the whole module with EJOURNAL_FUZZ_EXAMPLES) ran ≥ 10,000 examples."""
    with capsys.disabled():
        print(f"\nfuzz: {RUN['examples']} examples run, {RUN['refused']} of the write examples "
              "refused with a Russian message and no change")
    if "EJOURNAL_FUZZ_EXAMPLES" in os.environ:
        assert EXAMPLES * (len(CASES) + len(CLI)) >= 10_000
        assert RUN["examples"] >= 10_000

