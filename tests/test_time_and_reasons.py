"""Issue 10, findings 12 and 6: "today" is the organization's date in its own time zone (for the
rules, the lists and the app alike), and a late correction carries a reason that belongs to its
transaction, is asked for every dated record and says something. Times that record what happened
come from the server clock.

Two zones whose dates always differ, whatever the real clock says: UTC+14 and UTC−11 are 25 hours
apart, so the same moment is one or two dates later in the first. The expected dates are computed
from the database's own now(), so no test depends on the hour it runs at.
"""

from datetime import date, timedelta

import pytest
from psycopg import sql as pgsql
from staff_tui import acknowledge, until, wait_for

from ejournal_tui.db.connection import connect
from ejournal_tui.db.errors import load_constraint_messages, user_message
from ejournal_tui.tui.app import EJournalApp
from ejournal_tui.tui.screens.teacher.home import HomeScreen

AHEAD, BEHIND = "Pacific/Kiritimati", "Pacific/Pago_Pago"
LATE = "Занятие прошло более 3 дней назад: для исправления укажите причину"
PHRASE = "не короче двух слов и 10 букв"
UPDATE_MARK = "UPDATE ej.attendance SET status = %s WHERE lesson_id = %s AND student_id = %s"


@pytest.fixture(autouse=True)
def real_clock(server, db):
    """These tests are about the real clock in different zones: the database is not held at the
    suite's fixed date (ej.frozen_today reads the catalog, so this holds for open sessions too)."""
    with connect(server.conninfo("postgres")) as conn:
        conn.execute(pgsql.SQL("ALTER DATABASE {} RESET ej.today").format(pgsql.Identifier(db)))


def zone_today(sql, zone: str):
    return sql.one("SELECT (now() AT TIME ZONE %s)::date", (zone,))


@pytest.fixture
def two_zones(sql, journal):
    """Organization 1 in the zone ahead, organization 2 in the zone behind: (today 1, today 2)."""
    for login, zone in (("o1_teacher01", AHEAD), ("o2_teacher01", BEHIND)):
        sql.run("UPDATE ej.organization SET time_zone = %s WHERE id = %s", (zone, journal.org_id(login)))
    ahead, behind = zone_today(sql, AHEAD), zone_today(sql, BEHIND)
    assert ahead > behind
    return ahead, behind


def marked_lesson_on(sql, journal, group: int, day) -> tuple[int, int]:
    """(lesson, student) of a mark on that date, made by the superuser if there is none."""
    lesson = sql.run("SELECT id FROM ej.lesson WHERE group_id = %s AND held_on = %s", (group, day))
    lesson_id = lesson[0]["id"] if lesson else journal.add_lesson(group, day)
    student = journal.enrolled_student(group, day)
    sql.run(
        "INSERT INTO ej.attendance (lesson_id, student_id, organization_id, group_id, status)"
        " VALUES (%s, %s, 0, 0, 'present') ON CONFLICT DO NOTHING",
        (lesson_id, student),
    )
    return lesson_id, student


# --- finding 12: time in the organization's zone --------------------------------------------------


def test_today_is_the_organizations_date_whatever_the_session_says(sql, two_zones):
    ahead, behind = two_zones
    with sql.as_user("o1_teacher01"):
        assert sql.one("SELECT ej.today()") == ahead
        sql.run(f"SET TimeZone = '{BEHIND}'")
        assert sql.one("SELECT ej.today()") == ahead  # the session's zone changes nothing
        sql.run("SET ej.today = '2000-01-01'")
        assert sql.one("SELECT ej.today()") == ahead  # nor does a session's try to freeze the date
    with sql.as_user("o2_teacher01"):
        assert sql.one("SELECT ej.today()") == behind


def test_rules_and_lists_follow_each_organizations_date(sql, journal, two_zones):
    ahead, behind = two_zones
    messages = load_constraint_messages(sql.conn)
    # A lesson "tomorrow" in the zone behind is in the future there …
    group2 = sql.one("SELECT id FROM ej.study_group WHERE name = 'Второй-1'")
    with sql.as_user("o2_teacher01"):
        err = sql.refuses("INSERT INTO ej.lesson (group_id, held_on, hours, topic) VALUES (%s, %s, 2, 'Тема')",
                          (group2, behind + timedelta(days=1)))
        assert "ещё не прошло" in user_message(err, messages)
    # … while today in the zone ahead is a day to fill in.
    group1 = journal.group("o1_teacher01")
    if sql.one("SELECT i.ends_on FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id"
               " WHERE g.id = %s", (group1,)) < ahead:
        pytest.skip("the demo iteration ends before today")
    sql.run("DELETE FROM ej.lesson WHERE group_id = %s AND held_on = %s", (group1, ahead))
    with sql.as_user("o1_teacher01"):
        sql.run("INSERT INTO ej.lesson (group_id, held_on, hours, topic) VALUES (%s, %s, 2, 'Тема')", (group1, ahead))

    # The same date, four days before today ahead, is past the edit window there and not behind.
    day = ahead - timedelta(days=4)
    lesson1, student1 = marked_lesson_on(sql, journal, group1, day)
    lesson2, student2 = marked_lesson_on(sql, journal, group2, day)
    with sql.as_user("o1_teacher01"):
        assert user_message(sql.refuses(UPDATE_MARK, ("absent", lesson1, student1)), messages) == LATE
        assert sql.one("SELECT count(*) FROM ej.lessons_due()") == sql.one(
            "SELECT count(*) FROM ej.lessons_due(%s)", (ahead,))
    with sql.as_user("o2_teacher01"):
        assert sql.changes(UPDATE_MARK, ("absent", lesson2, student2)) == 1
        assert sql.one("SELECT count(*) FROM ej.lessons_due()") == sql.one(
            "SELECT count(*) FROM ej.lessons_due(%s)", (behind,))


def test_a_time_zone_is_an_iana_name(sql, journal):
    messages = load_constraint_messages(sql.conn)
    org = journal.org_id("o1_teacher01")
    for bad in ("Mars/Olympus_Mons", "", "MSK+1"):
        err = sql.refuses("UPDATE ej.organization SET time_zone = %s WHERE id = %s", (bad, org))
        assert err.diag.constraint_name == "organization_time_zone_value"
        assert "IANA" in user_message(err, messages)
    sql.run("UPDATE ej.organization SET time_zone = 'Asia/Vladivostok' WHERE id = %s", (org,))
    assert sql.one("SELECT time_zone FROM ej.organization WHERE id = %s", (org,)) == "Asia/Vladivostok"


async def test_the_app_takes_today_from_the_database(sql, journal, login_conninfo):
    """The app's "today" is the organization's (its zone, the database's clock), not this
    machine's: the zone is chosen so that the two dates differ now."""
    zone = next(z for z in (AHEAD, BEHIND) if zone_today(sql, z) != date.today())
    sql.run("UPDATE ej.organization SET time_zone = %s WHERE id = %s", (zone, journal.org_id("o1_teacher01")))
    acknowledge(sql, "o1_teacher01")
    expected = zone_today(sql, zone)
    app = EJournalApp(login_conninfo("o1_teacher01"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.me is not None, "the login (made by a worker)")
        assert app.today == expected != date.today()
        await until(pilot, HomeScreen)  # leave a mounted app: a header half-built at exit fails the run


# --- finding 6: reasons that mean something -------------------------------------------------------


@pytest.fixture
def late_mark(sql, journal):
    """(lesson, student, new status) of a mark of o1_teacher01 well past the edit window."""
    group = journal.group("o1_teacher01")
    lesson = journal.lesson(group, older_than_days=sql.one("SELECT ej.edit_window_days()") + 2)
    mark = journal.mark(lesson)
    return lesson, mark["student_id"], "absent" if mark["status"] != "absent" else "present"


def test_a_reason_set_for_the_session_is_no_reason(sql, late_mark):
    lesson, student, status = late_mark
    messages = load_constraint_messages(sql.conn)
    with sql.as_user("o1_teacher01"):
        sql.run("SET ej.reason = 'Справка о болезни принесена позже'")  # for the whole session
        assert user_message(sql.refuses(UPDATE_MARK, (status, lesson, student)), messages) == LATE
        with sql.conn.transaction():  # set in the transaction, but not through ej.set_reason
            sql.run("SET LOCAL ej.reason = 'Справка о болезни принесена позже'")
            assert user_message(sql.refuses(UPDATE_MARK, (status, lesson, student)), messages) == LATE
        with sql.conn.transaction():
            sql.run("SELECT ej.set_reason('Справка о болезни принесена позже')")
            sql.run(UPDATE_MARK, (status, lesson, student))
        # a session-wide value does not reach the history either
        sql.run("SELECT ej.current_reason()")
        assert sql.one("SELECT ej.current_reason()") is None
    reasons = sql.run(
        "SELECT reason FROM audit.log WHERE table_name = 'attendance'"
        " AND row_key = jsonb_build_object('lesson_id', %s::bigint, 'student_id', %s::bigint)",
        (lesson, student),
    )
    assert [r["reason"] for r in reasons] == ["Справка о болезни принесена позже"]


@pytest.mark.parametrize(
    "reason",
    ["abc", "ок", "...........", "аааааааааааа", "ааааа ааааа ааааа", "исправление", "12345 67890 12345",
     "да да да да да да"],
)
def test_a_reason_that_says_nothing_is_refused(sql, late_mark, reason):
    lesson, student, status = late_mark
    messages = load_constraint_messages(sql.conn)
    assert sql.one("SELECT ej.reason_problem(%s)", (reason,)) is not None
    with sql.as_user("o1_teacher01"), sql.conn.transaction():
        sql.run("SELECT ej.set_reason(%s)", (reason,))
        message = user_message(sql.refuses(UPDATE_MARK, (status, lesson, student)), messages)
    assert message.startswith("Занятие прошло более 3 дней назад.") and PHRASE in message


@pytest.mark.parametrize("reason", ["справка от врача", "Тема уточнена", "ошибка ввода", "wrong student marked"])
def test_a_phrase_will_do(sql, late_mark, reason):
    lesson, student, status = late_mark
    assert sql.one("SELECT ej.reason_problem(%s)", (reason,)) is None
    with sql.as_user("o1_teacher01"), sql.conn.transaction():
        sql.run("SELECT ej.set_reason(%s)", (reason,))
        assert sql.changes(UPDATE_MARK, (status, lesson, student)) == 1


def test_late_briefings_events_and_achievements_need_a_reason(sql, journal):
    group = journal.group("o1_teacher01")
    messages = load_constraint_messages(sql.conn)
    with sql.as_user("o1_teacher01"):
        day = sql.one("SELECT ej.today() - 10")
        student = journal.enrolled_student(group, day)
        adds = {
            "Инструктаж проведён": ("INSERT INTO ej.safety_briefing (group_id, held_on, kind, content)"
                                    " VALUES (%s, %s, 'повторный', 'Правила работы с паяльником') RETURNING id",
                                    (group, day)),
            "Мероприятие прошло": ("INSERT INTO ej.event (group_id, held_on, title) VALUES (%s, %s, 'Выставка')"
                                   " RETURNING id", (group, day)),
            "Достижение получено": ("INSERT INTO ej.achievement (group_id, student_id, held_on, competition, level,"
                                    " result) VALUES (%s, %s, %s, 'Олимпиада', 'муниципальный', 'призёр')"
                                    " RETURNING id", (group, student, day)),
        }
        for subject, (query, params) in adds.items():
            assert user_message(sql.refuses(query, params), messages) == (
                f"{subject} более 3 дней назад: для исправления укажите причину")
        with sql.conn.transaction():
            sql.run("SELECT ej.set_reason('записано после возвращения из отпуска')")
            ids = {subject: sql.one(query, params) for subject, (query, params) in adds.items()}
            sql.run("INSERT INTO ej.safety_briefing_student (briefing_id, student_id) VALUES (%s, %s)",
                    (ids["Инструктаж проведён"], student))
        for statement, params in (
            ("DELETE FROM ej.safety_briefing_student WHERE briefing_id = %s", (ids["Инструктаж проведён"],)),
            ("DELETE FROM ej.safety_briefing WHERE id = %s", (ids["Инструктаж проведён"],)),
            ("DELETE FROM ej.event WHERE id = %s", (ids["Мероприятие прошло"],)),
            ("DELETE FROM ej.achievement WHERE id = %s", (ids["Достижение получено"],)),
            ("UPDATE ej.event SET held_on = ej.today() WHERE id = %s", (ids["Мероприятие прошло"],)),
        ):
            assert "более 3 дней назад" in user_message(sql.refuses(statement, params), messages), statement
        # a record of today needs none
        sql.run("INSERT INTO ej.event (group_id, held_on, title) VALUES (%s, ej.today(), 'Экскурсия')", (group,))


# --- times that record what happened ----------------------------------------------------------------


def test_times_that_record_what_happened_come_from_the_server_clock(sql, journal):
    group = journal.group("o1_teacher01")
    remark = journal.add_remark(group)
    with sql.as_user("o1_teacher01"):
        sql.run("UPDATE ej.remark SET fixed_at = '2020-01-01', fixed_note = 'исправлено' WHERE id = %s", (remark,))
        printed = sql.one(
            "INSERT INTO ej.print_fingerprint (fingerprint, data_hash, kind, title, pages, printed_at)"
            " VALUES ('ABAB-ABAB', repeat('ab', 32), 'group', 'Журнал группы', 1, '2020-01-01') RETURNING id")
    with sql.as_user("o1_deputy"):
        sql.run("UPDATE ej.remark SET closed_at = '2020-01-01' WHERE id = %s", (remark,))
    recent = "%s > now() - interval '1 hour'"
    assert sql.one(f"SELECT {recent % 'fixed_at'} AND {recent % 'closed_at'} FROM ej.remark WHERE id = %s",
                   (remark,))
    assert sql.one(f"SELECT {recent % 'printed_at'} FROM ej.print_fingerprint WHERE id = %s", (printed,))
    # the columns of each table come from its trigger's arguments (ej.tg_server_times, TG_ARGV): a time
    # left as it was stays, a cleared one stays empty, and other columns are not touched
    before = sql.one("SELECT closed_at FROM ej.remark WHERE id = %s", (remark,))
    sql.run("UPDATE ej.remark SET fixed_at = NULL, body = body || '.' WHERE id = %s", (remark,))
    assert sql.run("SELECT fixed_at, closed_at FROM ej.remark WHERE id = %s", (remark,))[0] \
        == {"fixed_at": None, "closed_at": before}
