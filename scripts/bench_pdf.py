"""Time the hard copy of a quantum's iteration journal (DESIGN.md: ~40 sheets, ≤ 3 s), each
beside a one-page xhtml2pdf floor measured in the same run.

    .venv/bin/python scripts/bench_pdf.py CONNINFO [--region CONNINFO] [--as LOGIN] [--runs 3]

CONNINFO points at a database with the `small` demo data, --region at one with region data
(scripts/bench passes its own). Printed as the methodist (printing for the binding is the
methodist's job), for the quantum and iteration with the most groups (then lessons): the way
`ejournal print journal` does — collect, render the parts in worker processes, join, number,
write the file — without recording the print. Prints the p50 of the runs, the sheets, the
CPU time of all processes, the load of the machine (it is shared: the wall time depends on it)
and the floor: one A4 page of the same stylesheet through xhtml2pdf in this process.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from ejournal_tui.db.connection import connect, with_user
from ejournal_tui.reports import journal, pdf

BUDGET = 3.0
SHEETS = 40


def pick(conn) -> tuple[int, int, str]:
    row = conn.execute(
        """
        SELECT r.iteration_id, r.quantum_id, min(r.quantum_name) || ', ' || min(r.iteration_name) AS name
          FROM ej.report_group r
          LEFT JOIN ej.lesson l ON l.group_id = r.group_id
         WHERE r.organization_id = (SELECT min(organization_id) FROM ej.report_group)
         GROUP BY r.iteration_id, r.quantum_id
         ORDER BY count(DISTINCT r.group_id) DESC, count(l.id) DESC, r.iteration_id, r.quantum_id
         LIMIT 1
        """).fetchone()
    if row is None:
        raise SystemExit("bench_pdf: no groups visible — load the demo data first")
    return row["iteration_id"], row["quantum_id"], row["name"]


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def floor(conn, iteration: int, quantum: int, runs: int) -> float:
    """One portrait page (the title page of the same journal) through xhtml2pdf, p50."""
    doc = journal.collect(conn, iteration, quantum)
    m = pdf.environment().get_template("sections.html").module
    html = pdf.render_html("document.html", sections=[journal.Section("portrait", m.title(doc), 1, "")],
                           **journal.common_context(doc))
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        pdf.html_to_pdf(html)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def bench(conninfo: str, login: str, runs: int, label: str) -> None:
    try:
        conn = connect(with_user(conninfo, login) if login else conninfo)
    except psycopg.OperationalError:
        conn = connect(conninfo)  # no such login here: print as the given user
    with conn, tempfile.TemporaryDirectory() as tmp:
        iteration, quantum, name = pick(conn)
        times, cpus = [], []
        pages = 0
        out = Path(tmp) / "journal.pdf"
        for _ in range(runs + 1):  # the first run warms up imports and caches
            c0, start = cpu(), time.perf_counter()
            printed = journal.print_journal(conn, iteration, quantum, record=False, output=out)
            times.append(time.perf_counter() - start)
            cpus.append(cpu() - c0)
            pages = printed.pages
        one = floor(conn, iteration, quantum, runs)
        user = conn.execute("SELECT session_user AS u").fetchone()["u"]
    times, cpus = times[1:], cpus[1:]
    p50 = statistics.median(times)
    per = p50 / pages
    load = os.getloadavg()[0]
    print(f"{label}: hard copy of {name} (as {user}; {pdf.workers()} render processes)")
    print(f"  sheets: {pages}; p50 {p50:.2f} s over {len(times)} runs (min {min(times):.2f}, max {max(times):.2f}); "
          f"{per * 1000:.0f} ms a sheet; CPU of all processes {statistics.median(cpus):.2f} s")
    print(f"  floor: one page through xhtml2pdf {one * 1000:.0f} ms → the copy costs {p50 / one:.0f} one-page "
          f"renders; load average {load:.1f} on {os.cpu_count()} cores")
    print(f"  {SHEETS} sheets at this rate: {per * SHEETS:.2f} s; budget ≤ {BUDGET:.0f} s: "
          f"{'ok' if per * SHEETS <= BUDGET else 'OVER'}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("conninfo")
    ap.add_argument("--region", help="conninfo of a database with region data: its largest quantum")
    ap.add_argument("--as", dest="login", default="o1_methodist", help="print as this login (default o1_methodist)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    bench(args.conninfo, args.login, args.runs, "small data")
    if args.region:
        bench(args.region, args.login, max(1, args.runs - 1), "region data, largest quantum")
    return 0


if __name__ == "__main__":
    sys.exit(main())
