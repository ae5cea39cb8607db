"""Performance budgets of DESIGN.md, each measured beside its floor in the same run.

Region-scale data is generated once into a private embedded server cached in
~/.cache/ejournal/bench (or $EJOURNAL_BENCH_DIR); later runs reuse it.

    scripts/bench [--scale 1.0] [--only db|tui|pdf] [--rebuild]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pgserver._commands import POSTGRES_BIN_PATH
from psycopg.conninfo import conninfo_to_dict
from tabulate import tabulate

from ejournal_tui.db import accounts, migrations
from ejournal_tui.db.connection import connect
from ejournal_tui.db.demo import load_demo_data
from ejournal_tui.db.embedded import EmbeddedServer

ROOT = Path(__file__).resolve().parents[1]
TEACHER = "o1_teacher01"
JOURNAL_SQL = ROOT / "scripts" / "bench_journal.sql"


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def prepare(server: EmbeddedServer, dbname: str, size: str, scale: float, rebuild: bool) -> str:
    if rebuild:
        server.drop_database(dbname)
    conninfo = server.ensure_database(dbname)
    with connect(conninfo) as conn:
        migrations.migrate(conn)
        if not conn.execute("SELECT 1 FROM ej.organization LIMIT 1").fetchone():
            t0 = time.perf_counter()
            print(f"Generating {size} data (scale {scale})…", file=sys.stderr, flush=True)
            counts = load_demo_data(conn, size=size, seed=1, scale=scale)
            print(f"  {time.perf_counter() - t0:.0f} s: {counts}", file=sys.stderr, flush=True)
        accounts.ensure_login_role(conn, TEACHER, "teacher")
    return conninfo


def timed(conn, query: str, params, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.execute(query, params).fetchall()
        out.append(time.perf_counter() - t0)
    return out


def bench_journal(super_conn, teacher_conn, n: int = 300) -> list[list]:
    """Open one group's journal (the teacher's largest group) as the teacher (RLS) and as superuser."""
    group = super_conn.execute(
        """SELECT g.id, count(DISTINCT a.student_id) AS students, count(DISTINCT a.lesson_id) AS lessons
             FROM ej.study_group g JOIN ej.staff s ON s.id = g.teacher_id
             JOIN ej.attendance a ON a.group_id = g.id
            WHERE s.login = %s GROUP BY g.id ORDER BY count(*) DESC LIMIT 1""",
        (TEACHER,),
    ).fetchone()
    query = JOURNAL_SQL.read_text()
    params = {"group_id": group["id"]}
    marks = len(teacher_conn.execute(query, params).fetchall())
    assert marks == len(super_conn.execute(query, params).fetchall()), "RLS hides the teacher's own marks"
    for c in (super_conn, teacher_conn):
        timed(c, query, params, 20)  # warm caches and plans
    su, te = [], []
    for _ in range(n // 10):  # interleave so that noise hits both alike
        su += timed(super_conn, query, params, 10)
        te += timed(teacher_conn, query, params, 10)
    server_ms = explain_ms(teacher_conn, query, params)
    server_su = explain_ms(super_conn, query, params)
    label = f"open journal {group['students']}×{group['lessons']} ({marks} rows)"
    return [
        [label + ", superuser (floor)", ms(pct(su, 50)), ms(pct(su, 95)), f"{server_su:.2f} ms", "", ""],
        [label + ", teacher with RLS", ms(pct(te, 50)), ms(pct(te, 95)), f"{server_ms:.2f} ms",
         f"{pct(te, 95) / pct(su, 95):.2f}×", "p95 ≤ 5 ms, ≤ 1.2×"],
    ]


def explain_ms(conn, query: str, params) -> float:
    """Median execution time inside the server (EXPLAIN ANALYZE, no per-node timing)."""
    times = []
    for _ in range(30):
        plan = conn.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + query, params).fetchone()
        doc = next(iter(plan.values()))[0]
        times.append(doc["Execution Time"] + doc.get("Planning Time", 0))
    return statistics.median(times)


def mark_sample(super_conn, limit: int) -> list[tuple[int, int]]:
    rows = super_conn.execute(
        """SELECT a.lesson_id, a.student_id FROM ej.attendance a
             JOIN ej.study_group g ON g.id = a.group_id JOIN ej.staff s ON s.id = g.teacher_id
             JOIN ej.iteration i ON i.id = g.iteration_id
            WHERE s.login = %s AND i.status <> 'archived' ORDER BY a.lesson_id, a.student_id LIMIT %s""",
        (TEACHER, limit),
    ).fetchall()
    return [(r["lesson_id"], r["student_id"]) for r in rows]


MARK_SQL = """UPDATE ej.attendance
                 SET status = CASE status WHEN 'absent' THEN 'present' ELSE 'absent' END,
                     reason = NULL, reason_text = NULL
               WHERE lesson_id = %s AND student_id = %s"""


def one_mark(conn, key) -> float:
    t0 = time.perf_counter()
    with conn.transaction():
        conn.execute("SELECT ej.set_reason('bench: late correction')")
        cur = conn.execute(MARK_SQL, key)
        assert cur.rowcount == 1
    return time.perf_counter() - t0


def bench_marks(super_conn, teacher_conn, n: int = 400) -> list[list]:
    keys = mark_sample(super_conn, n)
    if not keys:
        return [["one attendance mark", "no marks of an active iteration", "", "", "", ""]]
    with_audit, without = [], []
    for i in range(0, len(keys), 20):
        chunk = keys[i:i + 20]
        with_audit += [one_mark(teacher_conn, k) for k in chunk]
        super_conn.execute("ALTER TABLE ej.attendance DISABLE TRIGGER zz_audit")
        try:
            without += [one_mark(teacher_conn, k) for k in chunk]
        finally:
            super_conn.execute("ALTER TABLE ej.attendance ENABLE TRIGGER zz_audit")
    return [
        ["one mark (txn: reason + UPDATE), no audit (floor)", ms(pct(without, 50)), ms(pct(without, 95)), "", "", ""],
        ["one mark, with audit", ms(pct(with_audit, 50)), ms(pct(with_audit, 95)), "",
         f"{pct(with_audit, 95) / pct(without, 95):.2f}×", "p95 ≤ 3 ms"],
    ]


def bench_throughput(server: EmbeddedServer, dbname: str, super_conn, clients: int = 8, seconds: int = 10):
    """Marks per second from 8 connections, with pgbench (ships with the embedded server)."""
    keys = mark_sample(super_conn, 20000)
    super_conn.execute("DROP TABLE IF EXISTS public.bench_mark")
    super_conn.execute("CREATE TABLE public.bench_mark (k int PRIMARY KEY, lesson_id bigint, student_id bigint)")
    with super_conn.cursor().copy("COPY public.bench_mark FROM STDIN") as cp:
        for k, (lesson, student) in enumerate(keys):
            cp.write_row((k, lesson, student))
    super_conn.execute("GRANT SELECT ON public.bench_mark TO ej_teacher")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(
        f"\\set k random(0, {len(keys) - 1})\n"
        "BEGIN;\n"
        "SELECT ej.set_reason('bench: late correction');\n"
        "UPDATE ej.attendance SET status = CASE status WHEN 'absent' THEN 'present' ELSE 'absent' END, "
        "reason = NULL, reason_text = NULL "
        "WHERE (lesson_id, student_id) = (SELECT lesson_id, student_id FROM public.bench_mark WHERE k = :k);\n"
        "END;\n"
        )
    os.chmod(script.name, 0o644)
    pgbench = Path(POSTGRES_BIN_PATH) / "pgbench"
    params = conninfo_to_dict(server.conninfo(dbname, TEACHER))
    cmd = [str(pgbench), "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", script.name,
           "-h", params["host"], "-U", TEACHER, dbname]
    if params.get("port"):
        cmd[1:1] = ["-p", str(params["port"])]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    os.unlink(script.name)
    super_conn.execute("DROP TABLE public.bench_mark")
    tps = next((line for line in out.stdout.splitlines() if line.startswith("tps")), out.stderr.strip()[-200:])
    lat = next((line for line in out.stdout.splitlines() if line.startswith("latency average")), "")
    value = tps.split("=")[1].split("(")[0].strip() if "=" in tps else tps
    return [[f"marks/s from {clients} connections (pgbench, {seconds} s)", value, lat.split("=")[-1].strip(),
             "", "", "≥ 2,000/s"]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="region scale (1.0 = DESIGN.md's region)")
    ap.add_argument("--only", choices=["db", "tui", "pdf"])
    ap.add_argument("--rebuild", action="store_true", help="regenerate the cached data")
    args = ap.parse_args()

    cache = Path(os.environ.get("EJOURNAL_BENCH_DIR", Path.home() / ".cache" / "ejournal" / "bench"))
    server = EmbeddedServer(cache / "pgdata")
    rows: list[list] = []
    if args.only in (None, "db"):
        dbname = f"region_{str(args.scale).replace('.', '_')}"
        conninfo = prepare(server, dbname, "region", args.scale, args.rebuild)
        with connect(conninfo) as su, connect(server.conninfo(dbname, TEACHER)) as te:
            counts = su.execute(
                "SELECT (SELECT count(*) FROM ej.organization) AS orgs, (SELECT count(*) FROM ej.student) AS students,"
                " (SELECT count(*) FROM ej.attendance) AS marks").fetchone()
            print(f"region data: {counts['orgs']} organizations, {counts['students']} students, "
                  f"{counts['marks']} attendance marks")
            rows += bench_journal(su, te)
            rows += bench_marks(su, te)
            rows += bench_throughput(server, dbname, su)
    if args.only in (None, "tui", "pdf"):
        prepare(server, "small", "small", 1.0, False)
        for name in ("tui", "pdf"):
            script = ROOT / "scripts" / f"bench_{name}.py"
            if args.only in (None, name) and script.exists():
                print(f"\n== {name} ==", flush=True)
                subprocess.run([sys.executable, str(script), server.conninfo("small", TEACHER)], check=False)
    if rows:
        print()
        print(tabulate(rows, headers=["what", "p50 / value", "p95 / latency", "in server", "ratio", "budget"]))
    if shutil.which("nproc"):
        print(f"\nmachine: {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
