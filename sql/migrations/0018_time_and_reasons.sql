-- Issue 10, findings 12 and 6.
-- * Time in the organization's zone: every organization has an IANA time zone; "today", the
--   3-day edit window and "overdue" are computed in it by ej.today(), never from the session's
--   TimeZone or current_date. Every rule, default and report of 0004–0012 that read
--   current_date is re-stated below with that one change.
-- * Reasons that mean something: a late-correction reason belongs to the transaction that set
--   it (ej.set_reason stores the transaction id beside it; a session-wide SET ej.reason counts
--   for nothing), it is required for every dated journal record (briefings, their students,
--   events, achievements as well as lessons and marks), and it must be a phrase
--   (ej.reason_problem, the one place of that rule).
-- * Times that record what happened (a remark fixed or closed, a schedule approved, an
--   iteration archived, a printout made) come from the server clock, whatever the client sends.
SET LOCAL ROLE ej_owner;

---------------------------------------------------------------------------------------------
-- Time zones.

CREATE FUNCTION ej.is_time_zone(p_name text) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_name) $$;

-- The default is the zone of the technoparks the journal was written for; ej.org_time_zone
-- falls back to the same name for a session of no organization (the owner, a superuser).
ALTER TABLE ej.organization ADD COLUMN time_zone text NOT NULL DEFAULT 'Europe/Moscow';
ALTER TABLE ej.organization ADD CONSTRAINT organization_time_zone_value CHECK (ej.is_time_zone(time_zone));
COMMENT ON CONSTRAINT organization_time_zone_value ON ej.organization
    IS 'Часовой пояс организации: название из базы IANA, например Europe/Moscow или Asia/Vladivostok.';

CREATE FUNCTION ej.org_time_zone(p_org bigint) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN coalesce((SELECT time_zone FROM ej.organization WHERE id = p_org), 'Europe/Moscow'); END $$;

-- A copy of the database held at a past date (the fixed data of screen tests, a demonstration):
-- ALTER DATABASE … SET ej.today = 'YYYY-MM-DD', which only the database's owner or a superuser
-- may do. It is read from the catalog, not from the session's settings, so no session moves its
-- own "today" with SET; and ej.today() only ever goes back with it, never forward.
CREATE FUNCTION ej.frozen_today() RETURNS date
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT substr(c, length('ej.today=') + 1)::date
              FROM pg_db_role_setting d CROSS JOIN unnest(d.setconfig) c
             WHERE d.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND d.setrole = 0 AND c LIKE 'ej.today=%');
END $$;

-- The organization's date now. AT TIME ZONE with a zone name does not depend on the session's
-- TimeZone, so no client setting moves it.
CREATE FUNCTION ej.today(p_org bigint) RETURNS date
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN least((now() AT TIME ZONE ej.org_time_zone(p_org))::date, ej.frozen_today()); END $$;

-- Today of the caller's organization: the default of every "as of today" parameter.
CREATE FUNCTION ej.today() RETURNS date
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN ej.today(ej.current_org_id()); END $$;

-- The organization's date of a moment (when a lesson was filled in, say).
CREATE FUNCTION ej.local_date(p_at timestamptz, p_org bigint) RETURNS date
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN (p_at AT TIME ZONE ej.org_time_zone(p_org))::date; END $$;

---------------------------------------------------------------------------------------------
-- Reasons.

-- What is wrong with a reason given for a late correction, in words for the person; NULL when
-- it will do. A reason is a phrase: at least two words, ten letters, five different letters —
-- so "...", "ааааааааааа", "abc" and "ок" are refused.
CREATE FUNCTION ej.reason_problem(p_reason text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
    WITH r AS (SELECT coalesce(btrim(p_reason), '') AS t,
                      regexp_replace(coalesce(p_reason, ''), '[^A-Za-zА-ЯЁа-яё]', '', 'g') AS letters)
    SELECT CASE
               WHEN r.t = '' THEN 'Укажите причину исправления.'
               WHEN length(r.letters) < 10
                 OR (SELECT count(*) FROM regexp_split_to_table(r.t, '[^A-Za-zА-ЯЁа-яё]+') w
                      WHERE length(w) >= 2) < 2
                 OR (SELECT count(DISTINCT c) FROM regexp_split_to_table(r.letters, '') c) < 5
               THEN 'Причина исправления — это фраза не короче двух слов и 10 букв, '
                    'например «ошибка при вводе, исправлено по списку группы».'
           END
      FROM r
$$;

-- The reason of this transaction: ej.set_reason() keeps the transaction id beside the text, and
-- a value set for the whole session (SET ej.reason …) or left by another transaction is none.
CREATE OR REPLACE FUNCTION ej.set_reason(p_reason text) RETURNS void
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT set_config('ej.reason_xact', txid_current()::text, true),
           set_config('ej.reason', coalesce(p_reason, ''), true)
$$;

-- PL/pgSQL, like the other helpers of the write path: its plan is kept for the session (a SQL
-- function called from a trigger is planned on every call).
CREATE FUNCTION ej.current_reason() RETURNS text
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF coalesce(current_setting('ej.reason', true), '') = '' THEN  -- the usual case, cheap
        RETURN NULL;
    END IF;
    IF current_setting('ej.reason_xact', true) IS DISTINCT FROM txid_current()::text THEN
        RETURN NULL;
    END IF;
    RETURN nullif(btrim(current_setting('ej.reason', true)), '');
END $$;

-- A record dated more than the edit window before the organization's today needs this
-- transaction's reason, and a real one. p_subject starts the message («Занятие прошло»).
CREATE FUNCTION ej.require_reason(p_held_on date, p_subject text) RETURNS void
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_problem text;
BEGIN
    -- Every zone's date is within a day of UTC's: a recent date needs no lookup (the hot path).
    IF p_held_on IS NULL OR p_held_on >= (now() AT TIME ZONE 'UTC')::date + 1 - ej.edit_window_days()
       OR p_held_on >= ej.today() - ej.edit_window_days() THEN
        RETURN;
    END IF;
    v_problem := ej.reason_problem(ej.current_reason());
    IF v_problem IS NULL THEN
        RETURN;
    END IF;
    IF ej.current_reason() IS NULL THEN
        RAISE EXCEPTION '% более % дней назад: для исправления укажите причину', p_subject, ej.edit_window_days()
            USING ERRCODE = 'check_violation', HINT = 'Причина сохраняется в истории изменений.';
    END IF;
    RAISE EXCEPTION '% более % дней назад. %', p_subject, ej.edit_window_days(), v_problem
        USING ERRCODE = 'check_violation', HINT = 'Причина сохраняется в истории изменений.';
END $$;

-- Lessons and marks (called on every change of a mark): the recent date, the usual case, is let
-- through here without a second function call.
CREATE OR REPLACE FUNCTION ej.require_reason_for_late(p_held_on date) RETURNS void
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_held_on < (now() AT TIME ZONE 'UTC')::date + 1 - ej.edit_window_days() THEN
        PERFORM ej.require_reason(p_held_on, 'Занятие прошло');
    END IF;
END $$;

-- Briefings (and who attended them), events and achievements: adding, changing or removing one
-- dated more than the edit window ago is a late correction too. Not SECURITY DEFINER: a briefing
-- the caller cannot see has no date here (and RLS refuses the row), so nothing is told about it.
CREATE FUNCTION ej.tg_record_late() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_subject constant text := CASE TG_TABLE_NAME WHEN 'event' THEN 'Мероприятие прошло'
                                                  WHEN 'achievement' THEN 'Достижение получено'
                                                  ELSE 'Инструктаж проведён' END;
BEGIN
    IF TG_TABLE_NAME = 'safety_briefing_student' THEN  -- compiled per table: briefing_id exists here
        IF TG_OP <> 'INSERT' THEN
            PERFORM ej.require_reason((SELECT held_on FROM ej.safety_briefing WHERE id = OLD.briefing_id), v_subject);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM ej.require_reason((SELECT held_on FROM ej.safety_briefing WHERE id = NEW.briefing_id), v_subject);
        END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN
            PERFORM ej.require_reason(OLD.held_on, v_subject);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM ej.require_reason(NEW.held_on, v_subject);
        END IF;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['safety_briefing', 'safety_briefing_student', 'event', 'achievement'] LOOP
        EXECUTE format('CREATE TRIGGER b_late BEFORE INSERT OR UPDATE OR DELETE ON ej.%I '
                       'FOR EACH ROW EXECUTE FUNCTION ej.tg_record_late()', t);
    END LOOP;
END $$;

-- The audit log keeps this transaction's reason only (was: any ej.reason of the session).
CREATE OR REPLACE FUNCTION audit.log_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    o   jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    n   jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    r   jsonb := coalesce(n, o);
    k   jsonb := '{}';
    col text;
BEGIN
    FOREACH col IN ARRAY TG_ARGV LOOP
        k := k || jsonb_build_object(col, r -> col);
    END LOOP;
    INSERT INTO audit.log (organization_id, group_id, table_name, op, row_key, old_row, new_row, reason)
    VALUES (
        CASE WHEN TG_TABLE_NAME = 'organization' THEN r ->> 'id' ELSE r ->> 'organization_id' END::bigint,
        CASE WHEN TG_TABLE_NAME = 'study_group' THEN r ->> 'id' ELSE r ->> 'group_id' END::bigint,
        TG_TABLE_NAME, TG_OP, k, o, n,
        CASE WHEN coalesce(current_setting('ej.reason', true), '') <> '' THEN ej.current_reason() END);
    RETURN NULL;
END $$;

---------------------------------------------------------------------------------------------
-- Times that record what happened: the server's clock, not the client's word. (Who did it is
-- set by the triggers of 0009; these run after them.)
CREATE FUNCTION ej.tg_server_times() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME = 'remark' THEN  -- compiled per table: each branch names its own columns
        IF TG_OP = 'INSERT' OR NEW.fixed_at IS DISTINCT FROM OLD.fixed_at THEN
            NEW.fixed_at := CASE WHEN NEW.fixed_at IS NOT NULL THEN now() END;
        END IF;
        IF TG_OP = 'INSERT' OR NEW.closed_at IS DISTINCT FROM OLD.closed_at THEN
            NEW.closed_at := CASE WHEN NEW.closed_at IS NOT NULL THEN now() END;
        END IF;
    ELSIF TG_TABLE_NAME = 'iteration' THEN
        IF TG_OP = 'INSERT' OR NEW.schedule_approved_at IS DISTINCT FROM OLD.schedule_approved_at THEN
            NEW.schedule_approved_at := CASE WHEN NEW.schedule_approved_at IS NOT NULL THEN now() END;
        END IF;
        IF TG_OP = 'INSERT' OR NEW.archived_at IS DISTINCT FROM OLD.archived_at THEN
            NEW.archived_at := CASE WHEN NEW.archived_at IS NOT NULL THEN now() END;
        END IF;
    ELSIF TG_TABLE_NAME = 'print_fingerprint' THEN
        IF TG_OP = 'INSERT' OR NEW.printed_at IS DISTINCT FROM OLD.printed_at THEN
            NEW.printed_at := now();
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER c_server_times BEFORE INSERT OR UPDATE ON ej.remark
    FOR EACH ROW EXECUTE FUNCTION ej.tg_server_times();
CREATE TRIGGER c_server_times BEFORE INSERT OR UPDATE ON ej.iteration
    FOR EACH ROW EXECUTE FUNCTION ej.tg_server_times();
CREATE TRIGGER c_server_times BEFORE INSERT OR UPDATE ON ej.print_fingerprint
    FOR EACH ROW EXECUTE FUNCTION ej.tg_server_times();

---------------------------------------------------------------------------------------------
-- Everything that read current_date, re-stated with the organization's date (only that changed;
-- in the timeliness reports also "the day it was filled in", which was the session's date of
-- filled_at).

-- from 0004_rules.sql
CREATE OR REPLACE FUNCTION ej.tg_lesson() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_starts  date;
    v_ends    date;
    v_program bigint;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM ej.require_reason_for_late(OLD.held_on);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    SELECT i.starts_on, i.ends_on, g.program_id INTO v_starts, v_ends, v_program
      FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id WHERE g.id = NEW.group_id;
    IF NEW.held_on < v_starts OR NEW.held_on > v_ends THEN
        RAISE EXCEPTION 'Дата занятия вне периода итерации (% — %)',
            to_char(v_starts, 'DD.MM.YYYY'), to_char(v_ends, 'DD.MM.YYYY')
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.held_on > ej.today(NEW.organization_id) THEN
        RAISE EXCEPTION 'Нельзя заполнить занятие, которое ещё не прошло (%)', to_char(NEW.held_on, 'DD.MM.YYYY')
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.topic_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM ej.program_topic WHERE id = NEW.topic_id AND program_id = v_program) THEN
        RAISE EXCEPTION 'Тема не из программы этой группы' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.filled_by := ej.current_staff_id();
        NEW.filled_at := now();
        NEW.version := 1;
    ELSE
        IF NEW.group_id <> OLD.group_id THEN
            RAISE EXCEPTION 'Занятие нельзя перенести в другую группу' USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.held_on <> OLD.held_on AND EXISTS (
               SELECT 1 FROM ej.attendance a
                WHERE a.lesson_id = OLD.id
                  AND NOT EXISTS (SELECT 1 FROM ej.enrollment e
                                   WHERE e.group_id = NEW.group_id AND e.student_id = a.student_id
                                     AND e.enrolled_on <= NEW.held_on
                                     AND (e.left_on IS NULL OR e.left_on > NEW.held_on))) THEN
            RAISE EXCEPTION 'Не все отмеченные на занятии обучающиеся числились в группе на %',
                to_char(NEW.held_on, 'DD.MM.YYYY') USING ERRCODE = 'check_violation', HINT = 'Проверьте дату занятия или даты зачисления.';
        END IF;
        NEW.filled_by := OLD.filled_by;
        NEW.filled_at := OLD.filled_at;
        NEW.version := OLD.version + 1;
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END $$;

-- from 0007_teacher_journal.sql
CREATE OR REPLACE FUNCTION ej.lessons_due(p_today date DEFAULT ej.today())
    RETURNS TABLE (group_id bigint, group_name text, held_on date, lesson_id bigint,
                   days_overdue integer, missing text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH mine AS (
        SELECT g.id, g.name
          FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id
         WHERE g.teacher_id = (SELECT ej.current_staff_id()) AND i.status IN ('active', 'closed')
    ), dates AS (
        SELECT p.group_id, p.held_on FROM ej.planned_lesson p
         WHERE p.group_id IN (SELECT id FROM mine) AND p.held_on < p_today - ej.edit_window_days()
        UNION
        SELECT l.group_id, l.held_on FROM ej.lesson l
         WHERE l.group_id IN (SELECT id FROM mine) AND l.held_on < p_today - ej.edit_window_days()
    ), state AS (
        SELECT d.group_id, d.held_on, l.id AS lesson_id,
               l.topic_id IS NULL AND l.topic IS NULL AS no_topic,
               (SELECT count(*) FROM ej.enrollment e
                 WHERE e.group_id = d.group_id AND e.enrolled_on <= d.held_on
                   AND (e.left_on IS NULL OR e.left_on > d.held_on))
             - (SELECT count(*) FROM ej.attendance a WHERE a.lesson_id = l.id) AS no_mark
          FROM dates d
          LEFT JOIN ej.lesson l ON l.group_id = d.group_id AND l.held_on = d.held_on
    )
    SELECT s.group_id, m.name, s.held_on, s.lesson_id, (p_today - s.held_on) - ej.edit_window_days(),
           CASE WHEN s.lesson_id IS NULL THEN 'занятие не заполнено'
                WHEN s.no_topic AND s.no_mark > 0 THEN 'нет темы и ' || s.no_mark || ' отметок'
                WHEN s.no_topic THEN 'нет темы'
                ELSE 'нет ' || s.no_mark || ' отметок' END
      FROM state s JOIN mine m ON m.id = s.group_id
     WHERE s.lesson_id IS NULL OR s.no_topic OR s.no_mark > 0
     ORDER BY s.held_on, m.name
$$;

-- from 0008_reports.sql
CREATE OR REPLACE FUNCTION ej.report_timeliness(p_by text DEFAULT 'teacher', p_iteration_id bigint DEFAULT NULL,
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
            USING ERRCODE = 'invalid_parameter_value';
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

-- from 0008_reports.sql
CREATE OR REPLACE VIEW ej.report_fulfilment WITH (security_invoker = true) AS
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
         FROM ej.group_topic t WHERE t.group_id = r.group_id) k  -- an archived term's own КТП (0016)
 CROSS JOIN LATERAL (
       SELECT count(*)::integer AS lessons, coalesce(sum(l.hours), 0) AS hours,
              count(DISTINCT l.topic_id)::integer AS topics_covered,
              count(*) FILTER (WHERE l.topic_id IS NULL)::integer AS free_lessons
         FROM ej.lesson l WHERE l.group_id = r.group_id) d
 CROSS JOIN LATERAL (
       SELECT count(*)::integer AS planned_lessons,
              count(*) FILTER (WHERE p.held_on <= ej.today(r.organization_id))::integer AS planned_to_date
         FROM ej.report_planned_date p WHERE p.group_id = r.group_id) s;

-- from 0008_reports.sql
CREATE OR REPLACE FUNCTION ej.report_user_activity(p_from date DEFAULT NULL, p_to date DEFAULT NULL)
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

-- ej.report_numeric: defined once, in 0021 (the academic year, the archived copy, ej.today()).

-- from 0008_reports.sql
CREATE OR REPLACE FUNCTION ej.report_iteration(p_iteration_id bigint, p_today date DEFAULT ej.today())
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

-- ej.archive_problems: defined once, in 0020 (plural forms, ej.today()).

-- from 0010_methodist_work.sql
CREATE OR REPLACE FUNCTION ej.weekly_analysis(p_week date, p_today date DEFAULT ej.today())
    RETURNS TABLE (teacher_id bigint, teacher_name text, planned integer, filled_on_time integer,
                   filled_late integer, not_filled integer, no_topic integer, attendance_pct numeric)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH week AS (
        SELECT p_week AS d0, least(p_week + 6, p_today) AS d1
    ), groups AS (
        SELECT g.id, g.teacher_id FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id
         WHERE i.status IN ('active', 'closed')
    ), dates AS (
        SELECT p.group_id, p.held_on FROM ej.planned_lesson p, week w
         WHERE p.group_id IN (SELECT id FROM groups) AND p.held_on BETWEEN w.d0 AND w.d1
        UNION
        SELECT l.group_id, l.held_on FROM ej.lesson l, week w
         WHERE l.group_id IN (SELECT id FROM groups) AND l.held_on BETWEEN w.d0 AND w.d1
    ), per_lesson AS (
        SELECT g.teacher_id, d.held_on, l.id AS lesson_id, ej.local_date(l.filled_at, l.organization_id) AS filled_on, l.topic IS NULL AND l.topic_id IS NULL AS no_topic
          FROM dates d JOIN groups g ON g.id = d.group_id
          LEFT JOIN ej.lesson l ON l.group_id = d.group_id AND l.held_on = d.held_on
    ), marks AS (
        SELECT g.teacher_id, count(*) FILTER (WHERE a.status = 'present') AS present, count(*) AS total
          FROM ej.attendance a JOIN ej.lesson l ON l.id = a.lesson_id JOIN groups g ON g.id = a.group_id, week w
         WHERE a.group_id IN (SELECT id FROM groups) AND l.held_on BETWEEN w.d0 AND w.d1
         GROUP BY g.teacher_id
    )
    SELECT t.id, t.full_name,
           count(pl.held_on)::integer,
           count(*) FILTER (WHERE pl.filled_on <= pl.held_on + ej.edit_window_days())::integer,
           count(*) FILTER (WHERE pl.filled_on > pl.held_on + ej.edit_window_days())::integer,
           count(*) FILTER (WHERE pl.lesson_id IS NULL AND pl.held_on + ej.edit_window_days() < p_today)::integer,
           count(*) FILTER (WHERE pl.lesson_id IS NOT NULL AND pl.no_topic)::integer,
           round(100.0 * min(m.present) / nullif(min(m.total), 0), 1)
      FROM per_lesson pl
      JOIN ej.staff t ON t.id = pl.teacher_id
      LEFT JOIN marks m ON m.teacher_id = pl.teacher_id
     GROUP BY t.id, t.full_name
     ORDER BY t.full_name
$$;

-- from 0010_methodist_work.sql
CREATE OR REPLACE FUNCTION ej.schedule_warnings(p_today date DEFAULT ej.today())
    RETURNS TABLE (iteration_id bigint, iteration_name text, starts_on date, days_left integer)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT id, name, starts_on, starts_on - p_today
      FROM ej.iteration
     WHERE schedule_approved_at IS NULL AND status IN ('planned', 'active') AND starts_on - p_today < 7
     ORDER BY starts_on
$$;

-- from 0011_paper_sections.sql
CREATE OR REPLACE FUNCTION ej.briefing_missing(p_today date DEFAULT ej.today())
    RETURNS TABLE (group_id bigint, group_name text, student_id bigint, student_name text, enrolled_on date)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT g.id, g.name, s.id, s.last_name || ' ' || s.first_name, e.enrolled_on
      FROM ej.study_group g
      JOIN ej.iteration i ON i.id = g.iteration_id
      JOIN ej.enrollment e ON e.group_id = g.id
      JOIN ej.student s ON s.id = e.student_id
     WHERE i.status = 'active'
       AND e.enrolled_on <= p_today AND (e.left_on IS NULL OR e.left_on > p_today)
       AND NOT EXISTS (SELECT 1 FROM ej.safety_briefing_student bs
                         JOIN ej.safety_briefing b ON b.id = bs.briefing_id
                        WHERE b.group_id = g.id AND bs.student_id = s.id AND b.kind = 'вводный')
     ORDER BY g.name, s.last_name, s.first_name
$$;

-- from 0011_paper_sections.sql
CREATE OR REPLACE FUNCTION ej.clearance_missing(p_today date DEFAULT ej.today())
    RETURNS TABLE (group_id bigint, group_name text, student_id bigint, student_name text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT g.id, g.name, s.id, s.last_name || ' ' || s.first_name
      FROM ej.study_group g
      JOIN ej.iteration i ON i.id = g.iteration_id
      JOIN ej.enrollment e ON e.group_id = g.id
      JOIN ej.student s ON s.id = e.student_id
     WHERE i.status = 'active' AND NOT s.medical_clearance
       AND e.enrolled_on <= p_today AND (e.left_on IS NULL OR e.left_on > p_today)
     ORDER BY g.name, s.last_name, s.first_name
$$;

-- from 0012_admin_screens.sql
CREATE OR REPLACE FUNCTION ej.control_dashboard(p_by text, p_iteration_id bigint, p_today date DEFAULT ej.today(),
                                     p_teacher_id bigint DEFAULT NULL, p_quantum_id bigint DEFAULT NULL)
    RETURNS TABLE (key_id bigint, name text, detail text, groups integer, lessons integer, with_topic integer,
                   topics_pct numeric, hours_pct numeric, present_pct numeric, on_time integer, late integer,
                   missing integer, on_time_pct numeric, remarks_open integer)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_by IS NULL OR p_by NOT IN ('teacher', 'quantum', 'group') THEN
        RAISE EXCEPTION 'Разрез панели контроля: teacher, quantum или group' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    WITH g AS (
        SELECT r.* FROM ej.report_group r
         WHERE r.iteration_id = p_iteration_id
           AND (p_teacher_id IS NULL OR r.teacher_id = p_teacher_id)
           AND (p_quantum_id IS NULL OR r.quantum_id = p_quantum_id)
    ), per_group AS (
        SELECT g.group_id, g.group_name, g.teacher_id, g.teacher_name, g.quantum_id, g.quantum_name,
               coalesce(l.lessons, 0) AS lessons, coalesce(l.with_topic, 0) AS with_topic,
               coalesce(l.hours, 0) AS hours, k.ktp_hours, coalesce(a.marks, 0) AS marks,
               coalesce(a.present, 0) AS present, coalesce(t.on_time, 0) AS on_time, coalesce(t.late, 0) AS late,
               coalesce(t.missing, 0) AS missing, coalesce(rm.open, 0) AS remarks_open
          FROM g
          LEFT JOIN LATERAL (
                SELECT count(*)::integer AS lessons,
                       count(*) FILTER (WHERE x.topic_id IS NOT NULL OR x.topic IS NOT NULL)::integer AS with_topic,
                       sum(x.hours) AS hours
                  FROM ej.lesson x WHERE x.group_id = g.group_id AND x.held_on <= p_today) l ON true
          LEFT JOIN LATERAL (
                SELECT sum(pt.hours) AS ktp_hours FROM ej.program_topic pt WHERE pt.program_id = g.program_id) k ON true
          LEFT JOIN LATERAL (
                SELECT count(*)::integer AS marks, count(*) FILTER (WHERE am.status = 'present')::integer AS present
                  FROM ej.attendance am WHERE am.group_id = g.group_id) a ON true
          LEFT JOIN LATERAL (
                SELECT count(*) FILTER (WHERE rr.closed_at IS NULL)::integer AS open
                  FROM ej.remark rr WHERE rr.group_id = g.group_id) rm ON true
          LEFT JOIN ej.report_timeliness('group', p_iteration_id, p_today) t ON t.group_id = g.group_id
    )
    SELECT CASE p_by WHEN 'teacher' THEN pg.teacher_id WHEN 'quantum' THEN pg.quantum_id ELSE pg.group_id END,
           min(CASE p_by WHEN 'teacher' THEN pg.teacher_name WHEN 'quantum' THEN pg.quantum_name
                         ELSE pg.group_name END),
           CASE p_by WHEN 'group' THEN min(pg.teacher_name)
                     WHEN 'teacher' THEN string_agg(DISTINCT pg.quantum_name, ', ')
                     ELSE count(DISTINCT pg.teacher_id) || ' пед.' END,
           count(*)::integer, sum(pg.lessons)::integer, sum(pg.with_topic)::integer,
           round(100.0 * sum(pg.with_topic) / nullif(sum(pg.lessons), 0), 1),
           round(100.0 * sum(pg.hours) / nullif(sum(pg.ktp_hours), 0), 1),
           round(100.0 * sum(pg.present) / nullif(sum(pg.marks), 0), 1),
           sum(pg.on_time)::integer, sum(pg.late)::integer, sum(pg.missing)::integer,
           round(100.0 * sum(pg.on_time) / nullif(sum(pg.on_time) + sum(pg.late) + sum(pg.missing), 0), 1),
           sum(pg.remarks_open)::integer
      FROM per_group pg
     GROUP BY 1
     ORDER BY 2;
END $$;

-- from 0012_admin_screens.sql
CREATE OR REPLACE FUNCTION ej.duty_reminders(p_today date DEFAULT ej.today())
    RETURNS TABLE (kind text, iteration_id bigint, message text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'schedule', w.iteration_id,
           CASE WHEN w.days_left > 0
                THEN format('Итерация «%s» начинается %s (через %s дн.): расписание и нагрузка не утверждены директором',
                            w.iteration_name, to_char(w.starts_on, 'DD.MM.YYYY'), w.days_left)
                ELSE format('Итерация «%s» началась %s, а расписание и нагрузка не утверждены директором',
                            w.iteration_name, to_char(w.starts_on, 'DD.MM.YYYY')) END
      FROM ej.schedule_warnings(p_today) w
    UNION ALL
    SELECT 'rollover', i.id,
           format('Итерация «%s» заканчивается %s, а следующей нет: переведите журнал на новую итерацию '
                  '(за неделю до её начала)', i.name, to_char(i.ends_on, 'DD.MM.YYYY'))
      FROM ej.iteration i
     WHERE i.status = 'active' AND i.ends_on - p_today <= 21
       AND NOT EXISTS (SELECT 1 FROM ej.iteration n WHERE n.organization_id = i.organization_id
                                                     AND n.starts_on > i.ends_on)
    UNION ALL
    SELECT 'archive', i.id,
           format('Итерация «%s» закончилась %s: выполните архивацию журнала', i.name, to_char(i.ends_on, 'DD.MM.YYYY'))
      FROM ej.iteration i
     WHERE i.status IN ('active', 'closed') AND i.ends_on < p_today
    UNION ALL
    SELECT 'analysis', NULL,
           format('Анализ ведения журнала за неделю %s – %s не размещён на доске информации',
                  to_char(w.monday, 'DD.MM'), to_char(w.monday + 6, 'DD.MM.YYYY'))
      FROM (SELECT date_trunc('week', p_today)::date - 7 AS monday) w
     WHERE EXISTS (SELECT 1 FROM ej.iteration i WHERE i.status = 'active' AND i.starts_on <= w.monday + 6)
       AND NOT EXISTS (SELECT 1 FROM ej.board_post b WHERE b.organization_id = (SELECT ej.current_org_id())
                                                       AND b.week_of >= w.monday)
$$;

REVOKE ALL ON FUNCTION ej.is_time_zone(text), ej.org_time_zone(bigint), ej.frozen_today(), ej.today(bigint), ej.today(),
    ej.local_date(timestamptz, bigint), ej.reason_problem(text), ej.current_reason(),
    ej.require_reason(date, text), ej.tg_record_late(), ej.tg_server_times() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.is_time_zone(text), ej.org_time_zone(bigint), ej.frozen_today(), ej.today(bigint), ej.today(),
    ej.local_date(timestamptz, bigint), ej.reason_problem(text), ej.current_reason(), ej.require_reason(date, text)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
