-- Errors of our business rules: every RAISE EXCEPTION in sql/ says USING ERRCODE = 'EJ…', a
-- SQLSTATE class of our own (class "EJ" is not used by PostgreSQL), its message a Russian
-- sentence for people. The data layer (ejournal_tui/db/errors.py, RULE_KINDS) picks the kind of
-- refusal by the code and shows the message as it is; any other error gets general words.
--   EJ001  invalid      — a value given does not pass the rule (a format, a missing field)   → Invalid
--   EJ002  forbidden    — this session may not do it (role, organization, own account)      → Forbidden
--   EJ003  rule         — a rule of the journal refuses the change (dates, archive, window)  → RuleViolation
--   EJ004  conflict     — such a record already exists, or it was changed meanwhile         → Conflict
--   EJ005  not found    — the row is not there, or not visible to this session               → NotFound
--   EJ000  internal     — an invariant of the schema itself, not worded for people           → Unexpected
-- (tests/test_error_codes.py checks that every RAISE has one of these.)

-- Group roles (NOLOGIN), the owner of every object, and the schemas.
-- Roles are cluster-wide, so creation is idempotent: several databases may share them.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['ej_owner', 'ej_teacher', 'ej_methodist', 'ej_deputy', 'ej_director', 'ej_admin'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END $$;

-- The owner issues accounts through ej.add_user(); it needs CREATEROLE and, on
-- PostgreSQL 16+, the ADMIN option on the group roles it hands out.
ALTER ROLE ej_owner CREATEROLE;
GRANT ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin TO ej_owner WITH ADMIN OPTION;

DO $$
BEGIN
    EXECUTE format('GRANT CREATE, CONNECT ON DATABASE %I TO ej_owner', current_database());
END $$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA ej AUTHORIZATION ej_owner;
CREATE SCHEMA audit AUTHORIZATION ej_owner;
GRANT USAGE ON SCHEMA ej, audit TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;

-- From now on no function of the owner is callable by PUBLIC unless granted.
ALTER DEFAULT PRIVILEGES FOR ROLE ej_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- the live journals' bookkeeping: not data of the journal, so in a schema of its own that no
-- application role may use (only the trigger, as its owner)
CREATE SCHEMA live AUTHORIZATION ej_owner;
