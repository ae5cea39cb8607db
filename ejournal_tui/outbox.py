"""Unsaved journal writes on disk, so that a killed or hung-up session loses nothing.

Each running process of a login appends to its own file `<login>-<pid>.jsonl` in the user's
data directory (mode 0600, the directory 0700) and holds an exclusive lock on it while it runs.
A write is appended (written to the file, so a killed process keeps it) when the key is
pressed, and fsync'd before it is sent, by a flusher thread: the key's repaint never waits for
the disk. A «done» line follows when the database has it; a file whose writes are all done is
removed. The next start of the login replays every
file of that login that no running process holds. A line carries ids and the value only: the
group, date, student id, status, reason (and its text), the version it was made on.
"""

import contextlib
import fcntl
import json
import os
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from ejournal_tui.settings import current


def outbox_dir() -> Path:
    path = current().data_dir / "outbox"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def _safe(login: str) -> str:
    return "".join(c if c.isalnum() or c in "_-." else "_" for c in login)


@dataclass
class Entry:
    """One unsaved write read back from a file."""

    id: int
    group_id: int
    kind: str  # "mark" | "lesson"
    data: dict


class Outbox:
    def __init__(self, login: str, directory: Path | None = None):
        self.directory = directory or outbox_dir()
        self.path = self.directory / f"{_safe(login)}-{os.getpid()}.jsonl"
        self._lock = threading.Lock()
        self._next = 1
        self._open: set[int] = set()
        self._file: TextIO | None = None
        self._written = 0  # lines written to the file
        self._synced = 0  # lines known to be on the disk
        self._sync_lock = threading.Lock()
        self._dirty = threading.Event()
        self._flusher: threading.Thread | None = None

    def _handle(self):
        if self._file is None:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._file = os.fdopen(fd, "a", encoding="utf-8")
        return self._file

    def _append(self, record: dict) -> None:
        """In the file at once (the OS keeps it if the process dies); on the disk soon after."""
        f = self._handle()
        f.write(json.dumps(record, ensure_ascii=False, default=_json) + "\n")
        f.flush()
        self._written += 1
        if self._flusher is None:
            self._flusher = threading.Thread(target=self._flush_loop, name="outbox-fsync", daemon=True)
            self._flusher.start()
        self._dirty.set()

    def _flush_loop(self) -> None:
        while True:
            self._dirty.wait()
            self._dirty.clear()
            self.sync()

    def sync(self) -> None:
        """Everything written so far is on the disk (the writer calls it before it sends)."""
        with self._lock:
            target, f = self._written, self._file
        if f is None or self._synced >= target:
            return
        with self._sync_lock:
            if self._synced >= target:
                return
            with contextlib.suppress(ValueError, OSError):  # closed meanwhile: nothing left to keep
                os.fsync(f.fileno())
            self._synced = max(self._synced, target)

    def put(self, group_id: int, write) -> None:
        """Before a write is sent (again, when a queued one is replaced by a newer intention)."""
        with self._lock:
            if not write.id:
                write.id = self._next
                self._next += 1
            self._open.add(write.id)
            self._append({"id": write.id, "g": group_id, **_fields(write)})

    def done(self, write) -> None:
        with self._lock:
            if write.id not in self._open:
                return
            self._open.discard(write.id)
            if self._open:
                self._append({"id": write.id, "done": True})
            else:
                self.close(remove=True)

    @property
    def pending(self) -> int:
        return len(self._open)

    def close(self, remove: bool = False) -> None:
        """Remove the file when nothing is left in it; else keep it (on the disk) for the next start."""
        if self._file is not None:
            if remove or not self._open:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
            else:
                os.fsync(self._file.fileno())
            self._file.close()  # releases the lock
            self._file = None


def _fields(write) -> dict:
    if hasattr(write, "student_id"):
        v = write.value
        return {
            "k": "mark", "d": write.day, "s": write.student_id, "st": v.status, "r": v.reason, "rt": v.reason_text,
            "v": write.base, "f": write.follow, "e": write.only_if_empty, "lr": write.late_reason,
        }
    return {"k": "lesson", "d": write.day, "h": write.hours, "ti": write.topic_id, "t": write.topic,
            "lr": write.late_reason, "b": write.base}


def _json(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


def _read(path: Path) -> list[Entry]:
    entries: dict[int, Entry] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:  # the last line of a killed process may be cut short
            continue
        if rec.get("done"):
            entries.pop(rec["id"], None)
        else:
            entries.pop(rec["id"], None)  # a newer intention of the same write goes to the end
            entries[rec["id"]] = Entry(rec["id"], rec["g"], rec["k"], rec)
    return list(entries.values())


class Leftover:
    """The files of earlier sessions of a login that no running process holds."""

    def __init__(self, login: str, directory: Path | None = None):
        self.directory = directory or outbox_dir()
        self.login = login
        self._held: list[tuple[Path, int]] = []

    def claim(self) -> list[Entry]:
        entries: list[Entry] = []
        for path in sorted(self.directory.glob(f"{_safe(login := self.login)}-*.jsonl")):
            if not path.name[len(_safe(login)) + 1 : -len(".jsonl")].isdigit():
                continue
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # a running session's own
                os.close(fd)
                continue
            self._held.append((path, fd))
            entries += _read(path)
        return entries

    def release(self, replayed: bool) -> None:
        """After a replay the files go; if it could not finish they stay for the next start."""
        for path, fd in self._held:
            if replayed:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            os.close(fd)
        self._held = []
