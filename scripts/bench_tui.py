"""Benchmarks of the teacher's TUI beside their floor (DESIGN.md, performance budgets).

    python scripts/bench_tui.py CONNINFO [--runs 7] [--presses 200]

CONNINFO: a migrated database with the small demo data, login o1_teacher01 (the bench
writes a few marks into the latest lesson of the teacher's first group and clears them).

Measured, each in fresh processes, next to a bare Textual app that imports psycopg and
pydantic and shows a 25×72 DataTable (the floor):
- cold start: process start → first screen painted (the teacher's home with its data);
- key press → repainted grid cell, at 80×24 (ms), and the CPU time of the UI thread in it;
- arrow key → repaint while moving across a 30×80 grid (the widget alone; floor: the plain
  DataTable of 25×72);
- RSS of one session after opening a journal.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

ROWS, COLS = 25, 72


def child_bare(mode: str, spawned: float, presses: int) -> dict:
    import psycopg  # noqa: F401  (the floor carries the same libraries)
    import pydantic  # noqa: F401
    from textual.app import App
    from textual.binding import Binding
    from textual.widgets import DataTable, Footer, Header

    out: dict = {}

    class Bare(App):
        BINDINGS = [Binding("n", "mark", "mark")]  # noqa: RUF012

        def compose(self):
            yield Header()
            yield DataTable(cursor_type="cell")
            yield Footer()

        def on_mount(self):
            table = self.query_one(DataTable)
            table.add_column("name", key="name")
            for c in range(COLS):
                table.add_column(f"{c:02d}", key=str(c))
            for r in range(ROWS):
                table.add_row(f"student {r}", *("+" for _ in range(COLS)), key=str(r))
            table.focus()
            if mode == "start":
                self.call_after_refresh(self.ready)

        def ready(self):
            out["ready_s"] = time.time() - spawned
            out["rss_mb"] = rss_mb()
            self.exit()

        def action_mark(self):
            table = self.query_one(DataTable)
            table.update_cell_at(
                table.cursor_coordinate, "н" if table.get_cell_at(table.cursor_coordinate) == "+" else "+"
            )

    app = Bare()
    if mode == "start":
        app.run(headless=True, size=(80, 24))
        return out
    if mode == "scroll":
        return _presses(app, _walk(presses), (DataTable, "watch_cursor_coordinate"))
    return _presses(app, ["n"] * presses)


def _walk(presses: int) -> list[str]:
    """Across the grid and back, a row down at each turn: the view scrolls sideways."""
    keys: list[str] = []
    while len(keys) < presses:
        keys += ["right"] * 40 + ["down"] + ["left"] * 40 + ["down"]
    return keys[:presses]


def child_grid(presses: int, conninfo: str) -> dict:
    """The journal grid alone with 30 students × 80 lessons (the database gives only the
    vocabulary the cells are written in, loaded before anything is timed)."""
    from datetime import date, timedelta

    from ejournal_tui import vocabulary
    from ejournal_tui.db.connection import connect

    with connect(conninfo) as conn:
        vocabulary.load(conn)

    from rich.text import Text
    from textual.app import App
    from textual.widgets import DataTable

    from ejournal_tui.journal_models import Lesson, Period, Student, Value
    from ejournal_tui.tui.widgets.journal_grid import JournalGrid, cell

    start = date(2025, 9, 1)
    students = [
        Student(
            id=i,
            last_name=f"Ученик{i:02d}",
            first_name="Имя",
            middle_name=None,
            periods=[Period(enrolled_on=start, left_on=None)],
        )
        for i in range(1, 31)
    ]
    lessons = [Lesson(held_on=start + timedelta(days=2 * k), id=k + 1, hours=2) for k in range(80)]
    statuses = ("present", "present", "present", "absent", "excused")

    def mark(s, lesson):
        status = statuses[(s.id + lesson.id) % 5]
        return Value(status, "illness" if status == "excused" else None)

    class Totals:
        def row(self, student):
            return Text("20/24")

        def column(self, lesson):
            return Text("25/30")

    class GridApp(App):
        def compose(self):
            yield JournalGrid()

        def on_mount(self):
            grid = self.query_one(JournalGrid)
            grid.build(students, lessons, lambda s, le: cell(s, le, mark(s, le), False, start), Totals(), start)
            grid.move_cursor(row=1, column=2)
            grid.focus()

    return _presses(GridApp(), _walk(presses), (DataTable, "watch_cursor_coordinate"))


def child_ej(mode: str, spawned: float, presses: int, conninfo: str) -> dict:
    from ejournal_tui.tui.app import EJournalApp
    from ejournal_tui.tui.screens.teacher.home import HomeScreen

    out: dict = {}
    loaded = HomeScreen._loaded

    def patched(self, *args):
        loaded(self, *args)
        if "ready_s" not in out:
            self.app.call_after_refresh(lambda: out.setdefault("ready_s", time.time() - spawned))
            if mode == "start":
                self.app.call_after_refresh(self.app.exit)

    setattr(HomeScreen, "_loaded", patched)  # noqa: B010  (a method replaced for the measurement)
    app = EJournalApp(conninfo)
    if mode == "start":
        app.run(headless=True, size=(80, 24))
        return out
    import asyncio

    return asyncio.run(_ej_session(app, mode, presses, out))


async def _ej_session(app, mode: str, presses: int, out: dict) -> dict:
    from ejournal_tui.journal_models import is_late
    from ejournal_tui.tui.screens.teacher.journal import JournalScreen
    from ejournal_tui.tui.widgets.journal_grid import JournalGrid

    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot, lambda: app.screen.query("#groups"))
        app.screen.query_one("#groups").focus()
        await pilot.press("enter")
        await _settle(pilot, lambda: isinstance(app.screen, JournalScreen) and app.screen.grid.row_count)
        screen = app.screen
        assert isinstance(screen, JournalScreen), screen
        if mode == "rss":
            return {"rss_mb": rss_mb()}
        _, lesson = screen._current()
        if lesson is None or lesson.held_on > app.today or is_late(lesson.held_on, app.today):
            raise SystemExit(
                "bench_tui: the latest lesson of the group is older than 3 days; "
                "a correction would ask for a reason — use fresh demo data"
            )
        row = next(i for i, s in enumerate(screen.students, start=1) if s.enrolled(lesson.held_on))
        screen.grid.move_cursor(row=row)
        keys = ["н" if i % 2 == 0 else "space" for i in range(presses)]
        # the cursor moves down after a mark: put it back on the same cell before each press
        times = await _measure_keys(pilot, keys, lambda: screen.grid.move_cursor(row=row), (JournalGrid, "put"))
        screen.grid.move_cursor(row=row)
        await pilot.press("delete")
        await _settle(pilot)
        while screen.queue:
            await pilot.pause(0.05)
        return times


def _presses(app, keys: list[str], changes=None) -> dict:
    import asyncio

    async def run():
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            return await _measure_keys(pilot, keys, changes=changes)

    return asyncio.run(run())


async def _measure_keys(pilot, keys: list[str], before_each=None, changes=None) -> dict:
    """Key event posted → the first screen refresh (compositor render) after a grid cell changed:
    the wall time (keys_ms) and the CPU time of the UI thread in that span (cpu_ms, what the
    app costs whatever else runs on the machine). Pilot's own idle detection is outside it.

    Before each key the app idles for more than one frame, as between a teacher's keys (well
    over 100 ms apart): Textual paces refreshes with a 1/60 s timer, which fires at once when
    idle but otherwise waits for its next tick. Without the pause the bench's own cursor reset,
    painted just before the key, left the timer mid-tick and every figure ≈ 16 ms whatever
    the app did (the method until session 3)."""
    import asyncio

    from textual.screen import UPDATE_PERIOD, Screen
    from textual.widgets import DataTable

    owner, name = changes or (DataTable, "update_cell")  # the method that changes a grid cell
    state: dict = {"armed": False, "done": None}
    refresh, update_cell = Screen._compositor_refresh, getattr(owner, name)

    def timed_refresh(self):
        refresh(self)
        if state["armed"] and state["done"] is not None and not state["done"].done():
            state["done"].set_result((time.perf_counter(), time.thread_time()))

    def arming_update_cell(self, *args, **kwargs):
        update_cell(self, *args, **kwargs)
        state["armed"] = True

    setattr(Screen, "_compositor_refresh", timed_refresh)  # noqa: B010
    setattr(owner, name, arming_update_cell)
    times, cpu = [], []
    try:
        for key in keys:
            await pilot.pause()
            if before_each:
                before_each()
                await pilot.pause()
            await asyncio.sleep(1.5 * UPDATE_PERIOD)  # idle, as between two keys of a person
            state["armed"], state["done"] = False, asyncio.get_running_loop().create_future()
            t0, c0 = time.perf_counter(), time.thread_time()
            press = asyncio.create_task(pilot.press(key))
            t1, c1 = await asyncio.wait_for(state["done"], 10)
            await press
            times.append((t1 - t0) * 1000)
            cpu.append((c1 - c0) * 1000)
    finally:
        setattr(Screen, "_compositor_refresh", refresh)  # noqa: B010
        setattr(owner, name, update_cell)
    return {"keys_ms": times, "cpu_ms": cpu}


async def _settle(pilot, ready=lambda: True) -> None:
    """Until the workers are done and the screen is ready (a loaded machine takes longer)."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for _ in range(1000):
        if ready():
            return
        await pilot.pause(0.01)
        await pilot.app.workers.wait_for_complete()


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def spawn(kind: str, mode: str, conninfo: str, presses: int) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, mode, repr(time.time()), str(presses), conninfo]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)  # the bare floor is slow on a busy machine
    if proc.returncode != 0:
        raise SystemExit(f"bench_tui: {kind} {mode} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))]


def _duties_confirmed(conninfo: str) -> None:
    """The bench measures the teacher's daily work, not the first login: the regulation's duties
    (asked once, on the first login) are confirmed before the measurements."""
    from ejournal_tui.db import acknowledgment
    from ejournal_tui.db.connection import connect

    with connect(conninfo) as conn:
        roles = list(acknowledgment.missing(conn))
        if roles:
            acknowledgment.acknowledge(conn, roles)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, mode, spawned, presses, conninfo = sys.argv[2:7]
        if kind == "bare":
            result = child_bare(mode, float(spawned), int(presses))
        elif kind == "grid":
            result = child_grid(int(presses), conninfo)
        else:
            result = child_ej(mode, float(spawned), int(presses), conninfo)
        print(json.dumps(result))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("conninfo")
    ap.add_argument("--runs", type=int, default=7, help="cold starts of each app")
    ap.add_argument("--presses", type=int, default=200, help="key presses in the grid")
    args = ap.parse_args()
    _duties_confirmed(args.conninfo)

    start = {k: [spawn(k, "start", args.conninfo, 0) for _ in range(args.runs)] for k in ("bare", "ej")}
    keys = {k: spawn(k, "keys", args.conninfo, args.presses) for k in ("bare", "ej")}
    scroll = {k: spawn(k, "scroll", args.conninfo, args.presses) for k in ("grid", "bare")}
    rss_ej = [spawn("ej", "rss", args.conninfo, 0)["rss_mb"] for _ in range(3)]
    rss_bare = [r["rss_mb"] for r in start["bare"]]

    rows = []
    for name, unit, ej, bare, budget in [
        (
            "cold start to first screen",
            "s",
            [r["ready_s"] for r in start["ej"]],
            [r["ready_s"] for r in start["bare"]],
            "≤ 1.3× bare",
        ),
        ("key press → repainted cell", "ms", keys["ej"]["keys_ms"], keys["bare"]["keys_ms"], "p95 ≤ 17 ms"),
        ("  its CPU (UI thread)", "ms", keys["ej"]["cpu_ms"], keys["bare"]["cpu_ms"], ""),
        ("arrow key → repaint, 30×80 grid", "ms", scroll["grid"]["keys_ms"], scroll["bare"]["keys_ms"],
         "smooth (≤ 16 ms)"),
        ("  its CPU (UI thread)", "ms", scroll["grid"]["cpu_ms"], scroll["bare"]["cpu_ms"], ""),
        ("RSS after opening a journal", "MB", rss_ej, rss_bare, "≤ 1.3× bare"),
    ]:
        p50, p95 = statistics.median(ej), pct(ej, 95)
        b50, b95 = statistics.median(bare), pct(bare, 95)
        rows.append((name, unit, p50, p95, b50, b95, p50 / b50, budget))
    print(f"{'what':32} {'unit':>4} {'p50':>8} {'p95':>8} {'bare p50':>9} {'bare p95':>9} {'ratio':>6}  budget")
    for name, unit, p50, p95, b50, b95, ratio, budget in rows:
        print(f"{name:32} {unit:>4} {p50:8.3f} {p95:8.3f} {b50:9.3f} {b95:9.3f} {ratio:6.2f}  {budget}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
