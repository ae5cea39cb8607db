"""Performance budgets of DESIGN.md, each measured beside its floor in the same run.

Region-scale data is generated once into a private embedded server cached in
~/.cache/ejournal/bench (or $EJOURNAL_BENCH_DIR); later runs reuse it.

    scripts/bench [--scale 1.0] [--only db|tui|pdf] [--rebuild]
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar

import psycopg
from psycopg.conninfo import conninfo_to_dict
from tabulate import tabulate

from ejournal_tui.db import accounts, migrations
from ejournal_tui.db import journal as journal_db
from ejournal_tui.db.connection import connect
from ejournal_tui.db.demo import load_demo_data
from ejournal_tui.db.embedded import EmbeddedServer, postgres_bin
from ejournal_tui.paths import sql_dir

ROOT = Path(__file__).resolve().parents[1]
TEACHER = "o1_teacher01"
# The 16 writers of the throughput figures are 16 teachers of the region (one of each of 16
# organizations), each marking their own groups, as on a busy evening: not 16 sessions of one
# teacher fighting over the same three groups.
WRITERS = [f"o{i}_teacher01" for i in range(1, 17)]


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def data_key() -> str:
    """Changes when a migration or the generator changes: cached data is then made anew."""
    h = hashlib.sha256()
    for m in migrations.discover():
        h.update(m.checksum.encode())
    h.update((sql_dir() / "demo" / "generate.sql").read_bytes())
    return h.hexdigest()[:8]


def prepare(server: EmbeddedServer, prefix: str, size: str, scale: float, rebuild: bool) -> tuple[str, str]:
    dbname = f"{prefix}_{data_key()}"
    with connect(server.conninfo("postgres")) as conn:
        stale = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                             (prefix + "\\_%", dbname)).fetchall()
    for row in stale:
        server.drop_database(row["datname"])
    if rebuild:
        server.drop_database(dbname)
    conninfo = server.ensure_database(dbname)
    with connect(conninfo) as conn:
        migrations.migrate(conn)
        if not conn.execute("SELECT 1 FROM ej.organization LIMIT 1").fetchone():
            t0 = time.perf_counter()
            print(f"Generating {size} data (scale {scale})…", file=sys.stderr, flush=True)
            counts = load_demo_data(conn, size=size, seed=1, scale=scale)
            # as on a server that has run a while: autovacuum would otherwise work through the
            # 8 million new marks during the first run's measurements
            conn.execute("VACUUM (ANALYZE)")
            print(f"  {time.perf_counter() - t0:.0f} s: {counts}", file=sys.stderr, flush=True)
        for login in WRITERS:
            accounts.ensure_login_role(conn, login, "teacher")
        accounts.ensure_login_role(conn, "o1_methodist", "methodist")
    return dbname, conninfo


def timed(conn, query: str, params, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.execute(query, params).fetchall()
        out.append(time.perf_counter() - t0)
    return out


class RecordingCursor(psycopg.Cursor):
    """Remembers the statements a data-layer call runs, to EXPLAIN them afterwards."""

    log: ClassVar[list] = []

    def execute(self, query, params=None, **kw):
        RecordingCursor.log.append((query, params))
        return super().execute(query, params, **kw)


def server_ms(conn, statements) -> float:
    """Time inside the server (EXPLAIN ANALYZE without per-node timing: planning + execution)."""
    total = 0.0
    for query, params in statements:
        plan = conn.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + query, params).fetchone()
        doc = next(iter(plan.values()))[0]
        total += doc["Execution Time"] + doc.get("Planning Time", 0)
    return total


def bench_journal(super_conn, teacher_conn, n: int = 200) -> list[list]:
    """Open the teacher's biggest group exactly as the journal screen does (db.journal.grid),
    as the teacher (RLS on) and as the superuser (RLS off)."""
    group = super_conn.execute(
        """SELECT g.id, count(DISTINCT a.student_id) AS students, count(DISTINCT a.lesson_id) AS lessons
             FROM ej.study_group g JOIN ej.staff s ON s.id = g.teacher_id
             JOIN ej.attendance a ON a.group_id = g.id
            WHERE s.login = %s GROUP BY g.id ORDER BY count(*) DESC LIMIT 1""",
        (TEACHER,),
    ).fetchone()
    gid = group["id"]
    seen = journal_db.grid(teacher_conn, gid)
    assert seen.marks == journal_db.grid(super_conn, gid).marks, "RLS hides the teacher's own marks"

    def wall(conn, k):
        out = []
        for _ in range(k):
            t0 = time.perf_counter()
            journal_db.grid(conn, gid)
            out.append(time.perf_counter() - t0)
        return out

    def in_server(conn, k):
        RecordingCursor.log = []
        conn.cursor_factory = RecordingCursor
        journal_db.grid(conn, gid)
        conn.cursor_factory = psycopg.Cursor
        statements = list(RecordingCursor.log)
        return [server_ms(conn, statements) / 1000 for _ in range(k)]

    for c in (super_conn, teacher_conn):
        wall(c, 10)  # warm caches and plans
    su, te, su_db, te_db = [], [], [], []
    for _ in range(n // 10):  # interleave so that noise hits both alike
        su += wall(super_conn, 10)
        te += wall(teacher_conn, 10)
        su_db += in_server(super_conn, 2)
        te_db += in_server(teacher_conn, 2)
    label = f"open journal {group['students']}×{group['lessons']} ({len(seen.marks)} marks)"
    return [
        [label + ", in server, superuser (floor)", ms(pct(su_db, 50)), ms(pct(su_db, 95)), "", ""],
        [label + ", in server, teacher (RLS)", ms(pct(te_db, 50)), ms(pct(te_db, 95)),
         f"{pct(te_db, 95) / pct(su_db, 95):.2f}×", "p95 ≤ 5 ms, ≤ 1.2×"],
        [label + ", whole call, superuser", ms(pct(su, 50)), ms(pct(su, 95)), "", ""],
        [label + ", whole call, teacher (db.journal.grid)", ms(pct(te, 50)), ms(pct(te, 95)),
         f"{pct(te, 95) / pct(su, 95):.2f}×", "p95 ≤ 16 ms (queries + cells)"],
    ]


RECENT_MARKS_SQL = """
-- Lessons of the teacher's running groups on the planned dates of the last 3 days of the
-- organization's calendar (ej.today, not the server's date: the demo data leaves them unfilled)
-- with a mark for every enrolled student: marks a teacher may still change without giving a
-- reason, i.e. everyday marking.
INSERT INTO ej.lesson (group_id, held_on, hours, topic)
SELECT DISTINCT p.group_id, p.held_on, 2, 'Занятие для замера'
  FROM ej.planned_lesson p JOIN ej.study_group g ON g.id = p.group_id
  JOIN ej.iteration i ON i.id = g.iteration_id JOIN ej.staff s ON s.id = g.teacher_id
 WHERE s.login = %(t)s AND i.status = 'active'
   AND p.held_on BETWEEN ej.today(g.organization_id) - 2 AND ej.today(g.organization_id)
ON CONFLICT DO NOTHING;
INSERT INTO ej.attendance (lesson_id, student_id, status, organization_id, group_id)
SELECT l.id, e.student_id, 'present', l.organization_id, l.group_id
  FROM ej.lesson l JOIN ej.study_group g ON g.id = l.group_id JOIN ej.staff s ON s.id = g.teacher_id
  JOIN ej.enrollment e ON e.group_id = l.group_id AND e.enrolled_on <= l.held_on
                      AND (e.left_on IS NULL OR e.left_on > l.held_on)
 WHERE s.login = %(t)s AND l.held_on >= ej.today(l.organization_id) - 2
ON CONFLICT DO NOTHING;
"""


def mark_sample(super_conn, limit: int, late: bool, teacher: str = TEACHER) -> list[tuple[int, int]]:
    """Marks of the teacher's running groups: recent ones (within the edit window) or late ones."""
    if not late:
        for statement in RECENT_MARKS_SQL.split(";")[:-1]:
            super_conn.execute(statement, {"t": teacher})
    rows = super_conn.execute(
        """SELECT a.lesson_id, a.student_id FROM ej.attendance a
             JOIN ej.lesson l ON l.id = a.lesson_id
             JOIN ej.study_group g ON g.id = a.group_id JOIN ej.staff s ON s.id = g.teacher_id
             JOIN ej.iteration i ON i.id = g.iteration_id
            WHERE s.login = %s AND i.status <> 'archived'
              AND (l.held_on < ej.today(l.organization_id) - ej.edit_window_days()) = %s
            ORDER BY a.lesson_id, a.student_id LIMIT %s""",
        (teacher, late, limit),
    ).fetchall()
    return [(r["lesson_id"], r["student_id"]) for r in rows]


MARK_SQL = """UPDATE ej.attendance
                 SET status = CASE status WHEN 'absent' THEN 'present' ELSE 'absent' END,
                     reason = NULL, reason_text = NULL
               WHERE lesson_id = %s AND student_id = %s"""
REASON = "bench: late correction"


def one_mark(conn, key, late: bool) -> float:
    """As the journal screen saves a mark: one statement; a late correction also sends its reason."""
    t0 = time.perf_counter()
    if late:
        with conn.transaction():
            conn.execute("SELECT ej.set_reason(%s)", (REASON,))
            cur = conn.execute(MARK_SQL, key)
    else:
        cur = conn.execute(MARK_SQL, key)
    assert cur.rowcount == 1
    return time.perf_counter() - t0


def bench_marks(super_conn, teacher_conn, n: int = 400) -> list[list]:
    rows = []
    for late, label in ((False, "one mark (UPDATE)"), (True, "one late correction (reason + UPDATE)")):
        keys = mark_sample(super_conn, n, late)
        if not keys:
            rows.append([label, "no marks to change", "", "", ""])
            continue
        with_audit, without = [], []
        for i in range(0, len(keys), 20):
            chunk = keys[i:i + 20]
            with_audit += [one_mark(teacher_conn, k, late) for k in chunk]
            super_conn.execute("ALTER TABLE ej.attendance DISABLE TRIGGER zz_audit")
            try:
                without += [one_mark(teacher_conn, k, late) for k in chunk]
            finally:
                super_conn.execute("ALTER TABLE ej.attendance ENABLE TRIGGER zz_audit")
        rows += [
            [f"{label}, no audit (floor), {len(keys)} marks", ms(pct(without, 50)), ms(pct(without, 95)), "", ""],
            [f"{label}, with audit", ms(pct(with_audit, 50)), ms(pct(with_audit, 95)),
             f"{pct(with_audit, 95) / pct(without, 95):.2f}×", "p95 ≤ 3 ms"],
        ]
    return rows


def bench_throughput(server: EmbeddedServer, dbname: str, super_conn, clients: int = 8, seconds: int = 10):
    """Marks per second from 8 connections, with pgbench (ships with the embedded server; it
    runs on the same 2 cores as the server)."""
    rows = []
    for late, label in ((False, "marks/s"), (True, "late corrections/s")):
        keys = mark_sample(super_conn, 20000, late)
        super_conn.execute("DROP TABLE IF EXISTS public.bench_mark")
        super_conn.execute("CREATE TABLE public.bench_mark (k int PRIMARY KEY, lesson_id bigint, student_id bigint)")
        with super_conn.cursor().copy("COPY public.bench_mark FROM STDIN") as cp:
            for k, (lesson, student) in enumerate(keys):
                cp.write_row((k, lesson, student))
        super_conn.execute("GRANT SELECT ON public.bench_mark TO ej_teacher")
        update = ("UPDATE ej.attendance SET status = CASE status WHEN 'absent' THEN 'present' ELSE 'absent' END, "
                  "reason = NULL, reason_text = NULL WHERE (lesson_id, student_id) = "
                  "(SELECT lesson_id, student_id FROM public.bench_mark WHERE k = :k);\n")
        # a late correction's reason and mark go in one round trip, as ej.save_mark sends them
        body = (f"\\startpipeline\nBEGIN;\nSELECT ej.set_reason('{REASON}');\n{update}END;\n\\endpipeline\n"
                if late else update)
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
            # each client its own marks (k ≡ client_id mod clients): no two fight over one row
            script.write(f"\\set k random(0, {len(keys) // clients - 1}) * {clients} + :client_id\n" + body)
        os.chmod(script.name, 0o644)
        params = {k: str(v) for k, v in conninfo_to_dict(server.conninfo(dbname, TEACHER)).items()}
        cmd = [str(postgres_bin() / "pgbench"), "-n", "-M", "extended", "-c", str(clients), "-j", "2",
               "-T", str(seconds), "-f", script.name, "-h", params["host"], "-U", TEACHER, dbname]
        if params.get("port"):
            cmd[1:1] = ["-p", str(params["port"])]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        os.unlink(script.name)
        super_conn.execute("DROP TABLE public.bench_mark")
        tps = next((x for x in out.stdout.splitlines() if x.startswith("tps")), out.stderr.strip()[-200:])
        lat = next((x for x in out.stdout.splitlines() if x.startswith("latency average")), "")
        value = tps.split("=")[1].split("(")[0].strip() if "=" in tps else tps
        rows.append([f"{label} from {clients} connections over {len(keys)} marks (pgbench, {seconds} s)", value,
                     lat.split("=")[-1].strip(), "", "≥ 2,000/s"])
    return rows


def app_keys(super_conn, limit: int, teacher: str = TEACHER) -> list[list]:
    """Recent marks of the teacher as the engine knows them: [group, date, student, status, version]."""
    keys = mark_sample(super_conn, limit, late=False, teacher=teacher)
    rows = super_conn.execute(
        "SELECT l.group_id, l.held_on, a.student_id, a.status, a.version FROM ej.attendance a "
        "JOIN ej.lesson l ON l.id = a.lesson_id JOIN unnest(%s::bigint[], %s::bigint[]) k(l, s) "
        "ON a.lesson_id = k.l AND a.student_id = k.s ORDER BY 1, 2, 3",
        ([k[0] for k in keys], [k[1] for k in keys]),
    ).fetchall()
    return [[r["group_id"], r["held_on"], r["student_id"], r["status"], r["version"]] for r in rows]


def app_mark(session, key) -> float:
    """One mark through the app's own path: Session.run(db.journal.save_mark_once) = ej.save_mark."""
    group, day, student, status, version = key
    new = "present" if status == "absent" else "absent"
    t0 = time.perf_counter()
    r = session.run(journal_db.save_mark_once, group_id=group, held_on=day, student_id=student, status=new,
                    version=version)
    elapsed = time.perf_counter() - t0
    if r.outcome == "saved" and r.mark:
        key[3], key[4] = r.mark.value.status, r.mark.version
    return elapsed


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) of a local process so far, e.g. the embedded server's backend."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pgbench(server: EmbeddedServer, dbname: str, login: str, script: str, seconds: int) -> subprocess.Popen:
    """One pgbench client of `login` running `script` for `seconds` (started, not waited for)."""
    params = {k: str(v) for k, v in conninfo_to_dict(server.conninfo(dbname, login)).items()}
    cmd = [str(postgres_bin() / "pgbench"), "-n", "-c", "1", "-j", "1", "-T", str(seconds),
           "-f", script, "-h", params["host"], "-U", login, dbname]
    if params.get("port"):
        cmd[1:1] = ["-p", str(params["port"])]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def bench_app_marks(server: EmbeddedServer, dbname: str, super_conn, seconds: int = 10) -> list[list]:
    """The app's mark path (one round trip), 1 writer and 16, beside pgbench on the same SQL.
    The 16 writers are 16 teachers (WRITERS), each on their own recent marks; pgbench runs the
    same function as the same 16 teachers on the same marks."""
    import threading

    from ejournal_tui.db.session import Session

    keys = {login: app_keys(super_conn, 20000, login) for login in WRITERS}
    if not all(keys.values()):
        return [["app's mark path", "no marks to change", "", "", ""]]
    mine = keys[TEACHER]
    one = Session(server.conninfo(dbname, TEACHER))
    for k in mine[:20]:
        app_mark(one, k)  # warm
    backend, client = cpu_seconds(one.backend_pid), time.process_time()
    single = [app_mark(one, mine[j % len(mine)]) for j in range(400)]
    backend, client = cpu_seconds(one.backend_pid) - backend, time.process_time() - client
    one.close()
    rows = [[f"one mark, app path (ej.save_mark), 1 writer, {len(single)} marks", ms(pct(single, 50)),
             ms(pct(single, 95)), "", "p95 ≤ 3 ms"],
            # what a mark costs in CPU, whatever else runs on the machine: 2 cores / (server + client)
            # is the most marks/s the machine could do with nothing else running
            ["CPU per mark, 1 writer: server backend / this client", ms(backend / len(single)),
             ms(client / len(single)), f"≤ {2 / ((backend + client) / len(single)):.0f}/s on 2 idle cores", ""]]

    writers = len(WRITERS)
    done = [0] * writers
    latencies: list[list[float]] = [[] for _ in range(writers)]
    stop = threading.Event()
    ready = threading.Barrier(writers + 1)  # made anew by each run_writers()

    def writer(i: int) -> None:
        session = Session(server.conninfo(dbname, WRITERS[i]))
        own = keys[WRITERS[i]]
        for k in own[:5]:
            app_mark(session, k)  # connected and warm before the clock starts
        ready.wait()
        j = 0
        while not stop.is_set():
            latencies[i].append(app_mark(session, own[j % len(own)]))
            done[i] += 1
            j += 1
        session.close()

    def run_writers() -> tuple[float, list[float]]:
        nonlocal ready
        ready = threading.Barrier(writers + 1)
        stop.clear()
        for i in range(writers):
            done[i] = 0
            latencies[i] = []
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
        for t in threads:
            t.start()
        ready.wait()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join()
        return sum(done) / seconds, [x for per in latencies for x in per]

    super_conn.execute("ALTER TABLE ej.attendance DISABLE TRIGGER zy_notify")
    try:
        quiet_rate, quiet_lat = run_writers()  # floor: the same without live journals' NOTIFY
    finally:
        super_conn.execute("ALTER TABLE ej.attendance ENABLE TRIGGER zy_notify")
    app_rate, lat = run_writers()

    # pgbench on the same SQL: the same function, the version read beside it (the app knows it),
    # each teacher a client of its own on its own marks
    super_conn.execute("DROP TABLE IF EXISTS public.bench_app")
    super_conn.execute("CREATE TABLE public.bench_app (w int, k int, group_id bigint, held_on date, "
                       "student_id bigint, lesson_id bigint, PRIMARY KEY (w, k))")
    with super_conn.cursor().copy("COPY public.bench_app FROM STDIN") as cp:
        for w, login in enumerate(WRITERS):
            for n, (g, d, s_, _, _) in enumerate(keys[login]):
                cp.write_row((w, n, g, d, s_, None))
    super_conn.execute("UPDATE public.bench_app b SET lesson_id = l.id FROM ej.lesson l "
                       "WHERE l.group_id = b.group_id AND l.held_on = b.held_on")
    super_conn.execute("GRANT SELECT ON public.bench_app TO ej_teacher")
    scripts, procs = [], []
    for w, login in enumerate(WRITERS):
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
            script.write(
                f"\\set k random(0, {len(keys[login]) - 1})\n"
                "SELECT o.* FROM public.bench_app b JOIN ej.attendance a ON a.lesson_id = b.lesson_id "
                "AND a.student_id = b.student_id, LATERAL ej.save_mark(b.group_id, b.held_on, b.student_id, "
                "CASE a.status WHEN 'absent' THEN 'present' ELSE 'absent' END, NULL, NULL, a.version, 2, NULL) o "
                f"WHERE b.w = {w} AND b.k = :k;\n")
        os.chmod(script.name, 0o644)
        scripts.append(script.name)
    for w, login in enumerate(WRITERS):
        procs.append(pgbench(server, dbname, login, scripts[w], seconds))
    pg_rate, errors = 0.0, ""
    for proc in procs:
        out, err = proc.communicate()
        tps = next((x for x in out.splitlines() if x.startswith("tps")), "")
        if "=" in tps:
            pg_rate += float(tps.split("=")[1].split("(")[0])
        else:
            errors = err[-200:]
    for name in scripts:
        os.unlink(name)
    super_conn.execute("DROP TABLE public.bench_app")
    rows += [
        [f"marks/s, app path, {writers} writers (16 teachers, threads, one connection each)", f"{app_rate:.0f}",
         ms(pct(lat, 95)), f"{pg_rate / app_rate:.2f}× of pgbench" if app_rate else "",
         "≥ 1,500/s, within 1.5× of pgbench"],
        [f"marks/s, pgbench on the same SQL, {writers} clients (the same teachers and marks)",
         f"{pg_rate:.0f}" if pg_rate else errors, "", "", ""],
        [f"marks/s, app path, {writers} writers, without NOTIFY (floor of live journals)", f"{quiet_rate:.0f}",
         ms(pct(quiet_lat, 95)), f"{quiet_rate / app_rate:.2f}×" if app_rate else "", ""],
    ]
    return rows


def sized_like_install_server(server: EmbeddedServer, pgdata: Path, sessions: int = 300) -> EmbeddedServer:
    """The bench server with the connections and memory install-server gives a production server
    of this machine (scripts/pg-capacity), not the embedded server's defaults (128 MB of shared
    buffers, which no deployment has): restarted when a setting changed."""
    out = subprocess.run([str(ROOT / "scripts" / "pg-capacity"), str(sessions), "1"], capture_output=True,
                         text=True, check=True).stdout
    size = dict(line.split("=", 1) for line in out.split())
    wanted = {"max_connections": size["MAX_CONN"], "shared_buffers": f"{size['SHARED_BUFFERS']}MB",
              "effective_cache_size": f"{size['EFFECTIVE_CACHE']}MB", "work_mem": f"{size['WORK_MEM']}MB",
              "maintenance_work_mem": f"{size['MAINT_WORK_MEM']}MB"}
    with connect(server.conninfo("postgres")) as su:
        for name, value in wanted.items():
            su.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        su.execute("SELECT pg_reload_conf()")
        restart = su.execute("SELECT count(*) AS n FROM pg_settings WHERE pending_restart").fetchone()["n"]
    print(f"bench server sized as install-server would for {sessions} sessions: "
          + ", ".join(f"{k} {v}" for k, v in wanted.items()))
    if not restart:
        return server
    server.stop()
    return EmbeddedServer(pgdata)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="region scale (1.0 = DESIGN.md's region)")
    ap.add_argument("--only", choices=["db", "tui", "pdf"])
    ap.add_argument("--rebuild", action="store_true", help="regenerate the cached data")
    args = ap.parse_args()

    cache = Path(os.environ.get("EJOURNAL_BENCH_DIR", Path.home() / ".cache" / "ejournal" / "bench"))
    server = sized_like_install_server(EmbeddedServer(cache / "pgdata"), cache / "pgdata")
    rows: list[list] = []
    failed: list[str] = []  # sections whose script failed: the run then fails too
    if args.only in (None, "db"):
        prefix = f"region_{str(args.scale).replace('.', '_')}"
        dbname, conninfo = prepare(server, prefix, "region", args.scale, args.rebuild)
        with connect(conninfo) as su, connect(server.conninfo(dbname, TEACHER)) as te:
            counts = su.execute(
                "SELECT (SELECT count(*) FROM ej.organization) AS orgs, (SELECT count(*) FROM ej.student) AS students,"
                " (SELECT count(*) FROM ej.attendance) AS marks").fetchone()
            print(f"region data: {counts['orgs']} organizations, {counts['students']} students, "
                  f"{counts['marks']} attendance marks")
            rows += bench_journal(su, te)
            rows += bench_marks(su, te)
            rows += bench_throughput(server, dbname, su)
            rows += bench_app_marks(server, dbname, su)
    if args.only in (None, "tui", "pdf"):
        small, _ = prepare(server, "small", "small", 1.0, False)
        for name in ("tui", "pdf"):
            script = ROOT / "scripts" / f"bench_{name}.py"
            if args.only in (None, name) and script.exists():
                print(f"\n== {name} ==", flush=True)
                extra = []
                if name == "pdf":  # the largest quantum of the region data too (80 sheets at scale 1)
                    region, _ = prepare(server, f"region_{str(args.scale).replace('.', '_')}", "region", args.scale,
                                        False)
                    extra = ["--region", server.conninfo(region, TEACHER)]
                done = subprocess.run([sys.executable, str(script), server.conninfo(small, TEACHER), *extra],
                                      check=False)
                if done.returncode != 0:
                    failed.append(name)
    if rows:
        print()
        print(tabulate(rows, headers=["what", "p50 / value", "p95 / latency", "ratio", "budget"]))
    if shutil.which("nproc"):
        print(f"\nmachine: {os.cpu_count()} cores")
    if failed:
        print(f"не выполнены разделы: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
