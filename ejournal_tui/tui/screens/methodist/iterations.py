"""Iterations of the organization: dates, status, the director's approval of the schedule.
From here the methodist rolls the journal over to the next iteration, starts or ends an
iteration, and archives one that ended."""

from typing import ClassVar

from textual.binding import Binding, BindingType

from ejournal_tui.dates import fmt_date, fmt_dt
from ejournal_tui.db import iterations, methodist
from ejournal_tui.db.methodist import NEXT_STATUS, Iteration
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen
from ejournal_tui.vocabulary import current


class IterationsScreen(TableScreen[Iteration]):
    TITLE = "Итерации"
    HELP = """Итерации (периоды обучения) организации.

* **п — перевод журнала на новую итерацию** (Положение: за неделю до её начала): новая итерация с теми же
  группами, программами и расписанием и выбранными обучающимися — одним действием; повторный запуск
  ничего не удвоит.
* **а — архивация** в конце итерации: сначала проверка (занятия без тем и отметок), затем итерация
  становится доступной только для чтения — всем.
* **с — статус**: начать запланированную итерацию или закончить идущую.
* **д — новая итерация** вручную: название и даты (первая итерация или особая; обычно — перевод «п»).
  Даты не пересекаются с другими итерациями; новая итерация «планируется».
* **к — карточка**: название и даты; даты должны включать уже проведённые занятия.
* **о — отменить** итерацию, которая ещё не началась и без занятий, вместе с её группами.
* Enter — группы итерации."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "группы", id="iterations.open", key_display="⏎", tooltip="группы итерации"),
        Binding("п,g", "rollover", "перевод", id="iterations.rollover",
                tooltip="перевести журнал на новую итерацию"),
        Binding("а,f", "archive", "архивировать", id="iterations.archive", tooltip="проверить и архивировать итерацию"),
        Binding("с,c", "status", "статус", id="iterations.status", tooltip="начать или закончить итерацию"),
        Binding("д,l", "add", "новая", id="iterations.add", tooltip="новая итерация: название и даты"),
        Binding("к,r", "edit", "карточка", id="iterations.edit", tooltip="название и даты итерации"),
        Binding("о,j", "cancel_iteration", "отменить", id="iterations.cancel",
                tooltip="отменить итерацию, которая ещё не началась"),
    ]

    def fetch(self) -> list[Iteration]:
        return self.db.run(methodist.iterations)

    def show(self, data: list[Iteration]) -> None:
        self.set_title(f"[b]Итерации[/b]: {len(data)}")
        self.fill(("Итерация", "Начало", "Конец", "Статус", "Групп", "Расписание"),
                  [(i.id, (i.name, i.starts_on, i.ends_on, i.status_name, i.groups,
                           "утверждено" if i.schedule_approved_at else "не утверждено")) for i in data])

    def describe(self, i: Iteration) -> str:
        parts = [f"утверждено: {i.approved_by_name}, {fmt_dt(i.schedule_approved_at)}" if i.schedule_approved_at
                 else "расписание не утверждено директором"]
        if i.archived_at:
            parts.append(f"в архиве с {fmt_dt(i.archived_at)}")
        return esc(" · ".join(parts))

    def action_open(self) -> None:
        from ejournal_tui.tui.screens.methodist.groups import GroupsScreen

        if (i := self.row(self.need("Выберите итерацию."))) is not None:
            screen = GroupsScreen()
            screen.iteration_id = i.id
            self.app.push_screen(screen, self.reload_after)

    def action_rollover(self) -> None:
        from ejournal_tui.tui.screens.methodist.rollover import RolloverScreen

        if (i := self.row(self.need("Выберите итерацию, из которой переводить."))) is None:
            return
        if i.status == "planned":
            self.notify("Эта итерация ещё не началась: переводят из идущей или закончившейся.", severity="warning")
            return
        self.app.push_screen(RolloverScreen(i), self.reload_after)

    def action_archive(self) -> None:
        from ejournal_tui.tui.screens.methodist.archive import ArchiveScreen

        if (i := self.row(self.need("Выберите итерацию."))) is None:
            return
        if i.status == "archived":
            self.notify("Итерация уже в архиве.", severity="warning")
        elif i.status == "planned":
            self.notify("Итерация ещё не началась: архивировать нечего.", severity="warning")
        else:
            self.app.push_screen(ArchiveScreen(i), self.reload_after)

    def action_status(self) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        if (i := self.row(self.need("Выберите итерацию."))) is None:
            return
        new = NEXT_STATUS.get(i.status)
        if new is None:
            self.notify("Закончившуюся итерацию можно только архивировать («а»).", severity="warning")
            return
        verb = "Начать" if new == "active" else "Закончить"

        def answer(yes: bool | None) -> None:
            if yes:
                status = current().label("iteration_status", new)
                self.write(methodist.set_status, i.id, new, done=f"Итерация: {status}.")

        self.app.push_screen(ConfirmScreen(f"{verb} итерацию «{i.name}»?", yes=verb, no="Отмена"), answer)

    def action_add(self) -> None:
        from ejournal_tui.tui.screens.methodist.iteration_form import iteration_form

        suggested = ("", "", "")
        if self.data:
            name, starts, ends = methodist.suggest_next(max(self.data, key=lambda i: i.ends_on))
            suggested = (name.split(" (")[0], fmt_date(starts), fmt_date(ends))
        self.app.push_screen(iteration_form(None, suggested), self.reload_after)

    def action_edit(self) -> None:
        from ejournal_tui.tui.screens.methodist.iteration_form import iteration_form

        if (i := self.row(self.need("Выберите итерацию."))) is None:
            return
        if i.status == "archived":
            self.notify("Итерация в архиве: её название и даты изменить нельзя.", severity="warning")
            return
        self.app.push_screen(iteration_form(i), self.reload_after)

    def action_cancel_iteration(self) -> None:
        from ejournal_tui.tui.screens.methodist.iteration_form import cancel_dialog

        if (i := self.row(self.need("Выберите итерацию."))) is None:
            return
        if i.status != "planned":
            self.notify(f"Итерация «{i.name}» {i.status_name}: отменить можно только ту, что ещё не началась.",
                        severity="warning", markup=False)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.write(iterations.cancel, i.id, done=f"Итерация «{i.name}» отменена.")

        self.app.push_screen(cancel_dialog(i), answer)
