"""A safety briefing (инструктаж по ТБ) in two keys: «б» in the journal opens this dialog filled
in — the date of the lesson under the cursor, the kind, a short content, the students present —
and Enter saves the briefing with its students in one transaction."""

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from ejournal_tui.dates import parse
from ejournal_tui.db import group_records
from ejournal_tui.db.group_records import Briefing, BriefingInput
from ejournal_tui.journal_models import Group, Student
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.dialogs.base import SaveDialog
from ejournal_tui.tui.screens.dialogs.late_reason import with_late_reason
from ejournal_tui.tui.widgets.date_input import DateInput
from ejournal_tui.vocabulary import current


def _content(kind: str) -> str:
    """The content a briefing of this kind is written with unless the teacher changes it."""
    term = current().term("briefing_kind", kind)
    return term.content if term else ""


class StudentPicks(SelectionList[int]):
    """Space ticks a student; Enter saves the dialog (not a second way to tick)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.save", "сохранить", id="briefing.save", show=False)
    ]


class BriefingScreen(SaveDialog[BriefingInput | None]):
    TITLE = "Инструктаж по технике безопасности"
    HELP = """Запись инструктажа по ТБ: дата, вид, краткое содержание и обучающиеся, которые его прошли.

Всё уже заполнено: дата — занятия под курсором в журнале (или сегодня), отмечены присутствовавшие на
нём (или все, кто числился в группе в этот день). Первый инструктаж группы — **вводный**; позже вводный
предлагается тем, кто его ещё не прошёл (например, пришёл позже), иначе — **повторный**.
Смена вида или даты заново отмечает обучающихся, пока вы не меняли отметки сами.

Enter — сохранить (инструктаж и список — одной записью), пробел — отметить или снять обучающегося,
Ctrl+A — отметить всех или снять всех, Tab — к следующему полю, Esc — отменить.
Кто провёл инструктаж, база данных записывает сама: вы."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "сохранить", id="briefing.save"),
        Binding("ctrl+a", "toggle_all", "всех / никого", id="briefing.all"),
        Binding("escape", "cancel", "отмена", id="briefing.cancel"),
        Binding("f1", "app.help", "справка", id="briefing.help"),  # a modal hides the app's own keys
    ]

    def __init__(
        self,
        group: Group,
        students: Sequence[Student],
        day: date,
        present: dict[date, list[int]],
        introduced: set[int],
        existing: Briefing | None = None,
    ):
        super().__init__()
        self.group, self.students, self.present, self.introduced = group, students, present, introduced
        self.existing = existing
        self.day = existing.held_on if existing else day
        self.kind = existing.kind if existing else self._default_kind(self.day)
        self.auto: set[int] | None = None if existing else self._suggested(self.day, self.kind)
        self._saving = False

    def _base(self, day: date) -> set[int]:
        """Present at the lesson of that day, or everybody on the rolls that day."""
        on_rolls = {s.id for s in self.students if s.enrolled(day)}
        if self.present.get(day):
            return on_rolls & set(self.present[day])
        return on_rolls

    def _default_kind(self, day: date) -> str:
        return "вводный" if self._base(day) - self.introduced else "повторный"

    def _suggested(self, day: date, kind: str) -> set[int]:
        base = self._base(day)
        return base - self.introduced if kind == "вводный" else base

    def compose(self) -> ComposeResult:
        e = self.existing
        with Vertical(classes="dialog wide", id="briefing"):
            what = "Изменить инструктаж" if e else "Инструктаж по ТБ"
            yield Static(f"[b]{what} · группа {esc(self.group.name)}[/b]")
            with Horizontal(classes="row"):
                yield Label("Дата", classes="label")
                yield DateInput(self.day, id="briefing-date")
                yield Label("Вид", classes="label")
                kinds = [(k.label, k.code) for k in current().briefing_kind]
                yield Select(kinds, value=self.kind, allow_blank=False, id="briefing-kind")
            with Horizontal(classes="row"):
                yield Label("Содержание", classes="label")
                yield Input(e.content if e else _content(self.kind), id="briefing-content", max_length=500)
            yield Static("", id="briefing-count")
            chosen = {p.id for p in e.students} if e else self.auto
            yield StudentPicks(*self._options(chosen), id="briefing-students")
            with Horizontal(classes="buttons"):
                yield Button("Сохранить (Enter)", variant="primary", id="save")
                yield Button("Отмена (Esc)", id="cancel")

    def _options(self, chosen: set[int] | None) -> list[Selection]:
        chosen = chosen or set()
        out = []
        for s in self.students:
            # who still lacks a вводный matters once the group has had one
            note = " · нет вводного" if self.introduced and s.id not in self.introduced else ""
            if not s.enrolled(self.day):
                note += " · не в группе на эту дату"
            out.append(Selection(Text(f"{s.full_name}{note}"), s.id, s.id in chosen))  # names are not markup
        return out

    def on_mount(self) -> None:
        super().on_mount()
        self._count()
        self.query_one(StudentPicks).focus()

    @property
    def picks(self) -> StudentPicks:
        return self.query_one(StudentPicks)

    @on(SelectionList.SelectedChanged)
    def _count(self) -> None:
        n = len(self.picks.selected)
        self.query_one("#briefing-count", Static).update(
            f"Прошли инструктаж: [b]{n}[/b] из {len(self.students)} · пробел — отметить, Ctrl+A — всех"
        )

    def _reselect(self, day: date, kind: str) -> None:
        """A new date or kind: the suggestion again, unless the person changed the ticks."""
        picks = self.picks
        touched = self.auto is None or set(picks.selected) != self.auto
        self.day, self.kind = day, kind
        if not touched:
            self.auto = self._suggested(day, kind)
        chosen = set(picks.selected) if touched else self.auto
        highlighted = picks.highlighted
        picks.clear_options()
        picks.add_options(self._options(chosen))
        picks.highlighted = highlighted

    @on(Select.Changed, "#briefing-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        old, new = self.kind, str(event.value)
        if old == new:
            return
        content = self.query_one("#briefing-content", Input)
        if content.value.strip() == _content(old):
            content.value = _content(new)
        self._reselect(self.day, new)

    @on(Input.Changed, "#briefing-date")
    def _date_changed(self, event: Input.Changed) -> None:
        day = parse(event.value)
        if day is not None and day != self.day:
            self._reselect(day, self.kind)

    def action_toggle_all(self) -> None:
        picks = self.picks
        if len(picks.selected) == len(self.students):
            picks.deselect_all()
        else:
            picks.select_all()

    def action_save(self) -> None:
        if self._saving:
            return
        day = self.read_date(self.query_one("#briefing-date", Input).value)
        if day is None:
            return
        if day > self.today:
            self.notify("Инструктаж записывают в день проведения или позже.", severity="warning")
            return
        content = self.query_one("#briefing-content", Input).value.strip()
        if len(content) < 2:
            self.notify("Напишите краткое содержание инструктажа.", severity="warning")
            return
        ids = sorted(self.picks.selected)
        if not ids:
            self.notify("Отметьте обучающихся, прошедших инструктаж (пробел).", severity="warning")
            return
        kind = str(self.query_one("#briefing-kind", Select).value)
        self._saving = True
        value = BriefingInput(held_on=day, kind=kind, content=content, student_ids=ids)
        with_late_reason(self, [day, self.existing.held_on if self.existing else None],
                         lambda reason: self._save(value, reason), cancelled=lambda: setattr(self, "_saving", False))

    @work(thread=True, exclusive=True, exit_on_error=False, group="briefing-save")
    def _save(self, value: BriefingInput, late_reason: str | None) -> None:
        try:
            if self.existing is None:
                self.db.run(group_records.add_briefing, self.group.id, value, late_reason)
            else:
                self.db.run(group_records.update_briefing, self.existing.id, value, late_reason)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._saved, value)

    def _saved(self, value: BriefingInput) -> None:
        self.dismiss(value)

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        self.refused(exc)
