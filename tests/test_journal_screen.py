"""The journal screen says what it cannot do and why: read-only journals, an unreachable
database (the banner takes the title's line, so the grid does not move)."""

from psycopg import sql as pgsql
from staff_tui import until, wait_for
from test_journal_engine import TEACHER
from test_tui_journal import _duties_confirmed, go_to, marks, notifications, settle  # noqa: F401  (fixture)

from ejournal_tui.tui.app import EJournalApp
from ejournal_tui.tui.screens.teacher.home import HomeScreen
from ejournal_tui.tui.screens.teacher.journal import JournalScreen


async def open_journal(pilot, group_id: int, **kwargs) -> JournalScreen:
    await until(pilot, HomeScreen)
    pilot.app.push_screen(JournalScreen(group_id, **kwargs))

    def opened() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, JournalScreen) and screen.data is not None and bool(screen.grid.row_count)

    await wait_for(pilot, opened, "the journal to open with its rows")
    return pilot.app.screen


def footer_keys(screen) -> set[str]:
    return {b.binding.description for b in screen.active_bindings.values() if b.enabled and b.binding.show}


async def test_archived_journal_says_so_in_header_footer_and_on_a_key(login_conninfo, sql, target):
    group_id, day, enrolled = target
    sql.run("UPDATE ej.iteration SET status = 'archived' WHERE id = (SELECT iteration_id FROM ej.study_group "
            "WHERE id = %s)", (group_id,))
    app = EJournalApp(login_conninfo(TEACHER))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(pilot, group_id)
        assert "архив: только просмотр" in str(screen.query_one("#journal-title").render())
        keys = footer_keys(screen)
        assert "только просмотр" in keys and "был" not in keys and "нет" not in keys
        await go_to(pilot, screen, enrolled[0], day)
        row = screen.grid.cursor_row
        await pilot.press("н")
        await settle(pilot)
        assert any("в архиве" in m for m in notifications(app)), notifications(app)
        assert screen.grid.cursor_row == row and not screen.queue
    assert marks(sql, group_id, day) == {}


async def test_view_only_journal_answers_a_write_key(login_conninfo, sql, target):
    group_id, day, enrolled = target
    app = EJournalApp(login_conninfo(TEACHER))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(pilot, group_id, read_only=True)
        assert "только просмотр" in str(screen.query_one("#journal-title").render())
        await go_to(pilot, screen, enrolled[0], day)
        await pilot.press("space")
        await settle(pilot)
        assert any("только для просмотра" in m for m in notifications(app)), notifications(app)
    assert marks(sql, group_id, day) == {}


async def test_offline_banner_keeps_the_grid_in_place(login_conninfo, sql, server, db, target):
    group_id, day, enrolled = target
    app = EJournalApp(login_conninfo(TEACHER))
    admin = connect_admin(server)
    dbname = pgsql.Identifier(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(pilot, group_id)
        region = screen.grid.region
        await go_to(pilot, screen, enrolled[0], day)
        try:
            admin.execute(pgsql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(dbname))
            sql.run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND usename = %s",
                    (db, TEACHER))
            await pilot.press("space")
            await wait_for(pilot, lambda: screen.offline, "the journal to see the database gone")
            banner = screen.query_one("#offline-banner")
            assert banner.has_class("shown") and "Не сохранено: 1" in str(banner.render())
            assert screen.grid.region == region  # neither moved nor shortened

            app.push_screen(JournalScreen(group_id))  # opened while the database is away
            await wait_for(pilot, lambda: isinstance(app.screen, JournalScreen) and app.screen is not screen
                           and app.screen.offline, "the second journal to open offline")
            text = str(app.screen.query_one("#offline-banner").render())
            assert "журнал откроется" in text and "Не сохранено" not in text

            await pilot.press("ctrl+q")  # a mark is unsaved: quitting asks, and staying is the default
            await settle(pilot, 1)
            from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

            assert isinstance(app.screen, ConfirmScreen) and app.screen.focused.id == "no"
            await pilot.press("enter")
            await settle(pilot, 1)
            assert app.is_running and not isinstance(app.screen, ConfirmScreen)
        finally:
            admin.execute(pgsql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(dbname))
            admin.close()


def connect_admin(server):
    from ejournal_tui.db.connection import connect

    return connect(server.conninfo("postgres"))


async def test_after_a_conflict_mine_is_written_and_the_cursor_skips_nobody(login_conninfo, sql, target):
    from ejournal_tui.tui.screens.teacher.conflict import ConflictScreen

    group_id, day, enrolled = target
    app = EJournalApp(login_conninfo(TEACHER))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_journal(pilot, group_id)
        app.listener.stop()  # the other change stays unheard until the write meets it
        await wait_for(pilot, lambda: not app.listener._thread.is_alive(), "the listener to stop")
        await go_to(pilot, screen, enrolled[0], day)
        await pilot.press("space")
        await settle(pilot)
        sql.run("""UPDATE ej.attendance SET status = 'absent' WHERE student_id = %s AND lesson_id =
                   (SELECT id FROM ej.lesson WHERE group_id = %s AND held_on = %s)""", (enrolled[0], group_id, day))
        await go_to(pilot, screen, enrolled[0], day)
        row = screen.grid.cursor_row
        await pilot.press("у", "1")  # excused: illness
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen), "the conflict dialog")
        await pilot.press("2")  # write mine
        await settle(pilot)
        await wait_for(pilot, lambda: not screen.queue, "my mark to be written")
        await settle(pilot, 1)
        assert screen.grid.cursor_row == row + 1  # moved once, by the key press
    assert marks(sql, group_id, day)[enrolled[0]] == ("excused", "illness", None)
