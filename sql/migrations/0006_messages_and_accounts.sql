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
COMMENT ON CONSTRAINT attendance_reason_required ON ej.attendance IS 'Для отметки «у» выберите уважительную причину; для других отметок причина не указывается.';
COMMENT ON CONSTRAINT attendance_reason_text_required ON ej.attendance IS 'Для причины «другое» напишите, какая именно.';
COMMENT ON CONSTRAINT attendance_reason_text_len ON ej.attendance IS 'Пояснение причины: не длиннее 200 символов.';

COMMENT ON CONSTRAINT safety_briefing_content_len ON ej.safety_briefing IS 'Содержание инструктажа: от 2 до 500 символов.';
COMMENT ON CONSTRAINT safety_briefing_student_pkey ON ej.safety_briefing_student IS 'Обучающийся уже отмечен в этом инструктаже.';

COMMENT ON CONSTRAINT event_title_len ON ej.event IS 'Название мероприятия: от 2 до 300 символов.';
COMMENT ON CONSTRAINT event_place_len ON ej.event IS 'Место проведения: не длиннее 300 символов.';

COMMENT ON CONSTRAINT achievement_competition_len ON ej.achievement IS 'Название конкурса: от 2 до 300 символов.';
COMMENT ON CONSTRAINT achievement_result_len ON ej.achievement IS 'Результат: от 1 до 100 символов (например, «1 место», «участник»).';

COMMENT ON CONSTRAINT remark_body_len ON ej.remark IS 'Текст замечания: от 2 до 2000 символов.';
COMMENT ON CONSTRAINT remark_fixed_note_len ON ej.remark IS 'Комментарий об устранении: не длиннее 1000 символов.';
COMMENT ON CONSTRAINT remark_closed_pair ON ej.remark IS 'Закрытие замечания записывается вместе с тем, кто его закрыл.';

COMMENT ON CONSTRAINT board_post_title_len ON ej.board_post IS 'Заголовок: от 2 до 200 символов.';
COMMENT ON CONSTRAINT board_post_body_len ON ej.board_post IS 'Текст: от 1 до 20000 символов.';

-- The messages of the vocabulary's foreign keys and limits are composed from the vocabulary
-- itself (0002), so that a label or a limit is written in one place.
CREATE FUNCTION ej.labels_in_words(p_labels text[]) RETURNS text
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN cardinality(p_labels) < 2 THEN coalesce(p_labels[1], '')
                ELSE array_to_string(p_labels[1:cardinality(p_labels) - 1], ', ') || ' или ' || p_labels[cardinality(p_labels)] END
$$;
DO $$
BEGIN
    EXECUTE format('COMMENT ON CONSTRAINT attendance_status_value ON ej.attendance IS %L',
                   'Отметка: ' || ej.labels_in_words(ARRAY(SELECT '«' || letter || '» — ' || label FROM ej.attendance_status ORDER BY sort)) || '.');
    EXECUTE format('COMMENT ON CONSTRAINT attendance_reason_value ON ej.attendance IS %L',
                   'Уважительная причина: ' || ej.labels_in_words(ARRAY(SELECT label FROM ej.absence_reason ORDER BY sort)) || '.');
    EXECUTE format('COMMENT ON CONSTRAINT safety_briefing_kind_value ON ej.safety_briefing IS %L',
                   'Вид инструктажа: ' || ej.labels_in_words(ARRAY(SELECT label FROM ej.briefing_kind ORDER BY sort)) || '.');
    EXECUTE format('COMMENT ON CONSTRAINT achievement_level_value ON ej.achievement IS %L',
                   'Уровень: ' || ej.labels_in_words(ARRAY(SELECT label FROM ej.achievement_level ORDER BY sort)) || '.');
    EXECUTE format('COMMENT ON CONSTRAINT guardian_relation_value ON ej.guardian IS %L',
                   'Кем приходится: ' || ej.labels_in_words(ARRAY(SELECT label FROM ej.guardian_relation ORDER BY sort)) || '.');
    EXECUTE format('COMMENT ON CONSTRAINT iteration_status_value ON ej.iteration IS %L',
                   'Статус итерации: ' || ej.labels_in_words(ARRAY(SELECT '«' || label || '»' FROM ej.iteration_status ORDER BY sort)) || '.');
    EXECUTE format('COMMENT ON CONSTRAINT event_participants_range ON ej.event IS %L',
                   'Число участников: от 0 до ' || ej.participants_limit() || '.');
END $$;

-- Everything the app reads of the vocabulary, once a session: the lookup tables in their order
-- and the limits (ejournal_tui.vocabulary).
CREATE FUNCTION ej.vocabulary() RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object(
        'attendance_status', (SELECT jsonb_agg(to_jsonb(t) - 'sort' ORDER BY t.sort) FROM ej.attendance_status t),
        'absence_reason', (SELECT jsonb_agg(to_jsonb(t) - 'sort' ORDER BY t.sort) FROM ej.absence_reason t),
        'briefing_kind', (SELECT jsonb_agg(to_jsonb(t) - 'sort' ORDER BY t.sort) FROM ej.briefing_kind t),
        'achievement_level', (SELECT jsonb_agg(to_jsonb(t) - 'sort' ORDER BY t.sort) FROM ej.achievement_level t),
        'iteration_status', (SELECT jsonb_agg(to_jsonb(t) - 'sort' ORDER BY t.sort) FROM ej.iteration_status t),
        'guardian_relation', (SELECT jsonb_agg(to_jsonb(t) - 'sort' ORDER BY t.sort) FROM ej.guardian_relation t),
        'edit_window_days', ej.edit_window_days(),
        'participants_limit', ej.participants_limit(),
        'phone_pattern', ej.phone_pattern(),
        'email_pattern', ej.email_pattern())
$$;

-- "Not found" in the words of the table looked for (NULL: a table with no words of its own). A
-- foreign key to such a table says it (ej.constraint_messages), and so does a reference to a row
-- the caller cannot see (ej.tg_visible_parents, 0014).
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
                        WHEN 'safety_briefing' THEN 'Инструктаж не найден' END
$$;

-- Each constraint's message: its comment; else, for a foreign key to a table of schema ej that
-- ej.not_found_message names, that the referenced row is not found.
CREATE FUNCTION ej.constraint_messages() RETURNS TABLE (constraint_name text, message text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT m.constraint_name, m.message
      FROM (SELECT c.conname::text AS constraint_name,
                   coalesce(d.description, ej.not_found_message(t.relname::text) || '.') AS message
              FROM pg_constraint c
              JOIN pg_namespace n ON n.oid = c.connamespace
              LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_constraint'::regclass
              LEFT JOIN pg_class t ON t.oid = c.confrelid AND t.relnamespace = n.oid
             WHERE n.nspname = 'ej') m
     WHERE m.message IS NOT NULL
$$;

-- A refusal (p_what) unless the session has the role ej_<p_role> or is the superuser: the
-- functions that do more than their caller may check the caller's role with it.
CREATE FUNCTION ej.require_role(p_role text, p_what text) RETURNS void
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT pg_has_role(session_user, 'ej_' || p_role, 'MEMBER') AND NOT ej.session_is_superuser() THEN
        RAISE EXCEPTION '%', p_what USING ERRCODE = 'EJ002';
    END IF;
END $$;

GRANT EXECUTE ON FUNCTION ej.require_role(text, text)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;

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
        RAISE EXCEPTION 'Укажите организацию' USING ERRCODE = 'EJ001';
    END IF;
    IF v_mine IS NOT NULL AND v_org <> v_mine
       AND NOT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false) THEN
        RAISE EXCEPTION 'Учётные записи другой организации вам недоступны' USING ERRCODE = 'EJ002';
    END IF;
    RETURN v_org;
END $$;

-- Accounts you can answer for (152-FZ). Every account operation (create, role change, lock,
-- unlock, password, request, confirmation, refusal) is written to audit.account_event, an
-- append-only log like audit.log. A login that can read children's data (teacher, methodist,
-- deputy, director) — issuing it, granting such a role, unlocking it or resetting its password —
-- takes effect only when a second person confirms the request in the app:
--   * the director of the organization confirms requests about other staff;
--   * a request about a director's login (or one that would make someone a director) is
--     confirmed by the deputy director (or by another director), never by its subject;
--   * nobody confirms a request they made or one about their own login;
--   * a superuser (the server's owner setting up a new technopark, the demo, the tests) acts
--     directly: that path is the first director's account and is the only bypass.
-- Logins with the administrator role only never read children's data: issued directly (logged).

-- --- the account log -------------------------------------------------------------------------

CREATE TABLE audit.account_event (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor           text NOT NULL DEFAULT session_user,
    organization_id bigint,
    login           text NOT NULL,
    op              text NOT NULL,
    detail          jsonb NOT NULL DEFAULT '{}',
    CONSTRAINT account_event_op_value CHECK (op IN ('create', 'roles', 'lock', 'unlock', 'password', 'request',
                                                    'confirm', 'refuse', 'withdraw'))
);
COMMENT ON TABLE audit.account_event IS 'Журнал операций с учётными записями; только дописывается.';
COMMENT ON COLUMN audit.account_event.op IS 'Операция (список — в ограничении account_event_op_value).';
CREATE INDEX account_event_org_at ON audit.account_event (organization_id, at);
CREATE TRIGGER account_event_is_append_only BEFORE UPDATE OR DELETE ON audit.account_event
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER account_event_no_truncate BEFORE TRUNCATE ON audit.account_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
SELECT ej.enable_rls('audit.account_event');
CREATE POLICY owner_write ON audit.account_event FOR INSERT TO ej_owner WITH CHECK (true);
CREATE POLICY owner_read ON audit.account_event FOR SELECT TO ej_owner USING (true);
CREATE POLICY org_read ON audit.account_event FOR SELECT TO ej_director, ej_deputy, ej_admin
    USING (organization_id = (SELECT ej.current_org_id()));
GRANT SELECT ON audit.account_event TO ej_director, ej_deputy, ej_admin;

CREATE FUNCTION audit.log_account(p_org bigint, p_login text, p_op text, p_detail jsonb DEFAULT '{}')
    RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO audit.account_event (organization_id, login, op, detail) VALUES (p_org, p_login, p_op, p_detail)
$$;
REVOKE ALL ON FUNCTION audit.log_account(bigint, text, text, jsonb) FROM PUBLIC;

-- --- requests awaiting a second person ---------------------------------------------------------

CREATE TABLE ej.account_request (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES ej.organization,
    login           text NOT NULL,
    kind            text NOT NULL,
    full_name       text,
    roles           text[],
    requested_by    text NOT NULL DEFAULT session_user,
    requested_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    status          text NOT NULL DEFAULT 'pending',
    decided_by      text,
    decided_at      timestamptz,
    CONSTRAINT account_request_kind_value CHECK (kind IN ('create', 'roles', 'unlock', 'password')),
    CONSTRAINT account_request_status_value CHECK (status IN ('pending', 'confirmed', 'refused', 'withdrawn')),
    CONSTRAINT account_request_decision CHECK ((status = 'pending') = (decided_at IS NULL)
                                               AND (decided_by IS NULL) = (decided_at IS NULL)),
    CONSTRAINT account_request_roles_value CHECK (roles <@ ARRAY['teacher', 'methodist', 'deputy', 'director',
                                                                 'admin']),
    CONSTRAINT account_request_full_name_shape CHECK (full_name ~ '^\S+( \S+){1,3}$' AND length(full_name) <= 200)
);
COMMENT ON TABLE ej.account_request IS 'Запрос об учётной записи, ждущий подтверждения вторым человеком (152-ФЗ).';
COMMENT ON COLUMN ej.account_request.kind IS 'Что просят: create, roles, unlock или password.';
COMMENT ON COLUMN ej.account_request.roles IS 'Роли учётной записи после подтверждения (без префикса ej_).';
CREATE UNIQUE INDEX account_request_one_pending ON ej.account_request (login, kind) WHERE status = 'pending';
CREATE INDEX account_request_org ON ej.account_request (organization_id, status);
COMMENT ON CONSTRAINT account_request_full_name_shape ON ej.account_request IS
    'ФИО сотрудника: от двух до четырёх слов через пробел, например «Иванова Мария Петровна».';
COMMENT ON CONSTRAINT account_request_kind_value ON ej.account_request IS
    'Запрос: новая учётная запись, роли, разблокировка или пароль.';
COMMENT ON CONSTRAINT account_request_status_value ON ej.account_request IS
    'Состояние запроса: ждёт подтверждения, подтверждён, отклонён или заменён новым.';
COMMENT ON CONSTRAINT account_request_decision ON ej.account_request IS
    'Решение по запросу записывается вместе с тем, кто и когда его принял.';
COMMENT ON CONSTRAINT account_request_roles_value ON ej.account_request IS
    'Роли: teacher, methodist, deputy, director или admin.';
SELECT audit.enable('ej.account_request');
SELECT ej.enable_rls('ej.account_request');
CREATE POLICY owner_all ON ej.account_request TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.account_request FOR SELECT TO ej_director, ej_deputy, ej_admin
    USING (organization_id = (SELECT ej.current_org_id()));
GRANT SELECT ON ej.account_request TO ej_director, ej_deputy, ej_admin;

-- The password a pending reset will set, as a SCRAM verifier, kept apart from the audited request
-- (no verifier in any log) and readable by the owner only; deleted when the request is decided.
CREATE TABLE audit.account_secret (
    request_id bigint PRIMARY KEY REFERENCES ej.account_request ON DELETE CASCADE,
    verifier   text NOT NULL
);
COMMENT ON TABLE audit.account_secret IS 'Пароль (SCRAM-верификатор) ждущего подтверждения сброса; читает только владелец.';
REVOKE ALL ON audit.account_secret FROM PUBLIC;

-- --- helpers -----------------------------------------------------------------------------------

CREATE FUNCTION ej.is_superuser() RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false) $$;

-- The group roles of a login that read children's data, as role names without the ej_ prefix.
CREATE FUNCTION ej.login_data_roles(p_login text) RETURNS text[]
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(substr(g.rolname, 4) ORDER BY g.rolname), '{}')
      FROM pg_roles r JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid
     WHERE r.rolname = p_login AND g.rolname IN ('ej_teacher', 'ej_methodist', 'ej_deputy', 'ej_director')
$$;

CREATE FUNCTION ej.check_roles(p_roles text[]) RETURNS void
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_role text;
BEGIN
    IF coalesce(cardinality(p_roles), 0) = 0 THEN
        RAISE EXCEPTION 'Укажите роль: teacher, methodist, deputy, director или admin' USING ERRCODE = 'EJ001';
    END IF;
    FOREACH v_role IN ARRAY p_roles LOOP
        IF v_role IS NULL OR v_role NOT IN ('teacher', 'methodist', 'deputy', 'director', 'admin') THEN
            RAISE EXCEPTION 'Неизвестная роль «%»: teacher, methodist, deputy, director или admin',
                left(regexp_replace(coalesce(v_role, ''), '[^[:print:]]', '?', 'g'), 40)
                USING ERRCODE = 'EJ001';
        END IF;
    END LOOP;
END $$;

-- Only a SCRAM verifier made on the client ever reaches the server, never a password.
CREATE FUNCTION ej.check_verifier(p_verifier text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_verifier IS NULL
       OR p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
        RAISE EXCEPTION 'Ожидается хэш пароля SCRAM-SHA-256, а не сам пароль' USING ERRCODE = 'EJ001';
    END IF;
END $$;

-- A staff login of the caller's organization (or any, for a superuser), with its organization.
CREATE FUNCTION ej.account_of(p_login text) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org bigint;
BEGIN
    SELECT organization_id INTO v_org FROM ej.staff WHERE login = p_login;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Учётная запись «%» не найдена',
            left(regexp_replace(coalesce(p_login, ''), '[^[:print:]]', '?', 'g'), 63)
            USING ERRCODE = 'EJ005';
    END IF;
    RETURN ej.account_org(v_org);
END $$;

-- The same, for a change only an administrator makes (p_what: the refusal for anyone else).
CREATE FUNCTION ej.administered_account(p_login text, p_what text) RETURNS bigint
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM ej.require_role('admin', p_what);
    RETURN ej.account_of(p_login);
END $$;

-- A new pending request; an older pending one of the same login and kind is withdrawn by it.
CREATE FUNCTION ej.new_account_request(p_org bigint, p_login text, p_kind text, p_full_name text, p_roles text[])
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_old bigint;
    v_id  bigint;
BEGIN
    UPDATE ej.account_request SET status = 'withdrawn', decided_by = session_user, decided_at = clock_timestamp()
     WHERE login = p_login AND kind = p_kind AND status = 'pending'
    RETURNING id INTO v_old;
    IF v_old IS NOT NULL THEN
        DELETE FROM audit.account_secret WHERE request_id = v_old;
        PERFORM audit.log_account(p_org, p_login, 'withdraw', jsonb_build_object('request', v_old));
    END IF;
    INSERT INTO ej.account_request (organization_id, login, kind, full_name, roles)
    VALUES (p_org, p_login, p_kind, p_full_name, p_roles) RETURNING id INTO v_id;
    PERFORM audit.log_account(p_org, p_login, 'request',
                              jsonb_strip_nulls(jsonb_build_object('request', v_id, 'kind', p_kind, 'roles', p_roles)));
    RETURN v_id;
END $$;

-- --- applying: only from the functions below, as the owner ---------------------------------------

CREATE FUNCTION ej.apply_create(p_org bigint, p_login text, p_roles text[], p_full_name text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_role text;
    v_id   bigint;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
        RAISE EXCEPTION 'Логин «%» уже занят', p_login USING ERRCODE = 'EJ004';
    END IF;
    INSERT INTO ej.staff (organization_id, login, full_name) VALUES (p_org, p_login, p_full_name) RETURNING id INTO v_id;
    EXECUTE format('CREATE ROLE %I LOGIN', p_login);
    FOREACH v_role IN ARRAY p_roles LOOP
        EXECUTE format('GRANT %I TO %I', 'ej_' || v_role, p_login);
    END LOOP;
    PERFORM audit.log_account(p_org, p_login, 'create', jsonb_build_object('roles', p_roles, 'staff', v_id));
    RETURN v_id;
END $$;

CREATE FUNCTION ej.apply_roles(p_org bigint, p_login text, p_roles text[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_role text;
    v_had  text[] := ARRAY(SELECT substr(g.rolname, 4) FROM pg_roles r JOIN pg_auth_members m ON m.member = r.oid
                            JOIN pg_roles g ON g.oid = m.roleid
                           WHERE r.rolname = p_login AND g.rolname IN ('ej_teacher', 'ej_methodist', 'ej_deputy',
                                                                        'ej_director', 'ej_admin'));
BEGIN
    FOREACH v_role IN ARRAY ARRAY['teacher', 'methodist', 'deputy', 'director', 'admin'] LOOP
        IF v_role = ANY (p_roles) AND NOT v_role = ANY (v_had) THEN
            EXECUTE format('GRANT %I TO %I', 'ej_' || v_role, p_login);
        ELSIF v_role = ANY (v_had) AND NOT v_role = ANY (p_roles) THEN
            EXECUTE format('REVOKE %I FROM %I', 'ej_' || v_role, p_login);
        END IF;
    END LOOP;
    -- On PostgreSQL 16 a REVOKE takes back only the grants this role made: a membership granted
    -- by a superuser (a demo or hand-made login) stays, and then the change must not pretend.
    IF EXISTS (SELECT 1 FROM unnest(v_had) h WHERE NOT h = ANY (p_roles)
                AND pg_has_role(p_login, 'ej_' || h, 'MEMBER')) THEN
        RAISE EXCEPTION 'Роль выдана суперпользователем: снять её может только суперпользователь'
            USING ERRCODE = 'EJ002';
    END IF;
    PERFORM audit.log_account(p_org, p_login, 'roles', jsonb_build_object('from', v_had, 'to', p_roles));
END $$;

CREATE FUNCTION ej.apply_lock(p_org bigint, p_login text, p_locked boolean) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE ej.staff SET is_locked = p_locked WHERE login = p_login;
    EXECUTE format('ALTER ROLE %I %s', p_login, CASE WHEN p_locked THEN 'NOLOGIN' ELSE 'LOGIN' END);
    PERFORM audit.log_account(p_org, p_login, CASE WHEN p_locked THEN 'lock' ELSE 'unlock' END);
END $$;

CREATE FUNCTION ej.apply_password(p_org bigint, p_login text, p_verifier text) RETURNS timestamptz
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_until timestamptz := now() + interval '7 days';
BEGIN
    EXECUTE format('ALTER ROLE %I PASSWORD %L VALID UNTIL %L', p_login, p_verifier, v_until);
    PERFORM audit.log_account(p_org, p_login, 'password', jsonb_build_object('valid_until', v_until));
    RETURN v_until;
END $$;

-- --- what the administrator calls ----------------------------------------------------------------

-- Issue an account: applied now (staff_id) for a superuser or an administrator-only login,
-- otherwise a request awaiting confirmation (request_id).
CREATE FUNCTION ej.request_account(p_login text, p_roles text[], p_full_name text, p_organization_id bigint DEFAULT NULL)
    RETURNS TABLE (staff_id bigint, request_id bigint)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org bigint;
BEGIN
    PERFORM ej.require_role('admin', 'Выдавать учётные записи может только администратор');
    IF p_login IS NULL OR p_login !~ '^[a-z_][a-z0-9_.-]{1,62}$' THEN
        RAISE EXCEPTION 'Логин: латинские строчные буквы, цифры, «_», «.», «-»; от 2 до 63 символов, начинается с буквы'
            USING ERRCODE = 'EJ001';
    END IF;
    IF p_login LIKE 'pg\_%' OR p_login LIKE 'ej\_%' OR p_login IN ('postgres', 'public') THEN
        RAISE EXCEPTION 'Этот логин зарезервирован' USING ERRCODE = 'EJ001';
    END IF;
    PERFORM ej.check_roles(p_roles);
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
        RAISE EXCEPTION 'Логин «%» уже занят', p_login USING ERRCODE = 'EJ004';
    END IF;
    v_org := ej.account_org(p_organization_id);
    p_roles := ARRAY(SELECT DISTINCT r FROM unnest(p_roles) r ORDER BY r);
    IF ej.is_superuser() OR p_roles <@ ARRAY['admin'] THEN
        RETURN QUERY SELECT ej.apply_create(v_org, p_login, p_roles, p_full_name), NULL::bigint;
    ELSE
        RETURN QUERY SELECT NULL::bigint, ej.new_account_request(v_org, p_login, 'create', p_full_name, p_roles);
    END IF;
END $$;

-- Lock now; unlock a login that reads children's data only after confirmation. Returns the request.
CREATE FUNCTION ej.request_lock(p_login text, p_locked boolean) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org bigint := ej.administered_account(p_login, 'Блокировать учётные записи может только администратор');
BEGIN
    IF p_locked AND p_login = session_user THEN
        RAISE EXCEPTION 'Нельзя заблокировать собственную учётную запись' USING ERRCODE = 'EJ003';
    END IF;
    IF p_locked OR ej.is_superuser() OR cardinality(ej.login_data_roles(p_login)) = 0 THEN
        PERFORM ej.apply_lock(v_org, p_login, coalesce(p_locked, false));
        RETURN NULL;
    END IF;
    RETURN ej.new_account_request(v_org, p_login, 'unlock', NULL, NULL);
END $$;

-- The roles of a login become exactly p_roles: taking roles away is immediate, adding a role
-- that reads children's data waits for confirmation. Returns the request (NULL when applied).
CREATE FUNCTION ej.request_roles(p_login text, p_roles text[]) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org bigint := ej.administered_account(p_login, 'Менять роли может только администратор');
BEGIN
    PERFORM ej.check_roles(p_roles);
    p_roles := ARRAY(SELECT DISTINCT r FROM unnest(p_roles) r ORDER BY r);
    IF p_login = session_user AND NOT ej.is_superuser() THEN
        RAISE EXCEPTION 'Свои роли изменить нельзя' USING ERRCODE = 'EJ002';
    END IF;
    IF ej.is_superuser() OR array_remove(p_roles, 'admin') <@ ej.login_data_roles(p_login) THEN
        PERFORM ej.apply_roles(v_org, p_login, p_roles);
        RETURN NULL;
    END IF;
    RETURN ej.new_account_request(v_org, p_login, 'roles', NULL, p_roles);
END $$;

-- A LAN password (SCRAM verifier made on the client). For a login that reads children's data
-- it is kept until the reset is confirmed; the current password stays valid meanwhile.
-- Returns (valid_until when applied, the request otherwise).
CREATE FUNCTION ej.request_password(p_login text, p_verifier text)
    RETURNS TABLE (valid_until timestamptz, request_id bigint)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org bigint := ej.administered_account(p_login, 'Пароли выдаёт только администратор');
    v_id  bigint;
BEGIN
    PERFORM ej.check_verifier(p_verifier);
    IF ej.is_superuser() OR cardinality(ej.login_data_roles(p_login)) = 0 THEN
        RETURN QUERY SELECT ej.apply_password(v_org, p_login, p_verifier), NULL::bigint;
        RETURN;
    END IF;
    v_id := ej.new_account_request(v_org, p_login, 'password', NULL, NULL);
    INSERT INTO audit.account_secret (request_id, verifier) VALUES (v_id, p_verifier);
    RETURN QUERY SELECT NULL::timestamptz, v_id;
END $$;

-- LAN passwords. Only a SCRAM verifier made on the client (libpq's PQencryptPasswordConn)
-- ever reaches the server, so no plain password can end up in a log. A password the
-- administrator issued expires in a week unless its owner replaces it.
CREATE FUNCTION ej.set_user_password(p_login text, p_verifier text) RETURNS timestamptz
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT valid_until FROM ej.request_password(p_login, p_verifier) $$;

CREATE FUNCTION ej.change_own_password(p_verifier text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org bigint;
BEGIN
    SELECT organization_id INTO v_org FROM ej.staff WHERE login = session_user AND NOT is_locked;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Учётная запись не найдена или заблокирована' USING ERRCODE = 'EJ002';
    END IF;
    PERFORM ej.check_verifier(p_verifier);
    EXECUTE format('ALTER ROLE %I PASSWORD %L VALID UNTIL %L', session_user, p_verifier, 'infinity');
    PERFORM audit.log_account(v_org, session_user, 'password', '{"own": true}');
END $$;

GRANT EXECUTE ON FUNCTION ej.set_user_password(text, text) TO ej_admin;
GRANT EXECUTE ON FUNCTION ej.change_own_password(text) TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;

-- --- what the second person calls ---------------------------------------------------------------

-- Who may decide a request: the director of its organization; for a request about a director
-- (the login is one, or would become one) a deputy or another director. Never the person who
-- asked, never the subject. A superuser may decide any request.
CREATE FUNCTION ej.may_decide(r ej.account_request) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ej.is_superuser()
        OR (r.organization_id = ej.current_org_id()
            AND session_user NOT IN (r.requested_by, r.login)
            AND (pg_has_role(session_user, 'ej_director', 'MEMBER')
                 OR (pg_has_role(session_user, 'ej_deputy', 'MEMBER')
                     AND ('director' = ANY (coalesce(r.roles, '{}'))
                          OR 'director' = ANY (ej.login_data_roles(r.login))))))
$$;

CREATE FUNCTION ej.decide_account_request(p_request_id bigint, p_confirm boolean) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r      ej.account_request;
    v_hash text;
BEGIN
    SELECT * INTO r FROM ej.account_request WHERE id = p_request_id FOR UPDATE;
    IF NOT FOUND OR NOT (ej.is_superuser() OR r.organization_id = ej.current_org_id()) THEN
        RAISE EXCEPTION 'Запрос не найден' USING ERRCODE = 'EJ005';
    END IF;
    IF r.status <> 'pending' THEN
        RAISE EXCEPTION 'Запрос уже рассмотрен' USING ERRCODE = 'EJ003';
    END IF;
    IF NOT ej.may_decide(r) THEN
        RAISE EXCEPTION '%', CASE
            WHEN session_user = r.requested_by THEN 'Свой запрос подтверждает другой сотрудник'
            WHEN session_user = r.login THEN 'Запрос о своей учётной записи подтверждает другой сотрудник'
            ELSE 'Подтверждает директор (запрос об учётной записи директора — заместитель директора)' END
            USING ERRCODE = 'EJ002';
    END IF;
    IF p_confirm THEN
        IF r.kind = 'create' THEN
            PERFORM ej.apply_create(r.organization_id, r.login, r.roles, r.full_name);
        ELSIF r.kind = 'roles' THEN
            PERFORM ej.account_of(r.login);
            PERFORM ej.apply_roles(r.organization_id, r.login, r.roles);
        ELSIF r.kind = 'unlock' THEN
            PERFORM ej.account_of(r.login);
            PERFORM ej.apply_lock(r.organization_id, r.login, false);
        ELSE
            PERFORM ej.account_of(r.login);
            SELECT verifier INTO v_hash FROM audit.account_secret WHERE request_id = r.id;
            PERFORM ej.apply_password(r.organization_id, r.login, v_hash);
        END IF;
    END IF;
    DELETE FROM audit.account_secret WHERE request_id = r.id;
    UPDATE ej.account_request
       SET status = CASE WHEN p_confirm THEN 'confirmed' ELSE 'refused' END,
           decided_by = session_user, decided_at = clock_timestamp()
     WHERE id = r.id;
    PERFORM audit.log_account(r.organization_id, r.login, CASE WHEN p_confirm THEN 'confirm' ELSE 'refuse' END,
                              jsonb_build_object('request', r.id, 'kind', r.kind));
END $$;

REVOKE ALL ON FUNCTION ej.is_superuser(), ej.login_data_roles(text), ej.check_roles(text[]), ej.check_verifier(text),
    ej.account_of(text), ej.administered_account(text, text),
    ej.new_account_request(bigint, text, text, text, text[]), ej.apply_create(bigint, text, text[], text),
    ej.apply_roles(bigint, text, text[]), ej.apply_lock(bigint, text, boolean),
    ej.apply_password(bigint, text, text), ej.request_account(text, text[], text, bigint),
    ej.request_lock(text, boolean), ej.request_roles(text, text[]), ej.request_password(text, text),
    ej.may_decide(ej.account_request), ej.decide_account_request(bigint, boolean) FROM PUBLIC;
-- Every staff role may call the entry points, so a non-administrator reads a clear refusal.
GRANT EXECUTE ON FUNCTION ej.request_account(text, text[], text, bigint), ej.request_lock(text, boolean),
    ej.request_roles(text, text[]), ej.request_password(text, text), ej.decide_account_request(bigint, boolean)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
GRANT EXECUTE ON FUNCTION ej.set_user_password(text, text) TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT EXECUTE ON FUNCTION ej.may_decide(ej.account_request) TO ej_deputy, ej_director, ej_admin;

-- What the director, the deputy and the administrator see: account operations and requests.
CREATE VIEW ej.account_log WITH (security_invoker = true) AS
SELECT e.id, e.at, e.actor, a.full_name AS actor_name, e.login, s.full_name AS login_name, e.op, e.detail
  FROM audit.account_event e
  LEFT JOIN ej.staff a ON a.login = e.actor
  LEFT JOIN ej.staff s ON s.login = e.login;

CREATE VIEW ej.pending_account_request WITH (security_invoker = true) AS
SELECT r.id, r.organization_id, r.login, r.kind, coalesce(r.full_name, s.full_name) AS full_name, r.roles,
       ej.login_data_roles(r.login) AS current_roles, r.requested_by, a.full_name AS requested_by_name,
       r.requested_at, ej.may_decide(r) AS may_decide
  FROM ej.account_request r
  LEFT JOIN ej.staff s ON s.login = r.login
  LEFT JOIN ej.staff a ON a.login = r.requested_by
 WHERE r.status = 'pending';
GRANT SELECT ON ej.account_log, ej.pending_account_request TO ej_director, ej_deputy, ej_admin;
GRANT EXECUTE ON FUNCTION ej.login_data_roles(text) TO ej_director, ej_deputy, ej_admin;

-- The old entry point keeps its signature: the staff id, or NULL when the account awaits confirmation.
CREATE FUNCTION ej.add_user(p_login text, p_roles text[], p_full_name text, p_organization_id bigint DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT staff_id FROM ej.request_account(p_login, p_roles, p_full_name, p_organization_id) $$;

CREATE FUNCTION ej.set_user_locked(p_login text, p_locked boolean) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT ej.request_lock(p_login, p_locked) $$;

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
REVOKE ALL ON FUNCTION ej.not_found_message(text), ej.constraint_messages(), ej.vocabulary(), ej.labels_in_words(text[]),
    ej.is_account_admin(), ej.account_org(bigint),
    ej.add_user(text, text[], text, bigint), ej.set_user_locked(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.not_found_message(text), ej.constraint_messages(), ej.vocabulary(),
    ej.is_account_admin()
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
