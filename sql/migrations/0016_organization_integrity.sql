-- Issue 10 (findings 1, 2, 3, 5, 7, 8): references that stay inside one organization, rules that
-- say nothing about rows the caller cannot see, the archive frozen against changes elsewhere, and
-- the iteration's life kept by the database.
SET LOCAL ROLE ej_owner;

---------------------------------------------------------------------------------------------
-- 1–2. Every reference between rows of an organization carries the organization: each foreign
-- key to a table with organization_id becomes (organization_id, col) → parent (organization_id,
-- id). The database itself then refuses a reference to another organization's row, for every
-- role, the owner's functions and the superuser included. Enumerated from the catalog, so no key
-- is forgotten; the same number of index probes as before, so writes cost the same.
DO $$
DECLARE
    fk      record;
    parent  text;
    uniq    text;
    action  text;
BEGIN
    FOR fk IN
        SELECT c.oid, c.conname, c.conrelid::regclass AS child, c.confrelid::regclass AS parent_rel,
               cl.relname AS parent_name, a.attname AS col, c.confdeltype
          FROM pg_constraint c
          JOIN pg_class cl ON cl.oid = c.confrelid
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND c.connamespace = 'ej'::regnamespace AND cardinality(c.conkey) = 1
           AND EXISTS (SELECT 1 FROM pg_attribute p WHERE p.attrelid = c.confrelid
                                                      AND p.attname = 'organization_id' AND NOT p.attisdropped)
           AND EXISTS (SELECT 1 FROM pg_attribute p WHERE p.attrelid = c.conrelid
                                                      AND p.attname = 'organization_id' AND NOT p.attisdropped)
         ORDER BY 2
    LOOP
        parent := fk.parent_name;
        uniq := parent || '_org_id_key';
        IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = uniq AND conrelid = fk.parent_rel) THEN
            EXECUTE format('ALTER TABLE ej.%I ADD CONSTRAINT %I UNIQUE (organization_id, id)', parent, uniq);
            EXECUTE format('COMMENT ON CONSTRAINT %I ON ej.%I IS %L', uniq, parent, 'Такая запись уже есть.');
        END IF;
        action := CASE fk.confdeltype WHEN 'c' THEN 'ON DELETE CASCADE'
                                      WHEN 'n' THEN format('ON DELETE SET NULL (%I)', fk.col)
                                      WHEN 'r' THEN 'ON DELETE RESTRICT' ELSE '' END;
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.child, fk.conname);
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (organization_id, %I) '
                       'REFERENCES ej.%I (organization_id, id) %s',
                       fk.child, fk.conname, fk.col, parent, action);
        EXECUTE format('COMMENT ON CONSTRAINT %I ON %s IS %L', fk.conname, fk.child,
                       CASE parent WHEN 'student' THEN 'Обучающийся не найден.'
                                   WHEN 'staff' THEN 'Сотрудник не найден.'
                                   WHEN 'study_group' THEN 'Группа не найдена.'
                                   WHEN 'lesson' THEN 'Занятие не найдено.'
                                   WHEN 'program' THEN 'Программа не найдена.'
                                   WHEN 'program_topic' THEN 'Тема КТП не найдена.'
                                   WHEN 'quantum' THEN 'Квантум не найден.'
                                   WHEN 'iteration' THEN 'Итерация не найдена.'
                                   WHEN 'safety_briefing' THEN 'Инструктаж не найден.'
                                   ELSE 'Связанная запись не найдена.' END);
    END LOOP;
END $$;

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
            RAISE EXCEPTION '%', ej.not_found_message(parent) USING ERRCODE = 'foreign_key_violation';
        END IF;
    END LOOP;
    RETURN NEW;
END $$;

CREATE FUNCTION ej.not_found_message(p_table text) RETURNS text
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE p_table WHEN 'student' THEN 'Обучающийся не найден'
                        WHEN 'staff' THEN 'Сотрудник не найден'
                        WHEN 'study_group' THEN 'Группа не найдена'
                        WHEN 'lesson' THEN 'Занятие не найдено'
                        WHEN 'program' THEN 'Программа не найдена'
                        WHEN 'program_topic' THEN 'Тема КТП не найдена'
                        WHEN 'quantum' THEN 'Квантум не найден'
                        WHEN 'iteration' THEN 'Итерация не найдена'
                        WHEN 'safety_briefing' THEN 'Инструктаж не найден'
                        ELSE 'Запись не найдена' END
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('guardian', '''student_id'', ''student'''),
        ('program', '''quantum_id'', ''quantum'''),
        ('program_topic', '''program_id'', ''program'''),
        ('study_group', '''iteration_id'', ''iteration'', ''program_id'', ''program'', ''teacher_id'', ''staff'''),
        ('enrollment', '''group_id'', ''study_group'', ''student_id'', ''student'''),
        ('schedule_slot', '''group_id'', ''study_group'''),
        ('lesson', '''group_id'', ''study_group'', ''topic_id'', ''program_topic'''),
        ('safety_briefing', '''group_id'', ''study_group'''),
        ('safety_briefing_student', '''briefing_id'', ''safety_briefing'', ''student_id'', ''student'''),
        ('event', '''group_id'', ''study_group'''),
        ('achievement', '''group_id'', ''study_group'', ''student_id'', ''student'''),
        ('remark', '''group_id'', ''study_group'', ''lesson_id'', ''lesson'''),
        ('change_request', '''group_id'', ''study_group'', ''student_id'', ''student'''),
        ('data_check', '''group_id'', ''study_group'''),
        ('print_fingerprint', '''iteration_id'', ''iteration'', ''quantum_id'', ''quantum'', ''group_id'', ''study_group''')
    ) v(tbl, args) LOOP
        EXECUTE format('CREATE TRIGGER a0_visible BEFORE INSERT OR UPDATE ON ej.%I '
                       'FOR EACH ROW EXECUTE FUNCTION ej.tg_visible_parents(%s)', t.tbl, t.args);
    END LOOP;
END $$;

-- Marks, the hot path, get the same rule inside their own trigger at no extra query: the lesson
-- row it reads anyway names the group's teacher. Only a teacher writes marks (privileges); a
-- lesson of someone else's group is "not found", whatever its date or archive state.
CREATE OR REPLACE FUNCTION ej.tg_attendance() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_me      bigint := ej.current_staff_id();
    v_group   bigint;
    v_org     bigint;
    v_held_on date;
    v_status  text;
    v_teacher bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.lesson_id <> OLD.lesson_id THEN
        -- moving a mark to another lesson: the old lesson's rules apply too
        PERFORM ej.assert_group_writable(OLD.group_id);
        PERFORM ej.require_reason_for_late((SELECT held_on FROM ej.lesson WHERE id = OLD.lesson_id));
    END IF;
    SELECT l.group_id, g.organization_id, l.held_on, i.status, g.teacher_id
      INTO v_group, v_org, v_held_on, v_status, v_teacher
      FROM ej.lesson l
      JOIN ej.study_group g ON g.id = l.group_id
      JOIN ej.iteration i ON i.id = g.iteration_id
     WHERE l.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.lesson_id ELSE NEW.lesson_id END;
    IF NOT FOUND OR (v_me IS NOT NULL AND v_teacher <> v_me AND TG_OP <> 'DELETE') THEN
        RAISE EXCEPTION 'Занятие не найдено' USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF v_status = 'archived' THEN
        RAISE EXCEPTION 'Итерация в архиве: её записи нельзя изменять'
            USING ERRCODE = 'read_only_sql_transaction';
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM ej.require_reason_for_late(v_held_on);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.group_id := v_group;
    NEW.organization_id := v_org;
    IF (TG_OP = 'INSERT' OR NEW.student_id <> OLD.student_id OR NEW.lesson_id <> OLD.lesson_id)
       AND NOT EXISTS (SELECT 1 FROM ej.enrollment e
                        WHERE e.group_id = v_group AND e.student_id = NEW.student_id
                          AND e.enrolled_on <= v_held_on AND (e.left_on IS NULL OR e.left_on > v_held_on)) THEN
        RAISE EXCEPTION 'Обучающийся не числится в группе на дату занятия (%)', to_char(v_held_on, 'DD.MM.YYYY')
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.updated_by := v_me;
    NEW.updated_at := now();
    NEW.version := CASE WHEN TG_OP = 'UPDATE' THEN OLD.version + 1 ELSE 1 END;
    RETURN NEW;
END $$;

---------------------------------------------------------------------------------------------
-- 7. A remark is fixed when the teacher says so: the moment comes from the server clock.
CREATE FUNCTION ej.tg_remark_fixed_at() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF ej.current_staff_id() IS NOT NULL
       AND NEW.fixed_at IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.fixed_at IS DISTINCT FROM OLD.fixed_at) THEN
        NEW.fixed_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_fixed_at BEFORE INSERT OR UPDATE ON ej.remark
    FOR EACH ROW EXECUTE FUNCTION ej.tg_remark_fixed_at();

---------------------------------------------------------------------------------------------
-- 7–8. The iteration's life. Iterations of one organization do not overlap (two ranges instead
-- of btree_gist, which the embedded server lacks: an organization is the one-point int8range).
ALTER TABLE ej.iteration ADD CONSTRAINT iteration_no_overlap
    EXCLUDE USING gist (int8range(organization_id, organization_id, '[]') WITH &&,
                        daterange(starts_on, ends_on, '[]') WITH &&);
COMMENT ON CONSTRAINT iteration_no_overlap ON ej.iteration
    IS 'Даты итерации пересекаются с другой итерацией организации.';

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
            USING ERRCODE = 'insufficient_privilege';
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
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_dates BEFORE UPDATE OF starts_on, ends_on ON ej.iteration
    FOR EACH ROW EXECUTE FUNCTION ej.tg_iteration_dates();

-- The caller's iteration for a status change, locked; "not found" for another organization's.
CREATE FUNCTION ej.my_iteration_for_update(p_iteration_id bigint) RETURNS ej.iteration
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r ej.iteration;
BEGIN
    SELECT * INTO r FROM ej.iteration WHERE id = p_iteration_id FOR UPDATE;
    IF NOT FOUND OR (r.organization_id IS DISTINCT FROM ej.current_org_id() AND NOT ej.session_is_superuser()) THEN
        RAISE EXCEPTION 'Итерация не найдена' USING ERRCODE = 'no_data_found';
    END IF;
    RETURN r;
END $$;

-- planned → active → closed, by the methodist.
CREATE FUNCTION ej.set_iteration_status(p_iteration_id bigint, p_status text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r ej.iteration;
BEGIN
    PERFORM ej.require_role('methodist', 'Начинать и заканчивать итерацию может только методист');
    r := ej.my_iteration_for_update(p_iteration_id);
    IF (r.status, p_status) NOT IN (('planned', 'active'), ('active', 'closed')) THEN
        RAISE EXCEPTION 'Итерацию можно только начать (из «планируется») или закончить (из «идёт»); в архив — командой «архивировать»'
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE ej.iteration SET status = p_status WHERE id = p_iteration_id;
END $$;

-- Archive: only after the iteration's last day (a term that ends early is first shortened —
-- an audited change of its end date, refused while lessons lie after it); refused while problems
-- remain unless the methodist confirms them. Before the status turns, the КТП, programs and
-- names the journal shows are copied into it (5.), so nothing done elsewhere changes it later.
CREATE OR REPLACE FUNCTION ej.archive_iteration(p_iteration_id bigint, p_accept_problems boolean DEFAULT false)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r          ej.iteration;
    v_problems integer;
BEGIN
    PERFORM ej.require_role('methodist', 'Архивировать итерацию может только методист');
    r := ej.my_iteration_for_update(p_iteration_id);
    IF r.status = 'archived' THEN
        RETURN 0;
    END IF;
    IF r.status = 'planned' THEN
        RAISE EXCEPTION 'Итерация ещё не началась: архивировать нечего' USING ERRCODE = 'check_violation';
    END IF;
    IF r.ends_on >= ej.today(r.organization_id) THEN  -- ej.today: 0018
        RAISE EXCEPTION 'Итерация идёт до %: архивировать можно после её окончания', to_char(r.ends_on, 'DD.MM.YYYY')
            USING ERRCODE = 'check_violation',
                  HINT = 'Если итерация закончилась раньше, сначала измените дату её окончания.';
    END IF;
    SELECT count(*) INTO v_problems FROM ej.archive_problems(p_iteration_id);
    IF v_problems > 0 AND NOT p_accept_problems THEN
        RAISE EXCEPTION 'В журнале итерации есть незаполненные занятия (%): исправьте их или подтвердите архивацию', v_problems
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM ej.freeze_iteration(p_iteration_id);
    UPDATE ej.iteration SET status = 'archived' WHERE id = p_iteration_id;
    RETURN v_problems;
END $$;

-- A planned iteration with no lessons is cancelled with its groups (their enrollments and
-- schedule go with them); the audit log keeps what was removed. Returns the groups removed.
CREATE FUNCTION ej.cancel_iteration(p_iteration_id bigint) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r        ej.iteration;
    v_groups integer;
    t        text;
BEGIN
    PERFORM ej.require_role('methodist', 'Отменить итерацию может только методист');
    r := ej.my_iteration_for_update(p_iteration_id);
    IF r.status <> 'planned' THEN
        RAISE EXCEPTION 'Отменить можно только итерацию, которая ещё не началась' USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM ej.lesson l JOIN ej.study_group g ON g.id = l.group_id WHERE g.iteration_id = r.id) THEN
        RAISE EXCEPTION 'В журнале итерации уже есть занятия: её нельзя отменить' USING ERRCODE = 'check_violation';
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

-- 8. The director approves a schedule only when no teacher and no room is booked twice at the
-- same time; the refusal names the clash.
CREATE OR REPLACE FUNCTION ej.approve_schedule(p_iteration_id bigint) RETURNS timestamptz
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at    timestamptz := now();
    c       record;
BEGIN
    IF NOT pg_has_role(session_user, 'ej_director', 'MEMBER') THEN
        RAISE EXCEPTION 'Расписание и нагрузку утверждает только директор' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ej.iteration WHERE id = p_iteration_id
                                             AND organization_id = ej.current_org_id()) THEN
        RAISE EXCEPTION 'Итерация не найдена' USING ERRCODE = 'no_data_found';
    END IF;
    SELECT * INTO c FROM ej.schedule_clashes(p_iteration_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'Расписание не утверждено: %', c.message
            USING ERRCODE = 'check_violation', HINT = 'Исправьте расписание групп и утвердите снова.';
    END IF;
    UPDATE ej.iteration SET schedule_approved_by = ej.current_staff_id(), schedule_approved_at = v_at
     WHERE id = p_iteration_id;
    RETURN v_at;
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
CREATE INDEX frozen_topic_program_idx ON ej.frozen_topic (iteration_id, program_id);
COMMENT ON CONSTRAINT frozen_topic_pkey ON ej.frozen_topic IS 'Тема уже сохранена в архиве итерации.';
COMMENT ON CONSTRAINT frozen_topic_iteration_id_fkey ON ej.frozen_topic IS 'Итерация не найдена.';

ALTER TABLE ej.study_group ADD COLUMN frozen jsonb;

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

-- Archived iterations of the demo data and of earlier versions get their copy now.
DO $$
DECLARE
    it bigint;
BEGIN
    ALTER TABLE ej.study_group DISABLE TRIGGER a_study_group;
    FOR it IN SELECT id FROM ej.iteration WHERE status = 'archived' LOOP
        PERFORM ej.freeze_iteration(it);
    END LOOP;
    ALTER TABLE ej.study_group ENABLE TRIGGER a_study_group;
END $$;

-- The copy is written once, by ej.freeze_iteration; nobody changes it afterwards.
CREATE FUNCTION ej.tg_frozen_copy() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME = 'study_group' THEN
        IF NEW.frozen IS DISTINCT FROM OLD.frozen AND current_user <> 'ej_owner' AND NOT ej.session_is_superuser() THEN
            RAISE EXCEPTION 'Архивная копия журнала не изменяется' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;  -- an update that changes nothing changes nothing
    END IF;
    RAISE EXCEPTION 'Архивная копия журнала не изменяется' USING ERRCODE = 'read_only_sql_transaction';
END $$;
CREATE TRIGGER b_frozen BEFORE UPDATE OF frozen ON ej.study_group
    FOR EACH ROW EXECUTE FUNCTION ej.tg_frozen_copy();
CREATE TRIGGER b_frozen BEFORE UPDATE OR DELETE ON ej.frozen_topic
    FOR EACH ROW EXECUTE FUNCTION ej.tg_frozen_copy();

ALTER TABLE ej.frozen_topic ENABLE ROW LEVEL SECURITY;
ALTER TABLE ej.frozen_topic FORCE ROW LEVEL SECURITY;
REVOKE ALL ON ej.frozen_topic FROM PUBLIC;
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

CREATE OR REPLACE VIEW ej.report_group WITH (security_invoker = true) AS
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
         FROM ej.group_topic t WHERE t.group_id = r.group_id) k
 CROSS JOIN LATERAL (
       SELECT count(*)::integer AS lessons, coalesce(sum(l.hours), 0) AS hours,
              count(DISTINCT l.topic_id)::integer AS topics_covered,
              count(*) FILTER (WHERE l.topic_id IS NULL)::integer AS free_lessons
         FROM ej.lesson l WHERE l.group_id = r.group_id) d
 CROSS JOIN LATERAL (
       SELECT count(*)::integer AS planned_lessons,
              count(*) FILTER (WHERE p.held_on <= current_date)::integer AS planned_to_date
         FROM ej.report_planned_date p WHERE p.group_id = r.group_id) s;

CREATE OR REPLACE VIEW ej.report_fulfilment_topic WITH (security_invoker = true) AS
SELECT r.organization_id, r.iteration_id, r.group_id, r.group_name, t.topic_id, t.position, t.title,
       t.hours AS planned_hours, coalesce(d.hours, 0) AS delivered_hours, coalesce(d.lessons, 0) AS lessons,
       d.first_on, d.last_on
  FROM ej.report_group r
  JOIN ej.group_topic t ON t.group_id = r.group_id
  LEFT JOIN LATERAL (
       SELECT sum(l.hours) AS hours, count(*)::integer AS lessons, min(l.held_on) AS first_on,
              max(l.held_on) AS last_on
         FROM ej.lesson l WHERE l.group_id = r.group_id AND l.topic_id = t.topic_id) d ON true;

-- The numeric report prints students' sex and class: as the archived group's copy has them.
-- ej.report_numeric reads the archived copy too: defined once, in 0021 (with 0018's today).

---------------------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION ej.tg_visible_parents(), ej.not_found_message(text), ej.tg_remark_fixed_at(),
    ej.tg_iteration_status(), ej.tg_iteration_dates(), ej.my_iteration_for_update(bigint),
    ej.set_iteration_status(bigint, text), ej.cancel_iteration(bigint), ej.schedule_clashes(bigint),
    ej.freeze_iteration(bigint), ej.tg_frozen_copy(), ej.as_printed(jsonb, ej.student),
    ej.as_printed(jsonb, ej.staff) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.as_printed(jsonb, ej.student), ej.as_printed(jsonb, ej.staff)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT EXECUTE ON FUNCTION ej.not_found_message(text) TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
GRANT EXECUTE ON FUNCTION ej.set_iteration_status(bigint, text), ej.cancel_iteration(bigint) TO ej_methodist;
GRANT EXECUTE ON FUNCTION ej.schedule_clashes(bigint) TO ej_methodist, ej_deputy, ej_director;
