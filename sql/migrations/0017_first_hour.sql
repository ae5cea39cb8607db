-- The first hour of a new user (issue 14): rules the screens used to leave open.
SET LOCAL ROLE ej_owner;

-- A birth date in the future is a typing error. (A CHECK cannot use current_date: a trigger.)
CREATE FUNCTION ej.tg_student_birth_date() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.birth_date > ej.today(NEW.organization_id) THEN
        RAISE EXCEPTION 'Дата рождения не может быть в будущем (%)', to_char(NEW.birth_date, 'DD.MM.YYYY')
            USING ERRCODE = 'EJ003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_student_birth_date BEFORE INSERT OR UPDATE OF birth_date ON ej.student
    FOR EACH ROW EXECUTE FUNCTION ej.tg_student_birth_date();

-- A lesson follows a КТП topic or has its own topic, never both. The КТП topic, when chosen, is
-- the official one; its title is kept in `topic` (what the hard copy prints), so a different
-- free text beside a КТП topic is refused.
CREATE FUNCTION ej.tg_lesson_topic() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_title text;
BEGIN
    -- An update names one of the two: a new free text makes it «своя тема» (the КТП link goes),
    -- a new КТП topic brings its title.
    IF TG_OP = 'UPDATE' AND NEW.topic IS DISTINCT FROM OLD.topic
       AND NEW.topic_id IS NOT DISTINCT FROM OLD.topic_id AND NEW.topic IS NOT NULL THEN
        NEW.topic_id := NULL;
    END IF;
    IF NEW.topic_id IS NOT NULL THEN
        SELECT title INTO v_title FROM ej.program_topic WHERE id = NEW.topic_id;
        IF NEW.topic IS NOT NULL AND NEW.topic IS DISTINCT FROM v_title
           AND NOT (TG_OP = 'UPDATE' AND NEW.topic IS NOT DISTINCT FROM OLD.topic) THEN
            RAISE EXCEPTION 'У занятия либо тема из КТП, либо своя тема — не обе сразу'
                USING ERRCODE = 'EJ003', HINT = 'Выберите «своя тема» в списке тем КТП или очистите своё название.';
        END IF;
        NEW.topic := v_title;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_lesson_topic BEFORE INSERT OR UPDATE OF topic_id, topic ON ej.lesson
    FOR EACH ROW EXECUTE FUNCTION ej.tg_lesson_topic();

-- A remark about a lesson is answered («устранено») only once that lesson has its topic and a mark
-- for every student enrolled on its date.
CREATE FUNCTION ej.tg_remark_answer() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_held    date;
    v_topic   boolean;
    v_missing bigint;
BEGIN
    IF NEW.fixed_at IS NULL OR OLD.fixed_at IS NOT NULL OR NEW.lesson_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT l.held_on, l.topic IS NOT NULL OR l.topic_id IS NOT NULL,
           (SELECT count(*) FROM ej.enrollment e
             WHERE e.group_id = l.group_id AND e.enrolled_on <= l.held_on
               AND (e.left_on IS NULL OR e.left_on > l.held_on)
               AND NOT EXISTS (SELECT 1 FROM ej.attendance a WHERE a.lesson_id = l.id AND a.student_id = e.student_id))
      INTO v_held, v_topic, v_missing
      FROM ej.lesson l WHERE l.id = NEW.lesson_id;
    IF FOUND AND (NOT v_topic OR v_missing > 0) THEN
        RAISE EXCEPTION 'Сначала заполните занятие %: %', to_char(v_held, 'DD.MM.YYYY'),
            CASE WHEN NOT v_topic AND v_missing > 0
                     THEN 'тема и ' || v_missing || ' ' || ej.ru_plural(v_missing, 'отметка', 'отметки', 'отметок')
                 WHEN NOT v_topic THEN 'нет темы'
                 ELSE 'нет ' || v_missing || ' ' || ej.ru_plural(v_missing, 'отметки', 'отметок', 'отметок') END
            USING ERRCODE = 'EJ003';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER c_remark_answer BEFORE UPDATE OF fixed_at ON ej.remark
    FOR EACH ROW EXECUTE FUNCTION ej.tg_remark_answer();

-- (A group with lessons or students on its rolls is not deleted: ej.tg_study_group, 0004.)

CREATE FUNCTION ej.receive_hard_copy(p_id bigint) RETURNS timestamptz
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz;
BEGIN
    PERFORM ej.require_role('deputy', 'Получение твёрдой копии отмечает заместитель директора');
    UPDATE ej.print_fingerprint
       SET received_by = ej.current_staff_id(), received_at = now()
     WHERE id = p_id AND organization_id = ej.current_org_id() AND kind IN ('journal', 'group')
       AND received_at IS NULL
    RETURNING received_at INTO v_at;
    IF NOT FOUND THEN
        SELECT received_at INTO v_at FROM ej.print_fingerprint
         WHERE id = p_id AND organization_id = ej.current_org_id() AND kind IN ('journal', 'group');
        IF v_at IS NULL THEN
            RAISE EXCEPTION 'Твёрдая копия не найдена' USING ERRCODE = 'EJ005';
        END IF;
    END IF;
    RETURN v_at;
END $$;
REVOKE ALL ON FUNCTION ej.receive_hard_copy(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.receive_hard_copy(bigint) TO ej_deputy;
