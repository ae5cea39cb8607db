-- Who may read and write what (DESIGN.md, roles). Grants say which operations a role has;
-- policies say which rows. Every helper is called as (select ...) so it runs once per
-- statement, and every policy filters on an indexed column.
SET LOCAL ROLE ej_owner;

DO $$
DECLARE
    t text;
    org constant text := 'organization_id = (SELECT ej.current_org_id())';
    own constant text := 'group_id IN (SELECT id FROM ej.study_group WHERE teacher_id = (SELECT ej.current_staff_id()))';
    own_students constant text := 'IN (SELECT student_id FROM ej.enrollment WHERE ' || own || ')';
    all_tables constant text[] := ARRAY[
        'organization', 'staff', 'quantum', 'student', 'guardian', 'program', 'program_topic',
        'iteration', 'study_group', 'enrollment', 'schedule_slot', 'lesson', 'attendance',
        'safety_briefing', 'safety_briefing_student', 'event', 'achievement', 'remark', 'board_post'];
    -- tables the teacher keeps for own groups
    journal constant text[] := ARRAY['lesson', 'attendance', 'safety_briefing', 'safety_briefing_student',
                                     'event', 'achievement'];
    -- tables the methodist keeps for the organization
    lists constant text[] := ARRAY['quantum', 'student', 'guardian', 'program', 'program_topic', 'iteration',
                                   'study_group', 'enrollment', 'schedule_slot', 'remark', 'board_post'];
BEGIN
    FOREACH t IN ARRAY all_tables LOOP
        EXECUTE format('ALTER TABLE ej.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE ej.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('REVOKE ALL ON ej.%I FROM PUBLIC', t);
        -- SECURITY DEFINER functions run as the owner; they do their own role checks.
        EXECUTE format('CREATE POLICY owner_all ON ej.%I TO ej_owner USING (true) WITH CHECK (true)', t);
        EXECUTE format('GRANT SELECT ON ej.%I TO ej_methodist, ej_deputy, ej_director', t);
        IF t NOT IN ('organization', 'staff', 'quantum', 'iteration') THEN
            EXECUTE format('CREATE POLICY org_read ON ej.%I FOR SELECT TO ej_deputy, ej_director USING (%s)', t, org);
        END IF;
    END LOOP;

    -- What everyone of the organization reads, the administrator included.
    CREATE POLICY org_read ON ej.organization FOR SELECT
        TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin USING (id = (SELECT ej.current_org_id()));
    FOREACH t IN ARRAY ARRAY['staff', 'quantum', 'iteration'] LOOP
        EXECUTE format('CREATE POLICY org_read ON ej.%I FOR SELECT '
                       'TO ej_teacher, ej_deputy, ej_director, ej_admin USING (%s)', t, org);
    END LOOP;
    GRANT SELECT ON ej.organization, ej.staff, ej.quantum, ej.iteration TO ej_teacher, ej_admin;
    CREATE POLICY methodist_read ON ej.organization FOR SELECT TO ej_methodist USING (id = (SELECT ej.current_org_id()));
    CREATE POLICY methodist_read ON ej.staff FOR SELECT TO ej_methodist USING (organization_id = (SELECT ej.current_org_id()));
    CREATE POLICY methodist_edit ON ej.staff FOR UPDATE TO ej_methodist
        USING (organization_id = (SELECT ej.current_org_id())) WITH CHECK (organization_id = (SELECT ej.current_org_id()));
    GRANT UPDATE (full_name, position, phone, email) ON ej.staff TO ej_methodist;

    -- The methodist keeps the lists of the organization.
    FOREACH t IN ARRAY lists LOOP
        EXECUTE format('CREATE POLICY methodist_all ON ej.%I TO ej_methodist USING (%s) WITH CHECK (%s)', t, org, org);
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON ej.%I TO ej_methodist', t);
    END LOOP;

    -- The methodist reads the journal of the organization.
    FOREACH t IN ARRAY journal LOOP
        EXECUTE format('CREATE POLICY methodist_read ON ej.%I FOR SELECT TO ej_methodist USING (%s)', t, org);
    END LOOP;

    -- The teacher: own groups, their lists read-only, their journal read-write.
    CREATE POLICY teacher_own ON ej.study_group FOR SELECT TO ej_teacher
        USING (teacher_id = (SELECT ej.current_staff_id()));
    FOREACH t IN ARRAY ARRAY['enrollment', 'schedule_slot'] LOOP
        EXECUTE format('CREATE POLICY teacher_own ON ej.%I FOR SELECT TO ej_teacher USING (%s)', t, own);
    END LOOP;
    EXECUTE format('CREATE POLICY teacher_own ON ej.student FOR SELECT TO ej_teacher USING (id %s)', own_students);
    EXECUTE format('CREATE POLICY teacher_own ON ej.guardian FOR SELECT TO ej_teacher USING (student_id %s)', own_students);
    FOREACH t IN ARRAY ARRAY['program', 'program_topic', 'board_post'] LOOP
        EXECUTE format('CREATE POLICY teacher_read ON ej.%I FOR SELECT TO ej_teacher USING (%s)', t, org);
    END LOOP;
    FOREACH t IN ARRAY journal LOOP
        EXECUTE format('CREATE POLICY teacher_own ON ej.%I TO ej_teacher USING (%s) WITH CHECK (%s)', t, own, own);
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON ej.%I TO ej_teacher', t);
    END LOOP;
    GRANT SELECT ON ej.student, ej.guardian, ej.program, ej.program_topic, ej.study_group, ej.enrollment,
                    ej.schedule_slot, ej.lesson, ej.attendance, ej.safety_briefing, ej.safety_briefing_student,
                    ej.event, ej.achievement, ej.remark, ej.board_post TO ej_teacher;

    -- Remarks: the teacher marks own remarks fixed; the deputy writes them like the methodist.
    EXECUTE format('CREATE POLICY teacher_own ON ej.remark FOR SELECT TO ej_teacher USING (%s)', own);
    EXECUTE format('CREATE POLICY teacher_fix ON ej.remark FOR UPDATE TO ej_teacher USING (%s) WITH CHECK (%s)', own, own);
    GRANT UPDATE (fixed_at, fixed_note) ON ej.remark TO ej_teacher;
    EXECUTE format('CREATE POLICY deputy_all ON ej.remark TO ej_deputy USING (%s) WITH CHECK (%s)', org, org);
    GRANT INSERT, UPDATE, DELETE ON ej.remark TO ej_deputy;

    -- The audit log: what a person may see of the rows it describes.
    ALTER TABLE audit.log ENABLE ROW LEVEL SECURITY;
    ALTER TABLE audit.log FORCE ROW LEVEL SECURITY;
    REVOKE ALL ON audit.log FROM PUBLIC;
    GRANT SELECT ON audit.log TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
    CREATE POLICY owner_write ON audit.log FOR INSERT TO ej_owner WITH CHECK (true);
    CREATE POLICY owner_read ON audit.log FOR SELECT TO ej_owner USING (true);
    EXECUTE format('CREATE POLICY teacher_own ON audit.log FOR SELECT TO ej_teacher USING (%s)', own);
    EXECUTE format('CREATE POLICY org_read ON audit.log FOR SELECT TO ej_methodist, ej_deputy, ej_director USING (%s)', org);
    EXECUTE format('CREATE POLICY admin_read ON audit.log FOR SELECT TO ej_admin USING (%s AND table_name IN '
                   '(''organization'', ''staff'', ''quantum'', ''iteration''))', org);
END $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ej, audit FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.current_staff_id(), ej.current_org_id(), ej.set_reason(text), ej.edit_window_days()
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
