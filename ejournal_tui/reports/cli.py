"""The `print`, `report` and `export` commands of `ejournal`.

    ejournal print journal --iteration ID --quantum ID [-o FILE.pdf]
    ejournal print group --group ID [-o FILE.pdf]
    ejournal print lookup FINGERPRINT [--verify]
    ejournal report NAME [filters] [--format text|github|csv|pdf] [-o FILE]
    ejournal export journal --group ID [-o FILE.csv]
    ejournal export NAME [filters] [-o FILE.csv]

Everything runs under the caller's own database role: RLS decides what is printed."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ejournal_tui import dates
from ejournal_tui.db.connection import Conn
from ejournal_tui.errors import Invalid
from ejournal_tui.reports.catalog import ATTENDANCE_BY, REPORTS, TIMELINESS_BY, Options
from ejournal_tui.terminal import safe, say

COMMANDS = ("print", "report", "export")


def _date(text: str) -> date:
    if (day := dates.parse(text)) is not None:
        return day
    raise argparse.ArgumentTypeError(f"дата вида 2026-10-01 или 01.10.2026, а не «{text}»")


def _dates(text: str) -> list[date]:
    return [_date(t.strip()) for t in text.split(",") if t.strip()]


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--iteration", type=int, help="номер итерации (по умолчанию текущая)")
    p.add_argument("--quantum", type=int, help="номер квантума")
    p.add_argument("--teacher", type=int, help="номер сотрудника-педагога")
    p.add_argument("--group", type=int, help="номер группы")
    p.add_argument("--by", help=f"разрез: посещаемость — {', '.join(ATTENDANCE_BY)}; "
                                f"своевременность — {', '.join(TIMELINESS_BY)}")
    p.add_argument("--from", dest="date_from", type=_date, help="с даты (посещаемость, активность)")
    p.add_argument("--to", dest="date_to", type=_date, help="по дату включительно")
    p.add_argument("--today", type=_date, help="на дату (своевременность, итоги итерации)")
    p.add_argument("--as-of", dest="as_of", type=_dates, help="даты цифрового отчёта через запятую")
    p.add_argument("--detail", action="store_true", help="выполнение КТП по темам (с --group)")


def add_commands(subparsers) -> None:
    """Add `print`, `report` and `export` to the `ejournal` argument parser."""
    pr = subparsers.add_parser("print", help="твёрдая копия журнала (PDF) и сверка отпечатков")
    psub = pr.add_subparsers(dest="print_command", metavar="ЧТО", required=True)
    j = psub.add_parser("journal", help="журнал квантума за итерацию: все группы, для прошивки")
    j.add_argument("--iteration", type=int, required=True, help="номер итерации")
    j.add_argument("--quantum", type=int, required=True, help="номер квантума")
    j.add_argument("-o", "--output", help="файл PDF (по умолчанию journal-<итерация>-<квантум>.pdf)")
    g = psub.add_parser("group", help="журнал одной группы")
    g.add_argument("--group", type=int, required=True, help="номер группы")
    g.add_argument("-o", "--output", help="файл PDF (по умолчанию group-<группа>.pdf)")
    lk = psub.add_parser("lookup", help="кто и когда напечатал копию с этим отпечатком")
    lk.add_argument("fingerprint", help="отпечаток с листа, например 3FA2-91C0")
    lk.add_argument("--verify", action="store_true", help="сверить с текущими данными базы")

    rp = subparsers.add_parser("report", help="отчёты: " + ", ".join(REPORTS))
    rp.add_argument("name", choices=sorted(REPORTS), metavar="ОТЧЁТ",
                    help="; ".join(f"{k} — {v}" for k, v in REPORTS.items()))
    _filters(rp)
    rp.add_argument("--format", default="text", choices=["text", "github", "csv", "pdf"])
    rp.add_argument("-o", "--output", help="записать в файл (для pdf обязательно или будет report-<имя>.pdf)")

    ex = subparsers.add_parser("export", help="выгрузка в CSV (UTF-8 с BOM): журнал группы или отчёт")
    ex.add_argument("name", choices=["journal", *sorted(REPORTS)], metavar="ЧТО",
                    help="journal (журнал группы, с --group) или имя отчёта")
    _filters(ex)
    ex.add_argument("-o", "--output", help="файл CSV (по умолчанию — вывод на экран)")


def run(args: argparse.Namespace, conn: Conn, out=None, err=None) -> int:
    """Run `print`, `report` or `export`; returns the exit code. Messages for people go to err."""
    out = out or sys.stdout
    err = err or sys.stderr
    from ejournal_tui.reports.journal import JournalError

    try:
        if args.command == "print":
            return _print(args, conn, out, err)
        if args.command == "report":
            return _report(args, conn, out, err)
        if args.command == "export":
            return _export(args, conn, out, err)
    except (JournalError, ValueError) as exc:
        from ejournal_tui.db.errors import user_message

        say(f"ejournal: {exc if isinstance(exc, JournalError) else user_message(exc)}", err)
        return 1
    raise Invalid(f"неизвестная команда {args.command}")


def _progress(err):
    if not getattr(err, "isatty", lambda: False)():
        return None

    def show(done: int, total: int, label: str) -> None:
        say(f"\r  {done}/{total} {safe(label[:60]):<60}", err, end="")
        if done == total:
            say("", err)

    return show


def _print(args, conn, out, err) -> int:
    from ejournal_tui.reports import journal

    if args.print_command == "lookup":
        return _lookup(args, conn, out)
    if args.print_command == "journal":
        path = Path(args.output or f"journal-{args.iteration}-{args.quantum}.pdf")
        printed = journal.print_journal(conn, args.iteration, args.quantum, progress=_progress(err), output=path)
    else:
        path = Path(args.output or f"group-{args.group}.pdf")
        printed = journal.print_journal(conn, group_id=args.group, progress=_progress(err), output=path)
    say(printed.summary(), out)
    return 0


def _lookup(args, conn, out) -> int:
    from tabulate import tabulate

    from ejournal_tui.db import reports as q
    from ejournal_tui.reports import journal
    from ejournal_tui.reports.text import cell

    records = q.find_prints(conn, args.fingerprint)
    if not records:
        say(f"Печать с отпечатком {args.fingerprint} не найдена (или вам недоступна).", out)
        return 1
    say(tabulate([[cell(r.printed_at), safe(r.printed_by_name or r.printed_login), safe(r.title), r.pages]
                  for r in records], headers=["когда", "кто", "что", "листов"], disable_numparse=True), out)
    if args.verify:
        r = records[-1]
        if r.kind == "report":
            say("Отчёты сверяются повторным построением: ejournal report … --format pdf.", out)
            return 0
        p = r.params
        doc = journal.collect(conn, p.get("iteration"), p.get("quantum"), p.get("group"))
        same = doc.data_hash == r.data_hash
        say("Данные не изменились с момента печати." if same else
              f"Данные изменились после печати: сейчас отпечаток {doc.fingerprint}.", out)
        if not same:
            changes = q.changes_since(conn, r.printed_at, [g.info.group_id for g in doc.groups])
            say(f"Изменения по журналу аудита ({len(changes)}):" if changes else
                  "В журнале аудита изменений не видно (возможно, изменились данные, которые вам не видны).", out)
            if changes:
                say(tabulate([[cell(c["at"]), c["actor"], *describe_change(c), c["reason"] or ""]
                                for c in changes[:LIST_CHANGES]],
                               headers=["когда", "кто", "что", "как", "причина"], disable_numparse=True), out)
                if len(changes) > LIST_CHANGES:
                    say(f"… и ещё {len(changes) - LIST_CHANGES}.", out)
        return 0 if same else 2
    return 0


LIST_CHANGES = 200
WHAT = {"lesson": "занятие", "attendance": "отметка", "enrollment": "зачисление", "student": "обучающийся",
        "guardian": "родитель", "safety_briefing": "инструктаж", "safety_briefing_student": "инструктаж",
        "event": "мероприятие", "achievement": "достижение", "remark": "замечание", "schedule_slot": "расписание"}
OP = {"INSERT": "добавлено", "UPDATE": "изменено", "DELETE": "удалено"}
FIELD = {"topic": "тема", "topic_id": "тема КТП", "hours": "часы", "held_on": "дата", "status": "отметка",
         "reason": "причина", "enrolled_on": "дата зачисления", "left_on": "дата выбытия",
         "leave_reason": "причина выбытия", "last_name": "фамилия", "first_name": "имя",
         "middle_name": "отчество", "birth_date": "дата рождения", "school": "школа", "school_class": "класс",
         "address": "адрес", "phone": "телефон", "medical_clearance": "мед. допуск"}
HIDDEN = {"id", "organization_id", "group_id", "updated_at", "created_at", "filled_at", "updated_by", "created_by"}


def describe_change(c: dict) -> tuple[str, str]:
    """(what, how) of one audit row, in words: «отметка · Иванов Пётр · 12.10.2026», «н → (пусто)»."""
    from ejournal_tui.reports.text import cell

    what = " · ".join(x for x in (WHAT.get(c["table_name"], c["table_name"]), c["student"] or "",
                                   cell(c["held_on"]), c["group_name"] or "") if x)
    if c["table_name"] == "attendance":
        show = {None: "нет отметки", "": "присутствовал"}
        old = "нет отметки" if c["old_row"] is None else show.get(c["old_code"], c["old_code"])
        new = "нет отметки" if c["new_row"] is None else show.get(c["new_code"], c["new_code"])
        return what, f"{old} → {new}"
    if c["op"] == "UPDATE":
        old, new = c["old_row"] or {}, c["new_row"] or {}
        fields = [k for k in new if k not in HIDDEN and old.get(k) != new.get(k)]
        return what, "изменено: " + ", ".join(FIELD.get(f, f) for f in fields)
    return what, OP[c["op"]]


def _options(args) -> Options:
    return Options(iteration=args.iteration, quantum=args.quantum, teacher=args.teacher, group=args.group,
                   by=args.by, date_from=args.date_from, date_to=args.date_to, today=args.today, as_of=args.as_of,
                   detail=args.detail)


def _report(args, conn, out, err) -> int:
    from ejournal_tui.reports import catalog, output
    from ejournal_tui.reports.text import table

    if args.format == "pdf":
        from ejournal_tui.reports.journal import check_output

        path = check_output(args.output or f"report-{args.name}.pdf")  # before anything is built
    report = catalog.build(conn, args.name, _options(args))
    if args.format == "pdf":
        printed = output.report_pdf(conn, report, output=path)
        say(f"{path}: {printed.pages} л., отпечаток данных {printed.fingerprint}", out)
        return 0
    text = table(report.headers, report.rows, args.format)
    if args.format != "csv":
        text = (f"{safe(report.title)}" + (f" · {safe(report.subtitle)}" if report.subtitle else "")
                + "\n\n" + text + "\n")
    return _write(text, args.output, out, err)


def _export(args, conn, out, err) -> int:
    from ejournal_tui.reports import catalog, output
    from ejournal_tui.reports.text import to_csv

    if args.name == "journal":
        if args.group is None:
            raise Invalid("Укажите группу: ejournal export journal --group ID")
        text = output.journal_csv(conn, args.group)
    else:
        report = catalog.build(conn, args.name, _options(args))
        text = to_csv(report.headers, report.rows)
    return _write(text, args.output, out, err)


def _write(text: str, output: str | None, out, err) -> int:
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
        say(f"{output}: записано", err)
    else:
        say(text, out, end="", data=True)
    return 0
