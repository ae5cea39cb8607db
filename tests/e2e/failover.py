"""Failover test (run as root by .ci/run, on loopback only): 1 etcd + 2 Patroni-managed
PostgreSQL 15 nodes with synchronous replication; 8 teachers save marks through the app's own
path (ejournal_tui.db.journal.save_mark) for 20 s over a libpq multi-host connection string
(target_session_attrs=read-write); at second 10 kill -9 of the primary's postmaster (with
primary_start_timeout 0 its Patroni fails over instead of restarting it; --kill node also
kills that Patroni: the whole server gone, the leader key expires after ttl). A teacher's TUI
in tmux marks a cell while there is no primary. Checked: the standby is primary within 30 s;
every mark whose save was acknowledged is on the new primary, with its audit row; the TUI
showed its offline banner and its mark landed once; the old primary rejoins as a standby
(pg_rewind); a report connection with prefer-standby reaches the standby. Prints the failover
time and acknowledged vs found marks.

    .venv/bin/python tests/e2e/failover.py [--keep] [--kill postmaster|node]

Last line: "failover: PASSED" or "failover: FAILED: ..." (exit status 0 / 1).
Everything it starts runs from one temporary directory and is stopped by its process id.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]
from waiting import wait_until  # noqa: E402

from ejournal_tui import settings  # noqa: E402
from ejournal_tui.db import acknowledgment, journal  # noqa: E402
from ejournal_tui.db.connection import connect, connect_for_reports  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
WRITERS = 8
DURATION = 20.0
KILL_AT = 10.0
PASSWORD = "ha-" + os.urandom(8).hex()
LATE_REASON = "проверка отказоустойчивости кластера"
TUI_TEACHER = "o1_teacher09"
TMUX = ["tmux", "-L", f"ejournal-failover-{os.getpid()}", "-f", "/dev/null"]
BANNER = "Нет связи с базой"  # both banners: a journal not yet open, and marks waiting


class Tui:
    """The teacher's journal in a tmux terminal, connected with the multi-host string."""

    def __init__(self, dsn: str, home: Path):
        # Its own data, config and cache folders: no outbox, log or keymap of an earlier run.
        env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
               **{f"XDG_{k}_HOME": str(home / k.lower()) for k in ("DATA", "CONFIG", "CACHE", "STATE")}}
        envargs = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
        exe = REPO / ".venv" / "bin" / "ejournal"
        subprocess.run([*TMUX, "new-session", "-d", "-s", "tui", "-x", "100", "-y", "30", *envargs,
                        f"exec {exe} --dsn '{dsn}'"], check=True)

    def screen(self) -> str:
        return subprocess.run([*TMUX, "capture-pane", "-p", "-t", "tui"], capture_output=True, text=True).stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*TMUX, "send-keys", "-t", "tui", *keys], check=True)

    def wait_for(self, test, timeout: float) -> bool:
        return bool(wait_until(lambda: test(self.screen()), timeout, step=0.3))

    def mark(self, key: str, saved) -> bool:
        """Press a mark key; answer the lesson editor or the late-correction reason if asked."""
        self.keys(key)
        for _ in range(3):
            if wait_until(saved, 4):
                return True
            screen = self.screen()
            if "Занятие группы" in screen:  # an unfilled lesson: its topic, and one reason if it is late
                if "Причина" in screen:  # the reason's field has the focus
                    self.keys("C-a")
                    subprocess.run([*TMUX, "send-keys", "-t", "tui", "-l", LATE_REASON], check=True)
                self.keys("C-s")
            elif "причину" in screen:
                subprocess.run([*TMUX, "send-keys", "-t", "tui", "-l", LATE_REASON], check=True)
                self.keys("Enter")
            else:
                return bool(wait_until(saved, 6))
        return False

    def close(self) -> None:
        subprocess.run([*TMUX, "kill-server"], capture_output=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def as_postgres(cmd: list[str], log: Path) -> subprocess.Popen:
    out = log.open("ab")
    return subprocess.Popen(["runuser", "-u", "postgres", "--", *cmd], stdout=out, stderr=subprocess.STDOUT,
                            cwd="/", start_new_session=True)


class Cluster:
    def __init__(self, base: Path):
        self.base = base
        self.etcd_client, self.etcd_peer = free_port(), free_port()
        self.nodes = {n: {"pg": free_port(), "api": free_port()} for n in ("node1", "node2")}
        self.procs: dict[str, subprocess.Popen] = {}

    def dsn(self, user: str = "postgres", **extra) -> str:
        hosts = ",".join("127.0.0.1" for _ in self.nodes)
        ports = ",".join(str(n["pg"]) for n in self.nodes.values())
        params = {"host": hosts, "port": ports, "dbname": "ejournal", "user": user, "password": PASSWORD,
                  "target_session_attrs": "read-write", "connect_timeout": "3", **extra}
        return " ".join(f"{k}={v}" for k, v in params.items())

    def node_dsn(self, node: str, dbname: str = "ejournal") -> str:
        return (f"host=127.0.0.1 port={self.nodes[node]['pg']} dbname={dbname} user=postgres "
                f"password={PASSWORD} connect_timeout=3")

    def start_etcd(self) -> None:
        data = self.base / "etcd"
        url_c, url_p = f"http://127.0.0.1:{self.etcd_client}", f"http://127.0.0.1:{self.etcd_peer}"
        self.procs["etcd"] = as_postgres(
            ["etcd", "--name", "e1", "--data-dir", str(data), "--listen-client-urls", url_c,
             "--advertise-client-urls", url_c, "--listen-peer-urls", url_p,
             "--initial-advertise-peer-urls", url_p, "--initial-cluster", f"e1={url_p}",
             "--initial-cluster-state", "new"], self.base / "etcd.log")
        if not wait_until(lambda: http_status(self.etcd_client, "/health") == 200, 30):
            raise AssertionError("etcd did not start: " + (self.base / "etcd.log").read_text()[-2000:])

    def config(self, node: str) -> str:
        n = self.nodes[node]
        return json.dumps({  # JSON is YAML
            "scope": "ejournal-ha-test", "name": node,
            "log": {"level": "INFO"},
            "restapi": {"listen": f"127.0.0.1:{n['api']}", "connect_address": f"127.0.0.1:{n['api']}"},
            "etcd3": {"hosts": [f"127.0.0.1:{self.etcd_client}"]},
            "bootstrap": {
                "dcs": {
                    "ttl": 8, "loop_wait": 1, "retry_timeout": 3,
                    # A crashed primary fails over at once instead of restarting in place: with
                    # synchronous_mode the standby has every acknowledged commit.
                    "primary_start_timeout": 0,
                    "maximum_lag_on_failover": 16 * 1024 * 1024,
                    "synchronous_mode": True,
                    "postgresql": {"use_pg_rewind": True, "use_slots": True,
                                   "parameters": {"wal_log_hints": "on", "max_connections": 200,
                                                  "max_wal_senders": 10, "max_replication_slots": 10}},
                },
                "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
            },
            "postgresql": {
                "listen": f"127.0.0.1:{n['pg']}", "connect_address": f"127.0.0.1:{n['pg']}",
                "data_dir": str(self.base / node), "bin_dir": str(PG_BIN),
                "pgpass": str(self.base / f"{node}.pgpass"),
                "authentication": {
                    "superuser": {"username": "postgres", "password": PASSWORD},
                    "replication": {"username": "replicator", "password": PASSWORD},
                    "rewind": {"username": "rewinder", "password": PASSWORD},
                },
                "parameters": {"unix_socket_directories": str(self.base)},
                "pg_hba": ["local all all peer", "host replication replicator 127.0.0.1/32 scram-sha-256",
                           "host all all 127.0.0.1/32 scram-sha-256"],
            },
        }, indent=1)

    def start_node(self, node: str) -> None:
        cfg = self.base / f"{node}.yml"
        cfg.write_text(self.config(node))
        shutil.chown(cfg, "postgres")
        self.procs[node] = as_postgres(["patroni", str(cfg)], self.base / f"{node}.log")

    def role(self, node: str) -> str:
        api = self.nodes[node]["api"]
        if http_status(api, "/primary") == 200:
            return "primary"
        if http_status(api, "/sync") == 200:
            return "sync"
        if http_status(api, "/replica") == 200:
            return "replica"
        return "down"

    def postmaster_pid(self, node: str) -> int:
        return int((self.base / node / "postmaster.pid").read_text().split()[0])

    def kill_postmaster(self, node: str) -> None:
        """kill -9 of the primary's postmaster; its Patroni lives on and fails over."""
        os.kill(self.postmaster_pid(node), signal.SIGKILL)

    def kill_node(self, node: str) -> None:
        """The node dies: its Patroni and its postmaster, at once (kill -9)."""
        pm = self.postmaster_pid(node)
        os.killpg(self.procs[node].pid, signal.SIGKILL)  # runuser and Patroni (their own session)
        os.kill(pm, signal.SIGKILL)
        self.procs[node].wait()

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for node in self.nodes:  # a postmaster left behind by a killed Patroni: ours, by its data dir
            pidfile = self.base / node / "postmaster.pid"
            if pidfile.exists():
                subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D",
                                str(self.base / node), "-m", "immediate", "stop"], capture_output=True, cwd="/")


def prepare_database(c: Cluster, primary: str) -> list[str]:
    """The schema and demo data on the primary, and eight teachers with a password."""
    with psycopg.connect(c.node_dsn(primary, "postgres"), autocommit=True) as conn:
        conn.execute("CREATE ROLE ej_owner NOLOGIN")
        conn.execute("CREATE DATABASE ejournal TEMPLATE template0 ENCODING 'UTF8' "
                     "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
    ej = [str(REPO / ".venv" / "bin" / "ejournal"), "--dsn", c.node_dsn(primary)]
    subprocess.run([*ej, "db", "migrate"], check=True, capture_output=True)
    subprocess.run([*ej, "demo-data", "--size", "small"], check=True, capture_output=True)
    teachers = [f"o1_teacher{i:02d}" for i in range(1, WRITERS + 1)]
    with psycopg.connect(c.node_dsn(primary), autocommit=True) as conn:
        for t in [*teachers, TUI_TEACHER]:
            conn.execute(f"CREATE ROLE {t} LOGIN IN ROLE ej_teacher PASSWORD '{PASSWORD}'")
    with connect(c.dsn(TUI_TEACHER)) as conn:  # the duties confirmed: the TUI opens at home
        acknowledgment.acknowledge(conn, list(acknowledgment.missing(conn)))
    return teachers


def marks_of(c: Cluster, primary: str, teacher: str, limit: int = 40) -> list[dict]:
    """Existing marks of the teacher's running groups: what the writer will change."""
    with psycopg.connect(c.node_dsn(primary), autocommit=True, row_factory=psycopg.rows.dict_row) as conn:
        return conn.execute(
            """SELECT a.group_id, l.held_on, a.student_id, a.lesson_id, a.version, a.status
                 FROM ej.attendance a JOIN ej.lesson l ON l.id = a.lesson_id
                 JOIN ej.study_group g ON g.id = a.group_id JOIN ej.staff s ON s.id = g.teacher_id
                 JOIN ej.iteration i ON i.id = g.iteration_id
                WHERE s.login = %s AND i.status = 'active' AND a.status IN ('present', 'absent')
                ORDER BY l.held_on DESC, a.student_id LIMIT %s""", (teacher, limit)).fetchall()


class Writer(threading.Thread):
    """A teacher saving marks as the journal screen does; on a lost connection it reconnects
    (the multi-host string finds the primary) and goes on. Acknowledged = save_mark returned."""

    def __init__(self, c: Cluster, teacher: str, marks: list[dict], stop_at: list[float]):
        super().__init__(daemon=True)
        self.c, self.teacher, self.marks, self._stop_at = c, teacher, marks, stop_at
        self.acked: list[tuple[int | None, int, int | None, str | None]] = []  # lesson, student, version, status
        self.errors = 0
        self.max_gap = 0.0

    @property
    def stop_at(self) -> float:
        return self._stop_at[0]

    def connect(self):
        """A connection once the cluster accepts one (None if the run ends first)."""

        def attempt():
            try:
                return connect(self.c.dsn(self.teacher), autocommit=True)
            except psycopg.OperationalError:
                return None

        return wait_until(attempt, max(0.0, self.stop_at - time.monotonic()))

    def run(self) -> None:
        conn = self.connect()
        last_ack = time.monotonic()
        i = 0
        while conn is not None and time.monotonic() < self.stop_at:
            m = self.marks[i % len(self.marks)]
            status = "absent" if m["status"] == "present" else "present"
            late = m["held_on"] < date.today() - timedelta(days=3)
            try:
                r = journal.save_mark_once(conn, group_id=m["group_id"], held_on=m["held_on"],
                                           student_id=m["student_id"], status=status, version=m["version"],
                                           late_reason=LATE_REASON if late else None)
            except psycopg.Error:
                self.errors += 1
                conn.close()
                conn = self.connect()
                continue
            if r.outcome != "saved":  # a conflict: an unacknowledged save did land: take its version
                if r.mark is not None:
                    m["version"], m["status"] = r.mark.version, r.mark.value.status
                i += 1
                continue
            m["version"], m["status"] = r.mark.version, r.mark.value.status
            self.acked.append((r.lesson.id, m["student_id"], r.mark.version, r.mark.value.status))
            now = time.monotonic()
            self.max_gap = max(self.max_gap, now - last_ack)
            last_ack = now
            i += 1
        if conn is not None:
            conn.close()


def main() -> int:
    keep = "--keep" in sys.argv
    # --kill postmaster (default): kill -9 of the primary's postmaster; --kill node: its Patroni too
    # (the whole server gone: the leader key must expire, ttl).
    kill = sys.argv[sys.argv.index("--kill") + 1] if "--kill" in sys.argv else "postmaster"
    if os.geteuid() != 0:
        print("failover: FAILED: run as root (PostgreSQL and etcd run as postgres)")
        return 1
    for tool in ("etcd", "patroni"):
        if not shutil.which(tool):
            print(f"failover: FAILED: {tool} is not installed (apt-get install etcd-server patroni)")
            return 1
    base = Path(tempfile.mkdtemp(prefix="ejournal-ha."))
    base.chmod(0o755)
    shutil.chown(base, "postgres")
    c = Cluster(base)
    failures: list[str] = []

    def check(ok: bool, what: str) -> None:
        print(("PASS " if ok else "FAIL ") + what, flush=True)
        if not ok:
            failures.append(what)

    try:
        c.start_etcd()
        c.start_node("node1")
        check(bool(wait_until(lambda: c.role("node1") == "primary", 90)), "node1 bootstraps as the primary")
        c.start_node("node2")
        check(bool(wait_until(lambda: c.role("node2") == "sync", 120)), "node2 is its synchronous standby")
        if failures:
            raise AssertionError("the cluster did not form")
        teachers = prepare_database(c, "node1")
        writers_marks = {t: marks_of(c, "node1", t) for t in teachers}
        assert all(writers_marks.values()), {t: len(m) for t, m in writers_marks.items()}
        wait_until(lambda: c.role("node2") == "sync", 30)

        def tui_marks(node: str) -> list[tuple]:
            try:
                with psycopg.connect(c.node_dsn(node), autocommit=True) as conn:
                    return conn.execute(
                        "SELECT row_key->>'lesson_id', row_key->>'student_id', new_row->>'status' FROM audit.log "
                        "WHERE actor = %s AND table_name = 'attendance' ORDER BY id", (TUI_TEACHER,)).fetchall()
            except psycopg.Error:
                return []
        tui = Tui(c.dsn(TUI_TEACHER), c.base / "tui")
        stage = "home screen"
        # loaded: «Замечания (N)» is written with the data, in the same call that gives a table the
        # focus (the headings alone are drawn before the data)
        tui_ok = tui.wait_for(lambda s: "Мои группы" in s and "Замечания (" in s, 90)
        if tui_ok:
            # The journal's own title, not «Обучающийся»: the home's briefing table has that
            # column too. A key that arrives while the home is still taking the focus is pressed again.
            stage = "journal"
            for _ in range(3):
                tui.keys("Enter")
                tui_ok = tui.wait_for(lambda s: "Журнал:" in s, 20)
                if tui_ok:
                    break
        # The cursor stays on its cell: the first key that changes it ("нет", else "был") saves a mark.
        if tui_ok:
            stage = "first mark"
            tui_ok = (tui.mark("y", lambda: len(tui_marks("node1")) >= 1)
                      or tui.mark("g", lambda: len(tui_marks("node1")) >= 1))
        check(tui_ok, "the teacher's TUI (tmux, multi-host connection) opened a journal and saved a mark")
        if not tui_ok:  # synthetic demo data only: the screen says what the TUI was waiting for
            log = c.base / "tui" / "data" / "ejournal" / "ejournal.log"
            tail = log.read_text(encoding="utf-8").splitlines()[-20:] if log.exists() else []
            print(f"failover: the TUI stopped at the {stage}; its screen:\n{tui.screen()}\nits log:", *tail,
                  sep="\n", flush=True)
        tui_before = tui_marks("node1")
        outage_status = "present" if tui_before and tui_before[-1][2] == "absent" else "absent"

        start = time.monotonic()
        stop_at = [start + DURATION]
        writers = [Writer(c, t, writers_marks[t], stop_at) for t in teachers]
        for w in writers:
            w.start()
        time.sleep(max(0.0, start + KILL_AT - time.monotonic()))
        before_kill = sum(len(w.acked) for w in writers)
        killed_at = time.monotonic()
        if kill == "node":
            c.kill_node("node1")
        else:
            c.kill_postmaster("node1")
        if tui_ok:
            tui.keys("g" if outage_status == "present" else "y")  # the same cell, while the primary is gone
            banner = tui.wait_for(lambda s: BANNER in s or "причину" in s, 15)
            if banner and "причину" in tui.screen():
                subprocess.run([*TMUX, "send-keys", "-t", "tui", "-l", LATE_REASON], check=True)
                tui.keys("Enter")
                banner = tui.wait_for(lambda s: BANNER in s, 15)
            check(banner, "the TUI shows the offline banner while there is no primary")
        promoted = wait_until(lambda: c.role("node2") == "primary", 60, step=0.1)
        failover_s = time.monotonic() - killed_at
        # Writers go on for at least 5 s on the new primary, even if the failover took longer
        # than the 10 s left of the planned 20.
        stop_at[0] = max(stop_at[0], time.monotonic() + 5)
        check(bool(promoted) and failover_s <= 30,
              f"node2 is primary {failover_s:.1f} s after kill -9 of node1's {kill} (≤ 30 s)")
        for w in writers:
            w.join(timeout=stop_at[0] - time.monotonic() + 30)
        acked = [a for w in writers for a in w.acked]
        after_kill = len(acked) - before_kill
        check(after_kill > 0, f"marks were saved after the failover too ({after_kill})")

        # Every acknowledged mark: on the new primary, at its version or a later one, with its audit row.
        with psycopg.connect(c.node_dsn("node2"), autocommit=True) as conn:
            current = {(r[0], r[1]): (r[2], r[3]) for r in conn.execute(
                "SELECT lesson_id, student_id, version, status FROM ej.attendance")}
            audited = {(r[0], r[1], r[2]) for r in conn.execute(
                "SELECT (row_key->>'lesson_id')::bigint, (row_key->>'student_id')::bigint, "
                "(new_row->>'version')::int FROM audit.log WHERE table_name = 'attendance' AND op = 'UPDATE'")}
        last: dict[tuple[int | None, int], tuple[int | None, str | None]] = {}
        for lesson, student, version, status in acked:
            last[(lesson, student)] = max(last.get((lesson, student), (0, "")), (version, status))
        in_table = sum(1 for k, (v, s) in last.items() if k in current
                       and (current[k][0] > v or current[k] == (v, s)))
        in_audit = sum(1 for a in acked if (a[0], a[1], a[2]) in audited)
        print(f"failover: {failover_s:.1f} s from kill -9 of node1's {kill} to the new primary; "
              f"acknowledged {len(acked)} marks "
              f"({before_kill} before the kill), found {in_audit} of them in the new primary's audit log; "
              f"{in_table} of {len(last)} marks at their last acknowledged state or later; "
              f"{sum(w.errors for w in writers)} saves failed (not acknowledged); longest pause between two "
              f"acknowledged saves of a teacher {max(w.max_gap for w in writers):.1f} s", flush=True)
        check(in_audit == len(acked), f"every acknowledged save is in the audit log ({in_audit}/{len(acked)})")
        check(in_table == len(last), f"every mark is at its last acknowledged state ({in_table}/{len(last)})")

        if tui_ok:
            landed = wait_until(lambda: len(tui_marks("node2")) > len(tui_before), 60)
            gone = tui.wait_for(lambda s: BANNER not in s, 30)
            after = tui_marks("node2")
            new = after[len(tui_before):]
            check(bool(landed) and gone and len(new) == 1 and new[0][2] == outage_status,
                  f"the mark typed during the failover landed on the new primary once, without restarting the "
                  f"app ({len(new)} new audit row(s): {new})")
            tui.close()

        # The old primary comes back and follows the new one.
        if kill == "node":
            c.start_node("node1")
        check(bool(wait_until(lambda: c.role("node1") in ("sync", "replica"), 120)),
              "the old primary rejoins as a standby")
        with psycopg.connect(c.node_dsn("node2"), autocommit=True) as conn:
            lsn = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]

        def caught_up() -> bool:
            try:
                with psycopg.connect(c.node_dsn("node1"), autocommit=True) as conn:
                    return conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)).fetchone()[0]
            except psycopg.Error:
                return False
        check(bool(wait_until(caught_up, 60)), "the rejoined standby has replayed everything the new primary had")
        # Reports may read from a standby: EJOURNAL_REPORT_DSN with prefer-standby finds node1 now.
        os.environ["EJOURNAL_REPORT_DSN"] = c.dsn("postgres", target_session_attrs="prefer-standby")
        settings.reload()  # the settings are read once per process: read them again
        with connect_for_reports(c.dsn("postgres")) as reports:
            on_standby = reports.execute("SELECT pg_is_in_recovery() AS r").fetchone()["r"]
        check(on_standby, "EJOURNAL_REPORT_DSN (target_session_attrs=prefer-standby) reaches the standby")
        node1_log = (base / "node1.log").read_text(errors="replace")
        print("failover: node1 rejoined " + ("with pg_rewind" if "running pg_rewind" in node1_log
                                              else "without needing pg_rewind (its WAL had not diverged)"))
    except Exception as e:  # reported as the test's failure
        failures.append(f"{type(e).__name__}: {e}")
        for node in ("node1", "node2"):
            logf = base / f"{node}.log"
            if logf.exists():
                print(f"--- {node}.log (tail)\n" + logf.read_text(errors="replace")[-3000:])
    finally:
        subprocess.run([*TMUX, "kill-server"], capture_output=True)
        if keep:
            print(f"failover: --keep: everything is in {base}")
        else:
            c.stop()
            shutil.rmtree(base, ignore_errors=True)
    if failures:
        print("failover: FAILED: " + "; ".join(failures))
        return 1
    print("failover: PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
