"""Our business rules raise with SQLSTATE class EJ (the table heads sql/migrations/0001), and the
data layer picks the kind of refusal by that code alone (ejournal_tui.db.errors.RULE_KINDS)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fixed_today import TODAY

from ejournal_tui.db.errors import INTERNAL, RULE_CLASS, RULE_KINDS, to_user_error
from ejournal_tui.errors import UNEXPECTED, Conflict, Forbidden, Invalid, NotFound, RuleViolation, Unexpected

SQL = Path(__file__).resolve().parent.parent / "sql"


def raise_statements(text: str):
    """Each `RAISE EXCEPTION … ;` of a file (its line and text), quotes ('' included) skipped;
    comments (`-- …` to the end of the line) are not code."""
    text = re.sub(r"--[^\n]*", "", text)
    for m in re.finditer(r"\bRAISE\s+(?:EXCEPTION\b|'|USING\b)", text):
        end = m.end()
        quoted = m.group().endswith("'")
        while quoted or text[end] != ";":
            quoted ^= text[end] == "'"
            end += 1
        yield text.count("\n", 0, m.start()) + 1, text[m.start():end + 1]


def test_every_raise_in_sql_has_one_of_our_codes():
    files = sorted(SQL.rglob("*.sql"))
    assert len(files) > 10
    seen, wrong = set(), []
    for path in files:
        for line, statement in raise_statements(path.read_text(encoding="utf-8")):
            codes = re.findall(r"ERRCODE\s*=\s*'([^']*)'", statement)
            if len(codes) != 1 or codes[0] not in {*RULE_KINDS, INTERNAL}:
                wrong.append(f"{path.relative_to(SQL)}:{line}: {' '.join(statement.split())[:100]}")
            seen.update(codes)
    assert not wrong, "RAISE without an EJ code of sql/migrations/0001:\n" + "\n".join(wrong)
    assert seen == {*RULE_KINDS, INTERNAL}  # every code is used, none is left over
    assert sum(1 for p in files for _ in raise_statements(p.read_text(encoding="utf-8"))) > 80  # the parser finds them


def test_the_table_of_codes_in_0001_is_the_one_the_program_reads():
    head = (SQL / "migrations" / "0001_roles_and_schemas.sql").read_text(encoding="utf-8")
    table = dict(re.findall(r"^--\s+(EJ\d{3})\s.*→ (\w+)$", head, re.M))
    assert table == {code: kind.__name__ for code, kind in RULE_KINDS.items()} | {INTERNAL: "Unexpected"}
    assert all(code.startswith(RULE_CLASS) for code in table)


FUTURE_BIRTH = ("INSERT INTO ej.student (last_name, first_name, birth_date, sex) "
                "VALUES ('Будущева', 'Ада', %s, 'ж')")

# code, its kind, who asks, a real call of the schema that breaks one of its rules, the words
RULES = [
    ("EJ001", Invalid, "o1_methodist", "SELECT * FROM ej.report_attendance('по звёздам')", None,
     "Разрез отчёта о посещаемости: group, teacher, quantum, month или group_month"),
    ("EJ002", Forbidden, "o1_teacher01", "SELECT * FROM ej.request_account('new_one', '{teacher}', 'Новый Н. Н.')",
     None, "Выдавать учётные записи может только администратор"),
    ("EJ003", RuleViolation, "o1_methodist", FUTURE_BIRTH, (TODAY + timedelta(days=2),),
     "Дата рождения не может быть в будущем"),
    ("EJ004", Conflict, "o1_admin", "SELECT * FROM ej.request_account('o1_teacher02', '{teacher}', 'Двойник Д. Д.')",
     None, "Логин «o1_teacher02» уже занят"),
    ("EJ005", NotFound, "o1_deputy", "SELECT ej.receive_hard_copy(0)", None, "Твёрдая копия не найдена"),
]


@pytest.mark.parametrize(("code", "kind", "login", "query", "params", "words"), RULES, ids=[r[0] for r in RULES])
def test_each_code_reads_as_its_kind_through_a_real_rule(sql, code, kind, login, query, params, words):
    with sql.as_user(login):
        err = sql.refuses(query, params)
    assert err.sqlstate == code, err
    error = to_user_error(err)
    assert type(error) is kind and error.title == kind.title
    assert error.message.startswith(words), error.message  # the rule's own words, as written


def test_every_kind_of_the_table_is_exercised():
    assert {r[0]: r[1] for r in RULES} == RULE_KINDS


def test_an_internal_or_unknown_code_or_a_bare_raise_is_unexpected(sql):
    for code in (INTERNAL, "EJ999", "P0001"):
        err = sql.refuses(f"DO $$ BEGIN RAISE EXCEPTION 'audit: table x has no key' USING ERRCODE = '{code}'; END $$")
        error = to_user_error(err)
        assert type(error) is Unexpected and "audit" not in error.message, (code, error.message)
    assert to_user_error(sql.refuses(f"DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '{INTERNAL}'; END $$")).message \
        == UNEXPECTED
