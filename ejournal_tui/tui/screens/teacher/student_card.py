"""A student's card: data and guardians, read-only for the teacher; a wrong fact is reported
to the methodist, who keeps the lists."""

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from ejournal_tui.dates import fmt_date
from ejournal_tui.db import group_records, students
from ejournal_tui.db.group_records import StudentRecords
from ejournal_tui.journal_models import StudentCard
from ejournal_tui.tui.screens.common.base import BaseScreen, esc


class StudentCardScreen(BaseScreen):
    TITLE = "Карточка обучающегося"
    HELP = """Данные обучающегося и его родителей (законных представителей). Педагог их не меняет:
если что-то изменилось или записано неверно, нажмите «м» и опишите исправление — запрос получит методист.
Ниже данных — инструктажи по технике безопасности, пройденные в группе, и достижения обучающегося.
Без медицинского допуска или вводного инструктажа обучающийся отмечен красным."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("м,v", "report", "сообщить методисту", id="card.report"),
        Binding("escape", "back", "назад", id="card.back"),
    ]

    def __init__(self, group_id: int, student_id: int):
        super().__init__()
        self.group_id, self.student_id = group_id, student_id
        self.card: StudentCard | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="card-box"):
            yield Static("Загрузка…", id="card-text")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="card")
    def load(self) -> None:
        card = self.db.run(students.card, self.group_id, self.student_id)
        records = self.db.run(group_records.student_records, self.group_id, self.student_id)
        self.app.call_from_thread(self._loaded, card, records)

    def _loaded(self, card: StudentCard, records: StudentRecords) -> None:
        self.card = card
        self.title = f"Карточка: {card.last_name}"
        yn = "есть" if card.medical_clearance else "[b red]НЕТ[/b red]"
        introduced = any(b.kind == "вводный" for b in records.briefings)
        flags = ["нет медицинского допуска к занятиям"] * (not card.medical_clearance)
        flags += ["нет вводного инструктажа по ТБ"] * (not introduced)
        lines = [
            f"[b]{esc(card.full_name)}[/b]" + (f"   [b red]⚠ {', '.join(flags)}[/b red]" if flags else ""),
            "",
            f"Дата рождения:   {fmt_date(card.birth_date)}   Пол: {card.sex}",
            f"Школа, класс:    {esc(card.school or '—')}, {esc(card.school_class or '—')}",
            f"Адрес:           {esc(card.address or '—')}",
            f"Телефон:         {esc(card.phone or '—')}",
            f"Мед. допуск:     {yn}"
            + (f" с {fmt_date(card.medical_clearance_on)}" if card.medical_clearance_on else ""),
            f"Согласие на обработку ПДн: {fmt_date(card.pd_consent_on)}",
            "В группе:        "
            + "; ".join(
                f"с {fmt_date(p.enrolled_on)}" + (f" по {fmt_date(p.left_on)} (выбыл)" if p.left_on else "")
                for p in card.periods
            ),
            "",
            "[b]Родители (законные представители)[/b]",
        ]
        lines += [
            f"  {esc(g.full_name)} ({g.relation}) · {esc(g.phone or 'тел. —')} · {esc(g.email or 'почта —')}"
            for g in card.guardians
        ] or ["  не указаны"]
        lines += ["", "[b]Инструктажи по технике безопасности[/b]"]
        lines += [
            f"  {fmt_date(b.held_on)} {b.kind} · провёл(а) {esc(b.given_by_name or '—')}" for b in records.briefings
        ] or ["  [red]не проходил(а)[/red]"]
        if records.achievements:
            lines += ["", "[b]Достижения[/b]"]
            lines += [
                f"  {fmt_date(a.held_on)} {esc(a.competition)} ({a.level}) — {esc(a.result)}"
                for a in records.achievements
            ]
        if card.open_requests:
            lines += ["", f"[yellow]Запросов на исправление у методиста: {card.open_requests}[/yellow]"]
        lines += ["", "Нашли ошибку или данные изменились? Нажмите «м» — сообщить методисту."]
        self.query_one("#card-text", Static).update("\n".join(lines))

    def action_report(self) -> None:
        from ejournal_tui.tui.screens.teacher.change_request import ChangeRequestScreen

        if self.card is None:
            return

        def sent(ok: bool | None) -> None:
            if ok:
                self.load()

        self.app.push_screen(ChangeRequestScreen(self.group_id, self.card), sent)

    def action_back(self) -> None:
        self.dismiss()
