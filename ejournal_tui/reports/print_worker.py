"""The hard copy printed in a process of its own, for the TUI: the render needs ~100 MB that a
long-lived TUI process would keep after it, and a process of its own has no threads, so it may
fork workers to render parts side by side (see pdf.render_parts).

    python -m ejournal_tui.reports.print_worker   < {"iteration": 1, "quantum": 2, "output": "…"}

The connection string comes in the environment (EJOURNAL_PRINT_DSN, not on the command line,
where `ps` shows it); the caller's own login, so RLS decides what is printed, as everywhere.
Writes one JSON object a line to stdout: {"progress": [done, total, label, sheets]} as parts
are finished, then {"done": {...}} or {"error": "a sentence for a person"}."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator

DSN_ENV = "EJOURNAL_PRINT_DSN"


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main() -> int:
    from ejournal_tui import vocabulary
    from ejournal_tui.db import errors
    from ejournal_tui.db.connection import connect
    from ejournal_tui.reports import journal, pdf

    job = json.loads(sys.stdin.read())
    try:
        with connect(os.environ.get(DSN_ENV, "")) as conn:
            messages = errors.load_constraint_messages(conn)
            vocabulary.ensure(conn)
            try:
                printed = journal.print_journal(
                    conn, job.get("iteration"), job.get("quantum"), job.get("group"), output=job["output"],
                    progress=lambda done, total, label: _emit({"progress": [done, total, label]}))
            except (journal.JournalError, pdf.PdfError) as exc:
                _emit({"error": str(exc)})
                return 1
            except Exception as exc:  # a database refusal or a file that cannot be written
                _emit({"error": errors.user_message(exc, messages)})
                return 1
    except Exception as exc:  # no connection
        _emit({"error": errors.user_message(exc)})
        return 1
    _emit({"done": {"pages": printed.pages, "fingerprint": printed.fingerprint, "data_hash": printed.data_hash,
                    "title": printed.title, "binding": printed.binding, "working_reasons": printed.working_reasons,
                    "path": printed.path, "record_id": printed.record_id}})
    return 0


def run(conninfo: str, job: dict, progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Print in a child process; returns the "done" object, raises RuntimeError with the message
    of a failure. `progress(done, total, label)` is called from this thread as lines arrive."""
    env = {**os.environ, DSN_ENV: conninfo}
    proc = subprocess.Popen([sys.executable, "-m", "ejournal_tui.reports.print_worker"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
                            encoding="utf-8")
    assert proc.stdin and proc.stdout
    proc.stdin.write(json.dumps(job, ensure_ascii=False))
    proc.stdin.close()
    result: dict | None = None
    failure = "Печать прервалась"
    for msg in _lines(proc.stdout):
        if "progress" in msg and progress:
            progress(*msg["progress"][:3])
        elif "done" in msg:
            result = msg["done"]
        elif "error" in msg:
            failure = msg["error"]
    proc.wait()
    if result is None:
        raise RuntimeError(failure)
    return result


def _lines(stream) -> Iterator[dict]:
    for line in stream:
        try:
            yield json.loads(line)
        except ValueError:
            continue


if __name__ == "__main__":
    sys.exit(main())
