-- The journal engine's side of the database:
-- * filling vs correcting: the database decides whether a change of a mark is a correction.
--   The first filling of a lesson is the sitting of the person who entered the lesson: the
--   marks they write and rewrite within ej.first_filling_minutes() of entering it are not
--   corrections, so a late lesson filled for the first time needs no reason per mark. Any
--   other change of a saved mark is a correction (late ones need a reason, as before);
-- * one round trip per mark: ej.save_mark does the version check, the reason and the write
--   and returns the saved row, the conflict, or that a reason is needed;
-- * live journals: lessons, marks and enrollments announce the group they changed on the
--   channel ej_journal (payload: table and ids only, never personal data), at most once per
--   group per ej.live_quiet_ms(). Listeners re-read through RLS, so nobody learns of a row they
--   cannot see.
SET LOCAL ROLE ej_owner;

CREATE FUNCTION ej.first_filling_minutes() RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT 120 $$;

-- Is a change of a mark (last written by p_mark_by at p_mark_at) part of the first filling of
-- its lesson (entered by p_lesson_by at p_lesson_at)? Everything is set by triggers from
-- now() and session_user, so no client can claim it.
CREATE FUNCTION ej.first_filling(p_lesson_by bigint, p_lesson_at timestamptz, p_mark_by bigint, p_mark_at timestamptz)
    RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN coalesce(p_mark_by = p_lesson_by
                    AND p_lesson_by = ej.current_staff_id()
                    AND p_mark_at >= p_lesson_at
                    AND now() < p_lesson_at + make_interval(mins => ej.first_filling_minutes()), false);
END $$;

-- One mark in one round trip. p_version: the version the caller saw (NULL: no mark). The
-- reason of a late change is set here, for this transaction only. Outcomes:
--   saved        — the mark is now p_status (NULL: cleared); the row as saved is returned;
--   conflict     — someone changed the mark since p_version; the current row is returned;
--   needs_reason — a late correction, or entering a late lesson (its first filling, one reason
--                  for the lesson, ej.late_lesson_problem), without a reason; nothing was written.
-- `correction`: the write changed a mark saved outside the first filling of its lesson.
-- It runs as the owner (SECURITY DEFINER, as DESIGN.md allows "with an explicit role check
-- inside"): it checks once what the policies of ej.lesson and ej.attendance check per statement
-- (the caller is a teacher and the group is one of theirs: ej.my_group_ids(), not locked), then
-- reads and writes without re-running those helpers per statement. The triggers are the same
-- (rules, who saved, the audit by session_user, the live notice). The version check is the
-- UPDATE's (or DELETE's) own condition, not a row lock taken first: a row changed by another
-- session in between is not updated and is answered as a conflict. Measured (issue 11): a third
-- of the server time of a mark went to the RLS helpers re-run by every statement.
CREATE FUNCTION ej.save_mark(p_group bigint, p_held_on date, p_student bigint, p_status text, p_reason text,
                             p_reason_text text, p_version integer, p_hours numeric, p_late_reason text)
    RETURNS TABLE (outcome text, lesson_id bigint, lesson_version integer, lesson_hours numeric,
                   lesson_filled_at timestamptz, lesson_filled_by_name text, status text, reason text,
                   reason_text text, version integer, updated_by_name text, updated_at timestamptz,
                   correction boolean)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    l        ej.lesson%ROWTYPE;
    a        ej.attendance%ROWTYPE;
    v_found  boolean;
    v_out    text := 'saved';
    v_corr   boolean := false;
    v_first  boolean;
    v_me     bigint := ej.current_staff_id();
    v_text   text := nullif(p_reason_text, '');
BEGIN
    -- what the policies teacher_own of ej.lesson and ej.attendance and the grants check
    IF NOT (CASE WHEN v_me IS NULL
                 THEN coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false)
                 ELSE pg_has_role(session_user, 'ej_teacher', 'USAGE') AND p_group = ANY (ej.my_group_ids()) END) THEN
        RAISE EXCEPTION 'Группа не найдена или недоступна' USING ERRCODE = 'EJ002';
    END IF;
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
    SELECT * INTO a FROM ej.attendance WHERE lesson_id = l.id AND student_id = p_student;
    v_found := FOUND;
    IF (v_found AND (a.status, a.reason, a.reason_text) IS NOT DISTINCT FROM (p_status, p_reason, v_text))
       OR (NOT v_found AND p_status IS NULL) THEN
        NULL;  -- already so (say, a replayed write that had landed): nothing to change
    ELSIF v_found IS DISTINCT FROM (p_version IS NOT NULL) OR (v_found AND a.version <> p_version) THEN
        v_out := 'conflict';
    ELSE
        -- the first filling of the lesson (ej.first_filling, inline); outside it, a change of a
        -- saved mark is a correction, and a late one needs a reason
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
        ELSE
            IF p_status IS NULL THEN
                DELETE FROM ej.attendance WHERE lesson_id = l.id AND student_id = p_student AND version = p_version;
                a := NULL;
            ELSE
                UPDATE ej.attendance SET status = p_status, reason = p_reason, reason_text = v_text
                 WHERE lesson_id = l.id AND student_id = p_student AND version = p_version RETURNING * INTO a;
            END IF;
            IF NOT FOUND THEN
                -- changed or removed by another session since it was read: the current row
                SELECT * INTO a FROM ej.attendance WHERE lesson_id = l.id AND student_id = p_student;
                v_out := 'conflict';
            END IF;
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

-- Live journals: the group of a changed lesson, mark or enrollment, on channel ej_journal.
-- A NOTIFY holds a cluster-wide lock from its commit's start to its end (queue order = commit
-- order), which serialized the commits of concurrent writers (measured: 16 writers 4.6× slower).
-- So a group is announced at most once per ej.live_quiet_ms(); listeners read a group again
-- once more ej.live_quiet_ms() + a margin after a notification (ejournal_tui.db.live), which
-- covers the changes made in the quiet time. NOTIFY folds identical payloads of a transaction.
-- A group being announced by another transaction right now (its row of live.notice locked) is
-- not waited for: the listeners' second reading covers this change too.
CREATE TABLE live.notice (
    group_id    bigint PRIMARY KEY,
    notified_at timestamptz NOT NULL
);
COMMENT ON TABLE live.notice IS 'Когда группе последний раз отправлено уведомление ej_journal (не чаще ej.live_quiet_ms()).';

CREATE FUNCTION ej.live_quiet_ms() RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT 400 $$;

CREATE FUNCTION ej.tg_notify_journal() RETURNS trigger
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
CREATE TRIGGER zy_notify AFTER INSERT OR UPDATE OR DELETE ON ej.lesson
    FOR EACH ROW EXECUTE FUNCTION ej.tg_notify_journal();
CREATE TRIGGER zy_notify AFTER INSERT OR UPDATE OR DELETE ON ej.attendance
    FOR EACH ROW EXECUTE FUNCTION ej.tg_notify_journal();
CREATE TRIGGER zy_notify AFTER INSERT OR UPDATE OR DELETE ON ej.enrollment
    FOR EACH ROW EXECUTE FUNCTION ej.tg_notify_journal();

REVOKE ALL ON FUNCTION ej.live_quiet_ms(), ej.first_filling_minutes(), ej.first_filling(bigint, timestamptz, bigint, timestamptz),
    ej.save_mark(bigint, date, bigint, text, text, text, integer, numeric, text), ej.tg_notify_journal() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.first_filling_minutes(), ej.first_filling(bigint, timestamptz, bigint, timestamptz),
    ej.save_mark(bigint, date, bigint, text, text, text, integer, numeric, text)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
