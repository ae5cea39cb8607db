"""An iteration by hand: its name and dates (a new one starts as «планируется»; the roll-over
«п» is the usual way, this is for the first iteration or a special one), and the cancellation of
one that has not started. The database refuses overlapping dates, dates that leave out lessons
given, and a cancellation once lessons exist; the dialog says why in Russian."""

from ejournal_tui.dates import typed
from ejournal_tui.db import iterations
from ejournal_tui.db.iterations import IterationInput
from ejournal_tui.db.methodist import Iteration
from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen
from ejournal_tui.tui.screens.dialogs.form import Field, FormScreen

NOTE = ("Даты не пересекаются с другими итерациями организации; итерация длится не больше года. "
        "Новая итерация «планируется»: начать её — «с» в списке итераций.")


def iteration_form(it: Iteration | None, suggested: tuple[str, str, str] = ("", "", "")) -> FormScreen:
    name, starts, ends = (it.name, typed(it.starts_on), typed(it.ends_on)) if it else suggested
    iteration_id = it.id if it else None
    fields = [
        Field("name", "Название", name, max_length=100, placeholder="например Итерация 3"),
        Field("starts_on", "Начало", starts, placeholder="ДД.ММ.ГГГГ"),
        Field("ends_on", "Окончание", ends, placeholder="ДД.ММ.ГГГГ"),
    ]

    def save(conn, values: dict) -> int:
        return iterations.save_iteration(conn, iteration_id, IterationInput(**values))

    return FormScreen("Новая итерация" if it is None else "Итерация", fields, save, note=NOTE if it is None else "")


def cancel_dialog(it: Iteration) -> ConfirmScreen:
    groups = f", и её групп ({it.groups}) со списками и расписанием" if it.groups else ""
    question = (f"Отменить итерацию «{it.name}» ({typed(it.starts_on)} – {typed(it.ends_on)}){groups}?\n"
                "Отменить можно только итерацию, которая ещё не началась и в журнале которой нет занятий. "
                "Удалённое останется в журнале изменений.")
    return ConfirmScreen(question, yes="Отменить итерацию", no="Оставить", default_no=True)
