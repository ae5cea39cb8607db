"""Issue 7 in SQL: who lacks the introductory briefing or a medical clearance; acknowledgments."""

import psycopg


def test_late_joiner_without_introductory_briefing_is_listed(sql, journal):
    group = journal.group("o1_teacher01")
    student = sql.one("INSERT INTO ej.student (organization_id, last_name, first_name, birth_date, sex, "
                      "medical_clearance) SELECT organization_id, 'Новенький', 'Пётр', '2013-03-03', 'м', false "
                      "FROM ej.study_group WHERE id = %s RETURNING id", (group,))
    sql.run("INSERT INTO ej.enrollment (group_id, student_id, enrolled_on, enroll_order) "
            "VALUES (%s, %s, ej.today(NULL) - 1, '№ 77-о')", (group, student))
    with sql.as_user("o1_teacher01"):
        missing = sql.run("SELECT group_id, student_id FROM ej.briefing_missing()")
        no_clearance = sql.run("SELECT student_id FROM ej.clearance_missing()")
        assert {"group_id": group, "student_id": student} in missing
        assert {"student_id": student} in no_clearance
        briefing = sql.one("INSERT INTO ej.safety_briefing (group_id, held_on, kind, content, given_by) "
                           "VALUES (%s, ej.today(NULL), 'вводный', 'Правила поведения в лаборатории', %s) "
                           "RETURNING id", (group, journal.staff_id("o1_teacher01")))
        sql.run("INSERT INTO ej.safety_briefing_student (briefing_id, student_id) VALUES (%s, %s)",
                (briefing, student))
        assert {"group_id": group, "student_id": student} not in sql.run(
            "SELECT group_id, student_id FROM ej.briefing_missing()")
    with sql.as_user("o1_teacher02"):  # another teacher's list never shows this group
        assert all(r["group_id"] != group for r in sql.run("SELECT group_id FROM ej.briefing_missing()"))


def test_acknowledgment_is_the_sessions_own(sql, journal):
    with sql.as_user("o1_teacher01"):
        duties = sql.run("SELECT duty FROM ej.regulation_duty WHERE role = 'teacher' ORDER BY position")
        assert any("не позднее 3-х дней" in d["duty"] for d in duties)
        sql.run("INSERT INTO ej.acknowledgment (role, staff_id) VALUES ('teacher', %s)",
                (journal.staff_id("o1_teacher02"),))  # tries to confirm for a colleague
    row = sql.run("SELECT staff_id, organization_id FROM ej.acknowledgment")[0]
    assert row == {"staff_id": journal.staff_id("o1_teacher01"), "organization_id": journal.org_id("o1_teacher01")}
    with sql.as_user("o1_methodist"):
        assert sql.one("SELECT count(*) FROM ej.acknowledgment") == 1
    with sql.as_user("o1_teacher02"):
        assert sql.one("SELECT count(*) FROM ej.acknowledgment") == 0
        err = sql.refuses("UPDATE ej.acknowledgment SET role = 'teacher'")
        assert isinstance(err, psycopg.errors.InsufficientPrivilege)
    with sql.as_user("o2_methodist"):
        assert sql.one("SELECT count(*) FROM ej.acknowledgment") == 0
