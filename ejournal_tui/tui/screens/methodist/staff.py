"""Staff of the organization as the methodist keeps the list: names, positions and contacts,
roles, and whether each person confirmed the regulation's duties of their roles (and when).
Accounts themselves (login, roles, locking) are the administrator's."""

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from ejournal_tui.dates import fmt_dt
from ejournal_tui.db import lists
from ejournal_tui.db.lists import StaffInput, StaffRow
from ejournal_tui.models import ROLE_NAMES
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.screens.dialogs.form import Field, FormScreen
from ejournal_tui.tui.widgets.table import short_name


class StaffScreen(TableScreen[StaffRow]):
    TITLE = "Сотрудники"
    HELP = """Список сотрудников организации: ФИО, должность, контакты, роли в журнале.
«Ознакомлен(а)» — подтвердил ли сотрудник обязанности своих ролей по Положению при первом входе
(дата и время — в строке под таблицей). Enter — изменить ФИО, должность, телефон и электронную почту.
Учётные записи (логин, роли, блокировку) ведёт администратор."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "изменить", id="staff.edit", key_display="⏎",
                tooltip="изменить ФИО, должность и контакты сотрудника"),
    ]

    def fetch(self) -> list[StaffRow]:
        return self.db.run(lists.staff)

    def show(self, data: list[StaffRow]) -> None:
        pending = sum(1 for s in data if s.unacknowledged and not s.is_locked)
        note = f" · [yellow]не ознакомились с обязанностями: {pending}[/yellow]" if pending else ""
        self.set_title(f"[b]Сотрудники[/b]: {len(data)}{note}")
        rows = []
        for s in data:
            roles = ", ".join(ROLE_NAMES.get(r, r) for r in s.roles) or "нет доступа"
            if not s.roles:
                ack = Text("")
            elif s.unacknowledged:
                ack = Text("нет", style="yellow")
            else:
                ack = Text("да")
            rows.append((s.id, (short_name(s.full_name) + (" (блок.)" if s.is_locked else ""), roles, ack,
                                s.position)))
        self.fill(("Сотрудник", "Роли", "Ознакомлен(а)", "Должность"), rows)

    def describe(self, s: StaffRow) -> str:
        acks = "; ".join(f"{ROLE_NAMES.get(r, r)}: {fmt_dt(s.acknowledged[r]) if r in s.acknowledged else 'нет'}"
                         for r in s.roles)
        return esc(f"{s.full_name} · {s.login} · {s.phone or 'телефона нет'} · {s.email or 'эл. почты нет'}"
                   + (f"\nОзнакомление: {acks}" if acks else ""))

    def action_open(self) -> None:
        key = self.need("Выберите сотрудника.")
        s = self.row(key)
        if s is None:
            return
        fields = [
            Field("full_name", "ФИО", s.full_name, max_length=200),
            Field("position", "Должность", s.position or "", max_length=200),
            Field("phone", "Телефон", s.phone or "", placeholder="+7 …"),
            Field("email", "Эл. почта", s.email or "", max_length=200),
        ]

        def save(conn, values: dict) -> None:
            lists.save_staff(conn, s.id, StaffInput(**values))

        self.app.push_screen(FormScreen(f"Сотрудник: {s.login}", fields, save), self.reload_after)
