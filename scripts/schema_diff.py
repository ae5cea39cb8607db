"""Compare the schema two sets of migrations build: `git show REF:sql/migrations/*` against the
working tree's sql/migrations (or two existing databases).

Each database is described as sorted lines read from the catalog — relations and their columns
(type, default, not null, identity), constraints (pg_get_constraintdef), indexes, triggers
(pg_get_triggerdef), policies, functions (pg_get_functiondef: body, volatility, SECURITY
DEFINER and search_path included), views (pg_get_viewdef), privileges (sorted aclitems, column
privileges included), default privileges, comments, extensions, schemas, and the rows the
migrations themselves insert (an md5 per table). Order of creation plays no part; a difference
is a line one side has and the other lacks, printed as a unified diff.

    scripts/schema_diff [--old main] [--dsn SUPERUSER_CONNINFO] [--no-comments]
    scripts/schema_diff --db-old NAME --db-new NAME --dsn ...

Exit status 0 when the two are equal, 1 when they differ. Without --dsn an embedded server is
started in a temporary directory (seconds).
"""

import argparse
import difflib
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg
from psycopg import sql as pgsql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ejournal_tui.db import migrations  # noqa: E402
from ejournal_tui.db.connection import connect  # noqa: E402

SCHEMAS = "('ej', 'audit', 'ejournal_meta', 'live')"
ACL = "coalesce(array_to_string(ARRAY(SELECT x::text FROM unnest({}) x ORDER BY 1), ','), '-')"

FUNC_ACL = ACL.format("coalesce(p.proacl, acldefault('f', p.proowner))")

CATALOG = {
    "schema": f"""
        SELECT format('schema %s owner=%s acl=%s', nspname, pg_get_userbyid(nspowner), {ACL.format('nspacl')})
          FROM pg_namespace WHERE nspname IN {SCHEMAS}""",
    "extension": "SELECT format('extension %s', extname) FROM pg_extension",
    "relation": f"""
        SELECT format('relation %s.%s kind=%s rls=%s force=%s owner=%s options=%s acl=%s', n.nspname, c.relname,
                      c.relkind, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner),
                      c.reloptions, {ACL.format('c.relacl')})
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN {SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')""",
    # the position among the live columns, not attnum: a dropped column leaves a gap in attnum
    "column": f"""
        SELECT format('column %s.%s #%s %s %s notnull=%s default=%s identity=%s generated=%s acl=%s',
                      n.nspname, c.relname, row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), a.attname,
                      format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                      a.attidentity, a.attgenerated, {ACL.format('a.attacl')})
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE n.nspname IN {SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0
           AND NOT a.attisdropped""",
    "constraint": f"""
        SELECT format('constraint %s.%s %s %s deferrable=%s deferred=%s', n.nspname,
                      coalesce(c.relname, t.typname), k.conname, pg_get_constraintdef(k.oid), k.condeferrable,
                      k.condeferred)
          FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
          LEFT JOIN pg_class c ON c.oid = k.conrelid LEFT JOIN pg_type t ON t.oid = k.contypid
         WHERE n.nspname IN {SCHEMAS}""",
    "index": f"""
        SELECT format('index %s', pg_get_indexdef(i.indexrelid))
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN {SCHEMAS}""",
    "trigger": f"""
        SELECT format('trigger %s enabled=%s', pg_get_triggerdef(t.oid), t.tgenabled)
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN {SCHEMAS} AND NOT t.tgisinternal""",
    "policy": f"""
        SELECT format('policy %s.%s %s %s to=%s for=%s using(%s) check(%s)', schemaname, tablename, policyname,
                      permissive, roles::text, cmd, qual, with_check)
          FROM pg_policies WHERE schemaname IN {SCHEMAS}""",
    "function": f"""
        SELECT format(E'function %s owner=%s acl=%s\\n%s', p.oid::regprocedure, pg_get_userbyid(p.proowner),
                      {FUNC_ACL},
                      CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(p.oid) END)
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN {SCHEMAS}""",
    "view": f"""
        SELECT format(E'view %s.%s\\n%s', n.nspname, c.relname, pg_get_viewdef(c.oid))
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN {SCHEMAS} AND c.relkind IN ('v', 'm')""",
    "type": f"""
        SELECT format('type %s.%s kind=%s base=%s', n.nspname, t.typname, t.typtype, format_type(t.typbasetype, NULL))
          FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname IN {SCHEMAS} AND t.typtype IN ('d', 'e', 'c')
           AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')""",
    "default_acl": f"""
        SELECT format('default acl %s %s %s %s', pg_get_userbyid(d.defaclrole), d.defaclnamespace::regnamespace,
                      d.defaclobjtype, {ACL.format('d.defaclacl')})
          FROM pg_default_acl d""",
    "database_acl": f"""
        SELECT format('database acl %s', {ACL.format('datacl')}) FROM pg_database
         WHERE datname = current_database()""",
    "comment": f"""
        SELECT format('comment %s = %s', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
          FROM pg_description d
         WHERE (d.classoid = 'pg_class'::regclass AND d.objoid IN (
                    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname IN {SCHEMAS}))
            OR (d.classoid = 'pg_proc'::regclass AND d.objoid IN (
                    SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname IN {SCHEMAS}))
            OR (d.classoid = 'pg_constraint'::regclass AND d.objoid IN (
                    SELECT k.oid FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
                     WHERE n.nspname IN {SCHEMAS}))
            OR (d.classoid = 'pg_namespace'::regclass AND d.objoid IN (
                    SELECT oid FROM pg_namespace WHERE nspname IN {SCHEMAS}))
            OR (d.classoid IN ('pg_trigger'::regclass, 'pg_policy'::regclass, 'pg_type'::regclass))""",
}

TABLES = f"""
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN {SCHEMAS} AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migration'
     ORDER BY 1, 2"""


def on(conninfo: str, dbname: str) -> str:
    return psycopg.conninfo.make_conninfo(conninfo, dbname=dbname)


def describe(conninfo: str, *, comments: bool = True) -> list[str]:
    lines: list[str] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for kind, query in CATALOG.items():
            if kind == "comment" and not comments:
                continue
            lines += [row[0] for row in conn.execute(query)]
        for schema, table in conn.execute(TABLES).fetchall():
            q = pgsql.SQL("SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                          "FROM {}.{} t").format(pgsql.Identifier(schema), pgsql.Identifier(table))
            row = conn.execute(q).fetchone()
            assert row is not None  # an aggregate returns one row
            n, digest = row
            lines.append(f"rows {schema}.{table} {n} {digest}")
    return sorted(lines)


def old_migrations(ref: str, into: Path) -> list[migrations.Migration]:
    names = subprocess.run(["git", "ls-tree", "--name-only", f"{ref}:sql/migrations"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.split()
    for name in names:
        text = subprocess.run(["git", "show", f"{ref}:sql/migrations/{name}"], cwd=ROOT, check=True,
                              capture_output=True).stdout
        (into / name).write_bytes(text)
    return migrations.discover(into)


def build(superuser: str, name: str, files: list[migrations.Migration]) -> str:
    with connect(on(superuser, "postgres")) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    with connect(on(superuser, name)) as conn:
        migrations.migrate(conn, files)
    return on(superuser, name)


def drop(superuser: str, name: str) -> None:
    with connect(on(superuser, "postgres")) as conn:
        conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", default="main", help="git revision whose sql/migrations is the reference")
    ap.add_argument("--dsn", help="superuser conninfo of a server to use (default: an embedded one)")
    ap.add_argument("--db-old", help="compare this existing database ...")
    ap.add_argument("--db-new", help="... with this one")
    ap.add_argument("--no-comments", action="store_true", help="leave COMMENT ON out of the comparison")
    ap.add_argument("--keep", action="store_true", help="keep the two databases built")
    args = ap.parse_args()

    embedded = None
    superuser = args.dsn
    if not superuser:
        from ejournal_tui.db.embedded import EmbeddedServer

        embedded = EmbeddedServer(Path(tempfile.mkdtemp(prefix="schema-diff-")) / "pgdata", cleanup="delete")
        superuser = embedded.superuser_conninfo
    built: list[str] = []
    try:
        if args.db_old and args.db_new:
            old, new = on(superuser, args.db_old), on(superuser, args.db_new)
        else:
            tag = uuid.uuid4().hex[:8]
            with tempfile.TemporaryDirectory() as tmp:
                old = build(superuser, f"schema_diff_old_{tag}", old_migrations(args.old, Path(tmp)))
                built.append(f"schema_diff_old_{tag}")
            new = build(superuser, f"schema_diff_new_{tag}", migrations.discover())
            built.append(f"schema_diff_new_{tag}")
        a = describe(old, comments=not args.no_comments)
        b = describe(new, comments=not args.no_comments)
        diff = list(difflib.unified_diff(a, b, f"old ({args.db_old or args.old})",
                                         f"new ({args.db_new or 'working tree'})", lineterm="", n=0))
        for line in diff:
            print(line)
        print(f"# {len(a)} lines old, {len(b)} new; {sum(1 for x in diff if x[:1] == '-' and x[:3] != '---')} "
              f"only old, {sum(1 for x in diff if x[:1] == '+' and x[:3] != '+++')} only new", file=sys.stderr)
        return 1 if diff else 0
    finally:
        if not args.keep:
            for name in built:
                drop(superuser, name)
        if embedded:
            embedded.stop()


if __name__ == "__main__":
    sys.exit(main())
