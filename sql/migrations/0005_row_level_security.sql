-- Who may read and write what (DESIGN.md, roles). Grants say which operations a role has;
-- policies say which rows. Every helper is called as (select ...) so it runs once per
-- statement, and every policy filters on an indexed column.
SET LOCAL ROLE ej_owner;

-- The teacher's own groups (PL/pgSQL: one query, its plan kept), as an array computed once per
-- statement (an InitPlan): `col = ANY ((SELECT ej.my_group_ids())::bigint[])` is an index
-- condition on the indexed column, where `col IN (SELECT id FROM ej.study_group WHERE teacher_id
-- = …)` became a "hashed SubPlan" filter that scanned all 99,000 students of the region data
-- (16 ms instead of 0.2 ms). SECURITY DEFINER so that RLS on ej.study_group does not recurse.

CREATE FUNCTION ej.my_group_ids() RETURNS bigint[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN ARRAY(SELECT id FROM ej.study_group
                  WHERE teacher_id = (SELECT id FROM ej.staff
                                       WHERE login = session_user::text COLLATE "default" AND NOT is_locked));
END $$;

GRANT EXECUTE ON FUNCTION ej.my_group_ids() TO ej_teacher;

-- Per table: row-level security forced (the owner too), nothing for PUBLIC, then who may see and
-- change which rows. SECURITY DEFINER functions run as the owner (owner_all) and do their own
-- role checks. Policies filter on an indexed column; helpers are called as (SELECT ...).

-- The start of every table's block: row-level security on and forced (the owner too), nothing for
-- PUBLIC. The policies and grants that follow are written out, one statement a line.
CREATE FUNCTION ej.enable_rls(p_table regclass) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', p_table);
    EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', p_table);
END $$;
COMMENT ON FUNCTION ej.enable_rls(regclass) IS
    'Для миграций: включает принудительную защиту строк таблицы и отзывает права PUBLIC.';

-- ej.organization
SELECT ej.enable_rls('ej.organization');
CREATE POLICY owner_all ON ej.organization TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.organization FOR SELECT TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin
    USING (id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_read ON ej.organization FOR SELECT TO ej_methodist USING (id = (SELECT ej.current_org_id()));
GRANT SELECT ON ej.organization TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;

-- ej.staff
SELECT ej.enable_rls('ej.staff');
CREATE POLICY owner_all ON ej.staff TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.staff FOR SELECT TO ej_teacher, ej_deputy, ej_director, ej_admin
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_read ON ej.staff FOR SELECT TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_edit ON ej.staff FOR UPDATE TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
GRANT SELECT ON ej.staff TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
GRANT UPDATE (full_name, position, phone, email) ON ej.staff TO ej_methodist;

-- ej.quantum
SELECT ej.enable_rls('ej.quantum');
CREATE POLICY owner_all ON ej.quantum TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.quantum FOR SELECT TO ej_teacher, ej_deputy, ej_director, ej_admin
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_all ON ej.quantum TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
GRANT SELECT ON ej.quantum TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
GRANT INSERT, UPDATE, DELETE ON ej.quantum TO ej_methodist;

-- ej.student
SELECT ej.enable_rls('ej.student');
CREATE POLICY owner_all ON ej.student TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.student FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_all ON ej.student TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
-- A teacher sees the students who have an enrollment the teacher may see (ej.enrollment's own
-- policy: the teacher's groups). The correlated EXISTS is one index probe per student row read:
-- ~25 when a journal opens, where an array of all the teacher's ~200 students made the planner
-- probe the student index ~200 times (issue 11). Teachers read students only through their
-- groups' enrollments or by id, never by scanning ej.student.
CREATE POLICY teacher_own ON ej.student FOR SELECT TO ej_teacher
    USING (EXISTS (SELECT 1 FROM ej.enrollment e WHERE e.student_id = student.id));
GRANT SELECT ON ej.student TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.student TO ej_methodist;

-- ej.guardian
SELECT ej.enable_rls('ej.guardian');
CREATE POLICY owner_all ON ej.guardian TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.guardian FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_all ON ej.guardian TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_own ON ej.guardian FOR SELECT TO ej_teacher
    USING (EXISTS (SELECT 1 FROM ej.enrollment e WHERE e.student_id = guardian.student_id));
GRANT SELECT ON ej.guardian TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.guardian TO ej_methodist;

-- ej.program
SELECT ej.enable_rls('ej.program');
CREATE POLICY owner_all ON ej.program TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.program FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_all ON ej.program TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_read ON ej.program FOR SELECT TO ej_teacher
    USING (organization_id = (SELECT ej.current_org_id()));
GRANT SELECT ON ej.program TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.program TO ej_methodist;

-- ej.program_topic
SELECT ej.enable_rls('ej.program_topic');
CREATE POLICY owner_all ON ej.program_topic TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.program_topic FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_all ON ej.program_topic TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_read ON ej.program_topic FOR SELECT TO ej_teacher
    USING (organization_id = (SELECT ej.current_org_id()));
GRANT SELECT ON ej.program_topic TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.program_topic TO ej_methodist;

-- ej.iteration
SELECT ej.enable_rls('ej.iteration');
CREATE POLICY owner_all ON ej.iteration TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.iteration FOR SELECT TO ej_teacher, ej_deputy, ej_director, ej_admin
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_all ON ej.iteration TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
GRANT SELECT ON ej.iteration TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
GRANT INSERT, UPDATE, DELETE ON ej.iteration TO ej_methodist;

-- ej.study_group
SELECT ej.enable_rls('ej.study_group');
CREATE POLICY owner_all ON ej.study_group TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.study_group FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_all ON ej.study_group TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_own ON ej.study_group FOR SELECT TO ej_teacher
    USING (teacher_id = (SELECT ej.current_staff_id()));
GRANT SELECT ON ej.study_group TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.study_group TO ej_methodist;

-- ej.enrollment
SELECT ej.enable_rls('ej.enrollment');
CREATE POLICY owner_all ON ej.enrollment TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.enrollment FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_all ON ej.enrollment TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_own ON ej.enrollment FOR SELECT TO ej_teacher
    USING (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]));
GRANT SELECT ON ej.enrollment TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.enrollment TO ej_methodist;

-- ej.schedule_slot
SELECT ej.enable_rls('ej.schedule_slot');
CREATE POLICY owner_all ON ej.schedule_slot TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.schedule_slot FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_all ON ej.schedule_slot TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_own ON ej.schedule_slot FOR SELECT TO ej_teacher
    USING (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]));
GRANT SELECT ON ej.schedule_slot TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.schedule_slot TO ej_methodist;

-- ej.lesson
SELECT ej.enable_rls('ej.lesson');
CREATE POLICY owner_all ON ej.lesson TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.lesson FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_read ON ej.lesson FOR SELECT TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_own ON ej.lesson TO ej_teacher
    USING (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]))
    WITH CHECK (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]));
GRANT SELECT ON ej.lesson TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.lesson TO ej_teacher;

-- ej.attendance
SELECT ej.enable_rls('ej.attendance');
CREATE POLICY owner_all ON ej.attendance TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.attendance FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_read ON ej.attendance FOR SELECT TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_own ON ej.attendance TO ej_teacher
    USING (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]))
    WITH CHECK (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]));
GRANT SELECT ON ej.attendance TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.attendance TO ej_teacher;

-- ej.safety_briefing
SELECT ej.enable_rls('ej.safety_briefing');
CREATE POLICY owner_all ON ej.safety_briefing TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.safety_briefing FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_read ON ej.safety_briefing FOR SELECT TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_own ON ej.safety_briefing TO ej_teacher
    USING (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]))
    WITH CHECK (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]));
GRANT SELECT ON ej.safety_briefing TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.safety_briefing TO ej_teacher;

-- ej.safety_briefing_student
SELECT ej.enable_rls('ej.safety_briefing_student');
CREATE POLICY owner_all ON ej.safety_briefing_student TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.safety_briefing_student FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_read ON ej.safety_briefing_student FOR SELECT TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_own ON ej.safety_briefing_student TO ej_teacher
    USING (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]))
    WITH CHECK (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]));
GRANT SELECT ON ej.safety_briefing_student TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.safety_briefing_student TO ej_teacher;

-- ej.event
SELECT ej.enable_rls('ej.event');
CREATE POLICY owner_all ON ej.event TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.event FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_read ON ej.event FOR SELECT TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_own ON ej.event TO ej_teacher
    USING (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]))
    WITH CHECK (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]));
GRANT SELECT ON ej.event TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.event TO ej_teacher;

-- ej.achievement
SELECT ej.enable_rls('ej.achievement');
CREATE POLICY owner_all ON ej.achievement TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.achievement FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_read ON ej.achievement FOR SELECT TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_own ON ej.achievement TO ej_teacher
    USING (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]))
    WITH CHECK (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]));
GRANT SELECT ON ej.achievement TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.achievement TO ej_teacher;

-- ej.remark
SELECT ej.enable_rls('ej.remark');
CREATE POLICY owner_all ON ej.remark TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.remark FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_all ON ej.remark TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_own ON ej.remark FOR SELECT TO ej_teacher
    USING (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]));
CREATE POLICY teacher_fix ON ej.remark FOR UPDATE TO ej_teacher
    USING (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]))
    WITH CHECK (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]));
CREATE POLICY deputy_all ON ej.remark TO ej_deputy
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
GRANT SELECT ON ej.remark TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.remark TO ej_methodist;
GRANT UPDATE (fixed_at, fixed_note) ON ej.remark TO ej_teacher;
GRANT INSERT, UPDATE, DELETE ON ej.remark TO ej_deputy;

-- ej.board_post
SELECT ej.enable_rls('ej.board_post');
CREATE POLICY owner_all ON ej.board_post TO ej_owner USING (true) WITH CHECK (true);
CREATE POLICY org_read ON ej.board_post FOR SELECT TO ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY methodist_all ON ej.board_post TO ej_methodist
    USING (organization_id = (SELECT ej.current_org_id()))
    WITH CHECK (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY teacher_read ON ej.board_post FOR SELECT TO ej_teacher
    USING (organization_id = (SELECT ej.current_org_id()));
GRANT SELECT ON ej.board_post TO ej_teacher, ej_methodist, ej_deputy, ej_director;
GRANT INSERT, UPDATE, DELETE ON ej.board_post TO ej_methodist;

-- audit.log: what a person may see of the rows it describes.
SELECT ej.enable_rls('audit.log');
CREATE POLICY owner_write ON audit.log FOR INSERT TO ej_owner WITH CHECK (true);
CREATE POLICY owner_read ON audit.log FOR SELECT TO ej_owner USING (true);
CREATE POLICY teacher_own ON audit.log FOR SELECT TO ej_teacher
    USING (group_id = ANY ((SELECT ej.my_group_ids())::bigint[]));
CREATE POLICY org_read ON audit.log FOR SELECT TO ej_methodist, ej_deputy, ej_director
    USING (organization_id = (SELECT ej.current_org_id()));
CREATE POLICY admin_read ON audit.log FOR SELECT TO ej_admin
    USING (organization_id = (SELECT ej.current_org_id()) AND table_name IN ('organization', 'staff', 'quantum', 'iteration'));
GRANT SELECT ON audit.log TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ej, audit FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.current_staff_id(), ej.current_org_id(), ej.set_reason(text), ej.edit_window_days(),
    ej.participants_limit(), ej.phone_pattern(), ej.email_pattern()
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
