-- Text that cannot attack: every text column of schema ej refuses control characters
-- (C0 and C1, so no ESC, BEL or CSI reaches a terminal); multi-line text (a remark, its note,
-- the weekly analysis) may contain line feeds and nothing else. ej.guard_text_columns() adds
-- the check to every text column that lacks it: the last migration calls it, and so does any
-- later one that adds a text column.
SET LOCAL ROLE ej_owner;

-- --- text that cannot attack a terminal ----------------------------------------------------------

-- Columns where several lines are the point: a remark, its answer, the weekly analysis.
CREATE FUNCTION ej.multiline_text_columns() RETURNS text[]
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT ARRAY['remark.body', 'remark.fixed_note', 'board_post.body'] $$;

-- Adds «<table>_<column>_printable» to every text column of schema ej that lacks it. Rows already
-- stored with control characters keep the check unvalidated (NOT VALID: new writes are refused).
CREATE FUNCTION ej.guard_text_columns() RETURNS integer
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c       record;
    v_name  text;
    v_added integer := 0;
BEGIN
    FOR c IN SELECT t.relname, a.attname,
                    (t.relname || '.' || a.attname) = ANY (ej.multiline_text_columns()) AS multiline
               FROM pg_attribute a
               JOIN pg_class t ON t.oid = a.attrelid
               JOIN pg_namespace n ON n.oid = t.relnamespace
              WHERE n.nspname = 'ej' AND t.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
                AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype)
              ORDER BY 1, 2 LOOP
        v_name := left(c.relname || '_' || c.attname, 53) || '_printable';
        CONTINUE WHEN EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = v_name
                                                              AND k.conrelid = format('ej.%I', c.relname)::regclass);
        EXECUTE format('ALTER TABLE ej.%I ADD CONSTRAINT %I CHECK (%I !~ %L) NOT VALID', c.relname, v_name, c.attname,
                       CASE WHEN c.multiline THEN '[\u0001-\u0009\u000b-\u001f\u007f-\u009f]'
                            ELSE '[\u0001-\u001f\u007f-\u009f]' END);
        EXECUTE format('COMMENT ON CONSTRAINT %I ON ej.%I IS %L', v_name, c.relname,
                       CASE WHEN c.multiline THEN 'Недопустимые символы в тексте: можно переносить строки, но не '
                                                  'вставлять управляющие символы (табуляцию, ESC и т. п.).'
                            ELSE 'Недопустимые символы в тексте: управляющие символы (перевод строки, табуляция, '
                                 'ESC и т. п.) не допускаются.' END);
        BEGIN
            EXECUTE format('ALTER TABLE ej.%I VALIDATE CONSTRAINT %I', c.relname, v_name);
        EXCEPTION WHEN check_violation THEN
            RAISE NOTICE 'ej.%: stored rows contain control characters; the check applies to new writes', c.relname;
        END;
        v_added := v_added + 1;
    END LOOP;
    RETURN v_added;
END $$;
REVOKE ALL ON FUNCTION ej.guard_text_columns() FROM PUBLIC;

-- Every text column made by the migrations above.
SELECT ej.guard_text_columns();
