"""SVG snapshots of the home screen of every role at 80×24 (issue 14), on the fixed organization
of test_tui_fixtures (the app's "today" frozen at 23.10.2025). The deputy director, the director
and the administrator are added to it here. Update with
`pytest tests/test_tui_role_snapshots.py --snapshot-update` and look at the result."""

from pathlib import Path

import pytest
import pytest_textual_snapshot
from staff_tui import painted, settle, wait_for
from test_tui_fixtures import FIXED_TODAY, fixed  # noqa: F401  (fixture)

from ejournal_tui.db import accounts
from ejournal_tui.db.connection import connect
from ejournal_tui.tui.app import HOMES, EJournalApp

EXTRA_STAFF = """
SET session_replication_role = replica;
INSERT INTO ej.staff (id, organization_id, login, full_name) VALUES
    (902, 900, 'snap_deputy', 'Заместова Ольга Ивановна'),
    (903, 900, 'snap_director', 'Директоров Павел Андреевич'),
    (904, 900, 'snap_admin', 'Админова Нина Сергеевна');
INSERT INTO ej.acknowledgment (organization_id, staff_id, role, acknowledged_at) VALUES
    (900, 902, 'deputy', timestamptz '2025-09-01 09:00+03'),
    (900, 903, 'director', timestamptz '2025-09-01 09:00+03'),
    (900, 904, 'admin', timestamptz '2025-09-01 09:00+03');
SET session_replication_role = origin;
"""
LOGINS = {"teacher": "snap_teacher", "methodist": "snap_methodist", "deputy": "snap_deputy",
          "director": "snap_director", "admin": "snap_admin"}


@pytest.fixture(autouse=True)
def _snapshots_in_tests_snapshots(monkeypatch):
    here = str(Path(__file__).parent / "snapshots")
    monkeypatch.setattr(
        pytest_textual_snapshot.SVGImageExtension, "dirname", classmethod(lambda cls, *, test_location: here)
    )


@pytest.fixture
def role_conninfo(server, db, fixed):  # noqa: F811
    with connect(server.conninfo(db)) as conn:
        conn.execute(EXTRA_STAFF)
        for role in ("deputy", "director", "admin"):
            accounts.ensure_login_role(conn, LOGINS[role], role)
    return lambda role: server.conninfo(db, user=LOGINS[role])


async def home_loaded(pilot, role: str) -> None:
    """Until the role's home has its data, no worker runs and the picture stops changing."""
    import importlib

    module, name = HOMES[role]
    home = getattr(importlib.import_module(module), name)

    def loaded() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, home) and getattr(screen, "data", True) is not None

    await wait_for(pilot, loaded, f"{name} with its data")
    await settle(pilot)
    await painted(pilot)


@pytest.mark.parametrize("role", list(LOGINS))
def test_home_of_every_role_80x24(snap_compare, role_conninfo, role):
    app = EJournalApp(role_conninfo(role), today=FIXED_TODAY)

    async def run_before(pilot):
        await home_loaded(pilot, role)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
