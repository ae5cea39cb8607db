"""Russian words the printouts need: numbers in words (прописью), plural forms, month names."""

from datetime import date

from ejournal_tui.errors import Invalid

_UNITS_M = ("", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
_UNITS_F = ("", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
_UNITS_N = ("", "одно", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
_TEENS = ("десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать",
          "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать")
_TENS = ("", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят",
         "девяносто")
_HUNDREDS = ("", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот",
             "девятьсот")
# (forms for 1, 2–4, 5–20; gender of the counted word)
_SCALES = ((("тысяча", "тысячи", "тысяч"), "f"), (("миллион", "миллиона", "миллионов"), "m"),
           (("миллиард", "миллиарда", "миллиардов"), "m"))

MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
          "ноябрь", "декабрь")
MONTHS_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                   "октября", "ноября", "декабря")


def plural(n: int, forms: tuple[str, str, str]) -> str:
    """The form of a noun after the number n: (1 лист, 2 листа, 5 листов)."""
    n = abs(n)
    if n % 100 in range(11, 20):
        return forms[2]
    if n % 10 == 1:
        return forms[0]
    if n % 10 in (2, 3, 4):
        return forms[1]
    return forms[2]


def _triple(n: int, gender: str) -> list[str]:
    units = {"m": _UNITS_M, "f": _UNITS_F, "n": _UNITS_N}[gender]
    words = [_HUNDREDS[n // 100]]
    rest = n % 100
    if 10 <= rest < 20:
        words.append(_TEENS[rest - 10])
    else:
        words += [_TENS[rest // 10], units[rest % 10]]
    return [w for w in words if w]


def number_words(n: int, gender: str = "m") -> str:
    """A whole number in words: 41 → «сорок один»; gender of the counted noun: m, f or n
    (1 лист → «один», 1 страница → «одна», 1 занятие → «одно»)."""
    if gender not in ("m", "f", "n"):
        raise ValueError(gender)
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(n)
    if n == 0:
        return "ноль"
    if n < 0:
        return "минус " + number_words(-n, gender)
    if n >= 10**12:
        raise Invalid("слишком большое число")
    words: list[str] = []
    groups = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    for power in range(len(groups) - 1, -1, -1):
        part = groups[power]
        if not part:
            continue
        if power == 0:
            words += _triple(part, gender)
        else:
            forms, scale_gender = _SCALES[power - 1]
            words += _triple(part, scale_gender)
            words.append(plural(part, forms))
    return " ".join(words)


SHEETS = (("лист", "листа", "листов"), "m")
PAGES = (("страница", "страницы", "страниц"), "f")


def count_in_words(n: int, unit: tuple[tuple[str, str, str], str] = SHEETS) -> str:
    """«41 (сорок один) лист», «12 (двенадцать) страниц»."""
    forms, gender = unit
    return f"{n} ({number_words(n, gender)}) {plural(n, forms)}"


def month_name(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.year}"


def date_words(d: date | None) -> str:
    """«14» сентября 2026 г."""
    if d is None:
        return "«____» ______________ 20___ г."
    return f"«{d.day:02d}» {MONTHS_GENITIVE[d.month - 1]} {d.year} г."
