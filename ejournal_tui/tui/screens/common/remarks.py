"""Remarks on journal keeping, for the methodist and the deputy director (regulation: the teacher
fixes the remarks they note): write one on a group or a lesson, see the teacher's answer, close
it. Who wrote and who closed come from the session."""

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from ejournal_tui.dates import fmt_dt, typed
from ejournal_tui.db import lists, remarks
from ejournal_tui.db.remarks import RemarkInput, RemarkRow, answered
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.screens.dialogs.form import Field, FormScreen
from ejournal_tui.tui.widgets.table import clip, group_labels, short_name

STYLE = {"open": "", "fixed": "green", "closed": "dim"}
STATE_SHORT = {"open": "открыто", "fixed": "ждёт закрытия", "closed": "закрыто"}


def remark_form(groups: list[lists.Choice], group_id: int | None = None, lesson_on: date | None = None,
                body: str = "") -> FormScreen:
    fields = [
        Field("group_id", "Группа", group_id, options=[(g.name, g.id) for g in groups]),
        Field("lesson_on", "Занятие (дата)", typed(lesson_on), placeholder="пусто — замечание на группу"),
        Field("body", "Замечание", body, max_length=2000, placeholder="что исправить"),
    ]

    def save(conn, values: dict) -> int:
        return remarks.add_remark(conn, RemarkInput(**values))

    return FormScreen("Замечание педагогу", fields, save, save_label="Записать",
                      note="Педагог увидит замечание на своей главной странице и ответит, когда исправит.")


def close_remark_dialog(r: RemarkRow) -> FormScreen:
    def save(conn, values: dict) -> None:
        remarks.close_remark(conn, r.id)

    answer = f"Ответ педагога ({fmt_dt(r.fixed_at)}): {esc(r.fixed_note or '—')}" if r.fixed_at else \
        "[yellow]Педагог ещё не отметил замечание устранённым.[/yellow]"
    where = f", занятие {typed(r.lesson_held_on)}" if r.lesson_held_on else ""
    return FormScreen("Закрыть замечание", [], save, save_label="Закрыть замечание",
                      note=f"Группа {esc(r.group_name)}{where} ({esc(r.teacher_name)}):\n{esc(r.body)}\n\n{answer}\n\n"
                           "Проверьте журнал и закройте замечание.")


class RemarksScreen(TableScreen[RemarkRow]):
    TITLE = "Замечания"
    HELP = """Замечания по ведению журнала (Положение: педагог устраняет замечания заместителя директора и
методиста). «н» — новое замечание на группу или занятие, Enter — закрыть замечание (проверив ответ
педагога), «в» — показать и закрытые. «Ответ» — ответил ли педагог и когда; зелёным — педагог отметил
замечание устранённым. Группа показана с итерацией, когда в списке группы нескольких итераций."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "закрыть", id="remarks.close", key_display="⏎", tooltip="закрыть замечание"),
        Binding("н,y", "add", "новое", id="remarks.add", tooltip="новое замечание педагогу"),
        Binding("в,d", "all", "все/открытые", id="remarks.all", tooltip="показать закрытые замечания или скрыть их"),
    ]

    def __init__(self):
        super().__init__()
        self.include_closed = False

    def fetch(self) -> list[RemarkRow]:
        return self.db.run(remarks.remarks, self.include_closed)

    def show(self, data: list[RemarkRow]) -> None:
        fixed = sum(1 for r in data if r.state == "fixed")
        self.set_title(f"[b]Замечания[/b] ({'все' if self.include_closed else 'незакрытые'}): {len(data)}"
                       + (f" · [green]устранены, ждут закрытия: {fixed}[/green]" if fixed else ""))
        label = group_labels((r.group_id, r.group_name, r.iteration_id, r.iteration_name) for r in data)
        self.fill(("Дата", "Группа", "Педагог", "Ответ", "Состояние", "Замечание"),
                  [(r.id, (f"{r.created_at:%d.%m.%y}", label[r.group_id], short_name(r.teacher_name), answered(r),
                           Text(STATE_SHORT[r.state], style=STYLE[r.state]), clip(r.body, 40))) for r in data])

    def describe(self, r: RemarkRow) -> str:
        text = f"{r.group_name} · {r.iteration_name} · {r.author_name or ''}: {r.body}"
        text += (f"\nОтвет ({fmt_dt(r.fixed_at)}): {r.fixed_note or '—'}" if r.fixed_at
                 else "\nПедагог ещё не ответил.")
        if r.closed_at:
            text += f" Закрыто {fmt_dt(r.closed_at)}."
        return esc(text)

    def action_add(self) -> None:
        self.open_with(lists.group_choices, remark_form)

    def action_open(self) -> None:
        key = self.need("Выберите замечание.")
        r = self.row(key)
        if r is None:
            return
        if r.closed_at:
            self.notify("Замечание уже закрыто.", severity="warning")
            return
        self.app.push_screen(close_remark_dialog(r), self.reload_after)

    def action_all(self) -> None:
        self.include_closed = not self.include_closed
        self.load()
