"""Parents (legal guardians) of one student, with the date of their consent to the processing
of personal data (152-FZ): add, edit, remove."""

from typing import ClassVar

from textual.binding import Binding, BindingType

from ejournal_tui.dates import typed
from ejournal_tui.db import lists
from ejournal_tui.db.lists import GuardianInput, GuardianRow
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.tui.screens.dialogs.form import Field, FormScreen
from ejournal_tui.vocabulary import current


class GuardiansScreen(TableScreen[GuardianRow]):
    TITLE = "Родители (законные представители)"
    HELP = """Родители (законные представители) обучающегося: кем приходятся, телефон, электронная почта и дата
согласия на обработку персональных данных (без согласия данные обрабатывать нельзя — 152-ФЗ).
«д» — добавить, Enter — изменить, Delete — удалить запись."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "изменить", id="guardians.edit", key_display="⏎"),
        Binding("д,l", "add", "добавить", id="guardians.add", tooltip="добавить родителя (законного представителя)"),
        Binding("delete", "delete", "удалить", id="guardians.delete", tooltip="удалить запись о родителе"),
    ]

    def __init__(self, student_id: int, student_name: str):
        super().__init__()
        self.student_id, self.student_name = student_id, student_name

    def fetch(self) -> list[GuardianRow]:
        return self.db.run(lists.guardians, self.student_id)

    def show(self, data: list[GuardianRow]) -> None:
        missing = sum(1 for g in data if g.pd_consent_on is None)
        warn = f" · [yellow]нет согласия на обработку ПД: {missing}[/yellow]" if missing else ""
        self.set_title(f"[b]{esc(self.student_name)}[/b]: родители (законные представители){warn}")
        self.fill(("ФИО", "Кем", "Телефон", "Эл. почта", "Согласие ПД"),
                  [(g.id, (g.full_name, g.relation, g.phone, g.email, g.pd_consent_on or "нет")) for g in data])

    def _form(self, g: GuardianRow | None) -> FormScreen:
        fields = [
            Field("full_name", "ФИО", g.full_name if g else "", max_length=200),
            Field("relation", "Кем приходится", g.relation if g else "мать",
                  options=[(r.label, r.code) for r in current().guardian_relation], allow_blank=False),
            Field("phone", "Телефон", (g.phone or "") if g else "", placeholder="+7 …"),
            Field("email", "Эл. почта", (g.email or "") if g else ""),
            Field("pd_consent_on", "Согласие на ПД", typed(g.pd_consent_on) if g else "",
                  placeholder="дата согласия на обработку персональных данных"),
        ]
        student_id, guardian_id = self.student_id, g.id if g else None

        def save(conn, values: dict) -> int:
            return lists.save_guardian(conn, guardian_id, student_id, GuardianInput(**values))

        return FormScreen(f"Родитель (законный представитель): {self.student_name}", fields, save)

    def action_add(self) -> None:
        self.app.push_screen(self._form(None), self.reload_after)

    def action_open(self) -> None:
        key = self.need()
        g = self.row(key)
        if g is not None:
            self.app.push_screen(self._form(g), self.reload_after)

    def action_delete(self) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        key = self.need()
        g = self.row(key)
        if g is None:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.write(lists.delete_guardian, g.id, done="Запись удалена.")

        self.app.push_screen(ConfirmScreen(f"Удалить запись «{g.full_name}»?", yes="Удалить", no="Отмена"), answer)
