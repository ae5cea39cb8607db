"""Who changed a journal record and when, from the audit log (audit.row_history; RLS applies)."""

from psycopg.types.json import Jsonb

from ejournal_tui.db.connection import Conn
from ejournal_tui.journal_models import HistoryEntry
from ejournal_tui.reports.text import cell
from ejournal_tui.vocabulary import current

OPS = {"INSERT": "создано", "UPDATE": "изменено", "DELETE": "удалено"}


def _mark(row: dict | None) -> str:
    if not row:
        return "нет отметки"
    text = current().status_letter(row.get("status")) or "?"
    if row.get("reason"):
        text += f" ({current().reason_label(row['reason'])}"
        text += f": {row['reason_text']})" if row.get("reason_text") else ")"
    return text


def _lesson(row: dict | None) -> str:
    if not row:
        return "нет занятия"
    topic = row.get("topic") or (f"тема КТП № {row['topic_id']}" if row.get("topic_id") else "без темы")
    return f"{cell(row.get('hours'))} ч, {topic}"


def mark_history(conn: Conn, lesson_id: int, student_id: int) -> list[HistoryEntry]:
    return _history(conn, "attendance", {"lesson_id": lesson_id, "student_id": student_id}, _mark)


def lesson_history(conn: Conn, lesson_id: int) -> list[HistoryEntry]:
    return _history(conn, "lesson", {"id": lesson_id}, _lesson)


def _history(conn: Conn, table: str, key: dict, describe) -> list[HistoryEntry]:
    rows = conn.execute(
        "SELECT * FROM audit.row_history(%s, %s::jsonb)", (table, Jsonb(key))
    ).fetchall()
    out = []
    for r in rows:
        if r["op"] == "UPDATE":
            summary = f"{describe(r['old_row'])} → {describe(r['new_row'])}"
        else:
            summary = describe(r["new_row"] if r["op"] == "INSERT" else r["old_row"])
        out.append(
            HistoryEntry(
                at=r["at"],
                actor=r["actor"],
                actor_name=r["actor_name"],
                op=OPS.get(r["op"], r["op"]),
                summary=summary,
                reason=r["reason"],
            )
        )
    return out
