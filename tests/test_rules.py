"""Every constraint and business rule refuses bad input with a message a person can act on:
Russian, specific, and free of the personal data of the refused row."""

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest

from ejournal_tui.db.errors import load_constraint_messages, user_message

CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@pytest.fixture
def sql(rollback_sql):
    """Every test of this module runs in one rolled-back transaction on a shared clone."""
    return rollback_sql


def test_every_constraint_has_a_russian_message(sql):
    """Check and unique constraints, and primary keys that are natural keys (not one identity
    column, e.g. attendance (lesson_id, student_id)), each carry a message."""
    rows = sql.run(
        """SELECT c.conrelid::regclass::text AS tbl, c.conname
             FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = 'ej'
              AND (c.contype IN ('c', 'u')
                   OR (c.contype = 'p' AND NOT (cardinality(c.conkey) = 1 AND EXISTS (
                         SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                            AND a.attidentity <> ''))))"""
    )
    names = {r["conname"] for r in rows}
    assert {"attendance_pkey", "safety_briefing_student_pkey", "lesson_hours_positive"} <= names
    messages = load_constraint_messages(sql.conn)
    missing = sorted(f"{r['tbl']}.{r['conname']}" for r in rows if r["conname"] not in messages)
    assert missing == [], "constraints without a message (COMMENT ON CONSTRAINT … IS '…')"
    unclear = sorted(
        n for n in names if not CYRILLIC.search(messages[n]) or "%" in messages[n] or len(messages[n]) < 10
    )
    assert unclear == []


def test_a_foreign_key_says_what_is_not_found(sql):
    """A foreign key's message is the "not found" of the table it references (ej.not_found_message,
    the words of a reference the caller cannot see); one to a table without words has none."""
    messages = load_constraint_messages(sql.conn)
    keys = sql.run(
        """SELECT c.conname, ej.not_found_message(t.relname::text) AS words
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.confrelid
            WHERE c.contype = 'f' AND c.connamespace = 'ej'::regnamespace AND t.relnamespace = c.connamespace
              AND obj_description(c.oid, 'pg_constraint') IS NULL"""
    )
    assert len(keys) >= 40, "the schema has lost foreign keys: this test proves less than it says"
    assert {k["conname"]: messages.get(k["conname"]) for k in keys} == {
        k["conname"]: k["words"] and k["words"] + "." for k in keys
    }
    assert messages["lesson_group_id_fkey"] == "Группа не найдена."
    assert messages["print_fingerprint_received_by_fkey"] == "Сотрудник не найден."
    assert "student_organization_id_fkey" not in messages


def test_constraint_messages_reach_every_role(sql):
    messages = load_constraint_messages(sql.conn)
    for login in ("o1_teacher01", "o1_methodist", "o1_deputy", "o1_director", "o1_admin"):
        with sql.as_user(login):
            assert load_constraint_messages(sql.conn) == messages, login


# --- representative refusals: at least one per table --------------------------------------------


@dataclass
class Case:
    login: str | None  # None: the superuser (no application role writes that table)
    statement: str
    params: tuple = ()
    constraint: str | None = None  # its comment is the expected message
    says: str | None = None  # or a rule's message contains this
    private: list[str] = field(default_factory=list)  # must not appear in the message


def _ids(sql, journal):
    """What the cases need, looked up as the superuser."""
    group = journal.group("o1_teacher01")
    g = sql.run(
        """SELECT g.id, g.iteration_id, g.program_id, g.teacher_id, g.name, i.starts_on, i.ends_on
                     FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id WHERE g.id = %s""",
        (group,),
    )[0]
    day = journal.free_date(group)
    lesson = journal.add_lesson(group, day)  # a held lesson without marks
    student = journal.enrolled_student(group, day)
    mark = journal.mark(journal.lesson(group))
    names = sql.run(
        "SELECT last_name, first_name FROM ej.student WHERE id IN (%s, %s)", (student, mark["student_id"])
    )
    briefing = sql.one(
        """INSERT INTO ej.safety_briefing (organization_id, group_id, held_on, kind, content, given_by)
                          VALUES (0, %s, %s, 'повторный', 'Правила работы с паяльником', %s) RETURNING id""",
        (group, day, g["teacher_id"]),
    )
    sql.run(
        """INSERT INTO ej.safety_briefing_student (briefing_id, student_id, organization_id, group_id)
               VALUES (%s, %s, 0, 0)""",
        (briefing, student),
    )
    return {
        "group": group,
        "iteration": g["iteration_id"],
        "program": g["program_id"],
        "teacher": g["teacher_id"],
        "group_name": g["name"],
        "starts": g["starts_on"],
        "day": day,
        "lesson": lesson,
        "student": student,
        "mark": (mark["lesson_id"], mark["student_id"]),
        "briefing": briefing,
        "private": [n for r in names for n in r.values()],
        "other_topic": sql.one(
            """SELECT min(t.id) FROM ej.program_topic t JOIN ej.program p ON p.id = t.program_id
                                   WHERE t.program_id <> %s AND p.organization_id = (SELECT organization_id
                                         FROM ej.study_group WHERE id = %s)""",
            (g["program_id"], group),
        ),
        "topic": sql.one("SELECT min(id) FROM ej.program_topic WHERE program_id = %s", (g["program_id"],)),
        "quantum": sql.one("SELECT min(name) FROM ej.quantum WHERE organization_id = 1"),
        "enrolled": sql.run(
            "SELECT student_id, enrolled_on FROM ej.enrollment WHERE group_id = %s AND left_on IS NULL"
            " ORDER BY student_id LIMIT 1",
            (group,),
        )[0],
    }


MARK = (
    "INSERT INTO ej.attendance (lesson_id, student_id, organization_id, group_id, status, reason,"
    " reason_text) VALUES (%s, %s, 0, 0, %s, %s, %s)"
)
LESSON = (
    "INSERT INTO ej.lesson (group_id, held_on, hours, topic_id, organization_id) VALUES (%s, %s, %s, %s, 0)"
)
STUDENT = (
    "INSERT INTO ej.student (last_name, first_name, birth_date, sex, school_class, phone)"
    " VALUES ('Секретова', 'Злата', %s, %s, %s, %s)"
)
ENROLL = (
    "INSERT INTO ej.enrollment (group_id, student_id, enrolled_on, enroll_order, left_on, leave_order,"
    " organization_id) VALUES (%s, %s, %s, '№ 5', %s, %s, 0)"
)


# name -> a function of the ids from _ids() that makes the case
CASES = {
    # organization: nobody in the app writes it
    "organization name": lambda i: Case(
        None, "UPDATE ej.organization SET name = 'Ы' WHERE id = 1", constraint="organization_name_len"
    ),
    # staff
    "staff phone abc": lambda i: Case(
        "o1_methodist",
        "UPDATE ej.staff SET phone = 'abc' WHERE login = 'o1_teacher01'",
        constraint="staff_phone_shape",
    ),
    "staff email without @": lambda i: Case(
        "o1_methodist",
        "UPDATE ej.staff SET email = 'ivanova.mail.ru' WHERE login = 'o1_teacher01'",
        constraint="staff_email_shape",
        private=["ivanova"],
    ),
    # quantum
    "quantum duplicate": lambda i: Case(
        "o1_methodist",
        "INSERT INTO ej.quantum (name) VALUES (%s)",
        (i["quantum"],),
        constraint="quantum_name_key",
    ),
    # student
    "school class 12Я": lambda i: Case(
        "o1_methodist",
        STUDENT,
        ("2012-02-02", "ж", "12Я", None),
        constraint="student_school_class_shape",
        private=["Секретова", "Злата"],
    ),
    "student phone abc": lambda i: Case(
        "o1_methodist",
        STUDENT,
        ("2012-02-02", "ж", "7Б", "abc"),
        constraint="student_phone_shape",
        private=["Секретова"],
    ),
    "student sex": lambda i: Case(
        "o1_methodist",
        STUDENT,
        ("2012-02-02", "x", "7Б", None),
        constraint="student_sex_value",
        private=["Секретова"],
    ),
    "student birth date": lambda i: Case(
        "o1_methodist",
        STUDENT,
        ("1980-02-02", "ж", "7Б", None),
        constraint="student_birth_date_range",
        private=["Секретова", "1980"],
    ),
    # guardian
    "guardian email without @": lambda i: Case(
        "o1_methodist",
        "INSERT INTO ej.guardian (student_id, full_name, email) VALUES (%s, 'Секретов Игорь', %s)",
        (i["student"], "sekretov.yandex.ru"),
        constraint="guardian_email_shape",
        private=["Секретов", "sekretov"],
    ),
    "guardian phone abc": lambda i: Case(
        "o1_methodist",
        "INSERT INTO ej.guardian (student_id, full_name, phone) VALUES (%s, 'Секретов Игорь', 'abc')",
        (i["student"],),
        constraint="guardian_phone_shape",
        private=["Секретов"],
    ),
    # program and its topics
    "program hours 0": lambda i: Case(
        "o1_methodist",
        "UPDATE ej.program SET total_hours = 0 WHERE id = %s",
        (i["program"],),
        constraint="program_total_hours_positive",
    ),
    "topic hours 0": lambda i: Case(
        "o1_methodist",
        "UPDATE ej.program_topic SET hours = 0 WHERE id = %s",
        (i["topic"],),
        constraint="program_topic_hours_positive",
    ),
    "topic duplicate position": lambda i: Case(
        "o1_methodist",
        "INSERT INTO ej.program_topic (program_id, position, title, hours) "
        "SELECT program_id, position, 'Ещё одна', 2 FROM ej.program_topic WHERE id = %s",
        (i["topic"],),
        constraint="program_topic_position_key",
    ),
    # iteration
    "iteration ends before it starts": lambda i: Case(
        "o1_methodist",
        "INSERT INTO ej.iteration (name, starts_on, ends_on) VALUES ('Новая', %s, %s)",
        ("2030-02-01", "2030-01-01"),
        constraint="iteration_dates_order",
    ),
    "iteration status by a plain update": lambda i: Case(
        "o1_methodist",
        "UPDATE ej.iteration SET status = 'archived' WHERE id = %s",
        (i["iteration"],),
        says="Статус итерации меняется только командами",
    ),
    "iterations overlap": lambda i: Case(
        "o1_methodist",
        "INSERT INTO ej.iteration (name, starts_on, ends_on) VALUES ('Вторая', %s, %s)",
        ("today", "tomorrow"),
        constraint="iteration_no_overlap",
    ),
    "archived copy of the КТП": lambda i: Case(
        None,
        "UPDATE ej.frozen_topic SET title = 'Другая тема'",
        says="Архивная копия журнала не изменяется",
    ),
    "iteration status backwards": lambda i: Case(
        "o1_methodist",
        "UPDATE ej.iteration SET status = 'planned' WHERE id = %s",
        (i["iteration"],),
        says="Статус итерации нельзя вернуть назад",
    ),
    # group
    "group duplicate name": lambda i: Case(
        "o1_methodist",
        "INSERT INTO ej.study_group (iteration_id, program_id, teacher_id, name) VALUES (%s, %s, %s, %s)",
        (i["iteration"], i["program"], i["teacher"], i["group_name"]),
        constraint="study_group_name_key",
    ),
    # enrollment
    "left before enrolled": lambda i: Case(
        "o1_methodist",
        "UPDATE ej.enrollment SET left_on = enrolled_on - 1, leave_order = '№ 6' "
        "WHERE group_id = %s AND student_id = %s",
        (i["group"], i["enrolled"]["student_id"]),
        constraint="enrollment_dates_order",
    ),
    "left without an order": lambda i: Case(
        "o1_methodist",
        "UPDATE ej.enrollment SET left_on = ej.today(NULL) WHERE group_id = %s AND student_id = %s",
        (i["group"], i["enrolled"]["student_id"]),
        constraint="enrollment_leave_order_required",
    ),
    "overlapping enrollment": lambda i: Case(
        "o1_methodist",
        ENROLL,
        (i["group"], i["enrolled"]["student_id"], i["enrolled"]["enrolled_on"], None, None),
        says="уже зачислен в эту группу на эти даты",
        private=i["private"],
    ),
    "enrollment outside the iteration": lambda i: Case(
        "o1_methodist",
        ENROLL,
        (i["group"], i["student"], "2000-01-01", "2000-02-01", "№ 7"),
        says="Даты зачисления должны попадать в период итерации",
    ),
    # schedule
    "slot ends before it starts": lambda i: Case(
        "o1_methodist",
        "INSERT INTO ej.schedule_slot (group_id, organization_id, weekday, starts_at, ends_at) "
        "VALUES (%s, 0, 2, '16:00', '15:00')",
        (i["group"],),
        constraint="schedule_slot_time_order",
    ),
    # lesson
    "lesson hours 0": lambda i: Case(
        "o1_teacher01", LESSON, (i["group"], "today", 0, None), constraint="lesson_hours_positive"
    ),
    "lesson outside the iteration": lambda i: Case(
        "o1_teacher01",
        LESSON,
        (i["group"], i["starts"] - dt.timedelta(days=7), 2, None),
        says="Дата занятия вне периода итерации",
    ),
    "lesson in the future": lambda i: Case(
        "o1_teacher01",
        LESSON,
        (i["group"], "tomorrow", 2, None),
        says="Нельзя заполнить занятие, которое ещё не прошло",
    ),
    "topic of another program": lambda i: Case(
        "o1_teacher01",
        LESSON,
        (i["group"], "today", 2, i["other_topic"]),
        says="Тема не из программы этой группы",
    ),
    "second lesson on a day": lambda i: Case(
        "o1_teacher01", LESSON, (i["group"], i["day"], 2, None), constraint="lesson_group_date_key"
    ),
    # attendance
    "excused without a reason": lambda i: Case(
        "o1_teacher01",
        MARK,
        (i["lesson"], i["student"], "excused", None, None),
        constraint="attendance_reason_required",
        private=i["private"],
    ),
    "'other' without text": lambda i: Case(
        "o1_teacher01",
        MARK,
        (i["lesson"], i["student"], "excused", "other", None),
        constraint="attendance_reason_text_required",
        private=i["private"],
    ),
    "'other' with blank text": lambda i: Case(
        "o1_teacher01",
        MARK,
        (i["lesson"], i["student"], "excused", "other", "  "),
        constraint="attendance_reason_text_required",
        private=i["private"],
    ),
    "unknown mark": lambda i: Case(
        "o1_teacher01",
        MARK,
        (i["lesson"], i["student"], "late", None, None),
        constraint="attendance_status_value",
        private=i["private"],
    ),
    "unknown reason": lambda i: Case(
        "o1_teacher01",
        MARK,
        (i["lesson"], i["student"], "excused", "holiday", None),
        constraint="attendance_reason_value",
        private=i["private"],
    ),
    # the vocabulary: only a migration changes it
    "status code twice": lambda i: Case(
        None,
        "INSERT INTO ej.attendance_status (code, letter, label, legend, sort) VALUES ('present', 'п', 'был', 'был', 9)",
        constraint="attendance_status_pkey",
    ),
    "reason letter twice": lambda i: Case(
        None,
        "INSERT INTO ej.absence_reason (code, letter, label, legend, sort)"
        " VALUES ('trip', 'б', 'поездка', 'поездка', 9)",
        constraint="absence_reason_letter_key",
    ),
    "briefing kind twice": lambda i: Case(
        None,
        "INSERT INTO ej.briefing_kind (code, label, content, sort) VALUES ('целевой', 'целевой', 'Целевой', 1)",
        constraint="briefing_kind_sort_key",
    ),
    "level code twice": lambda i: Case(
        None,
        "INSERT INTO ej.achievement_level (code, label, sort) VALUES ('региональный', 'региональный', 9)",
        constraint="achievement_level_pkey",
    ),
    "iteration status twice": lambda i: Case(
        None,
        "INSERT INTO ej.iteration_status (code, label, sort) VALUES ('paused', 'приостановлена', 1)",
        constraint="iteration_status_sort_key",
    ),
    "relation twice": lambda i: Case(
        None,
        "INSERT INTO ej.guardian_relation (code, label, sort) VALUES ('мать', 'мама', 9)",
        constraint="guardian_relation_pkey",
    ),
    "duplicate mark": lambda i: Case(
        "o1_teacher01",
        MARK,
        (*i["mark"], "present", None, None),
        constraint="attendance_pkey",
        private=i["private"],
    ),
    # safety briefings
    "briefing kind": lambda i: Case(
        "o1_teacher01",
        "INSERT INTO ej.safety_briefing (group_id, organization_id, held_on, kind, content,"
        " given_by) VALUES (%s, 0, %s, 'плановый', 'Электробезопасность', %s)",
        (i["group"], i["day"], i["teacher"]),
        constraint="safety_briefing_kind_value",
    ),
    "briefing participant twice": lambda i: Case(
        "o1_teacher01",
        "INSERT INTO ej.safety_briefing_student (briefing_id, student_id, organization_id,"
        " group_id) VALUES (%s, %s, 0, 0)",
        (i["briefing"], i["student"]),
        constraint="safety_briefing_student_pkey",
        private=i["private"],
    ),
    # events, achievements
    "event participants": lambda i: Case(
        "o1_teacher01",
        "INSERT INTO ej.event (group_id, organization_id, held_on, title, participants)"
        " VALUES (%s, 0, %s, 'Хакатон', -1)",
        (i["group"], i["day"]),
        constraint="event_participants_range",
    ),
    "achievement level": lambda i: Case(
        "o1_teacher01",
        "INSERT INTO ej.achievement (group_id, organization_id, student_id, held_on, competition,"
        " level, result) VALUES (%s, 0, %s, %s, 'Робофест', 'городской', '1 место')",
        (i["group"], i["student"], i["day"]),
        constraint="achievement_level_value",
        private=i["private"],
    ),
    # remarks, the board
    "remark body": lambda i: Case(
        "o1_deputy",
        "INSERT INTO ej.remark (group_id, organization_id, body) VALUES (%s, 0, 'x')",
        (i["group"],),
        constraint="remark_body_len",
    ),
    "board post title": lambda i: Case(
        "o1_methodist",
        "INSERT INTO ej.board_post (week_of, title, body) VALUES (ej.today(NULL), ' ', 'Текст')",
        constraint="board_post_title_len",
    ),
    # the teacher's requests and checks
    "change request text": lambda i: Case(
        "o1_teacher01",
        "INSERT INTO ej.change_request (group_id, organization_id, student_id, field, proposed)"
        " VALUES (%s, 0, %s, 'school_class', 'x')",
        (i["group"], i["student"]),
        constraint="change_request_proposed_len",
        private=i["private"],
    ),
    "print kind": lambda i: Case(
        "o1_teacher01",
        "INSERT INTO ej.print_fingerprint (fingerprint, data_hash, kind, title, pages)"
        " VALUES ('ABCD-1234', 'abcd1234' || repeat('0', 56), 'poster', 'Журнал группы', 3)",
        constraint="print_fingerprint_kind_value",
    ),
    "data check note": lambda i: Case(
        "o1_teacher01",
        "INSERT INTO ej.data_check (group_id, organization_id, note) VALUES (%s, 0, %s)",
        (i["group"], "проверено " * 60),
        constraint="data_check_note_len",
    ),
    "duty role": lambda i: Case(
        None,
        "INSERT INTO ej.regulation_duty (role, position, duty) VALUES ('janitor', 1, 'Мыть полы')",
        constraint="regulation_duty_role_value",
    ),
    "acknowledged twice": lambda i: Case(
        "o1_teacher01",
        "INSERT INTO ej.acknowledgment (role) VALUES ('teacher'), ('teacher')",
        constraint="acknowledgment_once",
    ),
    "account request of an unknown kind": lambda i: Case(
        None,
        "INSERT INTO ej.account_request (organization_id, login, kind) VALUES (1, 'x_login', 'make_me_root')",
        constraint="account_request_kind_value",
    ),
    "acknowledging a role one lacks": lambda i: Case(
        "o1_teacher01",
        "INSERT INTO ej.acknowledgment (role) VALUES ('director')",
        says="нет этой роли",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_with_a_clear_message(sql, journal, name):
    i = _ids(sql, journal)
    case = CASES[name](i)
    params = tuple(
        sql.one("SELECT ej.today(NULL) + %s", (1 if p == "tomorrow" else 0,))
        if p in ("today", "tomorrow")
        else p
        for p in case.params
    )
    messages = load_constraint_messages(sql.conn)
    if case.login:
        with sql.as_user(case.login):
            err = sql.refuses(case.statement, params or None)
    else:
        err = sql.refuses(case.statement, params or None)
    text = user_message(err, messages)
    if case.constraint:
        assert err.diag.constraint_name == case.constraint, err
        assert text == messages[case.constraint]
    else:
        assert case.says and case.says in text, err
    assert CYRILLIC.search(text) and "\n" not in text
    leaked = [p for p in case.private if p and p.lower() in text.lower()]
    assert leaked == [], text


def test_every_table_has_a_refusal_case(sql, journal):
    """At least one case above per table of schema ej (by the table its statement names)."""
    tables = [r["tablename"] for r in sql.run("SELECT tablename FROM pg_tables WHERE schemaname = 'ej'")]
    i = _ids(sql, journal)
    statements = " ".join(make(i).statement for make in CASES.values())
    missing = [t for t in tables if not re.search(rf"\bej\.{t}\b", statements)]
    assert missing == []


# --- the edit window: late corrections need a reason, which lands in the audit log ------------

LATE = "Занятие прошло более 3 дней назад: для исправления укажите причину"


def test_late_correction_needs_a_reason(own_clone):
    sql, journal = own_clone
    group = journal.group("o1_teacher01")
    lesson = journal.lesson(group, older_than_days=journal_window(sql) + 1)
    mark = journal.mark(lesson)
    key = (mark["lesson_id"], mark["student_id"])
    new_status = "absent" if mark["status"] != "absent" else "present"
    update = "UPDATE ej.attendance SET status = %s WHERE lesson_id = %s AND student_id = %s"
    messages = load_constraint_messages(sql.conn)
    with sql.as_user("o1_teacher01"):
        for statement, params in (
            (update, (new_status, *key)),
            ("DELETE FROM ej.attendance WHERE lesson_id = %s AND student_id = %s", key),
            ("UPDATE ej.lesson SET topic = 'Исправленная тема' WHERE id = %s", (lesson,)),
            ("DELETE FROM ej.lesson WHERE id = %s", (lesson,)),
        ):
            assert user_message(sql.refuses(statement, params), messages) == LATE, statement
        # a reason that says nothing is no reason
        with sql.conn.transaction():
            sql.run("SELECT ej.set_reason('  ')")
            assert user_message(sql.refuses(update, (new_status, *key)), messages) == LATE
        with sql.conn.transaction():
            sql.run("SELECT ej.set_reason('Справка о болезни принесена позже')")
            txid = sql.one("SELECT txid_current()")
            assert sql.changes(update, (new_status, *key)) == 1  # rolled back: the audit row goes too
            sql.run(update, (new_status, *key))
            assert (
                sql.changes("UPDATE ej.lesson SET topic = 'Исправленная тема' WHERE id = %s", (lesson,)) == 1
            )
        # the reason lasted one transaction only
        assert user_message(sql.refuses(update, (mark["status"], *key)), messages) == LATE
    assert (
        sql.one("SELECT status FROM ej.attendance WHERE lesson_id = %s AND student_id = %s", key)
        == new_status
    )
    logged = sql.run(
        """SELECT actor, op, reason, old_row ->> 'status' AS was, new_row ->> 'status' AS now FROM audit.log
            WHERE table_name = 'attendance' AND row_key = jsonb_build_object('lesson_id', %s::bigint,
                                                                         'student_id', %s::bigint)
              AND txid = %s""",
        (*key, txid),
    )
    assert logged == [
        {
            "actor": "o1_teacher01",
            "op": "UPDATE",
            "reason": "Справка о болезни принесена позже",
            "was": mark["status"],
            "now": new_status,
        }
    ]


FILL_LATE = "Занятие прошло более 3 дней назад: чтобы заполнить его, укажите причину"
FILL_REASON = "Журнал заполняется по бумажному списку группы"


def test_first_filling_of_an_old_lesson_needs_one_reason_for_the_lesson(own_clone):
    """Entering a lesson past the edit window — its first filling, the sitting of the person who
    entered it — needs a reason once, for the lesson; the marks of that sitting need none, whatever
    they change. Afterwards, or a mark somebody else saved, is a correction with its own reason.
    The database decides, not the screen."""
    sql, journal = own_clone
    group = journal.group("o1_teacher01")
    day = journal.free_date(group, min_age_days=journal_window(sql) + 7)
    first = journal.enrolled_student(group, day)
    enter = "INSERT INTO ej.lesson (group_id, held_on, hours, organization_id) VALUES (%s, %s, 2, 0) RETURNING id"
    mark = ("INSERT INTO ej.attendance (lesson_id, student_id, status, organization_id, group_id) "
            "VALUES (%s, %s, 'present', 0, 0)")
    with sql.as_user("o1_teacher01"):
        assert user_message(sql.refuses(enter, (group, day))) == FILL_LATE
        with sql.conn.transaction():  # a reason that says nothing is no reason
            sql.run("SELECT ej.set_reason('ну да')")
            assert "фраза" in user_message(sql.refuses(enter, (group, day)))
        with sql.conn.transaction():
            sql.run("SELECT ej.set_reason(%s)", (FILL_REASON,))
            lesson = sql.one(enter, (group, day))
        # the marks of that sitting, each in a transaction of its own: no reason asked
        sql.run(mark, (lesson, first))
        # «в», then «н»: the same first filling, no reason
        sql.run("UPDATE ej.attendance SET status = 'absent' WHERE lesson_id = %s", (lesson,))
    # a mark saved by somebody else is corrected only with a reason (the superuser rewrites who
    # saved it, and later the clock, with the triggers off)
    sql.run("SET session_replication_role = replica")
    sql.run("UPDATE ej.attendance SET updated_by = NULL WHERE lesson_id = %s", (lesson,))
    sql.run("RESET session_replication_role")
    with sql.as_user("o1_teacher01"):
        err = sql.refuses("UPDATE ej.attendance SET status = 'present' WHERE lesson_id = %s", (lesson,))
        assert user_message(err) == LATE
    # …and so is the teacher's own mark once the first filling is over
    sql.run("SET session_replication_role = replica")
    sql.run(
        "UPDATE ej.attendance SET updated_by = (SELECT id FROM ej.staff WHERE login = 'o1_teacher01') "
        "WHERE lesson_id = %s",
        (lesson,),
    )
    sql.run("UPDATE ej.lesson SET filled_at = filled_at - interval '1 day' WHERE id = %s", (lesson,))
    sql.run("UPDATE ej.attendance SET updated_at = updated_at - interval '1 day' WHERE lesson_id = %s", (lesson,))
    sql.run("RESET session_replication_role")
    with sql.as_user("o1_teacher01"):
        err = sql.refuses("UPDATE ej.attendance SET status = 'present' WHERE lesson_id = %s", (lesson,))
        assert user_message(err) == LATE
        with sql.conn.transaction():
            sql.run("SELECT ej.set_reason('Справка о болезни принесена позже')")
            sql.run("UPDATE ej.attendance SET status = 'present' WHERE lesson_id = %s", (lesson,))
    logged = sql.run(
        "SELECT table_name, op, reason FROM audit.log WHERE (table_name = 'lesson' AND row_key = %s::jsonb)"
        " OR (table_name = 'attendance' AND row_key ->> 'lesson_id' = %s) ORDER BY id",
        (f'{{"id": {lesson}}}', str(lesson)),
    )
    assert [(r["table_name"], r["op"], r["reason"]) for r in logged] == [
        ("lesson", "INSERT", FILL_REASON),
        ("attendance", "INSERT", None),
        ("attendance", "UPDATE", None),
        ("attendance", "UPDATE", "Справка о болезни принесена позже"),
    ]


def test_save_mark_asks_the_late_lessons_reason_once(own_clone):
    """The one round trip of a mark: the first mark of a late lesson not entered yet answers
    needs_reason and writes nothing; with the reason it enters the lesson, and the next marks of
    that sitting need none and are not corrections."""
    sql, journal = own_clone
    group = journal.group("o1_teacher01")
    day = journal.free_date(group, min_age_days=journal_window(sql) + 7)
    students = [r["student_id"] for r in sql.run(
        """SELECT student_id FROM ej.enrollment
            WHERE group_id = %s AND enrolled_on <= %s AND (left_on IS NULL OR left_on > %s)
            ORDER BY student_id LIMIT 2""", (group, day, day))]
    save = ("SELECT outcome, lesson_id, status, correction "
            "FROM ej.save_mark(%s, %s, %s, 'present', NULL, NULL, NULL, 2, %s)")
    with sql.as_user("o1_teacher01"):
        r = sql.run(save, (group, day, students[0], None))[0]
        assert (r["outcome"], r["lesson_id"], r["status"]) == ("needs_reason", None, None)
        assert sql.one("SELECT count(*) FROM ej.lesson WHERE group_id = %s AND held_on = %s", (group, day)) == 0
        r = sql.run(save, (group, day, students[0], FILL_REASON))[0]
        assert (r["outcome"], r["status"], r["correction"]) == ("saved", "present", False)
        r = sql.run(save, (group, day, students[1], None))[0]
        assert (r["outcome"], r["status"], r["correction"]) == ("saved", "present", False)


def test_save_mark_writes_only_the_callers_own_groups(sql, journal):
    """ej.save_mark runs as the owner (0021) and checks once what the policies check: another
    teacher's group, and anybody who is not a teacher, are refused and nothing is written."""
    today = sql.one("SELECT ej.today(NULL)")
    found = [(g, d) for g in journal.groups("o1_teacher01")
             if (d := journal.free_date(g)) >= today - dt.timedelta(days=journal_window(sql))]
    assert found, "no free day within the edit window in the groups of o1_teacher01"
    group, day = found[0]
    student = journal.enrolled_student(group, day)
    save = "SELECT outcome FROM ej.save_mark(%s, %s, %s, 'present', NULL, NULL, NULL, 2, NULL)"
    for login in ("o1_teacher02", "o1_methodist", "o1_deputy"):
        with sql.as_user(login):
            exc = sql.refuses(save, (group, day, student))
        assert exc.sqlstate == "EJ002", login
        assert "Группа не найдена или недоступна" in str(exc)
    assert sql.one("SELECT count(*) FROM ej.lesson WHERE group_id = %s AND held_on = %s", (group, day)) == 0
    with sql.as_user("o1_teacher01"):
        assert sql.one(save, (group, day, student)) == "saved"
        version = sql.one("SELECT a.version FROM ej.attendance a JOIN ej.lesson l ON l.id = a.lesson_id "
                          "WHERE l.group_id = %s AND l.held_on = %s AND a.student_id = %s", (group, day, student))
        stale = ("SELECT outcome, status, version FROM ej.save_mark(%s, %s, %s, 'absent', NULL, NULL, %s, 2, NULL)")
        r = sql.run(stale, (group, day, student, version + 1))[0]  # a version nobody saw: a conflict
        assert (r["outcome"], r["status"], r["version"]) == ("conflict", "present", version)
        r = sql.run(stale, (group, day, student, version))[0]
        assert (r["outcome"], r["status"], r["version"]) == ("saved", "absent", version + 1)


def test_recent_lesson_is_corrected_without_a_reason(own_clone):
    sql, journal = own_clone
    window = journal_window(sql)
    today = sql.one("SELECT ej.today(NULL)")
    found = [
        (g, d)
        for g in journal.groups("o1_teacher01")
        if (d := journal.free_date(g)) >= today - dt.timedelta(days=window)
    ]
    assert found, "no free day within the edit window in the groups of o1_teacher01"
    group, day = found[0]
    student = journal.enrolled_student(group, day)
    with sql.as_user("o1_teacher01"):
        lesson = journal.fill_lesson(group, day, student)
        assert sql.changes("UPDATE ej.attendance SET status = 'absent' WHERE lesson_id = %s", (lesson,)) == 1
        assert sql.changes("UPDATE ej.lesson SET hours = 1.5 WHERE id = %s", (lesson,)) == 1


def journal_window(sql) -> int:
    return sql.one("SELECT ej.edit_window_days()")


# --- rules across rows that a single constraint cannot express ---------------------------------


def late_joiner(sql, group) -> dict:
    """A new student enrolled (as the superuser) from the day after the group's first marked
    lesson until the day of its third: marks on the 1st and 3rd lesson are outside it."""
    lessons = [
        r["id"]
        for r in sql.run(
            """SELECT l.id FROM ej.lesson l WHERE l.group_id = %s
              AND EXISTS (SELECT 1 FROM ej.attendance a WHERE a.lesson_id = l.id)
            ORDER BY l.held_on LIMIT 3""",
            (group,),
        )
    ]
    assert len(lessons) == 3
    days = [sql.one("SELECT held_on FROM ej.lesson WHERE id = %s", (i,)) for i in lessons]
    student = sql.one(
        """INSERT INTO ej.student (organization_id, last_name, first_name, birth_date, sex)
                         SELECT organization_id, 'Позднякова', 'Ульяна', '2012-06-06', 'ж'
                           FROM ej.study_group WHERE id = %s RETURNING id""",
        (group,),
    )
    sql.run(
        """INSERT INTO ej.enrollment (organization_id, group_id, student_id, enrolled_on, enroll_order,
                                         left_on, leave_order)
               VALUES (0, %s, %s, %s, '№ 8', %s, '№ 9')""",
        (group, student, days[0] + dt.timedelta(days=1), days[2]),
    )
    return {"student": student, "lessons": lessons, "days": days}


def test_marks_only_for_students_enrolled_on_the_lesson_date(sql, journal):
    group = journal.group("o1_teacher01")
    j = late_joiner(sql, group)
    with sql.as_user("o1_teacher01"):
        for lesson, day in ((j["lessons"][0], j["days"][0]), (j["lessons"][2], j["days"][2])):
            err = sql.refuses(MARK, (lesson, j["student"], "present", None, None))
            text = user_message(err)
            assert text == f"Обучающийся не числится в группе на дату занятия ({day:%d.%m.%Y})"
            assert "Позднякова" not in text
        sql.run(MARK, (j["lessons"][1], j["student"], "present", None, None))  # inside the enrollment


def test_moving_a_lesson_keeps_its_marks_within_enrollment(sql, journal):
    """A marked lesson cannot be moved to a day on which a marked student was not enrolled."""
    group = journal.group("o1_teacher01")
    j = late_joiner(sql, group)
    sql.run(MARK, (j["lessons"][1], j["student"], "present", None, None))
    after_leaving = sql.one(
        """SELECT min(d)::date FROM generate_series(%s::date + 1, ej.today(NULL), interval '1 day') d
            WHERE NOT EXISTS (SELECT 1 FROM ej.lesson WHERE group_id = %s AND held_on = d::date)""",
        (j["days"][2], group),
    )
    sql.run("SELECT ej.set_reason('перенос занятия')")
    with sql.as_user("o1_teacher01"):
        err = sql.refuses("UPDATE ej.lesson SET held_on = %s WHERE id = %s", (after_leaving, j["lessons"][1]))
        assert (
            user_message(err)
            == f"Не все отмеченные на занятии обучающиеся числились в группе на {after_leaving:%d.%m.%Y}"
        )
        # without that student's mark the same move is fine
        sql.run(
            "DELETE FROM ej.attendance WHERE lesson_id = %s AND student_id = %s",
            (j["lessons"][1], j["student"]),
        )
        assert (
            sql.changes("UPDATE ej.lesson SET held_on = %s WHERE id = %s", (after_leaving, j["lessons"][1]))
            == 1
        )


def test_achievement_is_of_a_student_of_the_group(sql, journal):
    group = journal.group("o1_teacher01")
    day = journal.free_date(group)
    stranger = sql.one(
        """SELECT min(s.id) FROM ej.student s WHERE s.organization_id =
                            (SELECT organization_id FROM ej.study_group WHERE id = %s)
                            AND s.id NOT IN (SELECT student_id FROM ej.enrollment WHERE group_id = %s)""",
        (group, group),
    )
    other_org = sql.one("SELECT min(id) FROM ej.student WHERE last_name = 'Второй'")
    mine = journal.enrolled_student(group, day)
    add = (
        "INSERT INTO ej.achievement (group_id, organization_id, student_id, held_on, competition, level,"
        " result) VALUES (%s, 0, %s, %s, 'Робофест', 'региональный', '2 место')"
    )
    with sql.as_user("o1_teacher01"):
        # a student of no group of hers, or of another organization, is one she cannot see
        for student in (stranger, other_org):
            assert user_message(sql.refuses(add, (group, student, day))) in (
                "Обучающийся не из этой группы", "Обучающийся не найден")
        sql.run(add, (group, mine, day))
