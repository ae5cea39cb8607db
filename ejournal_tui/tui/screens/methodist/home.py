"""The methodist's home: the regulation's deadlines (roll-over, archive, weekly analysis, an
unapproved schedule), teachers' requests to correct students' data, remarks the teachers fixed
(to close), and how each teacher keeps the journal this week. Every duty is one key away."""

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from ejournal_tui.dates import fmt_date, fmt_day
from ejournal_tui.db import methodist
from ejournal_tui.db.methodist import MethodistHome
from ejournal_tui.db.session import Unreachable
from ejournal_tui.journal_models import FIELD_NAME
from ejournal_tui.tui.screens.common.base import ReloadingScreen, esc
from ejournal_tui.tui.widgets.table import fill, group_labels, pct, selected, short_name


class MethodistHomeScreen(ReloadingScreen):
    TITLE = "Методист"
    HELP = """Что требует внимания методиста по Положению об электронном журнале:

* **Сроки** — перевод журнала на новую итерацию (за неделю до её начала), архивация закончившейся
  итерации, еженедельный анализ на доске информации, неутверждённое расписание.
* **Запросы педагогов** на исправление данных обучающихся: Enter — принять (исправление вносится)
  или отклонить с причиной.
* **Замечания**, которые педагоги отметили устранёнными: Enter — проверить и закрыть.
* **Эта неделя** — своевременность заполнения журнала каждым педагогом; Enter — его группы.

Разделы открываются клавишами (все — в Ctrl+P): списки обучающихся и сотрудников, группы,
программы и КТП, квантумы, итерации, анализ недели, активность пользователей, замечания, отчёты, печать."""
    DEFAULT_CSS = """
    MethodistHomeScreen #m-home { padding: 0 1; }
    MethodistHomeScreen DataTable { height: auto; max-height: 7; margin-bottom: 1; }
    MethodistHomeScreen #m-week { max-height: 14; }
    MethodistHomeScreen .section { color: $accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "открыть", id="methodist.open", key_display="⏎", show=False),
        Binding("о,j", "students", "дети", id="methodist.students",
                tooltip="обучающиеся и родители: поиск, добавление, зачисление, отчисление и перевод"),
        Binding("г,u", "groups", "группы", id="methodist.groups", tooltip="группы, их списки и расписание"),
        Binding("и,b", "iterations", "итерации", id="methodist.iterations",
                tooltip="итерации: перевод журнала на новую итерацию, архивация"),
        Binding("а,f", "analysis", "анализ", id="methodist.analysis",
                tooltip="еженедельный анализ ведения журнала на доску информации"),
        Binding("т,n", "reports", "отчёты", id="methodist.reports", tooltip="отчёты и выгрузка в CSV и PDF"),
        Binding("п,g", "print", "печать", id="methodist.print",
                tooltip="печать журнала квантума (твёрдая копия)"),
        Binding("к,r", "staff", "сотрудники", id="methodist.staff", show=False,
                tooltip="сотрудники: контакты и ознакомление с обязанностями"),
        Binding("р,h", "programs", "программы и КТП", id="methodist.programs", show=False,
                tooltip="программы и КТП, загрузка КТП из CSV"),
        Binding("ц,w", "quantums", "квантумы", id="methodist.quantums", show=False,
                tooltip="квантумы: новый, изменить название"),
        Binding("м,v", "activity", "активность за месяц", id="methodist.activity", show=False,
                tooltip="ежемесячный контроль активности пользователей"),
        Binding("з,p", "remarks", "замечания", id="methodist.remarks", show=False,
                tooltip="замечания педагогам: написать, закрыть"),
        Binding("д,l", "requests", "запросы педагогов", id="methodist.requests", show=False,
                tooltip="запросы педагогов на исправление данных"),
        Binding("f5", "refresh", "обновить", id="methodist.refresh", show=False),
    ]

    def __init__(self):
        super().__init__()
        self.data: MethodistHome | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="m-home"):
            yield Static("Загрузка…", id="m-reminders")
            yield Static("[b]Запросы педагогов на исправление данных[/b]", classes="section", id="m-requests-title")
            yield DataTable(cursor_type="row", id="m-requests")
            yield Static("[b]Замечания: устранены, ждут закрытия[/b]", classes="section", id="m-remarks-title")
            yield DataTable(cursor_type="row", id="m-remarks")
            yield Static("[b]Эта неделя: заполнение журнала[/b]", classes="section", id="m-week-title")
            yield DataTable(cursor_type="row", id="m-week")
        yield Footer(compact=True, show_command_palette=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="m-home")
    def load(self) -> None:
        try:
            data = self.db.run(methodist.home, self.today)
        except Unreachable as exc:
            self.app.call_from_thread(self._status, f"[red]{esc(str(exc))}[/red] F5 — повторить.")
            return
        self.app.call_from_thread(self._loaded, data)

    def _status(self, markup: str) -> None:
        self.query_one("#m-reminders", Static).update(markup)

    def _loaded(self, data: MethodistHome) -> None:
        self.data = data
        lines = [f"[yellow]• {esc(r.message)}[/yellow]" for r in data.reminders]
        self._status("\n".join(lines) or f"{fmt_date(self.today)}: сроки Положения соблюдены.")
        self.query_one("#m-requests-title", Static).update(
            f"[b]Запросы педагогов на исправление данных ({len(data.requests)})[/b]"
            + (" — Enter: принять или отклонить" if data.requests else ""))
        fill(self.query_one("#m-requests", DataTable), ("Обучающийся", "Что", "Предлагается", "От"),
             [(r.id, (r.student_name, FIELD_NAME.get(r.field, r.field), r.proposed, short_name(r.created_by_name)))
              for r in data.requests])
        self.query_one("#m-remarks-title", Static).update(
            f"[b]Замечания: устранены, ждут закрытия ({len(data.to_close)})[/b]"
            + (" — Enter: закрыть" if data.to_close else ""))
        label = group_labels((r.group_id, r.group_name, r.iteration_id, r.iteration_name) for r in data.to_close)
        fill(self.query_one("#m-remarks", DataTable), ("Группа", "Педагог", "Ответ педагога", "Замечание"),
             [(r.id, (label[r.group_id], short_name(r.teacher_name), f"{fmt_day(r.fixed_at)}: {r.fixed_note or '—'}",
                      r.body)) for r in data.to_close])
        self.query_one("#m-week-title", Static).update(
            f"[b]Неделя с {fmt_date(data.week_of)}: заполнение журнала[/b] — Enter: группы педагога")
        fill(self.query_one("#m-week", DataTable),
             ("Педагог", "Занятий", "В срок", "Позже", "Не заполнено", "Без темы", "Посещ."),
             [(r.teacher_id, (short_name(r.teacher_name), r.planned, r.filled_on_time, r.filled_late, r.not_filled,
                              r.no_topic, pct(r.attendance_pct))) for r in data.week])
        # an empty section is its title line only: the page fits 80×24
        self.query_one("#m-requests", DataTable).display = bool(data.requests)
        self.query_one("#m-remarks", DataTable).display = bool(data.to_close)
        if not isinstance(self.focused, DataTable) or not self.focused.display:
            first = "#m-requests" if data.requests else "#m-remarks" if data.to_close else "#m-week"
            self.query_one(first, DataTable).focus(scroll_visible=False)
            self.query_one("#m-home").scroll_home(animate=False)

    # --- Enter on a row -------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        table = self.focused if isinstance(self.focused, DataTable) else None
        key = selected(table) if table is not None else None
        if table is None or key is None or self.data is None:
            self.notify("Выберите строку таблицы (Tab — к следующей таблице).", severity="warning")
        elif table.id == "m-requests":
            self._resolve(next(r for r in self.data.requests if str(r.id) == key))
        elif table.id == "m-remarks":
            self._close_remark(next(r for r in self.data.to_close if str(r.id) == key))
        else:
            from ejournal_tui.tui.screens.deputy.groups import ControlGroupsScreen

            self.app.push_screen(ControlGroupsScreen(teacher_id=int(key)))

    def _resolve(self, request) -> None:
        from ejournal_tui.tui.screens.methodist.request import resolve_dialog

        self.app.push_screen(resolve_dialog(request), self._reload)

    def _close_remark(self, remark) -> None:
        from ejournal_tui.tui.screens.common.remarks import close_remark_dialog

        self.app.push_screen(close_remark_dialog(remark), self._reload)

    def _reload(self, _result: object) -> None:
        self.load()

    # --- the sections -----------------------------------------------------------------------

    def _push(self, module: str, name: str, *args) -> None:
        import importlib

        screen = getattr(importlib.import_module(f"ejournal_tui.tui.screens.{module}"), name)(*args)
        self.app.push_screen(screen)

    def action_students(self) -> None:
        self._push("methodist.students", "StudentsListScreen")

    def action_staff(self) -> None:
        self._push("methodist.staff", "StaffScreen")

    def action_groups(self) -> None:
        self._push("methodist.groups", "GroupsScreen")

    def action_programs(self) -> None:
        self._push("methodist.programs", "ProgramsScreen")

    def action_quantums(self) -> None:
        self._push("methodist.quantums", "QuantumsScreen")

    def action_iterations(self) -> None:
        self._push("methodist.iterations", "IterationsScreen")

    def action_analysis(self) -> None:
        self._push("methodist.analysis", "AnalysisScreen")

    def action_activity(self) -> None:
        self._push("methodist.activity", "ActivityScreen")

    def action_remarks(self) -> None:
        self._push("common.remarks", "RemarksScreen")

    def action_requests(self) -> None:
        self._push("methodist.requests", "RequestsScreen")

    def action_reports(self) -> None:
        self._push("common.report_view", "ReportScreen")

    def action_print(self) -> None:
        self._push("methodist.printing", "PrintScreen")
