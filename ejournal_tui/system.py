"""The server's OS side of an account: an SSH login that lands in the journal.

`create_os_user()` makes (or completes) the OS account of a journal user on the server that
`scripts/install-server` set up: member of the group whose SSH sessions sshd forces into
`ejournal-ssh`, no password (key-only), an authorized key if given. The OS login name is the
PostgreSQL role name, because peer authentication on the Unix socket maps one to the other.

The login shell is the wrapper `ejournal-ssh`, not /usr/sbin/nologin and not /bin/sh:
- sshd runs a ForceCommand through the user's shell (`$SHELL -c COMMAND`), so nologin would
  refuse every session, ForceCommand included; the shell must run the command it is given.
- /bin/sh would work under ForceCommand, but then the account's safety rests on the sshd Match
  block alone: `su`, a console login, or a lost drop-in would hand out a shell.
- The wrapper ignores `-c COMMAND` and always opens the journal, so every path into the
  account (ForceCommand, su, console) ends in the journal. It is deliberately not listed in
  /etc/shells, so services that require a "real" shell (ftp and the like) refuse the account.

The password field is `*` (no password can match) rather than useradd's default `!`
(locked): with `UsePAM no` sshd refuses locked accounts even for key logins.
`~/.ssh` and `authorized_keys` belong to root (sshd's StrictModes accepts that): the
administrator manages a journal user's keys; the user, who has no shell, never does.

Everything here needs root. Nothing here touches the database: `ejournal admin add-user`
creates the PostgreSQL login (ej.add_user) and then calls `create_os_user` for `--os-user`.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_GROUP = "ejournal"
DEFAULT_SHELL = "/usr/local/bin/ejournal-ssh"
# The database's login rule (ej.add_user, staff_login_shape) narrowed to what Linux accepts:
# at most 32 characters (utmp), starting with a letter or underscore.
OS_LOGIN = re.compile(r"^[a-z_][a-z0-9_.-]{1,31}$")
KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
# Options put in front of every key: no forwarding of any kind, but a terminal (the journal
# needs one). A second fence behind the sshd Match block.
KEY_OPTIONS = "restrict,pty"
_KEY_BODY = re.compile(r"^[A-Za-z0-9+/]+={0,3}$")
_COMMENT = re.compile(r"^[\w@.+:-][\w@.+: -]{0,100}$")


class OsAccountError(RuntimeError):
    """A refusal with a message for the administrator (in Russian, like the CLI's)."""


@dataclass
class OsUserResult:
    login: str
    home: Path
    created: bool = False
    added_to_group: bool = False
    key_added: bool = False
    changes: list[str] = field(default_factory=list)


def parse_ssh_key(text: str) -> str:
    """One public key in OpenSSH format → 'type base64 [comment]'. Refuses private keys,
    several keys, and keys with their own options (we add ours)."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if any("PRIVATE KEY" in ln for ln in lines):
        raise OsAccountError("Это закрытый ключ. Нужен открытый ключ (файл .pub); "
                             "закрытый остаётся у педагога.")
    if len(lines) != 1:
        raise OsAccountError("Нужен ровно один открытый ключ SSH в одну строку (файл .pub).")
    parts = lines[0].split(None, 2)
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise OsAccountError(
            "Не похоже на открытый ключ OpenSSH: строка должна начинаться с ssh-ed25519, ssh-rsa или "
            "ecdsa-sha2-… (ключ PuTTY сначала преобразуйте: puttygen key.ppk -O public-openssh)."
        )
    kind, body = parts[0], parts[1]
    if not _KEY_BODY.match(body) or len(body) < 60:
        raise OsAccountError("Открытый ключ SSH повреждён: неверная часть base64.")
    comment = parts[2].strip() if len(parts) > 2 else ""
    if comment and not _COMMENT.match(comment):
        comment = ""  # a comment is only a label; drop one with odd characters
    return f"{kind} {body}" + (f" {comment}" if comment else "")


def check_can_create(login: str, group: str = DEFAULT_GROUP, shell: str = DEFAULT_SHELL) -> None:
    """Everything create_os_user() needs, checked before the database is touched."""
    if not OS_LOGIN.match(login or ""):
        raise OsAccountError(
            "Логин для входа по SSH: латинские строчные буквы, цифры, «_», «.», «-»; "
            "от 2 до 32 символов, начинается с буквы."
        )
    if os.geteuid() != 0:
        raise OsAccountError("Создавать пользователей ОС может только root: "
                             "запустите команду от имени root (или через sudo).")
    for tool in ("useradd", "usermod"):
        if not shutil.which(tool, path="/usr/sbin:/sbin:/usr/bin:/bin"):
            raise OsAccountError(f"Нет программы {tool} (пакет passwd).")
    try:
        grp.getgrnam(group)
    except KeyError:
        raise OsAccountError(
            f"Группы ОС «{group}» нет: сервер не настроен. Запустите scripts/install-server."
        ) from None
    if not (os.path.isfile(shell) and os.access(shell, os.X_OK)):
        raise OsAccountError(f"Нет программы входа {shell}: сервер не настроен. "
                             "Запустите scripts/install-server.")
    try:
        existing = pwd.getpwnam(login)
    except KeyError:
        return
    if existing.pw_uid < _uid_min():
        raise OsAccountError(f"«{login}» — системная учётная запись ОС; "
                             "её нельзя сделать пользователем журнала.")


def create_os_user(
    login: str,
    group: str = DEFAULT_GROUP,
    ssh_key: str | None = None,
    *,
    full_name: str | None = None,
    shell: str = DEFAULT_SHELL,
) -> OsUserResult:
    """Make `login` an SSH user of the journal; safe to run again (it only completes what is
    missing). An existing ordinary account is added to the group and keeps its shell: sshd's
    ForceCommand still puts its SSH sessions into the journal."""
    check_can_create(login, group, shell)
    key = parse_ssh_key(ssh_key) if ssh_key else None
    try:
        pw = pwd.getpwnam(login)
    except KeyError:
        pw = None
    result = OsUserResult(login=login, home=Path(pw.pw_dir) if pw else Path("/home") / login)
    if pw is None:
        cmd = ["useradd", "--create-home", "--shell", shell, "--groups", group, "--password", "*"]
        if full_name:
            cmd += ["--comment", _gecos(full_name)]
        _run([*cmd, login])
        pw = pwd.getpwnam(login)
        result.home = Path(pw.pw_dir)
        result.created = result.added_to_group = True
        result.changes.append(f"создан пользователь ОС {login} (вход только по ключу, оболочка {shell})")
    elif login not in grp.getgrnam(group).gr_mem and pw.pw_gid != grp.getgrnam(group).gr_gid:
        _run(["usermod", "--append", "--groups", group, login])
        result.added_to_group = True
        result.changes.append(f"{login} добавлен в группу {group}")
    if key:
        result.key_added = install_ssh_key(login, key)
        if result.key_added:
            result.changes.append(f"ключ SSH добавлен в {result.home}/.ssh/authorized_keys")
    return result


def install_ssh_key(login: str, key: str) -> bool:
    """Add a public key (with our options) to the user's authorized_keys, owned by root.
    Returns False when the key was already there."""
    key = parse_ssh_key(key)
    pw = pwd.getpwnam(login)
    home = Path(pw.pw_dir)
    if not home.is_dir():
        raise OsAccountError(f"У пользователя {login} нет домашнего каталога {home}.")
    ssh_dir = home / ".ssh"
    keys_file = ssh_dir / "authorized_keys"
    ssh_dir.mkdir(mode=0o755, exist_ok=True)
    os.chown(ssh_dir, 0, 0)
    ssh_dir.chmod(0o755)
    lines = keys_file.read_text(encoding="utf-8").splitlines() if keys_file.exists() else []
    body = key.split()[1]
    if any(body in line.split() for line in lines):
        added = False
    else:
        lines.append(f"{KEY_OPTIONS} {key}")
        tmp = keys_file.with_suffix(".new")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.chown(tmp, 0, 0)
        tmp.chmod(0o644)
        tmp.replace(keys_file)
        added = True
    os.chown(keys_file, 0, 0)
    keys_file.chmod(0o644)
    return added


def _gecos(full_name: str) -> str:
    # GECOS fields are separated by commas and lines by colons: keep the name only.
    return re.sub(r"[,:=\x00-\x1f]", " ", full_name).strip()[:100]


def _uid_min() -> int:
    try:
        for line in Path("/etc/login.defs").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "UID_MIN" and parts[1].isdigit():
                return int(parts[1])
    except OSError:
        pass
    return 1000


def _run(cmd: list[str]) -> None:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C.UTF-8"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise OsAccountError(f"{cmd[0]} не выполнен: {proc.stderr.strip() or proc.returncode}")


def main(argv: list[str] | None = None) -> int:
    """`sudo /opt/ejournal/bin/python -m ejournal_tui.system LOGIN [--ssh-key FILE] [--name "ФИО"]`:
    the OS half of an account, for servers whose `ejournal admin add-user` has no --os-user yet."""
    import argparse
    import sys

    p = argparse.ArgumentParser(prog="python -m ejournal_tui.system",
                                description="Пользователь ОС для входа в журнал по SSH (нужен root).")
    p.add_argument("login", help="логин — тот же, что у учётной записи журнала")
    p.add_argument("--ssh-key", metavar="FILE", help="открытый ключ педагога (.pub)")
    p.add_argument("--name", help="ФИО (комментарий учётной записи ОС)")
    p.add_argument("--group", default=DEFAULT_GROUP)
    p.add_argument("--shell", default=DEFAULT_SHELL)
    args = p.parse_args(argv)
    from ejournal_tui.terminal import say

    try:
        key = Path(args.ssh_key).read_text(encoding="utf-8") if args.ssh_key else None
        result = create_os_user(args.login, args.group, key, full_name=args.name, shell=args.shell)
    except (OsAccountError, OSError) as exc:
        say(f"ejournal: {exc}", sys.stderr)
        return 1
    say("\n".join(result.changes) or f"Пользователь ОС {args.login} уже настроен, изменений нет.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
