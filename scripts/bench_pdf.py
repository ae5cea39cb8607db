"""Time the hard copy of a quantum's iteration journal (DESIGN.md: ~40 sheets, ≤ 3 s), each
beside a one-page xhtml2pdf floor measured in the same run.

    .venv/bin/python scripts/bench_pdf.py CONNINFO [--region CONNINFO] [--as LOGIN] [--runs 3]

CONNINFO points at a database with the `small` demo data, --region at one with region data
(scripts/bench passes its own). Printed as the methodist (printing for the binding is the
methodist's job), for the quantum and iteration with the most groups (then lessons): the way
`ejournal print journal` does — collect, render the parts in worker processes, join, number,
write the file — without recording the print. With --region, also a copy of about 40 sheets
(the largest region quantum cut to its first four groups: every region quantum has 6–7) and
the whole largest quantum (~80 sheets). Prints the p50 of the runs, the sheets, the CPU time of
all processes, the load of the machine (it is shared: the wall time depends on it), the floor:
one A4 page of the same stylesheet through xhtml2pdf in this process, and the budget: ≤ 3 s for
the copy of ~40 sheets (for another length, its time per 40 sheets).
"""

import argparse
import dataclasses
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from ejournal_tui.db.connection import connect, with_user
from ejournal_tui.reports import journal, pdf

BUDGET = 3.0
SHEETS = 40
REGION_GROUPS = 4  # of a region quantum's 6–7 groups: about 40 sheets


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


def server_cpu(pid: int) -> float:
    """CPU seconds of the database backend serving the print (the embedded server runs here; 0
    when its process cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def floor(conn, iteration: int, quantum: int, runs: int) -> float:
    """One portrait page (the title page of the same journal) through xhtml2pdf, p50."""
    doc = journal.collect(conn, iteration, quantum)
    m: Any = pdf.environment().get_template("sections.html").module  # the template's macros
    html = pdf.render_html("document.html", sections=[journal.Section("portrait", m.title(doc), 1, "")],
                           **journal.common_context(doc))
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        pdf.html_to_pdf(html)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def cut(doc: journal.JournalDoc, groups: int) -> journal.JournalDoc:
    """The journal of the quantum's first `groups` groups: a copy of about 40 sheets built from the
    region's data, where every quantum has 6–7 groups (~80 sheets)."""
    keep = doc.groups[:groups]
    ids = {g.info.group_id for g in keep}
    return dataclasses.replace(doc, groups=keep, fulfilment=[f for f in doc.fulfilment if f.group_id in ids],
                               teachers=sorted({g.info.teacher_name for g in keep}))


def bench(conninfo: str, login: str, runs: int, label: str, groups: int | None = None) -> None:
    """The hard copy as `ejournal print journal` makes it (collect, render the parts in worker
    processes, join, number, write the file; not recorded); with `groups`, the collected data is
    cut to that many groups before it is rendered (the collect is still the whole quantum's)."""
    try:
        conn = connect(with_user(conninfo, login) if login else conninfo)
    except psycopg.OperationalError:
        conn = connect(conninfo)  # no such login here: print as the given user
    with conn, tempfile.TemporaryDirectory() as tmp:
        iteration, quantum, name = pick(conn)
        backend = conn.execute("SELECT pg_backend_pid() AS p").fetchone()["p"]
        times, cpus, servers = [], [], []
        pages = 0
        out = Path(tmp) / "journal.pdf"
        for _ in range(runs + 1):  # the first run warms up imports and caches
            c0, s0, start = cpu(), server_cpu(backend), time.perf_counter()
            if groups is None:
                printed = journal.print_journal(conn, iteration, quantum, record=False, output=out)
            else:
                doc = cut(journal.collect(conn, iteration, quantum), groups)
                printed = journal.render(doc)
                journal.save(conn, printed, journal.check_output(out), lambda: None)
            times.append(time.perf_counter() - start)
            cpus.append(cpu() - c0)
            servers.append(server_cpu(backend) - s0)
            pages = printed.pages
        one = floor(conn, iteration, quantum, runs)
        user = conn.execute("SELECT session_user AS u").fetchone()["u"]
    times, cpus, servers = times[1:], cpus[1:], servers[1:]
    p50 = statistics.median(times)
    cpu50 = statistics.median(cpus)
    server50 = statistics.median(servers)
    load = os.getloadavg()[0]
    what = f"{name}" + (f", its first {groups} groups" if groups else "")
    print(f"{label}: hard copy of {what} (as {user}; {pdf.workers()} render processes)")
    print(f"  sheets: {pages}; p50 {p50:.2f} s over {len(times)} runs (min {min(times):.2f}, max {max(times):.2f}); "
          f"{p50 / pages * 1000:.0f} ms a sheet; CPU of all processes {cpu50:.2f} s "
          f"({cpu50 / pages * 1000:.0f} ms a sheet) + the database's {server50:.2f} s")
    print(f"  floor: one page through xhtml2pdf {one * 1000:.0f} ms → the copy costs {p50 / one:.0f} one-page "
          f"renders; load average {load:.1f} on {os.cpu_count()} cores")
    if abs(pages - SHEETS) <= SHEETS // 4:
        print(f"  budget ≤ {BUDGET:.0f} s for ~{SHEETS} sheets: {p50:.2f} s for {pages}: "
              f"{'OK' if p50 <= BUDGET else 'OVER'}")
    else:
        per = p50 / pages * SHEETS
        print(f"  budget ≤ {BUDGET:.0f} s for ~{SHEETS} sheets: {per:.2f} s per {SHEETS} sheets at this rate: "
              f"{'OK' if per <= BUDGET else 'OVER'}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("conninfo")
    ap.add_argument("--region", help="conninfo of a database with region data: its largest quantum")
    ap.add_argument("--as", dest="login", default="o1_methodist", help="print as this login (default o1_methodist)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    bench(args.conninfo, args.login, args.runs, "small data")
    if args.region:
        bench(args.region, args.login, max(1, args.runs - 1), "region data, ~40 sheets", groups=REGION_GROUPS)
        bench(args.region, args.login, max(1, args.runs - 1), "region data, largest quantum")
    return 0


if __name__ == "__main__":
    sys.exit(main())
