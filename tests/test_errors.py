"""How errors read (ejournal_tui.errors): the kind comes from the exception's type or the
database's SQLSTATE, the words from our own checks, the database's constraint messages or our
rules' RAISE — never from guessing whether a text looks Russian. Anything else is said in
general words, so no internal detail (or personal data inside it) reaches the screen."""

import psycopg
import pytest
from pydantic import ValidationError

from ejournal_tui import errors
from ejournal_tui.db import lists
from ejournal_tui.db.connection import one
from ejournal_tui.db.errors import to_user_error, user_message
from ejournal_tui.db.inputs import Input


def test_our_refusals_pass_through_with_their_kind():
    gone = errors.NotFound("Группа не найдена или недоступна")
    assert to_user_error(gone) is gone and gone.title == "Не найдено"
    assert isinstance(gone, LookupError)  # `except LookupError` still catches it
    bad = errors.Invalid("Пол: «м» или «ж»", field="gender")
    assert to_user_error(bad).field == "gender" and isinstance(bad, ValueError)
    assert errors.UserError("текст", title="Свой заголовок").title == "Свой заголовок"


def test_other_exceptions_are_unexpected_whatever_their_words():
    for exc in (RuntimeError("division by zero at row (Иванов, 2012-01-01)\nTraceback"),
                ValueError("invalid literal for int()"),
                LookupError("Группа не найдена"),  # Russian, but not raised as ours
                KeyError("full_name")):
        error = to_user_error(exc)
        assert type(error) is errors.Unexpected and error.message == errors.UNEXPECTED


class Count(Input):
    lessons: int


def test_a_forms_check_names_its_field_and_pydantics_own_words_are_not_shown():
    with pytest.raises(ValidationError) as caught:
        lists.StudentInput(last_name="Иванов", first_name="Иван", birth_date="31.02.2015", sex="м")
    error = to_user_error(caught.value)
    assert isinstance(error, errors.Invalid) and error.field == "birth_date"
    assert "не дата" in error.message
    with pytest.raises(ValidationError) as caught:
        Count(lessons="twelve")
    error = to_user_error(caught.value)
    assert error.message == "Неверное значение поля lessons" and error.field == "lessons"


def test_a_rule_raised_in_plpgsql_is_shown_with_its_kind(sql):
    def rule(code: str, text: str = "Правило журнала не позволяет") -> errors.UserError:
        return to_user_error(sql.refuses(
            f"DO $$ BEGIN RAISE EXCEPTION '{text}' USING ERRCODE = '{code}'; END $$"))

    assert type(rule("EJ003")) is errors.RuleViolation
    assert rule("EJ003").message == "Правило журнала не позволяет"
    assert type(rule("EJ005", "Занятие не найдено")) is errors.NotFound
    assert type(rule("EJ002")) is errors.Forbidden
    assert type(rule("EJ001")) is errors.Invalid
    assert type(rule("EJ004")) is errors.Conflict
    # a standard code is the server's: its general words, never the text, even from a RAISE
    assert rule("check_violation").message == "Значение не прошло проверку базы данных."
    bare = to_user_error(sql.refuses("DO $$ BEGIN RAISE EXCEPTION 'Просто отказ'; END $$"))
    assert type(bare) is errors.Unexpected and "Просто отказ" not in bare.message


def test_a_rule_of_the_schema_reads_as_written(sql):
    err = sql.refuses(
        """INSERT INTO ej.student (organization_id, last_name, first_name, birth_date, sex)
           SELECT id, 'Будущий', 'Обучающийся', ej.today(NULL) + 400, 'м' FROM ej.organization LIMIT 1""")
    error = to_user_error(err)
    assert error.message.startswith("Дата рождения не может быть в будущем"), error.message


def test_the_servers_own_words_are_never_shown(sql):
    zero = to_user_error(sql.refuses("SELECT 1 / 0"))
    assert type(zero) is errors.Invalid and "division" not in zero.message
    missing = to_user_error(sql.refuses("SELECT * FROM ej.no_such_table"))
    assert "no_such_table" not in missing.message and "ej." not in missing.message
    # a check constraint with no message of ours: the general sentence of its class
    sql.run("CREATE TEMP TABLE t (n int CONSTRAINT t_n_positive CHECK (n > 0))")
    error = to_user_error(sql.refuses("INSERT INTO t VALUES (-1)"))
    assert type(error) is errors.RuleViolation and error.message == "Значение не прошло проверку базы данных."
    assert user_message(sql.refuses("INSERT INTO t VALUES (-1)"), {"t_n_positive": "Число больше нуля"}) \
        == "Число больше нуля"


def test_one_row_or_not_found(sql):
    assert one(sql.conn.execute("SELECT 1 AS n"))["n"] == 1
    with pytest.raises(errors.NotFound):
        one(sql.conn.execute("SELECT 1 AS n WHERE false"))


def test_a_lost_connection_is_unavailable(server):
    try:
        psycopg.connect("host=/nonexistent-socket-dir dbname=x connect_timeout=1")
    except psycopg.OperationalError as exc:
        error = to_user_error(exc)
    assert type(error) is errors.Unavailable and error.title == "Нет связи"
