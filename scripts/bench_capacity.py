"""Capacity: N real teacher sessions at once on one server (issue 16).

    .venv/bin/python scripts/bench_capacity.py [--sessions 20] [--marks 200]

Starts N real TUI processes (`ejournal` in tmux, 80×24), each as a teacher of the small demo
data with a group's journal open, on the embedded PostgreSQL. Then measures:
- PSS (proportional set size, /proc/PID/smaps_rollup) of every app process and of every
  PostgreSQL backend serving them: what each more session costs the server's memory;
- p50/p95 of a mark saved through the app's own path (ejournal_tui.db.journal.save_mark) by one
  more teacher, first with no session open, then with the N sessions open;
and projects the memory to 100 and 300 sessions. On a shared machine keep N modest (20–30).
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from tabulate import tabulate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ejournal_tui.db import accounts, acknowledgment, journal, migrations
from ejournal_tui.db.connection import connect
from ejournal_tui.db.demo import load_demo_data
from ejournal_tui.db.embedded import EmbeddedServer

REPO = Path(__file__).resolve().parents[1]
DB = "capacity"
TEACHERS = [f"o1_teacher{i:02d}" for i in range(1, 13)]
WRITER = TEACHERS[-1]


def pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_kb(pid: int) -> int:
    """The app's process and its children (Textual runs no helpers, but be exact)."""
    total = pss_kb(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            total += tree_pss_kb(int(child))
    return total


class Tmux:
    def __init__(self):
        self.base = ["tmux", "-L", f"ejournal-capacity-{os.getpid()}", "-f", "/dev/null"]

    def run(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], capture_output=True, text=True, check=False).stdout

    def start(self, name: str, command: str, env: dict[str, str]) -> None:
        envargs = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
        subprocess.run([*self.base, "new-session", "-d", "-s", name, "-x", "80", "-y", "24", *envargs,
                        "exec " + command], check=True)

    def screen(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name)

    def keys(self, name: str, *keys: str) -> None:
        self.run("send-keys", "-t", name, *keys)

    def pid(self, name: str) -> int:
        return int(self.run("list-panes", "-t", name, "-F", "#{pane_pid}").split()[0])

    def wait_for(self, name: str, text: str, timeout: float = 120) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.screen(name):
                return True
            time.sleep(0.5)
        return False

    def kill(self) -> None:
        self.run("kill-server")


def prepare(server: EmbeddedServer) -> str:
    conninfo = server.ensure_database(DB)
    with connect(conninfo) as conn:
        migrations.migrate(conn)
        if not conn.execute("SELECT 1 FROM ej.organization LIMIT 1").fetchone():
            load_demo_data(conn, size="small", seed=1)
        for t in TEACHERS:
            accounts.ensure_login_role(conn, t, "teacher")
    for t in TEACHERS:  # the duties are confirmed once: sessions go straight to the home screen
        with connect(server.conninfo(DB, t)) as conn:
            missing = acknowledgment.missing(conn)
            if missing:
                acknowledgment.acknowledge(conn, list(missing))
    return conninfo


def writer_marks(server: EmbeddedServer) -> list[dict]:
    with connect(server.conninfo(DB)) as conn:
        return conn.execute(
            """SELECT a.group_id, l.held_on, a.student_id, a.version, a.status
                 FROM ej.attendance a JOIN ej.lesson l ON l.id = a.lesson_id
                 JOIN ej.study_group g ON g.id = a.group_id JOIN ej.staff s ON s.id = g.teacher_id
                 JOIN ej.iteration i ON i.id = g.iteration_id
                WHERE s.login = %s AND i.status = 'active' AND a.status IN ('present', 'absent')
                ORDER BY l.held_on DESC, a.student_id LIMIT 50""", (WRITER,)).fetchall()


def mark_latency(server: EmbeddedServer, marks: list[dict], n: int) -> list[float]:
    """One teacher saving marks as the journal screen does (save_mark), one at a time."""
    out = []
    with connect(server.conninfo(DB, WRITER)) as conn:
        for i in range(n):
            m = marks[i % len(marks)]
            status = "absent" if m["status"] == "present" else "present"
            late = m["held_on"] < date.today() - timedelta(days=3)
            t0 = time.perf_counter()
            r = journal.save_mark_once(conn, group_id=m["group_id"], held_on=m["held_on"],
                                       student_id=m["student_id"], status=status, version=m["version"],
                                       late_reason="замер ёмкости сервера" if late else None)
            out.append(time.perf_counter() - t0)
            m["version"], m["status"] = r.mark.version, r.mark.value.status
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--marks", type=int, default=200)
    args = ap.parse_args()
    bench_dir = Path(os.environ.get("EJOURNAL_BENCH_DIR") or Path.home() / ".cache" / "ejournal" / "bench")
    server = EmbeddedServer(bench_dir / "capacity-pgdata")
    conninfo = prepare(server)
    marks = writer_marks(server)
    mark_latency(server, marks, 20)  # warm up
    idle = mark_latency(server, marks, args.marks)

    tmux = Tmux()
    names = [f"s{i:03d}" for i in range(args.sessions)]
    env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    exe = REPO / ".venv" / "bin" / "ejournal"
    try:
        t0 = time.monotonic()
        for i, name in enumerate(names):
            teacher = TEACHERS[i % (len(TEACHERS) - 1)]  # the writer's own journal stays unopened
            tmux.start(name, f"{exe} --dsn {shlex.quote(server.conninfo(DB, teacher))}", env)
        opened = 0
        for name in names:  # each: the home screen, then Enter opens the first group's journal
            if not tmux.wait_for(name, "Мои группы"):
                print(f"{name}: no home screen:\n{tmux.screen(name)}", file=sys.stderr)
                continue
            tmux.keys(name, "Enter")
            if tmux.wait_for(name, "Обучающийся", timeout=60):
                opened += 1
            else:
                print(f"{name}: no journal:\n{tmux.screen(name)}", file=sys.stderr)
        ready_s = time.monotonic() - t0
        time.sleep(3)  # settle: the journals' first paint and queries are over
        app_pss = [tree_pss_kb(tmux.pid(n)) / 1024 for n in names]
        with connect(conninfo) as conn:
            backends = [r["pid"] for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = 'ejournal' "
                "AND usename <> %s", (DB, WRITER))]
            shared_mb = int(conn.execute("SELECT setting FROM pg_settings WHERE name = 'shared_buffers'")
                            .fetchone()["setting"]) * 8 / 1024
        backend_pss = [pss_kb(p) / 1024 for p in backends]
        busy = mark_latency(server, marks, args.marks)
    finally:
        tmux.kill()

    app = statistics.median(app_pss)
    be = statistics.median(backend_pss) if backend_pss else float("nan")
    conns = len(backends) / max(1, args.sessions)  # connections each session holds
    per_session = app + be * conns
    print(f"\nCapacity on {os.cpu_count()} cores: {args.sessions} TUI sessions (80×24), {opened} with a journal "
          f"open, all ready in {ready_s:.0f} s; {len(backends)} backends serve them.\n")
    print(tabulate([
        ["PSS of one app process (median; min–max)", f"{app:.1f} MB", f"{min(app_pss):.1f}–{max(app_pss):.1f}"],
        ["PSS of one backend (median; min–max)", f"{be:.1f} MB",
         f"{min(backend_pss):.1f}–{max(backend_pss):.1f}" if backend_pss else ""],
        ["database connections per session", f"{conns:.2f}", f"{len(backends)} for {args.sessions}"],
        ["one session (app + its backends)", f"{per_session:.1f} MB", ""],
        ["mark saved (save_mark), no session open: p50 / p95",
         f"{pct(idle, 50) * 1000:.2f} / {pct(idle, 95) * 1000:.2f} ms", f"{len(idle)} marks"],
        [f"mark saved with {args.sessions} sessions open: p50 / p95",
         f"{pct(busy, 50) * 1000:.2f} / {pct(busy, 95) * 1000:.2f} ms", f"{len(busy)} marks"],
    ], headers=["what", "value", ""], tablefmt="github"))
    print("\nProjection (sessions × (app + backends), plus shared_buffers "
          f"{shared_mb:.0f} MB of this server; install-server sizes shared_buffers from the RAM left):\n")
    print(tabulate([[n, f"{n * per_session / 1024:.1f} GB", f"{n * app / 1024:.1f} GB",
                     f"{n * be * conns / 1024:.1f} GB", round(n * conns) + 50] for n in (args.sessions, 100, 300)],
                   headers=["sessions", "memory", "apps", "backends", "max_connections (install-server)"],
                   tablefmt="github"))
    return 0 if opened == args.sessions else 1


if __name__ == "__main__":
    sys.exit(main())
