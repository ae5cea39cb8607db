"""Authors and approvers come from the session; only a director approves a schedule."""

import pytest

from ejournal_tui.db.errors import user_message


def test_remark_author_and_closer_are_the_session(sql, journal):
    group = journal.group("o1_teacher01")
    deputy = journal.staff_id("o1_deputy")
    methodist = journal.staff_id("o1_methodist")
    with sql.as_user("o1_deputy"):
        rid = sql.one(
            "INSERT INTO ej.remark (group_id, body, author_id) VALUES (%s, 'Заполните темы', %s) RETURNING id",
            (group, methodist),  # tries to write in the methodist's name
        )
    assert sql.one("SELECT author_id FROM ej.remark WHERE id = %s", (rid,)) == deputy
    with sql.as_user("o1_methodist"):
        sql.run("UPDATE ej.remark SET closed_at = now(), closed_by = %s, author_id = %s WHERE id = %s",
                (deputy, methodist, rid))
    row = sql.run("SELECT author_id, closed_by FROM ej.remark WHERE id = %s", (rid,))[0]
    assert row == {"author_id": deputy, "closed_by": methodist}


def test_board_post_author_is_the_session(sql, journal):
    with sql.as_user("o1_methodist"):
        pid = sql.one("INSERT INTO ej.board_post (week_of, title, body, author_id) "
                      "VALUES (ej.today(NULL), 'Анализ недели', 'Текст', %s) RETURNING id",
                      (journal.staff_id("o1_deputy"),))
    assert sql.one("SELECT author_id FROM ej.board_post WHERE id = %s", (pid,)) == journal.staff_id("o1_methodist")


@pytest.mark.parametrize("login", ["o1_methodist", "o1_deputy", "o1_teacher01", "o1_admin"])
def test_only_a_director_approves(sql, journal, login):
    iteration = sql.one("SELECT id FROM ej.iteration WHERE status = 'active' AND organization_id = %s",
                        (journal.org_id("o1_director"),))
    with sql.as_user(login):
        err = sql.refuses("SELECT ej.approve_schedule(%s)", (iteration,))
        assert "директор" in user_message(err) or "прав" in user_message(err)
        if login == "o1_methodist":  # has UPDATE on iteration, still cannot approve by hand
            err = sql.refuses("UPDATE ej.iteration SET schedule_approved_by = %s, schedule_approved_at = now() "
                              "WHERE id = %s", (journal.staff_id("o1_methodist"), iteration))
            assert "директор" in user_message(err)


def test_director_approval_is_recorded(sql, journal):
    iteration = sql.one("SELECT id FROM ej.iteration WHERE status = 'active' AND organization_id = %s",
                        (journal.org_id("o1_director"),))
    with sql.as_user("o1_director"):
        sql.run("SELECT ej.approve_schedule(%s)", (iteration,))
    row = sql.run("SELECT schedule_approved_by, schedule_approved_at > now() - interval '1 minute' AS fresh "
                  "FROM ej.iteration WHERE id = %s", (iteration,))[0]
    assert row == {"schedule_approved_by": journal.staff_id("o1_director"), "fresh": True}
    assert sql.one("SELECT count(*) FROM audit.log WHERE table_name = 'iteration' AND op = 'UPDATE' "
                   "AND actor = 'o1_director'") == 1
