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
COMMENT ON TABLE audit.log IS 'Журнал изменений: каждая вставка, правка и удаление строк схемы ej; только дописывается.';
COMMENT ON COLUMN audit.log.row_key IS 'Первичный ключ изменённой строки (jsonb).';
COMMENT ON COLUMN audit.log.txid IS 'Транзакция изменения.';
COMMENT ON COLUMN audit.log.reason IS 'Причина позднего исправления (ej.set_reason) этой транзакции.';
CREATE INDEX log_at_brin ON audit.log USING brin (at);
CREATE INDEX log_row_idx ON audit.log (table_name, row_key);

---------------------------------------------------------------------------------------------
-- Reasons.

-- What is wrong with a reason given for a late correction, in words for the person; NULL when
-- it will do. A reason is a phrase: at least two words, ten letters, five different letters —
-- so "...", "ааааааааааа", "abc" and "ок" are refused.
CREATE FUNCTION ej.reason_problem(p_reason text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
    WITH r AS (SELECT coalesce(btrim(p_reason), '') AS t,
                      regexp_replace(coalesce(p_reason, ''), '[^A-Za-zА-ЯЁа-яё]', '', 'g') AS letters)
    SELECT CASE
               WHEN r.t = '' THEN 'Укажите причину исправления.'
               WHEN length(r.letters) < 10
                 OR (SELECT count(*) FROM regexp_split_to_table(r.t, '[^A-Za-zА-ЯЁа-яё]+') w
                      WHERE length(w) >= 2) < 2
                 OR (SELECT count(DISTINCT c) FROM regexp_split_to_table(r.letters, '') c) < 5
               THEN 'Причина исправления — это фраза не короче двух слов и 10 букв, '
                    'например «ошибка при вводе, исправлено по списку группы».'
           END
      FROM r
$$;

-- The reason a user gave for a change (required for late corrections) travels in the
-- transaction-local setting ej.reason, set by ej.set_reason().
-- The reason of this transaction: ej.set_reason() keeps the transaction id beside the text, and
-- a value set for the whole session (SET ej.reason …) or left by another transaction is none.
CREATE FUNCTION ej.set_reason(p_reason text) RETURNS void
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT set_config('ej.reason_xact', txid_current()::text, true),
           set_config('ej.reason', coalesce(p_reason, ''), true)
$$;

-- PL/pgSQL, like the other helpers of the write path: its plan is kept for the session (a SQL
-- function called from a trigger is planned on every call).
CREATE FUNCTION ej.current_reason() RETURNS text
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF coalesce(current_setting('ej.reason', true), '') = '' THEN  -- the usual case, cheap
        RETURN NULL;
    END IF;
    IF current_setting('ej.reason_xact', true) IS DISTINCT FROM txid_current()::text THEN
        RETURN NULL;
    END IF;
    RETURN nullif(btrim(current_setting('ej.reason', true)), '');
END $$;

-- A record dated more than the edit window before the organization's today needs this
-- transaction's reason, and a real one. p_subject starts the message («Занятие прошло»).
CREATE FUNCTION ej.require_reason(p_held_on date, p_subject text) RETURNS void
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_problem text;
BEGIN
    -- Every zone's date is within a day of UTC's: a recent date needs no lookup (the hot path).
    IF p_held_on IS NULL OR p_held_on >= (now() AT TIME ZONE 'UTC')::date + 1 - ej.edit_window_days()
       OR p_held_on >= ej.today() - ej.edit_window_days() THEN
        RETURN;
    END IF;
    v_problem := ej.reason_problem(ej.current_reason());
    IF v_problem IS NULL THEN
        RETURN;
    END IF;
    IF ej.current_reason() IS NULL THEN
        RAISE EXCEPTION '% более % дней назад: для исправления укажите причину', p_subject, ej.edit_window_days()
            USING ERRCODE = 'EJ003', HINT = 'Причина сохраняется в истории изменений.';
    END IF;
    RAISE EXCEPTION '% более % дней назад. %', p_subject, ej.edit_window_days(), v_problem
        USING ERRCODE = 'EJ003', HINT = 'Причина сохраняется в истории изменений.';
END $$;

-- The audit log keeps this transaction's reason only (was: any ej.reason of the session).
CREATE FUNCTION audit.log_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    o   jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    n   jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    r   jsonb := coalesce(n, o);
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
        TG_TABLE_NAME, TG_OP, k, o, n,
        CASE WHEN coalesce(current_setting('ej.reason', true), '') <> '' THEN ej.current_reason() END);
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
        RAISE EXCEPTION 'audit: table % has no primary key', p_table USING ERRCODE = 'EJ000';
    END IF;
    EXECUTE format('CREATE TRIGGER zz_audit AFTER INSERT OR UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION audit.log_change(%s)', p_table, cols);
END $$;

CREATE FUNCTION audit.refuse_change() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'Журнал изменений нельзя исправлять или удалять'
        USING ERRCODE = 'EJ002';
END $$;

CREATE TRIGGER log_is_append_only BEFORE UPDATE OR DELETE ON audit.log
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER log_no_truncate BEFORE TRUNCATE ON audit.log
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- Every table of the journal is audited (a later table calls audit.enable where it is made).
SELECT audit.enable('ej.achievement');
SELECT audit.enable('ej.achievement_level');
SELECT audit.enable('ej.absence_reason');
SELECT audit.enable('ej.attendance_status');
SELECT audit.enable('ej.briefing_kind');
SELECT audit.enable('ej.guardian_relation');
SELECT audit.enable('ej.iteration_status');
SELECT audit.enable('ej.attendance');
SELECT audit.enable('ej.board_post');
SELECT audit.enable('ej.enrollment');
SELECT audit.enable('ej.event');
SELECT audit.enable('ej.guardian');
SELECT audit.enable('ej.iteration');
SELECT audit.enable('ej.lesson');
SELECT audit.enable('ej.organization');
SELECT audit.enable('ej.program');
SELECT audit.enable('ej.program_topic');
SELECT audit.enable('ej.quantum');
SELECT audit.enable('ej.remark');
SELECT audit.enable('ej.safety_briefing');
SELECT audit.enable('ej.safety_briefing_student');
SELECT audit.enable('ej.schedule_slot');
SELECT audit.enable('ej.staff');
SELECT audit.enable('ej.student');
SELECT audit.enable('ej.study_group');
