"""An archived iteration is frozen for every role: its rows cannot be inserted, changed or
deleted, not even by cascades, and the iteration itself cannot be changed or moved back."""

import psycopg
import pytest
from psycopg import errors as pgerr
from psycopg import sql as pgsql

from ejournal_tui.db.errors import user_message

FROZEN = "Итерация в архиве: её записи нельзя изменять"
ITERATION_FROZEN = "Итерация в архиве: её нельзя изменять или удалять"
# Tables with a group_id whose rows may refer to an archived group without being part of it:
# a print log entry of an archived journal is made long after the archive.
NOT_FROZEN = {"print_fingerprint"}


@pytest.fixture
def sql(rollback_sql):
    """Every test of this module runs in one rolled-back transaction on a shared clone."""
    return rollback_sql


@pytest.fixture
def old(sql, journal) -> dict:
    """An archived group of o1_teacher01 and what it holds, looked up as the superuser."""
    group = journal.group("o1_teacher01", "archived")
    row = sql.run(
        """SELECT i.id AS iteration, i.starts_on, i.ends_on FROM ej.study_group g
                       JOIN ej.iteration i ON i.id = g.iteration_id WHERE g.id = %s""",
        (group,),
    )[0]
    lesson = journal.lesson(group)
    mark = journal.mark(lesson)
    return {
        "group": group,
        **row,
        "lesson": lesson,
        "mark": (mark["lesson_id"], mark["student_id"]),
        "student": mark["student_id"],
        "free_day": journal.free_date(group),
        "enrollment": sql.one("SELECT min(id) FROM ej.enrollment WHERE group_id = %s", (group,)),
        "current_group": journal.group("o1_teacher01"),
    }


def refused_as_frozen(sql, statement, params=None, message=FROZEN) -> None:
    err = sql.refuses(statement, params)
    assert user_message(err) == message, (statement, err)
    assert err.sqlstate == "EJ003", err  # a rule of the journal (sql/migrations/0001)


def counts(sql, group: int) -> dict[str, int]:
    """Rows of each group table that belong to the group, seen by the superuser."""
    out = {}
    for r in sql.run("""SELECT c.table_name FROM information_schema.columns c
                         WHERE c.table_schema = 'ej' AND c.column_name = 'group_id'
                           AND c.table_name IN (SELECT tablename FROM pg_tables WHERE schemaname = 'ej')
                         ORDER BY 1"""):
        t = r["table_name"]
        out[t] = sql.one(
            pgsql.SQL("SELECT count(*) FROM ej.{} WHERE group_id = %s").format(pgsql.Identifier(t)), (group,)
        )
    out["study_group"] = sql.one("SELECT count(*) FROM ej.study_group WHERE id = %s", (group,))
    return out


def test_every_group_table_has_the_archive_guard(sql):
    """Each table that belongs to a group checks, before insert, update and delete, that the
    group's iteration is not archived (ej.assert_group_writable)."""
    rows = sql.run(
        """SELECT c.relname,
                  bool_or(t.tgtype & 31 = 31 AND p.prosrc LIKE '%%assert_group_writable%%') AS guarded
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'group_id'
             LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal
             LEFT JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE n.nspname = 'ej' AND c.relkind = 'r'
            GROUP BY c.relname"""
    )
    assert len(rows) >= 10
    unguarded = sorted(r["relname"] for r in rows if not r["guarded"] and r["relname"] not in NOT_FROZEN)
    assert unguarded == []


def test_archived_rows_resist_even_the_superuser(sql, old):
    """For every group table: rows of the archived group can be neither updated nor deleted,
    and deleting the group (which would cascade) is refused; nothing changes."""
    before = counts(sql, old["group"])
    assert before["lesson"] and before["attendance"] and before["enrollment"]
    sql.run("SELECT ej.set_reason('проверка архива')")  # so that only the archive rule can refuse
    for table, n in before.items():
        if table in NOT_FROZEN or not n:
            continue
        t = pgsql.Identifier(table)
        key = "id" if table == "study_group" else "group_id"
        first = sql.one(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum = 1", (f"ej.{table}",)
        )
        refused_as_frozen(
            sql,
            pgsql.SQL("UPDATE ej.{t} SET {c} = {c} WHERE {k} = %s").format(
                t=t, c=pgsql.Identifier(first), k=pgsql.Identifier(key)
            ),
            (old["group"],),
        )
        refused_as_frozen(
            sql,
            pgsql.SQL("DELETE FROM ej.{t} WHERE {k} = %s").format(t=t, k=pgsql.Identifier(key)),
            (old["group"],),
        )
    assert counts(sql, old["group"]) == before


def test_cascades_do_not_reach_archived_rows(sql, old):
    before = counts(sql, old["group"])
    program = sql.one("SELECT program_id FROM ej.study_group WHERE id = %s", (old["group"],))
    topic = sql.one("SELECT min(topic_id) FROM ej.lesson WHERE group_id = %s", (old["group"],))
    refused_as_frozen(sql, "DELETE FROM ej.study_group WHERE id = %s", (old["group"],))
    refused_as_frozen(sql, "DELETE FROM ej.iteration WHERE id = %s", (old["iteration"],), ITERATION_FROZEN)
    with sql.as_user("o1_methodist"):
        refused_as_frozen(sql, "DELETE FROM ej.study_group WHERE id = %s", (old["group"],))
        # what archived rows refer to cannot go away from under them
        for statement, params in (
            ("DELETE FROM ej.student WHERE id = %s", (old["student"],)),
            ("DELETE FROM ej.program WHERE id = %s", (program,)),
            ("DELETE FROM ej.program_topic WHERE id = %s", (topic,)),
        ):
            if params[0] is not None:
                assert isinstance(sql.refuses(statement, params), pgerr.ForeignKeyViolation), statement
    assert counts(sql, old["group"]) == before


def test_teacher_cannot_change_own_archived_group(sql, old):
    """o1_teacher01 still reads the archived group, and can change nothing in it."""
    g, day = old["group"], old["free_day"]
    with sql.as_user("o1_teacher01"):
        assert sql.one("SELECT count(*) FROM ej.lesson WHERE group_id = %s", (g,)) > 0
        sql.run("SELECT ej.set_reason('проверка архива')")
        for statement, params in (
            (
                "INSERT INTO ej.lesson (group_id, held_on, hours, organization_id) VALUES (%s, %s, 2, 0)",
                (g, day),
            ),
            ("UPDATE ej.lesson SET topic = 'Переписано' WHERE id = %s", (old["lesson"],)),
            ("DELETE FROM ej.lesson WHERE id = %s", (old["lesson"],)),
            (
                "UPDATE ej.attendance SET status = 'absent' WHERE lesson_id = %s AND student_id = %s",
                old["mark"],
            ),
            ("DELETE FROM ej.attendance WHERE lesson_id = %s AND student_id = %s", old["mark"]),
            (
                "INSERT INTO ej.attendance (lesson_id, student_id, status, organization_id, group_id) "
                "VALUES (%s, %s, 'present', 0, 0)",
                old["mark"],
            ),
            (
                "INSERT INTO ej.safety_briefing (group_id, organization_id, held_on, kind, content,"
                " given_by) VALUES (%s, 0, %s, 'повторный', 'Техника безопасности', ej.current_staff_id())",
                (g, day),
            ),
            (
                "INSERT INTO ej.event (group_id, organization_id, held_on, title)"
                " VALUES (%s, 0, %s, 'Хакатон')",
                (g, day),
            ),
            (
                "INSERT INTO ej.achievement (group_id, organization_id, student_id, held_on, competition,"
                " level, result) VALUES (%s, 0, %s, %s, 'Олимпиада', 'региональный', '1 место')",
                (g, old["student"], day),
            ),
            ("UPDATE ej.safety_briefing SET content = 'Другое' WHERE group_id = %s", (g,)),
            ("DELETE FROM ej.safety_briefing_student WHERE group_id = %s", (g,)),
            (
                "INSERT INTO ej.change_request (group_id, organization_id, student_id, field, proposed) "
                "VALUES (%s, 0, %s, 'school', 'Школа № 1')",
                (g, old["student"]),
            ),
            ("INSERT INTO ej.data_check (group_id, organization_id) VALUES (%s, 0)", (g,)),
            # moving a current lesson into the archive is a change of the archive too
            ("UPDATE ej.lesson SET group_id = %s WHERE group_id = %s", (g, old["current_group"])),
        ):
            refused_as_frozen(sql, statement, params)


def test_deputy_cannot_add_or_move_remarks_into_the_archive(sql, journal, old):
    remark = journal.add_remark(old["current_group"])
    with sql.as_user("o1_deputy"):
        refused_as_frozen(
            sql,
            "INSERT INTO ej.remark (group_id, organization_id, body) VALUES (%s, 0, 'Поздно')",
            (old["group"],),
        )
        refused_as_frozen(sql, "UPDATE ej.remark SET group_id = %s WHERE id = %s", (old["group"], remark))


def test_methodist_cannot_change_the_archive(sql, old):
    g, it = old["group"], old["iteration"]
    other = sql.run("SELECT program_id, teacher_id FROM ej.study_group WHERE id = %s", (g,))[0]
    student = sql.one(
        "SELECT min(id) FROM ej.student WHERE organization_id = 1 AND id NOT IN "
        "(SELECT student_id FROM ej.enrollment WHERE group_id = %s)",
        (g,),
    )
    with sql.as_user("o1_methodist"):
        for statement, params in (
            ("UPDATE ej.study_group SET room = '101' WHERE id = %s", (g,)),
            (
                "INSERT INTO ej.study_group (iteration_id, program_id, teacher_id, name)"
                " VALUES (%s, %s, %s, 'Поздняя')",
                (it, other["program_id"], other["teacher_id"]),
            ),
            ("UPDATE ej.study_group SET iteration_id = %s WHERE id = %s", (it, old["current_group"])),
            ("UPDATE ej.enrollment SET enroll_order = '№ 0' WHERE id = %s", (old["enrollment"],)),
            ("DELETE FROM ej.enrollment WHERE id = %s", (old["enrollment"],)),
            (
                "INSERT INTO ej.enrollment (group_id, student_id, enrolled_on, enroll_order,"
                " organization_id) VALUES (%s, %s, %s, '№ 3', 0)",
                (g, student, old["starts_on"]),
            ),
            ("UPDATE ej.enrollment SET group_id = %s WHERE group_id = %s", (g, old["current_group"])),
            (
                "INSERT INTO ej.schedule_slot (group_id, organization_id, weekday, starts_at, ends_at) "
                "VALUES (%s, 0, 3, '10:00', '11:30')",
                (g,),
            ),
        ):
            refused_as_frozen(sql, statement, params)
        for statement in (
            "UPDATE ej.iteration SET name = 'Переименована' WHERE id = %s",
            "UPDATE ej.iteration SET status = 'closed' WHERE id = %s",
            "UPDATE ej.iteration SET status = 'active' WHERE id = %s",
            "UPDATE ej.iteration SET ends_on = ends_on + 7 WHERE id = %s",
            "UPDATE ej.iteration SET archived_at = NULL WHERE id = %s",
            "DELETE FROM ej.iteration WHERE id = %s",
        ):
            refused_as_frozen(sql, statement, (it,), ITERATION_FROZEN)
    assert sql.one("SELECT status FROM ej.iteration WHERE id = %s", (it,)) == "archived"


@pytest.mark.parametrize("login", ["o1_deputy", "o1_director", "o1_admin", "o2_methodist"])
def test_other_roles_cannot_change_the_archive(sql, old, login):
    """Refused by the archive rule, by privileges or by RLS (no row visible): never changed."""
    before = counts(sql, old["group"])
    with sql.as_user(login):
        for statement, params in (
            ("UPDATE ej.iteration SET status = 'active' WHERE id = %s", (old["iteration"],)),
            ("DELETE FROM ej.iteration WHERE id = %s", (old["iteration"],)),
            ("UPDATE ej.study_group SET room = '1' WHERE id = %s", (old["group"],)),
            ("DELETE FROM ej.lesson WHERE group_id = %s", (old["group"],)),
            ("UPDATE ej.attendance SET status = 'absent' WHERE group_id = %s", (old["group"],)),
            ("DELETE FROM ej.enrollment WHERE group_id = %s", (old["group"],)),
            (
                "INSERT INTO ej.remark (group_id, organization_id, body) VALUES (%s, 0, 'Поздно')",
                (old["group"],),
            ),
        ):
            try:
                changed = sql.changes(statement, params)
            except psycopg.Error as err:
                # a group of another organization is one the login cannot see: "not found"
                assert err.sqlstate in ("42501", "EJ002", "EJ003") or (
                    err.sqlstate in ("23503", "EJ005") and "не найден" in str(err)), (
                    statement,
                    err,
                )
            else:
                assert changed == 0, statement
    assert counts(sql, old["group"]) == before
    assert sql.one("SELECT status FROM ej.iteration WHERE id = %s", (old["iteration"],)) == "archived"


def test_archiving_freezes_a_current_iteration(sql, journal):
    """The methodist archives the current iteration; from then on nobody can write in it."""
    group = journal.group("o1_teacher01")
    day = journal.free_date(group)
    lesson = journal.lesson(group)
    remark = journal.add_remark(group)
    iteration = sql.one("SELECT iteration_id FROM ej.study_group WHERE id = %s", (group,))
    # the term ended yesterday (an end date moved back is refused only past lessons given)
    sql.run("UPDATE ej.iteration SET ends_on = ej.today(NULL) - 1 WHERE id = %s", (iteration,))
    with sql.as_user("o1_methodist"):
        sql.run("SELECT ej.archive_iteration(%s, true)", (iteration,))
    assert sql.one("SELECT archived_at IS NOT NULL FROM ej.iteration WHERE id = %s", (iteration,))
    sql.run("SELECT ej.set_reason('проверка архива')")
    with sql.as_user("o1_teacher01"):
        refused_as_frozen(
            sql,
            "INSERT INTO ej.lesson (group_id, held_on, hours, organization_id) VALUES (%s, %s, 2, 0)",
            (group, day),
        )
        refused_as_frozen(sql, "UPDATE ej.lesson SET topic = 'После архива' WHERE id = %s", (lesson,))
        refused_as_frozen(sql, "UPDATE ej.attendance SET status = 'absent' WHERE lesson_id = %s", (lesson,))
        refused_as_frozen(
            sql, "UPDATE ej.remark SET fixed_at = now(), fixed_note = 'Исправлено' WHERE id = %s", (remark,)
        )
    with sql.as_user("o1_deputy"):
        refused_as_frozen(sql, "UPDATE ej.remark SET body = 'Другое замечание' WHERE id = %s", (remark,))
        refused_as_frozen(sql, "DELETE FROM ej.remark WHERE id = %s", (remark,))
    with sql.as_user("o1_methodist"):
        refused_as_frozen(
            sql, "UPDATE ej.iteration SET status = 'active' WHERE id = %s", (iteration,), ITERATION_FROZEN
        )
        refused_as_frozen(sql, "DELETE FROM ej.enrollment WHERE group_id = %s", (group,))
