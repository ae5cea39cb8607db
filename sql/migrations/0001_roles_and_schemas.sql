-- Group roles (NOLOGIN), the owner of every object, and the two schemas.
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

-- No function of the owner is callable by PUBLIC unless granted.

-- From now on no function of the owner is callable by PUBLIC unless granted.
ALTER DEFAULT PRIVILEGES FOR ROLE ej_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- The journal engine's side of the database:
-- * filling vs correcting: the database decides whether a change of a mark is a correction.
--   The first filling of a lesson is the sitting of the person who entered the lesson: the
--   marks they write and rewrite within ej.first_filling_minutes() of entering it are not
--   corrections, so a late lesson filled for the first time needs no reason per mark. Any
--   other change of a saved mark is a correction (late ones need a reason, as before);
-- * one round trip per mark: ej.save_mark does the version check, the reason and the write
--   and returns the saved row, the conflict, or that a reason is needed;
-- * live journals: lessons, marks and enrollments announce the group they changed on the
--   channel ej_journal (payload: table and ids only, never personal data), at most once per
--   group per ej.live_quiet_ms(). Listeners re-read through RLS, so nobody learns of a row they
--   cannot see.
-- the live journals' bookkeeping: not data of the journal, so in a schema of its own that no
-- application role may use (only the trigger, as its owner)
CREATE SCHEMA live AUTHORIZATION ej_owner;
