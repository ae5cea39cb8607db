"""One vocabulary: the coded values, their Russian labels and the limits are defined once, in the
database (sql/migrations/0002_tables.sql), loaded by the app with the session, and refused by
the database when a code is not in it."""

import re
from pathlib import Path

import pytest
from staff_tui import acknowledge, until

from ejournal_tui import vocabulary
from ejournal_tui.db.connection import connect
from ejournal_tui.db.errors import load_constraint_messages, user_message
from ejournal_tui.tui.app import EJournalApp
from ejournal_tui.tui.screens.teacher.excuse import ExcuseScreen
from ejournal_tui.tui.screens.teacher.home import HomeScreen

PACKAGE = Path(vocabulary.__file__).parent
SOURCES = {p: p.read_text() for p in PACKAGE.rglob("*.py") if p.name != "vocabulary.py"}
TEACHER = "o1_teacher01"


@pytest.fixture
def loaded(server, template_db):
    """The vocabulary of the test databases, made current again after a test that changed it."""
    with connect(server.conninfo(template_db)) as conn:
        yield vocabulary.load(conn)
    with connect(server.conninfo(template_db)) as conn:
        vocabulary.load(conn)


def test_the_database_defines_the_vocabulary(loaded):
    v = loaded
    assert [t.code for t in v.absence_reason] == ["illness", "parents", "competition", "other"]
    assert [t.letter for t in v.absence_reason] == ["б", "з", "с", "у"]
    assert [t.code for t in v.attendance_status] == ["present", "absent", "excused"]
    assert v.briefing_kind[0].code == "вводный" and all(t.content for t in v.briefing_kind)
    assert len(v.achievement_level) == 5
    assert (v.edit_window_days, v.participants_limit) == (3, 1000)
    assert v.days == "3 дней" and v.days_after == "3 дня"
    assert v.phone_ok("+7 (812) 555-12-34") and not v.phone_ok("звоните")
    assert v.email_ok("a@b.ru") and not v.email_ok("a@b")


def test_plurals_of_the_edit_window():
    def words(n: int) -> tuple[str, str]:
        v = vocabulary.Vocabulary.from_json({
            "attendance_status": [], "absence_reason": [], "briefing_kind": [], "achievement_level": [],
            "edit_window_days": n, "participants_limit": 1, "phone_pattern": "", "email_pattern": ""})
        return v.days, v.days_after

    assert words(1) == ("1 дня", "1 день")
    assert words(2) == ("2 дней", "2 дня")
    assert words(5) == ("5 дней", "5 дней")
    assert words(21) == ("21 дня", "21 день")


def test_help_texts_take_the_number_from_the_vocabulary(loaded):
    assert vocabulary.words("позже {edit_window}, через {edit_window_acc}") == "позже 3 дней, через 3 дня"
    reasons = vocabulary.words("{absence_reasons}")
    assert reasons.startswith("«б» болезнь, «з» заявление родителей")


def test_each_word_is_defined_once(loaded):
    """No module but vocabulary.py spells a label of the lookup tables, a letter table, the edit
    window's number or the weekday names; the old constants are gone."""
    # (the statuses' labels are also the tooltips of the journal's keys, which Textual reads from
    # the class: those stay in journal.py)
    labels = [t.label for t in (*loaded.absence_reason, *loaded.achievement_level)
              if t.label != "другое"]  # «другое» is also a guardian's relation and a field's name
    labels += [t.content for t in loaded.briefing_kind] + [t.legend for t in loaded.absence_reason]
    found = [(p.name, w) for p, text in SOURCES.items() for w in labels if w in text]
    assert found == []
    old = re.compile(r"\b(EDIT_WINDOW_DAYS|REASON_NAME|EXCUSE_CODE|STATUS_TEXT|STATUS_LETTER|KIND_CONTENT|KINDS|"
                     r"LEVELS|WEEKDAY|PHONE|EMAIL)\b\s*=")
    window = re.compile(r"\b3 дн|трёх дн|три дня|\b1000\b.*участ|участ.*\b1000\b")
    weekdays = re.compile(r"понедельник|\"пн\"")
    for path, text in SOURCES.items():
        assert not old.search(text), path
        assert not window.search(text), path
        assert not weekdays.search(text), path


def test_an_unknown_code_is_refused_in_russian(sql, journal):
    group = journal.group(TEACHER)
    day = journal.free_date(group)
    lesson = journal.add_lesson(group, day)  # a held lesson without marks
    student = journal.enrolled_student(group, day)
    messages = load_constraint_messages(sql.conn)
    assert messages["attendance_reason_value"] == (
        "Уважительная причина: болезнь, заявление родителей, соревнования/олимпиада или другое.")
    with sql.as_user(TEACHER):
        err = sql.refuses(
            "INSERT INTO ej.attendance (lesson_id, student_id, organization_id, group_id, status, reason)"
            " VALUES (%s, %s, 0, 0, 'excused', 'holiday')", (lesson, student))
    assert err.diag.constraint_name == "attendance_reason_value"
    assert user_message(err, messages) == messages["attendance_reason_value"]


async def test_the_app_shows_the_labels_of_the_table(sql, login_conninfo, loaded):
    """A label changed in the table (only a migration does that) is what the app shows."""
    acknowledge(sql, TEACHER)
    sql.run("UPDATE ej.absence_reason SET label = 'болезнь (по справке)' WHERE code = 'illness'")
    app = EJournalApp(login_conninfo(TEACHER))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, HomeScreen)
        app.push_screen(ExcuseScreen("Иванов Иван", app.today))
        screen = await until(pilot, ExcuseScreen, loaded=False)
        options = screen.query_one("#reasons")
        assert str(options.get_option_at_index(0).prompt) == "1. болезнь (по справке)"


def test_every_help_text_is_filled_in(loaded):
    """F1 shows a screen's HELP through vocabulary.words: no placeholder is left in any of them."""
    import importlib
    import inspect

    texts = {}
    for path in (PACKAGE / "tui" / "screens").rglob("*.py"):
        module = importlib.import_module(
            "ejournal_tui." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if isinstance(cls.__dict__.get("HELP"), str):
                texts[name] = vocabulary.words(cls.__dict__["HELP"])
    assert len(texts) > 20
    left = {name: re.findall(r"\{[a-z_]+\}", text) for name, text in texts.items() if re.search(r"\{[a-z_]+\}", text)}
    assert left == {}
    assert "3 дней" in texts["JournalScreen"] and "«б» болезнь" in texts["JournalScreen"]
