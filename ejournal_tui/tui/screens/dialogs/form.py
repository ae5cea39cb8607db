"""A dialog of labelled fields: the administration's cards and commands (a student, a guardian,
a group, an account…). Saving runs `save(connection, values)` in a worker thread; a refused or
invalid value leaves the dialog open with the reason, so nothing typed is lost. An optional
`confirm(connection, values)` asks a question first (e.g. «such a student already exists»)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from ejournal_tui.tui.screens.common.base import esc
from ejournal_tui.tui.screens.dialogs.base import Dialog


@dataclass
class Field:
    name: str
    label: str
    value: object = ""
    options: Sequence[tuple[str, object]] | None = None  # a choice from a list
    placeholder: str = ""
    password: bool = False
    max_length: int = 0
    allow_blank: bool = True


@dataclass
class FormResult:
    values: dict
    result: object = None
    extra: dict = field(default_factory=dict)


class FormScreen(Dialog[FormResult | None]):
    TITLE = "Карточка"
    HELP = """Заполните поля и нажмите Ctrl+S (или Enter в последнем поле) — сохранить, Esc — закрыть без
сохранения. Tab и Shift+Tab — к следующему и предыдущему полю; в списке выбора — Enter, стрелки и
первые буквы. Если база данных не примет значение, окно останется открытым с объяснением."""
    DEFAULT_CSS = """
    FormScreen .form { width: 76; max-width: 100%; height: auto; max-height: 100%; padding: 0 1;
                       border: thick $accent; background: $surface; }
    FormScreen #form-fields { height: auto; max-height: 18; }
    FormScreen .form-row { height: auto; }
    FormScreen .form-label { width: 22; padding-right: 1; }
    FormScreen .form-row Input, FormScreen .form-row Select { width: 1fr; }
    FormScreen #form-note { margin-bottom: 1; }
    FormScreen #form-error { color: $error; height: auto; }
    FormScreen .form-buttons { height: auto; margin-top: 1; }
    FormScreen .form-buttons Button { margin-right: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "сохранить", id="form.save"),
        Binding("escape", "cancel", "отмена", id="form.cancel"),
    ]

    def __init__(self, title: str, fields: list[Field], save: Callable, *, note: str = "",
                 confirm: Callable | None = None, save_label: str = "Сохранить"):
        super().__init__()
        self.heading, self.fields, self.save, self.note = title, fields, save, note
        self.confirm, self.save_label = confirm, save_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Static(f"[b]{esc(self.heading)}[/b]")
            if self.note:
                yield Static(self.note, id="form-note")
            with VerticalScroll(id="form-fields"):
                for f in self.fields:
                    with Horizontal(classes="form-row"):
                        yield Label(f.label, classes="form-label")
                        yield self._widget(f)
            yield Static("", id="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(f"{self.save_label} (Ctrl+S)", variant="primary", id="form-save")
                yield Button("Отмена (Esc)", id="form-cancel")

    def _widget(self, f: Field):
        if f.options is not None:
            known = any(v == f.value for _, v in f.options)
            if f.allow_blank or not f.options:
                return Select(f.options, value=f.value if known else Select.NULL, prompt="— выберите —",
                              id=f"f-{f.name}")
            return Select(f.options, value=f.value if known else f.options[0][1], allow_blank=False,
                          id=f"f-{f.name}")
        return Input("" if f.value is None else str(f.value), placeholder=f.placeholder, password=f.password,
                     max_length=f.max_length, id=f"f-{f.name}")

    def on_mount(self) -> None:
        super().on_mount()
        fields = self.query("#form-fields Input, #form-fields Select")
        (fields.first() if fields else self.query_one("#form-save")).focus()

    def values(self) -> dict:
        out = {}
        for f in self.fields:
            w: Any = self.query_one(f"#f-{f.name}")  # Input, Select or TextArea: each has .value
            if isinstance(w, Select):
                out[f.name] = None if w.value == Select.NULL else w.value
            else:
                out[f.name] = w.value
        return out

    def set_value(self, name: str, value) -> None:
        w: Any = self.query_one(f"#f-{name}")
        w.value = value

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        widgets = list(self.query("#form-fields Input, #form-fields Select"))
        if event.input is widgets[-1]:
            self.action_save()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "form-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        self.query_one("#form-error", Static).update("")
        self._run(self.values(), bool(self.confirm))

    @work(thread=True, exclusive=True, exit_on_error=False, group="form")
    def _run(self, values: dict, ask: bool) -> None:
        try:
            if ask and self.confirm is not None:
                question = self.db.run(self.confirm, values)
                if question:
                    self.app.call_from_thread(self._ask, values, question)
                    return
            result = self.db.run(self.save, values)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self.dismiss, FormResult(values, result))

    def _ask(self, values: dict, question: str) -> None:
        from ejournal_tui.tui.screens.dialogs.confirm import ConfirmScreen

        def answer(yes: bool | None) -> None:
            if yes:
                self._run(values, False)

        self.app.push_screen(ConfirmScreen(question, yes="Да, сохранить", no="Вернуться"), answer)

    def _failed(self, exc: Exception) -> None:
        error = self.db.user_error(exc)
        message = error.message
        self.query_one("#form-error", Static).update(esc(message))
        self.notify(message, title="Не сохранено", severity="error", timeout=8, markup=False)
        names = [f.name for f in self.fields]
        if (name := error.field if error.field in names else self._bad_field(exc, message)) is not None:
            self.query_one(f"#f-{name}").focus()  # the next typing corrects the field

    def _bad_field(self, exc: Exception, message: str) -> str | None:
        """The field an error is about: pydantic's location, the database's column or
        constraint name, or the field's label in the message."""
        names = [f.name for f in self.fields]
        errors = getattr(exc, "errors", None)
        if callable(errors):
            for error in errors():
                loc = error.get("loc") or ()
                if loc and loc[0] in names:
                    return loc[0]
        diag = getattr(exc, "diag", None)
        if diag is not None:
            if diag.column_name in names:
                return diag.column_name
            constraint = diag.constraint_name or ""
            for name in sorted(names, key=len, reverse=True):
                if name in constraint:
                    return name
        lowered = message.lower()
        return next((f.name for f in self.fields if f.label.lower() in lowered), None)
