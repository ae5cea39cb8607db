"""Changes made elsewhere: one extra connection LISTENs on ej_journal (the triggers of 0019 send
the table, organization and group of each change — ids only). A burst of changes is passed on
as one set, and the screens read what they show again, through RLS."""

import threading
import time

import psycopg

from ejournal_tui.db.connection import connect

CHANNEL = "ej_journal"
BATCH_SECONDS = 0.05  # notifications arriving this close together are passed on at once


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
        self._conn: psycopg.Connection | None = None
        self._thread = threading.Thread(target=self._run, name="ej-listen", daemon=True)
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

    def _listen(self, conn: psycopg.Connection) -> None:
        while not self._stop.is_set():
            changes: set[tuple[str, int, int]] = set()
            for n in conn.notifies(timeout=1.0):
                if n.pid != self.own_pid() and (change := parse(n.payload)) is not None:
                    changes.add(change)
                if self._stop.is_set():
                    return
                break  # the first of a burst: collect the rest briefly, then pass them on
            if not changes:
                continue
            deadline = time.monotonic() + BATCH_SECONDS
            for n in conn.notifies(timeout=BATCH_SECONDS, stop_after=1000):
                if n.pid != self.own_pid() and (change := parse(n.payload)) is not None:
                    changes.add(change)
                if time.monotonic() >= deadline:
                    break
            self.on_changes(changes)
