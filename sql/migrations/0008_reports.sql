-- Reports and printouts (issue 5, the numeric report of issue 7). Every report is a view or
-- a function here; the program only formats what they return. Views are security_invoker and
-- functions SECURITY INVOKER, so each print and report runs under the user's own role and RLS
-- decides what it contains: a teacher's report holds the teacher's own groups only.
SET LOCAL ROLE ej_owner;

-- Attendance codes, the same on screen, in the hard copy and in exports: the letters of the
-- vocabulary (0002). Only absences are marked: present prints blank.
CREATE FUNCTION ej.attendance_code(p_status text, p_reason text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_status = 'present' THEN ''
                WHEN p_status = 'excused' AND p_reason IS NOT NULL
                    THEN (SELECT letter FROM ej.absence_reason WHERE code = p_reason)
                ELSE (SELECT letter FROM ej.attendance_status WHERE code = p_status) END
$$;

-- The legend printed under every attendance grid.
CREATE VIEW ej.attendance_code_legend WITH (security_invoker = true) AS
SELECT (row_number() OVER (ORDER BY part, sort))::integer AS position, code, meaning
  FROM (SELECT 1 AS part, sort, ej.attendance_code(code, NULL) AS code, legend AS meaning
          FROM ej.attendance_status WHERE code <> 'excused'
        UNION ALL
        SELECT 2, sort, letter, legend FROM ej.absence_reason
        UNION ALL
        VALUES (3, 1, '—', 'не числился в группе в этот день'), (3, 2, '?', 'отметка не внесена')) v;

-- The academic year (from 1 September) a date belongs to: 2026 for 15.09.2026 and 15.05.2027.
CREATE FUNCTION ej.academic_year(p_on date) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT (extract(year FROM p_on) - CASE WHEN extract(month FROM p_on) < 8 THEN 1 ELSE 0 END)::integer $$;

---------------------------------------------------------------------------------------------
-- Planned lesson dates (ej.planned_lesson of 0007), one row a day even with two slots that day.
CREATE VIEW ej.report_planned_date WITH (security_invoker = true) AS
SELECT DISTINCT organization_id, group_id, held_on FROM ej.planned_lesson;

---------------------------------------------------------------------------------------------
-- 5. Frozen means frozen. What an archived journal prints from rows outside the iteration —
-- the КТП (topic numbers, titles, hours), the program's and quantum's names and hours, the
-- teacher's name — is copied into the iteration when it is archived, and the journal, reports
-- and views read the copy from then on. Programs stay shared between terms (the next term's
-- КТП may change freely); the archived term keeps what it had.
CREATE TABLE ej.frozen_topic (
    organization_id bigint NOT NULL,
    iteration_id    bigint NOT NULL,
    program_id      bigint NOT NULL,
    topic_id        bigint NOT NULL,
    position        integer NOT NULL,
    title           text NOT NULL,
    hours           numeric(4,1) NOT NULL,
    CONSTRAINT frozen_topic_pkey PRIMARY KEY (iteration_id, topic_id),
    CONSTRAINT frozen_topic_iteration_id_fkey FOREIGN KEY (organization_id, iteration_id)
        REFERENCES ej.iteration (organization_id, id)
);
COMMENT ON TABLE ej.frozen_topic IS 'Архивная копия тем КТП итерации: журнал архива печатает её, а не живую КТП.';
CREATE INDEX frozen_topic_program_idx ON ej.frozen_topic (iteration_id, program_id);
COMMENT ON CONSTRAINT frozen_topic_pkey ON ej.frozen_topic IS 'Тема уже сохранена в архиве итерации.';

CREATE FUNCTION ej.freeze_iteration(p_iteration_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO ej.frozen_topic (organization_id, iteration_id, program_id, topic_id, position, title, hours)
    SELECT DISTINCT t.organization_id, g.iteration_id, t.program_id, t.id, t.position, t.title, t.hours
      FROM ej.study_group g JOIN ej.program_topic t ON t.program_id = g.program_id
     WHERE g.iteration_id = p_iteration_id
    ON CONFLICT DO NOTHING;
    UPDATE ej.study_group g
       SET frozen = jsonb_build_object(
               'program_name', p.name, 'program_hours', p.total_hours, 'quantum_name', q.name,
               'teacher_name', t.full_name,
               'staff', (SELECT coalesce(jsonb_object_agg(st.id, to_jsonb(st)), '{}') FROM ej.staff st
                          WHERE st.id = g.teacher_id
                             OR st.id IN (SELECT b.given_by FROM ej.safety_briefing b WHERE b.group_id = g.id)
                             OR st.id IN (SELECT r.author_id FROM ej.remark r WHERE r.group_id = g.id)
                             OR st.id IN (SELECT l.filled_by FROM ej.lesson l WHERE l.group_id = g.id)
                             OR st.id IN (SELECT a.updated_by FROM ej.attendance a WHERE a.group_id = g.id)),
               'students', (SELECT coalesce(jsonb_object_agg(s.id, to_jsonb(s)), '{}') FROM ej.student s
                             WHERE s.id IN (SELECT e.student_id FROM ej.enrollment e WHERE e.group_id = g.id)),
               'guardians', (SELECT coalesce(jsonb_object_agg(x.student_id, x.list), '{}')
                               FROM (SELECT gu.student_id,
                                            jsonb_agg(jsonb_build_object('full_name', gu.full_name,
                                                                         'relation', gu.relation, 'phone', gu.phone)
                                                      ORDER BY gu.id) AS list
                                       FROM ej.guardian gu
                                      WHERE gu.student_id IN (SELECT e.student_id FROM ej.enrollment e
                                                               WHERE e.group_id = g.id)
                                      GROUP BY gu.student_id) x))
      FROM ej.program p, ej.quantum q, ej.staff t
     WHERE g.iteration_id = p_iteration_id AND p.id = g.program_id AND q.id = p.quantum_id AND t.id = g.teacher_id;
END $$;

-- A student or staff member as an archived group's journal shows them (its copy), else as now.
CREATE FUNCTION ej.as_printed(p_frozen jsonb, p_student ej.student) RETURNS ej.student
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_frozen -> 'students' ? p_student.id::text
                THEN jsonb_populate_record(NULL::ej.student, p_frozen -> 'students' -> p_student.id::text)
                ELSE p_student END
$$;

CREATE FUNCTION ej.as_printed(p_frozen jsonb, p_staff ej.staff) RETURNS ej.staff
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_frozen -> 'staff' ? p_staff.id::text
                THEN jsonb_populate_record(NULL::ej.staff, p_frozen -> 'staff' -> p_staff.id::text)
                ELSE p_staff END
$$;

-- The copy is written once, by ej.freeze_iteration; nobody changes it afterwards.
CREATE FUNCTION ej.tg_frozen_copy() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME = 'study_group' THEN
        IF NEW.frozen IS DISTINCT FROM OLD.frozen AND current_user <> 'ej_owner' AND NOT ej.session_is_superuser() THEN
            RAISE EXCEPTION 'Архивная копия журнала не изменяется' USING ERRCODE = 'EJ002';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;  -- an update that changes nothing changes nothing
    END IF;
    RAISE EXCEPTION 'Архивная копия журнала не изменяется' USING ERRCODE = 'EJ003';
END $$;
CREATE TRIGGER b_frozen BEFORE UPDATE OF frozen ON ej.study_group
    FOR EACH ROW EXECUTE FUNCTION ej.tg_frozen_copy();
CREATE TRIGGER b_frozen BEFORE UPDATE OR DELETE ON ej.frozen_topic
    FOR EACH ROW EXECUTE FUNCTION ej.tg_frozen_copy();

SELECT ej.enable_rls('ej.frozen_topic');
CREATE POLICY owner_all ON ej.frozen_topic TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.frozen_topic FOR SELECT TO ej_teacher, ej_methodist, ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
GRANT SELECT ON ej.frozen_topic TO ej_teacher, ej_methodist, ej_deputy, ej_director;
SELECT audit.enable('ej.frozen_topic');

-- The topics a group's journal shows: its iteration's archived copy, else the live КТП.
CREATE VIEW ej.group_topic WITH (security_invoker = true) AS
SELECT g.organization_id, g.id AS group_id, g.iteration_id, g.program_id, t.id AS topic_id, t.position, t.title, t.hours
  FROM ej.study_group g JOIN ej.program_topic t ON t.program_id = g.program_id
 WHERE g.frozen IS NULL
UNION ALL
SELECT g.organization_id, g.id, g.iteration_id, g.program_id, f.topic_id, f.position, f.title, f.hours
  FROM ej.study_group g JOIN ej.frozen_topic f ON f.iteration_id = g.iteration_id AND f.program_id = g.program_id
 WHERE g.frozen IS NOT NULL;
GRANT SELECT ON ej.group_topic TO ej_teacher, ej_methodist, ej_deputy, ej_director;

-- One row per group with the names a report prints beside it.
CREATE VIEW ej.report_group WITH (security_invoker = true) AS
SELECT g.organization_id, g.iteration_id, i.name AS iteration_name, i.starts_on, i.ends_on, i.status,
       p.quantum_id, coalesce(g.frozen ->> 'quantum_name', q.name) AS quantum_name, g.program_id,
       coalesce(g.frozen ->> 'program_name', p.name) AS program_name,
       coalesce((g.frozen ->> 'program_hours')::numeric(6,1), p.total_hours) AS program_hours,
       g.id AS group_id, g.name AS group_name, g.room, g.teacher_id,
       coalesce(g.frozen ->> 'teacher_name', t.full_name) AS teacher_name
  FROM ej.study_group g
  JOIN ej.iteration i ON i.id = g.iteration_id
  JOIN ej.program p ON p.id = g.program_id
  JOIN ej.quantum q ON q.id = p.quantum_id
  JOIN ej.staff t ON t.id = g.teacher_id;

---------------------------------------------------------------------------------------------
-- Attendance per lesson: students enrolled that day and their marks.
CREATE VIEW ej.report_lesson_attendance WITH (security_invoker = true) AS
SELECT l.organization_id, l.group_id, l.id AS lesson_id, l.held_on, l.hours,
       e.enrolled, a.marks, a.present, a.absent, a.excused, e.enrolled - a.marks AS unmarked
  FROM ej.lesson l
 CROSS JOIN LATERAL (
       SELECT count(*)::integer AS enrolled
         FROM ej.enrollment en
        WHERE en.group_id = l.group_id AND en.enrolled_on <= l.held_on
          AND (en.left_on IS NULL OR en.left_on > l.held_on)) e
 CROSS JOIN LATERAL (
       SELECT count(*)::integer AS marks,
              count(*) FILTER (WHERE am.status = 'present')::integer AS present,
              count(*) FILTER (WHERE am.status = 'absent')::integer AS absent,
              count(*) FILTER (WHERE am.status = 'excused')::integer AS excused
         FROM ej.attendance am
        WHERE am.lesson_id = l.id) a;

-- Attendance per student and month of a group: lessons while enrolled, and the marks.
CREATE VIEW ej.report_student_month WITH (security_invoker = true) AS
SELECT l.organization_id, l.group_id, e.student_id, date_trunc('month', l.held_on)::date AS month,
       count(DISTINCT l.id)::integer AS lessons,
       sum(l.hours) AS hours,
       count(am.lesson_id) FILTER (WHERE am.status = 'present')::integer AS present,
       count(am.lesson_id) FILTER (WHERE am.status = 'absent')::integer AS absent,
       count(am.lesson_id) FILTER (WHERE am.status = 'excused')::integer AS excused,
       count(DISTINCT l.id) FILTER (WHERE am.lesson_id IS NULL)::integer AS unmarked
  FROM ej.lesson l
  JOIN ej.enrollment e ON e.group_id = l.group_id AND e.enrolled_on <= l.held_on
                      AND (e.left_on IS NULL OR e.left_on > l.held_on)
  LEFT JOIN ej.attendance am ON am.lesson_id = l.id AND am.student_id = e.student_id
 GROUP BY l.organization_id, l.group_id, e.student_id, date_trunc('month', l.held_on);

-- Attendance per group and month: the grain every attendance report is summed from.
CREATE VIEW ej.report_attendance_group_month WITH (security_invoker = true) AS
SELECT r.organization_id, r.iteration_id, r.iteration_name, r.quantum_id, r.quantum_name,
       r.program_id, r.program_name, r.group_id, r.group_name, r.teacher_id, r.teacher_name,
       m.month, m.lessons, m.hours, m.marks, m.present, m.absent, m.excused,
       round(100.0 * m.present / nullif(m.marks, 0), 1) AS present_pct
  FROM ej.report_group r
 CROSS JOIN LATERAL (
       SELECT date_trunc('month', la.held_on)::date AS month,
              count(*)::integer AS lessons, sum(la.hours) AS hours,
              sum(la.marks)::integer AS marks, sum(la.present)::integer AS present,
              sum(la.absent)::integer AS absent, sum(la.excused)::integer AS excused
         FROM ej.report_lesson_attendance la
        WHERE la.group_id = r.group_id
        GROUP BY date_trunc('month', la.held_on)) m;

-- Attendance by group, teacher, quantum, month (of the organization) or group and month.
CREATE FUNCTION ej.report_attendance(p_by text DEFAULT 'group', p_iteration_id bigint DEFAULT NULL,
                                     p_quantum_id bigint DEFAULT NULL, p_teacher_id bigint DEFAULT NULL,
                                     p_group_id bigint DEFAULT NULL, p_from date DEFAULT NULL,
                                     p_to date DEFAULT NULL)
    RETURNS TABLE (iteration_id bigint, iteration_name text, quantum_id bigint, quantum_name text,
                   teacher_id bigint, teacher_name text, group_id bigint, group_name text, month date,
                   groups integer, lessons integer, hours numeric, marks integer, present integer,
                   absent integer, excused integer, present_pct numeric)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_by IS NULL OR p_by NOT IN ('group', 'teacher', 'quantum', 'month', 'group_month') THEN
        RAISE EXCEPTION 'Разрез отчёта о посещаемости: group, teacher, quantum, month или group_month'
            USING ERRCODE = 'EJ001';
    END IF;
    RETURN QUERY
    SELECT r.iteration_id, min(r.iteration_name),
           CASE WHEN p_by IN ('group', 'quantum', 'group_month') THEN r.quantum_id END,
           CASE WHEN p_by IN ('group', 'quantum', 'group_month') THEN min(r.quantum_name) END,
           CASE WHEN p_by IN ('group', 'teacher', 'group_month') THEN r.teacher_id END,
           CASE WHEN p_by IN ('group', 'teacher', 'group_month') THEN min(r.teacher_name) END,
           CASE WHEN p_by IN ('group', 'group_month') THEN r.group_id END,
           CASE WHEN p_by IN ('group', 'group_month') THEN min(r.group_name) END,
           CASE WHEN p_by IN ('month', 'group_month') THEN r.month END,
           count(DISTINCT r.group_id)::integer,
           sum(r.lessons)::integer, sum(r.hours), sum(r.marks)::integer, sum(r.present)::integer,
           sum(r.absent)::integer, sum(r.excused)::integer,
           round(100.0 * sum(r.present) / nullif(sum(r.marks), 0), 1)
      FROM ej.report_attendance_group_month r
     WHERE (p_iteration_id IS NULL OR r.iteration_id = p_iteration_id)
       AND (p_quantum_id IS NULL OR r.quantum_id = p_quantum_id)
       AND (p_teacher_id IS NULL OR r.teacher_id = p_teacher_id)
       AND (p_group_id IS NULL OR r.group_id = p_group_id)
       AND (p_from IS NULL OR r.month >= date_trunc('month', p_from))
       AND (p_to IS NULL OR r.month <= p_to)
     GROUP BY 1, 3, 5, 7, 9
     ORDER BY 2, 4, 6, 8, 9;
END $$;

---------------------------------------------------------------------------------------------
-- Program fulfilment per group: the КТП (topics and hours) against the lessons given, and the
-- lessons the schedule planned.
CREATE VIEW ej.report_fulfilment WITH (security_invoker = true) AS
SELECT r.organization_id, r.iteration_id, r.iteration_name, r.quantum_id, r.quantum_name,
       r.program_id, r.program_name, r.program_hours, r.group_id, r.group_name, r.teacher_id, r.teacher_name,
       k.topics, k.ktp_hours,
       s.planned_lessons, s.planned_to_date,
       d.lessons, d.hours AS delivered_hours, d.topics_covered, d.free_lessons,
       round(100.0 * d.hours / nullif(k.ktp_hours, 0), 1) AS hours_pct,
       round(100.0 * d.topics_covered / nullif(k.topics, 0), 1) AS topics_pct
  FROM ej.report_group r
 CROSS JOIN LATERAL (
       SELECT count(*)::integer AS topics, coalesce(sum(t.hours), 0) AS ktp_hours
         FROM ej.group_topic t WHERE t.group_id = r.group_id) k  -- an archived term's own КТП (ej.group_topic)
 CROSS JOIN LATERAL (
       SELECT count(*)::integer AS lessons, coalesce(sum(l.hours), 0) AS hours,
              count(DISTINCT l.topic_id)::integer AS topics_covered,
              count(*) FILTER (WHERE l.topic_id IS NULL)::integer AS free_lessons
         FROM ej.lesson l WHERE l.group_id = r.group_id) d
 CROSS JOIN LATERAL (
       SELECT count(*)::integer AS planned_lessons,
              count(*) FILTER (WHERE p.held_on <= ej.today(r.organization_id))::integer AS planned_to_date
         FROM ej.report_planned_date p WHERE p.group_id = r.group_id) s;

-- The КТП of each group topic by topic: hours planned and delivered.
CREATE VIEW ej.report_fulfilment_topic WITH (security_invoker = true) AS
SELECT r.organization_id, r.iteration_id, r.group_id, r.group_name, t.topic_id, t.position, t.title,
       t.hours AS planned_hours, coalesce(d.hours, 0) AS delivered_hours, coalesce(d.lessons, 0) AS lessons,
       d.first_on, d.last_on
  FROM ej.report_group r
  JOIN ej.group_topic t ON t.group_id = r.group_id
  LEFT JOIN LATERAL (
       SELECT sum(l.hours) AS hours, count(*)::integer AS lessons, min(l.held_on) AS first_on,
              max(l.held_on) AS last_on
         FROM ej.lesson l WHERE l.group_id = r.group_id AND l.topic_id = t.topic_id) d ON true;

---------------------------------------------------------------------------------------------
-- Journal-keeping timeliness (regulation: fill in the journal within three days of the
-- lesson). Per group: planned dates whose deadline passed, lessons filled on time and late
-- (filled_at later than held_on + the edit window), planned dates never filled, lessons on
-- dates the schedule did not plan. p_today is a parameter so that tests can freeze the date.
CREATE FUNCTION ej.report_timeliness(p_by text DEFAULT 'teacher', p_iteration_id bigint DEFAULT NULL,
                                     p_today date DEFAULT ej.today())
    RETURNS TABLE (iteration_id bigint, iteration_name text, teacher_id bigint, teacher_name text,
                   group_id bigint, group_name text, groups integer, planned_due integer, lessons integer,
                   on_time integer, late integer, missing integer, extra integer, on_time_pct numeric,
                   max_delay_days integer)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_by IS NULL OR p_by NOT IN ('group', 'teacher') THEN
        RAISE EXCEPTION 'Разрез отчёта о своевременности: group или teacher'
            USING ERRCODE = 'EJ001';
    END IF;
    RETURN QUERY
    WITH per_group AS (
        SELECT r.iteration_id, r.iteration_name, r.teacher_id, r.teacher_name, r.group_id, r.group_name,
               pl.due AS planned_due, ls.lessons, ls.on_time, ls.late, pl.missing, ls.extra, ls.max_delay
          FROM ej.report_group r
         CROSS JOIN LATERAL (
               SELECT coalesce(array_agg(p.held_on), '{}') AS days
                 FROM ej.report_planned_date p WHERE p.group_id = r.group_id) pd
         CROSS JOIN LATERAL (
               SELECT count(*)::integer AS due,
                      count(*) FILTER (WHERE NOT EXISTS (
                          SELECT 1 FROM ej.lesson l WHERE l.group_id = r.group_id AND l.held_on = d.day))::integer
                          AS missing
                 FROM unnest(pd.days) d(day)
                WHERE d.day + ej.edit_window_days() < p_today) pl
         CROSS JOIN LATERAL (
               SELECT count(*)::integer AS lessons,
                      count(*) FILTER (WHERE ej.local_date(l.filled_at, l.organization_id) <= l.held_on + ej.edit_window_days())::integer
                          AS on_time,
                      count(*) FILTER (WHERE ej.local_date(l.filled_at, l.organization_id) > l.held_on + ej.edit_window_days())::integer
                          AS late,
                      count(*) FILTER (WHERE l.held_on <> ALL (pd.days))::integer AS extra,
                      max(ej.local_date(l.filled_at, l.organization_id) - l.held_on)::integer AS max_delay
                 FROM ej.lesson l
                WHERE l.group_id = r.group_id AND l.held_on <= p_today) ls
         WHERE p_iteration_id IS NULL OR r.iteration_id = p_iteration_id
    )
    SELECT g.iteration_id, min(g.iteration_name), g.teacher_id, min(g.teacher_name),
           CASE WHEN p_by = 'group' THEN g.group_id END,
           CASE WHEN p_by = 'group' THEN min(g.group_name) END,
           count(*)::integer, sum(g.planned_due)::integer, sum(g.lessons)::integer,
           sum(g.on_time)::integer, sum(g.late)::integer, sum(g.missing)::integer, sum(g.extra)::integer,
           round(100.0 * sum(g.on_time) / nullif(sum(g.lessons) + sum(g.missing), 0), 1),
           max(g.max_delay)::integer
      FROM per_group g
     GROUP BY 1, 3, 5
     ORDER BY 2, 4, 6;
END $$;

---------------------------------------------------------------------------------------------
-- User activity per month from the audit log (regulation 5.1: the methodist checks it
-- monthly). Everyone of the organization is listed, with zeros for those who did nothing,
-- when the caller may read the whole log; otherwise only what the caller's log rows show.
CREATE FUNCTION ej.report_user_activity(p_from date DEFAULT NULL, p_to date DEFAULT NULL)
    RETURNS TABLE (month date, login text, full_name text, actions integer, days_active integer,
                   lessons integer, marks integer, other integer, last_at timestamptz)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH period AS (
        SELECT f AS from_on, coalesce(p_to, (date_trunc('month', f) + interval '1 month - 1 day')::date) AS to_on, z
          FROM (SELECT coalesce(p_from, date_trunc('month', ej.today())::date) AS f,
                       ej.org_time_zone(ej.current_org_id()) AS z) x
    ), act AS (
        SELECT date_trunc('month', l.at AT TIME ZONE p.z)::date AS month, l.actor,
               count(*)::integer AS actions,
               count(DISTINCT (l.at AT TIME ZONE p.z)::date)::integer AS days_active,
               count(*) FILTER (WHERE l.table_name = 'lesson')::integer AS lessons,
               count(*) FILTER (WHERE l.table_name = 'attendance')::integer AS marks,
               count(*) FILTER (WHERE l.table_name NOT IN ('lesson', 'attendance'))::integer AS other,
               max(l.at) AS last_at
          FROM audit.log l, period p
         WHERE l.at >= (p.from_on::timestamp AT TIME ZONE p.z) AND l.at < ((p.to_on + 1)::timestamp AT TIME ZONE p.z)
         GROUP BY 1, 2
    ), months AS (
        SELECT m::date AS month
          FROM period p, generate_series(date_trunc('month', p.from_on), p.to_on, interval '1 month') m
    ), people AS (
        SELECT s.login, s.full_name FROM ej.staff s
         WHERE pg_has_role(session_user, 'ej_methodist', 'MEMBER')
            OR pg_has_role(session_user, 'ej_deputy', 'MEMBER')
            OR pg_has_role(session_user, 'ej_director', 'MEMBER')
            OR s.login = session_user
    )
    SELECT m.month, pe.login, pe.full_name, coalesce(a.actions, 0), coalesce(a.days_active, 0),
           coalesce(a.lessons, 0), coalesce(a.marks, 0), coalesce(a.other, 0), a.last_at
      FROM months m CROSS JOIN people pe
      LEFT JOIN act a ON a.month = m.month AND a.actor = pe.login
    UNION ALL
    SELECT a.month, a.actor, s.full_name, a.actions, a.days_active, a.lessons, a.marks, a.other, a.last_at
      FROM act a
      LEFT JOIN ej.staff s ON s.login = a.actor
     WHERE a.actor NOT IN (SELECT login FROM people)
     ORDER BY 1, 3 NULLS LAST, 2
$$;

---------------------------------------------------------------------------------------------
-- The numeric report (issue 7): students on the rolls of a running group on 01.10, 01.01 and
-- 01.06 of the academic year (of the iteration, else of today), or on the dates given; per
-- group, quantum and organization: total, boys, girls, by school class, by years attending
-- (academic years in which the student was enrolled, up to the date). A student in two groups
-- of a quantum counts once for the quantum. A date outside a group's iteration has no row for
-- the group. Long format: one row per level, date and measure.
CREATE FUNCTION ej.report_numeric(p_iteration_id bigint DEFAULT NULL, p_as_of date[] DEFAULT NULL)
    RETURNS TABLE (level text, organization_id bigint, quantum_id bigint, quantum_name text,
                   group_id bigint, group_name text, as_of date, groups integer, measure_no integer,
                   measure text, students integer)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH y AS (
        SELECT ej.academic_year(coalesce((SELECT i.starts_on FROM ej.iteration i WHERE i.id = p_iteration_id),
                                         ej.today())) AS y
    ), dates AS (
        SELECT DISTINCT d AS as_of
          FROM y, unnest(coalesce(p_as_of, ARRAY[make_date(y.y, 10, 1), make_date(y.y + 1, 1, 1),
                                                 make_date(y.y + 1, 6, 1)])) d
         WHERE d <= ej.today()
    ), grp AS (
        SELECT r.organization_id, r.quantum_id, r.quantum_name, r.group_id, r.group_name, d.as_of
          FROM ej.report_group r
          JOIN dates d ON d.as_of BETWEEN r.starts_on AND r.ends_on
         WHERE p_iteration_id IS NULL OR r.iteration_id = p_iteration_id
    ), member AS (
        SELECT g.*, e.student_id, s.sex, substring(s.school_class FROM '^[0-9]+')::integer AS class_no, yr.years
          FROM grp g
          LEFT JOIN ej.enrollment e ON e.group_id = g.group_id AND e.enrolled_on <= g.as_of
                                   AND (e.left_on IS NULL OR e.left_on > g.as_of)
          LEFT JOIN ej.study_group sg ON sg.id = g.group_id
          LEFT JOIN ej.student x ON x.id = e.student_id
          LEFT JOIN LATERAL ej.as_printed(sg.frozen, x) s ON x.id IS NOT NULL  -- an archived term's own copy (0016)
          LEFT JOIN LATERAL (
                SELECT count(DISTINCT ej.academic_year(e2.enrolled_on))::integer AS years
                  FROM ej.enrollment e2
                 WHERE e2.student_id = e.student_id AND e2.enrolled_on <= g.as_of) yr ON e.student_id IS NOT NULL
    ), measured AS (
        SELECT m.organization_id, m.quantum_id, m.quantum_name, m.group_id, m.group_name, m.as_of,
               m.student_id, x.measure_no, x.measure
          FROM member m
         CROSS JOIN LATERAL (VALUES
               (1, 'всего'),
               (CASE m.sex WHEN 'м' THEN 2 ELSE 3 END, CASE m.sex WHEN 'м' THEN 'мальчиков' ELSE 'девочек' END),
               (10 + coalesce(m.class_no, 12), coalesce(m.class_no || ' класс', 'класс не указан')),
               (30 + least(m.years, 3), CASE WHEN m.years >= 3 THEN '3-й год и более' ELSE m.years || '-й год' END)
         ) x(measure_no, measure)
         WHERE x.measure_no = 1 OR m.student_id IS NOT NULL
    )
    SELECT CASE WHEN grouping(m.group_id) = 0 THEN 'group'
                WHEN grouping(m.quantum_id) = 0 THEN 'quantum' ELSE 'organization' END,
           m.organization_id, m.quantum_id, CASE WHEN grouping(m.quantum_id) = 0 THEN min(m.quantum_name) END,
           m.group_id, CASE WHEN grouping(m.group_id) = 0 THEN min(m.group_name) END, m.as_of,
           count(DISTINCT m.group_id)::integer, m.measure_no, m.measure, count(DISTINCT m.student_id)::integer
      FROM measured m
     GROUP BY GROUPING SETS ((m.organization_id, m.as_of, m.measure_no, m.measure),
                             (m.organization_id, m.quantum_id, m.as_of, m.measure_no, m.measure),
                             (m.organization_id, m.quantum_id, m.group_id, m.as_of, m.measure_no, m.measure))
     ORDER BY 2, grouping(m.quantum_id) DESC, 4 NULLS FIRST, grouping(m.group_id) DESC, 6 NULLS FIRST, 9, 7
$$;

---------------------------------------------------------------------------------------------
-- The deputy director's end-of-iteration report on the teachers' work with the journal
-- (regulation 4, deputy director): per teacher, and a total row (teacher_id NULL).

CREATE FUNCTION ej.report_iteration(p_iteration_id bigint, p_today date DEFAULT ej.today())
    RETURNS TABLE (teacher_id bigint, teacher_name text, groups integer, students integer, left_students integer,
                   ktp_hours numeric, delivered_hours numeric, hours_pct numeric, lessons integer,
                   present_pct numeric, on_time integer, late integer, missing integer, on_time_pct numeric,
                   remarks integer, remarks_open integer)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH f AS (
        SELECT f.teacher_id, min(f.teacher_name) AS teacher_name, count(*)::integer AS groups,
               sum(f.ktp_hours) AS ktp_hours, sum(f.delivered_hours) AS delivered_hours,
               sum(f.lessons)::integer AS lessons
          FROM ej.report_fulfilment f WHERE f.iteration_id = p_iteration_id GROUP BY f.teacher_id
    ), a AS (
        SELECT a.teacher_id, a.marks, a.present
          FROM ej.report_attendance('teacher', p_iteration_id) a
    ), t AS (
        SELECT t.teacher_id, t.lessons, t.on_time, t.late, t.missing
          FROM ej.report_timeliness('teacher', p_iteration_id, p_today) t
    ), st AS (
        SELECT g.teacher_id, count(DISTINCT e.student_id)::integer AS students,
               count(DISTINCT e.student_id) FILTER (WHERE e.left_on IS NOT NULL)::integer AS left_students
          FROM ej.study_group g JOIN ej.enrollment e ON e.group_id = g.id
         WHERE g.iteration_id = p_iteration_id GROUP BY g.teacher_id
    ), rm AS (
        SELECT g.teacher_id, count(*)::integer AS remarks,
               count(*) FILTER (WHERE r.fixed_at IS NULL AND r.closed_at IS NULL)::integer AS remarks_open
          FROM ej.study_group g JOIN ej.remark r ON r.group_id = g.id
         WHERE g.iteration_id = p_iteration_id GROUP BY g.teacher_id
    ), per_teacher AS (
        SELECT f.teacher_id, f.teacher_name, f.groups, coalesce(st.students, 0) AS students,
               coalesce(st.left_students, 0) AS left_students, f.ktp_hours, f.delivered_hours, f.lessons,
               coalesce(a.marks, 0) AS marks, coalesce(a.present, 0) AS present,
               coalesce(t.on_time, 0) AS on_time, coalesce(t.late, 0) AS late, coalesce(t.missing, 0) AS missing,
               coalesce(rm.remarks, 0) AS remarks, coalesce(rm.remarks_open, 0) AS remarks_open
          FROM f
          LEFT JOIN a ON a.teacher_id = f.teacher_id
          LEFT JOIN t ON t.teacher_id = f.teacher_id
          LEFT JOIN st ON st.teacher_id = f.teacher_id
          LEFT JOIN rm ON rm.teacher_id = f.teacher_id
    ), total AS (
        SELECT NULL::bigint AS teacher_id, 'Всего по итерации'::text AS teacher_name,
               sum(groups)::integer AS groups,
               (SELECT count(DISTINCT e.student_id)::integer FROM ej.study_group g
                  JOIN ej.enrollment e ON e.group_id = g.id WHERE g.iteration_id = p_iteration_id) AS students,
               (SELECT count(DISTINCT e.student_id)::integer FROM ej.study_group g
                  JOIN ej.enrollment e ON e.group_id = g.id
                 WHERE g.iteration_id = p_iteration_id AND e.left_on IS NOT NULL) AS left_students,
               sum(ktp_hours) AS ktp_hours, sum(delivered_hours) AS delivered_hours, sum(lessons)::integer AS lessons,
               sum(marks) AS marks, sum(present) AS present, sum(on_time)::integer AS on_time,
               sum(late)::integer AS late, sum(missing)::integer AS missing, sum(remarks)::integer AS remarks,
               sum(remarks_open)::integer AS remarks_open
          FROM per_teacher
        HAVING count(*) > 0
    )
    SELECT x.teacher_id, x.teacher_name, x.groups, x.students, x.left_students, x.ktp_hours, x.delivered_hours,
           round(100.0 * x.delivered_hours / nullif(x.ktp_hours, 0), 1), x.lessons,
           round(100.0 * x.present / nullif(x.marks, 0), 1), x.on_time, x.late, x.missing,
           round(100.0 * x.on_time / nullif(x.lessons + x.missing, 0), 1), x.remarks, x.remarks_open
      FROM (SELECT 0 AS k, * FROM per_teacher UNION ALL SELECT 1, * FROM total) x
     ORDER BY x.k, x.teacher_name
$$;

---------------------------------------------------------------------------------------------
-- Who printed what and when: the fingerprint in every page's footer is a short hash of the
-- printed data, so a paper copy can be matched to the database (and to what changed since).
CREATE TABLE ej.print_fingerprint (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL DEFAULT ej.current_org_id() REFERENCES ej.organization,
    fingerprint     text NOT NULL,
    data_hash       text NOT NULL,
    kind            text NOT NULL,
    title           text NOT NULL,
    iteration_id    bigint,
    quantum_id      bigint,
    group_id        bigint,
    params          jsonb NOT NULL DEFAULT '{}',
    pages           integer NOT NULL,
    printed_by      bigint DEFAULT ej.current_staff_id(),
    printed_login   text NOT NULL DEFAULT session_user,
    printed_at      timestamptz NOT NULL DEFAULT now(),
    received_by     bigint,       -- the deputy director who received the hard copy (regulation)
    received_at     timestamptz,
    CONSTRAINT print_fingerprint_shape CHECK (fingerprint ~ '^[0-9A-F]{4}-[0-9A-F]{4}$'),
    CONSTRAINT print_fingerprint_hash_shape CHECK (data_hash ~ '^[0-9a-f]{64}$' AND left(upper(data_hash), 8)
                                                    = replace(fingerprint, '-', '')),
    CONSTRAINT print_fingerprint_kind_value CHECK (kind IN ('journal', 'group', 'report')),
    CONSTRAINT print_fingerprint_title_len CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    CONSTRAINT print_fingerprint_pages_range CHECK (pages BETWEEN 1 AND 100000),
    CONSTRAINT print_fingerprint_login_len CHECK (length(printed_login) BETWEEN 1 AND 63),
    CONSTRAINT print_fingerprint_group_id_fkey FOREIGN KEY (organization_id, group_id)
        REFERENCES ej.study_group (organization_id, id),
    CONSTRAINT print_fingerprint_iteration_id_fkey FOREIGN KEY (organization_id, iteration_id)
        REFERENCES ej.iteration (organization_id, id),
    CONSTRAINT print_fingerprint_printed_by_fkey FOREIGN KEY (organization_id, printed_by)
        REFERENCES ej.staff (organization_id, id),
    CONSTRAINT print_fingerprint_quantum_id_fkey FOREIGN KEY (organization_id, quantum_id)
        REFERENCES ej.quantum (organization_id, id),
    CONSTRAINT print_fingerprint_received_pair CHECK ((received_by IS NULL) = (received_at IS NULL)),
    CONSTRAINT print_fingerprint_received_by_fkey FOREIGN KEY (organization_id, received_by)
        REFERENCES ej.staff (organization_id, id)
);
COMMENT ON TABLE ej.print_fingerprint IS 'Каждая печать: отпечаток в колонтитуле связывает бумагу с данными базы.';
COMMENT ON COLUMN ej.print_fingerprint.fingerprint IS 'Короткий отпечаток на странице, например 3FA2-91C0: начало data_hash.';
COMMENT ON COLUMN ej.print_fingerprint.data_hash IS 'SHA-256 напечатанных данных.';
COMMENT ON COLUMN ej.print_fingerprint.received_by IS 'Заместитель директора, получивший твёрдую копию (регламент).';
COMMENT ON CONSTRAINT print_fingerprint_received_pair ON ej.print_fingerprint
    IS 'Получение твёрдой копии: кто и когда — вместе.';
CREATE INDEX print_fingerprint_lookup_idx ON ej.print_fingerprint (organization_id, fingerprint);
CREATE INDEX print_fingerprint_printed_by_idx ON ej.print_fingerprint (printed_by);

COMMENT ON CONSTRAINT print_fingerprint_shape ON ej.print_fingerprint
    IS 'Отпечаток печати: восемь шестнадцатеричных знаков через дефис, например 3FA2-91C0.';
COMMENT ON CONSTRAINT print_fingerprint_hash_shape ON ej.print_fingerprint
    IS 'Хеш напечатанных данных: 64 шестнадцатеричных знака, начало которых совпадает с отпечатком.';
COMMENT ON CONSTRAINT print_fingerprint_kind_value ON ej.print_fingerprint
    IS 'Вид печати: journal (журнал квантума), group (журнал группы) или report (отчёт).';
COMMENT ON CONSTRAINT print_fingerprint_title_len ON ej.print_fingerprint
    IS 'Название напечатанного документа: от 1 до 300 символов.';
COMMENT ON CONSTRAINT print_fingerprint_pages_range ON ej.print_fingerprint
    IS 'Число страниц: от 1 до 100000.';
COMMENT ON CONSTRAINT print_fingerprint_login_len ON ej.print_fingerprint
    IS 'Логин того, кто печатал: от 1 до 63 символов.';

SELECT ej.enable_rls('ej.print_fingerprint');
CREATE POLICY owner_all ON ej.print_fingerprint TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.print_fingerprint FOR SELECT TO ej_methodist, ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_own ON ej.print_fingerprint FOR SELECT TO ej_teacher
    USING (printed_by = (SELECT ej.current_staff_id()));
CREATE POLICY print_add ON ej.print_fingerprint FOR INSERT TO ej_teacher, ej_methodist, ej_deputy, ej_director
    WITH CHECK (organization_id = (SELECT ej.current_org_id()) AND printed_by = (SELECT ej.current_staff_id())
                AND printed_login = session_user);
GRANT SELECT, INSERT ON ej.print_fingerprint TO ej_teacher, ej_methodist, ej_deputy, ej_director;
SELECT audit.enable('ej.print_fingerprint');

---------------------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION ej.attendance_code(text, text), ej.academic_year(date),
    ej.report_attendance(text, bigint, bigint, bigint, bigint, date, date),
    ej.report_timeliness(text, bigint, date), ej.report_user_activity(date, date),
    ej.report_numeric(bigint, date[]), ej.report_iteration(bigint, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.attendance_code(text, text), ej.academic_year(date)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
GRANT EXECUTE ON FUNCTION ej.report_attendance(text, bigint, bigint, bigint, bigint, date, date),
    ej.report_timeliness(text, bigint, date), ej.report_user_activity(date, date),
    ej.report_numeric(bigint, date[]), ej.report_iteration(bigint, date)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT SELECT ON ej.attendance_code_legend TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
GRANT SELECT ON ej.report_planned_date, ej.report_group, ej.report_lesson_attendance, ej.report_student_month,
    ej.report_attendance_group_month, ej.report_fulfilment, ej.report_fulfilment_topic
    TO ej_teacher, ej_methodist, ej_deputy, ej_director;
