"""A lesson: date, hours and topic — the next КТП topic not yet delivered is suggested, any
text is allowed. Shows who filled it in and when, and whether that was late."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from ejournal_tui.dates import fmt_date, fmt_dt
from ejournal_tui.db.journal import next_topic, reason_problem
from ejournal_tui.journal_engine import LessonWrite
from ejournal_tui.journal_models import Group, Lesson, TopicProgress
from ejournal_tui.reports.text import cell
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.dialogs.base import SaveDialog
from ejournal_tui.tui.widgets.date_input import DateInput
from ejournal_tui.vocabulary import current

OWN_TOPIC = -1


class LessonEditorScreen(SaveDialog):
    TITLE = "Занятие"
    HELP = """Дата, продолжительность в академических часах и тема занятия.
Тема выбирается из КТП программы (предлагается первая ещё не пройденная тема) или пишется своя
(«своя тема» в списке). Ctrl+S или Enter в последнем поле — сохранить, Esc — отменить.
Занятие, заполненное позже {edit_window} после даты, отмечается как заполненное с опозданием и требует
одной причины — на всё занятие: отметки этого первого заполнения исправлениями не считаются.
Исправление уже заполненного занятия позже {edit_window} тоже требует причины."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "сохранить", id="lesson.save"),
        Binding("escape", "cancel", "отмена", id="lesson.cancel"),
    ]

    def __init__(
        self,
        group: Group,
        lesson: Lesson | None,
        topics: list[TopicProgress],
        needs_reason: bool,
        last_reason: str = "",
    ):
        super().__init__()
        self.group, self.lesson, self.topics = group, lesson, topics
        self.needs_reason, self.last_reason = needs_reason, last_reason

    @property
    def exists(self) -> bool:
        return self.lesson is not None and self.lesson.id is not None

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        suggestion = next_topic(self.topics) if not (lesson and (lesson.topic_id or lesson.topic)) else None
        topic_id = lesson.topic_id if lesson and lesson.topic_id else (suggestion.topic_id if suggestion else None)
        if lesson and lesson.topic and not lesson.topic_id:
            topic_id = OWN_TOPIC
        options = [
            (f"{t.position}. {t.title} ({cell(t.hours)} ч{', пройдена' if t.done else ''})", t.topic_id)
            for t in self.topics
        ]
        options.append(("своя тема (написать ниже)", OWN_TOPIC))
        hours = lesson.hours if lesson and lesson.hours else (lesson.planned_hours if lesson else Decimal(2))
        with Vertical(classes="dialog wide", id="lesson-editor"):
            yield Static(f"[b]Занятие группы {esc(self.group.name)}[/b]", id="lesson-head")
            with Horizontal(classes="row"):
                yield Label("Дата", classes="label")
                yield DateInput(lesson.held_on if lesson else None, id="lesson-date", disabled=lesson is not None)
                yield Label("Часы", classes="label")
                yield Input(
                    str(hours).rstrip("0").rstrip(".") if "." in str(hours) else str(hours),
                    id="lesson-hours",
                    classes="short",
                    type="number",
                )
            with Horizontal(classes="row"):
                yield Label("Тема КТП", classes="label")
                yield Select(
                    options,
                    value=topic_id if topic_id is not None else Select.NULL,
                    id="lesson-topic",
                    prompt="выберите тему",
                    allow_blank=True,
                )
            with Horizontal(classes="row"):
                yield Label("Своя тема", classes="label")
                yield Input(
                    # a КТП lesson keeps its topic's title in `topic`: not «своя тема»
                    lesson.topic or "" if lesson and not lesson.topic_id else "",
                    id="lesson-own-topic",
                    max_length=500,
                    placeholder="текст темы, если её нет в КТП",
                )
            if self.needs_reason:
                with Horizontal(classes="row"):
                    yield Label("Причина", classes="label")
                    yield Input(
                        self.last_reason,
                        id="lesson-reason",
                        max_length=200,
                        placeholder=f"почему исправляется позже {current().days}"
                        if self.exists
                        else f"почему заполняется позже {current().days}",
                    )
            yield Static(self._filled_text(suggestion), id="lesson-filled")
            with Horizontal(classes="buttons"):
                yield Button("Сохранить (Ctrl+S)", variant="primary", id="save")
                yield Button("Отмена (Esc)", id="cancel")

    def _filled_text(self, suggestion: TopicProgress | None) -> str:
        lines = []
        if suggestion is not None:
            lines.append(f"Предложена следующая тема КТП: {suggestion.position}. {esc(suggestion.title)}")
        if self.exists and (lesson := self.lesson) is not None:
            lines.append(f"Заполнил(а): {esc(lesson.filled_by_name or '—')}, {fmt_dt(lesson.filled_at)}")
            if lesson.filled_late:
                lines.append(f"[yellow]Заполнено с опозданием (позже {current().days} после занятия).[/yellow]")
        elif self.lesson is not None and self.lesson.held_on <= self.today:
            lines.append("Занятие ещё не заполнено.")
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.query_one("#lesson-date" if self.lesson is None else "#lesson-topic").focus()

    @on(Input.Changed, "#lesson-own-topic")
    def _own_topic_typed(self, event: Input.Changed) -> None:
        """Writing «своя тема» chooses it over the suggested КТП topic: one topic per lesson."""
        if event.value.strip():
            self.query_one("#lesson-topic", Select).value = OWN_TOPIC

    @on(Select.Changed, "#lesson-topic")
    def _ktp_topic_chosen(self, event: Select.Changed) -> None:
        if event.value not in (OWN_TOPIC, Select.NULL):
            self.query_one("#lesson-own-topic", Input).value = ""

    def action_save(self) -> None:
        day = self.lesson.held_on if self.lesson else self._parse_date()
        if day is None:
            return
        if day > self.today:
            self.warn("Нельзя заполнить занятие, которое ещё не прошло.", "#lesson-date")
            return
        try:
            hours = Decimal(self.query_one("#lesson-hours", Input).value.replace(",", ".").strip())
        except InvalidOperation:
            hours = Decimal(0)
        if not (0 < hours <= 8):
            self.warn("Часы занятия: больше нуля и не более 8.", "#lesson-hours")
            return
        chosen = self.query_one("#lesson-topic", Select).value
        topic_id = chosen if isinstance(chosen, int) else None
        own = self.query_one("#lesson-own-topic", Input).value.strip()
        if topic_id == OWN_TOPIC:
            topic_id = None
        if topic_id is None and not own:
            self.warn("Выберите тему из КТП или напишите свою.", "#lesson-topic")
            return
        if topic_id is not None and own:
            # one topic per lesson (the database refuses both): the КТП one, or «своя тема»
            self.warn("Либо тема из КТП, либо своя тема: очистите поле «Своя тема» "
                         "или выберите «своя тема» в списке КТП.", "#lesson-own-topic")
            return
        if self.needs_reason:
            self._check_reason(LessonWrite(day, hours, topic_id, own or None,
                                           self.query_one("#lesson-reason", Input).value.strip()))
        else:
            self.dismiss(LessonWrite(day, hours, topic_id, own or None, None))

    @work(thread=True, exclusive=True, exit_on_error=False, group="lesson-reason")
    def _check_reason(self, write) -> None:
        """The database says whether the reason will do (ej.reason_problem)."""
        problem = self.db.run(reason_problem, write.late_reason)
        if problem:
            self.app.call_from_thread(self.warn, problem, "#lesson-reason")
        else:
            self.app.call_from_thread(self.dismiss, write)

    def _parse_date(self) -> date | None:
        day = self.read_date(self.query_one("#lesson-date", Input).value, "#lesson-date")
        if day is None:
            return None
        if not (self.group.starts_on <= day <= self.group.ends_on):
            self.warn(f"Дата вне итерации ({fmt_date(self.group.starts_on)} — {fmt_date(self.group.ends_on)}).",
                         "#lesson-date")
            return None
        return day
