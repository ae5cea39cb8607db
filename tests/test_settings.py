"""Settings (config.toml and EJOURNAL_*), the platform's directories, `python -m ejournal_tui`,
no platformdirs warning, the user's keymap, and the log file without personal data."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from staff_tui import acknowledge, settle, until, wait_for

from ejournal_tui import log
from ejournal_tui.cli import main
from ejournal_tui.settings import Settings, config_file

REPO = Path(__file__).resolve().parents[1]
PERSON = "Синтетикова Алиса Петровна"  # synthetic personal data: must never reach the log


@pytest.fixture
def config(tmp_path, monkeypatch):
    """Write config.toml's text; EJOURNAL_* of the tester's shell do not count."""
    for var in [v for v in os.environ if v.startswith("EJOURNAL_") and v != "EJOURNAL_TEST_DSN"]:
        monkeypatch.delenv(var)
    path = tmp_path / "config.toml"
    monkeypatch.setenv("EJOURNAL_CONFIG", str(path))

    def write(text: str) -> Path:
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def log_file(tmp_path, monkeypatch):
    """The log in a private data directory; the handler is taken off afterwards."""
    monkeypatch.setenv("EJOURNAL_DATA_DIR", str(tmp_path / "data"))
    yield tmp_path / "data" / "ejournal.log"
    for handler in list(log.logger.handlers):
        if not isinstance(handler, logging.NullHandler):
            log.logger.removeHandler(handler)
            handler.close()


def test_file_then_environment_then_defaults(config, monkeypatch, tmp_path):
    config('report_dsn = "host=standby"\npdf_workers = 2\ntheme = "nord"\n'
           '[keymap]\n"app.help" = ["f12", "ctrl+h"]\n"list.reload" = "ctrl+r"\n'
           '[log]\nlevel = "DEBUG"\nbackups = 3\n')
    monkeypatch.setenv("EJOURNAL_PDF_WORKERS", "3")  # the environment wins over the file
    monkeypatch.setenv("EJOURNAL_LOG__BACKUPS", "1")  # a section's key
    monkeypatch.setenv("EJOURNAL_EXPORT_DIR", str(tmp_path / "out"))
    s = Settings()
    assert (s.report_dsn, s.pdf_workers, s.theme) == ("host=standby", 3, "nord")
    assert s.keymap == {"app.help": "f12,ctrl+h", "list.reload": "ctrl+r"}
    assert (s.log.level, s.log.backups, s.log.max_bytes) == ("DEBUG", 1, 1_000_000)
    assert s.export_dir == tmp_path / "out" and s.dsn is None


def test_directories_follow_the_platform(monkeypatch, tmp_path):
    monkeypatch.delenv("EJOURNAL_CONFIG")
    monkeypatch.delenv("EJOURNAL_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d"))
    assert config_file() == tmp_path / "c" / "ejournal" / "config.toml"
    assert Settings().data_dir == tmp_path / "d" / "ejournal"
    assert Settings().log_file == tmp_path / "d" / "ejournal" / "ejournal.log"


def test_a_mistake_in_the_file_is_one_clear_message(config, capsys):
    path = config('pdf_workers = "много"\nthem = "nord"\n')
    assert main(["settings"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ejournal: ошибка в настройках ({path}")
    assert "pdf_workers" in err and "them" in err and "Traceback" not in err


def test_settings_command_hides_a_password_and_lists_the_key_ids(config, capsys, monkeypatch):
    config("")
    monkeypatch.setenv("EJOURNAL_DSN", "host=db password=s3cret dbname=ejournal")
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out and "password=***" in out and "ejournal.log" in out
    assert main(["settings", "--keys"]) == 0
    out = capsys.readouterr().out
    assert "app.help" in out and "list.reload" in out and "methodist.groups" in out


def _quiet_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    return {**env, **extra}


def test_python_m_ejournal_tui():
    done = subprocess.run([sys.executable, "-m", "ejournal_tui", "--help"], capture_output=True, text=True,
                          env=_quiet_env(), cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ejournal" in done.stdout and "demo" in done.stdout
    assert done.stderr == ""


@pytest.mark.parametrize("runtime_dir", [None, "/tmp"], ids=["unset", "not-private"])
def test_no_runtime_dir_warning(runtime_dir):
    """platformdirs warns about XDG_RUNTIME_DIR when pgserver is imported (root, sudo, cron): the
    embedded server and scripts/bench.py print no such warning."""
    env = _quiet_env(**({"XDG_RUNTIME_DIR": runtime_dir} if runtime_dir else {}))
    code = "from ejournal_tui.db.embedded import postgres_bin; print(postgres_bin())"
    for argv in ([sys.executable, "-c", code], [sys.executable, "scripts/bench.py", "--help"]):
        done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "Warning" not in done.stderr and "XDG_RUNTIME_DIR" not in done.stderr, done.stderr


async def test_a_remapped_key_runs_its_action(login_conninfo, sql):
    from ejournal_tui.tui.app import EJournalApp
    from ejournal_tui.tui.screens.common.help import HelpScreen
    from ejournal_tui.tui.screens.methodist.groups import GroupsScreen
    from ejournal_tui.tui.screens.methodist.home import MethodistHomeScreen

    acknowledge(sql, "o1_methodist")
    settings = Settings(keymap={"app.help": "f12", "methodist.groups": ["ctrl+g"]})
    app = EJournalApp(login_conninfo("o1_methodist"), settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, MethodistHomeScreen)
        await pilot.press("f1", "u")  # the default keys do nothing now
        await settle(pilot)
        assert isinstance(pilot.app.screen, MethodistHomeScreen)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help on F12")
        await pilot.press("escape")
        await until(pilot, MethodistHomeScreen)
        await pilot.press("ctrl+g")
        await until(pilot, GroupsScreen)


def test_the_log_has_the_event_not_the_person(server, db, sql, log_file, capsys):
    """A refused command and a fault of the code: the log says what and where, never who."""
    admin = server.conninfo(db, user="o1_admin")
    login = "ejt_logcheck"
    args = ["--dsn", admin, "admin", "add-user", login, "--role", "teacher", "--name", PERSON, "--organization"]
    assert main([*args, "999999"]) == 1  # refused: no such organization
    err = capsys.readouterr().err
    with psycopg.connect(server.conninfo(db)) as conn:  # a database error whose text quotes the value
        try:
            conn.execute("SELECT %s::int", (PERSON,))
        except psycopg.Error as exc:
            assert PERSON in str(exc)
            log.error("shown", exc, screen="Test")
    try:
        {}[PERSON]
    except KeyError as exc:  # a fault of our code: its frames are logged, its message is not
        log.error("shown", exc, screen="Test")
    text = log_file.read_text(encoding="utf-8")
    assert "start command=admin" in text and "command failed" in text
    assert "sqlstate=22P02" in text and "psycopg.errors.InvalidTextRepresentation" in text
    assert "builtins.KeyError" in text and "test_settings.py" in text and "in test_the_log_has_the_event" in text
    for private in (PERSON, "Синтетикова", "Алиса", login):
        assert private not in text, (private, text)
    assert err  # the person was told in Russian on the terminal
    assert oct(log_file.stat().st_mode & 0o777) == "0o600"


def test_the_log_rotates(tmp_path):
    s = Settings(data_dir=tmp_path, log={"max_bytes": 2000, "backups": 2})
    handler = log.setup(s)
    assert handler is not None
    try:
        for n in range(200):
            log.event("tick", n=n)
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == ["ejournal.log", "ejournal.log.1", "ejournal.log.2"]
        assert all(p.stat().st_size <= 2000 for p in tmp_path.iterdir())
    finally:
        log.logger.removeHandler(handler)
        handler.close()
