"""The director's home (regulation: approve the schedule of classes and the teachers' load a week
before a new iteration): iterations not yet archived, the load of each teacher in hours a week,
the schedule, and the approval — recorded with who and when — one key away."""

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Select

from ejournal_tui.dates import fmt_date, fmt_dt
from ejournal_tui.db import accounts, control, methodist
from ejournal_tui.db.control import Approval, LoadRow
from ejournal_tui.reports.text import cell
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen


class DirectorHomeScreen(TableScreen):
    TITLE = "Расписание и нагрузка"
    HELP = """Директор утверждает расписание учебных занятий и нагрузку педагогов за неделю до начала новой
итерации (Положение, раздел 4). Выберите итерацию в строке сверху; таблица — нагрузка каждого педагога
(групп, занятий и часов в неделю), «р» — расписание по дням.
«у» — утвердить: утверждение записывается в базу (кто и когда); утвердить может только директор.
Пока итерация начинается меньше чем через неделю без утверждённого расписания, методист и директор
видят предупреждение. «т» — отчёты.
«ч» — учётные записи: запросы администратора ждут вашего подтверждения (новая учётная запись, роль,
разблокировка, пароль), и журнал всех операций с учётными записями."""
    DEFAULT_CSS = "DirectorHomeScreen #dir-iteration { margin: 0 1; width: 1fr; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("у,e", "approve", "утвердить", id="director.approve", tooltip="утвердить расписание и нагрузку"),
        Binding("р,h", "schedule", "расписание", id="director.schedule", tooltip="расписание итерации по дням"),
        Binding("enter", "schedule", "расписание", id="director.open", key_display="⏎", show=False),
        Binding("т,n", "reports", "отчёты", id="director.reports", tooltip="отчёты"),
        Binding("ч,x", "accounts", "учётные записи", id="director.accounts",
                tooltip="запросы администратора и журнал операций с учётными записями"),
        Binding("f5", "reload", "обновить", id="director.reload", show=False),
    ]

    def __init__(self):
        super().__init__()
        self.iterations: list[Approval] = []
        self.iteration_id: int | None = None
        self.reminders: list = []
        self.requests = 0
        self.totals = ""

    def compose_top(self) -> ComposeResult:
        yield Select([], prompt="итерация", id="dir-iteration", compact=True)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return action != "back"

    @property
    def iteration(self) -> Approval | None:
        return next((i for i in self.iterations if i.id == self.iteration_id), None)

    def fetch(self) -> list[LoadRow]:
        self.iterations = self.db.run(control.iterations)
        self.reminders = self.db.run(methodist.reminders, self.today)
        self.requests = sum(1 for r in self.db.run(accounts.pending_requests) if r.may_decide)
        if self.iteration is None:
            self.iteration_id = self.iterations[0].id if self.iterations else None
        return self.db.run(control.teacher_load, self.iteration_id) if self.iteration_id else []

    def show(self, data: list[LoadRow]) -> None:
        select = self.query_one("#dir-iteration", Select)
        with select.prevent(Select.Changed):
            select.set_options([(f"{i.name} · {'утверждено' if i.schedule_approved_at else 'не утверждено'}", i.id)
                                for i in self.iterations])
            if self.iteration_id:
                select.value = self.iteration_id
        it = self.iteration
        waiting = (f"\n[yellow]• Запросов учётных записей ждут вашего подтверждения: {self.requests} — «ч»[/yellow]"
                   if self.requests else "")
        if it is None:
            self.set_title("Итераций, кроме архивных, нет." + waiting)
        else:
            state = (f"[green]утверждены[/green]: {esc(it.approved_by_name or '')}, {fmt_dt(it.schedule_approved_at)}"
                     if it.schedule_approved_at else "[yellow]не утверждены[/yellow] — «у» утвердить")
            notes = "".join(f"\n[yellow]• {esc(r.message)}[/yellow]" for r in self.reminders if r.kind == "schedule")
            dates = "" if fmt_date(it.starts_on) in it.name else f" ({fmt_date(it.starts_on)} – {fmt_date(it.ends_on)})"
            self.set_title(f"[b]{esc(it.name)}[/b]{dates} · "
                           f"расписание и нагрузка {state}{notes}{waiting}")
        hours = sum(r.hours_per_week or 0 for r in data)
        self.fill(("Педагог", "Групп", "Занятий в неделю", "Часов в неделю"),
                  [(r.teacher_id, (r.teacher_name, r.groups, r.slots, r.hours_per_week)) for r in data],
                  empty="в итерации нет групп")
        self.totals = f"Всего: педагогов {len(data)}, часов в неделю {cell(hours)}"

    def info(self, key: str | None) -> str:
        return self.totals

    @on(Select.Changed, "#dir-iteration")
    def _iteration(self, event: Select.Changed) -> None:
        if isinstance(event.value, int) and event.value != self.iteration_id:
            self.iteration_id = event.value
            self.load()

    def action_approve(self) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        it = self.iteration
        if it is None:
            return
        again = (f"\nУже утверждено {fmt_dt(it.schedule_approved_at)} ({it.approved_by_name}); утвердить заново "
                 "(после изменений)?" if it.schedule_approved_at else "")

        def answer(yes: bool | None) -> None:
            if yes:
                self.write(control.approve, it.id, done=f"Расписание и нагрузка итерации «{it.name}» утверждены.")

        self.app.push_screen(ConfirmScreen(f"Утвердить расписание и нагрузку педагогов итерации «{it.name}»?{again}",
                                           yes="Утвердить", no="Отмена"), answer)

    def action_schedule(self) -> None:
        from ejournal_tui.tui.screens.director.schedule import IterationScheduleScreen

        if self.iteration is not None:
            self.app.push_screen(IterationScheduleScreen(self.iteration.id, self.iteration.name))

    def action_reports(self) -> None:
        from ejournal_tui.tui.screens.common.report_view import ReportScreen

        self.app.push_screen(ReportScreen("attendance", self.iteration_id))

    def action_accounts(self) -> None:
        from ejournal_tui.tui.screens.common.account_requests import AccountRequestsScreen

        self.app.push_screen(AccountRequestsScreen(), self.reload_after)

    def action_back(self) -> None:
        """The home screen stays; F2 changes the role."""
