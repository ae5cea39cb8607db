-- The methodist's multi-step duties (regulation, «Методист обязан»): roll the journal over to
-- the next iteration, archive an iteration, the weekly analysis of journal keeping, accepting
-- or declining a teacher's correction; the director's view of teacher load; warnings about an
-- unapproved schedule. Functions run with the caller's rights (RLS applies) unless they must
-- do more, and check the caller's role themselves.
SET LOCAL ROLE ej_owner;

-- Students of an iteration's groups who are still enrolled at its end: the roll-over preview.
CREATE FUNCTION ej.rollover_candidates(p_from_iteration bigint)
    RETURNS TABLE (student_id bigint, student_name text, group_id bigint, group_name text, continuing boolean)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.id, s.last_name || ' ' || s.first_name, g.id, g.name,
           e.left_on IS NULL OR e.left_on > i.ends_on
      FROM ej.study_group g
      JOIN ej.iteration i ON i.id = g.iteration_id
      JOIN ej.enrollment e ON e.group_id = g.id
      JOIN ej.student s ON s.id = e.student_id
     WHERE g.iteration_id = p_from_iteration
       AND e.enrolled_on = (SELECT max(e2.enrolled_on) FROM ej.enrollment e2
                             WHERE e2.group_id = e.group_id AND e2.student_id = e.student_id)
     ORDER BY g.name, s.last_name, s.first_name
$$;

-- Roll the journal over: the next iteration with the same groups (program, teacher, room), their
-- weekly schedule and the chosen students, in one transaction. Running it again — or twice at
-- once — adds nothing twice: the iteration is found by name, groups by name, enrollments by
-- student and group.
CREATE FUNCTION ej.rollover(p_from_iteration bigint, p_name text, p_starts_on date, p_ends_on date,
                            p_student_ids bigint[], p_enroll_order text)
    RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org  bigint;
    v_next bigint;
BEGIN
    PERFORM ej.require_role('methodist', 'Переводить журнал на новую итерацию может только методист');
    SELECT organization_id INTO v_org FROM ej.iteration WHERE id = p_from_iteration;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Итерация не найдена' USING ERRCODE = 'EJ005';
    END IF;
    IF p_starts_on <= (SELECT ends_on FROM ej.iteration WHERE id = p_from_iteration) THEN
        RAISE EXCEPTION 'Новая итерация должна начинаться после окончания текущей' USING ERRCODE = 'EJ003';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('ej.rollover'), v_org::integer);

    SELECT id INTO v_next FROM ej.iteration WHERE organization_id = v_org AND name = p_name;
    IF v_next IS NULL THEN
        INSERT INTO ej.iteration (organization_id, name, starts_on, ends_on, status)
        VALUES (v_org, p_name, p_starts_on, p_ends_on, 'planned') RETURNING id INTO v_next;
    END IF;

    INSERT INTO ej.study_group (organization_id, iteration_id, program_id, teacher_id, name, room)
    SELECT g.organization_id, v_next, g.program_id, g.teacher_id, g.name, g.room
      FROM ej.study_group g
     WHERE g.iteration_id = p_from_iteration
       AND NOT EXISTS (SELECT 1 FROM ej.study_group n WHERE n.iteration_id = v_next AND n.name = g.name);

    INSERT INTO ej.schedule_slot (organization_id, group_id, weekday, starts_at, ends_at, room)
    SELECT DISTINCT ON (n.id, s.weekday, s.starts_at) n.organization_id, n.id, s.weekday, s.starts_at, s.ends_at, s.room
      FROM ej.schedule_slot s
      JOIN ej.study_group g ON g.id = s.group_id AND g.iteration_id = p_from_iteration
      JOIN ej.study_group n ON n.iteration_id = v_next AND n.name = g.name
     WHERE (s.valid_to IS NULL OR s.valid_to >= (SELECT ends_on FROM ej.iteration WHERE id = p_from_iteration))
       AND NOT EXISTS (SELECT 1 FROM ej.schedule_slot x WHERE x.group_id = n.id)
     ORDER BY n.id, s.weekday, s.starts_at;

    INSERT INTO ej.enrollment (organization_id, group_id, student_id, enrolled_on, enroll_order)
    SELECT n.organization_id, n.id, c.student_id, p_starts_on, p_enroll_order
      FROM ej.rollover_candidates(p_from_iteration) c
      JOIN ej.study_group g ON g.id = c.group_id
      JOIN ej.study_group n ON n.iteration_id = v_next AND n.name = g.name
     WHERE c.student_id = ANY (p_student_ids)
       AND NOT EXISTS (SELECT 1 FROM ej.enrollment x WHERE x.group_id = n.id AND x.student_id = c.student_id);
    RETURN v_next;
END $$;

-- What keeps an iteration from being archived cleanly: lessons held without a topic or with
-- marks missing, and planned dates with no lesson.
-- «нет 1 отметки», «нет 5 отметок» (was «нет 1 отметок»).
CREATE FUNCTION ej.archive_problems(p_iteration_id bigint)
    RETURNS TABLE (group_id bigint, group_name text, teacher_name text, held_on date, problem text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH dates AS (
        SELECT p.group_id, p.held_on FROM ej.planned_lesson p
          JOIN ej.study_group g ON g.id = p.group_id
         WHERE g.iteration_id = p_iteration_id AND p.held_on <= ej.today(g.organization_id)
        UNION
        SELECT l.group_id, l.held_on FROM ej.lesson l
          JOIN ej.study_group g ON g.id = l.group_id
         WHERE g.iteration_id = p_iteration_id
    ), state AS (
        SELECT d.group_id, d.held_on, l.id AS lesson_id, l.topic IS NULL AND l.topic_id IS NULL AS no_topic,
               (SELECT count(*) FROM ej.enrollment e
                 WHERE e.group_id = d.group_id AND e.enrolled_on <= d.held_on
                   AND (e.left_on IS NULL OR e.left_on > d.held_on))
             - (SELECT count(*) FROM ej.attendance a WHERE a.lesson_id = l.id) AS no_mark
          FROM dates d LEFT JOIN ej.lesson l ON l.group_id = d.group_id AND l.held_on = d.held_on
    )
    SELECT s.group_id, g.name, t.full_name, s.held_on,
           CASE WHEN s.lesson_id IS NULL THEN 'занятие не заполнено'
                WHEN s.no_topic AND s.no_mark > 0
                    THEN 'нет темы и ' || s.no_mark || ' ' || ej.ru_plural(s.no_mark, 'отметки', 'отметок', 'отметок')
                WHEN s.no_topic THEN 'нет темы'
                ELSE 'нет ' || s.no_mark || ' ' || ej.ru_plural(s.no_mark, 'отметки', 'отметок', 'отметок') END
      FROM state s
      JOIN ej.study_group g ON g.id = s.group_id
      JOIN ej.staff t ON t.id = g.teacher_id
     WHERE s.lesson_id IS NULL OR s.no_topic OR s.no_mark > 0
     ORDER BY g.name, s.held_on
$$;

-- Archive: from then on the iteration is read-only for everyone (ej.tg_group_scope and friends).
-- Refused while problems remain unless the methodist confirms them (p_accept_problems).
-- Archive: only after the iteration's last day (a term that ends early is first shortened —
-- an audited change of its end date, refused while lessons lie after it); refused while problems
-- remain unless the methodist confirms them. Before the status turns, the КТП, programs and
-- names the journal shows are copied into it (5.), so nothing done elsewhere changes it later.
CREATE FUNCTION ej.archive_iteration(p_iteration_id bigint, p_accept_problems boolean DEFAULT false)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r          ej.iteration := ej.my_iteration_for_update(p_iteration_id, 'Архивировать итерацию может только методист');
    v_problems integer;
BEGIN
    IF r.status = 'archived' THEN
        RETURN 0;
    END IF;
    IF r.status = 'planned' THEN
        RAISE EXCEPTION 'Итерация ещё не началась: архивировать нечего' USING ERRCODE = 'EJ003';
    END IF;
    IF r.ends_on >= ej.today(r.organization_id) THEN  -- ej.today: 0018
        RAISE EXCEPTION 'Итерация идёт до %: архивировать можно после её окончания', to_char(r.ends_on, 'DD.MM.YYYY')
            USING ERRCODE = 'EJ003',
                  HINT = 'Если итерация закончилась раньше, сначала измените дату её окончания.';
    END IF;
    SELECT count(*) INTO v_problems FROM ej.archive_problems(p_iteration_id);
    IF v_problems > 0 AND NOT p_accept_problems THEN
        RAISE EXCEPTION 'В журнале итерации есть незаполненные занятия (%): исправьте их или подтвердите архивацию', v_problems
            USING ERRCODE = 'EJ003';
    END IF;
    PERFORM ej.freeze_iteration(p_iteration_id);
    UPDATE ej.iteration SET status = 'archived' WHERE id = p_iteration_id;
    RETURN v_problems;
END $$;

-- The weekly analysis of journal keeping, per teacher, for the week starting p_week (Monday):
-- lessons due (planned and past the edit window), filled on time, late, not filled, without a
-- topic, and attendance of the week. The methodist edits the text made from it and posts it.

CREATE FUNCTION ej.weekly_analysis(p_week date, p_today date DEFAULT ej.today())
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

-- Accept (and apply) or decline a teacher's proposed correction. Plain fields are applied
-- as proposed; the others are marked done after the methodist edited the card by hand.
CREATE FUNCTION ej.resolve_change_request(p_id bigint, p_accept boolean, p_note text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r ej.change_request;
BEGIN
    PERFORM ej.require_role('methodist', 'Запросы на исправление данных разбирает методист');
    SELECT * INTO r FROM ej.change_request WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Запрос не найден' USING ERRCODE = 'EJ005';
    END IF;
    IF r.status <> 'open' THEN
        RAISE EXCEPTION 'Запрос уже разобран' USING ERRCODE = 'EJ003';
    END IF;
    IF NOT p_accept AND length(btrim(coalesce(p_note, ''))) < 2 THEN
        RAISE EXCEPTION 'Укажите причину отказа' USING ERRCODE = 'EJ001';
    END IF;
    IF p_accept AND r.field IN ('last_name', 'first_name', 'middle_name', 'school', 'school_class', 'address', 'phone') THEN
        EXECUTE format('UPDATE ej.student SET %I = $1 WHERE id = $2', r.field) USING btrim(r.proposed), r.student_id;
    END IF;
    UPDATE ej.change_request
       SET status = CASE WHEN p_accept THEN 'done' ELSE 'declined' END, resolution_note = p_note
     WHERE id = p_id;
END $$;

-- Teacher load of an iteration: hours per week from the weekly schedule.
CREATE VIEW ej.teacher_load WITH (security_invoker = true) AS
SELECT g.organization_id, g.iteration_id, g.teacher_id, t.full_name AS teacher_name,
       count(DISTINCT g.id)::integer AS groups, count(s.id)::integer AS slots,
       round(sum(extract(epoch FROM s.ends_at - s.starts_at)) / 3600.0, 1) AS hours_per_week
  FROM ej.study_group g
  JOIN ej.staff t ON t.id = g.teacher_id
  LEFT JOIN ej.schedule_slot s ON s.group_id = g.id
 GROUP BY g.organization_id, g.iteration_id, g.teacher_id, t.full_name;

-- Iterations starting within a week (or already started) without an approved schedule.
CREATE FUNCTION ej.schedule_warnings(p_today date DEFAULT ej.today())
    RETURNS TABLE (iteration_id bigint, iteration_name text, starts_on date, days_left integer)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT id, name, starts_on, starts_on - p_today
      FROM ej.iteration
     WHERE schedule_approved_at IS NULL AND status IN ('planned', 'active') AND starts_on - p_today < 7
     ORDER BY starts_on
$$;

GRANT SELECT ON ej.teacher_load TO ej_methodist, ej_deputy, ej_director;
GRANT EXECUTE ON FUNCTION ej.rollover_candidates(bigint),
    ej.archive_problems(bigint), ej.weekly_analysis(date, date), ej.schedule_warnings(date)
    TO ej_methodist, ej_deputy, ej_director;
GRANT EXECUTE ON FUNCTION ej.rollover(bigint, text, date, date, bigint[], text),
    ej.archive_iteration(bigint, boolean), ej.resolve_change_request(bigint, boolean, text) TO ej_methodist;
