-- Safety briefings kept by the teacher from the TUI (issue 7): who gave a briefing comes from the
-- session, never from what the client sends — the hard copy prints it in the «Провёл» column.
SET LOCAL ROLE ej_owner;

-- Inserted by a staff member: that person gave it (ej.tg_authorship, 0009); an update never changes it.
CREATE TRIGGER b_given_by BEFORE INSERT OR UPDATE ON ej.safety_briefing
    FOR EACH ROW EXECUTE FUNCTION ej.tg_authorship('given_by');

ALTER TABLE ej.safety_briefing ALTER COLUMN given_by SET DEFAULT ej.current_staff_id();

