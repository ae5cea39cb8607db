"""The weekly analysis of journal keeping (regulation: every week, posted on the board the
teachers see on their home screen): per teacher — lessons due, filled on time, late, not
filled, without a topic, attendance — and a text made from it, edited and posted."""

from datetime import date, timedelta
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Label, Static, TextArea

from ejournal_tui.dates import fmt_date, fmt_dt
from ejournal_tui.db import inputs, methodist
from ejournal_tui.db.methodist import BoardPost, WeekRow
from ejournal_tui.tui.screens.common.base import BaseScreen, esc
from ejournal_tui.tui.widgets.table import fill, pct, short_name


class AnalysisScreen(BaseScreen):
    TITLE = "Анализ недели"
    HELP = """Еженедельный анализ ведения журнала (Положение: методист еженедельно анализирует журнал и
размещает результаты на доске информации для педагогов).

Таблица — по каждому педагогу за неделю: занятий по расписанию и проведённых, заполнено в срок (в течение
{edit_window}), позже, не заполнено, без темы, посещаемость. Ниже — текст, составленный по этим числам:
исправьте его при необходимости и нажмите Ctrl+S — он появится на главной странице у педагогов.
Неделя — любая дата в поле «Неделя» и Enter; F5 — составить текст заново."""
    DEFAULT_CSS = """
    AnalysisScreen #an-head { height: auto; padding: 0 1; background: $boost; }
    AnalysisScreen .an-row { height: 1; margin: 0 1; }
    AnalysisScreen .an-row Label { width: 10; }
    AnalysisScreen #an-week { width: 14; margin-right: 2; }
    AnalysisScreen #an-title { width: 1fr; }
    AnalysisScreen #an-table { height: auto; max-height: 7; }
    AnalysisScreen #an-body { height: 1fr; margin: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "post", "разместить", id="analysis.post", tooltip="разместить анализ на доске информации"),
        Binding("f5", "regenerate", "заново", id="analysis.regenerate", tooltip="составить текст по данным заново"),
        Binding("escape", "back", "назад", id="analysis.back"),
    ]

    def __init__(self, week: date | None = None):
        super().__init__()
        self.week: date = week or date.min  # the Monday of the week, set on mount
        self.rows: list[WeekRow] = []
        self.posted: list[BoardPost] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Загрузка…", id="an-head")
        with Horizontal(classes="an-row"):
            yield Label("Неделя")
            yield Input(id="an-week", placeholder="ДД.ММ.ГГГГ", compact=True)
            yield Input(id="an-title", max_length=200, compact=True)
        yield DataTable(cursor_type="row", id="an-table")
        yield TextArea(id="an-body")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.week = methodist.monday(self.week if self.week != date.min else self.today - timedelta(days=7))
        self.query_one("#an-week", Input).value = fmt_date(self.week)
        self.load(regenerate=True)

    @on(Input.Submitted, "#an-week")
    def _week(self, event: Input.Submitted) -> None:
        try:
            self.week = methodist.monday(inputs.parse_date(event.value, "Неделя") or self.week)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        event.input.value = fmt_date(self.week)
        self.load(regenerate=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="analysis")
    def load(self, regenerate: bool) -> None:
        rows = self.db.run(methodist.weekly_analysis, self.week, self.today)
        posted = self.db.run(methodist.posts, self.week)
        self.app.call_from_thread(self._loaded, rows, posted, regenerate)

    def _loaded(self, rows: list[WeekRow], posted: list[BoardPost], regenerate: bool) -> None:
        self.rows, self.posted = rows, posted
        week_end = self.week + timedelta(days=6)
        state = (f"[green]размещён {fmt_dt(posted[0].posted_at)}[/green] ({esc(posted[0].author_name or '')})"
                 if posted else "[yellow]ещё не размещён[/yellow]")
        self.query_one("#an-head", Static).update(
            f"[b]Анализ за {fmt_date(self.week)} – {fmt_date(week_end)}[/b] · {state} · Ctrl+S — разместить")
        fill(self.query_one("#an-table", DataTable),
             ("Педагог", "Занятий", "В срок", "Позже", "Нет", "Без темы", "Посещ."),
             [(r.teacher_id, (short_name(r.teacher_name), r.planned, r.filled_on_time, r.filled_late, r.not_filled,
                              r.no_topic, pct(r.attendance_pct))) for r in rows], empty="занятий на этой неделе нет")
        if regenerate:
            self.action_regenerate()

    def action_regenerate(self) -> None:
        title, body = methodist.analysis_text(self.week, self.rows)
        self.query_one("#an-title", Input).value = title
        self.query_one("#an-body", TextArea).load_text(body)

    def action_post(self) -> None:
        title = self.query_one("#an-title", Input).value
        body = self.query_one("#an-body", TextArea).text
        self._post(self.week, title, body)

    @work(thread=True, exclusive=True, exit_on_error=False, group="analysis-post")
    def _post(self, week: date, title: str, body: str) -> None:
        self.db.run(methodist.post_analysis, week, title, body)
        self.app.call_from_thread(self._posted)

    def _posted(self) -> None:
        self.notify("Анализ размещён на доске информации: педагоги видят его на главной странице.")
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(None)
