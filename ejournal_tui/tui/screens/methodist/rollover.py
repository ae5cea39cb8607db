"""Roll the journal over to the next iteration (regulation: a week before it starts): the name,
dates and enrollment order of the new iteration, and in a preview the students who continue
(those still enrolled at the end are chosen; Space changes). One SQL call, one transaction;
running it again adds nothing twice."""

from typing import ClassVar

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from ejournal_tui.dates import fmt_date
from ejournal_tui.db import methodist
from ejournal_tui.db.methodist import Candidate, Iteration, IterationSummary, RolloverInput
from ejournal_tui.tui.screens.common.base import BaseScreen, esc
from ejournal_tui.tui.widgets.table import fill, selected


class RolloverScreen(BaseScreen):
    TITLE = "Перевод на новую итерацию"
    HELP = """Перевод журнала на новую итерацию — по Положению за неделю до её начала.

Создаётся новая итерация с теми же группами (программа, педагог, кабинет) и их расписанием; в группы
зачисляются отмеченные обучающиеся (по приказу, номер которого вы укажете). Всё — одним действием в
одной транзакции: либо переносится всё, либо ничего. Повторный запуск с тем же названием ничего не
удвоит — можно, например, дозачислить отмеченных позже.

Пробел — отметить или снять обучающегося, «в» — отметить всех продолжающих, Ctrl+S — перевести.
Расписание новой итерации затем утверждает директор."""
    DEFAULT_CSS = """
    RolloverScreen #ro-head, RolloverScreen #ro-count { height: auto; padding: 0 1; background: $boost; }
    RolloverScreen .ro-row { height: 1; margin: 0 1; }
    RolloverScreen .ro-row Label { width: 12; }
    RolloverScreen .ro-row Input { width: 1fr; }
    RolloverScreen .ro-row Input.date { width: 14; margin-right: 2; }
    RolloverScreen #ro-table { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "run", "перевести", id="rollover.run", tooltip="перевести журнал на новую итерацию"),
        Binding("space", "toggle_pick", "отметить", id="rollover.toggle", tooltip="отметить или снять обучающегося"),
        Binding("в,d", "all", "все продолжающие", id="rollover.all", tooltip="отметить всех продолжающих"),
        Binding("escape", "back", "назад", id="rollover.back"),
    ]

    def __init__(self, source: Iteration):
        super().__init__()
        self.source = source
        self.candidates: list[Candidate] = []
        self.chosen: set[tuple[int, int]] = set()  # (group, student)

    def compose(self) -> ComposeResult:
        name, starts, ends = methodist.suggest_next(self.source)
        yield Header()
        src = self.source
        dates = period_note(src.name, src.starts_on, src.ends_on)
        yield Static(f"Из итерации [b]{esc(src.name)}[/b]{dates}: группы, расписание и отмеченные обучающиеся.",
                     id="ro-head")
        with Horizontal(classes="ro-row"):
            yield Label("Название")
            yield Input(name, max_length=100, id="ro-name", compact=True)
        with Horizontal(classes="ro-row"):
            yield Label("Начало")
            yield Input(fmt_date(starts), classes="date", id="ro-starts", compact=True)
            yield Label("Окончание")
            yield Input(fmt_date(ends), classes="date", id="ro-ends", compact=True)
        with Horizontal(classes="ro-row"):
            yield Label("Приказ №")
            yield Input(placeholder="номер приказа о зачислении на новую итерацию", max_length=50, id="ro-order",
                        compact=True)
        yield Static("Загрузка списка…", id="ro-count")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="ro-table")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()
        self.query_one("#ro-order", Input).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="rollover-load")
    def load(self) -> None:
        candidates = self.db.run(methodist.rollover_candidates, self.source.id)
        self.app.call_from_thread(self._loaded, candidates)

    def _loaded(self, candidates: list[Candidate]) -> None:
        self.candidates = candidates
        self.chosen = {(c.group_id, c.student_id) for c in candidates if c.continuing}
        self._fill()

    def _mark(self, key: tuple[int, int]) -> Text:
        return Text("✓", style="bold green") if key in self.chosen else Text("·")

    def _fill(self) -> None:
        table = self.query_one("#ro-table", DataTable)
        fill(table, ("", "Группа", "Обучающийся", "На конец итерации"),
             [(f"{c.group_id}:{c.student_id}", (self._mark((c.group_id, c.student_id)), c.group_name,
                                                 c.student_name, "в группе" if c.continuing else "выбыл(а)"))
              for c in self.candidates], empty="в группах итерации нет обучающихся")
        self._count()

    def _count(self) -> None:
        groups = len({c.group_id for c in self.candidates})
        self.query_one("#ro-count", Static).update(
            f"Групп: {groups} · отмечено обучающихся: [b]{len(self.chosen)}[/b] из {len(self.candidates)} "
            "(пробел — отметить, «в» — все продолжающие)")

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    @on(DataTable.RowSelected)
    def _row(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_toggle_pick()

    def action_toggle_pick(self) -> None:
        table = self.query_one("#ro-table", DataTable)
        key = selected(table)
        if key is None:
            return
        group_id, student_id = map(int, key.split(":"))
        self.chosen ^= {(group_id, student_id)}
        table.update_cell_at(table.cursor_coordinate._replace(column=0), self._mark((group_id, student_id)))
        self._count()
        table.move_cursor(row=min(table.cursor_row + 1, table.row_count - 1))

    def action_all(self) -> None:
        self.chosen = {(c.group_id, c.student_id) for c in self.candidates if c.continuing}
        self._fill()

    def _input(self) -> RolloverInput:
        value = lambda i: self.query_one(i, Input).value  # noqa: E731
        return RolloverInput(from_iteration=self.source.id, name=value("#ro-name"), starts_on=value("#ro-starts"),
                             ends_on=value("#ro-ends"), order=value("#ro-order"),
                             student_ids=sorted({s for _, s in self.chosen}))

    def action_run(self) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        try:
            data = self._input()
        except ValidationError as exc:
            self.app.show_error(exc, title="Проверьте поля")
            return
        if data.starts_on <= self.source.ends_on:
            self.notify("Новая итерация должна начинаться после окончания текущей.", severity="error")
            return
        groups = len({c.group_id for c in self.candidates})

        def answer(yes: bool | None) -> None:
            if yes:
                self._run(data)

        self.app.push_screen(ConfirmScreen(
            f"Перевести журнал в «{data.name}»{period_note(data.name, data.starts_on, data.ends_on)}?\n"
            f"Групп: {groups}, обучающихся: {len(data.student_ids)}, приказ {data.order}.",
            yes="Перевести", no="Отмена"), answer)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rollover-run")
    def _run(self, data: RolloverInput) -> None:
        iteration_id = self.db.run(methodist.rollover, data)
        summary = self.db.run(methodist.iteration_summary, iteration_id)
        self.app.call_from_thread(self._done, summary)

    def _done(self, s: IterationSummary) -> None:
        self.notify(f"Итерация «{s.name}» готова: групп {s.groups}, занятий в расписании в неделю {s.slots}, "
                    f"обучающихся {s.students}. Расписание утверждает директор.", timeout=10)
        self.dismiss(s)

    def action_back(self) -> None:
        self.dismiss(None)


def period_note(name: str, starts_on, ends_on) -> str:
    """« (дд.мм.гггг – дд.мм.гггг)», unless the name already says the dates."""
    period = f"{fmt_date(starts_on)} – {fmt_date(ends_on)}"
    return "" if fmt_date(starts_on) in name or period in name else f" ({period})"
