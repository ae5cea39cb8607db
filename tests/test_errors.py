"""How errors read: the data layer's own Russian refusals pass through; anything else is
generic, so no internal detail (or personal data inside it) reaches the screen."""

from ejournal_tui.db.errors import user_message


def test_own_refusals_pass_through_and_others_do_not():
    assert user_message(LookupError("Группа не найдена или недоступна")) == "Группа не найдена или недоступна"
    generic = user_message(RuntimeError("division by zero at row (Иванов, 2012-01-01)\nTraceback"))
    assert generic == "Непредвиденная ошибка. Данные не изменены."
    assert user_message(ValueError("invalid literal for int()")) == "Непредвиденная ошибка. Данные не изменены."
