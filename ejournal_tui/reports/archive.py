"""Archive export: for every archived iteration, its hard copy (one PDF per quantum) and the
data of each group's journal (CSV), written once into a directory next to the backups.

Run on the server by the backup job as the database owner, so the export holds every
group. A folder whose manifest exists is complete and is never rewritten; a half-written
one (interrupted run) is made again.
"""

import json
import re
from datetime import datetime
from pathlib import Path

from ejournal_tui.db.connection import Conn
from ejournal_tui.reports.journal import print_journal
from ejournal_tui.reports.output import journal_csv

MANIFEST = "manifest.json"


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text, flags=re.UNICODE).strip("_")[:60] or "x"


def archived_iterations(conn: Conn) -> list[dict]:
    return conn.execute(
        """SELECT i.id, i.name, i.organization_id, o.short_name, o.name AS organization, i.archived_at
             FROM ej.iteration i JOIN ej.organization o ON o.id = i.organization_id
            WHERE i.status = 'archived' ORDER BY i.organization_id, i.starts_on"""
    ).fetchall()


def export_iteration(conn: Conn, iteration: dict, target: Path) -> dict:
    """Write one iteration's export into `target` (a new folder); return its manifest."""
    groups = conn.execute(
        """SELECT g.id, g.name, p.quantum_id, q.name AS quantum
             FROM ej.study_group g JOIN ej.program p ON p.id = g.program_id JOIN ej.quantum q ON q.id = p.quantum_id
            WHERE g.iteration_id = %s ORDER BY q.name, g.name""",
        (iteration["id"],),
    ).fetchall()
    partial = target.with_name(target.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    files = []
    for quantum_id, quantum in sorted({(g["quantum_id"], g["quantum"]) for g in groups}, key=lambda x: x[1]):
        printed = print_journal(conn, iteration_id=iteration["id"], quantum_id=quantum_id)
        name = f"journal-{_slug(quantum)}.pdf"
        (partial / name).write_bytes(printed.pdf)
        files.append({"file": name, "quantum": quantum, "pages": printed.pages, "fingerprint": printed.fingerprint})
    for g in groups:
        name = f"group-{_slug(g['quantum'])}-{_slug(g['name'])}-{g['id']}.csv"
        (partial / name).write_text(journal_csv(conn, g["id"]), encoding="utf-8")
        files.append({"file": name, "group": g["name"]})
    manifest = {
        "iteration_id": iteration["id"],
        "iteration": iteration["name"],
        "organization": iteration["organization"],
        "archived_at": iteration["archived_at"].isoformat() if iteration["archived_at"] else None,
        "exported_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "files": files,
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.rename(target)
    return manifest


def export_archived(conn: Conn, directory: Path) -> list[Path]:
    """Export every archived iteration not exported yet; return the new folders."""
    directory.mkdir(parents=True, exist_ok=True)
    made = []
    for it in archived_iterations(conn):
        target = directory / f"org{it['organization_id']}-iteration{it['id']}-{_slug(it['name'])}"
        if (target / MANIFEST).exists():
            continue
        stale = target.with_name(target.name + ".partial")
        if stale.exists():
            for f in stale.iterdir():
                f.unlink()
            stale.rmdir()
        export_iteration(conn, it, target)
        made.append(target)
    return made
