"""The `ejournal` command: help, migrations, the embedded demo, and the layering rules."""

import subprocess
import sys
import uuid

import pytest
from psycopg import sql as pgsql

from ejournal_tui.cli import DEMO_LOGINS, build_parser, main, prepare_demo
from ejournal_tui.db import accounts
from ejournal_tui.db.connection import connect
from ejournal_tui.db.migrations import MigrationError, discover
from ejournal_tui.settings import Settings


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert name in out


def test_db_status_and_migrate(server, empty_db, capsys):
    dsn = server.conninfo(empty_db)
    assert main(["--dsn", dsn, "db", "status"]) == 0
    assert "ожидает" in capsys.readouterr().out
    assert main(["--dsn", dsn, "db", "migrate"]) == 0
    assert discover()[-1].name in capsys.readouterr().out
    assert main(["--dsn", dsn, "db", "migrate"]) == 0
    assert "Новых миграций нет" in capsys.readouterr().out


def test_unreachable_server_is_one_russian_line(capsys, tmp_path):
    code = main(["--dsn", f"host={tmp_path} port=1 dbname=x connect_timeout=2", "db", "status"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("ejournal: Нет связи с базой данных")
    assert "Traceback" not in err


def test_embedded_demo_prepares_once(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    for var in ("EJOURNAL_DSN", "PGHOST", "PGSERVICE", "PGDATABASE"):
        monkeypatch.delenv(var, raising=False)
    settings = Settings()
    assert not settings.server_configured()
    server = prepare_demo(settings)
    try:
        prepare_demo(settings)  # a second start loads nothing again
        with connect(server.conninfo(user=DEMO_LOGINS["teacher"])) as conn:
            me = accounts.whoami(conn)
            assert me.roles == ["teacher"] and me.staff_id is not None
            groups = conn.execute("SELECT count(*) AS n FROM ej.study_group").fetchone()["n"]
            assert groups >= 1
        with connect(server.conninfo()) as conn:
            assert conn.execute("SELECT count(*) AS n FROM ej.organization").fetchone()["n"] == 1
            # a demo database migrated by an earlier version's files: the message says what to run
            conn.execute("UPDATE ejournal_meta.schema_migration SET checksum = 'earlier' "
                         "WHERE name = '0002_tables.sql'")
        with pytest.raises(MigrationError, match=r"\./scripts/demo --reset"):
            prepare_demo(settings)
        prepare_demo(settings, reset=True)  # made anew
        with connect(server.conninfo()) as conn:
            assert conn.execute("SELECT count(*) AS n FROM ej.organization").fetchone()["n"] == 1
    finally:
        server.stop()


@pytest.mark.parametrize("package", ["ejournal_tui.db", "ejournal_tui.reports"])
def test_data_layer_does_not_import_textual(package):
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module('{package}')\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "assert 'textual' not in sys.modules, [m for m in sys.modules if m.startswith('textual')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_add_organization_then_user_with_password(server, db, capsys, sql):
    dsn = server.conninfo(db)
    assert main(["--dsn", dsn, "admin", "add-organization", "Технопарк «Третий»", "--unit", "ДТ «Третий»"]) == 0
    org = sql.one("SELECT id FROM ej.organization WHERE name = 'Технопарк «Третий»'")
    login = f"t3_{uuid.uuid4().hex[:8]}"
    try:
        assert main(["--dsn", dsn, "admin", "add-user", login, "--role", "methodist", "--name",
                     "Третьякова Ольга Ивановна", "--organization", str(org), "--password"]) == 0
        out = capsys.readouterr().out
        password = out.split(f"Одноразовый пароль для {login}: ")[1].split()[0]
        assert len(password) == 14
        stored = sql.one("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (login,))
        assert stored.startswith("SCRAM-SHA-256$") and password not in stored
        assert sql.one("SELECT organization_id FROM ej.staff WHERE login = %s", (login,)) == org
    finally:
        sql.run(pgsql.SQL("DROP ROLE IF EXISTS {}").format(pgsql.Identifier(login)))


def test_os_user_is_checked_before_the_database(server, db, capsys, sql, tmp_path):
    bad_key = tmp_path / "id.pub"
    bad_key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n")
    login = f"t4_{uuid.uuid4().hex[:8]}"
    code = main(["--dsn", server.conninfo(db), "admin", "add-user", login, "--role", "teacher",
                 "--name", "Четвертакова Анна Ивановна", "--os-user", "--ssh-key", str(bad_key)])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("ejournal: ")
    assert sql.one("SELECT count(*) FROM pg_roles WHERE rolname = %s", (login,)) == 0


def test_print_and_report_commands_are_wired(login_conninfo, sql, tmp_path, capsys):
    from pypdf import PdfReader

    it, quantum = sql.run("""SELECT g.iteration_id, p.quantum_id FROM ej.study_group g
                              JOIN ej.program p ON p.id = g.program_id JOIN ej.iteration i ON i.id = g.iteration_id
                             WHERE i.status = 'active' ORDER BY g.id LIMIT 1""")[0].values()
    out = tmp_path / "j.pdf"
    dsn = login_conninfo("o1_methodist")
    assert main(["--dsn", dsn, "print", "journal", "--iteration", str(it), "--quantum", str(quantum),
                 "-o", str(out)]) == 0
    assert len(PdfReader(out).pages) > 3
    assert "отпечаток" in capsys.readouterr().out
    assert main(["--dsn", dsn, "report", "attendance", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("\ufeff")


def test_archive_export_writes_each_archived_iteration_once(server, db, tmp_path, capsys, sql):
    import json

    from pypdf import PdfReader

    dsn = server.conninfo(db)
    assert main(["--dsn", dsn, "archive-export", "--dir", str(tmp_path)]) == 0
    folders = [p for p in tmp_path.iterdir() if p.is_dir()]
    archived = sql.one("SELECT count(*) FROM ej.iteration WHERE status = 'archived'")
    assert len(folders) == archived >= 1
    manifest = json.loads((folders[0] / "manifest.json").read_text(encoding="utf-8"))
    pdfs = [f for f in manifest["files"] if f["file"].endswith(".pdf")]
    csvs = [f for f in manifest["files"] if f["file"].endswith(".csv")]
    assert pdfs and csvs
    first = folders[0] / pdfs[0]["file"]
    assert len(PdfReader(first).pages) == pdfs[0]["pages"]
    assert (folders[0] / csvs[0]["file"]).read_bytes().startswith(b"\xef\xbb\xbf")
    assert sql.one("SELECT count(*) FROM ej.print_fingerprint WHERE fingerprint = %s", (pdfs[0]["fingerprint"],)) == 1
    capsys.readouterr()
    assert main(["--dsn", dsn, "archive-export", "--dir", str(tmp_path)]) == 0  # second run: nothing new
    assert "Новых архивных итераций нет" in capsys.readouterr().out
    assert first.stat().st_mtime == (folders[0] / pdfs[0]["file"]).stat().st_mtime
