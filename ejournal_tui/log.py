"""The log file: <data dir>/ejournal.log, rotated (1 MB × 5 by default, settings `[log]`).

It holds what a maintainer needs and nothing about people: events, ids, SQLSTATEs, exception
types and tracebacks (file, line, function, source line). Never names, never what a person
typed, never an exception's message — a database error's text may quote a row — so nothing
here formats `str(exc)`; `error()` is the one way an exception gets into the log.
"""

import logging
import os
import traceback
from logging.handlers import RotatingFileHandler

import psycopg
from pydantic import ValidationError

from ejournal_tui.db.session import Unreachable
from ejournal_tui.settings import Settings

logger = logging.getLogger("ejournal")
logger.addHandler(logging.NullHandler())  # until setup(): nothing on the terminal, ever

FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def setup(settings: Settings) -> RotatingFileHandler | None:
    """Attach the rotating file (0600) to the "ejournal" logger; None if it cannot be opened
    (a read-only home must not stop the journal)."""
    path = settings.log_file
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        handler = RotatingFileHandler(path, maxBytes=settings.log.max_bytes, backupCount=settings.log.backups,
                                      encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    for old in [h for h in logger.handlers if isinstance(h, RotatingFileHandler)]:
        logger.removeHandler(old)
        old.close()
    logger.addHandler(handler)
    logger.setLevel(settings.log.level.upper())
    logger.propagate = False
    return handler


def describe(exc: BaseException) -> str:
    """The exception's kind without its text: the type, the SQLSTATE, for a form's check the
    fields (not the values), and the same for its causes."""
    parts = []
    for current in _chain(exc):
        kind = f"{type(current).__module__}.{type(current).__qualname__}"
        sqlstate = getattr(current, "sqlstate", None)
        if sqlstate:
            kind += f" sqlstate={sqlstate}"
        if isinstance(current, ValidationError):
            kind += " fields=" + ",".join(".".join(map(str, e["loc"])) for e in current.errors())
        parts.append(kind)
    return " <- ".join(parts)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes (raise … from …, or raised while handling)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not e for e in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def frames(exc: BaseException) -> str:
    """Where it happened: the traceback's frames only (code, not values, not the message)."""
    return "".join(traceback.format_tb(exc.__traceback__)).rstrip()


def event(name: str, **ids: object) -> None:
    """An event with ids (numbers, roles, codes): `event("connected", staff=12, roles="teacher")`."""
    logger.info("%s %s", name, " ".join(f"{k}={v}" for k, v in ids.items()))


# SQLSTATE classes of answers, not faults: data (22), integrity (23), transaction state (25),
# access (28), concurrency (40), resources (53), operator (57), our rules' RAISE (EJ, but EJ000:
# an invariant of the schema); and 42501.
_ANSWER_CLASSES = ("08", "22", "23", "25", "28", "40", "53", "57", "EJ")


def is_answer(exc: BaseException) -> bool:
    """An error the database, the network or a form gives as an answer (a refused rule, a bad
    field, no connection) — not a fault of our code."""

    def answer(e: BaseException) -> bool:
        if isinstance(e, ValidationError | Unreachable | psycopg.OperationalError) or type(e) in (ValueError,
                                                                                                  LookupError):
            return True
        state = getattr(e, "sqlstate", None) or ""
        return (state[:2] in _ANSWER_CLASSES and state != "EJ000") or state == "42501"

    return any(answer(e) for e in _chain(exc))


def error(name: str, exc: BaseException, **ids: object) -> None:
    """An error: its kind always, and the frames when it is a fault rather than an answer."""
    extra = " ".join(f"{k}={v}" for k, v in ids.items())
    line = f"{name} {describe(exc)}" + (f" {extra}" if extra else "")
    if is_answer(exc):
        logger.warning("%s", line)
    else:
        logger.error("%s\n%s", line, frames(exc))
