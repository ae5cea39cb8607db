"""Planned lesson dates: ej.weekday_dates against the day-by-day definition, and the journal
grid's columns (dates computed beside the group row) against ej.planned_lesson and the lessons
held, for every group of the demo data."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ejournal_tui.db import journal

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


# The fixture's transaction is only read in: one for all examples is right.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(weekday=st.integers(1, 7), start=DAYS, length=st.integers(-3, 120))
def test_weekday_dates_are_the_days_of_that_weekday(rollback_sql, weekday, start, length):
    end = start + timedelta(days=length)
    expected = [start + timedelta(days=k) for k in range(length + 1)
                if (start + timedelta(days=k)).isoweekday() == weekday]
    got = [r["d"] for r in rollback_sql.run(
        "SELECT d FROM ej.weekday_dates(%s::smallint, %s, %s) d", (weekday, start, end))]
    assert got == expected


def test_grid_columns_are_the_planned_dates_and_the_lessons_held(rollback_sql):
    groups = [r["id"] for r in rollback_sql.run("SELECT id FROM ej.study_group ORDER BY id")]
    assert groups
    for group_id in groups:
        planned = {r["held_on"]: (r["starts_at"], r["ends_at"]) for r in rollback_sql.run(
            """SELECT DISTINCT ON (held_on) held_on, starts_at, ends_at FROM ej.planned_lesson
                WHERE group_id = %s ORDER BY held_on, starts_at""", (group_id,))}
        held = {r["held_on"]: r["id"] for r in rollback_sql.run(
            "SELECT held_on, id FROM ej.lesson WHERE group_id = %s", (group_id,))}
        columns = journal.grid(rollback_sql.conn, group_id).lessons
        assert [c.held_on for c in columns] == sorted(planned.keys() | held.keys())
        for c in columns:
            assert c.planned == (c.held_on in planned)
            assert (c.starts_at, c.ends_at) == planned.get(c.held_on, (None, None))
            assert c.id == held.get(c.held_on)
