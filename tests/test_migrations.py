"""The migration runner against a real server: order, once, checksums, lock, failure."""

import shutil

import pytest
from conftest import at_once

from ejournal_tui.db import migrations
from ejournal_tui.db.connection import connect
from ejournal_tui.db.migrations import PRE_RELEASE, MigrationError, discover


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


def migrate_with_a_bad_file(server, empty_db, tmp_path, name: str, text: str, upto: int | None = None):
    """Migrate the present files (the first `upto` of them) and a failing one after them, which
    must be refused: (the error's text, the files)."""
    for m in discover()[:upto]:
        shutil.copy(m.path, tmp_path / m.name)
    (tmp_path / name).write_text(text)
    files = discover(tmp_path)
    with connect(server.conninfo(empty_db)) as conn, pytest.raises(MigrationError) as err:
        migrations.migrate(conn, files)
    return str(err.value), files


def test_failing_migration_leaves_database_as_it_was(server, empty_db, tmp_path):
    text, files = migrate_with_a_bad_file(
        server, empty_db, tmp_path, "9998_bad.sql",
        "SET LOCAL ROLE ej_owner;\nCREATE TABLE ej.half_done (id int PRIMARY KEY);\n\n"
        "SELECT no_such_column FROM ej.half_done;\n")
    # the server's position of the error, as a line of the file
    assert "9998_bad.sql" in text and "строка 4" in text and "no_such_column" in text, text
    with connect(server.conninfo(empty_db)) as conn:
        assert conn.execute("SELECT to_regclass('ej.half_done') AS t").fetchone()["t"] is None
        states = {s.name: s.state for s in migrations.status(conn, files)}
        assert states["9998_bad.sql"] == "pending"
        assert states["0001_roles_and_schemas.sql"] == "applied"


def test_a_run_time_error_names_the_file_and_its_context(server, empty_db, tmp_path):
    """A run-time error has no position in the script: the message and its context say where."""
    text, _ = migrate_with_a_bad_file(server, empty_db, tmp_path, "9997_bad.sql",
                                      "SELECT 1;\nDO $$ BEGIN PERFORM 1 / 0; END $$;\n", upto=1)
    assert "9997_bad.sql" in text and "division by zero" in text and "PL/pgSQL" in text, text
    assert "База данных не изменена" in text


def test_script_with_quotes_and_bodies_is_split_by_the_server(server, empty_db, tmp_path):
    """Semicolons inside strings (E'' with a backslash quote too), dollar quotes and nested
    comments: the server splits the file, as psql would."""
    (tmp_path / "0001_tricky.sql").write_text("""-- leading comment; not a statement
CREATE TABLE t (a text);
CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
INSERT INTO t VALUES ('a;b'), (E'it\\'s; fine'), ($x$ $$; $x$); /* c; /* nested; */ d; */
DO $body$ BEGIN PERFORM 1; END $body$;
""")
    with connect(server.conninfo(empty_db)) as conn:
        assert migrations.migrate(conn, discover(tmp_path)) == ["0001_tricky.sql"]
        rows = [r["a"] for r in conn.execute("SELECT a FROM t ORDER BY a").fetchall()]
        assert rows == [" $$; ", "a;b", "it's; fine"]


def test_a_database_of_the_pre_release_schema_is_refused(server, empty_db, tmp_path):
    """Files 0014–0021 of the pre-release schema were folded into the present set: a database
    that applied them is not migrated (its history does not match the files), it is recreated."""
    with connect(server.conninfo(empty_db)) as conn:
        migrations.migrate(conn, discover()[:3])
        conn.execute("INSERT INTO ejournal_meta.schema_migration (name, checksum) VALUES (%s, 'x')",
                     ("0014_teacher_policy_arrays.sql",))
        with pytest.raises(MigrationError) as err:
            migrations.migrate(conn)
        text = str(err.value)
        assert "предварительной версией схемы" in text and "0014_teacher_policy_arrays.sql" in text
        assert "Пересоздайте базу" in text and "pg_dump" in text
        assert conn.execute("SELECT count(*) AS n FROM ejournal_meta.schema_migration").fetchone()["n"] == 4
        assert conn.execute("SELECT to_regclass('ej.account_request') AS t").fetchone()["t"] is None
    assert not PRE_RELEASE & {m.name for m in discover()}  # no present file has a retired name


def test_two_administrators_at_once(server, empty_db):
    def run():
        with connect(server.conninfo(empty_db)) as conn:
            return migrations.migrate(conn)

    results, errors = at_once(run)
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 0, len(discover())]
    with connect(server.conninfo(empty_db)) as conn:
        n = conn.execute("SELECT count(*) AS n FROM ejournal_meta.schema_migration").fetchone()["n"]
        assert n == len(discover())
