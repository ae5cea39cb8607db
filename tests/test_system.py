"""ejournal_tui.system: the OS account of a journal user on the server. The checks of input
run anywhere; the ones that create real accounts need root (CI runs as root) and clean up."""

import grp
import os
import pwd
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from ejournal_tui import system
from ejournal_tui.system import OsAccountError, check_can_create, create_os_user, parse_ssh_key

KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG0gkm3CyGNmO3ucVZ2TS0qnH4oUZ+KR8cFYyRF3b6Yk "
       "teacher@school-pc")
KEY2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPt5LsGhUW1n0d4EqNR0PN9qYtJFhVYX/3nBGhF3dJZc"


def test_parse_ssh_key_accepts_one_public_key():
    assert parse_ssh_key("\n" + KEY + "\n") == KEY
    assert parse_ssh_key(KEY2) == KEY2
    # a comment with characters that could confuse authorized_keys is dropped, the key kept
    assert parse_ssh_key(KEY2 + ' "x",command="sh"') == KEY2


@pytest.mark.parametrize("text", [
    "",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
    KEY + "\n" + KEY2,                               # two keys
    'command="/bin/sh" ' + KEY,                      # options of its own
    "ssh-dss AAAAB3NzaC1kc3MAAACBAP" + "A" * 80,     # a type sshd no longer accepts
    "ssh-ed25519 not-base64!!",
    "ssh-ed25519 AAAA",                              # too short to be a key
    # PuTTY's own format
    "---- BEGIN SSH2 PUBLIC KEY ----\nComment: rsa\nAAAAB3Nza\n---- END SSH2 PUBLIC KEY ----",
])
def test_parse_ssh_key_refuses_anything_else(text):
    with pytest.raises(OsAccountError):
        parse_ssh_key(text)


@pytest.mark.parametrize("login", ["", "a", "Ivanova", "1teacher", "ivanova maria", "x" * 33, "a;rm", "-rf"])
def test_logins_the_os_would_not_take_are_refused(login):
    with pytest.raises(OsAccountError, match="Логин"):
        check_can_create(login)


def test_only_root_creates_os_users(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(OsAccountError, match="sudo"):
        check_can_create("ivanova")


needs_root = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd"),
                                reason="creates real OS accounts: root only")


@pytest.fixture
def os_group():
    name = f"ejt_{uuid.uuid4().hex[:8]}"
    subprocess.run(["groupadd", name], check=True)
    made: list[str] = []
    yield name, made
    for login in made:
        subprocess.run(["userdel", "-r", login], capture_output=True, check=False)
    subprocess.run(["groupdel", name], check=False)


@pytest.fixture
def wrapper(tmp_path):
    shell = tmp_path / "ejournal-ssh"
    shell.write_text("#!/bin/sh\nexit 0\n")
    shell.chmod(0o755)
    return str(shell)


@needs_root
def test_create_os_user_makes_a_key_only_journal_account(os_group, wrapper):
    group, made = os_group
    login = f"ejt_{uuid.uuid4().hex[:8]}"
    made.append(login)
    result = create_os_user(login, group, KEY, full_name="Иванова Мария Петровна", shell=wrapper)
    assert result.created and result.added_to_group and result.key_added
    pw = pwd.getpwnam(login)
    assert pw.pw_shell == wrapper
    assert pw.pw_gecos == "Иванова Мария Петровна"
    assert login in grp.getgrnam(group).gr_mem
    shadow = subprocess.run(["getent", "shadow", login], capture_output=True, text=True, check=True).stdout
    assert shadow.split(":")[1] == "*"  # no password, but not "locked" (key logins work without PAM too)
    keys = result.home / ".ssh" / "authorized_keys"
    assert keys.read_text() == f"restrict,pty {KEY}\n"
    for path, mode in ((keys, 0o644), (keys.parent, 0o755)):
        st = path.stat()
        assert (st.st_uid, st.st_mode & 0o777) == (0, mode)

    again = create_os_user(login, group, KEY, shell=wrapper)  # idempotent
    assert not (again.created or again.added_to_group or again.key_added) and again.changes == []
    second = create_os_user(login, group, KEY2, shell=wrapper)  # another PC of the same teacher
    assert second.key_added
    assert keys.read_text().splitlines() == [f"restrict,pty {KEY}", f"restrict,pty {KEY2}"]


@needs_root
def test_an_existing_account_joins_the_group_and_keeps_its_shell(os_group, wrapper):
    group, made = os_group
    login = f"ejt_{uuid.uuid4().hex[:8]}"
    made.append(login)
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", login], check=True)
    result = create_os_user(login, group, shell=wrapper)
    assert not result.created and result.added_to_group and not result.key_added
    assert pwd.getpwnam(login).pw_shell == "/bin/bash"
    assert login in grp.getgrnam(group).gr_mem


@needs_root
def test_refuses_system_accounts_missing_group_and_missing_wrapper(os_group, wrapper, tmp_path):
    group, _ = os_group
    with pytest.raises(OsAccountError, match="системная"):
        create_os_user("postgres" if _exists("postgres") else "daemon", group, shell=wrapper)
    with pytest.raises(OsAccountError, match="install-server"):
        create_os_user("ejt_nogroup", "ejt_no_such_group", shell=wrapper)
    with pytest.raises(OsAccountError, match="install-server"):
        create_os_user("ejt_noshell", group, shell=str(tmp_path / "missing"))
    with pytest.raises(OsAccountError, match="закрытый"):
        create_os_user("ejt_badkey", group, "-----BEGIN OPENSSH PRIVATE KEY-----\nabc", shell=wrapper)
    assert not _exists("ejt_badkey")  # the key is checked before the account is made


def _exists(login: str) -> bool:
    try:
        pwd.getpwnam(login)
    except KeyError:
        return False
    return True


def test_default_paths_match_the_installer():
    text = (Path(__file__).parents[1] / "scripts" / "install-server").read_text(encoding="utf-8")
    assert f"GROUP={system.DEFAULT_GROUP}\n" in text
    assert "BIN_DIR=/usr/local/bin\n" in text and system.DEFAULT_SHELL == "/usr/local/bin/ejournal-ssh"


@needs_root
def test_command_line_for_servers_without_the_cli_flag(os_group, wrapper, tmp_path, capsys):
    group, made = os_group
    login = f"ejt_{uuid.uuid4().hex[:8]}"
    made.append(login)
    key = tmp_path / "key.pub"
    key.write_text(KEY + "\n")
    args = [login, "--ssh-key", str(key), "--group", group, "--shell", wrapper]
    assert system.main(args) == 0
    assert "создан пользователь ОС" in capsys.readouterr().out
    assert system.main(args) == 0
    assert "изменений нет" in capsys.readouterr().out
    assert system.main(["root", "--group", group, "--shell", wrapper]) == 1
    assert "системная" in capsys.readouterr().err
