-- Issue 10, findings 12 and 6.
-- * Time in the organization's zone: every organization has an IANA time zone; "today", the
--   3-day edit window and "overdue" are computed in it by ej.today() (0002), never from the
--   session's TimeZone or current_date: every rule, default and report uses it.
-- * Reasons that mean something: a late-correction reason belongs to the transaction that set
--   it (ej.set_reason stores the transaction id beside it; a session-wide SET ej.reason counts
--   for nothing), it is required for every dated journal record (briefings, their students,
--   events, achievements as well as lessons and marks), and it must be a phrase
--   (ej.reason_problem, the one place of that rule).
-- * Times that record what happened (a remark fixed or closed, a schedule approved, an
--   iteration archived, a printout made) come from the server clock, whatever the client sends.
SET LOCAL ROLE ej_owner;

-- Briefings (and who attended them), events and achievements: adding, changing or removing one
-- dated more than the edit window ago is a late correction too. Not SECURITY DEFINER: a briefing
-- the caller cannot see has no date here (and RLS refuses the row), so nothing is told about it.
CREATE FUNCTION ej.tg_record_late() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_subject constant text := CASE TG_TABLE_NAME WHEN 'event' THEN 'Мероприятие прошло'
                                                  WHEN 'achievement' THEN 'Достижение получено'
                                                  ELSE 'Инструктаж проведён' END;
BEGIN
    IF TG_TABLE_NAME = 'safety_briefing_student' THEN  -- compiled per table: briefing_id exists here
        IF TG_OP <> 'INSERT' THEN
            PERFORM ej.require_reason((SELECT held_on FROM ej.safety_briefing WHERE id = OLD.briefing_id), v_subject);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM ej.require_reason((SELECT held_on FROM ej.safety_briefing WHERE id = NEW.briefing_id), v_subject);
        END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN
            PERFORM ej.require_reason(OLD.held_on, v_subject);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM ej.require_reason(NEW.held_on, v_subject);
        END IF;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER b_late BEFORE INSERT OR DELETE OR UPDATE ON ej.safety_briefing
    FOR EACH ROW EXECUTE FUNCTION ej.tg_record_late();
CREATE TRIGGER b_late BEFORE INSERT OR DELETE OR UPDATE ON ej.safety_briefing_student
    FOR EACH ROW EXECUTE FUNCTION ej.tg_record_late();
CREATE TRIGGER b_late BEFORE INSERT OR DELETE OR UPDATE ON ej.event
    FOR EACH ROW EXECUTE FUNCTION ej.tg_record_late();
CREATE TRIGGER b_late BEFORE INSERT OR DELETE OR UPDATE ON ej.achievement
    FOR EACH ROW EXECUTE FUNCTION ej.tg_record_late();

---------------------------------------------------------------------------------------------
-- Times that record what happened: the server's clock, not the client's word. (Who did it is
-- set by the triggers of 0009; these run after them.) Each trigger names its columns (TG_ARGV):
-- on insert, or when the client changes one, a time given becomes the server's now(); a cleared
-- one stays empty.
CREATE FUNCTION ej.tg_server_times() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_new jsonb := to_jsonb(NEW);
    v_old jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
    v_set jsonb := '{}';
    c     text;
BEGIN
    FOREACH c IN ARRAY TG_ARGV LOOP
        IF v_new ->> c IS NOT NULL AND (v_old IS NULL OR v_new -> c IS DISTINCT FROM v_old -> c) THEN
            v_set := v_set || jsonb_build_object(c, now());
        END IF;
    END LOOP;
    RETURN CASE WHEN v_set = '{}' THEN NEW ELSE jsonb_populate_record(NEW, v_set) END;
END $$;
CREATE TRIGGER c_server_times BEFORE INSERT OR UPDATE ON ej.remark
    FOR EACH ROW EXECUTE FUNCTION ej.tg_server_times('fixed_at', 'closed_at');
CREATE TRIGGER c_server_times BEFORE INSERT OR UPDATE ON ej.iteration
    FOR EACH ROW EXECUTE FUNCTION ej.tg_server_times('schedule_approved_at', 'archived_at');
CREATE TRIGGER c_server_times BEFORE INSERT OR UPDATE ON ej.print_fingerprint
    FOR EACH ROW EXECUTE FUNCTION ej.tg_server_times('printed_at');

REVOKE ALL ON FUNCTION ej.is_time_zone(text), ej.org_time_zone(bigint), ej.frozen_today(), ej.today(bigint), ej.today(),
    ej.local_date(timestamptz, bigint), ej.reason_problem(text), ej.current_reason(),
    ej.require_reason(date, text), ej.tg_record_late(), ej.tg_server_times() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.is_time_zone(text), ej.org_time_zone(bigint), ej.frozen_today(), ej.today(bigint), ej.today(),
    ej.local_date(timestamptz, bigint), ej.reason_problem(text), ej.current_reason(), ej.require_reason(date, text)
    TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
