"""Time the hard copy of one quantum's iteration journal (DESIGN.md: ~40 pages, ≤ 3 s).

    .venv/bin/python scripts/bench_pdf.py CONNINFO [--as LOGIN] [--runs 5]

CONNINFO points at a database with the `small` demo data (scripts/bench passes its own). The
journal is printed as the methodist by default (printing for the binding is the methodist's
job; a teacher's print holds only the teacher's groups), for the iteration and quantum with
the most groups (then the most lessons): collecting the data, rendering and joining the PDF,
the way `ejournal print journal` does, without recording the print. Prints the p50 of the runs
and the page count.
"""

import argparse
import statistics
import sys
import time

import psycopg

from ejournal_tui.db.connection import connect, with_user
from ejournal_tui.reports import journal, pdf

BUDGET = 3.0


def pick(conn) -> tuple[int, int, str]:
    row = conn.execute(
        """
        SELECT r.iteration_id, r.quantum_id, min(r.quantum_name) || ', ' || min(r.iteration_name) AS name
          FROM ej.report_group r
          LEFT JOIN ej.lesson l ON l.group_id = r.group_id
         GROUP BY r.iteration_id, r.quantum_id
         ORDER BY count(DISTINCT r.group_id) DESC, count(l.id) DESC, r.iteration_id, r.quantum_id
         LIMIT 1
        """).fetchone()
    if row is None:
        raise SystemExit("bench_pdf: no groups visible — load the small demo data first")
    return row["iteration_id"], row["quantum_id"], row["name"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("conninfo")
    ap.add_argument("--as", dest="login", default="o1_methodist", help="print as this login (default o1_methodist)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    conninfo = with_user(args.conninfo, args.login) if args.login else args.conninfo
    try:
        conn = connect(conninfo)
    except psycopg.OperationalError:
        conn = connect(args.conninfo)  # no such login here: print as the given user
    with conn:
        iteration, quantum, name = pick(conn)
        times = []
        pages = 0
        for _ in range(args.runs + 1):  # the first run warms up imports and caches
            start = time.perf_counter()
            printed = journal.print_journal(conn, iteration, quantum, record=False)
            times.append(time.perf_counter() - start)
            pages = printed.pages
        times = times[1:]
        user = conn.execute("SELECT session_user AS u").fetchone()["u"]
    p50 = statistics.median(times)
    print(f"PDF of one quantum's iteration journal ({name}; as {user}; {pdf.workers()} render processes)")
    print(f"  pages: {pages}")
    print(f"  p50: {p50:.2f} s over {len(times)} runs (min {min(times):.2f}, max {max(times):.2f}); "
          f"{p50 / pages * 1000:.0f} ms a page; budget ≤ {BUDGET:.0f} s: {'ok' if p50 <= BUDGET else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
