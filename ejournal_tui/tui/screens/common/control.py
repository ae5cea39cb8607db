"""The control numbers of journal keeping (ej.control_dashboard), as the deputy's dashboard and
the groups under it show them."""

from ejournal_tui.db.control import ControlRow
from ejournal_tui.tui.widgets.table import pct

COLUMNS = ("Гр.", "Зан.", "С темой", "КТП", "Посещ.", "В срок", "Не зап.", "Замеч.")


def metrics(r: ControlRow) -> tuple:
    return (r.groups, r.lessons, pct(r.topics_pct), pct(r.hours_pct), pct(r.present_pct), pct(r.on_time_pct),
            r.missing, r.remarks_open)
