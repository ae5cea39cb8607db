"""The deputy director's duties (issue 4, items 8–9) with Textual's Pilot as o1_deputy: the
control dashboard down to a group's journal (read-only), remarks, the end-of-iteration report,
the hard copies received. The database's refusals to other roles: tests/test_admin_db.py."""


from datetime import UTC, datetime, timedelta

import pytest
from staff_tui import acknowledge, app_as, cursor_to, errors, fill, form_by, notes, settle, until
from textual.widgets import Input

from ejournal_tui.tui.screens.deputy.groups import ControlGroupsScreen
from ejournal_tui.tui.screens.deputy.home import DeputyHomeScreen
from ejournal_tui.tui.screens.teacher.journal import JournalScreen

DEPUTY = "o1_deputy"


@pytest.fixture
def start(login_conninfo, sql):
    acknowledge(sql, DEPUTY)
    return lambda: app_as(login_conninfo, DEPUTY)


def iteration(sql) -> int:
    return sql.one("SELECT id FROM ej.iteration WHERE status = 'active' AND organization_id = "
                   "(SELECT organization_id FROM ej.staff WHERE login = %s)", (DEPUTY,))


async def test_dashboard_by_teacher_and_quantum_down_to_a_read_only_journal(start, sql, journal):
    it, teacher = iteration(sql), journal.staff_id("o1_teacher01")
    with sql.as_user(DEPUTY):
        by_teacher = sql.run("SELECT key_id, lessons, on_time_pct FROM ej.control_dashboard('teacher', %s)", (it,))
        quantums = sql.run("SELECT key_id FROM ej.control_dashboard('quantum', %s)", (it,))
        groups = sql.run("SELECT key_id FROM ej.control_dashboard('group', %s, ej.today(NULL), %s)", (it, teacher))
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until(pilot, DeputyHomeScreen)
        assert [(r.key_id, r.lessons, r.on_time_pct) for r in screen.data] == [
            (r["key_id"], r["lessons"], r["on_time_pct"]) for r in by_teacher]
        await pilot.press("в")
        await settle(pilot)
        assert [r.key_id for r in screen.data] == [r["key_id"] for r in quantums]
        await pilot.press("в")
        await settle(pilot)
        await cursor_to(pilot, screen.table, teacher)
        await pilot.press("enter")
        drill = await until(pilot, ControlGroupsScreen)
        assert [r.key_id for r in drill.data] == [r["key_id"] for r in groups]
        group = groups[0]["key_id"]
        await cursor_to(pilot, drill.table, group)
        await pilot.press("enter")
        jscreen = await until(pilot, JournalScreen)
        assert jscreen.read_only and "только просмотр" in str(jscreen.query_one("#journal-title").render())
        assert jscreen.check_action("mark", ("present",)) is False
        before = sql.one("SELECT count(*) FROM audit.log")
        for key in ("space", "н", "в", "т", "delete"):
            await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen) and not jscreen.queue
        assert sql.one("SELECT count(*) FROM audit.log") == before
        assert not errors(app)


async def test_deputy_writes_a_remark_and_closes_it_when_fixed(start, sql, journal):
    from ejournal_tui.tui.screens.common.remarks import RemarksScreen

    teacher, group = journal.staff_id("o1_teacher01"), journal.group("o1_teacher01")
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until(pilot, DeputyHomeScreen)
        await cursor_to(pilot, screen.table, teacher)
        await pilot.press("enter")
        drill = await until(pilot, ControlGroupsScreen)
        await cursor_to(pilot, drill.table, group)
        form = await form_by(pilot, "з")
        assert form.query_one("#f-group_id").value == group
        await fill(pilot, {"body": "Отметьте причины отсутствия"})
        await until(pilot, ControlGroupsScreen)
        remark = sql.one("SELECT id FROM ej.remark WHERE body = 'Отметьте причины отсутствия'")
        with sql.as_user("o1_teacher01"):
            sql.run("UPDATE ej.remark SET fixed_at = now(), fixed_note = 'Причины отмечены' WHERE id = %s", (remark,))
        await pilot.press("escape", "з")
        remarks = await until(pilot, RemarksScreen)
        assert remarks.data[0].id == remark and remarks.data[0].state == "fixed"
        await cursor_to(pilot, remarks.table, remark)
        await form_by(pilot, "enter")
        await pilot.press("ctrl+s")
        await until(pilot, RemarksScreen)
        assert remark not in [r.id for r in remarks.data]
    me = journal.staff_id(DEPUTY)
    assert sql.run("SELECT author_id, closed_by FROM ej.remark WHERE id = %s", (remark,)) == [
        {"author_id": me, "closed_by": me}]


async def test_end_of_iteration_report_shown_and_saved_as_pdf(start, sql, tmp_path):
    from ejournal_tui.tui.screens.common.report_view import ReportScreen

    it = iteration(sql)
    with sql.as_user(DEPUTY):
        expected = sql.run("SELECT teacher_name, groups, on_time FROM ej.report_iteration(%s)", (it,))
    app = start()
    app.export_dir = tmp_path
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, DeputyHomeScreen)
        await pilot.press("и")
        screen = await until(pilot, ReportScreen)
        assert screen.report.name == "iteration"
        assert [(r[0], r[1], r[9]) for r in screen.report.rows] == [
            (e["teacher_name"], e["groups"], e["on_time"]) for e in expected]
        assert screen.report.rows[-1][0] == "Всего по итерации"
        form = await form_by(pilot, "ф")
        form.query_one("#f-path", Input).value = str(tmp_path / "итоги.pdf")
        await pilot.press("ctrl+s")
        await until(pilot, ReportScreen)
        assert "Сохранено" in notes(app)[-1]
    assert (tmp_path / "итоги.pdf").read_bytes().startswith(b"%PDF")
    assert sql.run("SELECT kind, printed_by FROM ej.print_fingerprint") == [
        {"kind": "report", "printed_by": sql.one("SELECT id FROM ej.staff WHERE login = %s", (DEPUTY,))}]


async def test_hard_copies_received_from_the_methodist(start, sql, journal):
    from ejournal_tui.tui.screens.deputy.copies import HardCopiesScreen

    it = iteration(sql)
    with sql.as_user("o1_methodist"):
        sql.run("INSERT INTO ej.print_fingerprint (fingerprint, data_hash, kind, title, iteration_id, pages) "
                "VALUES ('ABCD-0123', 'abcd0123' || repeat('0', 56), 'journal', 'Журнал · Робоквантум', %s, 42)",
                (it,))
    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, DeputyHomeScreen)
        await pilot.press("к")
        screen = await until(pilot, HardCopiesScreen)
        assert [(c.title, c.pages, c.fingerprint, c.printed_by_name) for c in screen.data] == [
            ("Журнал · Робоквантум", 42, "ABCD-0123",
             sql.one("SELECT full_name FROM ej.staff WHERE login = 'o1_methodist'"))]
        assert datetime.now(UTC) - screen.data[0].printed_at < timedelta(minutes=10)  # the server's clock
