-- Issue 11, the database side of the budgets (measured with scripts/bench on region data).
-- * Who is asking, found by the index: `login = session_user` compares text with a name, whose
--   collation is "C", so the planner could not use the unique index on staff.login (of the
--   default collation) and every ej.current_staff_id(), ej.current_org_id() and
--   ej.my_group_ids() read all 720 staff rows of the region — ~0.3 ms each, called by every
--   policy and several times by every mark. The same comparison in the default collation
--   (equality of text does not depend on it) is an index lookup.
-- * A mark's rule trigger asks who is asking once, and looks at the first filling only when
--   the lesson is past the edit window (the rule needs it only then); the hot path's date check
--   is written inline (a SQL function with SET search_path is planned anew on every call).
-- * Live journals: a group being announced by another transaction right now is not waited for
--   (its listeners' second reading covers this change, as for one announced a moment ago).
-- * ej.save_mark: no reason is set when none is given and none was set; the first filling is
--   judged inline; the names of who filled and who saved are read in one query.
-- * Filling vs correcting (issue 11), now decided by the database: entering a lesson past the
--   edit window — its first filling — needs this transaction's reason, once for the lesson; the
--   marks of that sitting need none; a correction (a change of a saved mark outside that
--   sitting) needs its own, as before. (Sessions of nobody on the staff — the superuser loading
--   data, a restore — are not a filling.)
SET LOCAL ROLE ej_owner;

CREATE OR REPLACE FUNCTION ej.current_staff_id() RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT id FROM ej.staff WHERE login = session_user::text COLLATE "default" AND NOT is_locked);
END $$;

CREATE OR REPLACE FUNCTION ej.current_org_id() RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT organization_id FROM ej.staff WHERE login = session_user::text COLLATE "default" AND NOT is_locked);
END $$;

CREATE OR REPLACE FUNCTION ej.my_group_ids() RETURNS bigint[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(g.id), '{}')
              FROM ej.study_group g JOIN ej.staff s ON s.id = g.teacher_id
             WHERE s.login = session_user::text COLLATE "default" AND NOT s.is_locked);
END $$;

CREATE OR REPLACE FUNCTION ej.my_student_ids() RETURNS bigint[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT e.student_id), '{}')
              FROM ej.enrollment e JOIN ej.study_group g ON g.id = e.group_id JOIN ej.staff s ON s.id = g.teacher_id
             WHERE s.login = session_user::text COLLATE "default" AND NOT s.is_locked);
END $$;

-- 0019's rule trigger of marks, the same rules (a student not enrolled is told before a missing
-- reason: the reason would not help).
CREATE OR REPLACE FUNCTION ej.tg_attendance() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_me        bigint := ej.current_staff_id();
    v_group     bigint;
    v_org       bigint;
    v_held_on   date;
    v_status    text;
    v_teacher   bigint;
    v_filled_by bigint;
    v_filled_at timestamptz;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.lesson_id <> OLD.lesson_id THEN
        -- moving a mark to another lesson: the old lesson's rules apply too
        PERFORM ej.assert_group_writable(OLD.group_id);
        PERFORM ej.require_reason_for_late((SELECT held_on FROM ej.lesson WHERE id = OLD.lesson_id));
    END IF;
    SELECT l.group_id, g.organization_id, l.held_on, i.status, g.teacher_id, l.filled_by, l.filled_at
      INTO v_group, v_org, v_held_on, v_status, v_teacher, v_filled_by, v_filled_at
      FROM ej.lesson l
      JOIN ej.study_group g ON g.id = l.group_id
      JOIN ej.iteration i ON i.id = g.iteration_id
     WHERE l.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.lesson_id ELSE NEW.lesson_id END;
    IF NOT FOUND AND TG_OP = 'DELETE' THEN
        RETURN OLD;  -- the lesson's own deletion cascades here; its trigger checked the rules
    ELSIF NOT FOUND OR (v_me IS NOT NULL AND v_teacher <> v_me AND TG_OP <> 'DELETE') THEN
        -- another teacher's lesson is "not found", as an id that does not exist (0016)
        RAISE EXCEPTION 'Занятие не найдено' USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF v_status = 'archived' THEN
        RAISE EXCEPTION 'Итерация в архиве: её записи нельзя изменять'
            USING ERRCODE = 'read_only_sql_transaction';
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.student_id <> OLD.student_id OR NEW.lesson_id <> OLD.lesson_id)
       AND NOT EXISTS (SELECT 1 FROM ej.enrollment e
                        WHERE e.group_id = v_group AND e.student_id = NEW.student_id
                          AND e.enrolled_on <= v_held_on AND (e.left_on IS NULL OR e.left_on > v_held_on)) THEN
        RAISE EXCEPTION 'Обучающийся не числится в группе на дату занятия (%)', to_char(v_held_on, 'DD.MM.YYYY')
            USING ERRCODE = 'check_violation';
    END IF;
    -- a change of a saved mark past the edit window needs this transaction's reason, unless it
    -- is part of the first filling (every zone's date is within a day of UTC's: a recent date,
    -- the usual case, is let through without looking up the organization's zone) (ej.first_filling, inline: the sitting of the person who
    -- entered the lesson, within ej.first_filling_minutes() of entering it)
    IF TG_OP <> 'INSERT' AND v_held_on < (now() AT TIME ZONE 'UTC')::date + 1 - ej.edit_window_days()
       AND NOT coalesce(v_me = v_filled_by AND OLD.updated_by = v_me AND OLD.updated_at >= v_filled_at
                        AND now() < v_filled_at + make_interval(mins => ej.first_filling_minutes()), false) THEN
        PERFORM ej.require_reason(v_held_on, 'Занятие прошло');
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.group_id := v_group;
    NEW.organization_id := v_org;
    NEW.updated_by := v_me;
    NEW.updated_at := now();
    NEW.version := CASE WHEN TG_OP = 'UPDATE' THEN OLD.version + 1 ELSE 1 END;
    RETURN NEW;
END $$;

-- The reason of entering a lesson past the edit window: its first filling, one reason for the
-- lesson. NULL when it may be entered as it is.
CREATE FUNCTION ej.late_lesson_problem(p_org bigint, p_held_on date) RETURNS text
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_held_on >= (now() AT TIME ZONE 'UTC')::date + 1 - ej.edit_window_days()
       OR p_held_on >= ej.today(p_org) - ej.edit_window_days()
       OR ej.current_staff_id() IS NULL THEN
        RETURN NULL;
    END IF;
    IF ej.current_reason() IS NULL THEN
        RETURN format('Занятие прошло более %s дней назад: чтобы заполнить его, укажите причину',
                      ej.edit_window_days());
    END IF;
    RETURN ej.reason_problem(ej.current_reason());
END $$;

-- 0018's rule trigger of lessons, and entering a late lesson needs a reason.
CREATE OR REPLACE FUNCTION ej.tg_lesson() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_starts  date;
    v_ends    date;
    v_program bigint;
    v_problem text;
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
    IF TG_OP = 'INSERT' THEN
        v_problem := ej.late_lesson_problem(NEW.organization_id, NEW.held_on);
        IF v_problem IS NOT NULL THEN
            RAISE EXCEPTION '%', v_problem
                USING ERRCODE = 'check_violation', HINT = 'Причина сохраняется в истории изменений.';
        END IF;
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

-- 0019's announcement of a changed group: a group announced a moment ago is seen without locking
-- anything, and a transaction announcing the same group right now (its row of live.notice
-- locked) is not waited for — like a group announced a moment ago, the listeners' second
-- reading covers this change. Concurrent writers of one group no longer queue on that row.
CREATE OR REPLACE FUNCTION ej.tg_notify_journal() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r      record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    v_seen timestamptz;
BEGIN
    SELECT notified_at INTO v_seen FROM live.notice WHERE group_id = r.group_id;
    IF FOUND THEN
        IF v_seen >= clock_timestamp() - make_interval(secs => ej.live_quiet_ms() / 1000.0) THEN
            RETURN NULL;  -- announced a moment ago: the listeners' second reading covers this change
        END IF;
        UPDATE live.notice SET notified_at = clock_timestamp()
         WHERE group_id = (SELECT n.group_id FROM live.notice n WHERE n.group_id = r.group_id FOR UPDATE SKIP LOCKED)
           AND notified_at < clock_timestamp() - make_interval(secs => ej.live_quiet_ms() / 1000.0);
    ELSE
        INSERT INTO live.notice VALUES (r.group_id, clock_timestamp()) ON CONFLICT (group_id) DO NOTHING;
    END IF;
    IF NOT FOUND THEN
        RETURN NULL;  -- being announced by another transaction right now, or just was
    END IF;
    PERFORM pg_notify('ej_journal', TG_TABLE_NAME || ':' || r.organization_id || ':' || r.group_id);
    RETURN NULL;
END $$;

-- 0019's one round trip per mark, cheaper and with the late lesson's reason: a lesson that
-- entering needs a reason (its first filling, past the edit window) answers needs_reason, as a
-- late correction does; nothing is written.
CREATE OR REPLACE FUNCTION ej.save_mark(p_group bigint, p_held_on date, p_student bigint, p_status text, p_reason text,
                                        p_reason_text text, p_version integer, p_hours numeric, p_late_reason text)
    RETURNS TABLE (outcome text, lesson_id bigint, lesson_version integer, lesson_hours numeric,
                   lesson_filled_at timestamptz, lesson_filled_by_name text, status text, reason text,
                   reason_text text, version integer, updated_by_name text, updated_at timestamptz,
                   correction boolean)
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    l        ej.lesson%ROWTYPE;
    a        ej.attendance%ROWTYPE;
    v_found  boolean;
    v_out    text := 'saved';
    v_corr   boolean := false;
    v_first  boolean;
    v_me     bigint;
    v_text   text := nullif(p_reason_text, '');
BEGIN
    IF p_late_reason IS NOT NULL OR coalesce(current_setting('ej.reason', true), '') <> '' THEN
        PERFORM ej.set_reason(p_late_reason);  -- this transaction's reason (0018), or none
    END IF;
    SELECT * INTO l FROM ej.lesson WHERE group_id = p_group AND held_on = p_held_on;
    IF NOT FOUND THEN
        IF p_held_on < (now() AT TIME ZONE 'UTC')::date + 1 - ej.edit_window_days() AND ej.late_lesson_problem(
               (SELECT g.organization_id FROM ej.study_group g WHERE g.id = p_group), p_held_on) IS NOT NULL THEN
            RETURN QUERY SELECT 'needs_reason', NULL::bigint, NULL::integer, NULL::numeric, NULL::timestamptz,
                                NULL::text, NULL::text, NULL::text, NULL::text, NULL::integer, NULL::text,
                                NULL::timestamptz, false;
            RETURN;
        END IF;
        INSERT INTO ej.lesson (group_id, held_on, hours) VALUES (p_group, p_held_on, coalesce(p_hours, 2))
            ON CONFLICT (group_id, held_on) DO NOTHING RETURNING * INTO l;
        IF NOT FOUND THEN
            SELECT * INTO l FROM ej.lesson WHERE group_id = p_group AND held_on = p_held_on;
        END IF;
    END IF;
    SELECT * INTO a FROM ej.attendance WHERE lesson_id = l.id AND student_id = p_student FOR UPDATE;
    v_found := FOUND;
    IF (v_found AND (a.status, a.reason, a.reason_text) IS NOT DISTINCT FROM (p_status, p_reason, v_text))
       OR (NOT v_found AND p_status IS NULL) THEN
        NULL;  -- already so (say, a replayed write that had landed): nothing to change
    ELSIF v_found IS DISTINCT FROM (p_version IS NOT NULL) OR (v_found AND a.version <> p_version) THEN
        v_out := 'conflict';
    ELSE
        -- the first filling of the lesson (ej.first_filling, inline); outside it, a change of a
        -- saved mark is a correction, and a late one needs a reason
        v_me := ej.current_staff_id();
        v_first := coalesce(v_me = l.filled_by AND a.updated_by = v_me AND a.updated_at >= l.filled_at
                            AND now() < l.filled_at + make_interval(mins => ej.first_filling_minutes()), false);
        v_corr := v_found AND NOT v_first;
        IF v_corr AND p_held_on < (now() AT TIME ZONE 'UTC')::date + 1 - ej.edit_window_days()
           AND p_held_on < ej.today(l.organization_id) - ej.edit_window_days()
           AND ej.reason_problem(p_late_reason) IS NOT NULL THEN
            v_out := 'needs_reason';
        ELSIF NOT v_found THEN
            INSERT INTO ej.attendance (lesson_id, student_id, status, reason, reason_text)
            VALUES (l.id, p_student, p_status, p_reason, v_text)
            ON CONFLICT (lesson_id, student_id) DO NOTHING RETURNING * INTO a;
            IF NOT FOUND THEN
                SELECT * INTO a FROM ej.attendance WHERE lesson_id = l.id AND student_id = p_student;
                v_out := 'conflict';
            END IF;
        ELSIF p_status IS NULL THEN
            DELETE FROM ej.attendance WHERE lesson_id = l.id AND student_id = p_student;
            a := NULL;
        ELSE
            UPDATE ej.attendance SET status = p_status, reason = p_reason, reason_text = v_text
             WHERE lesson_id = l.id AND student_id = p_student RETURNING * INTO a;
        END IF;
    END IF;
    RETURN QUERY
        SELECT v_out, l.id, l.version, l.hours, l.filled_at, n.filled_by_name,
               a.status, a.reason, a.reason_text, a.version, n.updated_by_name,
               a.updated_at, v_corr AND v_out = 'saved'
          FROM (SELECT max(s.full_name) FILTER (WHERE s.id = l.filled_by) AS filled_by_name,
                       max(s.full_name) FILTER (WHERE s.id = a.updated_by) AS updated_by_name
                  FROM ej.staff s WHERE s.id IN (l.filled_by, a.updated_by)) n;
END $$;

REVOKE ALL ON FUNCTION ej.late_lesson_problem(bigint, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.late_lesson_problem(bigint, date)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
