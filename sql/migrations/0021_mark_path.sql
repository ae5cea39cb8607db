-- Issue 11, the cost of one mark in the server (measured with track_functions on region data:
-- of ~0.9 ms of server time per mark, a third went to the row-level security helpers that every
-- statement of ej.save_mark evaluated again — ej.my_group_ids() four times, ej.current_org_id()
-- once for the names — and the row lock of SELECT … FOR UPDATE wrote a WAL record of its own
-- before the UPDATE wrote the row).
-- * ej.save_mark runs as the owner (SECURITY DEFINER, as DESIGN.md allows "with an explicit role
--   check inside"): it checks once what the policies of ej.lesson and ej.attendance check per
--   statement — the caller is a teacher and the group is one of theirs (ej.my_group_ids(): the
--   group's teacher, not locked) — and then reads and writes without RLS. The triggers are the
--   same (the rules, who saved, the audit with session_user, the live notice). The superuser
--   (loading data, a restore) may, as RLS lets it.
-- * The version check is the UPDATE's (or DELETE's) own condition instead of a row lock taken
--   first: a row changed by another session in between is not updated, and is answered as a
--   conflict, as before.
SET LOCAL ROLE ej_owner;

CREATE OR REPLACE FUNCTION ej.save_mark(p_group bigint, p_held_on date, p_student bigint, p_status text, p_reason text,
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
        RAISE EXCEPTION 'Группа не найдена или недоступна' USING ERRCODE = 'insufficient_privilege';
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
