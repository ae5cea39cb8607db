"""The teacher's home: own groups, lessons overdue (most overdue first), this week's lessons,
open remarks, the latest board post, and a reminder to check the students' data monthly."""

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from ejournal_tui.dates import fmt_date, fmt_day
from ejournal_tui.db import group_records, home
from ejournal_tui.db.group_records import StudentFlag
from ejournal_tui.db.session import Unreachable
from ejournal_tui.journal_models import Home
from ejournal_tui.tui.screens.common.base import ReloadingScreen, esc
from ejournal_tui.tui.widgets.table import fill, group_labels
from ejournal_tui.vocabulary import WEEKDAYS_SHORT

TABLES = ("groups", "due", "flags", "week", "remarks")


class HomeScreen(ReloadingScreen):
    TITLE = "Начало"
    HELP = """Ваши группы и всё, что требует внимания.

* **Не заполнено в срок** — занятия, не заполненные через {edit_window_acc} после даты (по Положению журнал
  заполняется не позднее {edit_window} после занятия): нет занятия, темы или отметок. Сверху — самые давние.
* **Инструктаж и допуск** — обучающиеся ваших групп без вводного инструктажа по технике безопасности
  (например, пришедшие позже) или без медицинского допуска к занятиям. Enter — карточка обучающегося;
  инструктаж записывают в журнале группы клавишей «б».
* **Сегодня и на этой неделе** — занятия по расписанию и проведённые.
* **Замечания** заместителя директора и методиста; «о» — ответить, что замечание устранено.
* **Доска информации** — последний анализ ведения журнала от методиста.
* «м» — инструктажи, мероприятия и достижения группы; «ц» — цифровой отчёт по вашим группам.

Tab переходит между таблицами, Enter открывает журнал группы на выбранной дате."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "журнал", id="home.open", key_display="⏎", priority=True),
        Binding("ж,semicolon", "journal", "журнал группы", id="home.journal", show=False),
        Binding("с,c", "students", "обучающиеся", id="home.students"),
        Binding("р,h", "progress", "программа", id="home.progress"),
        Binding(
            "м,v",
            "records",
            "мероприятия",
            id="home.records",
            tooltip="инструктажи по ТБ, мероприятия и достижения группы",
        ),
        Binding(
            "ц,w",
            "numeric",
            "отчёт",
            id="home.numeric",
            tooltip="цифровой отчёт: количество обучающихся на 01.10, 01.01, 01.06",
        ),
        Binding("о,j", "answer", "ответ на замечание", id="home.answer", show=False),
        Binding("f5", "refresh", "обновить", id="home.refresh", show=False),
    ]

    def __init__(self):
        super().__init__()
        self.data: Home | None = None
        self.flags: list[StudentFlag] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="home"):
            yield Static("Загрузка…", id="reminders")
            yield Static("[b]Мои группы[/b]", classes="section")
            yield DataTable(cursor_type="row", id="groups")
            yield Static("[b]Не заполнено в срок[/b]", classes="section", id="due-title")
            yield DataTable(cursor_type="row", id="due")
            yield Static("[b]Инструктаж и допуск[/b]", classes="section", id="flags-title")
            yield DataTable(cursor_type="row", id="flags")
            yield Static("[b]Сегодня и на этой неделе[/b]", classes="section")
            yield DataTable(cursor_type="row", id="week")
            yield Static("[b]Замечания[/b]", classes="section", id="remarks-title")
            yield DataTable(cursor_type="row", id="remarks")
            yield Static("[b]Доска информации[/b]", classes="section")
            yield Static("", id="board")
        yield Footer(compact=True, show_command_palette=False)

    def watched_groups(self) -> set[int] | None:
        return {g.id for g in self.data.groups} if self.data else set()

    @work(thread=True, exclusive=True, exit_on_error=False, group="home")
    def load(self) -> None:
        try:
            data = self.db.run(home.home, self.today)
            flags = self.db.run(group_records.flags, self.today)
        except Unreachable as exc:
            self.app.call_from_thread(self._unreachable, str(exc))
            return
        self.app.call_from_thread(self._loaded, data, flags)

    def _unreachable(self, message: str) -> None:
        self.query_one("#reminders", Static).update(f"[red]{esc(message)}[/red] F5 — повторить.")

    def _loaded(self, data: Home, flags: list[StudentFlag]) -> None:
        self.data, self.flags = data, flags
        today = self.today
        reminders = []
        if not data.groups:
            reminders.append("У вас нет групп в текущих итерациях.")
        if data.due:
            reminders.append(
                f"[red]Не заполнено в срок занятий: {len(data.due)}[/red] — самое давнее "
                f"{fmt_date(data.due[0].held_on)} ({esc(data.due[0].group_name)})."
            )
        unbriefed = sum(f.no_briefing for f in flags)
        uncleared = sum(f.no_clearance for f in flags)
        if flags:
            counts = [f"вводного инструктажа по ТБ: {unbriefed}"] * bool(unbriefed)
            counts += [f"мед. допуска: {uncleared}"] * bool(uncleared)
            reminders.append(f"[yellow]Без {', без '.join(counts)}[/yellow] — список ниже.")
        stale = [c.group_name for c in data.checks if c.overdue(today)]
        if stale:
            reminders.append(
                f"[yellow]Пора проверить данные обучающихся ({esc(', '.join(stale))}):[/yellow] "
                "раз в месяц по Положению; «с» — список группы."
            )
        self.query_one("#reminders", Static).update("\n".join(reminders) or f"{fmt_date(today)}: всё заполнено в срок.")

        checks = {c.group_id: c for c in data.checks}
        label = group_labels((g.id, g.name, g.iteration_id, g.iteration_name) for g in data.groups)
        self._fill(
            "groups",
            # the long program name last: at 80 columns it is cut, not the iteration
            ("Группа", "Итерация", "Детей", "Данные проверены", "Программа"),
            [
                (
                    g.id,
                    (
                        g.name,
                        g.iteration_name,
                        str(g.students),
                        fmt_date(checked.date())
                        if g.id in checks and (checked := checks[g.id].checked_at)
                        else "нет",
                        g.program_name,
                    ),
                )
                for g in data.groups
            ],
        )
        self.query_one("#due-title", Static).update(f"[b]Не заполнено в срок ({len(data.due)})[/b]")
        self._fill(
            "due",
            ("Дата", "Группа", "Что не так", "Просрочено"),
            [
                (
                    f"{d.group_id}:{d.held_on.isoformat()}",
                    (fmt_date(d.held_on), label.get(d.group_id, d.group_name), d.missing, f"{d.days_overdue} дн."),
                )
                for d in data.due
            ],
        )
        self.query_one("#flags-title", Static).update(f"[b]Инструктаж и допуск ({len(flags)})[/b]")
        self.query_one("#flags-title").set_class(not flags, "hidden")
        self.query_one("#flags").set_class(not flags, "hidden")
        self._fill(
            "flags",
            ("Группа", "Обучающийся", "Нет"),
            [(f"{f.group_id}:{f.student_id}", (label.get(f.group_id, f.group_name), f.student_name, f.missing))
             for f in flags],
        )
        self._fill(
            "week",
            ("День", "Время", "Группа", "Каб.", "Тема"),
            [
                (
                    f"{w.group_id}:{w.held_on.isoformat()}",
                    (
                        f"{WEEKDAYS_SHORT[w.held_on.weekday()]} {fmt_day(w.held_on)}"
                        + (" ◀" if w.held_on == today else ""),
                        f"{w.starts_at:%H:%M}–{w.ends_at:%H:%M}" if w.starts_at else "вне распис.",
                        label.get(w.group_id, w.group_name),
                        w.room or "",
                        w.topic or ("не заполнено" if w.held_on <= today else ""),
                    ),
                )
                for w in data.week
            ],
        )
        self.query_one("#remarks-title", Static).update(f"[b]Замечания ({len(data.remarks)})[/b]")
        self._fill(
            "remarks",
            ("От", "Группа", "Замечание", "Состояние"),
            [
                (
                    str(r.id),
                    (
                        r.author_name or "",
                        label.get(r.group_id, r.group_name),
                        r.body,
                        f"ответ {fmt_day(r.fixed_at)}, ждёт проверки" if r.fixed_at else "открыто",
                    ),
                )
                for r in data.remarks
            ],
        )
        b = data.board
        self.query_one("#board", Static).update(
            f"[b]{esc(b.title)}[/b] ({fmt_date(b.posted_at.date())}, {esc(b.author_name or '')})\n{esc(b.body)}"
            if b
            else "Записей нет."
        )
        if self.focused is None or not isinstance(self.focused, DataTable):
            # the page stays at its top, where the reminders are, whatever the layout's timing
            self.query_one("#due" if data.due else "#groups", DataTable).focus(scroll_visible=False)

    def _fill(self, table_id: str, columns: tuple, rows: list) -> None:
        fill(self.query_one(f"#{table_id}", DataTable), columns, rows)

    def _selected(self) -> tuple[str, str] | None:
        """(table id, row key) of the focused table's cursor row."""
        table = self.focused if isinstance(self.focused, DataTable) else self.query_one("#groups", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return (table.id, key) if table.id is not None and key is not None and key != "none" else None

    def _target(self):
        """The group (and date) the cursor points at, whatever the table."""
        sel = self._selected()
        if sel is None or self.data is None:
            if self.data and self.data.groups:
                return self.data.groups[0].id, None
            return None, None
        table, key = sel
        if table == "groups":
            return int(key), None
        if table == "remarks":
            r = next(r for r in self.data.remarks if str(r.id) == key)
            return r.group_id, r.lesson_held_on
        if table == "flags":
            return int(key.split(":")[0]), None
        from datetime import date

        group_id, day = key.split(":")
        return int(group_id), date.fromisoformat(day)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "remarks":
            self.action_answer()
        elif event.data_table.id == "flags":
            self._flag_card()
        else:
            self.action_open()

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id == "remarks":
            self.action_answer()
            return
        if isinstance(focused, DataTable) and focused.id == "flags":
            self._flag_card()
            return
        self.action_journal()

    def _flag_card(self) -> None:
        from ejournal_tui.tui.screens.teacher.student_card import StudentCardScreen

        sel = self._selected()
        if sel is not None and sel[0] == "flags":
            group_id, student_id = map(int, sel[1].split(":"))
            self.app.push_screen(StudentCardScreen(group_id, student_id))

    def action_records(self) -> None:
        from ejournal_tui.tui.screens.teacher.group_records import GroupRecordsScreen

        group_id, _ = self._target()
        if group_id is not None:
            self.app.push_screen(GroupRecordsScreen(group_id))

    def action_numeric(self) -> None:
        from ejournal_tui.tui.screens.teacher.numeric_report import NumericReportScreen

        self.app.push_screen(NumericReportScreen())

    def action_journal(self) -> None:
        from ejournal_tui.tui.screens.teacher.journal import JournalScreen

        group_id, day = self._target()
        if group_id is not None:
            self.app.push_screen(JournalScreen(group_id, day))

    def action_students(self) -> None:
        from ejournal_tui.tui.screens.teacher.students import StudentsScreen

        group_id, _ = self._target()
        if group_id is not None:
            self.app.push_screen(StudentsScreen(group_id))

    def action_progress(self) -> None:
        from ejournal_tui.tui.screens.teacher.progress import ProgressScreen

        group_id, _ = self._target()
        if group_id is not None:
            self.app.push_screen(ProgressScreen(group_id))

    def action_answer(self) -> None:
        from ejournal_tui.tui.screens.teacher.remark_answer import RemarkAnswerScreen

        sel = self._selected()
        if sel is None or sel[0] != "remarks" or self.data is None:
            self.notify("Выберите замечание в таблице «Замечания» (Tab).", severity="warning")
            return
        remark = next(r for r in self.data.remarks if str(r.id) == sel[1])

        def answered(note: str | None) -> None:
            if note:
                self._answer(remark.id, note)

        self.app.push_screen(RemarkAnswerScreen(remark), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="home-answer")
    def _answer(self, remark_id: int, note: str) -> None:
        self.db.run(home.answer_remark, remark_id, note)
        self.app.call_from_thread(self.notify, "Ответ на замечание сохранён.")
        self.app.call_from_thread(self.load)


def _short(text: str, width: int = 34) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
