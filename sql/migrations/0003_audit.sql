-- One generic audit trigger writes every change of every ej table to audit.log.
-- Nobody updates or deletes the log: no grants, plus a trigger that refuses even the owner.
SET LOCAL ROLE ej_owner;

CREATE TABLE audit.log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor           text NOT NULL DEFAULT session_user,
    organization_id bigint,
    group_id        bigint,
    table_name      text NOT NULL,
    op              text NOT NULL,
    row_key         jsonb NOT NULL,
    old_row         jsonb,
    new_row         jsonb,
    txid            bigint NOT NULL DEFAULT txid_current(),
    reason          text,
    CONSTRAINT log_op_value CHECK (op IN ('INSERT', 'UPDATE', 'DELETE'))
);
CREATE INDEX log_at_brin ON audit.log USING brin (at);
CREATE INDEX log_row_idx ON audit.log (table_name, row_key);

-- The reason a user gave for a change (required for late corrections) travels in the
-- transaction-local setting ej.reason, set by ej.set_reason().
CREATE FUNCTION ej.set_reason(p_reason text) RETURNS void
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$ SELECT set_config('ej.reason', coalesce(p_reason, ''), true) $$;

CREATE FUNCTION audit.log_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r   jsonb := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
    k   jsonb := '{}';
    col text;
BEGIN
    FOREACH col IN ARRAY TG_ARGV LOOP
        k := k || jsonb_build_object(col, r -> col);
    END LOOP;
    INSERT INTO audit.log (organization_id, group_id, table_name, op, row_key, old_row, new_row, reason)
    VALUES (
        CASE WHEN TG_TABLE_NAME = 'organization' THEN r ->> 'id' ELSE r ->> 'organization_id' END::bigint,
        CASE WHEN TG_TABLE_NAME = 'study_group' THEN r ->> 'id' ELSE r ->> 'group_id' END::bigint,
        TG_TABLE_NAME, TG_OP, k,
        CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
        CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END,
        nullif(current_setting('ej.reason', true), ''));
    RETURN NULL;
END $$;

-- Attach the audit trigger to a table, keyed by its primary key; a table without one is refused.
CREATE FUNCTION audit.enable(p_table regclass) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cols text;
BEGIN
    SELECT string_agg(quote_literal(a.attname), ', ' ORDER BY array_position(i.indkey, a.attnum))
      INTO cols
      FROM pg_index i
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = p_table AND i.indisprimary;
    IF cols IS NULL THEN
        RAISE EXCEPTION 'audit: table % has no primary key', p_table;
    END IF;
    EXECUTE format('CREATE TRIGGER zz_audit AFTER INSERT OR UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION audit.log_change(%s)', p_table, cols);
END $$;

CREATE FUNCTION audit.refuse_change() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'Журнал изменений нельзя исправлять или удалять'
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER log_is_append_only BEFORE UPDATE OR DELETE ON audit.log
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER log_no_truncate BEFORE TRUNCATE ON audit.log
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'ej' AND c.relkind = 'r' ORDER BY c.relname LOOP
        PERFORM audit.enable(t);
    END LOOP;
END $$;
