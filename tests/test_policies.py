"""Every row-level security policy by name, table by table (pgTAP's policies_are): adding,
removing or changing who a policy is for is a visible diff here, reviewed with the migration."""

# table: {policy: "command roles"}
POLICIES = {
    "audit.account_event": {
        "org_read": "SELECT ej_admin ej_deputy ej_director",
        "owner_read": "SELECT ej_owner",
        "owner_write": "INSERT ej_owner",
    },
    "audit.log": {
        "admin_read": "SELECT ej_admin",
        "org_read": "SELECT ej_deputy ej_director ej_methodist",
        "owner_read": "SELECT ej_owner",
        "owner_write": "INSERT ej_owner",
        "teacher_own": "SELECT ej_teacher",
    },
    "ej.account_request": {"org_read": "SELECT ej_admin ej_deputy ej_director", "owner_all": "ALL ej_owner"},
    "ej.achievement": {
        "methodist_read": "SELECT ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_own": "ALL ej_teacher",
    },
    "ej.acknowledgment": {
        "org_read": "SELECT ej_deputy ej_director ej_methodist",
        "own_rows": "ALL ej_admin ej_deputy ej_director ej_methodist ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.attendance": {
        "methodist_read": "SELECT ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_own": "ALL ej_teacher",
    },
    "ej.board_post": {
        "methodist_all": "ALL ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_read": "SELECT ej_teacher",
    },
    "ej.change_request": {
        "methodist_read": "SELECT ej_methodist",
        "methodist_resolve": "UPDATE ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_add": "INSERT ej_teacher",
        "teacher_read": "SELECT ej_teacher",
    },
    "ej.data_check": {
        "methodist_read": "SELECT ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_add": "INSERT ej_teacher",
        "teacher_read": "SELECT ej_teacher",
    },
    "ej.enrollment": {
        "methodist_all": "ALL ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_own": "SELECT ej_teacher",
    },
    "ej.event": {
        "methodist_read": "SELECT ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_own": "ALL ej_teacher",
    },
    "ej.frozen_topic": {
        "org_read": "SELECT ej_deputy ej_director ej_methodist ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.guardian": {
        "methodist_all": "ALL ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_own": "SELECT ej_teacher",
    },
    "ej.iteration": {
        "methodist_all": "ALL ej_methodist",
        "org_read": "SELECT ej_admin ej_deputy ej_director ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.lesson": {
        "methodist_read": "SELECT ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_own": "ALL ej_teacher",
    },
    "ej.organization": {
        "methodist_read": "SELECT ej_methodist",
        "org_read": "SELECT ej_admin ej_deputy ej_director ej_methodist ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.print_fingerprint": {
        "org_read": "SELECT ej_deputy ej_director ej_methodist",
        "owner_all": "ALL ej_owner",
        "print_add": "INSERT ej_deputy ej_director ej_methodist ej_teacher",
        "teacher_own": "SELECT ej_teacher",
    },
    "ej.program": {
        "methodist_all": "ALL ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_read": "SELECT ej_teacher",
    },
    "ej.program_topic": {
        "methodist_all": "ALL ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_read": "SELECT ej_teacher",
    },
    "ej.quantum": {
        "methodist_all": "ALL ej_methodist",
        "org_read": "SELECT ej_admin ej_deputy ej_director ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.regulation_duty": {
        "everyone_reads": "SELECT ej_admin ej_deputy ej_director ej_methodist ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.iteration_status": {
        "everyone_reads": "SELECT ej_admin ej_deputy ej_director ej_methodist ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.guardian_relation": {
        "everyone_reads": "SELECT ej_admin ej_deputy ej_director ej_methodist ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.attendance_status": {
        "everyone_reads": "SELECT ej_admin ej_deputy ej_director ej_methodist ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.absence_reason": {
        "everyone_reads": "SELECT ej_admin ej_deputy ej_director ej_methodist ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.briefing_kind": {
        "everyone_reads": "SELECT ej_admin ej_deputy ej_director ej_methodist ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.achievement_level": {
        "everyone_reads": "SELECT ej_admin ej_deputy ej_director ej_methodist ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.remark": {
        "deputy_all": "ALL ej_deputy",
        "methodist_all": "ALL ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_fix": "UPDATE ej_teacher",
        "teacher_own": "SELECT ej_teacher",
    },
    "ej.safety_briefing": {
        "methodist_read": "SELECT ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_own": "ALL ej_teacher",
    },
    "ej.safety_briefing_student": {
        "methodist_read": "SELECT ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_own": "ALL ej_teacher",
    },
    "ej.schedule_slot": {
        "methodist_all": "ALL ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_own": "SELECT ej_teacher",
    },
    "ej.staff": {
        "methodist_edit": "UPDATE ej_methodist",
        "methodist_read": "SELECT ej_methodist",
        "org_read": "SELECT ej_admin ej_deputy ej_director ej_teacher",
        "owner_all": "ALL ej_owner",
    },
    "ej.student": {
        "methodist_all": "ALL ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_own": "SELECT ej_teacher",
    },
    "ej.study_group": {
        "methodist_all": "ALL ej_methodist",
        "org_read": "SELECT ej_deputy ej_director",
        "owner_all": "ALL ej_owner",
        "teacher_own": "SELECT ej_teacher",
    },
}


def test_policies_are(sql):
    rows = sql.run(
        "SELECT schemaname || '.' || tablename AS t, policyname AS p, cmd || ' ' || "
        "array_to_string(ARRAY(SELECT r FROM unnest(roles) r ORDER BY 1), ' ') AS what "
        "FROM pg_policies WHERE schemaname IN ('ej', 'audit', 'live', 'ejournal_meta')"
    )
    found: dict[str, dict[str, str]] = {}
    for r in rows:
        found.setdefault(r["t"], {})[r["p"]] = r["what"]
    assert found == POLICIES


def test_every_table_with_row_level_security_has_policies(sql):
    rls = {
        r["t"]
        for r in sql.run(
            "SELECT n.nspname || '.' || c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relrowsecurity AND n.nspname IN ('ej', 'audit', 'live', 'ejournal_meta')"
        )
    }
    assert rls == set(POLICIES)
