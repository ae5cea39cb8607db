"""The journal of one group without a screen: the grid's state, the value of a cell, the write
queue, the version check, conflicts and reconnects.

A cell holds what the database saved (`Saved`) and, while a write is on its way, what the
teacher meant (`Value`). Each cell has at most one write waiting: a new intention replaces a
queued one, so the database ends with the last intention, once. A write names the version it
was made on; `ej.save_mark` compares it in the same round trip and answers saved, conflict or
"needs a reason". Writes go out in order from one thread; every write is in the outbox file
when its key is pressed, on the disk (fsync'd by the outbox's own thread) before it is sent,
and leaves it when the database has it, so a killed process loses nothing.

The engine imports no Textual: it reports what happened through `on_event(event)`, called
from its own thread (the screen turns it into a Textual message).
"""

import contextlib
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ejournal_tui.dates import fmt_date
from ejournal_tui.db import journal
from ejournal_tui.db.session import Session, Unreachable
from ejournal_tui.journal_models import NO_MARK, Group, Lesson, MarkResult, Saved, Student, TopicProgress, Value
from ejournal_tui.outbox import Outbox

RETRY_SECONDS = 3.0

Key = tuple[date, int]  # (lesson date, student id)


@dataclass
class Write:
    """One intention on its way. `base`: the version of the mark it was made on (None: no mark);
    `follow`: made while an earlier write of the cell was in flight — its base is whatever that
    one saved."""

    day: date
    student_id: int
    value: Value
    base: int | None = None
    follow: bool = False
    late_reason: str | None = None
    only_if_empty: bool = False  # «all present»: a mark somebody else set stays, without a question
    id: int = 0

    @property
    def key(self) -> Key:
        return (self.day, self.student_id)


@dataclass
class LessonWrite:
    day: date
    hours: Decimal
    topic_id: int | None
    topic: str | None
    late_reason: str | None = None
    id: int = 0
    # (lesson id, version) the editor was opened on; None: a new lesson
    base: tuple[int | None, int | None] | None = None


# --- what the engine reports -------------------------------------------------------------


@dataclass
class Event:
    pass


@dataclass
class Loaded(Event):
    pass


@dataclass
class Refreshed(Event):
    """Read again with the same students and dates: only these cells and columns changed."""

    cells: set
    days: set


@dataclass
class CellChanged(Event):
    key: Key


@dataclass
class ColumnChanged(Event):
    day: date
    rebuild: bool = False  # a new column: the grid must be built again


@dataclass
class Conflict(Event):
    """Somebody changed the mark meanwhile: nothing was overwritten."""

    key: Key
    mine: Value
    theirs: Saved | None
    late_reason: str | None = None


@dataclass
class LessonConflict(Event):
    write: LessonWrite
    current: Lesson | None


@dataclass
class NeedsReason(Event):
    """A late correction without a reason: nothing was written; ask and call `set_mark` again."""

    key: Key
    mine: Value


@dataclass
class Failed(Event):
    key: Key | None
    error: Exception


@dataclass
class Connection(Event):
    offline: bool


@dataclass
class Notice(Event):
    text: str


@dataclass
class Columns:
    """Totals the grid shows."""

    present: int
    marked: int


@dataclass
class State:
    group: Group | None = None
    students: list[Student] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    lesson_at: dict[date, Lesson] = field(default_factory=dict)
    saved: dict[Key, Saved] = field(default_factory=dict)
    topics: list[TopicProgress] = field(default_factory=list)


class JournalEngine:
    def __init__(self, session: Session, group_id: int, on_event=None, outbox: Outbox | None = None, runner=None):
        self.session = session
        self.group_id = group_id
        self.on_event = on_event or (lambda event: None)
        self.outbox = outbox
        self.state = State()
        self.pending: dict[Key, Value] = {}  # the latest intention of a cell not yet saved
        self.queue: deque = deque()
        self.offline = False
        self.retry_seconds = RETRY_SECONDS
        self._in_flight: Any = None
        self._lock = threading.RLock()
        self._wake = threading.Condition(self._lock)
        self._stopped = True
        self._draining = False
        self._timer: threading.Timer | None = None
        # how the writer runs: a thread by default; the screen passes a Textual thread worker
        self.runner = runner or (lambda fn: threading.Thread(target=fn, daemon=True).start())

    # --- reading ---------------------------------------------------------------------------

    def load(self) -> None:
        """Read the grid (blocking; call it from a worker). Queued intentions stay on top."""
        data = self.session.run(journal.grid, self.group_id)
        topics = self.session.run(journal.topic_progress, self.group_id)
        with self._lock:
            s = self.state
            for key, mark in data.marks.items():  # a write applied while this was read is newer
                current = s.saved.get(key)
                if current is not None and current.version > mark.version:
                    data.marks[key] = current
            same = (
                s.group is not None
                and s.group == data.group
                and [x.id for x in s.students] == [x.id for x in data.students]
                and [x.held_on for x in s.lessons] == [x.held_on for x in data.lessons]
            )
            cells = {k for k in s.saved.keys() | data.marks.keys()
                     if (a := s.saved.get(k)) is None or (b := data.marks.get(k)) is None
                     or (a.value, a.version) != (b.value, b.version)}
            days = {x.held_on for x in data.lessons if (old := s.lesson_at.get(x.held_on)) is None
                    or (old.id, old.version, old.hours) != (x.id, x.version, x.hours)}
            s.group, s.students, s.lessons, s.topics = data.group, data.students, data.lessons, topics
            s.lesson_at = {x.held_on: x for x in data.lessons}
            s.saved = data.marks
        self.emit(Refreshed(cells, days) if same else Loaded())

    @property
    def loaded(self) -> bool:
        return self.state.group is not None

    @property
    def writable(self) -> bool:
        return self.state.group is not None and self.state.group.writable

    def value(self, key: Key) -> Value | None:
        """What the cell shows: the pending intention, else the saved mark (None: no mark)."""
        v = self.pending.get(key)
        if v is None:
            saved = self.state.saved.get(key)
            return saved.value if saved else None
        return v if v.status is not None else None

    def is_pending(self, key: Key) -> bool:
        return key in self.pending

    @property
    def unsaved(self) -> int:
        return len(self.queue) + (1 if self._in_flight is not None else 0)

    def student_total(self, student: Student) -> Columns:
        values = [self.value((x.held_on, student.id)) for x in self.state.lessons]
        marked = [v for v in values if v]
        return Columns(sum(1 for v in marked if v.status == "present"), len(marked))

    def lesson_total(self, lesson: Lesson) -> tuple[int, int, bool]:
        """(present, enrolled that day, any mark)."""
        enrolled = [s for s in self.state.students if s.enrolled(lesson.held_on)]
        values = [self.value((lesson.held_on, s.id)) for s in enrolled]
        return sum(1 for v in values if v and v.status == "present"), len(enrolled), any(values)

    # --- writing ---------------------------------------------------------------------------

    def set_mark(
        self, day: date, student_id: int, value: Value, late_reason: str | None = None, only_if_empty: bool = False
    ) -> bool:
        """Queue an intention; False when the cell already says so."""
        key = (day, student_id)
        with self._lock:
            current = self.value(key)
            if (current or NO_MARK) == value and key not in self.pending:
                return False
            # the newest write of the cell: a write cut in flight goes back to the head of the queue,
            # ahead of one made meanwhile, and the last one sent must carry the last intention
            queued = next((w for w in reversed(self.queue) if isinstance(w, Write) and w.key == key), None)
            if queued is not None:  # not sent yet: the new intention replaces it
                queued.value, queued.late_reason = value, late_reason or queued.late_reason
                queued.only_if_empty = queued.only_if_empty and only_if_empty
                if self.outbox:
                    self.outbox.put(self.group_id, queued)
            else:
                in_flight = isinstance(self._in_flight, Write) and self._in_flight.key == key
                saved = self.state.saved.get(key)
                write = Write(
                    day, student_id, value, base=saved.version if saved else None, follow=in_flight,
                    late_reason=late_reason, only_if_empty=only_if_empty,
                )
                if self.outbox:
                    self.outbox.put(self.group_id, write)
                self.queue.append(write)
            self.pending[key] = value
        self.emit(CellChanged(key))
        self._kick()
        return True

    def all_present(self, day: date) -> int:
        """«All present» for the enrolled students of that date without a mark."""
        with self._lock:
            ids = [
                s.id for s in self.state.students if s.enrolled(day) and self.value((day, s.id)) is None
            ]
            for sid in ids:
                self.set_mark(day, sid, Value("present"), only_if_empty=True)
        return len(ids)

    def save_lesson(self, write: LessonWrite) -> None:
        with self._lock:
            if write.day not in self.state.lesson_at:
                self._put_lesson(Lesson(held_on=write.day))
            if self.outbox:
                self.outbox.put(self.group_id, write)
            self.queue.append(write)
        self._kick()

    # --- the writer ---------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            self._stopped = False
        self._kick()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._wake.notify_all()

    def wait_idle(self, timeout: float = 10) -> bool:
        """Until nothing is queued or the database is unreachable (tests, a replay)."""
        with self._lock:
            return self._wake.wait_for(lambda: self.offline or not self.unsaved, timeout)

    def _kick(self) -> None:
        with self._lock:
            if not self.queue or self._draining or self.offline or self._stopped:
                return
            self._draining = True
        self.runner(self._drain)

    def _drain(self) -> None:
        """Sends the queue in order, one write at a time (runs in a worker thread)."""
        while True:
            with self._lock:
                if not self.queue or self._stopped:
                    self._draining = False
                    self._wake.notify_all()
                    return
                write = self.queue.popleft()
                self._in_flight = write
            if self.outbox:
                self.outbox.sync()  # on the disk before the database can have it
            try:
                result = self._send(write)
            except Unreachable:
                with self._lock:
                    self.queue.appendleft(write)
                    self._in_flight = None
                    self._draining = False
                self._went_offline()
                return
            except Exception as exc:  # refused by the database: shown, dropped, the cell read again
                with self._lock:
                    self._in_flight = None
                    self._done(write)
                self._failed(write, exc)
                continue
            with self._lock:
                self._in_flight = None
                self._apply(write, result)

    def _send(self, write):
        if isinstance(write, LessonWrite):
            base: tuple[int | None, int | None] | None = write.base
            if base is None:  # a new lesson, unless a mark of this date created it meanwhile (mine)
                lesson = self.state.lesson_at.get(write.day)
                if lesson is not None and lesson.id is not None and lesson.title is None:
                    base = (lesson.id, lesson.version)
            return self.session.run(
                journal.save_lesson, group_id=self.group_id, held_on=write.day, hours=write.hours,
                topic_id=write.topic_id, topic=write.topic, lesson_id=base[0] if base else None,
                version=base[1] if base else None, late_reason=write.late_reason,
            )
        with self._lock:
            version = write.base
            if write.follow:
                saved = self.state.saved.get(write.key)
                version = saved.version if saved else None
            lesson = self.state.lesson_at.get(write.day)
            hours = lesson.planned_hours if lesson else Decimal(2)
        v = write.value
        return self.session.run(
            journal.save_mark_once, group_id=self.group_id, held_on=write.day, student_id=write.student_id,
            status=v.status, reason=v.reason, reason_text=v.reason_text, version=version, hours=hours,
            late_reason=write.late_reason,
        )

    def _done(self, write) -> None:
        if isinstance(write, Write) and not any(isinstance(w, Write) and w.key == write.key for w in self.queue):
            self.pending.pop(write.key, None)
        if self.outbox:
            self.outbox.done(write)

    def _apply(self, write, result) -> None:
        if isinstance(write, LessonWrite):
            self._done(write)
            if isinstance(result, journal.LessonSaved):
                self._merge_lesson(write.day, result.lesson)
                self.emit(Notice(f"Занятие {fmt_date(write.day)} сохранено."))
            else:
                self._merge_lesson(write.day, result.current)
                self.emit(LessonConflict(write, result.current))
            return
        r: MarkResult = result
        self._merge_lesson(write.day, r.lesson)
        key = write.key
        if r.outcome == "needs_reason":
            self._done(write)
            self.emit(NeedsReason(key, write.value))
            self.emit(CellChanged(key))
            return
        if r.mark is None:
            self.state.saved.pop(key, None)
        else:
            self.state.saved[key] = r.mark
        self._done(write)
        if r.outcome == "conflict":
            mine = self.pending.pop(key, write.value)
            for w in [w for w in self.queue if isinstance(w, Write) and w.key == key]:
                self.queue.remove(w)  # made on the old value: the teacher chooses again
                if self.outbox:
                    self.outbox.done(w)
            if write.only_if_empty:
                self.emit(Notice("Отметка, поставленная другим пользователем, оставлена."))
            else:
                self.emit(Conflict(key, mine, r.mark, write.late_reason))
        self.emit(CellChanged(key))

    def _merge_lesson(self, day: date, lesson: Lesson | None) -> None:
        old = self.state.lesson_at.get(day)
        if lesson is None:
            if old is not None and old.id is not None:
                self._put_lesson(Lesson(held_on=day, planned=old.planned, starts_at=old.starts_at, ends_at=old.ends_at))
            return
        if old is not None and (old.id, old.version) == (lesson.id, lesson.version) and old.hours == lesson.hours:
            return
        merged = lesson.model_copy(
            update={
                "planned": old.planned if old else False,
                "starts_at": old.starts_at if old else None,
                "ends_at": old.ends_at if old else None,
                "topic_title": lesson.topic_title if lesson.topic_title or lesson.topic_id is None or old is None
                else old.topic_title,
            }
        )
        self._put_lesson(merged)

    def _put_lesson(self, lesson: Lesson) -> None:
        s = self.state
        new = lesson.held_on not in s.lesson_at
        s.lesson_at[lesson.held_on] = lesson
        if new:
            s.lessons = sorted([*s.lessons, lesson], key=lambda x: x.held_on)
        else:
            s.lessons = [lesson if x.held_on == lesson.held_on else x for x in s.lessons]
        self.emit(ColumnChanged(lesson.held_on, rebuild=new))

    def _failed(self, write, exc: Exception) -> None:
        self.emit(Failed(write.key if isinstance(write, Write) else None, exc))
        with contextlib.suppress(Exception):  # the next load shows the truth
            self.refresh_column(write.day)

    def refresh_column(self, day: date) -> None:
        lesson, marks = self.session.run(journal.column_values, self.group_id, day)
        with self._lock:
            old = self.state.lesson_at.get(day)
            if lesson is None and old is not None and not old.planned and old.id is None:
                # a lesson off the schedule that the database refused: no column for it
                del self.state.lesson_at[day]
                self.state.lessons = [x for x in self.state.lessons if x.held_on != day]
                self.emit(ColumnChanged(day, rebuild=True))
                return
            self._merge_lesson(day, lesson)
            for s in self.state.students:
                key = (day, s.id)
                if s.id in marks:
                    self.state.saved[key] = marks[s.id]
                else:
                    self.state.saved.pop(key, None)
        self.emit(ColumnChanged(day))

    # --- offline ---------------------------------------------------------------------------

    def _went_offline(self) -> None:
        with self._lock:
            self.offline = True
            self._wake.notify_all()
        self.emit(Connection(offline=True))
        self._schedule_retry()

    def _schedule_retry(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._timer = threading.Timer(self.retry_seconds, self._retry)
            self._timer.daemon = True
            self._timer.start()

    def _retry(self) -> None:
        try:
            self.session.ping()
        except Exception:
            self.emit(Connection(offline=True))
            self._schedule_retry()
            return
        with self._lock:
            self.offline = False
            self._timer = None
            self._wake.notify_all()
        self.emit(Connection(offline=False))
        self._kick()

    def emit(self, event: Event) -> None:
        self.on_event(event)


# --- what an earlier session left unsaved ------------------------------------------------------


@dataclass
class Replayed:
    group_id: int
    day: date
    student_id: int | None  # None: a lesson
    outcome: str  # saved | conflict | needs_reason | failed
    mine: str
    theirs: str = ""


def replay(session: Session, entries) -> list[Replayed]:
    """Send the writes an earlier session of this login left in its outbox, in order, each with
    the version it was made on: what somebody changed meanwhile is a conflict, not overwritten."""
    out: list[Replayed] = []
    versions: dict[tuple[int, date, int], int | None] = {}
    for e in entries:
        d = e.data
        day = date.fromisoformat(d["d"])
        if e.kind == "lesson":
            out.append(_replay_lesson(session, e.group_id, day, d))
            continue
        key = (e.group_id, day, d["s"])
        value = Value(d["st"], d["r"], d["rt"])
        if d.get("f") and key in versions:
            base = versions[key]
        elif d.get("f"):  # the write it followed had landed: its version is the current one
            lesson = session.run(journal.get_lesson, e.group_id, day)
            mark = session.run(journal.get_mark, lesson.id, d["s"]) if lesson and lesson.id else None
            base = mark.version if mark else None
        else:
            base = d["v"]
        try:
            r = session.run(
                journal.save_mark_once, group_id=e.group_id, held_on=day, student_id=d["s"], status=value.status,
                reason=value.reason, reason_text=value.reason_text, version=base, hours=Decimal(2),
                late_reason=d.get("lr"),
            )
        except Unreachable:
            raise
        except Exception as exc:  # refused (archived meanwhile, left the group…)
            out.append(Replayed(e.group_id, day, d["s"], "failed", value.describe(), session.message(exc)))
            continue
        versions[key] = r.mark.version if r.mark else None
        outcome = "saved" if r.outcome == "conflict" and d.get("e") else r.outcome  # «all present»: theirs stays
        theirs = r.mark.value.describe() if r.mark else "отметки нет"
        out.append(Replayed(e.group_id, day, d["s"], outcome, value.describe(), theirs))
    return out


def _replay_lesson(session: Session, group_id: int, day: date, d: dict) -> Replayed:
    mine = f"{d['h']} ч · {d.get('t') or 'тема из КТП'}"
    current = session.run(journal.get_lesson, group_id, day)
    if current is not None and current.topic_id == d.get("ti") and (current.topic or None) == (d.get("t") or None):
        return Replayed(group_id, day, None, "saved", mine)
    if current is not None and (current.topic_id or current.topic):
        return Replayed(group_id, day, None, "conflict", mine, f"{current.hours} ч · {current.title or 'без темы'}")
    try:
        r = session.run(
            journal.save_lesson, group_id=group_id, held_on=day, hours=Decimal(d["h"]), topic_id=d.get("ti"),
            topic=d.get("t"), lesson_id=current.id if current else None,
            version=current.version if current else None, late_reason=d.get("lr"),
        )
    except Unreachable:
        raise
    except Exception as exc:
        return Replayed(group_id, day, None, "failed", mine, session.message(exc))
    return Replayed(group_id, day, None, "saved" if isinstance(r, journal.LessonSaved) else "conflict", mine)
