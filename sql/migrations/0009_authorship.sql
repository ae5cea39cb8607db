-- Who wrote a remark or a post, who closed a remark and who approved a schedule come from
-- the session, never from what the client sends; only a director approves a schedule.
SET LOCAL ROLE ej_owner;

CREATE FUNCTION ej.session_is_superuser() RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false) $$;

-- Who wrote a row: on insert the column named by TG_ARGV[0] becomes the caller (the owner — demo
-- data, restores — keeps what it sends) and the one named by TG_ARGV[1], if any, the moment; an
-- update keeps them as they were.
CREATE FUNCTION ej.tg_authorship() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_set jsonb;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        v_set := (SELECT jsonb_object_agg(c, to_jsonb(OLD) -> c) FROM unnest(TG_ARGV) c);
    ELSE
        v_set := jsonb_build_object(TG_ARGV[0], coalesce(to_jsonb(ej.current_staff_id()), to_jsonb(NEW) -> TG_ARGV[0]));
        IF TG_NARGS > 1 THEN
            v_set := v_set || jsonb_build_object(TG_ARGV[1], now());
        END IF;
    END IF;
    RETURN jsonb_populate_record(NEW, v_set);
END $$;
CREATE TRIGGER b_authorship BEFORE INSERT OR UPDATE ON ej.remark
    FOR EACH ROW EXECUTE FUNCTION ej.tg_authorship('author_id', 'created_at');
CREATE TRIGGER b_authorship BEFORE INSERT OR UPDATE ON ej.board_post
    FOR EACH ROW EXECUTE FUNCTION ej.tg_authorship('author_id', 'posted_at');

-- Who closed a remark: the caller, when it is closed (or closed again); nobody once it is reopened.
CREATE FUNCTION ej.tg_remark_closed_by() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.closed_at IS NOT DISTINCT FROM OLD.closed_at THEN
        NEW.closed_by := OLD.closed_by;
    ELSIF NEW.closed_at IS NOT NULL THEN
        NEW.closed_by := coalesce(ej.current_staff_id(), NEW.closed_by);
    ELSIF TG_OP = 'UPDATE' THEN
        NEW.closed_by := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_closed_by BEFORE INSERT OR UPDATE ON ej.remark
    FOR EACH ROW EXECUTE FUNCTION ej.tg_remark_closed_by();

-- The schedule approval fields of an iteration change only through ej.approve_schedule().
-- Not SECURITY DEFINER: it must see the caller as current_user.
CREATE FUNCTION ej.tg_iteration_approval() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (TG_OP = 'INSERT' AND NEW.schedule_approved_by IS NOT NULL)
       OR (TG_OP = 'UPDATE' AND (NEW.schedule_approved_by, NEW.schedule_approved_at)
                                IS DISTINCT FROM (OLD.schedule_approved_by, OLD.schedule_approved_at)) THEN
        -- current_user is the owner only inside ej.approve_schedule() (SECURITY DEFINER)
        IF current_user <> 'ej_owner' AND NOT ej.session_is_superuser() THEN
            RAISE EXCEPTION 'Расписание и нагрузку утверждает директор (команда «Утвердить»)'
                USING ERRCODE = 'EJ002';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_approval BEFORE INSERT OR UPDATE ON ej.iteration
    FOR EACH ROW EXECUTE FUNCTION ej.tg_iteration_approval();

-- 8. The director approves a schedule only when no teacher and no room is booked twice at the
-- same time; the refusal names the clash.
CREATE FUNCTION ej.approve_schedule(p_iteration_id bigint) RETURNS timestamptz
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at    timestamptz := now();
    c       record;
BEGIN
    IF NOT pg_has_role(session_user, 'ej_director', 'MEMBER') THEN
        RAISE EXCEPTION 'Расписание и нагрузку утверждает только директор' USING ERRCODE = 'EJ002';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ej.iteration WHERE id = p_iteration_id
                                             AND organization_id = ej.current_org_id()) THEN
        RAISE EXCEPTION 'Итерация не найдена' USING ERRCODE = 'EJ005';
    END IF;
    SELECT * INTO c FROM ej.schedule_clashes(p_iteration_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'Расписание не утверждено: %', c.message
            USING ERRCODE = 'EJ003', HINT = 'Исправьте расписание групп и утвердите снова.';
    END IF;
    UPDATE ej.iteration SET schedule_approved_by = ej.current_staff_id(), schedule_approved_at = v_at
     WHERE id = p_iteration_id;
    RETURN v_at;
END $$;

REVOKE ALL ON FUNCTION ej.session_is_superuser(), ej.approve_schedule(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ej.approve_schedule(bigint) TO ej_director;
GRANT EXECUTE ON FUNCTION ej.session_is_superuser() TO ej_teacher, ej_methodist, ej_deputy, ej_director, ej_admin;
