"""Accounts you can answer for (152-FZ): the requests of the administrator that wait for a second
person — a new login, a role, an unlock or a password of a login that reads children's data — and
the log of every account operation (who, when, what). The director confirms or refuses; a request
about a director's login is decided by the deputy director. The database checks who may."""

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from ejournal_tui.dates import fmt_dt
from ejournal_tui.db import accounts
from ejournal_tui.models import ROLE_NAMES, AccountEvent, AccountRequest
from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.common.table_screen import TableScreen

KIND = {"create": "новая учётная запись", "roles": "роли", "unlock": "разблокировать", "password": "новый пароль"}
OP = {"create": "выдана учётная запись", "roles": "изменены роли", "lock": "заблокирована", "unlock": "разблокирована",
      "password": "выдан пароль", "request": "запрос", "confirm": "запрос подтверждён", "refuse": "запрос отклонён",
      "withdraw": "запрос заменён новым"}


def roles_text(roles) -> str:
    return ", ".join(ROLE_NAMES.get(r, r) for r in roles or [])


class AccountRequestsScreen(TableScreen):
    TITLE = "Учётные записи: запросы и журнал"
    HELP = """Учётная запись с доступом к данным обучающихся (педагог, методист, заместитель директора,
директор), такая роль, разблокировка и новый пароль для неё вступают в силу только после того, как их
подтвердит второй человек: директор, а для учётной записи директора — заместитель директора.
Свой запрос и запрос о своей учётной записи подтвердить нельзя.

* «п» — подтвердить запрос под курсором; «о» — отклонить.
* Ниже запросов — журнал всех операций с учётными записями: кто, когда и что сделал."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("п,g", "confirm", "подтвердить", id="accounts.confirm", tooltip="подтвердить запрос"),
        Binding("о,j", "refuse", "отклонить", id="accounts.refuse", tooltip="отклонить запрос"),
        Binding("f5", "reload", "обновить", id="accounts.reload", show=False),
    ]

    def __init__(self):
        super().__init__()
        self.requests: list[AccountRequest] = []

    def fetch(self) -> list[AccountEvent]:
        self.requests = self.db.run(accounts.pending_requests)
        return self.db.run(accounts.account_log)

    def show(self, data: list[AccountEvent]) -> None:
        mine = sum(1 for r in self.requests if r.may_decide)
        self.set_title(f"[b]Запросов ждут подтверждения[/b]: {len(self.requests)}"
                       + (f", ваших — {mine} («п» подтвердить, «о» отклонить)" if mine else "")
                       + f" · операций в журнале: {len(data)}")
        rows: list[tuple[str, tuple[str | Text, ...]]] = []
        for r in self.requests:
            what = KIND.get(r.kind, r.kind) + (f": {roles_text(r.roles)}" if r.roles else "")
            state = Text("ждёт вашего подтверждения" if r.may_decide else "ждёт подтверждения", style="yellow")
            rows.append((f"r{r.id}", (fmt_dt(r.requested_at), r.requested_by_name or r.requested_by,
                                      f"{r.login} ({r.full_name or '—'})", what, state)))
        for e in data:
            detail = roles_text(e.detail.get("roles") or e.detail.get("to")) if e.op in ("create", "roles") else ""
            rows.append((f"e{e.id}", (fmt_dt(e.at), e.actor_name or e.actor, f"{e.login} ({e.login_name or '—'})",
                                      OP.get(e.op, e.op) + (f": {detail}" if detail else ""), "")))
        self.fill(("Когда", "Кто", "Учётная запись", "Что", ""), rows, empty="операций с учётными записями не было")

    def info(self, key: str | None) -> str:
        r = self._request(key)
        if r is None:
            return ""
        now = f" · сейчас: {roles_text(r.current_roles)}" if r.current_roles else ""
        return esc(f"Запрос № {r.id}: {KIND.get(r.kind, r.kind)} для {r.login}{now}")

    def _request(self, key: str | None) -> AccountRequest | None:
        if not key or not key.startswith("r"):
            return None
        return next((r for r in self.requests if r.id == int(key[1:])), None)

    def _decide(self, confirm: bool) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        r = self._request(self.need("Выберите запрос."))
        if r is None:
            self.notify("Выберите строку запроса (вверху списка).", severity="warning")
            return
        verb = "Подтвердить" if confirm else "Отклонить"
        what = KIND.get(r.kind, r.kind) + (f" ({roles_text(r.roles)})" if r.roles else "")

        def answer(yes: bool | None) -> None:
            if yes:
                self.write(accounts.decide, r.id, confirm,
                           done=f"Запрос № {r.id} {'подтверждён' if confirm else 'отклонён'}.")

        self.app.push_screen(ConfirmScreen(f"{verb} запрос № {r.id}: {what} — {r.login} ({r.full_name or '—'})?",
                                           yes=verb, no="Отмена"), answer)

    def action_confirm(self) -> None:
        self._decide(True)

    def action_refuse(self) -> None:
        self._decide(False)
