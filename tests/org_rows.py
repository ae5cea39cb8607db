"""Rows of every table in three places, for the RLS matrix and the cross-organization tests:
a group of o1_teacher01 ("own"), a group of o1_teacher02 in the same organization ("group"),
and the group of the second organization ("org"). The demo data leaves several tables empty
(or fills them only in organization 1); `seed()` adds one row of each there, as the superuser,
through the ordinary triggers."""

from dataclasses import dataclass

from conftest import Journal, SqlSession

REASON = "исправление при проверке журнала"


@dataclass
class Place:
    name: str  # own / group / org
    org: int
    group: int
    iteration: int
    program: int
    quantum: int
    teacher: int
    student: int  # enrolled in this group and in no group of o1_teacher01 (except "own")
    lesson: int


def places(sql: SqlSession, journal: Journal) -> dict[str, Place]:
    own = journal.group("o1_teacher01")
    other = journal.group("o1_teacher02")
    org2 = sql.one("SELECT id FROM ej.study_group WHERE name = 'Второй-1'")
    mine = "(SELECT e.student_id FROM ej.enrollment e JOIN ej.study_group g ON g.id = e.group_id " \
           "JOIN ej.staff s ON s.id = g.teacher_id WHERE s.login = 'o1_teacher01')"
    out = {}
    for name, group in (("own", own), ("group", other), ("org", org2)):
        row = sql.run(
            f"""SELECT g.organization_id AS org, g.id AS group, g.iteration_id AS iteration, g.program_id AS program,
                       p.quantum_id AS quantum, g.teacher_id AS teacher,
                       (SELECT min(e.student_id) FROM ej.enrollment e WHERE e.group_id = g.id
                           AND (%(own)s OR e.student_id NOT IN {mine})) AS student,
                       (SELECT max(l.id) FROM ej.lesson l WHERE l.group_id = g.id) AS lesson
                  FROM ej.study_group g JOIN ej.program p ON p.id = g.program_id WHERE g.id = %(g)s""",
            {"g": group, "own": name == "own"},
        )[0]
        assert row["student"] and row["lesson"], f"the demo data has no student or lesson in {name}"
        out[name] = Place(name, **row)
    return out


def _run_all(sql: SqlSession, script: str, args: dict) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            sql.run(statement, args)


def seed(sql: SqlSession, journal: Journal) -> dict[str, Place]:
    """One row of each group table in each place, and of each organization table in both
    organizations. Returns the places."""
    at = places(sql, journal)
    sql.run("SELECT ej.set_reason(%s)", (REASON,))
    o2_methodist = journal.staff_id("o2_methodist")
    o1_deputy = journal.staff_id("o1_deputy")
    for p in at.values():
        day = sql.one("SELECT held_on FROM ej.lesson WHERE id = %s", (p.lesson,))
        args = {**p.__dict__, "day": day, "author": o1_deputy if p.org != at["org"].org else o2_methodist}
        _run_all(
            sql,
            """
            INSERT INTO ej.guardian (organization_id, student_id, full_name, relation, phone)
            VALUES (%(org)s, %(student)s, 'Проверкина Анна', 'мать', '+7 900 000-00-00');
            INSERT INTO ej.schedule_slot (organization_id, group_id, weekday, starts_at, ends_at, room)
            VALUES (0, %(group)s, 7, '20:00', '20:30', 'Проверка-' || %(group)s);
            INSERT INTO ej.safety_briefing (organization_id, group_id, held_on, kind, content, given_by)
            VALUES (0, %(group)s, %(day)s, 'внеплановый', 'Инструктаж при проверке', %(teacher)s);
            INSERT INTO ej.safety_briefing_student (briefing_id, student_id, organization_id, group_id)
            SELECT max(id), %(student)s, 0, 0 FROM ej.safety_briefing WHERE group_id = %(group)s;
            INSERT INTO ej.event (organization_id, group_id, held_on, title)
            VALUES (0, %(group)s, %(day)s, 'Проверочное мероприятие');
            INSERT INTO ej.achievement (organization_id, group_id, student_id, held_on, competition, level, result)
            VALUES (0, %(group)s, %(student)s, %(day)s, 'Проверочный конкурс', 'муниципальный', 'участник');
            INSERT INTO ej.remark (organization_id, group_id, lesson_id, author_id, body)
            VALUES (0, %(group)s, %(lesson)s, %(author)s, 'Проверочное замечание');
            INSERT INTO ej.change_request (organization_id, group_id, student_id, field, proposed, created_by)
            VALUES (0, %(group)s, %(student)s, 'school', 'Школа № 1', %(teacher)s);
            INSERT INTO ej.data_check (organization_id, group_id, checked_by) VALUES (0, %(group)s, %(teacher)s);
            INSERT INTO ej.print_fingerprint (organization_id, fingerprint, data_hash, kind, title, iteration_id,
                                              quantum_id, group_id, pages, printed_by, printed_login)
            SELECT %(org)s, 'ABCD-0001', 'abcd0001' || repeat('0', 56), 'group', 'Журнал группы', %(iteration)s,
                   %(quantum)s, %(group)s, 1, %(teacher)s, login FROM ej.staff WHERE id = %(teacher)s;
            INSERT INTO ej.acknowledgment (staff_id, role) VALUES (%(teacher)s, 'teacher') ON CONFLICT DO NOTHING;
            INSERT INTO audit.account_event (organization_id, login, op)
            SELECT organization_id, login, 'lock' FROM ej.staff WHERE id = %(teacher)s;
            INSERT INTO ej.account_request (organization_id, login, kind, full_name, roles)
            SELECT organization_id, 'new_' || id, 'create', 'Проверкин Иван Иванович', ARRAY['teacher']
              FROM ej.staff WHERE id = %(teacher)s;
            """,
            args,
        )
    org2 = at["org"]
    _run_all(
        sql,
        """
        INSERT INTO ej.program_topic (organization_id, program_id, position, title, hours)
        SELECT %(org)s, %(program)s, coalesce(max(position), 0) + 1, 'Проверочная тема', 2
          FROM ej.program_topic WHERE program_id = %(program)s;
        INSERT INTO ej.board_post (organization_id, author_id, week_of, title, body)
        VALUES (%(org)s, %(author)s, ej.today(NULL), 'Анализ недели', 'Текст');
        """,
        {**org2.__dict__, "author": o2_methodist},
    )
    # an archived copy of a КТП in the second organization too (made by hand: it has no archive)
    sql.run(
        """INSERT INTO ej.frozen_topic (organization_id, iteration_id, program_id, topic_id, position, title, hours)
           SELECT organization_id, %(iteration)s, program_id, id, position, title, hours
             FROM ej.program_topic WHERE program_id = %(program)s""",
        org2.__dict__,
    )
    return at
