"""The rest of the paper journal of a group: safety briefings, mass events, students'
achievements — a list of each, added, changed and deleted here; the hard copy prints them."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from ejournal_tui.dates import fmt_date
from ejournal_tui.db import group_records
from ejournal_tui.db.connection import Conn
from ejournal_tui.db.group_records import (
    Achievement,
    AchievementInput,
    Briefing,
    Event,
    EventInput,
    Records,
)
from ejournal_tui.errors import NotFound
from ejournal_tui.journal_models import Group, Student
from ejournal_tui.tui.screens.common.base import BaseScreen, esc
from ejournal_tui.tui.screens.dialogs.base import SaveDialog, row
from ejournal_tui.tui.screens.dialogs.late_reason import with_late_reason
from ejournal_tui.tui.widgets.date_input import DateInput
from ejournal_tui.tui.widgets.table import fill
from ejournal_tui.vocabulary import current


@dataclass(frozen=True)
class Tab:
    """A section of the screen: its pane (id) with the table #{id}-table, the key 1–3 to it."""

    id: str
    title: str  # the pane's
    label: str  # the key's
    record: str  # one record of it, in «Удалить …?»
    delete: Callable[[Conn, int, str | None], None]


TABS = {t.id: t for t in (
    Tab("briefings", "Инструктажи по ТБ", "инструктажи", "инструктаж", group_records.delete_briefing),
    Tab("events", "Мероприятия", "мероприятия", "мероприятие", group_records.delete_event),
    Tab("achievements", "Достижения", "достижения", "достижение", group_records.delete_achievement),
)}
RESULTS = ["1 место", "2 место", "3 место", "победитель", "призёр", "лауреат", "участник"]


def short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class GroupRecordsScreen(BaseScreen):
    TITLE = "Инструктажи, мероприятия, достижения"
    HELP = """Разделы бумажного журнала кроме посещаемости: инструктажи по технике безопасности,
массовые мероприятия группы и творческие достижения обучающихся. Всё это печатается в твёрдой копии.

* **1, 2, 3** — раздел: инструктажи, мероприятия, достижения.
* **д** — добавить запись в раздел, **Enter** — изменить, **Delete** — удалить (с подтверждением).
* **б** — новый инструктаж (как в журнале): дата, вид и обучающиеся уже заполнены.

Под таблицей — вся выбранная запись: полный текст, кто провёл инструктаж и кого инструктировали.
Записи итерации в архиве изменить нельзя."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "edit", "изменить", id="records.edit", key_display="⏎", priority=True),
        Binding("д,l", "add", "добавить", id="records.add"),
        Binding("delete", "delete", "удалить", id="records.delete"),
        Binding("б,comma", "briefing", "инструктаж", id="records.briefing", show=False),
        *(Binding(str(n), f"tab('{t.id}')", t.label, id=f"records.tab{n}", show=False)
          for n, t in enumerate(TABS.values(), 1)),
        Binding("f5", "reload", "обновить", id="records.reload", show=False),
        Binding("escape", "back", "назад", id="records.back"),
    ]

    def __init__(self, group_id: int, tab: str = "briefings"):
        super().__init__()
        self.group_id, self.tab = group_id, tab
        self.data: Records | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Загрузка…", id="records-title")
        with TabbedContent(initial=self.tab, id="records-tabs"):
            for n, t in enumerate(TABS.values(), 1):
                with TabPane(f"{n} {t.title}", id=t.id):
                    yield DataTable(cursor_type="row", id=f"{t.id}-table")
        yield Static("", id="records-info")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="records")
    def load(self) -> None:
        data = self.db.run(group_records.records, self.group_id)
        self.app.call_from_thread(self._loaded, data)

    def _loaded(self, data: Records) -> None:
        self.data = data
        g = data.group
        self.title = f"Записи группы {g.name}"
        archived = " · [yellow]архив: только просмотр[/yellow]" if not g.writable else ""
        missing = [s for s in data.students if not s.introduced and s.enrolled(self.today)]
        flag = f" · [yellow]без вводного инструктажа: {len(missing)}[/yellow]" if missing else ""
        self.query_one("#records-title", Static).update(
            f"[b]{esc(g.name)}[/b] · {esc(g.program_name)} · {esc(g.iteration_name)}{archived}{flag}"
        )
        self._fill(
            "briefings",
            ("Дата", "Вид", "Содержание", "Провёл", "Кого"),
            [
                (
                    b.id,
                    (
                        fmt_date(b.held_on),
                        b.kind,
                        short(b.content, 30),
                        _initials(b.given_by_name),
                        str(len(b.students)),
                    ),
                )
                for b in data.briefings
            ],
        )
        self._fill(
            "events",
            ("Дата", "Мероприятие", "Место", "Участников"),
            [
                (e.id, (fmt_date(e.held_on), short(e.title, 34), short(e.place or "", 20), str(e.participants)))
                for e in data.events
            ],
        )
        self._fill(
            "achievements",
            ("Дата", "Обучающийся", "Конкурс", "Уровень", "Результат"),
            [
                (a.id, (fmt_date(a.held_on), a.student_name, short(a.competition, 24), a.level, a.result))
                for a in data.achievements
            ],
        )
        self._focus_table()

    def _fill(self, tab: str, columns: tuple, rows: list) -> None:
        table = self.query_one(f"#{tab}-table", DataTable)
        row = table.cursor_row
        fill(table, columns, rows, empty="нет записей")
        table.move_cursor(row=min(max(row, 0), table.row_count - 1), animate=False)

    @property
    def active(self) -> str:
        return self.query_one(TabbedContent).active or "briefings"

    def _table(self) -> DataTable:
        return self.query_one(f"#{self.active}-table", DataTable)

    def _focus_table(self) -> None:
        self._table().focus()
        self._show_info()

    def _selected_id(self) -> int | None:
        table = self._table()
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return None if key is None or key == "none" else int(key)

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.call_after_refresh(self._focus_table)

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_info()

    def _show_info(self) -> None:
        info = self.query_one("#records-info", Static)
        row_id = self._selected_id()
        if self.data is None or row_id is None:
            info.update("д — добавить запись." if self.data is not None else "")
            return
        if self.active == "briefings":
            b = next(x for x in self.data.briefings if x.id == row_id)
            names = ", ".join(p.name for p in b.students)
            info.update(
                f"[b]{b.kind.capitalize()} инструктаж {fmt_date(b.held_on)}[/b], провёл(а) "
                f"{esc(b.given_by_name or '—')}: {esc(b.content)}\n"
                f"Прошли ({len(b.students)}): {esc(names)}"
            )
        elif self.active == "events":
            e = next(x for x in self.data.events if x.id == row_id)
            info.update(
                f"[b]{esc(e.title)}[/b], {fmt_date(e.held_on)}\n"
                f"Место: {esc(e.place or '—')} · участников: {e.participants}"
            )
        else:
            a = next(x for x in self.data.achievements if x.id == row_id)
            info.update(
                f"[b]{esc(a.student_name)}[/b] · {esc(a.result)} · {a.level} уровень, {fmt_date(a.held_on)}\n"
                f"{esc(a.competition)}"
            )

    # --- actions ---------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    @property
    def records(self) -> Records:
        """The loaded records: the screen's actions run once they are."""
        if self.data is None:
            raise NotFound("Записи группы ещё не загружены: повторите через мгновение.")
        return self.data

    def _writable(self) -> bool:
        if self.data is None:
            return False
        if not self.data.group.writable:
            self.notify("Итерация в архиве: записи только для просмотра.", severity="warning")
            return False
        return True

    def action_add(self) -> None:
        self._open(None)

    def action_edit(self) -> None:
        row_id = self._selected_id()
        if row_id is None:
            self._open(None)
        else:
            self._open(row_id)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_briefing(self) -> None:
        self.action_tab("briefings")
        self._open_briefing(None)

    def _open(self, row_id: int | None) -> None:
        if not self._writable():
            return
        data = self.records
        if self.active == "briefings":
            self._open_briefing(row_id)
        elif self.active == "events":
            event = next((x for x in data.events if x.id == row_id), None)
            self.app.push_screen(EventScreen(data.group, event, self._on_rolls()), self._saved)
        else:
            found = next((x for x in data.achievements if x.id == row_id), None)
            self.app.push_screen(AchievementScreen(data.group, data.students, found), self._saved)

    def _open_briefing(self, row_id: int | None) -> None:
        from ejournal_tui.tui.screens.teacher.briefing import BriefingScreen

        if not self._writable():
            return
        data = self.records
        existing = next((x for x in data.briefings if x.id == row_id), None)
        day = min(self.today, data.group.ends_on)
        screen = BriefingScreen(data.group, data.students, day, data.present, data.introduced, existing)
        self.app.push_screen(screen, self._saved)

    def _on_rolls(self) -> int:
        return sum(1 for s in self.records.students if s.enrolled(self.today))

    def _saved(self, value) -> None:
        if value is not None:
            self.notify("Сохранено.")
            self.load()

    def action_delete(self) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        row_id = self._selected_id()
        if row_id is None or not self._writable():
            return
        table = self.active
        records = self.records
        rows: Sequence[Briefing | Event | Achievement] = (
            records.briefings if table == "briefings" else records.events if table == "events" else records.achievements
        )
        held_on = next((x.held_on for x in rows if x.id == row_id), None)

        def answer(yes: bool | None) -> None:
            if yes:
                with_late_reason(self, [held_on], lambda reason: self._delete(table, row_id, reason))

        self.app.push_screen(
            ConfirmScreen(f"Удалить {TABS[table].record}? Запись останется в истории изменений.", yes="Удалить",
                          no="Отмена"),
            answer,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="records-delete")
    def _delete(self, table: str, row_id: int, late_reason: str | None) -> None:
        try:
            self.db.run(TABS[table].delete, row_id, late_reason)
        except LookupError as exc:
            self.app.call_from_thread(self.refused, exc)
        else:
            self.app.call_from_thread(self.notify, "Удалено.")
        self.app.call_from_thread(self.load)

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()


def _initials(full_name: str | None) -> str:
    """«Лыткина Варвара Тарасовна» → «Лыткина В.Т.»"""
    if not full_name:
        return "—"
    last, *rest = full_name.split()
    return last + (" " + "".join(p[0] + "." for p in rest) if rest else "")


class _Form(SaveDialog):
    """A dialog that saves itself and closes only when the database accepted the record."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "сохранить", id="form.save"),
        Binding("escape", "cancel", "отмена", id="form.cancel"),
        Binding("f1", "app.help", "справка", id="form.help"),  # a modal hides the app's own keys
    ]

    def __init__(self, group: Group):
        super().__init__()
        self.group = group
        self._saving = False

    def buttons(self) -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button("Сохранить (Ctrl+S)", variant="primary", id="save")
            yield Button("Отмена (Esc)", id="cancel")

    def value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def action_save(self) -> None:
        if self._saving:
            return
        record = self.collect()
        if record is not None:
            self._saving = True
            with_late_reason(self, [record.held_on, self.saved_on()], lambda reason: self._save(record, reason),
                             cancelled=lambda: setattr(self, "_saving", False))

    def collect(self):  # the record typed, or None after a warning
        raise NotImplementedError

    def saved_on(self) -> date | None:  # the date of the record as it was saved (None: a new one)
        raise NotImplementedError

    def write(self, record, late_reason: str | None) -> None:  # runs in the worker thread
        raise NotImplementedError

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-save")
    def _save(self, record, late_reason: str | None) -> None:
        try:
            self.write(record, late_reason)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._done, record)

    def _done(self, record) -> None:
        self.dismiss(record)

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        self.refused(exc)


class EventScreen(_Form):
    TITLE = "Массовое мероприятие"
    HELP = """Мероприятие, в котором участвовала группа: дата, название, место проведения и число
участников. Ctrl+S или Enter в поле — сохранить, Esc — отменить."""

    def __init__(self, group: Group, event: Event | None, on_rolls: int):
        super().__init__(group)
        self.event, self.on_rolls = event, on_rolls

    def compose(self) -> ComposeResult:
        e = self.event
        with Vertical(classes="dialog wide", id="event-form"):
            yield Static(f"[b]{'Мероприятие' if e else 'Новое мероприятие'} · группа {esc(self.group.name)}[/b]")
            yield row("Дата", DateInput(e.held_on if e else self.today, id="event-date"),
                      "Участников", Input(str(e.participants if e else self.on_rolls), id="event-participants",
                                          classes="short", type="integer"))
            yield row("Название", Input(e.title if e else "", id="event-title", max_length=300,
                                        placeholder="например, городской фестиваль робототехники"))
            yield row("Место", Input(e.place or "" if e else "", id="event-place", max_length=300,
                                     placeholder="где проходило"))
            yield from self.buttons()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#event-title").focus()

    def collect(self) -> EventInput | None:
        day = self.read_date(self.value("event-date"))
        if day is None:
            return None
        if len(self.value("event-title")) < 2:
            self.notify("Напишите название мероприятия.", severity="warning")
            return None
        try:
            participants = int(self.value("event-participants") or 0)
        except ValueError:
            participants = -1
        limit = current().participants_limit  # a pre-check from the database's own limit
        if not 0 <= participants <= limit:
            self.notify(f"Число участников: от 0 до {limit}.", severity="warning")
            return None
        return EventInput(
            held_on=day,
            title=self.value("event-title"),
            place=self.value("event-place") or None,
            participants=participants,
        )

    def saved_on(self) -> date | None:
        return self.event.held_on if self.event else None

    def write(self, record: EventInput, late_reason: str | None) -> None:
        self.db.run(group_records.save_event, self.group.id, record, self.event.id if self.event else None,
                    late_reason)


class AchievementScreen(_Form):
    TITLE = "Достижение обучающегося"
    HELP = """Творческое достижение обучающегося группы: конкурс или соревнование, уровень, результат
(например, «1 место», «призёр», «участник») и дата. Ctrl+S или Enter в поле — сохранить, Esc — отменить."""

    def __init__(self, group: Group, students: Sequence[Student], achievement: Achievement | None):
        super().__init__(group)
        self.students, self.achievement = students, achievement

    def compose(self) -> ComposeResult:
        a = self.achievement
        with Vertical(classes="dialog wide", id="achievement-form"):
            yield Static(f"[b]{'Достижение' if a else 'Новое достижение'} · группа {esc(self.group.name)}[/b]")
            yield row("Кто", Select([(s.full_name, s.id) for s in self.students],
                                    value=a.student_id if a else Select.NULL, prompt="выберите обучающегося",
                                    id="achievement-student"))
            yield row("Дата", DateInput(a.held_on if a else self.today, id="achievement-date"),
                      "Уровень", Select([(x.label, x.code) for x in current().achievement_level],
                                        value=a.level if a else Select.NULL,
                                        prompt="выберите уровень", id="achievement-level"))
            yield row("Конкурс", Input(a.competition if a else "", id="achievement-competition", max_length=300,
                                       placeholder="название конкурса или соревнования"))
            yield row("Результат", Input(a.result if a else "", id="achievement-result", max_length=100,
                                         placeholder="1 место, призёр, участник…",
                                         suggester=SuggestFromList(RESULTS, case_sensitive=False)))
            yield from self.buttons()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#achievement-student").focus()

    def collect(self) -> AchievementInput | None:
        student = self.query_one("#achievement-student", Select).value
        level = self.query_one("#achievement-level", Select).value
        if not isinstance(student, int):  # Select.NULL: nobody chosen
            self.notify("Выберите обучающегося.", severity="warning")
            return None
        day = self.read_date(self.value("achievement-date"))
        if day is None:
            return None
        if level == Select.NULL:
            self.notify("Выберите уровень конкурса.", severity="warning")
            return None
        if len(self.value("achievement-competition")) < 2 or not self.value("achievement-result"):
            self.notify("Напишите конкурс и результат.", severity="warning")
            return None
        return AchievementInput(
            student_id=student,
            held_on=day,
            competition=self.value("achievement-competition"),
            level=str(level),
            result=self.value("achievement-result"),
        )

    def saved_on(self) -> date | None:
        return self.achievement.held_on if self.achievement else None

    def write(self, record: AchievementInput, late_reason: str | None) -> None:
        self.db.run(
            group_records.save_achievement, self.group.id, record, self.achievement.id if self.achievement else None,
            late_reason,
        )
