"""Every reference between rows of an organization stays inside it (issue 10, findings 1–2).

For every foreign key of schema `ej` (enumerated from pg_constraint, so a new one is covered
the day it is made), a row of organization 1 is pointed at a row of organization 2 — by
UPDATE and by INSERT — as each of the five roles, as the owner (what its SECURITY DEFINER
functions run as) and as the superuser. Nothing may be stored that refers across organizations."""

import psycopg
import pytest
from org_rows import seed
from psycopg import sql as pgsql
from psycopg.types.json import Jsonb

ACTORS = ("o1_teacher01", "o1_methodist", "o1_deputy", "o1_director", "o1_admin", "ej_owner", "superuser")


@pytest.fixture
def sql(rollback_sql):
    return rollback_sql


def foreign_keys(sql) -> list[dict]:
    """Foreign keys between tables of ej whose parent belongs to an organization (not the vocabulary's
    lookup tables, shared by all)."""
    return sql.run(
        """SELECT c.conname, c.conrelid::regclass::text AS child, cl.relname AS child_name,
                  c.confrelid::regclass::text AS parent,
                  array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS cols,
                  array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS pcols
             FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid
            WHERE c.contype = 'f' AND c.connamespace = 'ej'::regnamespace
              AND c.confrelid <> 'ej.organization'::regclass
              AND EXISTS (SELECT 1 FROM pg_attribute p WHERE p.attrelid = c.confrelid AND p.attname = 'organization_id')
            ORDER BY 1"""
    )


def test_every_reference_carries_the_organization(sql):
    """By construction: each key pairs the child's organization_id with the parent's."""
    keys = foreign_keys(sql)
    assert len(keys) >= 38, "the schema has lost foreign keys: this test proves less than it says"
    weak = [
        k["conname"]
        for k in keys
        if "organization_id" not in k["cols"]
        or k["pcols"][k["cols"].index("organization_id")] != "organization_id"
    ]
    assert weak == [], "foreign keys that can point into another organization"


def _act(sql, actor: str):
    if actor == "superuser":
        return None
    if actor == "ej_owner":
        return pgsql.SQL("SET ROLE ej_owner")
    return pgsql.SQL("SET SESSION AUTHORIZATION {}").format(pgsql.Identifier(actor))


def _attempt(sql, actor: str, prepare, statement, params, crossed_query) -> int:
    """Run statement as actor in a savepoint that is rolled back; the rows it left referring across
    organizations (0 when it was refused)."""
    class Undo(Exception):
        pass

    crossed = 0
    try:
        with sql.conn.transaction():
            if prepare:
                prepare()
            switch = _act(sql, actor)
            if switch is not None:
                sql.conn.execute(switch)
            sql.conn.execute(statement, params)
            sql.conn.execute("RESET ROLE")
            sql.conn.execute("RESET SESSION AUTHORIZATION")
            crossed = sql.one(crossed_query)
            raise Undo
    except (Undo, psycopg.Error):
        pass
    return crossed


def _crossed_query(keys) -> pgsql.Composed:
    """Rows of ej tables whose organization differs from that of a row they refer to."""
    parts = []
    for k in keys:
        col = k["cols"][-1]
        parts.append(
            pgsql.SQL("(SELECT count(*) FROM {c} x JOIN {p} y ON y.id = x.{col} "
                      "WHERE y.organization_id <> x.organization_id)").format(
                c=pgsql.SQL(k["child"]), p=pgsql.SQL(k["parent"]), col=pgsql.Identifier(col))
        )
    return pgsql.SQL("SELECT ") + pgsql.SQL(" + ").join(parts)


def test_no_role_can_point_a_row_at_another_organization(sql, journal):
    at = seed(sql, journal)
    org1, org2 = at["own"].org, at["org"].org
    keys = foreign_keys(sql)
    crossed_query = _crossed_query(keys)
    assert sql.one(crossed_query) == 0
    tried = 0
    problems = []
    for k in keys:
        col = k["cols"][-1]
        target = sql.run(
            pgsql.SQL("SELECT id FROM {} WHERE organization_id = %s ORDER BY id LIMIT 1").format(
                pgsql.SQL(k["parent"])),
            (org2,),
        )
        source = sql.run(
            pgsql.SQL("SELECT ctid::text AS ctid, to_jsonb(t) AS row FROM {} t "
                      "WHERE organization_id = %s ORDER BY {} IS NULL LIMIT 1").format(
                pgsql.SQL(k["child"]), pgsql.Identifier(col)),
            (org1,),
        )
        assert target, f"{k['conname']}: no {k['parent']} row in organization 2 to point at"
        assert source, f"{k['conname']}: no {k['child']} row in organization 1 to point from"
        target_id, row = target[0]["id"], source[0]["row"]
        moved = {**row, col: target_id}
        update = pgsql.SQL("UPDATE {} SET {} = %s WHERE ctid = %s::tid").format(
            pgsql.SQL(k["child"]), pgsql.Identifier(col))
        insert = pgsql.SQL("INSERT INTO {c} SELECT * FROM jsonb_populate_record(NULL::{c}, %s)").format(
            c=pgsql.SQL(k["child"]))

        def take_out(ctid=source[0]["ctid"], child=k["child"]):
            # the original leaves without a trace (no triggers, no cascades), so the copy fits
            sql.conn.execute("SET LOCAL session_replication_role = replica")
            sql.conn.execute(pgsql.SQL("DELETE FROM {} WHERE ctid = %s::tid").format(pgsql.SQL(child)), (ctid,))
            sql.conn.execute("SET LOCAL session_replication_role = origin")

        for actor in ACTORS:
            for what, prepare, statement, params in (
                ("UPDATE", None, update, (target_id, source[0]["ctid"])),
                ("INSERT", take_out, insert, (Jsonb(moved),)),
            ):
                tried += 1
                if _attempt(sql, actor, prepare, statement, params, crossed_query):
                    problems.append(f"{k['conname']}: {what} as {actor} stored a reference to organization 2")
    assert problems == []
    assert tried == len(keys) * len(ACTORS) * 2
