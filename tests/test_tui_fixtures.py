"""A small organization with fixed dates, for screens whose pictures must not change from day
to day (the demo data follows today's date), and the checks of migration 0007 on it.

Loaded by a superuser with triggers off (session_replication_role = replica), so that "who
filled it and when" can be set to fixed values; everything else obeys the same rules as the
app's own writes.
"""

from datetime import date

import pytest
from psycopg import sql as pgsql

from ejournal_tui.db import accounts
from ejournal_tui.db.connection import connect

FIXED_TODAY = date(2025, 10, 23)  # a Thursday
FIXED_TEACHER = "snap_teacher"

FIXED_SQL = """
SET session_replication_role = replica;
INSERT INTO ej.organization (id, name, unit_name) VALUES (900, 'ДТ «Кванториум-Снимок»', 'ДТ «Снимок»');
INSERT INTO ej.staff (id, organization_id, login, full_name) VALUES
    (900, 900, 'snap_teacher', 'Снимкова Елена Петровна'),
    (901, 900, 'snap_methodist', 'Методова Ирина Олеговна');
INSERT INTO ej.quantum (id, organization_id, name) VALUES (900, 900, 'Робоквантум');
INSERT INTO ej.program (id, organization_id, quantum_id, name, total_hours) VALUES
    (900, 900, 900, 'Основы робототехники', 72);
INSERT INTO ej.program_topic (organization_id, program_id, position, title, hours) VALUES
    (900, 900, 1, 'Вводное занятие. Техника безопасности', 2),
    (900, 900, 2, 'Конструктор: детали и соединения', 4),
    (900, 900, 3, 'Механические передачи', 4),
    (900, 900, 4, 'Датчики', 4),
    (900, 900, 5, 'Программирование движения', 6),
    (900, 900, 6, 'Соревновательные задачи', 6),
    (900, 900, 7, 'Проект', 8),
    (900, 900, 8, 'Защита проектов', 2);
INSERT INTO ej.iteration (id, organization_id, name, starts_on, ends_on, status) VALUES
    (900, 900, 'Осень 2025', '2025-09-01', '2025-12-20', 'active');
INSERT INTO ej.study_group (id, organization_id, iteration_id, program_id, teacher_id, name, room) VALUES
    (900, 900, 900, 900, 900, 'Робо-1', '204'),
    (901, 900, 900, 900, 900, 'Робо-2', '205');
INSERT INTO ej.schedule_slot (organization_id, group_id, weekday, starts_at, ends_at) VALUES
    (900, 900, 1, '16:00', '17:30'), (900, 900, 4, '16:00', '17:30'), (900, 901, 3, '15:00', '16:30');

INSERT INTO ej.student (id, organization_id, last_name, first_name, middle_name, birth_date, sex, school,
                        school_class, phone, medical_clearance)
SELECT 900 + n, 900, v.l, v.f, v.m, date '2011-01-15' + n * 40, v.s, 'МБОУ СОШ № ' || (n % 3 + 1),
       (5 + n % 4) || 'А',
       '+7 900 000-00-' || lpad(n::text, 2, '0'), n % 5 <> 0
  FROM (VALUES (1, 'Абрамов', 'Илья', 'Сергеевич', 'м'), (2, 'Белова', 'Анна', 'Игоревна', 'ж'),
               (3, 'Васильев', 'Пётр', 'Андреевич', 'м'), (4, 'Горина', 'Мария', 'Павловна', 'ж'),
               (5, 'Дмитриев', 'Олег', NULL, 'м'), (6, 'Егорова', 'Софья', 'Денисовна', 'ж'),
               (7, 'Жуков', 'Артём', 'Ильич', 'м'), (8, 'Зайцева', 'Ева', 'Олеговна', 'ж'),
               (9, 'Ильин', 'Максим', 'Юрьевич', 'м'), (10, 'Котова', 'Дарья', 'Алексеевна', 'ж'),
               (11, 'Лебедев', 'Роман', 'Викторович', 'м'), (12, 'Морозова', 'Алиса', 'Романовна', 'ж'),
               (13, 'Носов', 'Глеб', 'Кириллович', 'м'), (14, 'Орлова', 'Вера', 'Максимовна', 'ж'))
       v(n, l, f, m, s);
INSERT INTO ej.guardian (organization_id, student_id, full_name, relation, phone)
SELECT 900, id, 'Родитель ' || last_name || ' ' || first_name,
       CASE WHEN id % 2 = 0 THEN 'мать' ELSE 'отец' END,
       '+7 911 000-00-' || lpad((id - 900)::text, 2, '0')
  FROM ej.student WHERE organization_id = 900;

-- Робо-1: ten students; Васильев joins late, Дмитриев leaves on 06.10.
INSERT INTO ej.enrollment (organization_id, group_id, student_id, enrolled_on, enroll_order, left_on,
                           leave_order)
SELECT 900, 900, 900 + n,
       CASE WHEN n = 3 THEN date '2025-09-22' ELSE date '2025-09-01' END, '№ 12-у',
       CASE WHEN n = 5 THEN date '2025-10-06' END, CASE WHEN n = 5 THEN '№ 31-у' END
  FROM generate_series(1, 10) n;
INSERT INTO ej.enrollment (organization_id, group_id, student_id, enrolled_on, enroll_order)
SELECT 900, 901, 900 + n, date '2025-09-03', '№ 13-у' FROM generate_series(11, 14) n;

-- Lessons held on every planned date up to 16.10 except 16.10 itself; 20.10 has no topic yet.
INSERT INTO ej.lesson (organization_id, group_id, held_on, hours, topic_id, filled_by, filled_at, updated_at,
                       version)
SELECT 900, p.group_id, p.held_on, 2, t.id, 900,
       CASE WHEN p.held_on = date '2025-09-29' THEN timestamptz '2025-10-06 19:00+03'
            ELSE p.held_on + time '18:00' END,
       p.held_on + time '18:00', 1
  FROM (SELECT group_id, held_on, row_number() OVER (PARTITION BY group_id ORDER BY held_on) AS rn
          FROM ej.planned_lesson
         WHERE group_id IN (900, 901) AND held_on <= date '2025-10-20' AND held_on <> date '2025-10-16') p
  JOIN ej.program_topic t ON t.program_id = 900 AND t.position = least(8, 1 + p.rn::int / 2);
UPDATE ej.lesson SET topic_id = NULL WHERE group_id = 900 AND held_on = date '2025-10-20';

INSERT INTO ej.attendance (lesson_id, student_id, organization_id, group_id, status, reason, updated_by,
                           updated_at, version)
SELECT l.id, e.student_id, 900, l.group_id,
       CASE WHEN (e.student_id * 7 + extract(doy FROM l.held_on)::int) % 9 = 0 THEN 'absent'
            WHEN (e.student_id * 5 + extract(doy FROM l.held_on)::int) % 13 = 0 THEN 'excused'
            ELSE 'present' END,
       CASE WHEN (e.student_id * 7 + extract(doy FROM l.held_on)::int) % 9 <> 0
             AND (e.student_id * 5 + extract(doy FROM l.held_on)::int) % 13 = 0 THEN 'illness' END,
       900, l.held_on + time '18:00', 1
  FROM ej.lesson l
  JOIN ej.enrollment e ON e.group_id = l.group_id AND e.enrolled_on <= l.held_on
                      AND (e.left_on IS NULL OR e.left_on > l.held_on)
 WHERE l.organization_id = 900
   AND NOT (l.held_on = date '2025-10-13' AND e.student_id IN (907, 908))
   AND l.held_on <> date '2025-10-20';

INSERT INTO ej.data_check (organization_id, group_id, checked_by, checked_at)
VALUES (900, 900, 900, timestamptz '2025-10-01 12:00+03');
INSERT INTO ej.remark (organization_id, group_id, author_id, body, created_at) VALUES
    (900, 900, 901, 'Не заполнено занятие 16.10: внесите тему и посещаемость.',
     timestamptz '2025-10-21 10:00+03');
INSERT INTO ej.board_post (organization_id, author_id, week_of, title, body, posted_at) VALUES
    (900, 901, '2025-10-13', 'Анализ журнала за 06–10 октября', 'Все журналы заполнены в срок.',
     timestamptz '2025-10-13 09:00+03'),
    (900, 901, '2025-10-20', 'Анализ журнала за 13–17 октября',
     'Заполнено 94 % занятий. Не забывайте отмечать причину отсутствия.', timestamptz '2025-10-20 09:00+03');
-- Both have confirmed the regulation's duties at their first login (the app asks only once).
INSERT INTO ej.acknowledgment (organization_id, staff_id, role, acknowledged_at) VALUES
    (900, 900, 'teacher', timestamptz '2025-09-01 09:00+03'),
    (900, 901, 'methodist', timestamptz '2025-09-01 09:00+03');
SET session_replication_role = origin;
"""


def load_fixed(conninfo: str) -> None:
    with connect(conninfo) as conn:
        conn.execute(FIXED_SQL)
        # The database's "today" is FIXED_TODAY too (ej.frozen_today), so its rules agree with
        # the screens opened with EJournalApp(today=FIXED_TODAY).
        conn.execute(pgsql.SQL("ALTER DATABASE {} SET ej.today = {}").format(
            pgsql.Identifier(conn.info.dbname), pgsql.Literal(FIXED_TODAY.isoformat())))
        accounts.ensure_login_role(conn, FIXED_TEACHER, "teacher")
        accounts.ensure_login_role(conn, "snap_methodist", "methodist")


@pytest.fixture
def fixed(server, db, sql):
    """The fixed organization on the test's database; returns the teacher's conninfo."""
    load_fixed(server.conninfo(db))
    return server.conninfo(db, user=FIXED_TEACHER)


def test_lessons_due_most_overdue_first(fixed, sql):
    with sql.as_user(FIXED_TEACHER):
        rows = sql.run("SELECT group_name, held_on, days_overdue, missing FROM ej.lessons_due(%s)", (FIXED_TODAY,))
    assert [(r["group_name"], r["held_on"], r["missing"]) for r in rows] == [
        ("Робо-1", date(2025, 10, 13), "нет 2 отметок"),
        ("Робо-1", date(2025, 10, 16), "занятие не заполнено"),
    ]
    assert rows[0]["days_overdue"] == 7


def test_planned_dates_and_progress(fixed, sql):
    with sql.as_user(FIXED_TEACHER):
        planned = sql.one("SELECT count(*) FROM ej.planned_lesson WHERE group_id = 900")
        progress = sql.run(
            "SELECT position, delivered_hours FROM ej.topic_progress WHERE group_id = 900 ORDER BY position"
        )
    assert planned == 32  # Mondays and Thursdays from 01.09 to 20.12.2025
    assert progress[0]["delivered_hours"] == 2 and progress[1]["delivered_hours"] == 4


def test_change_request_and_data_check_rules(fixed, sql):
    with sql.as_user(FIXED_TEACHER):
        sql.run(
            "INSERT INTO ej.change_request (group_id, student_id, field, proposed) "
            "VALUES (900, 901, 'phone', 'Новый телефон +7 900 111-22-33')"
        )
        err = sql.refuses(
            "INSERT INTO ej.change_request (group_id, student_id, field, proposed) "
            "VALUES (900, 911, 'phone', 'не из группы')"
        )
        assert "не из этой группы" in err.diag.message_primary
        sql.run("INSERT INTO ej.data_check (group_id) VALUES (901)")
        assert sql.one("SELECT checked_by FROM ej.data_check WHERE group_id = 901") == 900
    with sql.as_user("o1_teacher01"):
        assert sql.one("SELECT count(*) FROM ej.change_request") == 0
        sql.refuses("INSERT INTO ej.data_check (group_id) VALUES (900)")
    with sql.as_user("snap_methodist"):
        assert sql.one("SELECT count(*) FROM ej.change_request WHERE status = 'open'") == 1
        sql.run("UPDATE ej.change_request SET status = 'done'")
        assert sql.one("SELECT resolved_by FROM ej.change_request") == 901
    audit = sql.one("SELECT count(*) FROM audit.log WHERE table_name IN ('change_request', 'data_check')")
    assert audit == 3
