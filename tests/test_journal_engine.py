"""The journal engine without a terminal, against a real database: the last intention of each
cell lands once, a change made elsewhere is a conflict (never overwritten), a cut connection
loses nothing. Ends with a hypothesis state machine of random marks, conflicts and disconnects."""

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from ejournal_tui import journal_engine as je
from ejournal_tui.db import journal
from ejournal_tui.db.session import Session
from ejournal_tui.journal_engine import JournalEngine, Value
from ejournal_tui.journal_models import TopicProgress

TEACHER = "o1_teacher01"
VALUES = [Value("present"), Value("absent"), Value("excused", "illness"), Value("excused", "other", "кружок"),
          Value(None)]


class Recorder:
    def __init__(self):
        self.events: list[je.Event] = []
        self.lock = threading.Lock()

    def __call__(self, event):
        with self.lock:
            self.events.append(event)

    def of(self, kind):
        with self.lock:
            return [e for e in self.events if isinstance(e, kind)]


def db_marks(sql, group_id: int, day: date) -> dict[int, Value]:
    rows = sql.run(
        """SELECT a.student_id, a.status, a.reason, a.reason_text FROM ej.attendance a
             JOIN ej.lesson l ON l.id = a.lesson_id WHERE l.group_id = %s AND l.held_on = %s""",
        (group_id, day),
    )
    return {r["student_id"]: Value(r["status"], r["reason"], r["reason_text"]) for r in rows}


def engine_for(conninfo: str, group_id: int, recorder=None) -> JournalEngine:
    engine = JournalEngine(Session(conninfo), group_id, recorder or Recorder())
    engine.retry_seconds = 0.05
    engine.load()
    engine.start()
    return engine


@contextlib.contextmanager
def running(conninfo: str, group_id: int) -> Iterator[tuple[JournalEngine, Recorder]]:
    """A started engine on the group and what it reported; stopped at the end."""
    recorder = Recorder()
    engine = engine_for(conninfo, group_id, recorder)
    try:
        yield engine, recorder
    finally:
        engine.stop()


def wait_online_and_idle(engine: JournalEngine, deadline: float = 20) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if engine.wait_idle(0.5) and not engine.offline and not engine.unsaved:
            return
    raise AssertionError(f"still unsaved: {engine.unsaved}, offline: {engine.offline}")


def cut(sql, db: str) -> None:
    """The teacher's connections are terminated by the server (a dropped link, a restart)."""
    sql.run(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND usename = %s",
        (db, TEACHER),
    )


def test_the_last_intention_of_a_cell_lands_once(login_conninfo, sql, target):
    group_id, day, enrolled = target
    with running(login_conninfo(TEACHER), group_id) as (engine, _):
        with engine._lock:  # all three typed before the first is sent: one write
            for v in VALUES[:3]:
                engine.set_mark(day, enrolled[0], v)
        engine.set_mark(day, enrolled[1], Value("absent"))
        wait_online_and_idle(engine)
        assert db_marks(sql, group_id, day) == {enrolled[0]: VALUES[2], enrolled[1]: Value("absent")}
        writes = sql.one(
            "SELECT count(*) FROM audit.log WHERE table_name = 'attendance' AND row_key ->> 'student_id' = %s",
            (str(enrolled[0]),),
        )
        assert writes == 1
        assert engine.value((day, enrolled[0])) == VALUES[2] and not engine.pending


def test_a_change_made_elsewhere_is_a_conflict_not_overwritten(login_conninfo, sql, target):
    group_id, day, enrolled = target
    with running(login_conninfo(TEACHER), group_id) as (engine, recorder):
        engine.set_mark(day, enrolled[0], Value("present"))
        wait_online_and_idle(engine)
        sql.run(
            """UPDATE ej.attendance SET status = 'absent' WHERE student_id = %s
                  AND lesson_id = (SELECT id FROM ej.lesson WHERE group_id = %s AND held_on = %s)""",
            (enrolled[0], group_id, day),
        )
        engine.set_mark(day, enrolled[0], Value("excused", "parents"))
        wait_online_and_idle(engine)
        [conflict] = recorder.of(je.Conflict)
        assert conflict.mine == Value("excused", "parents") and conflict.theirs.value == Value("absent")
        assert db_marks(sql, group_id, day)[enrolled[0]] == Value("absent")
        assert engine.value((day, enrolled[0])) == Value("absent")  # the grid shows the truth
        engine.set_mark(day, enrolled[0], conflict.mine)  # «mine»: on the version now known
        wait_online_and_idle(engine)
        assert db_marks(sql, group_id, day)[enrolled[0]] == Value("excused", "parents")


def test_a_cut_connection_loses_nothing(login_conninfo, sql, db, target):
    group_id, day, enrolled = target
    with running(login_conninfo(TEACHER), group_id) as (engine, recorder):
        engine.set_mark(day, enrolled[0], Value("present"))
        wait_online_and_idle(engine)
        cut(sql, db)
        for sid in enrolled[:4]:
            engine.set_mark(day, sid, Value("absent"))
        wait_online_and_idle(engine)
        assert db_marks(sql, group_id, day) == {sid: Value("absent") for sid in enrolled[:4]}
        assert [e.offline for e in recorder.of(je.Connection)][-1] is False


def test_a_write_cut_in_flight_does_not_outlive_a_later_intention(login_conninfo, sql, target):
    """present is sent; absent is typed while it is in flight; the link drops, so present goes back
    to the head of the queue, ahead of absent; present is typed again. The database must end with
    present (the hypothesis machine below found it ending with absent)."""
    group_id, day, enrolled = target
    engine = JournalEngine(Session(login_conninfo(TEACHER)), group_id, Recorder())
    engine.load()  # not started: the writer is driven by hand up to the drop
    sid = enrolled[0]
    try:
        engine.set_mark(day, sid, Value("present"))
        with engine._lock:  # the writer takes it…
            engine._in_flight = engine.queue.popleft()
        engine.set_mark(day, sid, Value("absent"))  # …absent typed meanwhile…
        with engine._lock:  # …and the link drops: back to the head, as _drain does on Unreachable
            engine.queue.appendleft(engine._in_flight)
            engine._in_flight = None
        engine.set_mark(day, sid, Value("present"))
        engine.start()
        wait_online_and_idle(engine)
        assert db_marks(sql, group_id, day) == {sid: Value("present")}
        assert engine.value((day, sid)) == Value("present")
    finally:
        engine.stop()
        engine.session.close()


def test_ktp_suggestion_is_the_next_topic_after_the_last_delivered():
    def topic(position, delivered, last):
        return TopicProgress(topic_id=position, position=position, title=f"т{position}", hours=2,
                             delivered_hours=delivered, lessons=1 if last else 0, last_held_on=last)

    d = date(2025, 10, 1)
    topics = [topic(1, 2, d), topic(2, 0, None), topic(3, 2, d + timedelta(7)), topic(4, 0, None)]
    assert journal.next_topic(topics).position == 4  # not the old gap (2)
    topics[2] = topic(3, 1, d + timedelta(7))
    assert journal.next_topic(topics).position == 3  # the last one is not delivered in full yet
    assert journal.next_topic([topic(1, 0, None), topic(2, 0, None)]).position == 1


# --- random marks, conflicts and disconnects ---------------------------------------------------


class JournalMachine(RuleBasedStateMachine):
    """The teacher marks random cells; another session changes cells the engine has no write
    for; the server cuts the connection. After every settling: each cell holds the teacher's
    last intention, or an explicit conflict was reported and the cell holds the other's value,
    or the other session wrote last; nothing was written twice."""

    ctx: ClassVar[dict] = {}

    def __init__(self):
        super().__init__()
        c = self.ctx
        self.sql, self.group_id, self.day, self.students = c["sql"], c["group_id"], c["day"], c["students"][:4]
        with self.sql.conn.transaction():
            self.sql.run("DELETE FROM ej.lesson WHERE group_id = %s AND held_on = %s", (self.group_id, self.day))
        self.recorder = Recorder()
        self.engine = engine_for(c["conninfo"], self.group_id, self._event)
        self.intent: dict[int, Value] = {}  # the teacher's last intention per student
        self.intents: dict[int, int] = {}  # how many intentions per student
        self.conflicted: set[int] = set()  # the last intention was answered with a conflict
        self.other: dict[int, Value] = {}  # the other session's last value, if it wrote after the teacher
        self.audit_start = self.sql.one("SELECT coalesce(max(id), 0) FROM audit.log")

    def _event(self, event):
        if isinstance(event, je.Conflict):  # called under the engine's lock, like the marks below
            self.conflicted.add(event.key[1])

    @rule(i=st.integers(0, 3), v=st.sampled_from(VALUES))
    def mark(self, i, v):
        sid = self.students[i]
        with self.engine._lock:
            if self.engine.set_mark(self.day, sid, v):
                self.intents[sid] = self.intents.get(sid, 0) + 1
                self.intent[sid] = v
                self.conflicted.discard(sid)
                self.other.pop(sid, None)

    @rule(i=st.integers(0, 3), v=st.sampled_from(VALUES[:3]))
    def another_session_writes(self, i, v):
        sid = self.students[i]
        with self.engine._lock:
            if self.engine.is_pending((self.day, sid)) or self.engine.offline:
                return
            lesson = self.sql.run(
                "SELECT id FROM ej.lesson WHERE group_id = %s AND held_on = %s", (self.group_id, self.day)
            )
            if not lesson:
                return
            self.sql.run(
                """INSERT INTO ej.attendance (lesson_id, student_id, status, reason) VALUES (%s, %s, %s, %s)
                   ON CONFLICT (lesson_id, student_id) DO UPDATE SET status = excluded.status,
                                                                     reason = excluded.reason, reason_text = NULL""",
                (lesson[0]["id"], sid, v.status, v.reason),
            )
            self.other[sid] = v

    @rule()
    def disconnect(self):
        cut(self.sql, self.ctx["db"])

    @rule()
    def settle(self):
        wait_online_and_idle(self.engine)
        self.check()

    def check(self):
        held = db_marks(self.sql, self.group_id, self.day)
        for sid, v in self.intent.items():
            now = held.get(sid, Value(None))
            if sid in self.other:
                assert now == self.other[sid]
            elif sid in self.conflicted:
                # an explicit conflict was reported: the database keeps theirs, and the grid shows it
                assert now == (self.engine.value((self.day, sid)) or Value(None))
            else:
                assert now == v, (sid, now, v)
        rows = self.sql.run(
            """SELECT row_key ->> 'student_id' AS sid, count(*) AS n FROM audit.log
                WHERE id > %s AND table_name = 'attendance' AND actor = %s GROUP BY 1""",
            (self.audit_start, TEACHER),
        )
        for r in rows:
            assert r["n"] <= self.intents.get(int(r["sid"]), 0), "a write was doubled"

    @invariant()
    def grid_never_loses_an_intention(self):
        for sid, v in self.intent.items():
            if sid not in self.conflicted and sid not in self.other:
                assert (self.engine.value((self.day, sid)) or Value(None)) == v

    def teardown(self):
        try:
            wait_online_and_idle(self.engine)
            self.check()
        finally:
            self.engine.stop()
            self.engine.session.close()


def test_random_marks_conflicts_and_disconnects(login_conninfo, sql, db, target):
    group_id, day, enrolled = target
    JournalMachine.ctx = {
        "sql": sql, "db": db, "group_id": group_id, "day": day, "students": enrolled,
        "conninfo": login_conninfo(TEACHER),
    }
    run_state_machine_as_test(
        JournalMachine,
        settings=settings(max_examples=12, stateful_step_count=12, deadline=None,
                          suppress_health_check=list(HealthCheck)),
    )
