-- The rest of the paper journal (issue 7): who still lacks the introductory safety briefing or
-- a medical clearance, and each person's acknowledgment of the regulation's duties for their role.
SET LOCAL ROLE ej_owner;

-- Students on the rolls of the caller's running groups today with no вводный briefing in the group.
CREATE FUNCTION ej.briefing_missing(p_today date DEFAULT ej.today())
    RETURNS TABLE (group_id bigint, group_name text, student_id bigint, student_name text, enrolled_on date)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT g.id, g.name, s.id, s.last_name || ' ' || s.first_name, e.enrolled_on
      FROM ej.study_group g
      JOIN ej.iteration i ON i.id = g.iteration_id
      JOIN ej.enrollment e ON e.group_id = g.id
      JOIN ej.student s ON s.id = e.student_id
     WHERE i.status = 'active'
       AND e.enrolled_on <= p_today AND (e.left_on IS NULL OR e.left_on > p_today)
       AND NOT EXISTS (SELECT 1 FROM ej.safety_briefing_student bs
                         JOIN ej.safety_briefing b ON b.id = bs.briefing_id
                        WHERE b.group_id = g.id AND bs.student_id = s.id AND b.kind = 'вводный')
     ORDER BY g.name, s.last_name, s.first_name
$$;

-- Students on the rolls of running groups without a medical clearance for classes.
CREATE FUNCTION ej.clearance_missing(p_today date DEFAULT ej.today())
    RETURNS TABLE (group_id bigint, group_name text, student_id bigint, student_name text)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT g.id, g.name, s.id, s.last_name || ' ' || s.first_name
      FROM ej.study_group g
      JOIN ej.iteration i ON i.id = g.iteration_id
      JOIN ej.enrollment e ON e.group_id = g.id
      JOIN ej.student s ON s.id = e.student_id
     WHERE i.status = 'active' AND NOT s.medical_clearance
       AND e.enrolled_on <= p_today AND (e.left_on IS NULL OR e.left_on > p_today)
     ORDER BY g.name, s.last_name, s.first_name
$$;

-- The duties the regulation gives each role, as the person reads them on first login.
CREATE TABLE ej.regulation_duty (
    role     text NOT NULL,
    position integer NOT NULL,
    duty     text NOT NULL,
    CONSTRAINT regulation_duty_pkey PRIMARY KEY (role, position),
    CONSTRAINT regulation_duty_role_value CHECK (role IN ('teacher', 'methodist', 'deputy', 'director', 'admin'))
);
COMMENT ON TABLE ej.regulation_duty IS 'Обязанности ролей по регламенту: с ними сотрудник знакомится под подпись.';
COMMENT ON CONSTRAINT regulation_duty_pkey ON ej.regulation_duty IS 'Пункт обязанностей с таким номером уже есть.';
COMMENT ON CONSTRAINT regulation_duty_role_value ON ej.regulation_duty IS 'Роль: teacher, methodist, deputy, director или admin.';

INSERT INTO ej.regulation_duty (role, position, duty) VALUES
('teacher', 1, 'Своевременно заполнять электронный журнал и следить за достоверностью данных об обучающихся; не реже одного раза в месяц проверять изменение фактических данных и при изменениях ставить в известность методиста.'),
('teacher', 2, 'Аккуратно и своевременно заносить данные о дополнительных общеобразовательных программах и их прохождении.'),
('teacher', 3, 'Заполнять электронный журнал не позднее 3-х дней после проведения занятия.'),
('teacher', 4, 'Отражать в журнале уважительную или неуважительную причину отсутствия обучающегося на занятии.'),
('teacher', 5, 'Устранять замечания в журнале, отмеченные заместителем директора и методистом.'),
('teacher', 6, 'Отвечать за сохранность своих реквизитов доступа.'),
('methodist', 1, 'Консультировать педагогов по работе с электронным журналом.'),
('methodist', 2, 'Передавать твёрдые копии электронных журналов за отчётные периоды заместителю директора.'),
('methodist', 3, 'Еженедельно анализировать ведение журнала и размещать результаты на доске информации для педагогов.'),
('methodist', 4, 'Вести списки сотрудников и обучающихся и поддерживать их в актуальном состоянии на основании приказов.'),
('methodist', 5, 'Переводить журнал на новую итерацию за неделю до её начала.'),
('methodist', 6, 'В конце каждой итерации выполнять архивацию журнала.'),
('methodist', 7, 'Ежемесячно контролировать активность пользователей журнала.'),
('methodist', 8, 'Отвечать за сохранность своих реквизитов доступа.'),
('deputy', 1, 'Периодически контролировать ведение электронного журнала.'),
('deputy', 2, 'По окончании итераций составлять отчёты о работе педагогов с электронным журналом.'),
('deputy', 3, 'По окончании итерации получать от методиста твёрдые копии журнала по квантумам.'),
('deputy', 4, 'Отвечать за сохранность своих реквизитов доступа.'),
('director', 1, 'Утверждать расписание учебных занятий и нагрузку педагогов за неделю до начала новой итерации.'),
('director', 2, 'Подписывать прошитую твёрдую копию журнала и заверять её печатью.'),
('director', 3, 'Отвечать за сохранность своих реквизитов доступа.'),
('admin', 1, 'Устанавливать программное обеспечение, необходимое для работы журнала.'),
('admin', 2, 'Выдавать реквизиты доступа педагогам и администрации.'),
('admin', 3, 'Выполнять резервное копирование данных и их восстановление в актуальном состоянии.'),
('admin', 4, 'Не просматривать персональные данные обучающихся без служебной необходимости.'),
('admin', 5, 'Отвечать за сохранность своих реквизитов доступа.');

SELECT ej.enable_rls('ej.regulation_duty');
CREATE POLICY owner_all ON ej.regulation_duty TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY everyone_reads ON ej.regulation_duty FOR SELECT
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin USING (true);
GRANT SELECT ON ej.regulation_duty TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
SELECT audit.enable('ej.regulation_duty');

-- A person's confirmation that they read the duties of a role (who and when from the session).
CREATE TABLE ej.acknowledgment (
    id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL DEFAULT ej.current_org_id() REFERENCES ej.organization,
    staff_id        bigint NOT NULL DEFAULT ej.current_staff_id(),
    role            text NOT NULL,
    acknowledged_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT acknowledgment_role_value CHECK (role IN ('teacher', 'methodist', 'deputy', 'director', 'admin')),
    CONSTRAINT acknowledgment_once UNIQUE (staff_id, role),
    CONSTRAINT acknowledgment_staff_id_fkey FOREIGN KEY (organization_id, staff_id)
        REFERENCES ej.staff (organization_id, id)
);
COMMENT ON TABLE ej.acknowledgment IS 'Сотрудник ознакомился с обязанностями своей роли по регламенту.';
COMMENT ON CONSTRAINT acknowledgment_role_value ON ej.acknowledgment IS 'Роль: teacher, methodist, deputy, director или admin.';
COMMENT ON CONSTRAINT acknowledgment_once ON ej.acknowledgment IS 'Ознакомление с обязанностями этой роли уже отмечено.';

CREATE FUNCTION ej.tg_acknowledgment() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.staff_id := coalesce(ej.current_staff_id(), NEW.staff_id);
    NEW.organization_id := (SELECT organization_id FROM ej.staff WHERE id = NEW.staff_id);
    NEW.acknowledged_at := now();
    IF ej.current_staff_id() IS NOT NULL AND NOT pg_has_role(session_user, 'ej_' || NEW.role, 'MEMBER') THEN
        RAISE EXCEPTION 'У вас нет этой роли' USING ERRCODE = 'EJ002';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_acknowledgment BEFORE INSERT OR UPDATE ON ej.acknowledgment
    FOR EACH ROW EXECUTE FUNCTION ej.tg_acknowledgment();

SELECT ej.enable_rls('ej.acknowledgment');
CREATE POLICY owner_all ON ej.acknowledgment TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY own_rows ON ej.acknowledgment TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin
    USING (staff_id = (SELECT ej.current_staff_id())) WITH CHECK (staff_id = (SELECT ej.current_staff_id()));
CREATE POLICY org_read ON ej.acknowledgment FOR SELECT TO ej_methodist, ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
GRANT SELECT, INSERT ON ej.acknowledgment TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
SELECT audit.enable('ej.acknowledgment');

GRANT EXECUTE ON FUNCTION ej.briefing_missing(date), ej.clearance_missing(date)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director;
