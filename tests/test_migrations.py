"""The migration runner against a real server: order, once, checksums, lock, failure."""

import shutil
import threading

import pytest

from ejournal_tui.db import migrations
from ejournal_tui.db.connection import connect
from ejournal_tui.db.migrations import MigrationError, discover, split_statements


def test_apply_on_empty_database_then_no_op(server, empty_db):
    with connect(server.conninfo(empty_db)) as conn:
        assert [s.state for s in migrations.status(conn)] == ["pending"] * len(discover())
        applied = migrations.migrate(conn)
        assert applied == [m.name for m in discover()]
        assert migrations.migrate(conn) == []
        assert {s.state for s in migrations.status(conn)} == {"applied"}
        tables = conn.execute("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'ej'").fetchone()["n"]
        assert tables >= 19


def test_changed_applied_file_is_refused(server, empty_db, tmp_path):
    for m in discover():
        shutil.copy(m.path, tmp_path / m.name)
    with connect(server.conninfo(empty_db)) as conn:
        migrations.migrate(conn, discover(tmp_path))
        first = sorted(tmp_path.glob("*.sql"))[1]
        first.write_text(first.read_text() + "\n-- an innocent edit\n")
        (tmp_path / "9999_more.sql").write_text("CREATE TABLE ej.more (id int PRIMARY KEY);")
        with pytest.raises(MigrationError, match=first.name):
            migrations.migrate(conn, discover(tmp_path))
        states = {s.name: s.state for s in migrations.status(conn, discover(tmp_path))}
        assert states[first.name] == "changed"
        assert states["9999_more.sql"] == "pending"  # nothing was applied after the refusal
        assert conn.execute("SELECT to_regclass('ej.more') AS t").fetchone()["t"] is None


def test_failing_migration_leaves_database_as_it_was(server, empty_db, tmp_path):
    for m in discover():
        shutil.copy(m.path, tmp_path / m.name)
    (tmp_path / "9998_bad.sql").write_text(
        "SET LOCAL ROLE ej_owner;\nCREATE TABLE ej.half_done (id int PRIMARY KEY);\n\nSELECT 1 / 0;\n"
    )
    with connect(server.conninfo(empty_db)) as conn:
        with pytest.raises(MigrationError) as err:
            migrations.migrate(conn, discover(tmp_path))
        text = str(err.value)
        assert "9998_bad.sql" in text and "№ 3" in text and "строка 4" in text
        assert conn.execute("SELECT to_regclass('ej.half_done') AS t").fetchone()["t"] is None
        states = {s.name: s.state for s in migrations.status(conn, discover(tmp_path))}
        assert states["9998_bad.sql"] == "pending"
        assert states["0001_roles_and_schemas.sql"] == "applied"


def test_two_administrators_at_once(server, empty_db):
    results, errors = [], []

    def run():
        try:
            with connect(server.conninfo(empty_db)) as conn:
                results.append(migrations.migrate(conn))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 0, len(discover())]
    with connect(server.conninfo(empty_db)) as conn:
        n = conn.execute("SELECT count(*) AS n FROM ejournal_meta.schema_migration").fetchone()["n"]
        assert n == len(discover())


def test_split_statements_respects_quotes_and_bodies():
    text = """-- leading comment; not a statement
CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
SELECT 'a;b', "x;y" FROM t; /* c; d */
DO $body$ BEGIN PERFORM 1; END $body$;
SELECT 'it''s; fine'
"""
    parts = split_statements(text)
    assert [line for line, _ in parts] == [2, 3, 4, 5]
    assert parts[0][1].endswith("END $$")
    assert parts[1][1] == "SELECT 'a;b', \"x;y\" FROM t"
    assert parts[3][1] == "SELECT 'it''s; fine'"


def test_every_migration_splits_into_whole_statements():
    for m in discover():
        for _, stmt in split_statements(m.text):
            assert stmt.count("$$") % 2 == 0, (m.name, stmt[:80])
