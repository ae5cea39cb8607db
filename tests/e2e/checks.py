"""End-to-end checks of a server installation; run by tests/e2e/run.sh (as root), which sets
up PostgreSQL with scripts/install-server, a test sshd, demo data and the OS users, and passes
the environment in E2E_* variables. Not collected by the ordinary test run (the file name).

Order matters: the tests run top to bottom, and the last ones replace the live database.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
from waiting import wait_until

E = os.environ
if "E2E_DIR" not in E:  # pragma: no cover - run by hand without run.sh
    pytest.skip("run tests/e2e/run.sh", allow_module_level=True)

DIR = Path(E["E2E_DIR"])
PGPORT = E["E2E_PGPORT"]
SSHPORT = E["E2E_SSHPORT"]
SOCKET = E["E2E_SOCKET"]
GROUP = E["E2E_GROUP"]
T1, T2, OUTSIDER = E["E2E_T1"], E["E2E_T2"], E["E2E_OUTSIDER"]
PG_BIN = Path(E["E2E_PG_BIN"])
TMUX = ["tmux", "-L", E["E2E_TMUX"]]
BIN, SBIN, ETC = DIR / "bin", DIR / "sbin", DIR / "etc"
BACKUPS = DIR / "backups"
REPO = Path(E["E2E_REPO"])


# ---------------------------------------------------------------------------- helpers

def new_backup_second() -> None:
    """Until the clock shows a second no backup is named after (backups are named by the second)."""
    names = [p.name for p in BACKUPS.iterdir()] if BACKUPS.exists() else []
    assert wait_until(lambda: not any(time.strftime("%Y-%m-%d_%H%M%S") in n for n in names), 5, step=0.05)


LATE_PHRASE = "проверка сквозного теста журнала"  # a late change's reason must be a real phrase (0018)


def sh(cmd: list[str], *, timeout: float = 60, env: dict | None = None, input: str | None = None,
       check: bool = False) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout, env=env,
                          input=input, cwd="/", check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} → {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def psql(sql: str, db: str = "ejournal", user: str = "postgres") -> str:
    """As an OS user over the socket: peer authentication decides who the session is."""
    proc = sh(["runuser", "-u", user, "--", str(PG_BIN / "psql"), "-X", "-q", "-A", "-t", "-F", "|",
               "-v", "ON_ERROR_STOP=1", "-h", SOCKET, "-p", PGPORT, "-d", db, "-c", sql])
    if proc.returncode != 0:
        raise psycopg.Error(proc.stderr.strip())
    return proc.stdout.strip()


def rows(sql: str, db: str = "ejournal", user: str = "postgres") -> list[list[str]]:
    out = psql(sql, db, user)
    return [line.split("|") for line in out.splitlines()] if out else []


def staff(login: str) -> tuple[int, str]:
    sid, name = rows(f"SELECT id, full_name FROM ej.staff WHERE login = '{login}'")[0]
    return int(sid), name


def group_names(login: str) -> list[str]:
    return [r[0] for r in rows(
        "SELECT g.name FROM ej.study_group g JOIN ej.staff s ON s.id = g.teacher_id "
        f"WHERE s.login = '{login}' ORDER BY g.name")]


def ssh_cmd(user: str, *extra: str, tty: bool = False) -> list[str]:
    return ["ssh", "-F", "/dev/null", "-p", SSHPORT, "-i", str(DIR / "keys" / user),
            "-o", "IdentitiesOnly=yes", "-o", f"UserKnownHostsFile={DIR / 'keys' / 'known_hosts'}",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
            "-o", "LogLevel=ERROR", *(["-tt"] if tty else []), f"{user}@127.0.0.1", *extra]


class Pane:
    """A program in a tmux pseudo-terminal: keys in, screen text out."""

    def __init__(self, name: str, command: list[str], width: int = 120, height: int = 40,
                 env: dict[str, str] | None = None):
        self.name = name
        envargs = [a for k, v in (env or {}).items() for a in ("-e", f"{k}={v}")]
        sh([*TMUX, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height),
            *envargs, "sleep 0.3; exec " + " ".join(_quote(c) for c in command)], check=True)
        sh([*TMUX, "set-option", "-t", name, "remain-on-exit", "on"], check=True)

    def screen(self) -> str:
        return sh([*TMUX, "capture-pane", "-p", "-t", self.name]).stdout

    def wait_for(self, what, timeout: float = 30) -> str:
        test = what if callable(what) else (lambda s: what in s)

        def shown() -> str | None:
            text = self.screen()
            return text if test(text) else None

        text = wait_until(shown, timeout, step=0.3)
        if text is None:
            raise AssertionError(f"not on the screen after {timeout} s: {what!r}\n--- screen:\n{self.screen()}")
        return text

    def keys(self, *keys: str) -> None:
        sh([*TMUX, "send-keys", "-t", self.name, *keys], check=True)

    def type(self, text: str) -> None:
        sh([*TMUX, "send-keys", "-t", self.name, "-l", text], check=True)

    def resize(self, width: int, height: int) -> None:
        sh([*TMUX, "resize-window", "-t", self.name, "-x", str(width), "-y", str(height)], check=True)

    def dead(self) -> bool:
        return sh([*TMUX, "display-message", "-p", "-t", self.name, "#{pane_dead}"]).stdout.strip() == "1"

    def kill(self) -> None:
        sh([*TMUX, "kill-session", "-t", self.name])


def _quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def backends(login: str) -> list[list[str]]:
    return rows("SELECT application_name, coalesce(client_addr::text, 'socket') FROM pg_stat_activity "
                f"WHERE usename = '{login}' AND datname = 'ejournal'")


# ---------------------------------------------------------------------------- sshd and the wrapper

def test_sshd_puts_the_group_into_the_journal_without_forwarding():
    out = sh(["/usr/sbin/sshd", "-T", "-f", str(DIR / "sshd" / "sshd_config"),
              "-C", f"user={T1},host=localhost,addr=127.0.0.1"], check=True).stdout.lower()
    assert f"forcecommand {BIN / 'ejournal-ssh'}".lower() in out
    for line in ("permittty yes", "allowtcpforwarding no", "x11forwarding no", "allowagentforwarding no",
                 "permittunnel no", "disableforwarding yes", "allowstreamlocalforwarding no"):
        assert line in out.splitlines(), line
    outsider = sh(["/usr/sbin/sshd", "-T", "-f", str(DIR / "sshd" / "sshd_config"),
                   "-C", f"user={OUTSIDER},host=localhost,addr=127.0.0.1"], check=True).stdout.lower()
    assert "forcecommand none" in outsider.splitlines()
    assert f"allowgroups {GROUP}" in outsider.splitlines()


def test_os_accounts_are_key_only_and_land_in_the_wrapper():
    for login in (T1, T2):
        entry = sh(["getent", "passwd", login], check=True).stdout.strip().split(":")
        assert entry[6] == str(BIN / "ejournal-ssh")
        assert login in sh(["id", "-nG", login], check=True).stdout.split()
        assert sh(["getent", "shadow", login], check=True).stdout.split(":")[1] == "*"
        keys = Path(entry[5]) / ".ssh" / "authorized_keys"
        st = keys.stat()
        assert (st.st_uid, oct(st.st_mode & 0o777)) == (0, "0o644")
        assert keys.read_text().startswith("restrict,pty ssh-ed25519 ")


def _fake_ejournal(tmp: Path) -> tuple[Path, Path]:
    """A copy of the wrapper whose 'ejournal' only records what it was given."""
    out = tmp / "seen"
    fake = tmp / "fake-ejournal"
    fake.write_text(f'#!/bin/sh\n{{ echo "ARGS=$*"; env; [ -t 0 ] && echo TTY=yes; }} > {out}\n')
    fake.chmod(0o755)
    conf = tmp / "ejournal.conf"
    conf.write_text(f"EJOURNAL_BIN='{fake}'\nPGHOST='{SOCKET}'\nPGPORT='{PGPORT}'\nPGDATABASE='ejournal'\n")
    wrapper = tmp / "ejournal-ssh"
    text = (REPO / "scripts" / "ejournal-ssh").read_text()
    wrapper.write_text(re.sub(r"(?m)^EJOURNAL_CONF=.*$", f"EJOURNAL_CONF={conf}", text))
    wrapper.chmod(0o755)
    return wrapper, out


def _run_in_pty(cmd: list[str], env: dict[str, str]) -> tuple[int, str]:
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    output = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    return proc.wait(timeout=10), output.decode(errors="replace")


@pytest.mark.parametrize(("given", "expected"), [
    ({}, {"TERM": "xterm-256color", "TEXTUAL_COLOR_SYSTEM": "256"}),
    ({"TERM": "dumb"}, {"TERM": "xterm-256color", "TEXTUAL_COLOR_SYSTEM": "256"}),
    ({"TERM": "xterm", "COLORTERM": "truecolor"}, {"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "truecolor"}),
    ({"TERM": "putty"}, {"TERM": "putty", "TEXTUAL_COLOR_SYSTEM": "256"}),
    ({"TERM": "linux"}, {"TERM": "linux", "TEXTUAL_COLOR_SYSTEM": "standard"}),
    ({"TERM": "xterm-256color", "LANG": "ru_RU.KOI8-R", "LC_ALL": "ru_RU.KOI8-R", "PGUSER": "postgres",
      "PGHOST": "/elsewhere", "PGSERVICE": "x", "SSH_ORIGINAL_COMMAND": "/bin/sh -i"},
     {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PGUSER": "root", "PGHOST": SOCKET, "PGPORT": PGPORT,
      "PGDATABASE": "ejournal", "PGSERVICE": None, "SSH_ORIGINAL_COMMAND": None}),
])
def test_wrapper_sets_terminal_locale_and_connection(tmp_path, given, expected):
    wrapper, seen = _fake_ejournal(tmp_path)
    env = {"PATH": "/usr/bin:/bin", "HOME": "/root", **given}
    code, _ = _run_in_pty([str(wrapper), "-c", "rm -rf / ; sh -i"], env)  # as a login shell would
    assert code == 0
    got = dict(line.split("=", 1) for line in seen.read_text().splitlines() if "=" in line)
    assert got["ARGS"] == "tui" and got["TTY"] == "yes"
    for key, value in expected.items():
        assert got.get(key) == value, (key, got.get(key))


def test_wrapper_refuses_without_a_terminal(tmp_path):
    wrapper, seen = _fake_ejournal(tmp_path)
    proc = sh([str(wrapper)], env={"PATH": "/usr/bin:/bin"}, input="")
    assert proc.returncode == 1
    assert "только в терминале" in proc.stderr
    assert not seen.exists()


# ---------------------------------------------------------------------------- teachers over SSH

@pytest.fixture(scope="module")
def t1_pane():
    pane = Pane("t1", ssh_cmd(T1, tty=True), env={"TERM": "xterm-256color"})
    yield pane
    pane.kill()


ACK_HEAD = "Прочитайте и подтвердите"  # on the acknowledgment screen only (not in its toast)


def through_acknowledgment(pane) -> None:
    """The first login shows the regulation's duties to confirm; confirm them. The screen may
    come a moment after the name is drawn, and a key sent while it mounts can be lost (a slow
    terminal, TERM=dumb through ssh): wait for one screen or the other, then press Enter until
    the screen is gone."""
    screen = pane.wait_for(lambda s: ACK_HEAD in s or "Мои группы" in s, timeout=40)
    if ACK_HEAD not in screen:
        return
    for _ in range(5):
        pane.wait_for(lambda s: ACK_HEAD not in s or "ознакомлен(а)" in s, timeout=20)  # its footer: ready
        pane.keys("Enter")
        if wait_until(lambda: ACK_HEAD not in pane.screen(), timeout=8):
            return
    raise AssertionError("the acknowledgment did not take Enter:\n" + pane.screen())


def test_teacher_logs_in_with_a_key_and_sees_own_journal(t1_pane):
    _, name = staff(T1)
    screen = t1_pane.wait_for(name, timeout=40)
    assert "педагог" in screen
    through_acknowledgment(t1_pane)
    mine = group_names(T1)
    t1_pane.wait_for(lambda s: all(g in my_groups(s) for g in mine), timeout=20)
    # The session is the OS login, over the Unix socket (peer authentication).
    seen = wait_until(lambda: backends(T1))
    assert seen and all(addr == "socket" for _, addr in seen), seen


def test_teacher_marks_a_lesson_and_the_database_has_it(t1_pane):
    if not (REPO / "ejournal_tui" / "tui" / "screens" / "teacher" / "journal.py").exists():
        pytest.skip("the journal screen is not built yet")
    sid, _ = staff(T1)
    count = f"SELECT count(*) FROM audit.log WHERE actor = '{T1}' AND table_name = 'attendance'"
    before = int(psql(count))
    t1_pane.keys("Enter")  # the home screen: open the journal of the selected group
    t1_pane.wait_for("Обучающийся", timeout=20)  # the journal grid's header
    marked = False
    for _ in range(6):
        t1_pane.keys("y")  # «н»: absent (the Latin key of the same place)
        if wait_until(lambda: int(psql(count)) > before, timeout=4):
            marked = True
            break
        screen = t1_pane.screen()
        if "Занятие группы" in screen:  # an unfilled lesson: the editor asks for its topic first
            if "Причина" in screen:  # filled late: one reason for the lesson, a real phrase (its field has the focus)
                t1_pane.keys("C-a")
                t1_pane.type(LATE_PHRASE)
            t1_pane.keys("C-s")  # save with the suggested КТП topic; the mark follows
            if wait_until(lambda: int(psql(count)) > before, timeout=6):
                marked = True
                break
            screen = t1_pane.screen()
        if "причину" in screen:  # a correction more than 3 days late asks why
            t1_pane.type(LATE_PHRASE)
            t1_pane.keys("Enter")
            if wait_until(lambda: int(psql(count)) > before, timeout=6):
                marked = True
                break
        t1_pane.keys("Down")
    assert marked, t1_pane.screen()
    status, updated_by, group_teacher = rows(
        f"SELECT a.status, a.updated_by, g.teacher_id FROM audit.log l "
        f"JOIN ej.attendance a ON a.lesson_id = (l.row_key->>'lesson_id')::bigint "
        f" AND a.student_id = (l.row_key->>'student_id')::bigint "
        f"JOIN ej.study_group g ON g.id = a.group_id "
        f"WHERE l.actor = '{T1}' AND l.table_name = 'attendance' ORDER BY l.id DESC LIMIT 1")[0]
    assert status == "absent"
    assert int(updated_by) == sid and int(group_teacher) == sid


def test_terminal_resize_reaches_the_app(t1_pane):
    before = t1_pane.screen().splitlines()
    t1_pane.resize(90, 28)

    def redrawn(s: str) -> bool:
        lines = s.splitlines()
        return len(lines) == 28 and bool(lines[-1].strip()) and max(len(x) for x in lines) <= 90
    t1_pane.wait_for(redrawn, timeout=10)
    assert before != t1_pane.screen().splitlines()


def test_quitting_ends_the_session_and_its_database_connection(t1_pane):
    t1_pane.keys("C-q")
    assert wait_until(t1_pane.dead, timeout=15), t1_pane.screen()
    assert wait_until(lambda: not backends(T1), timeout=10)
    assert wait_until(lambda: sh(["pgrep", "-u", T1]).returncode != 0, timeout=10)


def pg_ctl(action: str) -> None:
    """The live server (install-server --datadir: a plain pg_ctl server)."""
    data = DIR / "pgdata"
    extra = ["-m", "fast"] if action == "stop" else ["-l", str(data / "server.log"), "-t", "60"]
    sh(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", *extra, action],
       timeout=90, check=True)


def outbox_files(login: str) -> list[Path]:
    home = Path(sh(["getent", "passwd", login], check=True).stdout.strip().split(":")[5])
    return sorted((home / ".local" / "share" / "ejournal" / "outbox").glob(f"{login}-*.jsonl"))


def info_lines(screen: str) -> str:
    """The journal's two lines about the cell under the cursor (above the footer)."""
    return "\n".join(screen.rstrip("\n").splitlines()[-3:-1])


def test_marks_typed_while_the_server_is_down_survive_closing_the_tmux_window():
    """Issue 11: the teacher types marks while PostgreSQL is stopped, the tmux window (the SSH
    client) is closed, so SIGHUP reaches the app; after the server is back the next login
    replays the outbox and the database holds each mark exactly once (the audit log too)."""
    if not (REPO / "ejournal_tui" / "outbox.py").exists():
        pytest.skip("the outbox is not built yet")
    # Today's lesson in every group of the teacher, with a topic and no marks: the journal opens on
    # it (the latest date up to today) and a mark is a first filling, not a late correction.
    psql(f"""BEGIN; SELECT ej.set_reason('подготовка сквозного теста');
        INSERT INTO ej.lesson (group_id, held_on, hours, topic)
          SELECT g.id, ej.today(g.organization_id), 2, 'Тема сквозного теста' FROM ej.study_group g
            JOIN ej.staff s ON s.id = g.teacher_id JOIN ej.iteration i ON i.id = g.iteration_id
           WHERE s.login = '{T1}' AND i.status = 'active'
             AND ej.today(g.organization_id) BETWEEN i.starts_on AND i.ends_on
          ON CONFLICT (group_id, held_on) DO NOTHING;
        DELETE FROM ej.attendance a USING ej.lesson l, ej.study_group g, ej.staff s
         WHERE a.lesson_id = l.id AND l.group_id = g.id AND g.teacher_id = s.id AND s.login = '{T1}'
           AND l.held_on = ej.today(g.organization_id);
        COMMIT;""")
    today = psql(f"SELECT to_char(ej.today(organization_id), 'DD.MM.YYYY') FROM ej.staff WHERE login = '{T1}'")
    audit_from = int(psql("SELECT coalesce(max(id), 0) FROM audit.log"))
    today_marks = (
        "SELECT a.student_id, a.status FROM ej.attendance a JOIN ej.lesson l ON l.id = a.lesson_id "
        f"JOIN ej.study_group g ON g.id = l.group_id JOIN ej.staff s ON s.id = g.teacher_id "
        f"WHERE s.login = '{T1}' AND l.held_on = ej.today(g.organization_id) ORDER BY 1")
    for f in outbox_files(T1):
        f.unlink()

    pane = Pane("t1-outbox", ssh_cmd(T1, tty=True), width=80, height=24, env={"TERM": "xterm-256color"})
    stopped = False
    try:
        through_acknowledgment(pane)
        pane.wait_for(lambda s: any(g in s for g in group_names(T1)), timeout=30)
        pane.keys("Enter")  # a journal of the teacher (the home chooses which group and date)
        pane.wait_for("Присутствовали", timeout=30)  # the grid's total row: the journal is loaded
        cell = info_lines(pane.screen())
        for _ in range(80):  # to today's column: the cell line names the date under the cursor
            if today in cell:
                break
            pane.keys("Right")
            moved = pane.wait_for(lambda s, before=cell: info_lines(s) != before, timeout=10)
            cell = info_lines(moved)
        pane.wait_for(lambda s: today in info_lines(s), timeout=10)
        pg_ctl("stop")
        stopped = True
        n = 0
        for _ in range(8):  # «н» (absent) for three pupils; the cursor moves down after each
            pane.keys("y")
            try:
                pane.wait_for(f"Не сохранено: {n + 1}", timeout=10)
                n += 1
            except AssertionError:  # not in the group that day: the next row
                pane.keys("Down")
            if n == 3:
                break
        pane.wait_for("Нет связи с базой. Не сохранено: 3", timeout=5)
        assert wait_until(lambda: outbox_files(T1), timeout=10), "no outbox file"
        pane.kill()  # the tmux window closes: the SSH client ends, sshd hangs up the app (SIGHUP)
        assert wait_until(lambda: sh(["pgrep", "-u", T1]).returncode != 0, timeout=20), \
            sh(["ps", "-u", T1, "-o", "pid,args"]).stdout
        files = outbox_files(T1)
        assert files and files[0].stat().st_mode & 0o777 == 0o600
        lines = [line for f in files for line in f.read_text().splitlines()]
        assert sum('"k": "mark"' in line for line in lines) >= 3, lines  # kept on disk
    finally:
        if stopped:
            pg_ctl("start")
    assert rows(today_marks) == []  # nothing reached the database while it was down

    pane = Pane("t1-replay", ssh_cmd(T1, tty=True), width=80, height=24, env={"TERM": "xterm-256color"})
    try:
        assert wait_until(lambda: len(rows(today_marks)) >= 3, timeout=60), pane.screen()
        pane.wait_for("Изменения прошлого сеанса", timeout=30)
        assert wait_until(lambda: not outbox_files(T1), timeout=30), outbox_files(T1)
        marks = rows(today_marks)
        assert len(marks) == 3 and all(status == "absent" for _, status in marks), marks
        changes = rows(
            f"SELECT row_key->>'student_id', count(*) FROM audit.log WHERE id > {audit_from} "
            f"AND table_name = 'attendance' AND actor = '{T1}' GROUP BY 1 ORDER BY 1")
        assert changes == [[sid, "1"] for sid, _ in marks], changes  # one change per mark
        pane.keys("C-q")
        assert wait_until(pane.dead, timeout=15), pane.screen()
    finally:
        pane.kill()


def test_second_teacher_sees_only_own_groups_even_asking_for_a_shell():
    _, name1 = staff(T1)
    _, name2 = staff(T2)
    mine, theirs = group_names(T2), group_names(T1)
    only_theirs = [g for g in theirs if not any(g in m for m in mine)]
    assert mine and only_theirs
    # A dumb terminal and a command: the wrapper ignores the command and fixes TERM.
    pane = Pane("t2", ssh_cmd(T2, "echo SHELL_OK; exec /bin/sh -i", tty=True), env={"TERM": "dumb"})
    try:
        screen = pane.wait_for(name2, timeout=40)
        through_acknowledgment(pane)
        screen = pane.wait_for(lambda s: all(g in my_groups(s) for g in mine), timeout=20)
        assert "SHELL_OK" not in screen
        assert name1 not in screen
        listed = my_groups(screen)
        assert not [g for g in only_theirs if g in listed], listed
    finally:
        pane.kill()


def my_groups(screen: str) -> str:
    """The «Мои группы» table of the home screen (the board post below may name any group)."""
    lines = screen.splitlines()
    start = next((i for i, line in enumerate(lines) if "Мои группы" in line), None)
    if start is None:
        return ""
    out = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        out.append(line)
    return "\n".join(out)


def test_second_teacher_reads_no_row_of_the_first_ones_groups():
    sid1, _ = staff(T1)
    assert psql("SELECT session_user", user=T2) == T2
    for table in ("study_group", "lesson", "attendance", "enrollment"):
        col = "teacher_id" if table == "study_group" else "group_id"
        cond = f"teacher_id = {sid1}" if col == "teacher_id" else \
            f"group_id IN (SELECT id FROM ej.study_group WHERE teacher_id = {sid1})"
        assert int(psql(f"SELECT count(*) FROM ej.{table} WHERE {cond}")) > 0, table  # it exists
        assert psql(f"SELECT count(*) FROM ej.{table} WHERE {cond}", user=T2) == "0", table
    group = psql("SELECT min(g.id) FROM ej.study_group g JOIN ej.iteration i ON i.id = g.iteration_id "
                 f"WHERE g.teacher_id = {sid1} AND i.status = 'active'")
    with pytest.raises(psycopg.Error, match=r"row-level security|permission denied|не найден"):
        psql(f"INSERT INTO ej.lesson (group_id, held_on, hours, topic, organization_id) "
             f"SELECT {group}, current_date, 2, 'чужое', 1", user=T2)
    # Peer authentication: an OS user cannot name another role.
    proc = sh(["runuser", "-u", T2, "--", str(PG_BIN / "psql"), "-X", "-h", SOCKET, "-p", PGPORT,
               "-U", T1, "-d", "ejournal", "-c", "SELECT 1"])
    assert proc.returncode != 0 and "Peer authentication failed" in proc.stderr


def test_no_command_no_shell_no_files_without_a_terminal():
    proc = sh(ssh_cmd(T1, "echo SHELL_OK"), timeout=30)
    assert proc.returncode != 0 and "SHELL_OK" not in proc.stdout
    assert "только в терминале" in proc.stderr
    proc = sh(ssh_cmd(T1), timeout=30, input="echo SHELL_OK\n")  # no -t, stdin not a terminal
    assert proc.returncode != 0 and "SHELL_OK" not in proc.stdout
    sftp = ["sftp", "-F", "/dev/null", "-P", SSHPORT, "-i", str(DIR / "keys" / T1),
            "-o", "IdentitiesOnly=yes", "-o", f"UserKnownHostsFile={DIR / 'keys' / 'known_hosts'}",
            "-o", "BatchMode=yes", "-b", "-", f"{T1}@127.0.0.1"]
    proc = sh(sftp, input="ls /\n", timeout=30)
    assert proc.returncode != 0 and "etc" not in proc.stdout


def test_no_port_forwarding():
    proc = sh(ssh_cmd(T1, "-W", f"127.0.0.1:{PGPORT}"), timeout=30, input="")
    assert proc.returncode != 0
    assert "prohibited" in proc.stderr or "forwarding" in proc.stderr.lower(), proc.stderr


def test_user_outside_the_group_gets_nothing():
    proc = sh(ssh_cmd(OUTSIDER, "echo SHELL_OK"), timeout=30)
    assert proc.returncode == 255 and "SHELL_OK" not in proc.stdout
    assert "Permission denied" in proc.stderr
    log = (DIR / "sshd" / "sshd.log").read_text(errors="replace")
    assert re.search(rf"User {OUTSIDER} .*not allowed because none of user's groups are listed in "
                     "AllowGroups", log)
    proc = sh(["runuser", "-u", OUTSIDER, "--", str(PG_BIN / "psql"), "-X", "-h", SOCKET, "-p", PGPORT,
               "-d", "ejournal", "-c", "SELECT 1"])
    assert proc.returncode != 0  # no database role either


# ---------------------------------------------------------------------------- LAN: TLS + scram

@pytest.fixture(scope="module")
def lan_env(tmp_path_factory) -> dict[str, str]:
    d = tmp_path_factory.mktemp("lan")
    shutil.copy(ETC / "tls" / "server.crt", d / "ejournal-server.crt")
    (d / "pg_service.conf").write_text(
        (REPO / "deploy" / "client" / "pg_service.conf").read_text()
        .replace("journal.example.lan", "127.0.0.1").replace("port=5432", f"port={PGPORT}")
        .replace("LOGIN", T1) + f"sslrootcert={d / 'ejournal-server.crt'}\n")
    pgpass = d / "pgpass"
    pgpass.write_text(f"127.0.0.1:{PGPORT}:ejournal:{T1}:{E['E2E_LAN_PASSWORD']}\n")
    pgpass.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k != "EJOURNAL_DSN"}
    env.update(PGSERVICEFILE=str(d / "pg_service.conf"), PGPASSFILE=str(pgpass), PGSERVICE="ejournal")
    return env


def test_lan_login_with_service_file_and_pgpass_over_tls(lan_env, monkeypatch):
    for k in list(os.environ):
        if k.startswith("PG"):
            monkeypatch.delenv(k)
    for k in ("PGSERVICEFILE", "PGPASSFILE", "PGSERVICE"):
        monkeypatch.setenv(k, lan_env[k])
    with psycopg.connect("") as conn:
        row = conn.execute(
            "SELECT session_user, ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
    assert row is not None
    user, ssl, version = row
    assert (user, ssl) == (T1, True) and version.startswith("TLSv1.")
    with pytest.raises(psycopg.OperationalError):  # no TLS: refused by pg_hba
        psycopg.connect("sslmode=disable")
    with pytest.raises(psycopg.OperationalError):  # a wrong password
        psycopg.connect("password=wrong", passfile="/dev/null")
    with pytest.raises(psycopg.OperationalError):  # a teacher without a LAN password
        psycopg.connect(f"user={T2}")
    with pytest.raises(psycopg.OperationalError, match=r"certificate|match"):  # a name not in the certificate
        psycopg.connect(f"host=127.0.0.2 hostaddr=127.0.0.1 port={PGPORT}")


def test_the_journal_runs_on_a_lan_pc(lan_env):
    _, name = staff(T1)
    env = {k: lan_env[k] for k in ("PGSERVICEFILE", "PGPASSFILE", "PGSERVICE")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    pane = Pane("lan", [str(BIN / "ejournal")], env=env)
    try:
        pane.wait_for(name, timeout=40)
        assert wait_until(lambda: any(addr.startswith("127.0.0.1") for _, addr in backends(T1)))
        pane.keys("C-q")
        assert wait_until(pane.dead, timeout=15)
    finally:
        pane.kill()


# ---------------------------------------------------------------------------- backups and restore

def digests(db: str) -> dict[str, tuple[str, str]]:
    """Per table: row count and md5 of the rows in a fixed order; plus every sequence."""
    tables = [r[0] for r in rows(
        "SELECT format('%I.%I', n.nspname, c.relname) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('ej', 'audit', 'ejournal_meta') ORDER BY 1", db)]
    query = " UNION ALL ".join(
        f"SELECT '{t}', count(*)::text, "
        f"md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM {t} x"
        for t in tables)
    out = {t: (n, md5) for t, n, md5 in rows(query, db)}
    for seq, value in rows("SELECT schemaname || '.' || sequencename, coalesce(last_value, 0) "
                           "FROM pg_sequences WHERE schemaname IN ('ej', 'audit', 'ejournal_meta')", db):
        out[f"sequence {seq}"] = (value, "")
    return out


def dumps() -> list[Path]:
    return sorted(BACKUPS.glob("ejournal-*.dump"))


@pytest.fixture(scope="module")
def backup() -> Path:
    proc = sh([str(SBIN / "ejournal-backup")], timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "backup: OK" in proc.stdout
    return dumps()[-1]


def test_backup_writes_a_dated_verified_dump(backup):
    assert re.fullmatch(r"ejournal-\d{4}-\d{2}-\d{2}_\d{6}\.dump", backup.name)
    assert (backup.parent / (backup.name + ".sha256")).exists()
    assert (backup.parent / backup.name.replace(".dump", "-roles.sql")).read_text().count("CREATE ROLE")
    assert sh([str(PG_BIN / "pg_restore"), "--list", str(backup)]).returncode == 0
    assert not list(BACKUPS.glob("*.partial"))


def test_restore_into_a_new_database_has_the_same_content(backup):
    proc = sh([str(SBIN / "ejournal-restore"), str(backup)], timeout=180)
    assert proc.returncode == 0, proc.stderr
    newdb = re.search(r"restored into (\w+)", proc.stdout).group(1)
    assert newdb.startswith("ejournal_restore_")
    live, restored = digests("ejournal"), digests(newdb)
    assert int(live["ej.attendance"][0]) > 1000
    assert restored == live
    assert re.search(r"ej\.attendance\s+(\d+)\s+\1", proc.stdout)  # its report: restored vs live
    assert psql(f"SELECT has_database_privilege('ej_teacher', '{newdb}', 'CONNECT')") == "t"
    psql(f"DROP DATABASE {newdb}", db="postgres")


def _fake_bindir(tmp: Path, damage: str) -> Path:
    """PostgreSQL tools where pg_dump writes a damaged file (as a failing disk would)."""
    fake = tmp / f"bin-{damage}"
    fake.mkdir()
    for tool in PG_BIN.iterdir():
        (fake / tool.name).symlink_to(tool)
    (fake / "pg_dump").unlink()
    spoil = {"truncate": 'truncate -s $(( $(stat -c %s "$out") / 2 )) "$out"',
             "flip": 'printf "\\377\\377\\377\\377\\377\\377\\377\\377" | dd of="$out" bs=1 '
                     'seek=$(( $(stat -c %s "$out") * 2 / 3 )) conv=notrunc 2>/dev/null'}[damage]
    (fake / "pg_dump").write_text(
        "#!/bin/sh\nset -e\n"
        f'{PG_BIN}/pg_dump "$@"\n'
        'for a in "$@"; do case "$a" in --file=*) out=${a#--file=} ;; esac; done\n'
        f"{spoil}\n")
    (fake / "pg_dump").chmod(0o755)
    fake.chmod(0o755)
    tmp.chmod(0o755)
    return fake


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_backup_detects_a_damaged_dump(tmp_path, backup, damage):
    before = {p.name: p.stat().st_mtime for p in BACKUPS.iterdir()}
    new_backup_second()  # the failed backup must not take an existing name
    fake = _fake_bindir(tmp_path, damage)
    proc = sh([str(SBIN / "ejournal-backup"), "--pg-bindir", str(fake)], timeout=600)
    assert proc.returncode != 0
    assert "backup: FAILED" in proc.stderr and "damaged" in proc.stderr, proc.stderr
    after = {p.name: p.stat().st_mtime for p in BACKUPS.iterdir()}
    assert after == before  # nothing half-written, nothing rotated away


def test_restore_refuses_a_damaged_dump(tmp_path, backup):
    databases = "SELECT count(*) FROM pg_database"
    n = psql(databases)
    flipped = tmp_path / "flipped.dump"
    data = bytearray(backup.read_bytes())
    for part in range(1, 8):  # several places: one may fall where pg_restore reads nothing
        at = len(data) * part // 8
        data[at:at + 16] = b"\xff" * 16
    flipped.write_bytes(bytes(data))
    # Without the manifest's checksum: pg_restore's own checks must catch it.
    proc = sh([str(SBIN / "ejournal-restore"), str(flipped), "--force-unverified"], timeout=120)
    assert proc.returncode != 0 and "restore: FAILED" in proc.stderr, proc.stderr
    # With its checksum file beside it, the damage is named before anything is created.
    shutil.copy(backup.parent / (backup.name + ".sha256"), tmp_path / "flipped.dump.sha256")
    (tmp_path / "flipped.dump.sha256").write_text(
        (tmp_path / "flipped.dump.sha256").read_text().replace(backup.name, "flipped.dump"))
    proc = sh([str(SBIN / "ejournal-restore"), str(flipped)], timeout=120)
    assert proc.returncode != 0 and "checksum" in proc.stderr
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    proc = sh([str(SBIN / "ejournal-restore"), str(truncated), "--force-unverified"], timeout=120)
    assert proc.returncode != 0 and "restore: FAILED" in proc.stderr
    assert psql(databases) == n  # no half-restored database left behind


def test_backup_writes_a_manifest_of_its_own_snapshot(backup):
    manifest = backup.with_suffix(".manifest")
    lines = manifest.read_text().splitlines()
    assert any(re.fullmatch(r"schema [0-9a-f]{64}", x) for x in lines)
    assert any(re.fullmatch(r"table ej\.attendance [1-9]\d* -?\d+", x) for x in lines)
    sha = (backup.parent / (backup.name + ".sha256")).read_text().split()[0]
    assert f"dump-sha256 {sha}" in lines
    assert sh([str(SBIN / "ejournal-manifest"), "check", "ejournal", str(manifest)],
              env={"PATH": "/usr/bin:/bin", "PGHOST": SOCKET, "PGPORT": PGPORT, "PGUSER": "postgres",
                   "PSQL": str(PG_BIN / "psql")}).returncode == 0  # nothing was written since


def _databases() -> str:
    return psql("SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_database", db="postgres")


def test_restore_refuses_a_dump_without_its_manifest_unless_forced(tmp_path, backup):
    bare = tmp_path / "bare.dump"
    shutil.copy(backup, bare)
    before = _databases()
    proc = sh([str(SBIN / "ejournal-restore"), str(bare)], timeout=120)
    assert proc.returncode != 0 and "restore: FAILED" in proc.stderr and "no manifest" in proc.stderr, proc.stderr
    assert "--force-unverified" in proc.stderr
    assert _databases() == before
    proc = sh([str(SBIN / "ejournal-restore"), str(bare), "--force-unverified"], timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "CANNOT be proven" in proc.stdout
    newdb = re.search(r"restored into (\w+)", proc.stdout).group(1)
    psql(f"DROP DATABASE {newdb}", db="postgres")


@pytest.mark.parametrize("change", [
    "ALTER POLICY org_read ON ej.student USING (true)",  # the deputy would see every organization
    "GRANT SELECT ON ej.student TO PUBLIC",
    "CREATE OR REPLACE FUNCTION ej.current_org_id() RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint'",
    "SET session_replication_role = replica; "
    "DELETE FROM ej.attendance WHERE ctid = (SELECT min(ctid) FROM ej.attendance)",
])
def test_restore_refuses_a_dump_changed_after_the_backup(tmp_path, backup, change):
    """As someone with write access to the backup files would: restore, change, dump again, and
    fix up the file checksums; the manifest's tables and schema hash still tell."""
    scratch = "ejournal_e2e_tamper"
    proc = sh([str(SBIN / "ejournal-restore"), str(backup), "--dbname", scratch], timeout=180)
    assert proc.returncode == 0, proc.stderr
    try:
        if "current_org_id" in change:
            change = change.replace("RETURNS bigint", "RETURNS " + psql(
                "SELECT pg_get_function_result('ej.current_org_id()'::regprocedure)", db=scratch))
        psql(change, db=scratch)
        tampered = tmp_path / "tampered.dump"
        with tampered.open("wb") as out:
            subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_dump"), "-h", SOCKET, "-p", PGPORT,
                            "--format=custom", "--create", scratch], stdout=out, check=True, cwd="/")
    finally:
        psql(f"DROP DATABASE {scratch}", db="postgres")
    manifest = backup.with_suffix(".manifest").read_text()
    before = _databases()
    # The manifest as it was: the dump's checksum in it already tells.
    (tmp_path / "tampered.manifest").write_text(manifest)
    proc = sh([str(SBIN / "ejournal-restore"), str(tampered)], timeout=180)
    assert proc.returncode != 0 and "changed or damaged" in proc.stderr, proc.stderr
    # The manifest's checksum line forged too: the restored content is compared and refused.
    sha = subprocess.run(["sha256sum", str(tampered)], capture_output=True, text=True).stdout.split()[0]
    (tmp_path / "tampered.manifest").write_text(re.sub(r"(?m)^dump-sha256 .*$", f"dump-sha256 {sha}", manifest))
    proc = sh([str(SBIN / "ejournal-restore"), str(tampered)], timeout=180)
    assert proc.returncode != 0 and "does NOT match the manifest" in proc.stderr, proc.stderr
    if "attendance" in change:
        assert re.search(r"table ej\.attendance: expected rows/checksum \d+/", proc.stderr), proc.stderr
    else:
        assert "the schema (policies, grants, functions, triggers) differs" in proc.stderr, proc.stderr
    assert _databases() == before  # the half-restored copy was dropped


def test_restore_never_overwrites_the_live_database_by_default(backup):
    proc = sh([str(SBIN / "ejournal-restore"), str(backup), "--dbname", "ejournal"])
    assert proc.returncode != 0 and "--force-live" in proc.stderr


def test_rotation_keeps_newest_per_day_and_per_month(backup):
    # install-server was given --keep-daily 3 --keep-monthly 2
    old = ["2020-01-15_020000", "2020-02-10_020000", "2020-02-20_020000", "2020-03-04_020000",
           "2020-03-04_010000", "2020-03-05_020000"]
    for stamp in old:
        shutil.copy(backup, BACKUPS / f"ejournal-{stamp}.dump")
        (BACKUPS / f"ejournal-{stamp}-roles.sql").write_text("--\n")
    new_backup_second()
    proc = sh([str(SBIN / "ejournal-backup")], timeout=600)
    assert proc.returncode == 0, proc.stderr
    kept = sorted(p.name for p in dumps())
    newest = kept[-1]
    assert kept == ["ejournal-2020-03-04_020000.dump", "ejournal-2020-03-05_020000.dump", newest], kept
    assert not (BACKUPS / "ejournal-2020-01-15_020000-roles.sql").exists()


def test_force_live_swaps_in_the_restored_database_and_keeps_the_old(backup):
    before = digests("ejournal")
    latest = dumps()[-1]
    proc = sh([str(SBIN / "ejournal-restore"), str(latest), "--force-live"], timeout=180)
    assert proc.returncode == 0, proc.stderr
    aside = re.search(r"kept as (\w+)", proc.stdout).group(1)
    assert digests("ejournal") == before
    assert digests(aside) == before
    # Teachers still get in: the database-level grants came back with the dump.
    assert psql("SELECT session_user", user=T2) == T2
    psql(f"DROP DATABASE {aside}", db="postgres")


# ---------------------------------------------------------------------------- capacity

def test_three_hundred_sessions_connect_at_once():
    """install-server --sessions 300: that many teachers' connections at once (TLS + scram, as
    a teacher on a LAN PC would), all open together."""
    assert int(psql("SHOW max_connections")) >= 300 + 50
    from concurrent.futures import ThreadPoolExecutor

    def connect(_):
        return psycopg.connect(host="127.0.0.1", port=PGPORT, dbname="ejournal", user=T1,
                               password=E["E2E_LAN_PASSWORD"], sslmode="require", connect_timeout=60)

    with ThreadPoolExecutor(max_workers=50) as pool:
        conns = list(pool.map(connect, range(300)))
    try:
        assert int(psql(f"SELECT count(*) FROM pg_stat_activity WHERE usename = '{T1}'")) >= 300  # + own TUI
        assert all(c.execute("SELECT 1").fetchone() == (1,) for c in conns)
    finally:
        for c in conns:
            c.close()


# ---------------------------------------------------------------------------- point-in-time recovery

def _unit_command(unit: str) -> list[str]:
    """What a systemd unit install-server ships runs (systemd may not be PID 1 here)."""
    line = next(x for x in (REPO / "deploy" / "systemd" / unit).read_text().splitlines()
                if x.startswith("ExecStart="))
    return line.removeprefix("ExecStart=").replace("/usr/local/sbin/", f"{SBIN}/").split()


def test_pitr_timers_run_a_checked_backup():
    for unit, kind in (("ejournal-pitr-diff.service", "diff"), ("ejournal-pitr-full.service", "full")):
        proc = sh(["runuser", "-u", "postgres", "--", *_unit_command(unit)], timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert "check OK" in proc.stdout and f"OK {kind} backup" in proc.stdout, proc.stdout


def test_pitr_backup_is_loud_when_archiving_is_broken():
    conf = DIR / "ejournal-broken.conf"  # postgres must read it: not under pytest's private tmp
    conf.write_text((ETC / "ejournal.conf").read_text().replace("PGBACKREST_STANZA='ejournal'",
                                                                 "PGBACKREST_STANZA='missing'"))
    conf.chmod(0o644)
    proc = sh(["runuser", "-u", "postgres", "--", str(SBIN / "ejournal-pitr-backup"), "--type", "diff",
               "--config", str(conf)], timeout=120)
    assert proc.returncode == 1
    assert "FAILED" in proc.stderr and "WAL archiving does NOT work" in proc.stderr, proc.stderr
    proc = sh([str(SBIN / "ejournal-backup"), "--config", str(conf), "--no-archive-export"], timeout=120)
    assert proc.returncode == 1 and "pgbackrest check FAILED" in proc.stderr, proc.stderr


def _wait_for_next_second() -> float:
    """Until the clock is 0.2 s into the next second (a moment between two marks, by the second)."""
    target = int(time.time()) + 1.2
    assert wait_until(lambda: time.time() >= target, 3, step=0.05)
    return time.time()


def test_point_in_time_restore_has_exactly_the_marks_before_the_moment():
    """Marks written, the moment T noted, more marks, a table dropped; the cluster restored to T
    holds exactly the marks committed before T and matches the manifest of a dump taken at T."""
    picked = rows("SELECT lesson_id, student_id, row_to_json(a)::text FROM ej.attendance a "
                  "ORDER BY lesson_id DESC, student_id LIMIT 10")
    assert len(picked) == 10
    keys = [f"({lid}, {sid})" for lid, sid, _ in picked]
    replica = "SET session_replication_role = replica; "  # rows as they were: no rule or audit trigger
    psql(replica + f"DELETE FROM ej.attendance WHERE (lesson_id, student_id) IN ({', '.join(keys)})")
    for _, _, row in picked[:5]:  # five marks, one transaction each
        psql(replica + "INSERT INTO ej.attendance SELECT * FROM "
             f"json_populate_record(NULL::ej.attendance, $j${row}$j$::json)")
    new_backup_second()
    proc = sh([str(SBIN / "ejournal-backup"), "--no-archive-export"], timeout=180)  # the dump at T
    assert proc.returncode == 0, proc.stderr
    manifest = dumps()[-1].with_suffix(".manifest")
    moment = time.strftime("%d.%m.%Y %H:%M:%S", time.localtime(_wait_for_next_second()))
    _wait_for_next_second()
    for _, _, row in picked[5:]:  # five more after T
        psql(replica + "INSERT INTO ej.attendance SELECT * FROM "
             f"json_populate_record(NULL::ej.attendance, $j${row}$j$::json)")
    psql("DROP TABLE ej.remark CASCADE")
    count = f"SELECT count(*) FROM ej.attendance WHERE (lesson_id, student_id) IN ({', '.join(keys)})"
    assert psql(count) == "10"

    target = DIR / "pgdata-pitr-e2e"
    # Never over the live data directory without --force-live.
    proc = sh([str(SBIN / "ejournal-restore"), "--to", moment, "--target-dir", str(DIR / "pgdata")], timeout=60)
    assert proc.returncode != 0 and "--force-live" in proc.stderr, proc.stderr
    started = time.monotonic()
    proc = sh([str(SBIN / "ejournal-restore"), "--to", moment, "--target-dir", str(target)], timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    print(f"PITR restore to {moment}: {time.monotonic() - started:.1f} s")
    port = re.search(r"runs on socket \S+ port (\d+)", proc.stdout).group(1)
    try:
        def at_t(sql: str) -> str:
            p = sh(["runuser", "-u", "postgres", "--", str(PG_BIN / "psql"), "-X", "-q", "-A", "-t",
                    "-h", SOCKET, "-p", port, "-d", "ejournal", "-c", sql], check=True)
            return p.stdout.strip()
        found = at_t(f"SELECT lesson_id || ',' || student_id FROM ej.attendance "
                     f"WHERE (lesson_id, student_id) IN ({', '.join(keys)}) ORDER BY 1").splitlines()
        assert sorted(found) == sorted(f"{lid},{sid}" for lid, sid, _ in picked[:5])
        assert at_t("SELECT to_regclass('ej.remark') IS NOT NULL") == "t"
        assert psql("SELECT to_regclass('ej.remark') IS NULL") == "t"  # live: still dropped
        check = sh([str(SBIN / "ejournal-manifest"), "check", "ejournal", str(manifest)],
                   env={"PATH": "/usr/bin:/bin", "PGHOST": SOCKET, "PGPORT": port, "PGUSER": "postgres",
                        "PSQL": str(PG_BIN / "psql")})
        assert check.returncode == 0, check.stdout + check.stderr
        assert psql(count) == "10"  # the live server was not touched
    finally:
        sh(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(target), "-m", "fast", "stop"])
        shutil.rmtree(target, ignore_errors=True)
