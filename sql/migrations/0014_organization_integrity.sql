-- Issue 10 (findings 3, 7, 8): rules that say nothing about rows the caller cannot see, and the
-- iteration's life kept by the database. (References that stay inside one organization are the
-- keys (organization_id, …) of the tables, 0002; the archive's frozen copy is in 0008.)
SET LOCAL ROLE ej_owner;

---------------------------------------------------------------------------------------------
-- 3. Visibility before rules. The rule triggers are SECURITY DEFINER and would answer questions
-- about rows the caller cannot see (a lesson's date, an iteration's dates and archive state,
-- an enrollment). This trigger fires first (a0_ sorts before a_ and b_), runs with the caller's
-- own rights and looks each referenced row up through row-level security: a row the caller
-- cannot see is "not found", with the very message of an id that does not exist.
-- Arguments: pairs of (column, parent table). Unchanged references of an UPDATE are not looked up.
CREATE FUNCTION ej.tg_visible_parents() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n      jsonb := to_jsonb(NEW);
    o      jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
    i      integer := 0;
    col    text;
    parent text;
    seen   boolean;
BEGIN
    WHILE i < TG_NARGS LOOP
        col := TG_ARGV[i];
        parent := TG_ARGV[i + 1];
        i := i + 2;
        CONTINUE WHEN n -> col IS NULL OR n -> col = 'null'::jsonb OR (o IS NOT NULL AND o -> col = n -> col);
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM ej.%I WHERE id = $1)', parent) INTO seen
            USING (n ->> col)::bigint;
        IF NOT seen THEN
            RAISE EXCEPTION '%', coalesce(ej.not_found_message(parent), 'Запись не найдена') USING ERRCODE = 'EJ005';
        END IF;
    END LOOP;
    RETURN NEW;
END $$;

CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.guardian
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('student_id', 'student');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.program
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('quantum_id', 'quantum');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.program_topic
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('program_id', 'program');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.study_group
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('iteration_id', 'iteration', 'program_id', 'program', 'teacher_id', 'staff');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.enrollment
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('group_id', 'study_group', 'student_id', 'student');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.schedule_slot
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('group_id', 'study_group');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.lesson
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('group_id', 'study_group', 'topic_id', 'program_topic');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.safety_briefing
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('group_id', 'study_group');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.safety_briefing_student
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('briefing_id', 'safety_briefing', 'student_id', 'student');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.event
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('group_id', 'study_group');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.achievement
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('group_id', 'study_group', 'student_id', 'student');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.remark
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('group_id', 'study_group', 'lesson_id', 'lesson');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.change_request
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('group_id', 'study_group', 'student_id', 'student');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.data_check
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('group_id', 'study_group');
CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.print_fingerprint
    FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents('iteration_id', 'iteration', 'quantum_id', 'quantum', 'group_id', 'study_group');

---------------------------------------------------------------------------------------------
-- 7. A remark is fixed when the teacher says so: the moment comes from the server clock
--    (ej.tg_server_times of 0015 sets fixed_at, as the other recorded times).

-- The status changes only through the functions below (they run as the owner); a plain UPDATE
-- of the status, or a new iteration that is not «planned», is refused for everyone else.
-- Not SECURITY DEFINER: it must see the caller as current_user (as ej.tg_iteration_approval).
CREATE FUNCTION ej.tg_iteration_status() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF ((TG_OP = 'INSERT' AND NEW.status <> 'planned')
        OR (TG_OP = 'UPDATE' AND (NEW.status, NEW.archived_at) IS DISTINCT FROM (OLD.status, OLD.archived_at)))
       AND current_user <> 'ej_owner' AND NOT ej.session_is_superuser() THEN
        RAISE EXCEPTION 'Статус итерации меняется только командами «начать», «закончить», «архивировать», «отменить»'
            USING ERRCODE = 'EJ002';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_status BEFORE INSERT OR UPDATE ON ej.iteration
    FOR EACH ROW EXECUTE FUNCTION ej.tg_iteration_status();

-- Dates cannot move away from lessons already given.
CREATE FUNCTION ej.tg_iteration_dates() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_first date;
    v_last  date;
BEGIN
    IF (NEW.starts_on, NEW.ends_on) IS NOT DISTINCT FROM (OLD.starts_on, OLD.ends_on) THEN
        RETURN NEW;
    END IF;
    SELECT min(l.held_on), max(l.held_on) INTO v_first, v_last
      FROM ej.lesson l JOIN ej.study_group g ON g.id = l.group_id
     WHERE g.iteration_id = NEW.id;
    IF v_first < NEW.starts_on OR v_last > NEW.ends_on THEN
        RAISE EXCEPTION 'Занятия итерации проведены с % по %: новые даты должны их включать',
            to_char(v_first, 'DD.MM.YYYY'), to_char(v_last, 'DD.MM.YYYY')
            USING ERRCODE = 'EJ003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_dates BEFORE UPDATE OF starts_on, ends_on ON ej.iteration
    FOR EACH ROW EXECUTE FUNCTION ej.tg_iteration_dates();

-- The caller's iteration for a methodist's command on it (p_what: the refusal for anyone else),
-- locked; "not found" for another organization's.
CREATE FUNCTION ej.my_iteration_for_update(p_iteration_id bigint, p_what text) RETURNS ej.iteration
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r ej.iteration;
BEGIN
    PERFORM ej.require_role('methodist', p_what);
    SELECT * INTO r FROM ej.iteration WHERE id = p_iteration_id FOR UPDATE;
    IF NOT FOUND OR (r.organization_id IS DISTINCT FROM ej.current_org_id() AND NOT ej.session_is_superuser()) THEN
        RAISE EXCEPTION 'Итерация не найдена' USING ERRCODE = 'EJ005';
    END IF;
    RETURN r;
END $$;

-- planned → active → closed, by the methodist.
CREATE FUNCTION ej.set_iteration_status(p_iteration_id bigint, p_status text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r ej.iteration := ej.my_iteration_for_update(p_iteration_id, 'Начинать и заканчивать итерацию может только методист');
BEGIN
    IF (r.status, p_status) NOT IN (('planned', 'active'), ('active', 'closed')) THEN
        RAISE EXCEPTION 'Итерацию можно только начать (из «планируется») или закончить (из «идёт»); в архив — командой «архивировать»'
            USING ERRCODE = 'EJ003';
    END IF;
    UPDATE ej.iteration SET status = p_status WHERE id = p_iteration_id;
END $$;

-- A planned iteration with no lessons is cancelled with its groups (their enrollments and
-- schedule go with them); the audit log keeps what was removed. Returns the groups removed.
CREATE FUNCTION ej.cancel_iteration(p_iteration_id bigint) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r        ej.iteration := ej.my_iteration_for_update(p_iteration_id, 'Отменить итерацию может только методист');
    v_groups integer;
    t        text;
BEGIN
    IF r.status <> 'planned' THEN
        RAISE EXCEPTION 'Отменить можно только итерацию, которая ещё не началась' USING ERRCODE = 'EJ003';
    END IF;
    IF EXISTS (SELECT 1 FROM ej.lesson l JOIN ej.study_group g ON g.id = l.group_id WHERE g.iteration_id = r.id) THEN
        RAISE EXCEPTION 'В журнале итерации уже есть занятия: её нельзя отменить' USING ERRCODE = 'EJ003';
    END IF;
    -- the groups' rows first: the rules of a row of a group look the group up
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
              WHERE c.relnamespace = 'ej'::regnamespace AND c.relkind = 'r' AND a.attname = 'group_id'
                AND NOT a.attisdropped AND c.relname <> 'safety_briefing_student' ORDER BY 1 LOOP
        EXECUTE format('DELETE FROM ej.%I WHERE group_id IN (SELECT id FROM ej.study_group WHERE iteration_id = $1)', t)
            USING r.id;
    END LOOP;
    DELETE FROM ej.print_fingerprint WHERE iteration_id = r.id;
    DELETE FROM ej.study_group WHERE iteration_id = r.id;
    GET DIAGNOSTICS v_groups = ROW_COUNT;
    DELETE FROM ej.iteration WHERE id = r.id;
    RETURN v_groups;
END $$;

-- Pairs of weekly slots of an iteration that book one teacher or one room at the same time
-- (same weekday, overlapping hours and overlapping periods of validity).
CREATE FUNCTION ej.schedule_clashes(p_iteration_id bigint)
    RETURNS TABLE (kind text, group_a bigint, group_b bigint, weekday smallint, message text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH s AS (
        SELECT s.id, s.group_id, g.name, g.teacher_id, t.full_name AS teacher, coalesce(s.room, g.room) AS room,
               s.weekday, s.starts_at, s.ends_at,
               daterange(greatest(i.starts_on, s.valid_from), least(i.ends_on, s.valid_to), '[]') AS valid
          FROM ej.schedule_slot s
          JOIN ej.study_group g ON g.id = s.group_id
          JOIN ej.iteration i ON i.id = g.iteration_id
          JOIN ej.staff t ON t.id = g.teacher_id
         WHERE i.id = p_iteration_id
    )
    SELECT k.kind, a.group_id, b.group_id, a.weekday,
           format('%s «%s» и «%s» в %s %s–%s',
                  CASE k.kind WHEN 'teacher' THEN format('у педагога %s одновременно группы', a.teacher)
                              ELSE format('кабинет %s занят одновременно группами', a.room) END,
                  a.name, b.name,
                  (ARRAY['пн', 'вт', 'ср', 'чт', 'пт', 'сб', 'вс'])[a.weekday],
                  to_char(greatest(a.starts_at, b.starts_at), 'HH24:MI'), to_char(least(a.ends_at, b.ends_at), 'HH24:MI'))
      FROM s a
      JOIN s b ON b.id > a.id AND b.weekday = a.weekday
              AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at AND a.valid && b.valid
     CROSS JOIN LATERAL (VALUES ('teacher'), ('room')) k(kind)
     WHERE (k.kind = 'teacher' AND a.teacher_id = b.teacher_id)
        OR (k.kind = 'room' AND a.room = b.room AND a.group_id <> b.group_id)
     ORDER BY a.weekday, greatest(a.starts_at, b.starts_at), k.kind
$$;

---------------------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION ej.tg_visible_parents(),
    ej.tg_iteration_status(), ej.tg_iteration_dates(), ej.my_iteration_for_update(bigint, text),
    ej.set_iteration_status(bigint, text), ej.cancel_iteration(bigint), ej.schedule_clashes(bigint),
    ej.freeze_iteration(bigint), ej.tg_frozen_copy(), ej.as_printed(jsonb, ej.student),
    ej.as_printed(jsonb, ej.staff) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.as_printed(jsonb, ej.student), ej.as_printed(jsonb, ej.staff)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT EXECUTE ON FUNCTION ej.set_iteration_status(bigint, text), ej.cancel_iteration(bigint) TO ej_methodist;
GRANT EXECUTE ON FUNCTION ej.schedule_clashes(bigint) TO ej_methodist, ej_deputy, ej_director;
