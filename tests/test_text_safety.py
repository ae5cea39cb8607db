"""Issue 10, findings 9 and 10: text that cannot attack.

- Every text column of schema ej refuses control characters (found from the catalog, so a new
  column without the check fails here); line feeds only where several lines make sense.
- Whatever the CLI prints to a terminal shows non-printable characters escaped.
- CSV cells that a spreadsheet would read as a formula are neutralised; numbers stay numbers."""

import argparse
import io
from decimal import Decimal

import pytest
from psycopg import sql as pgsql

from ejournal_tui.cli import main
from ejournal_tui.db.connection import connect
from ejournal_tui.db.errors import load_constraint_messages, user_message
from ejournal_tui.reports import cli as reports_cli
from ejournal_tui.reports.text import csv_cell, table, to_csv
from ejournal_tui.terminal import safe, say

MULTILINE = {"remark.body", "remark.fixed_note", "board_post.body"}
EVIL = ["\x1b[31m", "\x07", "\x9b31m", "a\tb", "a\rb", "\x7f", "\x01"]


def text_columns(sql) -> list[tuple[str, str, int]]:
    return [(r["t"], r["c"], r["oid"]) for r in sql.run(
        """SELECT t.relname AS t, a.attname AS c, t.oid
             FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'ej' AND t.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
              AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype)
            ORDER BY 1, 2""")]


def accepts(sql, table_oid: int, column: str, value: str) -> bool:
    """Every CHECK constraint on this column alone, evaluated for the value (NULL counts as passing)."""
    checks = sql.run(
        """SELECT pg_get_expr(k.conbin, k.conrelid) AS expr FROM pg_constraint k
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
            WHERE k.conrelid = %s AND k.contype = 'c' AND a.attname = %s AND cardinality(k.conkey) = 1""",
        (table_oid, column))
    for c in checks:
        q = pgsql.SQL("SELECT coalesce(({}), true) AS ok FROM (SELECT %s::text AS {}) s").format(
            pgsql.SQL(c["expr"]), pgsql.Identifier(column))
        if not sql.one(q, (value,)):
            return False
    return True


def printable_check(sql, table_oid: int, column: str, value: str) -> bool:
    expr = sql.one(
        """SELECT pg_get_expr(k.conbin, k.conrelid) FROM pg_constraint k
            WHERE k.conrelid = %s AND k.contype = 'c' AND k.conname LIKE '%%\\_printable'
              AND k.conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = %s AND attname = %s)]""",
        (table_oid, table_oid, column))
    q = pgsql.SQL("SELECT coalesce(({}), true) FROM (SELECT %s::text AS {}) s").format(
        pgsql.SQL(expr), pgsql.Identifier(column))
    return sql.one(q, (value,))


def test_every_text_column_refuses_control_characters(sql):
    columns = text_columns(sql)
    assert len(columns) > 60
    leaks = [f"{t}.{c} accepts {v!r}" for t, c, oid in columns for v in EVIL if accepts(sql, oid, c, v)]
    assert leaks == []
    for t, c, oid in columns:
        assert printable_check(sql, oid, c, "Иванова Мария «Кванториум» №5 — ok") is True, f"{t}.{c}"
        assert printable_check(sql, oid, c, "строка\nстрока") is (f"{t}.{c}" in MULTILINE), f"{t}.{c}"


def test_a_name_with_an_escape_sequence_is_refused_in_russian(sql, login_conninfo):
    staff = sql.one("SELECT id FROM ej.staff WHERE login = 'o1_teacher01'")
    with connect(login_conninfo("o1_methodist")) as conn:
        with pytest.raises(Exception) as info:
            conn.execute("UPDATE ej.staff SET full_name = %s WHERE id = %s", ("Иванова\x1b[31m Мария", staff))
        text = user_message(info.value, load_constraint_messages(conn))
        assert text.startswith("Недопустимые символы в тексте"), text
        remark = "Проверьте темы:\nзанятие 12.10,\nзанятие 19.10"
        conn.execute("UPDATE ej.remark SET body = %s WHERE id = (SELECT min(id) FROM ej.remark)", (remark,))
        assert conn.execute("SELECT body FROM ej.remark WHERE id = (SELECT min(id) FROM ej.remark)"
                            ).fetchone()["body"] == remark


# --- the terminal ---------------------------------------------------------------------------------


def test_safe_escapes_what_a_terminal_would_obey():
    assert safe("Иванова\x1b[31m\x07") == "Иванова\\x1b[31m\\x07"
    assert safe("\x9b2J \u202eabc \ud800") == "\\x9b2J \\u202eabc \\ud800"
    assert safe("a\nb") == "a\\x0ab" and safe("a\nb", multiline=True) == "a\nb"
    assert safe("«Кванториум» № 5\u00a0— ok") == "«Кванториум» № 5\u00a0— ok"
    out = io.StringIO()
    say("строка 1\nстрока\x1b]0;title\x07 2", out)
    assert out.getvalue() == "строка 1\nстрока\\x1b]0;title\\x07 2\n"


def _unguard(sql, table: str, column: str) -> None:
    """Old data from before the check (or written by the database owner by hand)."""
    sql.run(pgsql.SQL("ALTER TABLE ej.{} DROP CONSTRAINT {}").format(
        pgsql.Identifier(table), pgsql.Identifier(f"{table}_{column}_printable")))


def test_cli_output_shows_control_characters_escaped(server, db, sql, capsys):
    _unguard(sql, "staff", "full_name")
    sql.run("UPDATE ej.staff SET full_name = 'Злой\x1b]0;owned\x07 Педагог' WHERE login = 'o1_teacher01'")
    assert main(["--dsn", server.conninfo(db, "o1_admin"), "admin", "list-users"]) == 0
    listing = capsys.readouterr().out
    assert "\x1b" not in listing and "\x07" not in listing
    assert "Злой\\x1b]0;owned\\x07 Педагог" in listing
    with connect(server.conninfo(db, "o1_methodist")) as conn:
        for fmt in ("text", "github"):
            for args in (["attendance", "--by", "teacher"], ["timeliness", "--by", "teacher"]):
                p = argparse.ArgumentParser(prog="ejournal")
                reports_cli.add_commands(p.add_subparsers(dest="command"))
                out, err = io.StringIO(), io.StringIO()
                code = reports_cli.run(p.parse_args(["report", *args, "--format", fmt]), conn, out, err)
                text = out.getvalue()
                assert code == 0 and "\x1b" not in text and "\x07" not in text, (fmt, args)
                assert "\\x1b" in text, (fmt, args, text[:500])


def test_cli_errors_show_control_characters_escaped(server, db, capsys):
    code = main(["--dsn", server.conninfo(db, "o1_admin"), "admin", "set-password", "nob\x1b[31mody"])
    err = capsys.readouterr().err
    assert code == 1 and "\x1b" not in err and err.count("\n") == 1, err


# --- CSV ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\";\"y\")", "+7 999", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_text_cells_that_start_a_formula_are_neutralised(value):
    assert csv_cell(value) == "'" + value


def test_csv_numbers_stay_numbers():
    assert [csv_cell(v) for v in (-3, Decimal("-1.5"), 0, 2.5)] == ["-3", "-1,5", "0", "2,5"]
    assert csv_cell("Иванов") == "Иванов" and csv_cell(None) == ""
    assert to_csv(["=h"], [["=1+1", -1]]) == "\ufeff'=h\r\n'=1+1;-1\r\n"
    assert "'=" not in table(["a"], [["=x"]], "text")  # only CSV cells are neutralised


def test_csv_exports_neutralise_a_formula_in_the_data(sql, login_conninfo):
    group = sql.one("SELECT min(g.id) FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id "
                    "WHERE i.status = 'active' AND g.organization_id = 1")
    sql.run("UPDATE ej.study_group SET name = '=HYPERLINK(\"http://evil\";\"Группа\")' WHERE id = %s", (group,))
    with connect(login_conninfo("o1_methodist")) as conn:
        p = argparse.ArgumentParser(prog="ejournal")
        reports_cli.add_commands(p.add_subparsers(dest="command"))
        for argv in (["export", "attendance", "--by", "group"], ["report", "attendance", "--by", "group",
                                                                   "--format", "csv"]):
            out, err = io.StringIO(), io.StringIO()
            assert reports_cli.run(p.parse_args(argv), conn, out, err) == 0
            text = out.getvalue()
            assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text and "\n=HYPERLINK" not in text, argv
