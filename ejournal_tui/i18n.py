"""The Russian texts of what the libraries show: Textual's palette and widgets, argparse.

Our own screens are written in Russian; these are the strings the libraries bring in English.
`tui/russian.py` puts the Textual ones in place, `install_argparse()` the CLI's.
"""

import argparse
from typing import Any

PALETTE_PLACEHOLDER = "Найти команду…"
THEMES_PLACEHOLDER = "Найти оформление…"
PALETTE_NO_MATCHES = "Ничего не найдено"
PALETTE_KEYS = {  # the command palette's own keys (Textual's CommandPalette.BINDINGS)
    "escape": "закрыть",
    "down": "следующая команда",
    "up": "предыдущая команда",
    "pagedown": "следующая страница",
    "pageup": "предыдущая страница",
    "ctrl+end, shift+end": "в конец",
    "ctrl+home, shift+home": "в начало",
}
SELECT_DISMISS = "закрыть список"

# Textual's built-in themes; a theme not listed here is not offered (its name would be English).
THEME_NAMES = {
    "textual-dark": "Тёмная (обычная)",
    "textual-light": "Светлая",
    "nord": "Северная",
    "gruvbox": "Тёплая тёмная",
    "dracula": "Фиолетовая тёмная",
    "tokyo-night": "Ночная синяя",
    "monokai": "Контрастная тёмная",
    "solarized-light": "Солнечная светлая",
    "solarized-dark": "Солнечная тёмная",
    "atom-one-dark": "Спокойная тёмная",
    "atom-one-light": "Спокойная светлая",
    "ansi-dark": "Цвета терминала, тёмная",
    "ansi-light": "Цвета терминала, светлая",
}

# argparse's messages (Python 3.11–3.13), by their English gettext key.
ARGPARSE = {
    "usage: ": "использование: ",
    "positional arguments": "аргументы",
    "options": "параметры",
    "optional arguments": "параметры",
    "show this help message and exit": "показать эту справку и выйти",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ошибка: %(message)s\n",
    "the following arguments are required: %s": "не хватает обязательных аргументов: %s",
    "unrecognized arguments: %s": "непонятные аргументы: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "недопустимое значение %(value)r (можно: %(choices)s)",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "неверное значение (%(type)s): %(value)r",
    "expected one argument": "нужно одно значение",
    "expected at most one argument": "нужно не больше одного значения",
    "expected at least one argument": "нужно хотя бы одно значение",
    "ambiguous option: %(option)s could match %(matches)s": "неоднозначный параметр %(option)s: подходят %(matches)s",
    "not allowed with argument %s": "нельзя вместе с %s",
    "one of the arguments %s is required": "нужен один из аргументов: %s",
    "ignored explicit argument %r": "лишнее значение %r",
    "can't open '%(filename)s': %(error)s": "не удалось открыть «%(filename)s»: %(error)s",
    "unexpected option string: %s": "неожиданный параметр: %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "неизвестная команда %(parser_name)r (есть: %(choices)s)",
}
ARGPARSE_PLURAL = {
    "expected %s argument": "нужно значений: %s",
}


def install_argparse() -> None:
    """argparse takes its texts only through gettext, and the package ships no message
    catalogue: its module-level `_`/`ngettext` are replaced by lookups in the tables above."""
    if getattr(argparse, "_ejournal_ru", False):
        return
    module: Any = argparse  # its `_` and `ngettext` are not declared in the stubs
    english, english_n = module._, module.ngettext

    def gettext(message: str) -> str:
        return ARGPARSE.get(message) or english(message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return ARGPARSE_PLURAL.get(singular) or english_n(singular, plural, n)

    module._ = gettext
    module.ngettext = ngettext
    module._ejournal_ru = True


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for n: plural(1, 'отметка', 'отметки', 'отметок') == 'отметка'
    (the SQL twin is ej.ru_plural)."""
    n = abs(n)
    if 11 <= n % 100 <= 14:
        return many
    if n % 10 == 1:
        return one
    return few if 2 <= n % 10 <= 4 else many
