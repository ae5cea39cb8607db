"""Changes made elsewhere: one extra connection LISTENs on ej_journal (the triggers of 0016 send
the table, organization and group of a change — ids only). A burst of changes is passed on as
one set, and the screens read what they show again, through RLS.

The database announces a group at most once per ej.live_quiet_ms() (400 ms): each
notification is therefore passed on twice — at once, and again SECOND_READ seconds later, which
covers whatever changed in the quiet time. A change shows within about 0.6 s either way."""

import threading
import time

import psycopg

from ejournal_tui.db.connection import Conn, connect

CHANNEL = "ej_journal"
BATCH_SECONDS = 0.05  # notifications arriving this close together are passed on at once
SECOND_READ = 0.55  # after ej.live_quiet_ms() and a margin for the commit


def parse(payload: str) -> tuple[str, int, int] | None:
    try:
        table, org, group = payload.split(":")
        return table, int(org), int(group)
    except ValueError:
        return None


class Listener:
    def __init__(self, conninfo: str, on_changes, own_pid=lambda: None, retry_seconds: float = 3.0):
        self.conninfo = conninfo
        self.own_pid = own_pid  # the backend of the app's own session: its changes are known already
        self.on_changes = on_changes  # called from the listener's thread with a set of (table, org, group)
        self.retry_seconds = retry_seconds
        self._stop = threading.Event()
        self._conn: Conn | None = None
        self._thread = threading.Thread(target=self._run, name="ej-listen", daemon=True)
        self._again: dict[tuple[str, int, int], float] = {}  # change -> when to pass it on again
        self.listening = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """The thread notices within a second and closes its connection."""
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with connect(self.conninfo, connect_timeout=5, keepalives=1, keepalives_idle=10,
                             keepalives_interval=5, keepalives_count=3) as conn:
                    self._conn = conn
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    self._listen(conn)
            except psycopg.Error:
                pass
            finally:
                self._conn = None
                self.listening.clear()
            self._stop.wait(self.retry_seconds)

    def _listen(self, conn: Conn) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            due = {c for c, at in self._again.items() if at <= now}
            if due:
                for c in due:
                    del self._again[c]
                self.on_changes(due)
            wait = min([1.0, *(at - now for at in self._again.values())])
            # own changes are known already, but they open a quiet time in which others' are
            # not announced: those are read the second time only
            changes: set[tuple[str, int, int]] = set()
            own: set[tuple[str, int, int]] = set()
            heard = False
            for n in conn.notifies(timeout=max(0.01, wait)):
                if (change := parse(n.payload)) is not None:
                    (own if n.pid == self.own_pid() else changes).add(change)
                heard = True
                break  # the first of a burst: collect the rest briefly, then pass them on
            if not heard:
                continue
            deadline = time.monotonic() + BATCH_SECONDS
            for n in conn.notifies(timeout=BATCH_SECONDS, stop_after=1000):
                if (change := parse(n.payload)) is not None:
                    (own if n.pid == self.own_pid() else changes).add(change)
                if time.monotonic() >= deadline:
                    break
            if changes:
                self.on_changes(changes)
            later = time.monotonic() + SECOND_READ
            for c in changes | own:
                self._again.setdefault(c, later)
