-- Safety briefings kept by the teacher from the TUI (issue 7): who gave a briefing comes from the
-- session, never from what the client sends — the hard copy prints it in the «Провёл» column.
SET LOCAL ROLE ej_owner;

-- Inserted by a staff member: that person gave it. The owner (demo data, restores) keeps what it
-- sends. An update never changes who gave it.
CREATE FUNCTION ej.tg_briefing_given_by() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.given_by := coalesce(ej.current_staff_id(), NEW.given_by);
    ELSE
        NEW.given_by := OLD.given_by;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_given_by BEFORE INSERT OR UPDATE ON ej.safety_briefing
    FOR EACH ROW EXECUTE FUNCTION ej.tg_briefing_given_by();

ALTER TABLE ej.safety_briefing ALTER COLUMN given_by SET DEFAULT ej.current_staff_id();

