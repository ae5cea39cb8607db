"""The date the whole test suite lives at.

Every database the tests make is held at it (ALTER DATABASE … SET ej.today, read by
ej.frozen_today()), the demo data is generated for it, and the tests take their own dates from
it (the `today` fixture, or TODAY here for module-level constants), never from TODAY or
ej.today(NULL). So a run gives the same result whatever the hour: one that crosses midnight in
Moscow keeps the date it started with.

By default it is the Moscow date when the run starts. EJOURNAL_TEST_TODAY=YYYY-MM-DD runs the
suite at another date to check that no test depends on the calendar (a Sunday, the 1st of a
month, 31 December). It can only be in the past: ej.today() never goes forward of the real clock.
"""

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

_real = datetime.now(ZoneInfo("Europe/Moscow")).date()
_asked = os.environ.get("EJOURNAL_TEST_TODAY")
TODAY: date = date.fromisoformat(_asked) if _asked else _real
if _real < TODAY:
    raise RuntimeError(f"EJOURNAL_TEST_TODAY={_asked}: the database's today only goes back, not past {_real}")
