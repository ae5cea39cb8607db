-- The domain of DESIGN.md. Every constraint is named <table>_<what>; its comment is the
-- message a person reads when the constraint refuses a value (see ej.constraint_message).
SET LOCAL ROLE ej_owner;

---------------------------------------------------------------------------------------------
-- One vocabulary. Every coded value a table holds is a row of a lookup table below, with its
-- Russian label; the tables refer to it by a foreign key named <table>_<column>_value, whose
-- message lists the labels (0006). Limits and patterns are the functions here: the constraints
-- and rules call them. The app loads all of it once a session (ej.vocabulary(), 0006) and reads
-- nothing of it from its own constants.

-- Edits of a lesson or a mark more than this many days after the lesson need a reason.
CREATE FUNCTION ej.edit_window_days() RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT 3 $$;
-- At most this many participants of a group's event.
CREATE FUNCTION ej.participants_limit() RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT 1000 $$;
-- Phone numbers and e-mail addresses (the same regular expression in PostgreSQL and Python).
CREATE FUNCTION ej.phone_pattern() RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT '^\+?[0-9][0-9 ()-]{4,19}$' $$;
CREATE FUNCTION ej.email_pattern() RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT '^[^@\s]+@[^@\s]+\.[^@\s]+$' $$;

CREATE TABLE ej.attendance_status (
    code   text PRIMARY KEY,
    letter text NOT NULL,
    label  text NOT NULL,
    legend text NOT NULL,
    sort   smallint NOT NULL UNIQUE
);
COMMENT ON TABLE ej.attendance_status IS 'Отметки посещения: код, буква в клетке журнала, название.';
COMMENT ON COLUMN ej.attendance_status.letter IS 'Буква отметки на экране («+» — присутствовал); в печати присутствие — пустая клетка.';
COMMENT ON COLUMN ej.attendance_status.legend IS 'Строка условных обозначений под таблицей посещаемости.';
INSERT INTO ej.attendance_status (code, letter, label, legend, sort) VALUES
    ('present', '+', 'присутствовал(а)', 'присутствовал (клетка не заполняется)', 1),
    ('absent', 'н', 'отсутствовал(а) без уважительной причины', 'отсутствовал без уважительной причины', 2),
    ('excused', 'у', 'отсутствовал(а) по уважительной причине', 'отсутствовал по уважительной причине', 3);

CREATE TABLE ej.absence_reason (
    code   text PRIMARY KEY,
    letter text NOT NULL UNIQUE,
    label  text NOT NULL,
    legend text NOT NULL,
    sort   smallint NOT NULL UNIQUE
);
COMMENT ON TABLE ej.absence_reason IS 'Уважительные причины отсутствия: код, буква в журнале, название.';
COMMENT ON COLUMN ej.absence_reason.legend IS 'Строка условных обозначений под таблицей посещаемости.';
INSERT INTO ej.absence_reason (code, letter, label, legend, sort) VALUES
    ('illness', 'б', 'болезнь', 'отсутствовал по болезни', 1),
    ('parents', 'з', 'заявление родителей', 'отсутствовал по заявлению родителей (законных представителей)', 2),
    ('competition', 'с', 'соревнования/олимпиада', 'участвовал в соревнованиях, олимпиаде, конкурсе', 3),
    ('other', 'у', 'другое', 'отсутствовал по другой уважительной причине', 4);

CREATE TABLE ej.briefing_kind (
    code    text PRIMARY KEY,
    label   text NOT NULL,
    content text NOT NULL,
    sort    smallint NOT NULL UNIQUE
);
COMMENT ON TABLE ej.briefing_kind IS 'Виды инструктажа по технике безопасности; «вводный» — первый инструктаж обучающегося в группе.';
COMMENT ON COLUMN ej.briefing_kind.content IS 'Содержание, которое форма предлагает по умолчанию.';
INSERT INTO ej.briefing_kind (code, label, content, sort) VALUES
    ('вводный', 'вводный', 'Вводный инструктаж: правила поведения, пожарная и электробезопасность, работа с оборудованием', 1),
    ('повторный', 'повторный', 'Повторный инструктаж по технике безопасности при работе с оборудованием', 2),
    ('внеплановый', 'внеплановый', 'Внеплановый инструктаж по технике безопасности', 3);

CREATE TABLE ej.achievement_level (
    code  text PRIMARY KEY,
    label text NOT NULL,
    sort  smallint NOT NULL UNIQUE
);
COMMENT ON TABLE ej.achievement_level IS 'Уровни конкурсов и соревнований.';
INSERT INTO ej.achievement_level (code, label, sort) VALUES
    ('учрежденческий', 'учрежденческий', 1), ('муниципальный', 'муниципальный', 2),
    ('региональный', 'региональный', 3), ('всероссийский', 'всероссийский', 4),
    ('международный', 'международный', 5);

CREATE TABLE ej.iteration_status (
    code  text PRIMARY KEY,
    label text NOT NULL,
    sort  smallint NOT NULL UNIQUE
);
COMMENT ON TABLE ej.iteration_status IS 'Статусы итерации: planned → active → closed → archived.';
INSERT INTO ej.iteration_status (code, label, sort) VALUES
    ('planned', 'планируется', 1), ('active', 'идёт', 2), ('closed', 'закончена', 3), ('archived', 'в архиве', 4);

CREATE TABLE ej.guardian_relation (
    code  text PRIMARY KEY,
    label text NOT NULL,
    sort  smallint NOT NULL UNIQUE
);
COMMENT ON TABLE ej.guardian_relation IS 'Кем приходится обучающемуся родитель (законный представитель).';
INSERT INTO ej.guardian_relation (code, label, sort) VALUES
    ('мать', 'мать', 1), ('отец', 'отец', 2), ('опекун', 'опекун', 3), ('другое', 'другое', 4);

-- Everyone reads the vocabulary; only the owner (a migration) changes it.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['attendance_status', 'absence_reason', 'briefing_kind', 'achievement_level',
                              'iteration_status', 'guardian_relation'] LOOP
        EXECUTE format('ALTER TABLE ej.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE ej.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY owner_all ON ej.%I TO ej_owner USING (true) WITH CHECK (true)', t);
        EXECUTE format('CREATE POLICY everyone_reads ON ej.%I FOR SELECT '
                       'TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin USING (true)', t);
        EXECUTE format('GRANT SELECT ON ej.%I TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin', t);
        EXECUTE format('COMMENT ON CONSTRAINT %I ON ej.%I IS %L', t || '_pkey', t, 'Такой код в словаре уже есть.');
        EXECUTE format('COMMENT ON CONSTRAINT %I ON ej.%I IS %L', t || '_sort_key', t, 'Это место в списке словаря уже занято.');
    END LOOP;
    COMMENT ON CONSTRAINT absence_reason_letter_key ON ej.absence_reason IS 'Такая буква причины уже есть.';
END $$;

---------------------------------------------------------------------------------------------
-- Time zones.

CREATE FUNCTION ej.is_time_zone(p_name text) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_name) $$;

CREATE TABLE ej.organization (
    id            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name          text NOT NULL,
    unit_name     text,
    short_name    text,
    address       text,
    city          text,
    director_name text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- the zone of the technoparks the journal was written for; ej.org_time_zone falls back to it
    time_zone     text NOT NULL DEFAULT 'Europe/Moscow',
    CONSTRAINT organization_name_len CHECK (length(btrim(name)) BETWEEN 2 AND 300 AND name !~ '[[:cntrl:]]'),
    CONSTRAINT organization_unit_len CHECK (length(unit_name) <= 300),
    CONSTRAINT organization_short_len CHECK (length(short_name) <= 100),
    CONSTRAINT organization_address_len CHECK (length(address) <= 500),
    CONSTRAINT organization_city_len CHECK (length(city) <= 100),
    CONSTRAINT organization_director_len CHECK (length(director_name) <= 200),
    CONSTRAINT organization_name_key UNIQUE (name),
    CONSTRAINT organization_time_zone_value CHECK (ej.is_time_zone(time_zone))
);
COMMENT ON TABLE ej.organization IS 'Организация (технопарк): реквизиты для печатных форм и часовой пояс журнала.';
COMMENT ON COLUMN ej.organization.unit_name IS 'Название структурного подразделения, как на титуле журнала.';
COMMENT ON COLUMN ej.organization.time_zone IS 'Часовой пояс IANA: в нём считаются «сегодня», окно исправлений и просрочки (ej.today).';
COMMENT ON CONSTRAINT organization_time_zone_value ON ej.organization
    IS 'Часовой пояс организации: название из базы IANA, например Europe/Moscow или Asia/Vladivostok.';

CREATE TABLE ej.staff (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES ej.organization,
    login           text NOT NULL,
    full_name       text NOT NULL,
    position        text,
    phone           text,
    email           text,
    is_locked       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT staff_login_key UNIQUE (login),
    CONSTRAINT staff_login_shape CHECK (login ~ '^[a-z_][a-z0-9_.-]{1,62}$'),
    CONSTRAINT staff_full_name_shape CHECK (full_name ~ '^\S+( \S+){1,3}$' AND length(full_name) <= 200),
    CONSTRAINT staff_position_len CHECK (length(position) <= 200),
    CONSTRAINT staff_phone_shape CHECK (phone ~ ej.phone_pattern()),
    CONSTRAINT staff_email_shape CHECK (email ~ ej.email_pattern() AND length(email) <= 200),
    CONSTRAINT staff_org_id_key UNIQUE (organization_id, id)
);
COMMENT ON CONSTRAINT staff_org_id_key ON ej.staff IS 'Такая запись уже есть.';
COMMENT ON TABLE ej.staff IS 'Сотрудник организации; login — имя его роли входа в PostgreSQL.';
COMMENT ON COLUMN ej.staff.login IS 'Имя роли входа PostgreSQL (session_user); по нему ej.current_staff_id() узнаёт сотрудника.';
COMMENT ON COLUMN ej.staff.is_locked IS 'Учётная запись заблокирована: сотрудник не входит и не считается текущим.';
CREATE INDEX staff_organization_idx ON ej.staff (organization_id);

-- Who is asking: the staff row of the session's login. SECURITY DEFINER so that RLS on
-- ej.staff does not recurse; STABLE and called as (select ...) once per statement.
-- PL/pgSQL: its query plan is kept for the session (a SQL body is planned on every call), and
-- every policy calls it. `login = session_user::text COLLATE "default"`: session_user is a name,
-- of collation "C", and compared as it is the unique index on staff.login (default collation)
-- could not be used — every call read all the staff of the region (equality of text does not
-- depend on the collation).
CREATE FUNCTION ej.current_staff_id() RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT id FROM ej.staff WHERE login = session_user::text COLLATE "default" AND NOT is_locked);
END $$;

CREATE FUNCTION ej.current_org_id() RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT organization_id FROM ej.staff WHERE login = session_user::text COLLATE "default" AND NOT is_locked);
END $$;

-- Time in the organization's zone: "today", the edit window and "overdue" are computed in it
-- by ej.today(), never from the session's TimeZone or current_date.

CREATE FUNCTION ej.org_time_zone(p_org bigint) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN coalesce((SELECT time_zone FROM ej.organization WHERE id = p_org), 'Europe/Moscow'); END $$;

-- A copy of the database held at a past date (the fixed data of screen tests, a demonstration):
-- ALTER DATABASE … SET ej.today = 'YYYY-MM-DD', which only the database's owner or a superuser
-- may do. It is read from the catalog, not from the session's settings, so no session moves its
-- own "today" with SET; and ej.today() only ever goes back with it, never forward.
CREATE FUNCTION ej.frozen_today() RETURNS date
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT substr(c, length('ej.today=') + 1)::date
              FROM pg_db_role_setting d CROSS JOIN unnest(d.setconfig) c
             WHERE d.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND d.setrole = 0 AND c LIKE 'ej.today=%');
END $$;

-- The organization's date now. AT TIME ZONE with a zone name does not depend on the session's
-- TimeZone, so no client setting moves it.
CREATE FUNCTION ej.today(p_org bigint) RETURNS date
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN least((now() AT TIME ZONE ej.org_time_zone(p_org))::date, ej.frozen_today()); END $$;

-- Today of the caller's organization: the default of every "as of today" parameter.
CREATE FUNCTION ej.today() RETURNS date
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN ej.today(ej.current_org_id()); END $$;

-- The organization's date of a moment (when a lesson was filled in, say).
CREATE FUNCTION ej.local_date(p_at timestamptz, p_org bigint) RETURNS date
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN (p_at AT TIME ZONE ej.org_time_zone(p_org))::date; END $$;

CREATE TABLE ej.quantum (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL DEFAULT ej.current_org_id() REFERENCES ej.organization,
    name            text NOT NULL,
    CONSTRAINT quantum_name_len CHECK (length(btrim(name)) BETWEEN 1 AND 100 AND name !~ '[[:cntrl:]]'),
    CONSTRAINT quantum_name_key UNIQUE (organization_id, name),
    CONSTRAINT quantum_org_id_key UNIQUE (organization_id, id)
);
COMMENT ON CONSTRAINT quantum_org_id_key ON ej.quantum IS 'Такая запись уже есть.';
COMMENT ON TABLE ej.quantum IS 'Квантум — направление технопарка (IT-квантум, Хайтек и т. п.).';

CREATE TABLE ej.student (
    id                   bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id      bigint NOT NULL DEFAULT ej.current_org_id() REFERENCES ej.organization,
    last_name            text NOT NULL,
    first_name           text NOT NULL,
    middle_name          text,
    birth_date           date NOT NULL,
    sex                  text NOT NULL,
    school               text,
    school_class         text,
    address              text,
    phone                text,
    medical_clearance    boolean NOT NULL DEFAULT false,
    medical_clearance_on date,
    pd_consent_on        date,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT student_last_name_len CHECK (length(btrim(last_name)) BETWEEN 1 AND 80 AND last_name !~ '[[:cntrl:]]'),
    CONSTRAINT student_first_name_len CHECK (length(btrim(first_name)) BETWEEN 1 AND 80 AND first_name !~ '[[:cntrl:]]'),
    CONSTRAINT student_middle_name_len CHECK (length(middle_name) <= 80 AND middle_name !~ '[[:cntrl:]]'),
    CONSTRAINT student_birth_date_range CHECK (birth_date >= date '1995-01-01' AND birth_date <= date '2100-01-01'),
    CONSTRAINT student_sex_value CHECK (sex IN ('м', 'ж')),
    CONSTRAINT student_school_len CHECK (length(school) <= 200),
    CONSTRAINT student_school_class_shape CHECK (school_class ~ '^(1[01]|[1-9])( ?[А-ЯЁа-яё])?$'),
    CONSTRAINT student_address_len CHECK (length(address) <= 300),
    CONSTRAINT student_phone_shape CHECK (phone ~ ej.phone_pattern()),
    CONSTRAINT student_clearance_date CHECK (medical_clearance_on IS NULL OR medical_clearance),
    CONSTRAINT student_org_id_key UNIQUE (organization_id, id)
);
COMMENT ON CONSTRAINT student_org_id_key ON ej.student IS 'Такая запись уже есть.';
COMMENT ON TABLE ej.student IS 'Обучающийся: персональные данные ребёнка (152-ФЗ), видны только тем, кому нужны.';
COMMENT ON COLUMN ej.student.school_class IS 'Класс в школе, например «7Б»; число в начале — для числового отчёта.';
COMMENT ON COLUMN ej.student.medical_clearance IS 'Медицинский допуск к занятиям (есть ли справка).';
COMMENT ON COLUMN ej.student.pd_consent_on IS 'Дата согласия законного представителя на обработку персональных данных.';
CREATE INDEX student_name_idx ON ej.student (organization_id, last_name, first_name);

CREATE TABLE ej.guardian (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL DEFAULT ej.current_org_id() REFERENCES ej.organization,
    student_id      bigint NOT NULL,
    full_name       text NOT NULL,
    relation        text NOT NULL DEFAULT 'другое',
    phone           text,
    email           text,
    pd_consent_on   date,
    CONSTRAINT guardian_full_name_len CHECK (length(btrim(full_name)) BETWEEN 2 AND 200 AND full_name !~ '[[:cntrl:]]'),
    CONSTRAINT guardian_relation_value FOREIGN KEY (relation) REFERENCES ej.guardian_relation,
    CONSTRAINT guardian_phone_shape CHECK (phone ~ ej.phone_pattern()),
    CONSTRAINT guardian_email_shape CHECK (email ~ ej.email_pattern() AND length(email) <= 200),
    CONSTRAINT guardian_student_id_fkey FOREIGN KEY (organization_id, student_id)
        REFERENCES ej.student (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE ej.guardian IS 'Законный представитель обучающегося.';
COMMENT ON COLUMN ej.guardian.relation IS 'Кем приходится: мать, отец, опекун…';
CREATE INDEX guardian_student_idx ON ej.guardian (student_id);

CREATE TABLE ej.program (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL DEFAULT ej.current_org_id() REFERENCES ej.organization,
    quantum_id      bigint NOT NULL,
    name            text NOT NULL,
    total_hours     numeric(6,1) NOT NULL,
    approved_on     date,
    CONSTRAINT program_name_len CHECK (length(btrim(name)) BETWEEN 2 AND 300 AND name !~ '[[:cntrl:]]'),
    CONSTRAINT program_total_hours_positive CHECK (total_hours > 0 AND total_hours <= 2000),
    CONSTRAINT program_name_key UNIQUE (quantum_id, name),
    CONSTRAINT program_quantum_id_fkey FOREIGN KEY (organization_id, quantum_id)
        REFERENCES ej.quantum (organization_id, id),
    CONSTRAINT program_org_id_key UNIQUE (organization_id, id)
);
COMMENT ON CONSTRAINT program_org_id_key ON ej.program IS 'Такая запись уже есть.';
COMMENT ON TABLE ej.program IS 'Образовательная программа квантума.';
COMMENT ON COLUMN ej.program.total_hours IS 'Объём программы в академических часах.';

CREATE TABLE ej.program_topic (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL DEFAULT ej.current_org_id() REFERENCES ej.organization,
    program_id      bigint NOT NULL,
    position        integer NOT NULL,
    title           text NOT NULL,
    hours           numeric(4,1) NOT NULL,
    CONSTRAINT program_topic_position_positive CHECK (position > 0),
    CONSTRAINT program_topic_title_len CHECK (length(btrim(title)) BETWEEN 1 AND 500 AND title !~ '[[:cntrl:]]'),
    CONSTRAINT program_topic_hours_positive CHECK (hours > 0 AND hours <= 200),
    CONSTRAINT program_topic_position_key UNIQUE (program_id, position) DEFERRABLE INITIALLY IMMEDIATE,
    CONSTRAINT program_topic_program_id_fkey FOREIGN KEY (organization_id, program_id)
        REFERENCES ej.program (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT program_topic_org_id_key UNIQUE (organization_id, id)
);
COMMENT ON CONSTRAINT program_topic_org_id_key ON ej.program_topic IS 'Такая запись уже есть.';
COMMENT ON TABLE ej.program_topic IS 'Тема календарно-тематического плана (КТП) программы.';
COMMENT ON COLUMN ej.program_topic.position IS 'Номер темы в КТП.';

CREATE TABLE ej.iteration (
    id                   bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id      bigint NOT NULL DEFAULT ej.current_org_id() REFERENCES ej.organization,
    name                 text NOT NULL,
    starts_on            date NOT NULL,
    ends_on              date NOT NULL,
    status               text NOT NULL DEFAULT 'planned',
    schedule_approved_by bigint,
    schedule_approved_at timestamptz,
    archived_at          timestamptz,
    CONSTRAINT iteration_name_len CHECK (length(btrim(name)) BETWEEN 1 AND 100 AND name !~ '[[:cntrl:]]'),
    CONSTRAINT iteration_dates_order CHECK (ends_on > starts_on AND ends_on - starts_on <= 366),
    CONSTRAINT iteration_status_value FOREIGN KEY (status) REFERENCES ej.iteration_status,
    CONSTRAINT iteration_approval_pair CHECK ((schedule_approved_by IS NULL) = (schedule_approved_at IS NULL)),
    CONSTRAINT iteration_name_key UNIQUE (organization_id, name),
    -- two ranges instead of btree_gist, which the embedded server lacks: an organization is the
    -- one-point int8range
    CONSTRAINT iteration_no_overlap EXCLUDE USING gist (int8range(organization_id, organization_id, '[]') WITH &&,
                                                       daterange(starts_on, ends_on, '[]') WITH &&),
    CONSTRAINT iteration_schedule_approved_by_fkey FOREIGN KEY (organization_id, schedule_approved_by)
        REFERENCES ej.staff (organization_id, id),
    CONSTRAINT iteration_org_id_key UNIQUE (organization_id, id)
);
COMMENT ON CONSTRAINT iteration_org_id_key ON ej.iteration IS 'Такая запись уже есть.';
COMMENT ON TABLE ej.iteration IS 'Итерация — учебный период (модуль); статус меняется только функциями ej.set_iteration_status и ej.archive_iteration.';
COMMENT ON COLUMN ej.iteration.status IS 'planned → active → closed → archived; архив неизменен.';
COMMENT ON COLUMN ej.iteration.schedule_approved_by IS 'Директор, утвердивший расписание итерации.';

---------------------------------------------------------------------------------------------
-- 7–8. The iteration's life. Iterations of one organization do not overlap (two ranges instead
-- of btree_gist, which the embedded server lacks: an organization is the one-point int8range).
COMMENT ON CONSTRAINT iteration_no_overlap ON ej.iteration
    IS 'Даты итерации пересекаются с другой итерацией организации.';

CREATE TABLE ej.study_group (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL DEFAULT ej.current_org_id() REFERENCES ej.organization,
    iteration_id    bigint NOT NULL,
    program_id      bigint NOT NULL,
    teacher_id      bigint NOT NULL,
    name            text NOT NULL,
    room            text,
    frozen          jsonb,  -- the archived journal's copy of what it prints (ej.freeze_iteration)
    CONSTRAINT study_group_name_len CHECK (length(btrim(name)) BETWEEN 1 AND 100 AND name !~ '[[:cntrl:]]'),
    CONSTRAINT study_group_room_len CHECK (length(room) <= 50),
    CONSTRAINT study_group_name_key UNIQUE (iteration_id, name),
    CONSTRAINT study_group_iteration_id_fkey FOREIGN KEY (organization_id, iteration_id)
        REFERENCES ej.iteration (organization_id, id),
    CONSTRAINT study_group_program_id_fkey FOREIGN KEY (organization_id, program_id)
        REFERENCES ej.program (organization_id, id),
    CONSTRAINT study_group_teacher_id_fkey FOREIGN KEY (organization_id, teacher_id)
        REFERENCES ej.staff (organization_id, id),
    CONSTRAINT study_group_org_id_key UNIQUE (organization_id, id)
);
COMMENT ON CONSTRAINT study_group_org_id_key ON ej.study_group IS 'Такая запись уже есть.';
COMMENT ON TABLE ej.study_group IS 'Учебная группа итерации: программа, педагог, аудитория.';
COMMENT ON COLUMN ej.study_group.frozen IS 'Архивная копия того, что печатает журнал (названия, ФИО, КТП); пишет ej.freeze_iteration.';
CREATE INDEX study_group_teacher_idx ON ej.study_group (teacher_id);
CREATE INDEX study_group_org_idx ON ej.study_group (organization_id, iteration_id);

-- left_on is the first day the student is no longer in the group (exclusive).
CREATE TABLE ej.enrollment (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    group_id        bigint NOT NULL,
    student_id      bigint NOT NULL,
    enrolled_on     date NOT NULL,
    enroll_order    text NOT NULL,
    left_on         date,
    leave_order     text,
    leave_reason    text,
    CONSTRAINT enrollment_order_len CHECK (length(btrim(enroll_order)) BETWEEN 1 AND 50),
    CONSTRAINT enrollment_dates_order CHECK (left_on IS NULL OR left_on > enrolled_on),
    CONSTRAINT enrollment_leave_order_required CHECK (left_on IS NULL OR coalesce(length(btrim(leave_order)), 0) BETWEEN 1 AND 50),
    CONSTRAINT enrollment_leave_reason_len CHECK (length(leave_reason) <= 300),
    CONSTRAINT enrollment_group_id_fkey FOREIGN KEY (organization_id, group_id)
        REFERENCES ej.study_group (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT enrollment_student_id_fkey FOREIGN KEY (organization_id, student_id)
        REFERENCES ej.student (organization_id, id)
);
COMMENT ON TABLE ej.enrollment IS 'Зачисление обучающегося в группу и его отчисление (с приказами).';
COMMENT ON COLUMN ej.enrollment.left_on IS 'Первый день, когда обучающийся уже не в группе (не включительно).';
CREATE INDEX enrollment_group_idx ON ej.enrollment (group_id, student_id);
CREATE INDEX enrollment_student_idx ON ej.enrollment (student_id);

CREATE TABLE ej.schedule_slot (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    group_id        bigint NOT NULL,
    weekday         smallint NOT NULL,
    starts_at       time NOT NULL,
    ends_at         time NOT NULL,
    room            text,
    valid_from      date,
    valid_to        date,
    change_order    text,
    CONSTRAINT schedule_slot_weekday_value CHECK (weekday BETWEEN 1 AND 7),
    CONSTRAINT schedule_slot_time_order CHECK (ends_at > starts_at),
    CONSTRAINT schedule_slot_room_len CHECK (length(room) <= 50),
    CONSTRAINT schedule_slot_valid_order CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
    CONSTRAINT schedule_slot_order_len CHECK (length(change_order) <= 50),
    CONSTRAINT schedule_slot_group_id_fkey FOREIGN KEY (organization_id, group_id)
        REFERENCES ej.study_group (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE ej.schedule_slot IS 'Занятие в недельном расписании группы, действующее с valid_from по valid_to.';
COMMENT ON COLUMN ej.schedule_slot.weekday IS 'День недели: 1 — понедельник … 7 — воскресенье.';
COMMENT ON COLUMN ej.schedule_slot.change_order IS 'Приказ об изменении расписания.';
CREATE INDEX schedule_slot_group_idx ON ej.schedule_slot (group_id);

CREATE TABLE ej.lesson (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    group_id        bigint NOT NULL,
    held_on         date NOT NULL,
    hours           numeric(3,1) NOT NULL DEFAULT 2,
    topic_id        bigint,
    topic           text,
    filled_by       bigint,
    filled_at       timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1,
    CONSTRAINT lesson_hours_positive CHECK (hours > 0 AND hours <= 8),
    CONSTRAINT lesson_topic_len CHECK (length(btrim(topic)) BETWEEN 1 AND 500 AND topic !~ '[[:cntrl:]]'),
    CONSTRAINT lesson_group_date_key UNIQUE (group_id, held_on),
    CONSTRAINT lesson_filled_by_fkey FOREIGN KEY (organization_id, filled_by)
        REFERENCES ej.staff (organization_id, id),
    CONSTRAINT lesson_group_id_fkey FOREIGN KEY (organization_id, group_id)
        REFERENCES ej.study_group (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT lesson_topic_id_fkey FOREIGN KEY (organization_id, topic_id)
        REFERENCES ej.program_topic (organization_id, id),
    CONSTRAINT lesson_org_id_key UNIQUE (organization_id, id)
);
COMMENT ON CONSTRAINT lesson_org_id_key ON ej.lesson IS 'Такая запись уже есть.';
COMMENT ON TABLE ej.lesson IS 'Проведённое занятие группы: дата, часы, тема; кто и когда заполнил.';
COMMENT ON COLUMN ej.lesson.topic IS 'Тема, записанная словами, когда её нет в КТП.';
COMMENT ON COLUMN ej.lesson.filled_by IS 'Кто первым заполнил занятие (автор записи в журнале).';
COMMENT ON COLUMN ej.lesson.version IS 'Номер версии для проверки одновременной правки (оптимистическая блокировка).';

CREATE TABLE ej.attendance (
    lesson_id       bigint NOT NULL,
    student_id      bigint NOT NULL,
    organization_id bigint NOT NULL,
    group_id        bigint NOT NULL,
    status          text NOT NULL,
    reason          text,
    reason_text     text,
    updated_by      bigint,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1,
    CONSTRAINT attendance_pkey PRIMARY KEY (lesson_id, student_id),
    CONSTRAINT attendance_status_value FOREIGN KEY (status) REFERENCES ej.attendance_status,
    CONSTRAINT attendance_reason_value FOREIGN KEY (reason) REFERENCES ej.absence_reason,
    CONSTRAINT attendance_reason_required CHECK ((status = 'excused') = (reason IS NOT NULL)),
    CONSTRAINT attendance_reason_text_required CHECK (reason IS DISTINCT FROM 'other' OR coalesce(length(btrim(reason_text)), 0) >= 2),
    CONSTRAINT attendance_reason_text_len CHECK (length(reason_text) <= 200),
    CONSTRAINT attendance_lesson_id_fkey FOREIGN KEY (organization_id, lesson_id)
        REFERENCES ej.lesson (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT attendance_student_id_fkey FOREIGN KEY (organization_id, student_id)
        REFERENCES ej.student (organization_id, id)
);
COMMENT ON TABLE ej.attendance IS 'Отметка посещения: обучающийся на занятии.';
COMMENT ON COLUMN ej.attendance.reason IS 'Код уважительной причины отсутствия (при status = excused); список — в таблице ej.absence_reason.';
COMMENT ON COLUMN ej.attendance.reason_text IS 'Причина словами, когда кода недостаточно.';
COMMENT ON COLUMN ej.attendance.version IS 'Номер версии для проверки одновременной правки.';
CREATE INDEX attendance_group_idx ON ej.attendance (group_id, lesson_id);

CREATE TABLE ej.safety_briefing (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    group_id        bigint NOT NULL,
    held_on         date NOT NULL,
    kind            text NOT NULL,
    content         text NOT NULL,
    given_by        bigint NOT NULL,
    CONSTRAINT safety_briefing_kind_value FOREIGN KEY (kind) REFERENCES ej.briefing_kind,
    CONSTRAINT safety_briefing_content_len CHECK (length(btrim(content)) BETWEEN 2 AND 500),
    CONSTRAINT safety_briefing_given_by_fkey FOREIGN KEY (organization_id, given_by)
        REFERENCES ej.staff (organization_id, id),
    CONSTRAINT safety_briefing_group_id_fkey FOREIGN KEY (organization_id, group_id)
        REFERENCES ej.study_group (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT safety_briefing_org_id_key UNIQUE (organization_id, id)
);
COMMENT ON CONSTRAINT safety_briefing_org_id_key ON ej.safety_briefing IS 'Такая запись уже есть.';
COMMENT ON TABLE ej.safety_briefing IS 'Инструктаж по технике безопасности, проведённый в группе.';
COMMENT ON COLUMN ej.safety_briefing.kind IS 'Вид инструктажа (список — в таблице ej.briefing_kind).';
COMMENT ON COLUMN ej.safety_briefing.given_by IS 'Кто провёл: сотрудник сессии, не то, что прислал клиент.';
CREATE INDEX safety_briefing_group_idx ON ej.safety_briefing (group_id);

CREATE TABLE ej.safety_briefing_student (
    briefing_id     bigint NOT NULL,
    student_id      bigint NOT NULL,
    organization_id bigint NOT NULL,
    group_id        bigint NOT NULL,
    CONSTRAINT safety_briefing_student_pkey PRIMARY KEY (briefing_id, student_id),
    CONSTRAINT safety_briefing_student_briefing_id_fkey FOREIGN KEY (organization_id, briefing_id)
        REFERENCES ej.safety_briefing (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT safety_briefing_student_student_id_fkey FOREIGN KEY (organization_id, student_id)
        REFERENCES ej.student (organization_id, id)
);
COMMENT ON TABLE ej.safety_briefing_student IS 'Обучающийся, прошедший инструктаж.';
CREATE INDEX safety_briefing_student_group_idx ON ej.safety_briefing_student (group_id);

CREATE TABLE ej.event (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    group_id        bigint NOT NULL,
    held_on         date NOT NULL,
    title           text NOT NULL,
    place           text,
    participants    integer NOT NULL DEFAULT 0,
    CONSTRAINT event_title_len CHECK (length(btrim(title)) BETWEEN 2 AND 300),
    CONSTRAINT event_place_len CHECK (length(place) <= 300),
    CONSTRAINT event_participants_range CHECK (participants BETWEEN 0 AND ej.participants_limit()),
    CONSTRAINT event_group_id_fkey FOREIGN KEY (organization_id, group_id)
        REFERENCES ej.study_group (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE ej.event IS 'Мероприятие группы (выставка, экскурсия, соревнование).';
CREATE INDEX event_group_idx ON ej.event (group_id);

CREATE TABLE ej.achievement (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    group_id        bigint NOT NULL,
    student_id      bigint NOT NULL,
    held_on         date NOT NULL,
    competition     text NOT NULL,
    level           text NOT NULL,
    result          text NOT NULL,
    CONSTRAINT achievement_competition_len CHECK (length(btrim(competition)) BETWEEN 2 AND 300),
    CONSTRAINT achievement_level_value FOREIGN KEY (level) REFERENCES ej.achievement_level,
    CONSTRAINT achievement_result_len CHECK (length(btrim(result)) BETWEEN 1 AND 100),
    CONSTRAINT achievement_group_id_fkey FOREIGN KEY (organization_id, group_id)
        REFERENCES ej.study_group (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT achievement_student_id_fkey FOREIGN KEY (organization_id, student_id)
        REFERENCES ej.student (organization_id, id)
);
COMMENT ON TABLE ej.achievement IS 'Достижение обучающегося на конкурсе или соревновании.';
COMMENT ON COLUMN ej.achievement.level IS 'Уровень конкурса (список — в таблице ej.achievement_level).';
CREATE INDEX achievement_group_idx ON ej.achievement (group_id);

CREATE TABLE ej.remark (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL,
    group_id        bigint NOT NULL,
    lesson_id       bigint,
    author_id       bigint NOT NULL DEFAULT ej.current_staff_id(),
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    fixed_at        timestamptz,
    fixed_note      text,
    closed_at       timestamptz,
    closed_by       bigint,
    CONSTRAINT remark_body_len CHECK (length(btrim(body)) BETWEEN 2 AND 2000),
    CONSTRAINT remark_fixed_note_len CHECK (length(fixed_note) <= 1000),
    CONSTRAINT remark_closed_pair CHECK ((closed_at IS NULL) = (closed_by IS NULL)),
    CONSTRAINT remark_author_id_fkey FOREIGN KEY (organization_id, author_id)
        REFERENCES ej.staff (organization_id, id),
    CONSTRAINT remark_closed_by_fkey FOREIGN KEY (organization_id, closed_by)
        REFERENCES ej.staff (organization_id, id),
    CONSTRAINT remark_group_id_fkey FOREIGN KEY (organization_id, group_id)
        REFERENCES ej.study_group (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT remark_lesson_id_fkey FOREIGN KEY (organization_id, lesson_id)
        REFERENCES ej.lesson (organization_id, id) ON DELETE SET NULL (lesson_id)
);
COMMENT ON TABLE ej.remark IS 'Замечание по ведению журнала: пишет методист или заместитель директора, педагог отвечает.';
COMMENT ON COLUMN ej.remark.fixed_at IS 'Когда педагог ответил, что исправил.';
COMMENT ON COLUMN ej.remark.closed_at IS 'Когда автор замечания закрыл его.';
CREATE INDEX remark_group_idx ON ej.remark (group_id) WHERE closed_at IS NULL;

CREATE TABLE ej.board_post (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL DEFAULT ej.current_org_id() REFERENCES ej.organization,
    author_id       bigint NOT NULL DEFAULT ej.current_staff_id(),
    week_of         date NOT NULL,
    title           text NOT NULL,
    body            text NOT NULL,
    posted_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT board_post_title_len CHECK (length(btrim(title)) BETWEEN 2 AND 200),
    CONSTRAINT board_post_body_len CHECK (length(btrim(body)) BETWEEN 1 AND 20000),
    CONSTRAINT board_post_author_id_fkey FOREIGN KEY (organization_id, author_id)
        REFERENCES ej.staff (organization_id, id)
);
COMMENT ON TABLE ej.board_post IS 'Объявление для сотрудников организации на неделю.';
CREATE INDEX board_post_org_idx ON ej.board_post (organization_id, posted_at DESC);
