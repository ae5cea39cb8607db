"""Text bound for a terminal. A name, a topic or an error message may carry characters that a
terminal obeys rather than shows (ESC sequences, BEL, CSI, bidi overrides, lone surrogates):
every line the CLI prints goes through `say`, which shows them escaped (\\x1b, \\u202e), and
table cells go through `safe` before they are aligned."""

import sys
import unicodedata
from typing import TextIO


def _shown(ch: str) -> bool:
    return ch.isprintable() or unicodedata.category(ch) == "Zs"


def _escape(ch: str) -> str:
    n = ord(ch)
    if n < 0x100:
        return f"\\x{n:02x}"
    return f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def safe(text: object, *, multiline: bool = False) -> str:
    """The text with every non-printable character escaped; with `multiline`, line ends (LF, CR)
    stay: they are the CLI's own (tables, CSV, a progress line), cells were escaped before."""
    text = "" if text is None else str(text)
    if all(_shown(ch) for ch in text):
        return text
    return "".join(ch if _shown(ch) or (multiline and ch in "\r\n") else _escape(ch) for ch in text)


def say(text: object = "", file: TextIO | None = None, *, end: str = "\n", data: bool = False) -> None:
    """Print for a person: non-printable characters escaped, lines kept. `data` (CSV bound for a
    file or a pipe) passes unchanged unless the output is a terminal."""
    file = file or sys.stdout
    text = "" if text is None else str(text)
    if not (data and not _is_tty(file)):
        text = safe(text, multiline=True)
    file.write(text + end)
    file.flush()


def _is_tty(file: TextIO) -> bool:
    try:
        return file.isatty()
    except (AttributeError, ValueError):
        return False
