"""The journal of one group: keys and painting. The grid's state, the writes, conflicts and
reconnects live in the engine (ejournal_tui.journal_engine), which reports through messages."""

import threading
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Static

from ejournal_tui import journal_engine as je
from ejournal_tui.dates import fmt_date, fmt_day, fmt_dt
from ejournal_tui.db import history
from ejournal_tui.db.session import Unreachable
from ejournal_tui.journal_engine import JournalEngine, LessonWrite, Value
from ejournal_tui.journal_models import Lesson, Student, is_late
from ejournal_tui.reports.text import cell as number
from ejournal_tui.tui.screens.common.base import BaseScreen, esc
from ejournal_tui.tui.widgets.journal_grid import SUM_COL, TOTAL_ROW, JournalGrid, cell, day_key
from ejournal_tui.vocabulary import current

__all__ = ["JournalScreen", "LessonWrite"]

RETRY_SECONDS = 3.0
# Keys that write: hidden (and answered by «refuse») when the journal cannot be changed.
WRITES = {"mark", "all_present", "edit_lesson", "add_lesson", "briefing"}
# The teacher's own screens that write, not offered to the administration's view.
VIEW_ONLY_HIDDEN = WRITES | {"records", "card", "students"}


class EngineEvent(Message):
    def __init__(self, event: je.Event):
        super().__init__()
        self.event = event


class RunWriter(Message):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn


class JournalScreen(BaseScreen):
    TITLE = "Журнал группы"
    HELP = """Строки — обучающиеся, столбцы — даты занятий (проведённые и по расписанию).
Отметка ставится одной клавишей и сразу сохраняется; курсор переходит к следующему обучающемуся.

* «+» — присутствовал(а), «н» — без уважительной причины; по уважительной причине (клавиша «у»,
  причину выбирают из списка) — как в печатной форме: {absence_reasons}.
  «·» — отметки нет (в печатной форме — «?»),
  «—» — не числился в группе в этот день.
* Отметка со «*» ещё не сохранена (нет связи с базой): она сохранится сама, когда связь вернётся.
* В заголовке даты: «!» — не указана тема, «*» — занятие заполнено позже {edit_window}; красная дата —
  занятие по расписанию прошло, а в журнале его нет.
* Первое заполнение занятия позже {edit_window} требует одной причины на всё занятие; отметки этого
  заполнения — не исправления. Исправление сохранённого раньше позже {edit_window} требует причины.
* Изменения, сделанные в другом сеансе, появляются в открытом журнале сами.
* Если запись успел изменить другой пользователь, журнал покажет оба значения и спросит, какое оставить.
* «б» — инструктаж по технике безопасности на дату под курсором: всё заполнено, Enter — сохранить.
  «м» — инструктажи, мероприятия и достижения группы.
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space,п,g", "mark('present')", "был", id="journal.present", key_display="␣", tooltip="присутствовал(а)"
        ),
        Binding(
            "н,y",
            "mark('absent')",
            "нет",
            id="journal.absent",
            tooltip="отсутствовал(а) без уважительной причины",
        ),
        Binding(
            "у,e",
            "mark('excused')",
            "уваж.",
            id="journal.excused",
            tooltip="отсутствовал(а) по уважительной причине — выбрать причину",
        ),
        Binding(
            "в,d",
            "all_present",
            "все",
            id="journal.all_present",
            tooltip="все обучающиеся без отметки на этой дате — присутствовали",
        ),
        Binding("т,n", "edit_lesson", "занятие", id="journal.lesson", tooltip="дата, часы и тема занятия"),
        Binding("и,b", "history", "история", id="journal.history", tooltip="кто и когда менял отметку или занятие"),
        Binding(
            "б,comma",
            "briefing",
            "ТБ",
            id="journal.briefing",
            tooltip="записать инструктаж по технике безопасности на эту дату",
        ),
        Binding(
            "м,v",
            "records",
            "инструктажи, мероприятия, достижения",
            id="journal.records",
            show=False,
        ),
        Binding("delete,backspace", "mark(None)", "стереть отметку", id="journal.clear", show=False),
        Binding("к,r", "card", "карточка обучающегося", id="journal.card", show=False),
        Binding("с,c", "students", "список группы", id="journal.students", show=False),
        Binding("р,h", "progress", "выполнение программы", id="journal.progress", show=False),
        Binding("д,l", "add_lesson", "занятие вне расписания", id="journal.add_lesson", show=False),
        Binding("f5", "reload", "обновить", id="journal.reload", show=False),
        Binding("escape", "back", "назад", id="journal.back"),
        # a journal that cannot be changed: the write keys say why instead of doing nothing
        Binding("space,п,g,н,y,у,e,в,d,т,n,б,comma,д,l,delete,backspace", "refuse", "только просмотр",
                id="journal.refuse", key_display="␣ н у в т"),
    ]


    def __init__(self, group_id: int, focus_day: date | None = None, read_only: bool = False):
        super().__init__()
        self.group_id = group_id
        self.read_only = read_only  # the administration's view; the database refuses their writes anyway
        self.focus_day = focus_day
        self.engine: JournalEngine | None = None  # made on mount
        self._load_retry: Timer | None = None
        self._last_reason: dict[date, str] = {}
        self._info = ""  # what the info line under the grid shows

    @property
    def live(self) -> JournalEngine:
        """The engine, which exists from mount on (every key and worker comes after it)."""
        if self.engine is None:
            raise RuntimeError("journal engine used before the screen was mounted")
        return self.engine

    # what tests and the app read
    @property
    def data(self):
        return self.engine.state if self.engine is not None and self.engine.loaded else None

    @property
    def students(self) -> list[Student]:
        return self.engine.state.students if self.engine else []

    @property
    def lessons(self) -> list[Lesson]:
        return self.engine.state.lessons if self.engine else []

    @property
    def lesson_at(self) -> dict[date, Lesson]:
        return self.engine.state.lesson_at if self.engine else {}

    @property
    def topics(self):
        return self.engine.state.topics if self.engine else []

    @property
    def queue(self) -> list:
        if self.engine is None:
            return []
        return [*self.engine.queue, *([self.engine._in_flight] if self.engine._in_flight is not None else [])]

    @property
    def pending(self) -> dict:
        return self.engine.pending if self.engine else {}

    @property
    def offline(self) -> bool:
        return (self.engine is not None and self.engine.offline) or self._load_retry is not None

    @property
    def pending_writes(self) -> int:
        return self.engine.unsaved if self.engine else 0

    @property
    def grid(self) -> JournalGrid:
        return self.query_one(JournalGrid)

    @property
    def read_only_reason(self) -> str | None:
        """Why nothing can be changed here (None: it can)."""
        if self.read_only:
            return "только просмотр"
        if self.data is not None and not self.data.group.writable:
            return "архив: только просмотр"
        return None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Загрузка журнала…", id="journal-title")
        yield Static("", id="offline-banner")
        yield JournalGrid(id="grid")
        yield Static("", id="cell-info")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.engine = JournalEngine(
            self.db, self.group_id, self._post, getattr(self.app, "outbox", None), runner=self._run_writer
        )
        self.engine.retry_seconds = RETRY_SECONDS
        self.engine.start()
        self.load()

    def on_unmount(self) -> None:
        if self.engine is not None:
            self.engine.stop()

    def _run_writer(self, fn) -> None:
        """The engine's writer as a Textual worker (not exclusive: that would cancel a running
        drain; the engine keeps it single). Started once the key's frame is painted: the writer's
        Python (psycopg) holds the GIL too and would delay the repaint."""
        if threading.get_ident() == self.app._thread_id:
            self.call_after_refresh(
                self.run_worker, fn, thread=True, exclusive=False, group="journal-save", exit_on_error=False
            )
        else:
            self.post_message(RunWriter(fn))

    @on(RunWriter)
    def _start_writer(self, message: RunWriter) -> None:
        self._run_writer(message.fn)

    def _post(self, event: je.Event) -> None:
        if isinstance(event, je.CellChanged) and threading.get_ident() == self.app._thread_id:
            # a key's own mark: painted now, not a message later; the info line follows the cursor
            # (_set_mark), not once for the cell and again for the next one
            self._paint(*event.key)
        else:
            self.post_message(EngineEvent(event))

    # --- loading -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="journal-load")
    def load(self) -> None:
        try:
            self.live.load()
        except Unreachable:
            self.app.call_from_thread(self._load_offline)

    def _load_offline(self) -> None:
        if self._load_retry is None:
            self._load_retry = self.set_interval(RETRY_SECONDS, self._retry_load)
        self._banner()

    def _retry_load(self) -> None:
        self.load()

    def live_changed(self, groups: set[int]) -> None:
        """The app heard that something of this group changed elsewhere: read it again."""
        if self.group_id in groups and self.data is not None:
            self.load()

    def _loaded(self) -> None:
        if self._load_retry is not None:
            self._load_retry.stop()
            self._load_retry = None
            self._banner()
        g = self.data.group
        why = self.read_only_reason
        room = f" · каб. {esc(g.room)}" if g.room else ""
        self.query_one("#journal-title", Static).update(
            f"[b]{esc(g.name)}[/b] · {esc(g.program_name)} · {esc(g.iteration_name)} "
            f"({fmt_day(g.starts_on)}–{fmt_date(g.ends_on)}){room}" + (f" · [yellow]{why}[/yellow]" if why else "")
        )
        self.title = f"Журнал: {g.name}" + (f" ({why})" if why else "")
        self.refresh_bindings()
        self._rebuild()

    def _rebuild(self) -> None:
        grid = self.grid
        coordinate = grid.cursor_coordinate
        first = grid.row_count == 0
        grid.build(self.students, self.lessons, self._cell, self, self.today)
        if self.focus_day is not None or first or coordinate.column < 2:
            day = self.focus_day or max((x.held_on for x in self.lessons if x.held_on <= self.today), default=None)
            column = next((i for i, x in enumerate(self.lessons) if x.held_on == day), 0) + 2
            grid.move_cursor(row=max(1, coordinate.row) if not first else 1, column=column, animate=False)
            grid.call_after_refresh(grid.reveal_cursor)
            self.focus_day = None
        else:
            grid.move_cursor(row=coordinate.row, column=coordinate.column, animate=False)
        grid.focus()
        self._show_info()

    # --- what a cell shows ---------------------------------------------------------------

    def _cell(self, student: Student, lesson: Lesson) -> Text:
        key = (lesson.held_on, student.id)
        return cell(student, lesson, self.live.value(key), self.live.is_pending(key), self.today)

    def row(self, student: Student) -> Text:
        """Total of a student: present / marked."""
        t = self.live.student_total(student)
        return Text(f"{t.present}/{t.marked}" if t.marked else "", justify="center")

    def column(self, lesson: Lesson) -> Text:
        """Total of a lesson: present / enrolled that day."""
        present, enrolled, any_mark = self.live.lesson_total(lesson)
        return Text(f"{present}/{enrolled}", style="bold", justify="center") if any_mark else Text("")

    def _paint(self, day: date, student_id: int) -> None:
        student = next((s for s in self.students if s.id == student_id), None)
        lesson = self.lesson_at.get(day)
        if student is None or lesson is None or self.grid.row_count == 0:
            return
        self.grid.put(
            [
                (str(student_id), day_key(day), self._cell(student, lesson)),
                (str(student_id), SUM_COL, self.row(student)),
                (TOTAL_ROW, day_key(day), self.column(lesson)),
            ]
        )

    def _paint_column(self, day: date) -> None:
        lesson = self.lesson_at.get(day)
        if lesson is None or self.grid.get_column_key(day) is None:
            return
        changes = [(str(s.id), day_key(day), self._cell(s, lesson)) for s in self.students]
        changes += [(str(s.id), SUM_COL, self.row(s)) for s in self.students]
        self.grid.put([*changes, (TOTAL_ROW, day_key(day), self.column(lesson))])

    def _current(self) -> tuple[Student | None, Lesson | None]:
        if self.data is None:
            return None, None
        coordinate = self.grid.cursor_coordinate
        student = self.students[coordinate.row - 1] if 1 <= coordinate.row <= len(self.students) else None
        lesson = self.lessons[coordinate.column - 2] if 2 <= coordinate.column < len(self.lessons) + 2 else None
        return student, lesson

    @on(DataTable.CellHighlighted)
    def _highlighted(self) -> None:
        self._show_info()

    def _show_info(self) -> None:
        student, lesson = self._current()
        parts = []
        if student is not None:
            parts.append(f"[b]{esc(student.full_name)}[/b]")
        if lesson is not None:
            d = lesson.held_on
            parts.append(f"{fmt_date(d)}")
            if student is not None:
                key = (d, student.id)
                value = self.live.value(key)
                if not student.enrolled(d):
                    parts.append("не числится в группе")
                elif self.live.is_pending(key):
                    parts.append("[yellow]не сохранено[/yellow]")
                elif value is not None:
                    parts.append(esc(value.describe()))
            if lesson.id is None:
                slot = f" {lesson.starts_at:%H:%M}–{lesson.ends_at:%H:%M}" if lesson.starts_at else ""
                parts.append(
                    f"по расписанию{slot}, занятие не заполнено" if d <= self.today else f"по расписанию{slot}"
                )
            else:
                parts.append(f"{number(lesson.hours)} ч · {esc(lesson.title) or '[yellow]тема не указана[/yellow]'}")
                if student is None and lesson.filled_by_name:
                    parts.append(f"заполнил(а) {esc(lesson.filled_by_name)} {fmt_dt(lesson.filled_at)}")
                if lesson.filled_late:
                    parts.append(f"[yellow]заполнено позже {current().days}[/yellow]")
        text = " · ".join(parts)
        if text != self._info:
            self._info = text
            self.query_one("#cell-info", Static).update(text, layout=False)  # its height is fixed

    # --- what the engine reports ---------------------------------------------------------

    @on(EngineEvent)
    def _engine_event(self, message: EngineEvent) -> None:
        event = message.event
        if isinstance(event, je.Loaded):
            self._loaded()
        elif self.data is None or self.grid.row_count == 0:
            if isinstance(event, je.Connection):
                self._banner()
            return
        elif isinstance(event, je.Refreshed):
            for day in event.days:
                if (lesson := self.lesson_at.get(day)) is not None:
                    self.grid.set_header(lesson, self.today)
                self._paint_column(day)
            for key in event.cells:
                if key[0] not in event.days:
                    self._paint(*key)
        elif isinstance(event, je.CellChanged):
            self._paint(*event.key)
        elif isinstance(event, je.ColumnChanged):
            if event.rebuild:
                self._rebuild()
            else:
                lesson = self.lesson_at.get(event.day)
                if lesson is not None:
                    self.grid.set_header(lesson, self.today)
                self._paint_column(event.day)
        elif isinstance(event, je.Conflict):
            self._mark_conflict(event)
        elif isinstance(event, je.LessonConflict):
            self._lesson_conflict(event.write, event.current)
        elif isinstance(event, je.NeedsReason):
            self._ask_reason(event.key, event.mine)
        elif isinstance(event, je.Failed):
            self.app.show_error(event.error, title="Не сохранено")
        elif isinstance(event, je.Connection):
            self._banner()
            if not event.offline:
                self.notify("Связь с базой данных восстановлена.")
        elif isinstance(event, je.Notice):
            self.notify(event.text)
        self._show_info()

    # --- marks ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Keys that cannot apply here are not offered; «refuse» answers them instead."""
        why = self.read_only_reason
        if action == "refuse":
            return why is not None
        if self.read_only and action in VIEW_ONLY_HIDDEN:
            return False
        return not (why is not None and action in WRITES)

    def action_refuse(self) -> None:
        why = self.read_only_reason
        if why == "архив: только просмотр":
            self.notify("Итерация в архиве: журнал только для просмотра, изменить его нельзя.", severity="warning")
        else:
            self.notify("Журнал открыт только для просмотра: изменять его может только педагог группы.",
                        severity="warning")

    def _check_cell(self, student: Student | None, lesson: Lesson | None) -> bool:
        if self.data is None:
            return False
        if self.read_only_reason:
            self.action_refuse()
        elif lesson is None or student is None:
            self.notify("Встаньте на клетку обучающегося под датой занятия.", severity="warning")
        elif lesson.held_on > self.today:
            self.notify("Занятие ещё не прошло: отметки ставятся в день занятия или позже.", severity="warning")
        elif not student.enrolled(lesson.held_on):
            self.notify("Обучающийся не числится в группе на эту дату («—»).", severity="warning")
        else:
            return True
        return False

    def action_mark(self, status: str | None) -> None:
        student, lesson = self._current()
        if not self._check_cell(student, lesson) or student is None or lesson is None:
            return
        if status == "excused":
            from ejournal_tui.tui.screens.teacher.excuse import ExcuseScreen

            def chosen(result: tuple[str, str | None] | None) -> None:
                if result:
                    self._set_mark(student.id, lesson.held_on, Value("excused", *result))

            self._lesson_first(
                lesson, lambda: self.app.push_screen(ExcuseScreen(student.full_name, lesson.held_on), chosen)
            )
        else:
            self._lesson_first(lesson, lambda: self._set_mark(student.id, lesson.held_on, Value(status)))

    def _lesson_first(self, lesson: Lesson, then) -> None:
        """A late lesson not in the journal yet: its topic, hours and the one reason of the late
        filling first. The marks that follow are its first filling, not corrections."""
        queued = any(isinstance(w, LessonWrite) and w.day == lesson.held_on for w in self.queue)
        if lesson.id is not None or queued or not is_late(lesson.held_on, self.today):
            then()
            return
        self.notify(f"Занятие прошло более {current().days} назад и ещё не заполнено: сначала тема, часы и причина.")

        def edited(write: LessonWrite | None) -> None:
            if write is not None:
                self._lesson_edited(write)
                then()

        self._open_editor(lesson, edited)

    def _set_mark(self, student_id: int, day: date, value: Value, late_reason: str | None = None,
                  move: bool = True) -> None:
        self.live.set_mark(day, student_id, value, late_reason)
        if not (move and self._cursor_down()):  # a moved cursor updates the info line itself
            self._show_info()

    def _ask_reason(self, key, mine: Value) -> None:
        """The database says this is a correction of a late lesson: ask why, then send it again.
        The cursor stays where it is (it moved on when the key was pressed)."""
        from ejournal_tui.tui.screens.dialogs.late_reason import LateReasonScreen

        day, student_id = key

        def given(reason: str | None) -> None:
            if reason:
                self._last_reason[day] = reason
                self._set_mark(student_id, day, mine, late_reason=reason, move=False)

        self.app.push_screen(LateReasonScreen(day, self._last_reason.get(day, "")), given)

    def _cursor_down(self) -> bool:
        grid = self.grid
        if grid.cursor_row < len(self.students):
            grid.move_cursor(row=grid.cursor_row + 1, animate=False)
            return True
        return False

    def action_all_present(self) -> None:
        _, lesson = self._current()
        if lesson is None:
            self.notify("Встаньте на столбец занятия.", severity="warning")
            return
        first = next((s for s in self.students if s.enrolled(lesson.held_on)), None)
        if not self._check_cell(first, lesson):
            return
        if not any(s.enrolled(lesson.held_on) and self.live.value((lesson.held_on, s.id)) is None
                   for s in self.students):
            self.notify("На эту дату у всех уже стоят отметки.")
            return
        self._lesson_first(lesson, lambda: self._all_present(lesson.held_on))

    def _all_present(self, day: date) -> None:
        self.live.all_present(day)
        self._show_info()

    # --- somebody else changed it ----------------------------------------------------------

    def _mark_conflict(self, event: je.Conflict) -> None:
        from ejournal_tui.tui.screens.teacher.conflict import ConflictScreen

        day, student_id = event.key
        student = next((s for s in self.students if s.id == student_id), None)
        if student is None:
            return

        def chosen(keep_mine: bool | None) -> None:
            if keep_mine:  # on the version now known; the cursor stays
                self._set_mark(student_id, day, event.mine, event.late_reason, move=False)

        theirs = event.theirs.value.describe() if event.theirs else "отметки нет (её удалили)"
        who = event.theirs.updated_by_name if event.theirs else None
        me = self.app.me.full_name if self.app.me is not None else None
        when = f", {fmt_dt(event.theirs.updated_at)}" if event.theirs and event.theirs.updated_at else ""
        self.app.push_screen(
            ConflictScreen(f"{student.full_name}, {fmt_date(day)}", theirs, (who or "") + when if who else "",
                           event.mine.describe(), same_person=bool(who and me and who == me)),
            chosen,
        )

    def _lesson_conflict(self, write: LessonWrite, current: Lesson | None) -> None:
        from ejournal_tui.tui.screens.teacher.conflict import ConflictScreen

        def chosen(keep_mine: bool | None) -> None:
            if keep_mine:
                write.base = (current.id, current.version) if current is not None else None
                self.live.save_lesson(write)

        theirs = (f"{number(current.hours)} ч · {current.title or 'без темы'}" if current
                  else "занятия нет (его удалили)")
        who = f"{current.filled_by_name}" if current and current.filled_by_name else ""
        topic = write.topic or next((t.title for t in self.topics if t.topic_id == write.topic_id), "без темы")
        self.app.push_screen(
            ConflictScreen(f"Занятие {fmt_date(write.day)}", theirs, who, f"{number(write.hours)} ч · {topic}"),
            chosen,
        )

    # --- offline -------------------------------------------------------------------------

    def _banner(self) -> None:
        """In place of the title line, so the grid does not move."""
        offline = self.offline
        banner = self.query_one("#offline-banner", Static)
        if self.data is None:
            text = "Нет связи с базой данных: журнал откроется, когда связь вернётся. Повторяю попытку…"
        else:
            text = f"Нет связи с базой. Не сохранено: {self.pending_writes} (отмечены «*»). Повторяю попытку…"
        banner.update(text)
        banner.set_class(offline, "shown")
        self.query_one("#journal-title", Static).set_class(offline, "hidden")

    # --- lessons -------------------------------------------------------------------------

    def action_edit_lesson(self) -> None:
        _, lesson = self._current()
        if lesson is None:
            self.notify("Встаньте на столбец занятия.", severity="warning")
            return
        self._open_editor(lesson)

    @on(DataTable.CellSelected)
    def _selected(self) -> None:
        self.action_edit_lesson()

    def action_add_lesson(self) -> None:
        if self.data is not None:
            self._open_editor(None)

    def _open_editor(self, lesson: Lesson | None, done=None) -> None:
        from ejournal_tui.tui.screens.teacher.lesson_editor import LessonEditorScreen

        if self.data is None:
            return
        if self.read_only_reason:
            self.action_refuse()
            return
        needs_reason = lesson is not None and is_late(lesson.held_on, self.today)
        editor = LessonEditorScreen(
            self.data.group,
            lesson,
            self.topics,
            needs_reason,
            self._last_reason.get(lesson.held_on, "") if lesson else "",
        )
        base = (lesson.id, lesson.version) if lesson is not None and lesson.id is not None else None

        def edited(write: LessonWrite | None) -> None:
            if write is not None:
                write.base = base  # the version the teacher saw: a change made meanwhile is a conflict
            (done or self._lesson_edited)(write)

        self.app.push_screen(editor, edited)

    def _lesson_edited(self, write: LessonWrite | None) -> None:
        if write is None:
            return
        if write.late_reason:
            self._last_reason[write.day] = write.late_reason
        self._enqueue_lesson(write)

    def _enqueue_lesson(self, write: LessonWrite) -> None:
        if write.day not in self.lesson_at:
            self.focus_day = write.day
        self.live.save_lesson(write)

    # --- other screens -------------------------------------------------------------------

    def action_history(self) -> None:
        student, lesson = self._current()
        if lesson is None or lesson.id is None:
            self.notify("По этой клетке изменений нет: занятие не заполнено.")
            return
        self._load_history(lesson, student)

    @work(thread=True, exclusive=True, exit_on_error=False, group="journal-history")
    def _load_history(self, lesson: Lesson, student: Student | None) -> None:
        from ejournal_tui.tui.screens.teacher.history import HistoryScreen

        if student is None:
            entries = self.db.run(history.lesson_history, lesson.id)
            title = f"Занятие {fmt_date(lesson.held_on)}"
        else:
            entries = self.db.run(history.mark_history, lesson.id, student.id)
            title = f"{student.full_name}, {fmt_date(lesson.held_on)}"
        self.app.call_from_thread(self.app.push_screen, HistoryScreen(title, entries))

    def action_card(self) -> None:
        from ejournal_tui.tui.screens.teacher.student_card import StudentCardScreen

        student, _ = self._current()
        if student is None:
            self.notify("Встаньте на строку обучающегося.", severity="warning")
            return
        self.app.push_screen(StudentCardScreen(self.group_id, student.id))

    def action_students(self) -> None:
        from ejournal_tui.tui.screens.teacher.students import StudentsScreen

        self.app.push_screen(StudentsScreen(self.group_id))

    def action_progress(self) -> None:
        from ejournal_tui.tui.screens.teacher.progress import ProgressScreen

        self.app.push_screen(ProgressScreen(self.group_id))

    def action_briefing(self) -> None:
        if self.data is None:
            return
        if self.read_only_reason:
            self.action_refuse()
            return
        _, lesson = self._current()
        day = lesson.held_on if lesson is not None and lesson.held_on <= self.today else self.today
        present = {}
        for x in self.lessons:
            ids = [s.id for s in self.students if (v := self.live.value((x.held_on, s.id))) and v.status == "present"]
            if ids:
                present[x.held_on] = ids
        self._open_briefing(day, present)

    @work(thread=True, exclusive=True, exit_on_error=False, group="journal-briefing")
    def _open_briefing(self, day: date, present: dict[date, list[int]]) -> None:
        from ejournal_tui.db import group_records

        introduced, _ = self.db.run(group_records.introduced, self.group_id)
        self.app.call_from_thread(self._briefing_dialog, day, present, introduced)

    def _briefing_dialog(self, day: date, present: dict[date, list[int]], introduced: set[int]) -> None:
        from ejournal_tui.tui.screens.teacher.briefing import BriefingScreen

        def saved(value) -> None:
            if value is not None:
                self.notify(
                    f"Инструктаж ({value.kind}) {fmt_date(value.held_on)} записан: "
                    f"обучающихся — {len(value.student_ids)}."
                )

        self.app.push_screen(BriefingScreen(self.data.group, self.students, day, present, introduced), saved)

    def action_records(self) -> None:
        from ejournal_tui.tui.screens.teacher.group_records import GroupRecordsScreen

        self.app.push_screen(GroupRecordsScreen(self.group_id))

    def action_reload(self) -> None:
        self.load()  # what is not saved yet stays on top

    def action_back(self) -> None:
        if self.pending_writes:
            self.notify(
                f"Не сохранено изменений: {self.pending_writes}. Они сохранятся, когда вернётся связь; "
                "до тех пор журнал не закрывается.",
                severity="warning",
            )
            return
        self.dismiss()
