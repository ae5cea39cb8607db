-- Business rules that involve more than one row: kept here as triggers so that every
-- client, not just the app, obeys them. The functions are SECURITY DEFINER so that a rule
-- sees the rows it checks whatever the caller's RLS; RLS still decides what the caller may
-- write. Messages are in Russian and carry no personal data.
SET LOCAL ROLE ej_owner;

-- ej.edit_window_days() and the other limits: 0002, with the vocabulary.

-- Russian plural forms: ej.ru_plural(1, 'отметка', 'отметки', 'отметок') = 'отметка'
-- (the Python twin is ejournal_tui.i18n.plural).
CREATE FUNCTION ej.ru_plural(p_n bigint, p_one text, p_few text, p_many text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN abs(p_n) % 100 BETWEEN 11 AND 14 THEN p_many
                WHEN abs(p_n) % 10 = 1 THEN p_one
                WHEN abs(p_n) % 10 BETWEEN 2 AND 4 THEN p_few
                ELSE p_many END
$$;
GRANT EXECUTE ON FUNCTION ej.ru_plural(bigint, text, text, text) TO ej_teacher, ej_methodist, ej_deputy, ej_director;

-- The one refusal of a change to an archived iteration's records.
CREATE FUNCTION ej.assert_not_archived(p_status text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_status = 'archived' THEN
        RAISE EXCEPTION 'Итерация в архиве: её записи нельзя изменять' USING ERRCODE = 'EJ003';
    END IF;
END $$;

CREATE FUNCTION ej.assert_group_writable(p_group_id bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org    bigint;
    v_status text;
BEGIN
    SELECT g.organization_id, i.status INTO v_org, v_status
      FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id
     WHERE g.id = p_group_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Группа не найдена' USING ERRCODE = 'EJ005';
    END IF;
    PERFORM ej.assert_not_archived(v_status);
    RETURN v_org;
END $$;

-- Lessons and marks (called on every change of a mark): the recent date, the usual case, is let
-- through here without a second function call.
CREATE FUNCTION ej.require_reason_for_late(p_held_on date) RETURNS void
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_held_on < (now() AT TIME ZONE 'UTC')::date + 1 - ej.edit_window_days() THEN
        PERFORM ej.require_reason(p_held_on, 'Занятие прошло');
    END IF;
END $$;

-- Rows that belong to a group: organization from the group, archived iterations frozen.
CREATE FUNCTION ej.tg_group_scope() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM ej.assert_group_writable(OLD.group_id);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.organization_id := ej.assert_group_writable(NEW.group_id);
    RETURN NEW;
END $$;
CREATE TRIGGER a_group_scope BEFORE INSERT OR DELETE OR UPDATE ON ej.enrollment
    FOR EACH ROW EXECUTE FUNCTION ej.tg_group_scope();
CREATE TRIGGER a_group_scope BEFORE INSERT OR DELETE OR UPDATE ON ej.schedule_slot
    FOR EACH ROW EXECUTE FUNCTION ej.tg_group_scope();
CREATE TRIGGER a_group_scope BEFORE INSERT OR DELETE OR UPDATE ON ej.lesson
    FOR EACH ROW EXECUTE FUNCTION ej.tg_group_scope();
CREATE TRIGGER a_group_scope BEFORE INSERT OR DELETE OR UPDATE ON ej.safety_briefing
    FOR EACH ROW EXECUTE FUNCTION ej.tg_group_scope();
CREATE TRIGGER a_group_scope BEFORE INSERT OR DELETE OR UPDATE ON ej.event
    FOR EACH ROW EXECUTE FUNCTION ej.tg_group_scope();
CREATE TRIGGER a_group_scope BEFORE INSERT OR DELETE OR UPDATE ON ej.achievement
    FOR EACH ROW EXECUTE FUNCTION ej.tg_group_scope();
CREATE TRIGGER a_group_scope BEFORE INSERT OR DELETE OR UPDATE ON ej.remark
    FOR EACH ROW EXECUTE FUNCTION ej.tg_group_scope();

-- Iterations: forward-only status, archived is final.
CREATE FUNCTION ej.tg_iteration() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    steps constant text[] := ARRAY['planned', 'active', 'closed', 'archived'];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'archived' THEN
        RAISE EXCEPTION 'Итерация в архиве: её нельзя изменять или удалять'
            USING ERRCODE = 'EJ003';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND array_position(steps, NEW.status) < array_position(steps, OLD.status) THEN
        RAISE EXCEPTION 'Статус итерации нельзя вернуть назад (% → %)', OLD.status, NEW.status
            USING ERRCODE = 'EJ003';
    END IF;
    IF NEW.status = 'archived' THEN
        NEW.archived_at := coalesce(NEW.archived_at, now());
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER a_iteration BEFORE INSERT OR UPDATE OR DELETE ON ej.iteration
    FOR EACH ROW EXECUTE FUNCTION ej.tg_iteration();

-- Groups: frozen with their iteration; iteration, program and teacher of one organization. A group
-- entered by mistake may be deleted; one with lessons or students on its rolls may not (deleting
-- it would cascade to the journal).
CREATE FUNCTION ej.tg_study_group() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_status text;
    v_org    bigint;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM ej.assert_not_archived((SELECT status FROM ej.iteration WHERE id = OLD.iteration_id));
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM ej.lesson WHERE group_id = OLD.id) THEN
            RAISE EXCEPTION 'В журнале группы уже есть занятия: удалить группу нельзя' USING ERRCODE = 'EJ003';
        END IF;
        IF EXISTS (SELECT 1 FROM ej.enrollment WHERE group_id = OLD.id) THEN
            RAISE EXCEPTION 'В группу уже зачисляли обучающихся: удалить её нельзя (отчислите по приказу)'
                USING ERRCODE = 'EJ003';
        END IF;
        RETURN OLD;
    END IF;
    SELECT status, organization_id INTO v_status, v_org FROM ej.iteration WHERE id = NEW.iteration_id;
    PERFORM ej.assert_not_archived(v_status);
    IF v_org IS DISTINCT FROM NEW.organization_id
       OR NOT EXISTS (SELECT 1 FROM ej.program WHERE id = NEW.program_id AND organization_id = v_org)
       OR NOT EXISTS (SELECT 1 FROM ej.staff WHERE id = NEW.teacher_id AND organization_id = v_org) THEN
        RAISE EXCEPTION 'Итерация, программа и педагог группы должны быть из одной организации'
            USING ERRCODE = 'EJ003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER a_study_group BEFORE INSERT OR UPDATE OR DELETE ON ej.study_group
    FOR EACH ROW EXECUTE FUNCTION ej.tg_study_group();

-- The dates of a group's iteration, the period as a refusal quotes it («01.09.2025 — 31.05.2026»)
-- and the group's program. (The rules below check a date against it; all NULL for a group that
-- does not exist.)
CREATE FUNCTION ej.group_period(p_group_id bigint, OUT starts_on date, OUT ends_on date, OUT quoted text,
                                OUT program_id bigint)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT i.starts_on, i.ends_on, to_char(i.starts_on, 'DD.MM.YYYY') || ' — ' || to_char(i.ends_on, 'DD.MM.YYYY'),
           g.program_id
      INTO starts_on, ends_on, quoted, program_id
      FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id WHERE g.id = p_group_id;
END $$;

-- Enrollments: within the iteration, no overlap for the same student and group, student of
-- the same organization.
CREATE FUNCTION ej.tg_enrollment() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_period record;
BEGIN
    IF NEW.left_on <= NEW.enrolled_on THEN
        RETURN NEW;  -- enrollment_dates_order refuses the row with its own message
    END IF;
    SELECT * INTO v_period FROM ej.group_period(NEW.group_id);
    IF NEW.enrolled_on > v_period.ends_on OR NEW.left_on <= v_period.starts_on THEN
        RAISE EXCEPTION 'Даты зачисления должны попадать в период итерации (%)', v_period.quoted
            USING ERRCODE = 'EJ003';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ej.student WHERE id = NEW.student_id AND organization_id = NEW.organization_id) THEN
        RAISE EXCEPTION 'Обучающийся из другой организации' USING ERRCODE = 'EJ003';
    END IF;
    IF EXISTS (SELECT 1 FROM ej.enrollment e
                WHERE e.group_id = NEW.group_id AND e.student_id = NEW.student_id AND e.id <> NEW.id
                  AND daterange(e.enrolled_on, e.left_on) && daterange(NEW.enrolled_on, NEW.left_on)) THEN
        RAISE EXCEPTION 'Обучающийся уже зачислен в эту группу на эти даты' USING ERRCODE = 'EJ004';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_enrollment BEFORE INSERT OR UPDATE ON ej.enrollment
    FOR EACH ROW EXECUTE FUNCTION ej.tg_enrollment();

-- Shrinking or removing an enrollment must not orphan marks already made.
CREATE FUNCTION ej.tg_enrollment_keeps_marks() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ej.attendance a JOIN ej.lesson l ON l.id = a.lesson_id
                WHERE a.group_id = OLD.group_id AND a.student_id = OLD.student_id
                  AND NOT EXISTS (SELECT 1 FROM ej.enrollment e
                                   WHERE e.group_id = OLD.group_id AND e.student_id = OLD.student_id
                                     AND l.held_on >= e.enrolled_on
                                     AND (e.left_on IS NULL OR l.held_on < e.left_on))) THEN
        RAISE EXCEPTION 'В журнале есть отметки обучающегося за даты вне нового периода зачисления'
            USING ERRCODE = 'EJ003', HINT = 'Укажите дату выбытия после последнего посещённого занятия.';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER c_enrollment_keeps_marks AFTER UPDATE OR DELETE ON ej.enrollment
    FOR EACH ROW EXECUTE FUNCTION ej.tg_enrollment_keeps_marks();

-- Lessons: a date inside the iteration and not in the future; a topic of the group's own
-- program; who filled it in and when is set here, never taken from the client.
---------------------------------------------------------------------------------------------
-- Everything that read current_date, re-stated with the organization's date (only that changed;
-- in the timeliness reports also "the day it was filled in", which was the session's date of
-- filled_at).

-- The reason of entering a lesson past the edit window: its first filling, one reason for the
-- lesson. NULL when it may be entered as it is. (Sessions of nobody on the staff — the superuser
-- loading data, a restore — are not a filling.)
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
REVOKE ALL ON FUNCTION ej.late_lesson_problem(bigint, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.late_lesson_problem(bigint, date)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;

CREATE FUNCTION ej.tg_lesson() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_period  record;
    v_problem text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM ej.require_reason_for_late(OLD.held_on);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    SELECT * INTO v_period FROM ej.group_period(NEW.group_id);
    IF NEW.held_on < v_period.starts_on OR NEW.held_on > v_period.ends_on THEN
        RAISE EXCEPTION 'Дата занятия вне периода итерации (%)', v_period.quoted USING ERRCODE = 'EJ003';
    END IF;
    IF NEW.held_on > ej.today(NEW.organization_id) THEN
        RAISE EXCEPTION 'Нельзя заполнить занятие, которое ещё не прошло (%)', to_char(NEW.held_on, 'DD.MM.YYYY')
            USING ERRCODE = 'EJ003';
    END IF;
    IF TG_OP = 'INSERT' THEN
        v_problem := ej.late_lesson_problem(NEW.organization_id, NEW.held_on);
        IF v_problem IS NOT NULL THEN
            RAISE EXCEPTION '%', v_problem
                USING ERRCODE = 'EJ003', HINT = 'Причина сохраняется в истории изменений.';
        END IF;
    END IF;
    IF NEW.topic_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM ej.program_topic WHERE id = NEW.topic_id AND program_id = v_period.program_id) THEN
        RAISE EXCEPTION 'Тема не из программы этой группы' USING ERRCODE = 'EJ003';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.filled_by := ej.current_staff_id();
        NEW.filled_at := now();
        NEW.version := 1;
    ELSE
        IF NEW.group_id <> OLD.group_id THEN
            RAISE EXCEPTION 'Занятие нельзя перенести в другую группу' USING ERRCODE = 'EJ003';
        END IF;
        IF NEW.held_on <> OLD.held_on AND EXISTS (
               SELECT 1 FROM ej.attendance a
                WHERE a.lesson_id = OLD.id
                  AND NOT EXISTS (SELECT 1 FROM ej.enrollment e
                                   WHERE e.group_id = NEW.group_id AND e.student_id = a.student_id
                                     AND e.enrolled_on <= NEW.held_on
                                     AND (e.left_on IS NULL OR e.left_on > NEW.held_on))) THEN
            RAISE EXCEPTION 'Не все отмеченные на занятии обучающиеся числились в группе на %',
                to_char(NEW.held_on, 'DD.MM.YYYY') USING ERRCODE = 'EJ003', HINT = 'Проверьте дату занятия или даты зачисления.';
        END IF;
        NEW.filled_by := OLD.filled_by;
        NEW.filled_at := OLD.filled_at;
        NEW.version := OLD.version + 1;
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER b_lesson BEFORE INSERT OR UPDATE OR DELETE ON ej.lesson
    FOR EACH ROW EXECUTE FUNCTION ej.tg_lesson();

-- Marks: the group and organization come from the lesson; the student must be enrolled on
-- the lesson's date; archived iterations are frozen; late corrections need a reason.
-- One query reads the lesson, group and iteration; the enrollment is checked only when the
-- student or lesson changes; the late-edit rule applies to corrections only (the first filling
-- is not one: ej.first_filling, written inline), and a lesson with marks can be deleted (its
-- cascade). Who is asking is read once; the organization's date only for an old lesson.
CREATE FUNCTION ej.tg_attendance() RETURNS trigger
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
        RAISE EXCEPTION 'Занятие не найдено' USING ERRCODE = 'EJ005';
    END IF;
    PERFORM ej.assert_not_archived(v_status);
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.student_id <> OLD.student_id OR NEW.lesson_id <> OLD.lesson_id)
       AND NOT EXISTS (SELECT 1 FROM ej.enrollment e
                        WHERE e.group_id = v_group AND e.student_id = NEW.student_id
                          AND e.enrolled_on <= v_held_on AND (e.left_on IS NULL OR e.left_on > v_held_on)) THEN
        RAISE EXCEPTION 'Обучающийся не числится в группе на дату занятия (%)', to_char(v_held_on, 'DD.MM.YYYY')
            USING ERRCODE = 'EJ003';
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
CREATE TRIGGER b_attendance BEFORE INSERT OR UPDATE OR DELETE ON ej.attendance
    FOR EACH ROW EXECUTE FUNCTION ej.tg_attendance();

-- Briefing participants: the group is the briefing's; then the scope of a group's row (a_group_scope
-- fires after a_briefing_group).
CREATE FUNCTION ej.tg_briefing_group() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.group_id := (SELECT group_id FROM ej.safety_briefing WHERE id = NEW.briefing_id);
    RETURN NEW;
END $$;
CREATE TRIGGER a_briefing_group BEFORE INSERT OR UPDATE ON ej.safety_briefing_student
    FOR EACH ROW EXECUTE FUNCTION ej.tg_briefing_group();
CREATE TRIGGER a_group_scope BEFORE INSERT OR DELETE OR UPDATE ON ej.safety_briefing_student
    FOR EACH ROW EXECUTE FUNCTION ej.tg_group_scope();

-- A group's record about a student (a briefing's participant, an achievement) is about a student
-- of the group.
CREATE FUNCTION ej.tg_student_of_group() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ej.enrollment WHERE group_id = NEW.group_id AND student_id = NEW.student_id) THEN
        RAISE EXCEPTION 'Обучающийся не из этой группы' USING ERRCODE = 'EJ003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_enrolled BEFORE INSERT OR UPDATE ON ej.safety_briefing_student
    FOR EACH ROW EXECUTE FUNCTION ej.tg_student_of_group();
CREATE TRIGGER b_enrolled BEFORE INSERT OR UPDATE ON ej.achievement
    FOR EACH ROW EXECUTE FUNCTION ej.tg_student_of_group();

-- Dates of group records (briefings, events, achievements) inside the iteration.
CREATE FUNCTION ej.tg_group_dated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_period record;
BEGIN
    SELECT * INTO v_period FROM ej.group_period(NEW.group_id);
    IF NEW.held_on < v_period.starts_on - 30 OR NEW.held_on > v_period.ends_on THEN
        RAISE EXCEPTION 'Дата вне периода итерации (%)', v_period.quoted USING ERRCODE = 'EJ003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_dated BEFORE INSERT OR UPDATE ON ej.safety_briefing
    FOR EACH ROW EXECUTE FUNCTION ej.tg_group_dated();
CREATE TRIGGER b_dated BEFORE INSERT OR UPDATE ON ej.event
    FOR EACH ROW EXECUTE FUNCTION ej.tg_group_dated();
CREATE TRIGGER b_dated BEFORE INSERT OR UPDATE ON ej.achievement
    FOR EACH ROW EXECUTE FUNCTION ej.tg_group_dated();
