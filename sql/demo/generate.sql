-- Synthetic demo data for ejournal: one technopark ('small') or a region ('region').
--
-- Run by a superuser in ONE transaction with
--     SET LOCAL session_replication_role = replica;   -- no triggers, no FK checks
--     SET LOCAL max_parallel_workers_per_gather = 0;
-- after the caller has filled the temp table demo_names(kind, idx, value) with name pools
-- (kinds last_m, last_f, first_m, first_f, middle_m, middle_f, city). Then
--     SELECT ej_demo.generate('small', 1, 1.0, current_date);
--     DROP SCHEMA ej_demo CASCADE;
-- (ejournal_tui/db/demo.py does all of this).
--
-- With the triggers off, the data is correct by construction: organization_id and group_id
-- of child rows are set explicitly, marks only for students enrolled on the lesson date,
-- lessons only on scheduled dates inside the iteration and not in the last three days.
--
-- Ids are computed, not drawn from the identity sequences (the tables are empty, which
-- generate() checks), so related rows can be joined by arithmetic. Randomness is a hash of
-- (seed, salt, key) — see ej_demo.u — so the data depend on the seed and p_today only, not
-- on the order in which a plan happens to produce rows. Timestamps are local times of the
-- session's TimeZone. All names come from the pools; every other text is made up here.

DROP SCHEMA IF EXISTS ej_demo CASCADE;
CREATE SCHEMA ej_demo;

-- A uniform number in [0, 1) from the seed, a salt (one per kind of decision) and a key
-- (usually a row id). hashint8extended is stable across PostgreSQL versions (hash
-- partitioning relies on it); the function is inlined into the calling query.
CREATE FUNCTION ej_demo.u(p_seed integer, p_salt integer, p_key bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8extended(p_key, p_seed::bigint * 65536 + p_salt) & 9007199254740991)::double precision
             / 9007199254740992.0 $$;

-- An element of a non-empty array chosen by u in [0, 1).
CREATE FUNCTION ej_demo.pick(p_values text[], p_u double precision) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT p_values[1 + floor(p_u * cardinality(p_values))::integer] $$;

-- A mobile number '+7 9NN NNN-NN-NN'.
CREATE FUNCTION ej_demo.phone(p_u double precision) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT regexp_replace(lpad(floor(p_u * 1e9)::bigint::text, 9, '0'),
                            '^(..)(...)(..)(..)$', '+7 9\1 \2-\3-\4') $$;

-- The feminine form of a masculine surname: Иванов → Иванова, Горский → Горская,
-- Толстой → Толстая; others (Шевчук, Сидоренко) do not change.
CREATE FUNCTION ej_demo.feminine(p_surname text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE
                 WHEN p_surname ~ '(ск|цк)ий$' OR p_surname ~ 'ой$' THEN left(p_surname, -2) || 'ая'
                 WHEN p_surname ~ '(ов|ев|ёв|ин|ын)$' THEN p_surname || 'а'
                 ELSE p_surname
             END $$;

-- An order of the organization: '№ 45-о от 01.09.2026', numbered through the year; two
-- numbers a day, the first for enrollments, the second for leaving.
CREATE FUNCTION ej_demo.order_no(p_on date, p_leave boolean DEFAULT false) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT format('№ %s-о от %s', 2 * extract(doy FROM p_on)::integer - CASE WHEN p_leave THEN 0 ELSE 1 END,
                    to_char(p_on, 'DD.MM.YYYY')) $$;

-- 'Фамилия Имя Отчество' → 'Фамилия И. О.'
CREATE FUNCTION ej_demo.short_name(p_full_name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT split_part(p_full_name, ' ', 1) || ' ' || left(split_part(p_full_name, ' ', 2), 1) || '. '
             || left(split_part(p_full_name, ' ', 3), 1) || '.' $$;

-- The quantums of every technopark, with what a group of each learns. Programs: module 1
-- (вводный) takes topic stems 1–8, module 2 (углублённый) stems 5–12.
CREATE TABLE ej_demo.quantum_catalog (
    q       integer PRIMARY KEY,
    name    text NOT NULL,     -- ej.quantum.name
    code    text NOT NULL,     -- group names: «IT-1», «Робо-2»
    subject text NOT NULL,     -- program names: «Робототехника. Вводный модуль»
    event   text NOT NULL,     -- an event groups of this quantum take part in
    stems   text[] NOT NULL    -- 12 topic stems of the КТП
);

INSERT INTO ej_demo.quantum_catalog VALUES
(1, 'IT-квантум', 'IT', 'Программирование и разработка приложений', 'Городской хакатон школьников',
 ARRAY['Основы алгоритмизации', 'Переменные, типы данных, ввод и вывод', 'Ветвления и циклы',
       'Функции и модули', 'Списки, словари и строки', 'Работа с файлами',
       'Объектно-ориентированное программирование', 'Основы веб-разработки: HTML и CSS',
       'Базы данных и язык SQL', 'Разработка игры на Python', 'Работа с сетевыми API',
       'Командная разработка и контроль версий']),
(2, 'Робоквантум', 'Робо', 'Робототехника', 'Региональные соревнования по робототехнике',
 ARRAY['Конструктор и базовые механизмы', 'Электрические цепи и закон Ома', 'Микроконтроллер: первые программы',
       'Датчики и их опрос', 'Двигатели и сервоприводы', 'Передачи и редукторы', 'Движение по линии',
       'ПИД-регулятор', 'Манипуляторы и кинематика', 'Беспроводное управление роботом',
       'Компьютерное зрение для робота', 'Подготовка к соревнованиям по робототехнике']),
(3, 'Хайтек', 'Хайтек', 'Цифровое производство', 'Выставка технического творчества «Сделано руками»',
 ARRAY['Основы черчения и технического рисунка', 'Трёхмерное моделирование в САПР', 'Аддитивные технологии: 3D-печать',
       'Подготовка моделей к печати', 'Лазерная резка и гравировка', 'Фрезерная обработка на станке с ЧПУ',
       'Измерительные инструменты', 'Пайка и монтаж электронных компонентов', 'Прототипирование корпусов',
       'Обратное проектирование', 'Сборка и испытание изделия', 'Технологическая документация']),
(4, 'VR/AR-квантум', 'VR/AR', 'Разработка приложений виртуальной и дополненной реальности',
 'Фестиваль цифровых проектов «Новая реальность»',
 ARRAY['Устройство систем виртуальной и дополненной реальности', 'Шлемы и контроллеры виртуальной реальности',
       'Панорамная съёмка и видео 360°', 'Трёхмерное моделирование для VR', 'Текстуры и освещение сцены',
       'Игровой движок: интерфейс и сцена', 'Скрипты и взаимодействие с объектами',
       'Дополненная реальность на мобильных устройствах', 'Метки и распознавание изображений',
       'Пользовательский интерфейс в VR', 'Оптимизация VR-приложения', 'Тестирование и публикация приложения']),
(5, 'Аэроквантум', 'Аэро', 'Беспилотные авиационные системы', 'Открытый турнир по пилотированию квадрокоптеров',
 ARRAY['История авиации и беспилотных систем', 'Аэродинамика полёта', 'Устройство мультикоптера',
       'Правила безопасных полётов', 'Пилотирование на симуляторе', 'Ручное пилотирование квадрокоптера',
       'Сборка и настройка полётного контроллера', 'Электронные компоненты беспилотника', 'Аэрофотосъёмка',
       'Программирование автономного полёта', 'Полёт по маршруту в помещении',
       'Подготовка к соревнованиям по пилотированию']),
(6, 'Биоквантум', 'Био', 'Биотехнологии', 'Научно-практическая конференция школьников «Первые открытия»',
 ARRAY['Лаборатория и микроскоп', 'Клетка: строение и функции', 'Приготовление микропрепаратов',
       'Микроорганизмы и их культивирование', 'Питательные среды и стерилизация', 'Растения in vitro',
       'Основы генетики', 'Выделение ДНК', 'Биохимический анализ', 'Экологический мониторинг воды',
       'Биоинформатика: работа с базами данных', 'Планирование биологического эксперимента']),
(7, 'Геоквантум', 'Гео', 'Геоинформационные технологии', 'Городской конкурс картографических проектов',
 ARRAY['Основы картографии', 'Системы координат и проекции', 'Спутниковая навигация',
       'Геоинформационные системы', 'Открытые картографические данные', 'Дистанционное зондирование Земли',
       'Обработка космических снимков', 'Аэрофотосъёмка с квадрокоптера', 'Фотограмметрия и модели местности',
       'Полевые исследования с навигационным приёмником', 'Тематические карты', 'Веб-картография']),
(8, 'Промдизайнквантум', 'Промдизайн', 'Промышленный дизайн', 'Выставка проектов юных дизайнеров',
 ARRAY['Что такое промышленный дизайн', 'Скетчинг: линия, форма, перспектива', 'Светотень и маркерная графика',
       'Композиция и формообразование', 'Эргономика изделия', 'Цвет и материалы',
       'Макетирование из бумаги и пенокартона', 'Трёхмерное моделирование формы', 'Визуализация и рендер',
       'Исследование пользователя', 'Концепция продукта', 'Презентация дизайн-проекта']),
(9, 'Энерджиквантум', 'Энерджи', 'Альтернативная энергетика', 'Фестиваль «Энергия будущего»',
 ARRAY['Виды энергии и её преобразование', 'Электричество: ток, напряжение, мощность', 'Измерительные приборы',
       'Солнечная энергетика', 'Ветроэнергетика', 'Аккумуляторы и накопители энергии', 'Водородная энергетика',
       'Тепловые машины и теплообмен', 'Энергосбережение в быту', 'Умный дом: датчики и автоматика',
       'Электромобили и зарядная инфраструктура', 'Энергоаудит здания']);

-- Working tables, dropped with the schema. UNLOGGED: they never outlive the transaction.

-- Every study group with what the generator decided about it.
CREATE UNLOGGED TABLE ej_demo.grp (
    id           bigint PRIMARY KEY,
    o            integer NOT NULL,   -- organization number = ej.organization.id
    i            integer NOT NULL,   -- iteration number within the organization, 1 = oldest
    g            integer NOT NULL,   -- group number within the iteration
    iteration_id bigint NOT NULL,
    starts_on    date NOT NULL,
    ends_on      date NOT NULL,
    active       boolean NOT NULL,   -- the current iteration (the others are archived)
    elapsed      integer NOT NULL,   -- whole weeks of the iteration before p_today
    q            integer NOT NULL,   -- quantum number (ej_demo.quantum_catalog)
    program_id   bigint NOT NULL,
    teacher_no   integer NOT NULL,   -- 1 = o<N>_teacher01
    teacher_id   bigint NOT NULL,
    pattern      integer NOT NULL,   -- which weekly time pattern (0..5), distinct among a teacher's groups
    seats        integer NOT NULL,   -- enrollments made into the group
    name         text NOT NULL,
    room         text NOT NULL
);

-- Every scheduled date of every group, filled in or not.
CREATE UNLOGGED TABLE ej_demo.sched (
    group_id bigint NOT NULL,
    pos      integer NOT NULL,       -- ordinal of the date in the iteration = КТП topic position
    held_on  date NOT NULL,
    ends_at  time NOT NULL,
    due      boolean NOT NULL,       -- held more than three days before p_today: should be filled in
    filled   boolean NOT NULL,       -- has an ej.lesson row
    PRIMARY KEY (group_id, pos)
);
CREATE INDEX ON ej_demo.sched (group_id, held_on);

-- The date each enrollment's student got the вводный safety briefing: the group's first
-- scheduled date on or after enrollment.
CREATE UNLOGGED TABLE ej_demo.intro (
    group_id   bigint NOT NULL,
    student_id bigint NOT NULL,
    held_on    date NOT NULL
);


CREATE FUNCTION ej_demo.generate(p_size text, p_seed integer, p_scale double precision, p_today date)
    RETURNS jsonb
    LANGUAGE plpgsql
    SET work_mem = '256MB'
AS $$
DECLARE
    v_region     boolean := p_size = 'region';
    -- the shape (DESIGN.md, Scale): small = one technopark; region = 30 × p_scale of them
    v_orgs       integer;
    v_teachers   integer;       -- teachers per organization
    v_staff      integer;       -- staff per organization: teachers, methodist, deputy, director, admin
    v_iters      integer;       -- iterations per organization, the last one active
    v_weeks      integer;       -- weeks per iteration
    v_per_week   integer;       -- lessons per group per week
    v_lessons    integer;       -- lessons per group per iteration = КТП topics of a program
    v_groups     integer;       -- groups per iteration
    v_students   integer;       -- students per organization
    v_active_on  date;          -- the Monday the current iteration started
    v_first_on   date;          -- the Monday the oldest iteration started
    v_school_year integer;      -- the school year of p_today starts on 1 September of this year
    v_days       integer[];     -- weekday sets of the weekly patterns
    v_times      time[];        -- lesson start times of the weekly patterns
    v_n_days     integer;       -- how many weekday sets
    v_cities     integer;
    v_last_m     text[];
    v_last_f     text[];
    v_first_m    text[];
    v_first_f    text[];
    v_middle_m   text[];
    v_middle_f   text[];
    v_city       text[];
    v_streets    constant text[] := ARRAY['Ленина', 'Мира', 'Советская', 'Гагарина', 'Молодёжная', 'Школьная',
        'Садовая', 'Лесная', 'Набережная', 'Космонавтов', 'Победы', 'Строителей', 'Октябрьская', 'Зелёная',
        'Центральная', 'Пушкина', 'Комсомольская', 'Первомайская', 'Заводская', 'Северная'];
    v_leave_reasons constant text[] := ARRAY['по заявлению родителей', 'смена места жительства',
        'по состоянию здоровья', 'переход в другое объединение', 'большая учебная нагрузка в школе'];
    v_other_reasons constant text[] := ARRAY['семейные обстоятельства', 'экскурсия с классом',
        'медицинский осмотр в школе', 'репетиция школьного концерта'];
    v_levels     constant text[] := ARRAY['учрежденческий', 'муниципальный', 'муниципальный', 'региональный'];
    v_results    constant text[] := ARRAY['1 место', '2 место', '3 место', 'диплом участника', 'призёр', 'победитель'];
    v_places     constant text[] := ARRAY['ДТ «Кванториум»', 'Дворец творчества детей и молодёжи',
        'Городской выставочный центр', 'Центральная городская библиотека'];
    v_counts     jsonb := '{}';
    v_n          bigint;
    v_rec        record;
BEGIN
    IF p_size IS NULL OR p_size NOT IN ('small', 'region') THEN
        RAISE EXCEPTION 'Размер демо-данных: small или region (получено %)', p_size USING ERRCODE = 'EJ001';
    END IF;
    IF p_scale IS NULL OR NOT p_scale > 0 OR p_seed IS NULL OR p_today IS NULL THEN
        RAISE EXCEPTION 'Демо-данные: seed и дата обязательны, масштаб больше нуля' USING ERRCODE = 'EJ001';
    END IF;
    IF current_setting('session_replication_role') <> 'replica' THEN
        RAISE EXCEPTION 'ej_demo.generate: run with SET LOCAL session_replication_role = replica'
            USING ERRCODE = 'EJ000';
    END IF;
    -- Every table hangs off ej.organization by foreign keys: empty organizations, empty journal.
    IF EXISTS (SELECT 1 FROM ej.organization) THEN
        RAISE EXCEPTION 'В базе уже есть данные: демо-данные загружаются только в пустую базу' USING ERRCODE = 'EJ003';
    END IF;

    v_last_m   := ARRAY(SELECT value FROM demo_names WHERE kind = 'last_m' ORDER BY idx);
    v_last_f   := ARRAY(SELECT value FROM demo_names WHERE kind = 'last_f' ORDER BY idx);
    v_first_m  := ARRAY(SELECT value FROM demo_names WHERE kind = 'first_m' ORDER BY idx);
    v_first_f  := ARRAY(SELECT value FROM demo_names WHERE kind = 'first_f' ORDER BY idx);
    v_middle_m := ARRAY(SELECT value FROM demo_names WHERE kind = 'middle_m' ORDER BY idx);
    v_middle_f := ARRAY(SELECT value FROM demo_names WHERE kind = 'middle_f' ORDER BY idx);
    v_city     := ARRAY(SELECT value FROM demo_names WHERE kind = 'city' ORDER BY idx);
    IF least(cardinality(v_last_m), cardinality(v_last_f), cardinality(v_first_m), cardinality(v_first_f),
             cardinality(v_middle_m), cardinality(v_middle_f), cardinality(v_city)) = 0 THEN
        RAISE EXCEPTION 'demo_names: every kind (last_m, last_f, first_m, first_f, middle_m, middle_f, city) needs values'
            USING ERRCODE = 'EJ000';
    END IF;
    v_cities := cardinality(v_city);

    IF v_region THEN
        v_orgs := greatest(1, round(30 * p_scale)::integer);
        v_teachers := 20;
        v_iters := 3;
        v_weeks := 24;
        v_per_week := 3;
        v_groups := greatest(2, round(60 * p_scale)::integer);
        v_students := greatest(30, round(3300 * p_scale)::integer);
        v_active_on := date_trunc('week', p_today)::date - 16 * 7;
        v_days := ARRAY[[1, 3, 5], [2, 4, 6]];
        v_times := ARRAY['15:00', '16:40', '18:20']::time[];
    ELSE
        v_orgs := 1;
        v_teachers := 12;
        v_iters := 2;
        v_weeks := 18;
        v_per_week := 2;
        v_groups := 24;
        v_students := 350;
        v_active_on := date_trunc('week', p_today)::date - 10 * 7;
        v_days := ARRAY[[1, 4], [2, 5], [3, 6]];
        v_times := ARRAY['15:00', '16:40']::time[];
    END IF;
    v_n_days := array_length(v_days, 1);
    v_staff := v_teachers + 4;
    v_lessons := v_weeks * v_per_week;
    -- iterations follow each other with a two-week break
    v_first_on := v_active_on - (v_iters - 1) * 7 * (v_weeks + 2);
    IF NOT v_region THEN
        -- the small technopark's first iteration starts in August (the first Monday after
        -- 7 August of the latest year it fits in before the current one), the way technoparks
        -- often begin: it belongs to the academic year that starts that September
        v_first_on := make_date(extract(year FROM v_first_on)::integer
                                - CASE WHEN v_first_on < make_date(extract(year FROM v_first_on)::integer, 8, 14)
                                       THEN 1 ELSE 0 END, 8, 8);
        v_first_on := v_first_on + (8 - extract(isodow FROM v_first_on)::integer) % 7;
    END IF;
    v_school_year := extract(year FROM p_today)::integer - CASE WHEN extract(month FROM p_today) < 9 THEN 1 ELSE 0 END;

    ---------------------------------------------------------------- staff and organizations
    -- Staff of organization o: ids (o-1)*v_staff + k; k = 1..v_teachers are teachers, then
    -- methodist, deputy, director, admin. Two of three teachers are women.
    INSERT INTO ej.staff (id, organization_id, login, full_name, position, phone, email, is_locked, created_at)
    SELECT s.id, s.o, s.login,
           CASE WHEN s.female
                THEN ej_demo.pick(v_last_f, ej_demo.u(p_seed, 2, s.id)) || ' ' || ej_demo.pick(v_first_f, ej_demo.u(p_seed, 3, s.id))
                     || ' ' || ej_demo.pick(v_middle_f, ej_demo.u(p_seed, 4, s.id))
                ELSE ej_demo.pick(v_last_m, ej_demo.u(p_seed, 2, s.id)) || ' ' || ej_demo.pick(v_first_m, ej_demo.u(p_seed, 3, s.id))
                     || ' ' || ej_demo.pick(v_middle_m, ej_demo.u(p_seed, 4, s.id))
           END,
           s.position, ej_demo.phone(ej_demo.u(p_seed, 5, s.id)), s.login || '@kvantorium.example', false,
           v_first_on - 45 + time '09:00'
      FROM (SELECT (o - 1)::bigint * v_staff + k AS id, o,
                   'o' || o || '_' || CASE WHEN k <= v_teachers THEN 'teacher' || lpad(k::text, 2, '0')
                                           WHEN k = v_teachers + 1 THEN 'methodist'
                                           WHEN k = v_teachers + 2 THEN 'deputy'
                                           WHEN k = v_teachers + 3 THEN 'director'
                                           ELSE 'admin' END AS login,
                   CASE WHEN k <= v_teachers THEN 'педагог дополнительного образования'
                        WHEN k = v_teachers + 1 THEN 'методист'
                        WHEN k = v_teachers + 2 THEN 'заместитель директора'
                        WHEN k = v_teachers + 3 THEN 'директор'
                        ELSE 'системный администратор' END AS position,
                   ej_demo.u(p_seed, 1, (o - 1)::bigint * v_staff + k) < 0.65 AS female
              FROM generate_series(1, v_orgs) o, generate_series(1, v_staff) k) s
     ORDER BY s.id;

    -- One city per organization, from a seed-dependent place in the pool; if there are more
    -- organizations than cities, later ones get a number to keep names unique.
    INSERT INTO ej.organization (id, name, unit_name, short_name, address, city, director_name, created_at)
    SELECT c.o,
           format('ГАОУ ДО «Детский технопарк «Кванториум»%s г. %s»',
                  CASE WHEN c.o > v_cities THEN ' № ' || ((c.o - 1) / v_cities + 1) END, c.city),
           'ДТ «Кванториум»',
           'Кванториум ' || c.city || CASE WHEN c.o > v_cities THEN ' № ' || ((c.o - 1) / v_cities + 1) ELSE '' END,
           format('г. %s, ул. %s, д. %s', c.city, ej_demo.pick(v_streets, ej_demo.u(p_seed, 7, c.o)),
                  1 + floor(ej_demo.u(p_seed, 8, c.o) * 120)::integer),
           c.city,
           (SELECT full_name FROM ej.staff WHERE id = (c.o - 1)::bigint * v_staff + v_teachers + 3),
           v_first_on - 60 + time '09:00'
      FROM (SELECT o, v_city[1 + (o - 1 + floor(ej_demo.u(p_seed, 6, 0) * v_cities)::integer) % v_cities] AS city
              FROM generate_series(1, v_orgs) o) c
     ORDER BY c.o;

    ---------------------------------------------------------------- quantums, programs, КТП
    -- quantum id (o-1)*9 + q; program id (o-1)*18 + (q-1)*2 + m; topic id (program-1)*v_lessons + position
    INSERT INTO ej.quantum (id, organization_id, name)
    SELECT (o - 1)::bigint * 9 + c.q, o, c.name
      FROM generate_series(1, v_orgs) o CROSS JOIN ej_demo.quantum_catalog c
     ORDER BY 1;

    INSERT INTO ej.program (id, organization_id, quantum_id, name, total_hours, approved_on)
    SELECT (o - 1)::bigint * 18 + (c.q - 1) * 2 + m, o, (o - 1)::bigint * 9 + c.q,
           c.subject || CASE m WHEN 1 THEN '. Вводный модуль' ELSE '. Углублённый модуль' END,
           2 * v_lessons, v_first_on - 21
      FROM generate_series(1, v_orgs) o CROSS JOIN ej_demo.quantum_catalog c CROSS JOIN generate_series(1, 2) m
     ORDER BY 1;

    -- Position 1 is the introduction, the last two the project; the middle positions walk
    -- through the module's 8 stems, each spread over several numbered parts.
    INSERT INTO ej.program_topic (id, organization_id, program_id, position, title, hours)
    SELECT (t.program_id - 1) * v_lessons + t.pos, t.o, t.program_id, t.pos,
           CASE WHEN t.pos = 1 THEN 'Вводное занятие. Техника безопасности'
                WHEN t.pos = v_lessons - 1 THEN 'Проектная работа: выполнение проекта'
                WHEN t.pos = v_lessons THEN 'Проектная работа: защита проекта'
                WHEN count(*) OVER w > 1 THEN t.stem || ' (часть ' || row_number() OVER (w ORDER BY t.pos) || ')'
                ELSE t.stem
           END,
           2
      FROM (SELECT p.id AS program_id, p.organization_id AS o, pos,
                   c.stems[(p.id - 1) % 2 * 4 + 1 + (pos - 2) * 8 / (v_lessons - 3)] AS stem
              FROM ej.program p
              JOIN ej.quantum qu ON qu.id = p.quantum_id
              JOIN ej_demo.quantum_catalog c ON c.name = qu.name
             CROSS JOIN generate_series(1, v_lessons) pos) t
    WINDOW w AS (PARTITION BY t.program_id, CASE WHEN t.pos BETWEEN 2 AND v_lessons - 2 THEN t.stem END)
     ORDER BY 1;

    ---------------------------------------------------------------- iterations and groups
    -- iteration id (o-1)*v_iters + i; all but the last are archived
    INSERT INTO ej.iteration (id, organization_id, name, starts_on, ends_on, status,
                              schedule_approved_by, schedule_approved_at, archived_at)
    SELECT (o - 1)::bigint * v_iters + i, o,
           format('Итерация %s (%s – %s)', i, to_char(d.starts_on, 'DD.MM.YYYY'), to_char(d.starts_on + 7 * v_weeks - 1, 'DD.MM.YYYY')),
           d.starts_on, d.starts_on + 7 * v_weeks - 1,
           CASE WHEN i = v_iters THEN 'active' ELSE 'archived' END,
           (o - 1)::bigint * v_staff + v_teachers + 3, d.starts_on - 7 + time '11:00',
           CASE WHEN i < v_iters THEN d.starts_on + 7 * v_weeks + 13 + time '12:00' END
      FROM generate_series(1, v_orgs) o
     CROSS JOIN generate_series(1, v_iters) i
     CROSS JOIN LATERAL (SELECT CASE WHEN i = v_iters THEN v_active_on
                                      ELSE v_first_on + (i - 1) * 7 * (v_weeks + 2) END AS starts_on) d
     ORDER BY 1;

    -- Groups come in blocks by quantum (IT-1, IT-2, IT-3, Робо-1, ...), alternating the
    -- вводный and углублённый module. Teacher 01 has groups 1..3, the other teachers
    -- consecutive blocks of the rest, so a teacher mostly stays in one quantum. The weekly
    -- pattern differs among a teacher's groups, so neither a teacher nor the teacher's
    -- room (one room per teacher) is double-booked — as long as a teacher has at most six
    -- groups (region up to p_scale ≈ 2).
    INSERT INTO ej_demo.grp
    SELECT b.id, b.o, b.i, b.g, b.iteration_id, b.starts_on, b.starts_on + 7 * v_weeks - 1, b.i = v_iters,
           least(v_weeks, greatest(0, (p_today - b.starts_on) / 7)),
           b.q,
           (b.o - 1)::bigint * 18 + (b.q - 1) * 2 + 2 - b.qrank % 2,
           b.teacher_no, (b.o - 1)::bigint * v_staff + b.teacher_no,
           (b.teacher_rank + b.teacher_no) % 6,
           CASE WHEN v_region THEN 25 ELSE 12 + floor(ej_demo.u(p_seed, 10, b.id) * 4)::integer END,
           c.code || '-' || b.qrank,
           'Каб. ' || (100 + b.teacher_no)
      FROM (SELECT a.*,
                   row_number() OVER (PARTITION BY a.o, a.i, a.q ORDER BY a.g) AS qrank,
                   row_number() OVER (PARTITION BY a.o, a.i, a.teacher_no ORDER BY a.g) - 1 AS teacher_rank
              FROM (SELECT ((o - 1)::bigint * v_iters + i - 1) * v_groups + g AS id, o, i, g,
                           (o - 1)::bigint * v_iters + i AS iteration_id,
                           CASE WHEN i = v_iters THEN v_active_on
                                ELSE v_first_on + (i - 1) * 7 * (v_weeks + 2) END AS starts_on,
                           CASE WHEN v_groups < 9 THEN g ELSE 1 + (g - 1) * 9 / v_groups END AS q,
                           CASE WHEN g <= 3 THEN 1
                                ELSE 2 + (g - 4) * (v_teachers - 1) / greatest(v_groups - 3, 1) END AS teacher_no
                      FROM generate_series(1, v_orgs) o, generate_series(1, v_iters) i,
                           generate_series(1, v_groups) g) a) b
      JOIN ej_demo.quantum_catalog c ON c.q = b.q;

    INSERT INTO ej.study_group (id, organization_id, iteration_id, program_id, teacher_id, name, room)
    SELECT id, o, iteration_id, program_id, teacher_id, name, room FROM ej_demo.grp ORDER BY id;

    -- Weekly slots: 90 minutes from the pattern's start time on each day of its weekday set.
    INSERT INTO ej.schedule_slot (id, organization_id, group_id, weekday, starts_at, ends_at, room)
    SELECT (g.id - 1) * v_per_week + s, g.o, g.id,
           v_days[g.pattern % v_n_days + 1][s], v_times[g.pattern / v_n_days + 1],
           v_times[g.pattern / v_n_days + 1] + interval '90 minutes', g.room
      FROM ej_demo.grp g CROSS JOIN generate_series(1, v_per_week) s
     ORDER BY 1;

    ---------------------------------------------------------------- students and guardians
    -- Every iteration enrolls different students (see below); make sure there are enough.
    SELECT greatest(v_students, max(seats)) INTO v_students
      FROM (SELECT sum(seats) AS seats FROM ej_demo.grp GROUP BY o, i) t;

    -- Student id (o-1)*v_students + k. The family name is a masculine one, in the feminine
    -- form for girls and mothers. Age 7..16 in the school year of p_today, more of them in
    -- the middle; the class follows the birth year.
    INSERT INTO ej.student (id, organization_id, last_name, first_name, middle_name, birth_date, sex, school,
                            school_class, address, phone, medical_clearance, medical_clearance_on, pd_consent_on,
                            created_at)
    SELECT s.id, s.o,
           CASE WHEN s.girl THEN ej_demo.feminine(s.family) ELSE s.family END,
           CASE WHEN s.girl THEN ej_demo.pick(v_first_f, ej_demo.u(p_seed, 13, s.id))
                ELSE ej_demo.pick(v_first_m, ej_demo.u(p_seed, 13, s.id)) END,
           CASE WHEN s.girl THEN ej_demo.pick(v_middle_f, ej_demo.u(p_seed, 14, s.id))
                ELSE ej_demo.pick(v_middle_m, ej_demo.u(p_seed, 14, s.id)) END,
           make_date(v_school_year - s.age, 1, 1) + floor(ej_demo.u(p_seed, 16, s.id) * 365)::integer,
           CASE WHEN s.girl THEN 'ж' ELSE 'м' END,
           CASE WHEN ej_demo.u(p_seed, 17, s.id) < 0.8 THEN 'МБОУ «СОШ № ' ELSE
                ej_demo.pick(ARRAY['МАОУ «Лицей № ', 'МБОУ «Гимназия № '], ej_demo.u(p_seed, 18, s.id)) END
               || (1 + floor(ej_demo.u(p_seed, 19, s.id) * 60)::integer) || '»',
           (s.age - 6) || ej_demo.pick(ARRAY['А', 'Б', 'В', 'Г'], ej_demo.u(p_seed, 20, s.id)),
           format('г. %s, ул. %s, д. %s, кв. %s', org.city, ej_demo.pick(v_streets, ej_demo.u(p_seed, 21, s.id)),
                  1 + floor(ej_demo.u(p_seed, 22, s.id) * 90)::integer, 1 + floor(ej_demo.u(p_seed, 23, s.id) * 200)::integer),
           CASE WHEN s.age >= 10 THEN ej_demo.phone(ej_demo.u(p_seed, 24, s.id)) END,
           s.cleared,
           CASE WHEN s.cleared THEN v_first_on - 3 - floor(ej_demo.u(p_seed, 26, s.id) * 60)::integer END,
           s.consent_on,
           s.consent_on + time '10:00'
      FROM (SELECT (o - 1)::bigint * v_students + k AS id, o,
                   ej_demo.u(p_seed, 11, (o - 1)::bigint * v_students + k) < 0.4 AS girl,
                   ej_demo.pick(v_last_m, ej_demo.u(p_seed, 12, (o - 1)::bigint * v_students + k)) AS family,
                   7 + floor((ej_demo.u(p_seed, 15, (o - 1)::bigint * v_students + k)
                              + ej_demo.u(p_seed, 25, (o - 1)::bigint * v_students + k)) * 5)::integer AS age,
                   ej_demo.u(p_seed, 27, (o - 1)::bigint * v_students + k) < 0.96 AS cleared,
                   v_first_on - 3 - floor(ej_demo.u(p_seed, 28, (o - 1)::bigint * v_students + k) * 30)::integer AS consent_on
              FROM generate_series(1, v_orgs) o, generate_series(1, v_students) k) s
      JOIN ej.organization org ON org.id = s.o
     ORDER BY s.id;

    -- One guardian in a region; in a small technopark 60% of students have two. The first
    -- is the mother four times out of five.
    INSERT INTO ej.guardian (id, organization_id, student_id, full_name, relation, phone, email, pd_consent_on)
    SELECT row_number() OVER (ORDER BY x.student_id, x.n), x.o, x.student_id,
           CASE WHEN x.mother
                THEN ej_demo.feminine(x.family) || ' ' || ej_demo.pick(v_first_f, ej_demo.u(p_seed, 31, x.key))
                     || ' ' || ej_demo.pick(v_middle_f, ej_demo.u(p_seed, 32, x.key))
                ELSE x.family || ' ' || ej_demo.pick(v_first_m, ej_demo.u(p_seed, 31, x.key))
                     || ' ' || ej_demo.pick(v_middle_m, ej_demo.u(p_seed, 32, x.key))
           END,
           CASE WHEN x.mother THEN 'мать' ELSE 'отец' END,
           ej_demo.phone(ej_demo.u(p_seed, 33, x.key)),
           NULL::text,
           x.consent_on
      FROM (SELECT s.id AS student_id, s.organization_id AS o, s.pd_consent_on AS consent_on, n,
                   s.id * 4 + n AS key,
                   ej_demo.pick(v_last_m, ej_demo.u(p_seed, 12, s.id)) AS family,   -- the student's family name
                   (ej_demo.u(p_seed, 30, s.id) < 0.8) = (n = 1) AS mother
              FROM ej.student s
             CROSS JOIN generate_series(1, CASE WHEN NOT v_region AND ej_demo.u(p_seed, 29, s.id) < 0.6 THEN 2 ELSE 1 END) n) x
     ORDER BY x.student_id, x.n;

    ---------------------------------------------------------------- enrollments
    -- The seats of an iteration take consecutive students (in a seat order shuffled per
    -- iteration) starting where the previous iteration stopped, wrapping around, so the
    -- students of one iteration are all different and most students study again later.
    -- ~5% of seats are filled 3–6 weeks late, ~3% are left mid-iteration; never in group 1,
    -- so teacher 01 always has a full group (the benchmark opens it).
    INSERT INTO ej.enrollment (id, organization_id, group_id, student_id, enrolled_on, enroll_order,
                               left_on, leave_order, leave_reason)
    SELECT row_number() OVER (ORDER BY x.group_id, x.k), x.o, x.group_id,
           (x.o - 1)::bigint * v_students + 1 + (x.base + x.seat) % v_students,
           x.enrolled_on,
           ej_demo.order_no(x.enrolled_on - 3),   -- the Friday before
           x.left_on,
           CASE WHEN x.left_on IS NOT NULL THEN ej_demo.order_no(x.left_on - 1, true) END,
           CASE WHEN x.left_on IS NOT NULL THEN ej_demo.pick(v_leave_reasons, ej_demo.u(p_seed, 44, x.key)) END
      FROM (SELECT y.*,
                   CASE WHEN y.late THEN y.starts_on + 7 * (3 + floor(ej_demo.u(p_seed, 42, y.key) * 4)::integer)
                        ELSE y.starts_on END AS enrolled_on,
                   CASE WHEN y.leaves THEN y.starts_on + 2
                        + 7 * (4 + floor(ej_demo.u(p_seed, 43, y.key) * greatest(y.elapsed - 5, 1))::integer) END AS left_on
              FROM (SELECT g.o, g.id AS group_id, g.starts_on, g.elapsed, k, g.id * 64 + k AS key, it.base,
                           row_number() OVER (PARTITION BY g.o, g.i ORDER BY ej_demo.u(p_seed, 40, g.id * 64 + k), g.id, k) - 1 AS seat,
                           g.g > 1 AND ej_demo.u(p_seed, 41, g.id * 64 + k) < 0.05 AS late,
                           g.g > 1 AND ej_demo.u(p_seed, 41, g.id * 64 + k) >= 0.05
                                   AND ej_demo.u(p_seed, 41, g.id * 64 + k) < 0.08 AND g.elapsed >= 6 AS leaves
                      FROM ej_demo.grp g
                      JOIN (SELECT o, i, (sum(sum(seats)) OVER (PARTITION BY o ORDER BY i) - sum(seats))::bigint AS base
                              FROM ej_demo.grp GROUP BY o, i) it ON it.o = g.o AND it.i = g.i
                     CROSS JOIN generate_series(1, g.seats) k) y) x
     ORDER BY 1;

    ---------------------------------------------------------------- lessons and marks
    -- Scheduled dates: week w, slot s of the group's pattern; position = КТП topic.
    -- Lessons of the last three days are not filled in yet; in the active iteration ~4% of
    -- older ones neither (overdue), and one of group 1 for sure (the demo shows it).
    INSERT INTO ej_demo.sched (group_id, pos, held_on, ends_at, due, filled)
    SELECT g.id, w * v_per_week + s,
           g.starts_on + 7 * w + v_days[g.pattern % v_n_days + 1][s] - 1,
           v_times[g.pattern / v_n_days + 1] + interval '90 minutes',
           g.starts_on + 7 * w + v_days[g.pattern % v_n_days + 1][s] - 1 <= p_today - 3,
           g.starts_on + 7 * w + v_days[g.pattern % v_n_days + 1][s] - 1 <= p_today - 3
               AND NOT (g.active AND ej_demo.u(p_seed, 50, g.id * 1024 + w * v_per_week + s) < 0.04)
      FROM ej_demo.grp g, generate_series(0, v_weeks - 1) w, generate_series(1, v_per_week) s;

    UPDATE ej_demo.sched s SET filled = false
      FROM (SELECT s2.group_id, s2.pos, row_number() OVER (PARTITION BY s2.group_id ORDER BY s2.held_on DESC) AS back
              FROM ej_demo.sched s2 JOIN ej_demo.grp g ON g.id = s2.group_id
             WHERE g.active AND g.g = 1 AND s2.due) f
     WHERE f.back = 3 AND s.group_id = f.group_id AND s.pos = f.pos;
    ANALYZE ej_demo.sched;

    -- Filled in by the teacher: the same evening (60%), the next day or the day after during
    -- working hours, or 4–7 days late (8%); never later than yesterday afternoon.
    INSERT INTO ej.lesson (id, organization_id, group_id, held_on, hours, topic_id, topic,
                           filled_by, filled_at, updated_at, version)
    SELECT row_number() OVER (ORDER BY s.group_id, s.held_on), g.o, s.group_id, s.held_on, 2, t.id, t.title,
           g.teacher_id, f.at, f.at, 1
      FROM ej_demo.sched s
      JOIN ej_demo.grp g ON g.id = s.group_id
      JOIN ej.program_topic t ON t.id = (g.program_id - 1) * v_lessons + s.pos
     CROSS JOIN LATERAL (
           SELECT least(date_trunc('minute', CASE WHEN d.late < 0.08
                             THEN s.held_on + (4 + floor(d.day * 4)::integer) + time '09:00' + d.minute * interval '12 hours'
                             WHEN d.day < 0.6
                             THEN s.held_on + s.ends_at + interval '5 minutes' + d.minute * interval '3 hours'
                             ELSE s.held_on + CASE WHEN d.day < 0.9 THEN 1 ELSE 2 END + time '09:00'
                                  + d.minute * interval '12 hours'
                        END),
                        p_today - 1 + time '16:00') AS at
             FROM (SELECT ej_demo.u(p_seed, 51, s.group_id * 1024 + s.pos) AS late,
                          ej_demo.u(p_seed, 52, s.group_id * 1024 + s.pos) AS day,
                          ej_demo.u(p_seed, 53, s.group_id * 1024 + s.pos) AS minute) d) f
     WHERE s.filled
     ORDER BY 1;
    ANALYZE ej.lesson, ej.enrollment;

    -- A mark for every student enrolled on the lesson date: 88% present, 7% absent, 5%
    -- excused (illness, parents, competition, other with an explanation), one draw per mark.
    INSERT INTO ej.attendance (lesson_id, student_id, organization_id, group_id, status, reason, reason_text,
                               updated_by, updated_at, version)
    SELECT m.lesson_id, m.student_id, m.organization_id, m.group_id,
           CASE WHEN m.u < 0.88 THEN 'present' WHEN m.u < 0.95 THEN 'absent' ELSE 'excused' END,
           CASE WHEN m.u < 0.95 THEN NULL
                WHEN m.u < 0.975 THEN 'illness'
                WHEN m.u < 0.9875 THEN 'parents'
                WHEN m.u < 0.995 THEN 'competition'
                ELSE 'other' END,
           CASE WHEN m.u >= 0.995 THEN v_other_reasons[1 + floor((m.u - 0.995) * 200 * cardinality(v_other_reasons))::integer] END,
           m.filled_by, m.filled_at, 1
      FROM (SELECT l.id AS lesson_id, e.student_id, l.organization_id, l.group_id, l.filled_by, l.filled_at,
                   ej_demo.u(p_seed, 60, l.id * 4194304 + e.student_id) AS u
              FROM ej.lesson l
              JOIN ej.enrollment e ON e.group_id = l.group_id AND e.enrolled_on <= l.held_on
                                  AND (e.left_on IS NULL OR e.left_on > l.held_on)
             -- in key order, so both indexes grow at their right edge (compact, ~10% faster);
             -- the sorted subquery also computes u once per mark, not once per CASE branch
             ORDER BY l.id, e.student_id) m;
    ANALYZE ej.attendance;

    ---------------------------------------------------------------- safety briefings
    -- вводный: on the first lesson date of the group for those enrolled from the start, and
    -- on their first lesson date for those who joined late; повторный: 8 weeks in, for
    -- everybody enrolled that day. Only dates before p_today.
    INSERT INTO ej_demo.intro (group_id, student_id, held_on)
    SELECT e.group_id, e.student_id,
           (SELECT min(s.held_on) FROM ej_demo.sched s WHERE s.group_id = e.group_id AND s.held_on >= e.enrolled_on)
      FROM ej.enrollment e;

    INSERT INTO ej.safety_briefing (id, organization_id, group_id, held_on, kind, content, given_by)
    SELECT row_number() OVER (ORDER BY b.group_id, b.held_on, b.kind), g.o, b.group_id, b.held_on, b.kind,
           CASE b.kind
               WHEN 'вводный' THEN 'Вводный инструктаж: правила поведения в технопарке, пожарная безопасность и '
                                   || 'эвакуация, электробезопасность, безопасная работа с оборудованием ('
                                   || c.name || ')'
               ELSE 'Повторный инструктаж по технике безопасности при работе с оборудованием и инструментами ('
                    || c.name || ')'
           END,
           g.teacher_id
      FROM (SELECT DISTINCT group_id, held_on, 'вводный' AS kind FROM ej_demo.intro WHERE held_on < p_today
            UNION ALL
            SELECT s.group_id, s.held_on, 'повторный' FROM ej_demo.sched s
             WHERE s.pos = 8 * v_per_week + 1 AND s.held_on < p_today) b
      JOIN ej_demo.grp g ON g.id = b.group_id
      JOIN ej_demo.quantum_catalog c ON c.q = g.q
     ORDER BY 1;

    INSERT INTO ej.safety_briefing_student (briefing_id, student_id, organization_id, group_id)
    SELECT b.id, i.student_id, b.organization_id, b.group_id
      FROM ej.safety_briefing b
      JOIN ej_demo.intro i ON i.group_id = b.group_id AND i.held_on = b.held_on
     WHERE b.kind = 'вводный'
    UNION ALL
    SELECT b.id, e.student_id, b.organization_id, b.group_id
      FROM ej.safety_briefing b
      JOIN ej.enrollment e ON e.group_id = b.group_id AND e.enrolled_on <= b.held_on
                          AND (e.left_on IS NULL OR e.left_on > b.held_on)
     WHERE b.kind = 'повторный'
     ORDER BY 1, 2;

    ---------------------------------------------------------------- events and achievements
    -- Small technopark only: every fourth group of the current iteration took part in an
    -- event of its quantum on a Saturday; one to three of its students won something.
    IF NOT v_region THEN
        INSERT INTO ej.event (id, organization_id, group_id, held_on, title, place, participants)
        SELECT row_number() OVER (ORDER BY g.id), g.o, g.id,
               g.starts_on + 5 + 7 * (2 + floor(ej_demo.u(p_seed, 70, g.id) * greatest(g.elapsed - 3, 1))::integer),
               c.event, ej_demo.pick(v_places, ej_demo.u(p_seed, 71, g.id)),
               least(g.seats, 4 + floor(ej_demo.u(p_seed, 72, g.id) * 8)::integer)
          FROM ej_demo.grp g JOIN ej_demo.quantum_catalog c ON c.q = g.q
         WHERE g.active AND g.g % 4 = 1 AND g.elapsed >= 3
         ORDER BY 1;

        INSERT INTO ej.achievement (id, organization_id, group_id, student_id, held_on, competition, level, result)
        SELECT row_number() OVER (ORDER BY w.event_id, w.student_id), w.organization_id, w.group_id, w.student_id,
               w.held_on, w.title, ej_demo.pick(v_levels, ej_demo.u(p_seed, 74, w.event_id)),
               ej_demo.pick(v_results, ej_demo.u(p_seed, 75, w.event_id * 1000000 + w.student_id))
          FROM (SELECT ev.id AS event_id, ev.organization_id, ev.group_id, ev.held_on, ev.title, e.student_id,
                       row_number() OVER (PARTITION BY ev.id
                                          ORDER BY ej_demo.u(p_seed, 73, ev.id * 1000000 + e.student_id), e.student_id) AS rn
                  FROM ej.event ev
                  JOIN ej.enrollment e ON e.group_id = ev.group_id AND e.enrolled_on <= ev.held_on
                                      AND (e.left_on IS NULL OR e.left_on > ev.held_on)) w
         WHERE w.rn <= 1 + floor(ej_demo.u(p_seed, 76, w.event_id) * 3)
         ORDER BY 1;
    END IF;

    ---------------------------------------------------------------- board posts and remarks
    -- The methodist's analysis of last week, from the generated journal itself.
    INSERT INTO ej.board_post (id, organization_id, author_id, week_of, title, body, posted_at)
    SELECT org.id, org.id, (org.id - 1) * v_staff + v_teachers + 1, wk.monday,
           format('Анализ заполнения журналов: неделя %s – %s', to_char(wk.monday, 'DD.MM'), to_char(wk.monday + 6, 'DD.MM.YYYY')),
           format(E'Итоги недели %s – %s.\n\n'
                  'Проведено занятий: %s, из них заполнено в журнале в течение трёх дней: %s.\n'
                  'Посещаемость: %s %%. Отсутствий без уважительной причины: %s, по уважительной причине: %s.\n\n'
                  'Не заполнены занятия старше трёх дней: %s.\n\n'
                  'Прошу заполнить пропущенные занятия до конца недели. Напоминаю: для причины отсутствия '
                  '«другое» нужно пояснение, а исправления позже трёх дней после занятия — с указанием причины.',
                  to_char(wk.monday, 'DD.MM'), to_char(wk.monday + 6, 'DD.MM.YYYY'),
                  ls.held, ls.on_time,
                  replace(to_char(100.0 * att.present / greatest(att.total, 1), 'FM990.0'), '.', ','),
                  att.absent, att.excused,
                  coalesce(miss.list, 'нет')),
           least(wk.monday + 7 + time '09:30', p_today - 1 + time '18:00')
      FROM ej.organization org
     CROSS JOIN (SELECT date_trunc('week', p_today)::date - 7 AS monday) wk
     CROSS JOIN LATERAL (
           SELECT count(*) AS held,
                  count(*) FILTER (WHERE l.filled_at < l.held_on + 4) AS on_time,
                  array_agg(l.id) AS ids
             FROM ej.lesson l
            WHERE l.organization_id = org.id AND l.held_on BETWEEN wk.monday AND wk.monday + 6) ls
     CROSS JOIN LATERAL (
           SELECT count(*) AS total,
                  count(*) FILTER (WHERE a.status = 'present') AS present,
                  count(*) FILTER (WHERE a.status = 'absent') AS absent,
                  count(*) FILTER (WHERE a.status = 'excused') AS excused
             FROM ej.attendance a
            WHERE a.lesson_id = ANY (ls.ids)) att
     CROSS JOIN LATERAL (
           SELECT string_agg(x.item, '; ' ORDER BY x.name) AS list
             FROM (SELECT g.name, format('%s (%s) — %s', g.name, ej_demo.short_name(st.full_name),
                                         string_agg(to_char(s.held_on, 'DD.MM'), ', ' ORDER BY s.held_on)) AS item
                     FROM ej_demo.sched s
                     JOIN ej_demo.grp g ON g.id = s.group_id
                     JOIN ej.staff st ON st.id = g.teacher_id
                    WHERE g.o = org.id AND s.due AND NOT s.filled
                    GROUP BY g.name, st.full_name
                    ORDER BY g.name
                    LIMIT 40) x) miss
     ORDER BY 1;

    -- Two open remarks of the deputy on teacher 01's groups of the current iteration: the
    -- overdue lesson of group 1, and unexplained absences in the latest such lesson of group 2.
    INSERT INTO ej.remark (id, organization_id, group_id, lesson_id, author_id, body, created_at)
    SELECT row_number() OVER (ORDER BY r.o, r.n), r.o, r.group_id, r.lesson_id,
           (r.o - 1) * v_staff + v_teachers + 2, r.body, p_today - 1 + time '17:00'
      FROM (SELECT g.o, 1 AS n, g.id AS group_id, NULL::bigint AS lesson_id,
                   format('Группа %s: не заполнено занятие %s. Внесите тему и посещаемость; занятие прошло '
                          'более трёх дней назад, поэтому укажите причину задержки.',
                          g.name, to_char(max(s.held_on), 'DD.MM.YYYY')) AS body
              FROM ej_demo.grp g JOIN ej_demo.sched s ON s.group_id = g.id AND s.due AND NOT s.filled
             WHERE g.active AND g.g = 1
             GROUP BY g.o, g.id, g.name
            UNION ALL
            SELECT g.o, 2, g.id, a.lesson_id,
                   format('Группа %s, занятие %s: отсутствий без уважительной причины — %s. Уточните причины '
                          'у родителей и при необходимости исправьте отметки.',
                          g.name, to_char(a.held_on, 'DD.MM.YYYY'), a.absent)
              FROM ej_demo.grp g
             CROSS JOIN LATERAL (
                   SELECT l.id AS lesson_id, l.held_on,
                          (SELECT count(*) FROM ej.attendance am WHERE am.lesson_id = l.id AND am.status = 'absent') AS absent
                     FROM ej.lesson l
                    WHERE l.group_id = g.id
                      AND EXISTS (SELECT 1 FROM ej.attendance am WHERE am.lesson_id = l.id AND am.status = 'absent')
                    ORDER BY l.held_on DESC
                    LIMIT 1) a
             WHERE g.active AND g.g = least(2, v_groups)) r
     ORDER BY 1;

    ---------------------------------------------------------------- sequences and counts
    -- Rows were inserted with explicit ids: move every identity past them.
    FOR v_rec IN SELECT c.relname, a.attname
               FROM pg_attribute a
               JOIN pg_class c ON c.oid = a.attrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'ej' AND c.relkind = 'r' AND a.attidentity <> '' AND NOT a.attisdropped
              ORDER BY c.relname
    LOOP
        EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), coalesce(max(%I), 0) + 1, false) FROM ej.%I',
                       'ej.' || quote_ident(v_rec.relname), v_rec.attname, v_rec.attname, v_rec.relname);
    END LOOP;

    -- archived iterations keep their own copy of the КТП, programs and names they show
    PERFORM ej.freeze_iteration(id) FROM ej.iteration WHERE status = 'archived';

    FOR v_rec IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'ej' AND c.relkind = 'r' ORDER BY c.relname
    LOOP
        EXECUTE format('SELECT count(*) FROM ej.%I', v_rec.relname) INTO v_n;
        v_counts := v_counts || jsonb_build_object(v_rec.relname, v_n);
    END LOOP;
    RETURN v_counts;
END $$;
