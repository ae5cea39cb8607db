"""A teacher's proposed correction of a student's data: accept (the change is applied to the
card when it is a plain field) or decline with a reason."""


from ejournal_tui.dates import fmt_dt
from ejournal_tui.db import methodist
from ejournal_tui.db.methodist import APPLIED, ChangeRequest
from ejournal_tui.journal_models import FIELD_NAME
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.dialogs.form import Field, FormScreen


def resolve_dialog(r: ChangeRequest) -> FormScreen:
    what = FIELD_NAME.get(r.field, r.field)
    auto = r.field in APPLIED
    note = (f"{esc(r.student_name)} (группа {esc(r.group_name)}), {esc(what)}:\n"
            f"сейчас: {esc(r.current or '—')}\nпредлагается: [b]{esc(r.proposed)}[/b]\n"
            f"от {esc(r.created_by_name or '—')}, {fmt_dt(r.created_at)}\n\n"
            + ("Принять — исправление будет внесено в карточку." if auto else
               "[yellow]Это поле не исправляется автоматически:[/yellow] исправьте карточку обучающегося "
               "(раздел «Обучающиеся»), затем примите запрос."))
    fields = [
        Field("decision", "Решение", "accept", options=[("принять", "accept"), ("отклонить", "decline")],
              allow_blank=False),
        Field("note", "Комментарий", "", max_length=1000, placeholder="при отказе — причина (обязательно)"),
    ]

    def save(conn, values: dict) -> bool:
        accept = values["decision"] == "accept"
        methodist.resolve_request(conn, r.id, accept, values["note"])
        return accept

    return FormScreen("Запрос на исправление данных", fields, save, note=note, save_label="Записать решение")
