"""The journal of one group: marks with one key, saved at once, never lost.

Writes go through one queue drained by one thread worker, in the order they were made. A
write names the version of the record it was made on; if somebody else changed the record,
the teacher sees both values and chooses. Without a connection the queue waits (the cells
show «*»), a banner says so, and a timer tries again.
"""

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from ejournal_tui.db import history, journal
from ejournal_tui.db.session import Unreachable
from ejournal_tui.journal_models import (
    REASON_NAME,
    ColumnSaved,
    Journal,
    Lesson,
    LessonConflict,
    LessonSaved,
    Mark,
    MarkConflict,
    MarkSaved,
    Student,
    TopicProgress,
    is_late,
)
from ejournal_tui.tui.screens.base import BaseScreen, esc, fmt_date, fmt_dt
from ejournal_tui.tui.widgets.journal_grid import SUM_COL, TOTAL_ROW, JournalGrid, cell, day_key

RETRY_SECONDS = 3.0
# Keys hidden when the journal is opened read-only (JournalScreen(read_only=True)): writes, and the
# teacher's own screens that write (the card's request to the methodist, the group's records).
READ_ONLY_HIDDEN = {"mark", "all_present", "edit_lesson", "add_lesson", "briefing", "records", "card", "students"}


@dataclass
class MarkWrite:
    day: date
    student_id: int
    status: str | None  # None clears the mark
    reason: str | None = None
    reason_text: str | None = None
    late_reason: str | None = None

    @property
    def keys(self) -> list[tuple[date, int]]:
        return [(self.day, self.student_id)]


@dataclass
class ColumnWrite:
    day: date
    student_ids: list[int] = field(default_factory=list)

    @property
    def keys(self) -> list[tuple[date, int]]:
        return [(self.day, s) for s in self.student_ids]


@dataclass
class LessonWrite:
    day: date
    hours: Decimal
    topic_id: int | None
    topic: str | None
    late_reason: str | None = None
    keys: list = field(default_factory=list)


class JournalScreen(BaseScreen):
    TITLE = "Журнал группы"
    HELP = """Строки — обучающиеся, столбцы — даты занятий (проведённые и по расписанию).
Отметка ставится одной клавишей и сразу сохраняется; курсор переходит к следующему обучающемуся.

* «+» — присутствовал(а), «н» — без уважительной причины, «у» — по уважительной причине
  (причину выбирают из списка), «·» — отметки нет, «—» — не числился в группе в этот день.
* Отметка со «*» ещё не сохранена (нет связи с базой): она сохранится сама, когда связь вернётся.
* В заголовке даты: «!» — не указана тема, «*» — занятие заполнено позже 3 дней; красная дата —
  занятие по расписанию прошло, а в журнале его нет.
* Исправление занятия или отметки позже 3 дней после занятия требует причины — она сохраняется в истории.
* Если запись успел изменить другой пользователь, журнал покажет оба значения и спросит, какое оставить.
* «б» — инструктаж по технике безопасности на дату под курсором: всё заполнено, Enter — сохранить.
  «м» — инструктажи, мероприятия и достижения группы.
"""
    BINDINGS: ClassVar[list[Binding]] = [
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
    ]

    def __init__(self, group_id: int, focus_day: date | None = None, read_only: bool = False):
        super().__init__()
        self.group_id = group_id
        self.read_only = read_only  # the administration's view; the database refuses their writes anyway
        self.focus_day = focus_day
        self.data: Journal | None = None
        self.students: list[Student] = []
        self.lessons: list[Lesson] = []
        self.lesson_at: dict[date, Lesson] = {}
        self.marks: dict[tuple[date, int], Mark] = {}
        self.pending: dict[tuple[date, int], tuple] = {}  # the latest unsaved value of a cell
        self.pending_count: Counter = Counter()
        self.queue: deque = deque()
        self.topics: list[TopicProgress] = []
        self.offline = False
        self._draining = False
        self._retry_timer = None
        self._last_reason: dict[date, str] = {}

    @property
    def pending_writes(self) -> int:
        return len(self.queue)

    @property
    def grid(self) -> JournalGrid:
        return self.query_one(JournalGrid)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Загрузка журнала…", id="journal-title")
        yield Static("", id="offline-banner")
        yield JournalGrid(id="grid")
        yield Static("", id="cell-info")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()

    # --- loading -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="journal-load")
    def load(self) -> None:
        try:
            data = self.db.run(journal.journal, self.group_id)
            topics = self.db.run(journal.topic_progress, self.group_id)
        except Unreachable:
            self.app.call_from_thread(self._went_offline)  # loads again when the database is back
            return
        self.app.call_from_thread(self._loaded, data, topics)

    def _loaded(self, data: Journal, topics: list[TopicProgress]) -> None:
        self.data, self.topics = data, topics
        self.students = data.students
        self.lessons = data.lessons
        self.lesson_at = {lesson.held_on: lesson for lesson in data.lessons}
        by_id = {lesson.id: lesson.held_on for lesson in data.lessons if lesson.id is not None}
        self.marks = {(by_id[m.lesson_id], m.student_id): m for m in data.marks}
        g = data.group
        archived = " · [yellow]архив: только просмотр[/yellow]" if not g.writable else ""
        archived = archived or (" · [yellow]только просмотр[/yellow]" if self.read_only else "")
        room = f" · каб. {esc(g.room)}" if g.room else ""
        self.query_one("#journal-title", Static).update(
            f"[b]{esc(g.name)}[/b] · {esc(g.program_name)} · {esc(g.iteration_name)} "
            f"({g.starts_on:%d.%m}–{g.ends_on:%d.%m.%Y}){room}{archived}"
        )
        self.title = f"Журнал: {g.name}"
        self._rebuild()

    def _rebuild(self) -> None:
        grid = self.grid
        coordinate = grid.cursor_coordinate
        grid.build(self.students, self.lessons, self._cell, self, self.today)
        if self.focus_day is not None or coordinate.column < 2:
            day = self.focus_day or max((x.held_on for x in self.lessons if x.held_on <= self.today), default=None)
            column = next((i for i, x in enumerate(self.lessons) if x.held_on == day), 0) + 2
            grid.move_cursor(row=1, column=column, animate=False)
            self.focus_day = None
        else:
            grid.move_cursor(row=coordinate.row, column=coordinate.column, animate=False)
        grid.focus()
        self._show_info()

    # --- what a cell shows ---------------------------------------------------------------

    def _cell(self, student: Student, lesson: Lesson) -> Text:
        key = (lesson.held_on, student.id)
        return cell(student, lesson, self.marks.get(key), self.pending.get(key), self.today)

    def _value(self, key: tuple[date, int]) -> tuple | None:
        if key in self.pending:
            return self.pending[key]
        m = self.marks.get(key)
        return (m.status, m.reason, m.reason_text) if m else None

    def row(self, student: Student) -> Text:
        """Total of a student: present / marked."""
        values = [self._value((lesson.held_on, student.id)) for lesson in self.lessons]
        marked = [v for v in values if v and v[0]]
        present = sum(1 for v in marked if v[0] == "present")
        return Text(f"{present}/{len(marked)}" if marked else "", justify="center")

    def column(self, lesson: Lesson) -> Text:
        """Total of a lesson: present / enrolled that day."""
        enrolled = [s for s in self.students if s.enrolled(lesson.held_on)]
        values = [self._value((lesson.held_on, s.id)) for s in enrolled]
        if not any(values):
            return Text("")
        present = sum(1 for v in values if v and v[0] == "present")
        return Text(f"{present}/{len(enrolled)}", style="bold", justify="center")

    def _paint(self, day: date, student_id: int) -> None:
        student = next((s for s in self.students if s.id == student_id), None)
        lesson = self.lesson_at.get(day)
        if student is None or lesson is None:
            return
        self.grid.put(
            [
                (str(student_id), day_key(day), self._cell(student, lesson)),
                (str(student_id), SUM_COL, self.row(student)),
                (TOTAL_ROW, day_key(day), self.column(lesson)),
            ]
        )

    def _paint_column(self, day: date) -> None:
        lesson = self.lesson_at[day]
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
                if not student.enrolled(d):
                    parts.append("не числится в группе")
                elif key in self.pending:
                    parts.append("[yellow]не сохранено[/yellow]")
                elif key in self.marks:
                    m = self.marks[key]
                    parts.append(esc(m.describe()))
            if lesson.id is None:
                slot = f" {lesson.starts_at:%H:%M}–{lesson.ends_at:%H:%M}" if lesson.starts_at else ""
                parts.append(
                    f"по расписанию{slot}, занятие не заполнено" if d <= self.today else f"по расписанию{slot}"
                )
            else:
                parts.append(f"{lesson.hours} ч · {esc(lesson.title) or '[yellow]тема не указана[/yellow]'}")
                if student is None and lesson.filled_by_name:
                    parts.append(f"заполнил(а) {esc(lesson.filled_by_name)} {fmt_dt(lesson.filled_at)}")
                if lesson.filled_late:
                    parts.append("[yellow]заполнено позже 3 дней[/yellow]")
        self.query_one("#cell-info", Static).update(" · ".join(parts))

    # --- marks ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Read-only: the keys that write are neither shown nor answered."""
        return not (self.read_only and action in READ_ONLY_HIDDEN)

    def _check_cell(self, student: Student | None, lesson: Lesson | None) -> bool:
        if self.data is None:
            return False
        if not self.data.group.writable or self.read_only:
            self.notify("Итерация в архиве: журнал только для просмотра.", severity="warning")
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
        if not self._check_cell(student, lesson):
            return
        if status == "excused":
            from ejournal_tui.tui.screens.excuse import ExcuseScreen

            def chosen(result: tuple[str, str | None] | None) -> None:
                if result:
                    self._set_mark(student, lesson, "excused", *result)

            self._lesson_first(
                lesson, lambda: self.app.push_screen(ExcuseScreen(student.full_name, lesson.held_on), chosen)
            )
        else:
            self._lesson_first(lesson, lambda: self._set_mark(student, lesson, status))

    def _lesson_first(self, lesson: Lesson, then) -> None:
        """A late lesson not in the journal yet: its topic and hours first, in one INSERT. Filled
        later, they would be a correction of a record older than 3 days and need a reason."""
        queued = any(isinstance(w, LessonWrite) and w.day == lesson.held_on for w in self.queue)
        if lesson.id is not None or queued or not is_late(lesson.held_on, self.today):
            then()
            return
        self.notify("Занятие прошло более 3 дней назад и ещё не заполнено: сначала тема и часы.")

        def edited(write: LessonWrite | None) -> None:
            if write is not None:
                self._lesson_edited(write)
                then()

        self._open_editor(lesson, edited)

    def _set_mark(
        self,
        student: Student,
        lesson: Lesson,
        status: str | None,
        reason: str | None = None,
        reason_text: str | None = None,
        late_reason: str | None = None,
    ) -> None:
        key = (lesson.held_on, student.id)
        current = self._value(key)
        if current == (status, reason, reason_text or None) or (status is None and current is None):
            self._cursor_down()
            return
        write = MarkWrite(lesson.held_on, student.id, status, reason, reason_text)
        if current is not None and is_late(lesson.held_on, self.today) and late_reason is None:
            self._ask_reason(lesson.held_on, write)
        else:
            write.late_reason = late_reason
            self._enqueue(write)
            self._cursor_down()

    def _ask_reason(self, day: date, write) -> None:
        from ejournal_tui.tui.screens.late_reason import LateReasonScreen

        def given(reason: str | None) -> None:
            if reason:
                self._last_reason[day] = reason
                write.late_reason = reason
                self._enqueue(write)
                if isinstance(write, MarkWrite):
                    self._cursor_down()

        self.app.push_screen(LateReasonScreen(day, self._last_reason.get(day, "")), given)

    def _cursor_down(self) -> None:
        grid = self.grid
        if grid.cursor_row < len(self.students):
            grid.move_cursor(row=grid.cursor_row + 1, animate=False)

    def action_all_present(self) -> None:
        _, lesson = self._current()
        if lesson is None:
            self.notify("Встаньте на столбец занятия.", severity="warning")
            return
        first = next((s for s in self.students if s.enrolled(lesson.held_on)), None)
        if not self._check_cell(first, lesson):
            return
        ids = [
            s.id for s in self.students if s.enrolled(lesson.held_on) and self._value((lesson.held_on, s.id)) is None
        ]
        if not ids:
            self.notify("На эту дату у всех уже стоят отметки.")
            return
        self._lesson_first(lesson, lambda: self._enqueue(ColumnWrite(lesson.held_on, ids)))

    # --- the write queue -----------------------------------------------------------------

    def _enqueue(self, write) -> None:
        for key in write.keys:
            self.pending[key] = (
                (write.status, write.reason, write.reason_text or None)
                if isinstance(write, MarkWrite)
                else ("present", None, None)
            )
            self.pending_count[key] += 1
        if isinstance(write, MarkWrite):
            self._paint(write.day, write.student_id)
        elif write.keys:
            self._paint_column(write.day)
        self.queue.append(write)
        self._show_info()
        self._kick()

    def _kick(self) -> None:
        if self.queue and not self._draining and not self.offline:
            self._draining = True
            self._drain()

    # Not exclusive: an exclusive start would cancel a running drain. `_draining` keeps it single.
    @work(thread=True, exclusive=False, exit_on_error=False, group="journal-save")
    def _drain(self) -> None:
        try:
            while self.queue:
                write = self.queue[0]
                try:
                    result = self._execute(write)
                except Unreachable:
                    self.app.call_from_thread(self._went_offline)
                    return
                except Exception as exc:
                    self.queue.popleft()
                    self.app.call_from_thread(self._write_failed, write, exc)
                    continue
                self.queue.popleft()
                self.app.call_from_thread(self._write_done, write, result)
        finally:
            self.app.call_from_thread(self._drained)

    def _execute(self, write):
        """Runs in the worker thread; reads the versions the UI thread keeps up to date."""
        lesson = self.lesson_at.get(write.day)
        hours = lesson.planned_hours if lesson else Decimal(2)
        if isinstance(write, MarkWrite):
            mark = self.marks.get((write.day, write.student_id))
            return self.db.run(
                journal.save_mark,
                group_id=self.group_id,
                held_on=write.day,
                student_id=write.student_id,
                status=write.status,
                reason=write.reason,
                reason_text=write.reason_text,
                version=mark.version if mark else None,
                hours=hours,
                late_reason=write.late_reason,
            )
        if isinstance(write, ColumnWrite):
            return self.db.run(
                journal.mark_all_present,
                group_id=self.group_id,
                held_on=write.day,
                student_ids=write.student_ids,
                hours=hours,
            )
        exists = lesson is not None and lesson.id is not None
        return self.db.run(
            journal.save_lesson,
            group_id=self.group_id,
            held_on=write.day,
            hours=write.hours,
            topic_id=write.topic_id,
            topic=write.topic,
            lesson_id=lesson.id if exists else None,
            version=lesson.version if exists else None,
            late_reason=write.late_reason,
        )

    def _drained(self) -> None:
        self._draining = False
        self._kick()

    def _settle(self, keys) -> None:
        for key in keys:
            self.pending_count[key] -= 1
            if self.pending_count[key] <= 0:
                del self.pending_count[key]
                self.pending.pop(key, None)

    def _merge_lesson(self, lesson: Lesson | None, day: date) -> None:
        old = self.lesson_at.get(day)
        if lesson is None:
            merged = (
                Lesson(held_on=day, planned=old.planned, starts_at=old.starts_at, ends_at=old.ends_at) if old else None
            )
        else:
            merged = lesson.model_copy(
                update={
                    "planned": old.planned if old else False,
                    "starts_at": old.starts_at if old else None,
                    "ends_at": old.ends_at if old else None,
                }
            )
        if merged is None:
            return
        self.lesson_at[day] = merged
        if old is None:
            self.lessons = sorted([*self.lessons, merged], key=lambda x: x.held_on)
            self._rebuild()
            return
        self.lessons = [merged if x.held_on == day else x for x in self.lessons]
        if (old.id, old.title, old.filled_late) != (merged.id, merged.title, merged.filled_late):
            self.grid.set_header(merged, self.today)
        if old.id != merged.id:
            self._paint_column(day)

    def _write_done(self, write, result) -> None:
        self._settle(write.keys)
        if isinstance(result, MarkSaved):
            self._merge_lesson(result.lesson, write.day)
            key = (write.day, write.student_id)
            if result.mark is None:
                self.marks.pop(key, None)
            else:
                self.marks[key] = result.mark
            self._paint(*key)
        elif isinstance(result, MarkConflict):
            self._merge_lesson(result.lesson, write.day)
            self._mark_conflict(write, result.current)
        elif isinstance(result, ColumnSaved):
            self._merge_lesson(result.lesson, write.day)
            for m in result.marks:
                self.marks[(write.day, m.student_id)] = m
            others = sum(
                1
                for s in write.student_ids
                if (m := self.marks.get((write.day, s))) is not None and m.status != "present"
            )
            self._paint_column(write.day)
            if others:
                self.notify(f"Отметок, поставленных другим пользователем, оставлено: {others}.")
        elif isinstance(result, LessonSaved):
            self._merge_lesson(result.lesson, write.day)
            self.notify(f"Занятие {fmt_date(write.day)} сохранено.")
        elif isinstance(result, LessonConflict):
            self._lesson_conflict(write, result.current)
        self._show_info()

    def _write_failed(self, write, exc: Exception) -> None:
        self._settle(write.keys)
        self.app.show_error(exc, title="Не сохранено")
        self._refresh_column(write.day)

    @work(thread=True, exclusive=False, exit_on_error=False, group="journal-refresh")
    def _refresh_column(self, day: date) -> None:
        lesson, marks = self.db.run(journal.column, self.group_id, day)
        self.app.call_from_thread(self._column_refreshed, day, lesson, marks)

    def _column_refreshed(self, day: date, lesson: Lesson | None, marks: list[Mark]) -> None:
        old = self.lesson_at.get(day)
        if lesson is None and old is not None and not old.planned:
            # a lesson off the schedule that the database refused: no column for it
            del self.lesson_at[day]
            self.lessons = [x for x in self.lessons if x.held_on != day]
            self._rebuild()
            return
        self._merge_lesson(lesson, day)
        fresh = {m.student_id: m for m in marks}
        for s in self.students:
            key = (day, s.id)
            if key in self.pending:
                continue
            if s.id in fresh:
                self.marks[key] = fresh[s.id]
            else:
                self.marks.pop(key, None)
        self._paint_column(day)
        self._show_info()

    # --- somebody else changed it ----------------------------------------------------------

    def _drop_queued(self, key) -> tuple | None:
        """Forget queued writes of a cell (they were made on the old value); return the last one."""
        mine = self.pending.get(key)
        for write in [w for w in self.queue if isinstance(w, MarkWrite) and (w.day, w.student_id) == key]:
            self.queue.remove(write)
            self._settle(write.keys)
        return mine

    def _mark_conflict(self, write: MarkWrite, current: Mark | None) -> None:
        from ejournal_tui.tui.screens.conflict import ConflictScreen

        key = (write.day, write.student_id)
        mine = self._drop_queued(key) or (write.status, write.reason, write.reason_text)
        if current is None:
            self.marks.pop(key, None)
        else:
            self.marks[key] = current
        self._paint(*key)
        student = next(s for s in self.students if s.id == write.student_id)

        def chosen(keep_mine: bool | None) -> None:
            if keep_mine:
                self._set_mark(student, self.lesson_at[write.day], *mine, late_reason=write.late_reason)

        theirs = current.describe() if current else "отметки нет (её удалили)"
        who = f"{current.updated_by_name}, {fmt_dt(current.updated_at)}" if current and current.updated_by_name else ""
        self.app.push_screen(
            ConflictScreen(f"{student.full_name}, {fmt_date(write.day)}", theirs, who, _describe(mine)),
            chosen,
        )

    def _lesson_conflict(self, write: LessonWrite, current: Lesson | None) -> None:
        from ejournal_tui.tui.screens.conflict import ConflictScreen

        self._merge_lesson(current, write.day)

        def chosen(keep_mine: bool | None) -> None:
            if keep_mine:
                self._enqueue_lesson(write)

        theirs = f"{current.hours} ч · {current.title or 'без темы'}" if current else "занятия нет (его удалили)"
        who = f"{current.filled_by_name}" if current and current.filled_by_name else ""
        topic = write.topic or next((t.title for t in self.topics if t.topic_id == write.topic_id), "без темы")
        self.app.push_screen(
            ConflictScreen(f"Занятие {fmt_date(write.day)}", theirs, who, f"{write.hours} ч · {topic}"),
            chosen,
        )

    # --- offline -------------------------------------------------------------------------

    def _went_offline(self) -> None:
        self.offline = True
        self._banner()
        if self._retry_timer is None:
            self._retry_timer = self.set_interval(RETRY_SECONDS, self._retry)

    def _banner(self) -> None:
        banner = self.query_one("#offline-banner", Static)
        banner.update(
            f"Нет связи с базой данных. Не сохранено изменений: {len(self.queue)} (отмечены «*»). Повторяю попытку…"
        )
        banner.set_class(self.offline, "shown")

    def _retry(self) -> None:
        self._ping()

    @work(thread=True, exclusive=True, exit_on_error=False, group="journal-ping")
    def _ping(self) -> None:
        try:
            self.db.ping()
        except Exception:
            self.app.call_from_thread(self._banner)
            return
        self.app.call_from_thread(self._back_online)

    def _back_online(self) -> None:
        self.offline = False
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        self._banner()
        self.notify("Связь с базой данных восстановлена.")
        if self.data is None:
            self.load()
        self._kick()

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
        from ejournal_tui.tui.screens.lesson_editor import LessonEditorScreen

        if self.data is None:
            return
        if not self.data.group.writable or self.read_only:
            self.notify("Журнал открыт только для просмотра.", severity="warning")
            return
        exists = lesson is not None and lesson.id is not None
        needs_reason = exists and is_late(lesson.held_on, self.today)
        editor = LessonEditorScreen(
            self.data.group,
            lesson,
            self.topics,
            needs_reason,
            self._last_reason.get(lesson.held_on, "") if lesson else "",
        )
        self.app.push_screen(editor, done or self._lesson_edited)

    def _lesson_edited(self, write: LessonWrite | None) -> None:
        if write is None:
            return
        if write.late_reason:
            self._last_reason[write.day] = write.late_reason
        self._enqueue_lesson(write)

    def _enqueue_lesson(self, write: LessonWrite) -> None:
        if write.day not in self.lesson_at:
            self.lesson_at[write.day] = Lesson(held_on=write.day)
            self.lessons = sorted([*self.lessons, self.lesson_at[write.day]], key=lambda x: x.held_on)
            self.focus_day = write.day
            self._rebuild()
        self._enqueue(write)

    # --- other screens -------------------------------------------------------------------

    def action_history(self) -> None:
        student, lesson = self._current()
        if lesson is None or lesson.id is None:
            self.notify("По этой клетке изменений нет: занятие не заполнено.")
            return
        self._load_history(lesson, student)

    @work(thread=True, exclusive=True, exit_on_error=False, group="journal-history")
    def _load_history(self, lesson: Lesson, student: Student | None) -> None:
        from ejournal_tui.tui.screens.history import HistoryScreen

        if student is None:
            entries = self.db.run(history.lesson_history, lesson.id)
            title = f"Занятие {fmt_date(lesson.held_on)}"
        else:
            entries = self.db.run(history.mark_history, lesson.id, student.id)
            title = f"{student.full_name}, {fmt_date(lesson.held_on)}"
        self.app.call_from_thread(self.app.push_screen, HistoryScreen(title, entries))

    def action_card(self) -> None:
        from ejournal_tui.tui.screens.student_card import StudentCardScreen

        student, _ = self._current()
        if student is None:
            self.notify("Встаньте на строку обучающегося.", severity="warning")
            return
        self.app.push_screen(StudentCardScreen(self.group_id, student.id))

    def action_students(self) -> None:
        from ejournal_tui.tui.screens.students import StudentsScreen

        self.app.push_screen(StudentsScreen(self.group_id))

    def action_progress(self) -> None:
        from ejournal_tui.tui.screens.progress import ProgressScreen

        self.app.push_screen(ProgressScreen(self.group_id))

    def action_briefing(self) -> None:
        if self.data is None:
            return
        if not self.data.group.writable:
            self.notify("Итерация в архиве: журнал только для просмотра.", severity="warning")
            return
        _, lesson = self._current()
        day = lesson.held_on if lesson is not None and lesson.held_on <= self.today else self.today
        present = {}
        for x in self.lessons:
            ids = [s.id for s in self.students if (v := self._value((x.held_on, s.id))) and v[0] == "present"]
            if ids:
                present[x.held_on] = ids
        self._open_briefing(day, present)

    @work(thread=True, exclusive=True, exit_on_error=False, group="journal-briefing")
    def _open_briefing(self, day: date, present: dict[date, list[int]]) -> None:
        from ejournal_tui.db import group_records

        introduced, _ = self.db.run(group_records.introduced, self.group_id)
        self.app.call_from_thread(self._briefing_dialog, day, present, introduced)

    def _briefing_dialog(self, day: date, present: dict[date, list[int]], introduced: set[int]) -> None:
        from ejournal_tui.tui.screens.briefing import BriefingScreen

        def saved(value) -> None:
            if value is not None:
                self.notify(
                    f"Инструктаж ({value.kind}) {fmt_date(value.held_on)} записан: "
                    f"обучающихся — {len(value.student_ids)}."
                )

        self.app.push_screen(BriefingScreen(self.data.group, self.students, day, present, introduced), saved)

    def action_records(self) -> None:
        from ejournal_tui.tui.screens.group_records import GroupRecordsScreen

        self.app.push_screen(GroupRecordsScreen(self.group_id))

    def action_reload(self) -> None:
        if self.queue:
            self.notify("Сначала должны сохраниться изменения.", severity="warning")
            return
        self.load()

    def action_back(self) -> None:
        if self.queue:
            self.notify(
                f"Не сохранено изменений: {len(self.queue)}. Они сохранятся, когда вернётся связь; "
                "до тех пор журнал не закрывается.",
                severity="warning",
            )
            return
        self.dismiss()


def _describe(value: tuple | None) -> str:
    if not value or value[0] is None:
        return "стереть отметку"
    status, reason, text = value
    out = {
        "present": "+ присутствовал(а)",
        "absent": "н — без уважительной причины",
        "excused": "у — по уважительной причине",
    }[status]
    if reason:
        out += f": {REASON_NAME[reason]}" + (f" ({text})" if text else "")
    return out
