-- What the screens of the methodist, deputy director, director and administrator need beyond
-- 0010 (issue 4): duplicate students, the КТП import with per-line errors, expelling or
-- transferring a student by an order in one step, the deputy's control dashboard, the reminders
-- of the regulation's deadlines, and the administrator's read access to the migration log.

-- The migration log belongs to whoever runs the migrations (the runner makes it before the first
-- file), so these two grants are made before switching to the owner role.
GRANT USAGE ON SCHEMA ejournal_meta TO ej_admin;
GRANT SELECT ON ejournal_meta.schema_migration TO ej_admin;

SET LOCAL ROLE ej_owner;

-- Students of the caller's organization with the same name and birth date (ё = е, case and
-- spaces ignored): shown before a new student is saved, so that nobody is entered twice.
CREATE FUNCTION ej.student_duplicates(p_last_name text, p_first_name text, p_birth_date date,
                                      p_except bigint DEFAULT NULL)
    RETURNS TABLE (student_id bigint, full_name text, birth_date date, school text, school_class text,
                   groups text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.id, concat_ws(' ', s.last_name, s.first_name, s.middle_name), s.birth_date, s.school, s.school_class,
           (SELECT string_agg(DISTINCT g.name, ', ') FROM ej.enrollment e JOIN ej.study_group g ON g.id = e.group_id
             JOIN ej.iteration i ON i.id = g.iteration_id
             WHERE e.student_id = s.id AND i.status <> 'archived')
      FROM ej.student s
     WHERE s.organization_id = (SELECT ej.current_org_id())
       AND s.birth_date = p_birth_date
       AND lower(translate(btrim(s.last_name), 'Ёё', 'Ее')) = lower(translate(btrim(p_last_name), 'Ёё', 'Ее'))
       AND lower(translate(btrim(s.first_name), 'Ёё', 'Ее')) = lower(translate(btrim(p_first_name), 'Ёё', 'Ее'))
       AND s.id IS DISTINCT FROM p_except
     ORDER BY s.id
$$;

-- The КТП of a program from lines «тема; часы» (a jsonb array of {"line", "title", "hours"} as
-- typed): every line checked, with the error of each line. With p_apply the topics become
-- exactly these lines, in this order (topic N is updated in place, so lessons keep their topic),
-- in one transaction; nothing is written while any line has an error.
CREATE FUNCTION ej.import_ktp(p_program_id bigint, p_lines jsonb, p_apply boolean DEFAULT false)
    RETURNS TABLE (line integer, "position" integer, title text, hours numeric, error text)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_errors integer;
    v_count  integer;
    v_used   integer;
BEGIN
    PERFORM ej.require_role('methodist', 'КТП программы загружает методист');
    PERFORM 1 FROM ej.program WHERE id = p_program_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Программа не найдена' USING ERRCODE = 'EJ005';
    END IF;
    IF jsonb_typeof(p_lines) IS DISTINCT FROM 'array' OR jsonb_array_length(p_lines) = 0 THEN
        RAISE EXCEPTION 'Нет ни одной строки КТП: «тема; часы» в каждой строке' USING ERRCODE = 'EJ001';
    END IF;
    CREATE TEMP TABLE IF NOT EXISTS ktp_line (
        line integer, "position" integer, title text, hours numeric, error text) ON COMMIT DROP;
    TRUNCATE ktp_line;
    INSERT INTO ktp_line
    SELECT coalesce((x.v ->> 'line')::integer, x.n::integer), x.n::integer, btrim(x.v ->> 'title'),
           CASE WHEN replace(btrim(x.v ->> 'hours'), ',', '.') ~ '^[0-9]{1,3}(\.[0-9])?$'
                THEN replace(btrim(x.v ->> 'hours'), ',', '.')::numeric END,
           CASE WHEN coalesce(btrim(x.v ->> 'title'), '') = '' THEN 'нет темы'
                WHEN length(btrim(x.v ->> 'title')) > 500 THEN 'тема длиннее 500 символов'
                WHEN x.v ->> 'title' ~ '[[:cntrl:]]' THEN 'в теме недопустимые символы'
                WHEN coalesce(btrim(x.v ->> 'hours'), '') = '' THEN 'не указаны часы'
                WHEN replace(btrim(x.v ->> 'hours'), ',', '.') !~ '^[0-9]{1,3}(\.[0-9])?$'
                    THEN format('часы «%s» — не число (например 2 или 1,5)', left(x.v ->> 'hours', 20))
                WHEN replace(btrim(x.v ->> 'hours'), ',', '.')::numeric NOT BETWEEN 0.5 AND 200
                    THEN 'часы: от 0,5 до 200'
           END
      FROM jsonb_array_elements(p_lines) WITH ORDINALITY x(v, n);

    SELECT count(*) FILTER (WHERE k.error IS NOT NULL), count(*) INTO v_errors, v_count FROM ktp_line k;
    IF p_apply THEN
        IF v_errors > 0 THEN
            RAISE EXCEPTION 'В КТП есть ошибки (строк: %): исправьте их и загрузите снова', v_errors
                USING ERRCODE = 'EJ001';
        END IF;
        SELECT max(t.position) INTO v_used
          FROM ej.program_topic t
         WHERE t.program_id = p_program_id AND t.position > v_count
           AND EXISTS (SELECT 1 FROM ej.lesson l WHERE l.topic_id = t.id);
        IF v_used IS NOT NULL THEN
            RAISE EXCEPTION 'В журнале уже указана тема № % этого КТП: новый КТП должен содержать не меньше % тем',
                v_used, v_used
                USING ERRCODE = 'EJ003';
        END IF;
        DELETE FROM ej.program_topic t WHERE t.program_id = p_program_id AND t.position > v_count;
        UPDATE ej.program_topic t SET title = k.title, hours = k.hours
          FROM ktp_line k
         WHERE t.program_id = p_program_id AND t.position = k.position
           AND (t.title, t.hours) IS DISTINCT FROM (k.title, k.hours);
        INSERT INTO ej.program_topic (organization_id, program_id, position, title, hours)
        SELECT p.organization_id, p.id, k.position, k.title, k.hours
          FROM ktp_line k, ej.program p
         WHERE p.id = p_program_id
           AND NOT EXISTS (SELECT 1 FROM ej.program_topic t WHERE t.program_id = p_program_id
                                                             AND t.position = k.position);
    END IF;
    RETURN QUERY SELECT k.line, k.position, k.title, k.hours, k.error FROM ktp_line k ORDER BY k.position;
END $$;

-- Expel a student from a group by an order (приказ), or transfer to another group: the old
-- enrollment ends on p_left_on and, for a transfer, the new one starts that day under the same
-- order. One call, one transaction. Returns the new enrollment (NULL when expelled).
CREATE FUNCTION ej.expel_or_transfer(p_enrollment_id bigint, p_left_on date, p_order text, p_reason text,
                                     p_to_group_id bigint DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e      ej.enrollment;
    v_to   text;
    v_new  bigint;
BEGIN
    PERFORM ej.require_role('methodist', 'Отчислять и переводить обучающихся может только методист');
    SELECT * INTO e FROM ej.enrollment WHERE id = p_enrollment_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Зачисление не найдено' USING ERRCODE = 'EJ005';
    END IF;
    IF p_left_on IS NULL THEN
        RAISE EXCEPTION 'Укажите дату отчисления или перевода' USING ERRCODE = 'EJ001';
    END IF;
    IF e.left_on IS NOT NULL AND e.left_on <= p_left_on THEN
        RAISE EXCEPTION 'Обучающийся уже выбыл из группы %', to_char(e.left_on, 'DD.MM.YYYY')
            USING ERRCODE = 'EJ003';
    END IF;
    IF p_to_group_id IS NOT NULL THEN
        IF p_to_group_id = e.group_id THEN
            RAISE EXCEPTION 'Перевод в ту же группу невозможен' USING ERRCODE = 'EJ003';
        END IF;
        SELECT name INTO v_to FROM ej.study_group WHERE id = p_to_group_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'Группа для перевода не найдена' USING ERRCODE = 'EJ005';
        END IF;
    END IF;
    UPDATE ej.enrollment
       SET left_on = p_left_on, leave_order = btrim(p_order),
           leave_reason = coalesce(nullif(btrim(p_reason), ''), CASE WHEN v_to IS NOT NULL THEN 'перевод в группу ' || v_to END)
     WHERE id = p_enrollment_id;
    IF p_to_group_id IS NOT NULL THEN
        INSERT INTO ej.enrollment (group_id, student_id, enrolled_on, enroll_order)
        VALUES (p_to_group_id, e.student_id, p_left_on, btrim(p_order)) RETURNING id INTO v_new;
    END IF;
    RETURN v_new;
END $$;

-- The control of journal keeping (the deputy director's dashboard, regulation 3.4): per
-- teacher, quantum or group of an iteration — lessons given and how many have a topic, hours of
-- the КТП delivered, attendance, filled on time, and open remarks. Filters drill down.
CREATE FUNCTION ej.control_dashboard(p_by text, p_iteration_id bigint, p_today date DEFAULT ej.today(),
                                     p_teacher_id bigint DEFAULT NULL, p_quantum_id bigint DEFAULT NULL)
    RETURNS TABLE (key_id bigint, name text, detail text, groups integer, lessons integer, with_topic integer,
                   topics_pct numeric, hours_pct numeric, present_pct numeric, on_time integer, late integer,
                   missing integer, on_time_pct numeric, remarks_open integer)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_by IS NULL OR p_by NOT IN ('teacher', 'quantum', 'group') THEN
        RAISE EXCEPTION 'Разрез панели контроля: teacher, quantum или group' USING ERRCODE = 'EJ001';
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

-- What the regulation's deadlines ask of the administration now: an unapproved schedule of an
-- iteration starting within a week, a roll-over due (the current iteration ends within three
-- weeks and there is no next one), an ended iteration not archived, last week's analysis not on
-- the board. The screens of the methodist, deputy and director show them.
CREATE FUNCTION ej.duty_reminders(p_today date DEFAULT ej.today())
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

GRANT EXECUTE ON FUNCTION ej.student_duplicates(text, text, date, bigint),
    ej.import_ktp(bigint, jsonb, boolean), ej.expel_or_transfer(bigint, date, text, text, bigint) TO ej_methodist;
GRANT EXECUTE ON FUNCTION ej.control_dashboard(text, bigint, date, bigint, bigint), ej.duty_reminders(date)
    TO ej_methodist, ej_deputy, ej_director;
