"""Rules of migration 0017 (with ej.lessons_due of 0007) (issue 14), against the demo database: plural forms, no future
birth dates, one topic per lesson, remarks answered only on filled lessons, groups in use
kept, hard copies received by the deputy director (who and when)."""

from datetime import timedelta

from fixed_today import TODAY
from psycopg import errors as pgerr

from ejournal_tui.i18n import plural


def test_plural_forms_agree_in_python_and_sql(sql):
    for n in (0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111):
        expected = plural(n, "отметка", "отметки", "отметок")
        assert sql.one("SELECT ej.ru_plural(%s, 'отметка', 'отметки', 'отметок')", (n,)) == expected
    assert [plural(n, "а", "б", "в") for n in (1, 3, 5, 11, 21)] == ["а", "б", "в", "в", "а"]


def test_future_birth_date_refused_by_the_database(sql):
    with sql.as_user("o1_methodist"):
        exc = sql.refuses("INSERT INTO ej.student (last_name, first_name, birth_date, sex) "
                          "VALUES ('Будущева', 'Ада', %s, 'ж')", (TODAY + timedelta(days=1),))
    assert exc.sqlstate == "EJ003"
    assert "Дата рождения не может быть в будущем" in exc.diag.message_primary


def test_a_lesson_has_a_ktp_topic_or_its_own_never_both(sql, journal):
    group = journal.group("o1_teacher01")
    lesson = journal.lesson(group)
    topic = sql.run("SELECT t.id, t.title FROM ej.lesson l JOIN ej.study_group g ON g.id = l.group_id "
                    "JOIN ej.program_topic t ON t.program_id = g.program_id WHERE l.id = %s "
                    "ORDER BY t.position LIMIT 1", (lesson,))[0]
    with journal.reason_given():
        exc = sql.refuses("UPDATE ej.lesson SET topic_id = %s, topic = 'Своя тема урока' WHERE id = %s",
                          (topic["id"], lesson))
        assert "не обе сразу" in exc.diag.message_primary
        # the КТП topic is the official one: its title is what the lesson keeps (and prints)
        sql.run("UPDATE ej.lesson SET topic_id = %s, topic = NULL WHERE id = %s", (topic["id"], lesson))
    assert sql.one("SELECT topic FROM ej.lesson WHERE id = %s", (lesson,)) == topic["title"]


def test_a_remark_is_answered_only_when_its_lesson_is_filled(sql, journal):
    group = journal.group("o1_teacher01")
    day = journal.free_date(group, min_age_days=1)
    lesson = journal.add_lesson(group, day)  # no topic, no marks
    remark = journal.add_remark(group)
    sql.run("UPDATE ej.remark SET lesson_id = %s WHERE id = %s", (lesson, remark))
    with sql.as_user("o1_teacher01"):
        exc = sql.refuses("UPDATE ej.remark SET fixed_at = now(), fixed_note = 'готово' WHERE id = %s", (remark,))
    assert "Сначала заполните занятие" in exc.diag.message_primary
    assert "тема и" in exc.diag.message_primary


def test_a_group_with_lessons_or_students_is_not_deleted(sql, journal):
    group = journal.group("o1_teacher01")
    with sql.as_user("o1_methodist"):
        exc = sql.refuses("DELETE FROM ej.study_group WHERE id = %s", (group,))
    assert exc.sqlstate == "EJ003"
    assert "удалить группу нельзя" in exc.diag.message_primary
    assert sql.one("SELECT count(*) FROM ej.lesson WHERE group_id = %s", (group,)) > 0
    spare = sql.one("""INSERT INTO ej.study_group (organization_id, iteration_id, program_id, teacher_id, name)
                       SELECT organization_id, iteration_id, program_id, teacher_id, 'Ошибочная'
                         FROM ej.study_group WHERE id = %s RETURNING id""", (group,))
    with sql.as_user("o1_methodist"):
        assert sql.changes("DELETE FROM ej.study_group WHERE id = %s", (spare,)) == 1


def test_the_deputy_receives_a_hard_copy_who_and_when(sql):
    copy = sql.one("""INSERT INTO ej.print_fingerprint (organization_id, fingerprint, data_hash, kind, title, pages,
                                                        printed_by, printed_login)
                      SELECT organization_id, 'ABCD-0123', 'abcd0123' || repeat('0', 56), 'journal', 'Журнал', 40,
                             id, login FROM ej.staff WHERE login = 'o1_methodist' RETURNING id""")
    with sql.as_user("o1_methodist"):
        assert isinstance(sql.refuses("SELECT ej.receive_hard_copy(%s)", (copy,)), pgerr.InsufficientPrivilege)
    with sql.as_user("o1_deputy"):
        at = sql.one("SELECT ej.receive_hard_copy(%s)", (copy,))
        assert sql.one("SELECT ej.receive_hard_copy(%s)", (copy,)) == at  # once; the second call says when
    row = sql.run("SELECT s.login, p.received_at FROM ej.print_fingerprint p JOIN ej.staff s ON s.id = p.received_by "
                  "WHERE p.id = %s", (copy,))[0]
    assert row == {"login": "o1_deputy", "received_at": at}
