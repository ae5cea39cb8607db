"""Live journals: what one session saves appears in another session's open grid by itself
(LISTEN/NOTIFY from the triggers, re-read through RLS), with two real apps. The test waits for
that state and prints how long it took; the "within a second" budget is for a quiet machine."""

import time

from test_journal_engine import TEACHER
from test_tui_journal import _duties_confirmed, go_to, open_group, settle  # noqa: F401  (fixture)

from ejournal_tui.tui.app import EJournalApp


async def wait_for(pilots, condition, seconds: float) -> float:
    """Until condition() holds, pumping both apps; the time it took (fails after `seconds`)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        for p in pilots:
            await p.pause(0.01)
    raise AssertionError(f"not within {seconds} s")


async def test_a_mark_made_in_one_session_appears_in_the_other_by_itself(login_conninfo, target):
    group_id, day, enrolled = target
    one, two = EJournalApp(login_conninfo(TEACHER)), EJournalApp(login_conninfo(TEACHER))
    async with one.run_test(size=(80, 24)) as p1, two.run_test(size=(80, 24)) as p2:
        s1 = await open_group(p1, group_id)
        s2 = await open_group(p2, group_id)
        await wait_for([p1, p2], lambda: two.listener is not None and two.listener.listening.is_set(), 30)
        ids = [x.id for x in s1.students]
        first = next(i for i in range(len(ids) - 1) if ids[i] in enrolled and ids[i + 1] in enrolled)
        pupils = ids[first:first + 2]  # two rows, one under the other
        await go_to(p1, s1, pupils[0], day)
        await p1.press("н")
        await wait_for([p1, p2], lambda: not s1.queue, 30)  # saved by the first
        await p1.press("н")  # the next pupil at once: inside the database's quiet time of the group
        await wait_for([p1, p2], lambda: not s1.queue, 30)

        def shown() -> bool:
            cells = [s2.grid.get_cell(str(sid), day.isoformat()).plain for sid in pupils]
            return cells == ["н", "н"]

        # Waits for the state; the design's "within a second" is a budget of a quiet machine,
        # measured by the benchmark, not asserted here, where the cores may be busy.
        took = await wait_for([p1, p2], shown, 30)
        print(f"the marks appeared in the other session after {took:.2f} s")
        assert s2.grid.get_cell("total", day.isoformat()).plain.startswith("0/")
