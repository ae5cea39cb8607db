"""Nothing typed is lost: the real `ejournal` in a pseudo-terminal queues marks while the database
is unreachable (each one on disk before it is sent), is killed with SIGKILL, and the next start of
the same login saves every mark once. SIGTERM and SIGHUP end it cleanly, keeping the outbox."""

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
from datetime import date
from pathlib import Path

import pytest
from fixed_today import TODAY
from psycopg import sql as pgsql
from staff_tui import acknowledge
from waiting import wait_until

from ejournal_tui.db.connection import connect

TEACHER = "o1_teacher01"
EJOURNAL = str(Path(sys.executable).with_name("ejournal"))


class Terminal:
    """`ejournal` on a pseudo-terminal of 80×24; the output is drained so the app never blocks."""

    def __init__(self, conninfo: str, data_home: Path):
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "XDG_DATA_HOME": str(data_home), "COLUMNS": "80",
               "LINES": "24"}
        self.proc = subprocess.Popen([EJOURNAL, "--dsn", conninfo], stdin=slave, stdout=slave, stderr=slave,
                                     env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def press(self, *keys: str) -> None:
        for key in keys:
            os.write(self.master, {"enter": b"\r"}.get(key, key.encode()))  # the app reads them in order

    def wait_text(self, text: str, seconds: float = 30) -> None:
        wait(lambda: text.encode() in self.output, seconds, f"the screen to show {text!r}")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        os.close(self.master)


def wait(condition, seconds: float, what: str) -> None:
    assert wait_until(condition, seconds, step=0.05), f"waited {seconds} s for {what}"


@pytest.fixture
def first_group(sql):
    """The group and date Enter on the teacher's home opens (the oldest overdue lesson, else the
    first group's latest date), held and without marks; the first three pupils enrolled that day."""
    from ejournal_tui.db import home, journal

    acknowledge(sql, TEACHER)

    def opened():
        with sql.as_user(TEACHER):
            h = home.home(sql.conn, TODAY)
            if h.due:
                return h.due[0].group_id, h.due[0].held_on
            grid = journal.grid(sql.conn, h.groups[0].id)
            return h.groups[0].id, max(x.held_on for x in grid.lessons if x.held_on <= TODAY)

    group_id, day = opened()
    with sql.conn.transaction():  # the lesson held, its marks not yet given
        sql.run("SELECT ej.set_reason('подготовка теста')")
        sql.run("""INSERT INTO ej.lesson (group_id, held_on, hours, topic) VALUES (%s, %s, 2, 'Тема')
                   ON CONFLICT (group_id, held_on) DO NOTHING""", (group_id, day))
        sql.run("""DELETE FROM ej.attendance WHERE lesson_id = (SELECT id FROM ej.lesson
                    WHERE group_id = %s AND held_on = %s)""", (group_id, day))
    with sql.as_user(TEACHER):
        grid = journal.grid(sql.conn, group_id)
    if opened() != (group_id, day) or not all(s.enrolled(day) for s in grid.students[:3]):
        pytest.skip("the demo data has no date that suits this test")
    return group_id, grid.group.name, day, [s.id for s in grid.students[:3]]


def outbox_lines(data_home: Path) -> list[str]:
    return [line for p in (data_home / "ejournal" / "outbox").glob(f"{TEACHER}-*.jsonl")
            for line in p.read_text().splitlines()]


def marks(sql, group_id: int, day: date) -> dict[int, str]:
    rows = sql.run(
        """SELECT a.student_id, a.status FROM ej.attendance a JOIN ej.lesson l ON l.id = a.lesson_id
            WHERE l.group_id = %s AND l.held_on = %s""",
        (group_id, day),
    )
    return {r["student_id"]: r["status"] for r in rows}


@pytest.mark.parametrize("end", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_marks_queued_offline_survive_the_end_of_the_process(login_conninfo, sql, server, db, first_group,
                                                             tmp_path, end):
    group_id, group_name, day, students = first_group
    conninfo = login_conninfo(TEACHER)
    admin = connect(server.conninfo("postgres"))
    dbname = pgsql.Identifier(db)
    term = Terminal(conninfo, tmp_path)
    try:
        term.wait_text(group_name, 60)  # the home screen with its groups loaded
        for _ in range(6):  # Enter: the journal of the first group
            term.press("enter")
            try:
                term.wait_text("Присутствовали", 5)
                break
            except AssertionError:
                continue
        term.wait_text("Присутствовали", 1)  # the grid's total row: built from the loaded journal
        try:
            admin.execute(pgsql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(dbname))
            sql.run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND usename = %s",
                    (db, TEACHER))
            term.press("н", "н", "н")  # three pupils, the cursor moving down after each
            try:
                wait(lambda: len(outbox_lines(tmp_path)) >= 3, 30, "three marks in the outbox")
            except AssertionError:
                import re
                print(re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]", b" ", bytes(term.output[-6000:])).decode(errors="replace"))
                print(list((tmp_path).rglob("*")), outbox_lines(tmp_path))
                raise
            [file] = (tmp_path / "ejournal" / "outbox").glob("*.jsonl")
            assert file.stat().st_mode & 0o777 == 0o600
            os.kill(term.proc.pid, end)
            code = term.proc.wait(20)
            if end != signal.SIGKILL:
                assert code == 0, term.output[-2000:].decode(errors="replace")
            assert len(outbox_lines(tmp_path)) >= 3  # kept on disk
            assert marks(sql, group_id, day) == {}
        finally:
            admin.execute(pgsql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(dbname))
        term.close()

        term = Terminal(conninfo, tmp_path)  # the next start of the same login
        wait(lambda: len(marks(sql, group_id, day)) == 3, 60, "the replayed marks")
        wait(lambda: not outbox_lines(tmp_path), 30, "the outbox to be emptied")
        assert marks(sql, group_id, day) == {s: "absent" for s in students}
        writes = sql.run(
            """SELECT row_key ->> 'student_id' AS sid, count(*) AS n FROM audit.log
                WHERE table_name = 'attendance' AND actor = %s GROUP BY 1""",
            (TEACHER,),
        )
        assert {int(r["sid"]): r["n"] for r in writes} == {s: 1 for s in students}  # each mark once
        mode = os.stat(tmp_path / "ejournal" / "outbox").st_mode & 0o777
        assert mode == 0o700
    finally:
        term.close()
        admin.close()
