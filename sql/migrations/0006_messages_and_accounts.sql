-- The message a person reads when a constraint refuses a value, kept beside the constraint.
SET LOCAL ROLE ej_owner;

COMMENT ON CONSTRAINT organization_name_len ON ej.organization IS 'Название организации: от 2 до 300 символов.';
COMMENT ON CONSTRAINT organization_unit_len ON ej.organization IS 'Название подразделения: не длиннее 300 символов.';
COMMENT ON CONSTRAINT organization_short_len ON ej.organization IS 'Краткое название: не длиннее 100 символов.';
COMMENT ON CONSTRAINT organization_address_len ON ej.organization IS 'Адрес: не длиннее 500 символов.';
COMMENT ON CONSTRAINT organization_city_len ON ej.organization IS 'Город: не длиннее 100 символов.';
COMMENT ON CONSTRAINT organization_director_len ON ej.organization IS 'ФИО директора: не длиннее 200 символов.';
COMMENT ON CONSTRAINT organization_name_key ON ej.organization IS 'Организация с таким названием уже есть.';

COMMENT ON CONSTRAINT staff_login_key ON ej.staff IS 'Сотрудник с таким логином уже есть.';
COMMENT ON CONSTRAINT staff_login_shape ON ej.staff IS 'Логин: латинские строчные буквы, цифры, «_», «.», «-»; от 2 до 63 символов, начинается с буквы.';
COMMENT ON CONSTRAINT staff_full_name_shape ON ej.staff IS 'ФИО сотрудника: от двух до четырёх слов через пробел, например «Иванова Мария Петровна».';
COMMENT ON CONSTRAINT staff_position_len ON ej.staff IS 'Должность: не длиннее 200 символов.';
COMMENT ON CONSTRAINT staff_phone_shape ON ej.staff IS 'Телефон: цифры, пробелы, скобки и дефисы, например +7 (812) 555-12-34.';
COMMENT ON CONSTRAINT staff_email_shape ON ej.staff IS 'Электронная почта должна быть вида имя@домен.ru.';

COMMENT ON CONSTRAINT quantum_name_len ON ej.quantum IS 'Название квантума: от 1 до 100 символов.';
COMMENT ON CONSTRAINT quantum_name_key ON ej.quantum IS 'Квантум с таким названием уже есть.';

COMMENT ON CONSTRAINT student_last_name_len ON ej.student IS 'Фамилия обучающегося: от 1 до 80 символов.';
COMMENT ON CONSTRAINT student_first_name_len ON ej.student IS 'Имя обучающегося: от 1 до 80 символов.';
COMMENT ON CONSTRAINT student_middle_name_len ON ej.student IS 'Отчество обучающегося: не длиннее 80 символов.';
COMMENT ON CONSTRAINT student_birth_date_range ON ej.student IS 'Дата рождения вне допустимого диапазона (не ранее 01.01.1995).';
COMMENT ON CONSTRAINT student_sex_value ON ej.student IS 'Пол: «м» или «ж».';
COMMENT ON CONSTRAINT student_school_len ON ej.student IS 'Школа: не длиннее 200 символов.';
COMMENT ON CONSTRAINT student_school_class_shape ON ej.student IS 'Класс: число от 1 до 11 и, при необходимости, буква, например «7Б».';
COMMENT ON CONSTRAINT student_address_len ON ej.student IS 'Адрес: не длиннее 300 символов.';
COMMENT ON CONSTRAINT student_phone_shape ON ej.student IS 'Телефон: цифры, пробелы, скобки и дефисы, например +7 (812) 555-12-34.';
COMMENT ON CONSTRAINT student_clearance_date ON ej.student IS 'Дата медицинского допуска указывается только при наличии допуска.';

COMMENT ON CONSTRAINT guardian_full_name_len ON ej.guardian IS 'ФИО родителя (законного представителя): от 2 до 200 символов.';
COMMENT ON CONSTRAINT guardian_relation_value ON ej.guardian IS 'Кем приходится: мать, отец, опекун или другое.';
COMMENT ON CONSTRAINT guardian_phone_shape ON ej.guardian IS 'Телефон: цифры, пробелы, скобки и дефисы, например +7 (812) 555-12-34.';
COMMENT ON CONSTRAINT guardian_email_shape ON ej.guardian IS 'Электронная почта должна быть вида имя@домен.ru.';

COMMENT ON CONSTRAINT program_name_len ON ej.program IS 'Название программы: от 2 до 300 символов.';
COMMENT ON CONSTRAINT program_total_hours_positive ON ej.program IS 'Объём программы в часах должен быть больше нуля (не более 2000).';
COMMENT ON CONSTRAINT program_name_key ON ej.program IS 'В квантуме уже есть программа с таким названием.';

COMMENT ON CONSTRAINT program_topic_position_positive ON ej.program_topic IS 'Номер темы КТП должен быть больше нуля.';
COMMENT ON CONSTRAINT program_topic_title_len ON ej.program_topic IS 'Тема КТП: от 1 до 500 символов.';
COMMENT ON CONSTRAINT program_topic_hours_positive ON ej.program_topic IS 'Часы темы КТП должны быть больше нуля (не более 200).';
COMMENT ON CONSTRAINT program_topic_position_key ON ej.program_topic IS 'В КТП уже есть тема с таким номером.';

COMMENT ON CONSTRAINT iteration_name_len ON ej.iteration IS 'Название итерации: от 1 до 100 символов.';
COMMENT ON CONSTRAINT iteration_dates_order ON ej.iteration IS 'Итерация должна заканчиваться позже, чем начинается, и длиться не больше года.';
COMMENT ON CONSTRAINT iteration_status_value ON ej.iteration IS 'Статус итерации: planned, active, closed или archived.';
COMMENT ON CONSTRAINT iteration_approval_pair ON ej.iteration IS 'Утверждение расписания записывается вместе с тем, кто и когда утвердил.';
COMMENT ON CONSTRAINT iteration_name_key ON ej.iteration IS 'Итерация с таким названием уже есть.';

COMMENT ON CONSTRAINT study_group_name_len ON ej.study_group IS 'Название группы: от 1 до 100 символов.';
COMMENT ON CONSTRAINT study_group_room_len ON ej.study_group IS 'Кабинет: не длиннее 50 символов.';
COMMENT ON CONSTRAINT study_group_name_key ON ej.study_group IS 'В этой итерации уже есть группа с таким названием.';

COMMENT ON CONSTRAINT enrollment_order_len ON ej.enrollment IS 'Укажите номер приказа о зачислении (до 50 символов).';
COMMENT ON CONSTRAINT enrollment_dates_order ON ej.enrollment IS 'Дата выбытия должна быть позже даты зачисления.';
COMMENT ON CONSTRAINT enrollment_leave_order_required ON ej.enrollment IS 'При отчислении укажите номер приказа (до 50 символов).';
COMMENT ON CONSTRAINT enrollment_leave_reason_len ON ej.enrollment IS 'Причина выбытия: не длиннее 300 символов.';

COMMENT ON CONSTRAINT schedule_slot_weekday_value ON ej.schedule_slot IS 'День недели: от 1 (понедельник) до 7 (воскресенье).';
COMMENT ON CONSTRAINT schedule_slot_time_order ON ej.schedule_slot IS 'Занятие должно заканчиваться позже, чем начинается.';
COMMENT ON CONSTRAINT schedule_slot_room_len ON ej.schedule_slot IS 'Кабинет: не длиннее 50 символов.';
COMMENT ON CONSTRAINT schedule_slot_valid_order ON ej.schedule_slot IS 'Расписание действует «по» не раньше, чем «с».';
COMMENT ON CONSTRAINT schedule_slot_order_len ON ej.schedule_slot IS 'Номер приказа: не длиннее 50 символов.';

COMMENT ON CONSTRAINT lesson_hours_positive ON ej.lesson IS 'Часы занятия: больше нуля и не более 8.';
COMMENT ON CONSTRAINT lesson_topic_len ON ej.lesson IS 'Тема занятия: от 1 до 500 символов.';
COMMENT ON CONSTRAINT lesson_group_date_key ON ej.lesson IS 'У группы уже есть занятие в этот день.';

COMMENT ON CONSTRAINT attendance_pkey ON ej.attendance IS 'Отметка для этого обучающегося на этом занятии уже есть.';
COMMENT ON CONSTRAINT attendance_status_value ON ej.attendance IS 'Отметка: присутствовал, «н» (без уважительной причины) или «у» (по уважительной причине).';
COMMENT ON CONSTRAINT attendance_reason_value ON ej.attendance IS 'Уважительная причина: болезнь, заявление родителей, соревнования/олимпиада или другое.';
COMMENT ON CONSTRAINT attendance_reason_required ON ej.attendance IS 'Для отметки «у» выберите уважительную причину; для других отметок причина не указывается.';
COMMENT ON CONSTRAINT attendance_reason_text_required ON ej.attendance IS 'Для причины «другое» напишите, какая именно.';
COMMENT ON CONSTRAINT attendance_reason_text_len ON ej.attendance IS 'Пояснение причины: не длиннее 200 символов.';

COMMENT ON CONSTRAINT safety_briefing_kind_value ON ej.safety_briefing IS 'Вид инструктажа: вводный, повторный или внеплановый.';
COMMENT ON CONSTRAINT safety_briefing_content_len ON ej.safety_briefing IS 'Содержание инструктажа: от 2 до 500 символов.';
COMMENT ON CONSTRAINT safety_briefing_student_pkey ON ej.safety_briefing_student IS 'Обучающийся уже отмечен в этом инструктаже.';

COMMENT ON CONSTRAINT event_title_len ON ej.event IS 'Название мероприятия: от 2 до 300 символов.';
COMMENT ON CONSTRAINT event_place_len ON ej.event IS 'Место проведения: не длиннее 300 символов.';
COMMENT ON CONSTRAINT event_participants_range ON ej.event IS 'Число участников: от 0 до 1000.';

COMMENT ON CONSTRAINT achievement_competition_len ON ej.achievement IS 'Название конкурса: от 2 до 300 символов.';
COMMENT ON CONSTRAINT achievement_level_value ON ej.achievement IS 'Уровень: учрежденческий, муниципальный, региональный, всероссийский или международный.';
COMMENT ON CONSTRAINT achievement_result_len ON ej.achievement IS 'Результат: от 1 до 100 символов (например, «1 место», «участник»).';

COMMENT ON CONSTRAINT remark_body_len ON ej.remark IS 'Текст замечания: от 2 до 2000 символов.';
COMMENT ON CONSTRAINT remark_fixed_note_len ON ej.remark IS 'Комментарий об устранении: не длиннее 1000 символов.';
COMMENT ON CONSTRAINT remark_closed_pair ON ej.remark IS 'Закрытие замечания записывается вместе с тем, кто его закрыл.';

COMMENT ON CONSTRAINT board_post_title_len ON ej.board_post IS 'Заголовок: от 2 до 200 символов.';
COMMENT ON CONSTRAINT board_post_body_len ON ej.board_post IS 'Текст: от 1 до 20000 символов.';

CREATE FUNCTION ej.constraint_messages() RETURNS TABLE (constraint_name text, message text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.conname::text, d.description
      FROM pg_constraint c
      JOIN pg_namespace n ON n.oid = c.connamespace
      JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_constraint'::regclass
     WHERE n.nspname = 'ej'
$$;

-- Accounts: a LOGIN role and its staff row, made in one step.
CREATE FUNCTION ej.is_account_admin() RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
        OR pg_has_role(session_user, 'ej_admin', 'MEMBER')
$$;

CREATE FUNCTION ej.account_org(p_organization_id bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_mine bigint := ej.current_org_id();
    v_org  bigint := coalesce(p_organization_id, v_mine);
BEGIN
    IF v_org IS NULL THEN
        SELECT CASE WHEN count(*) = 1 THEN min(id) END INTO v_org FROM ej.organization;
    END IF;
    IF v_org IS NULL OR NOT EXISTS (SELECT 1 FROM ej.organization WHERE id = v_org) THEN
        RAISE EXCEPTION 'Укажите организацию' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF v_mine IS NOT NULL AND v_org <> v_mine
       AND NOT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false) THEN
        RAISE EXCEPTION 'Учётные записи другой организации вам недоступны' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN v_org;
END $$;

CREATE FUNCTION ej.add_user(p_login text, p_roles text[], p_full_name text, p_organization_id bigint DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org   bigint;
    v_role  text;
    v_id    bigint;
BEGIN
    IF NOT ej.is_account_admin() THEN
        RAISE EXCEPTION 'Выдавать учётные записи может только администратор' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_login IS NULL OR p_login !~ '^[a-z_][a-z0-9_.-]{1,62}$' THEN
        RAISE EXCEPTION 'Логин: латинские строчные буквы, цифры, «_», «.», «-»; от 2 до 63 символов, начинается с буквы'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_login LIKE 'pg\_%' OR p_login LIKE 'ej\_%' OR p_login IN ('postgres', 'public') THEN
        RAISE EXCEPTION 'Этот логин зарезервирован' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF coalesce(cardinality(p_roles), 0) = 0 THEN
        RAISE EXCEPTION 'Укажите роль: teacher, methodist, deputy, director или admin' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH v_role IN ARRAY p_roles LOOP
        IF v_role NOT IN ('teacher', 'methodist', 'deputy', 'director', 'admin') THEN
            RAISE EXCEPTION 'Неизвестная роль «%»: teacher, methodist, deputy, director или admin', v_role
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
        RAISE EXCEPTION 'Логин «%» уже занят', p_login USING ERRCODE = 'duplicate_object';
    END IF;
    v_org := ej.account_org(p_organization_id);
    INSERT INTO ej.staff (organization_id, login, full_name) VALUES (v_org, p_login, p_full_name) RETURNING id INTO v_id;
    EXECUTE format('CREATE ROLE %I LOGIN', p_login);
    FOREACH v_role IN ARRAY p_roles LOOP
        EXECUTE format('GRANT %I TO %I', 'ej_' || v_role, p_login);
    END LOOP;
    RETURN v_id;
END $$;

CREATE FUNCTION ej.set_user_locked(p_login text, p_locked boolean) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org bigint;
BEGIN
    IF NOT ej.is_account_admin() THEN
        RAISE EXCEPTION 'Блокировать учётные записи может только администратор' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT organization_id INTO v_org FROM ej.staff WHERE login = p_login;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Учётная запись «%» не найдена', p_login USING ERRCODE = 'undefined_object';
    END IF;
    PERFORM ej.account_org(v_org);
    IF p_locked AND p_login = session_user THEN
        RAISE EXCEPTION 'Нельзя заблокировать собственную учётную запись' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE ej.staff SET is_locked = p_locked WHERE login = p_login;
    EXECUTE format('ALTER ROLE %I %s', p_login, CASE WHEN p_locked THEN 'NOLOGIN' ELSE 'LOGIN' END);
END $$;

CREATE VIEW ej.user_account WITH (security_invoker = true) AS
SELECT s.id, s.organization_id, s.login, s.full_name, s.is_locked,
       coalesce(r.rolcanlogin, false) AS can_login,
       coalesce(ARRAY(SELECT substr(g.rolname, 4) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                       WHERE m.member = r.oid AND g.rolname IN ('ej_teacher', 'ej_methodist', 'ej_deputy',
                                                                'ej_director', 'ej_admin')
                       ORDER BY g.rolname), '{}') AS roles
  FROM ej.staff s
  LEFT JOIN pg_roles r ON r.rolname = s.login;

GRANT SELECT ON ej.user_account TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
-- Functions are executable by PUBLIC when created; 0005 revoked that only for the functions
-- that existed then.
REVOKE ALL ON FUNCTION ej.constraint_messages(), ej.is_account_admin(), ej.account_org(bigint),
    ej.add_user(text, text[], text, bigint), ej.set_user_locked(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.constraint_messages(), ej.is_account_admin()
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
-- Every staff role may call these, so that a non-administrator reads their own clear refusal
-- («… может только администратор») rather than a bare "permission denied".
GRANT EXECUTE ON FUNCTION ej.add_user(text, text[], text, bigint), ej.set_user_locked(text, boolean)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
GRANT EXECUTE ON FUNCTION ej.account_org(bigint) TO ej_admin;

-- The history of one row, as far as the caller may see it (RLS on audit.log applies).
CREATE FUNCTION audit.row_history(p_table text, p_key jsonb)
    RETURNS TABLE (at timestamptz, actor text, actor_name text, op text, old_row jsonb, new_row jsonb, reason text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT l.at, l.actor, s.full_name, l.op, l.old_row, l.new_row, l.reason
      FROM audit.log l
      LEFT JOIN ej.staff s ON s.login = l.actor
     WHERE l.table_name = p_table AND l.row_key = p_key
     ORDER BY l.id
$$;
REVOKE ALL ON FUNCTION audit.row_history(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.row_history(text, jsonb) TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
