"""Synthetic demo data: name pools from Faker, every row generated in SQL.

The rows are made by `sql/demo/generate.sql` (function `ej_demo.generate`) in one transaction
with triggers and foreign-key checks off, so a region's ~9M attendance marks load in minutes.
Python only draws the pools of Russian names and cities and passes them in a temp table.
Nothing here is personal data of real people.
"""

from __future__ import annotations

import datetime as dt

from faker import Faker
from psycopg.rows import tuple_row

from ejournal_tui.db.connection import Conn, one
from ejournal_tui.paths import sql_dir

SIZES = ("small", "region")
POOL_SIZE = 200

# kind in demo_names -> Faker ru_RU method
_POOL_METHODS = {
    "last_m": "last_name_male",
    "last_f": "last_name_female",
    "first_m": "first_name_male",
    "first_f": "first_name_female",
    "middle_m": "middle_name_male",
    "middle_f": "middle_name_female",
    "city": "city_name",
}


class DemoDataError(RuntimeError):
    """The demo data cannot be loaded; the message is for a person."""


def _usable(kind: str, value: str) -> bool:
    # Staff names must be single words (ej.staff full_name check); Faker's city list has
    # entries like «Азов (Рост.)» that would look odd in an organization's name.
    if kind == "city":
        return 2 <= len(value) <= 60 and "(" not in value and "." not in value
    return bool(value) and not any(ch.isspace() for ch in value)


def name_pools(seed: int) -> list[tuple[str, int, str]]:
    """(kind, idx, value) rows for demo_names: up to ~200 unique values of each kind.

    Some Faker lists are shorter (80 female first names): a kind then holds all of them.
    """
    fake = Faker("ru_RU")
    fake.seed_instance(seed)
    rows: list[tuple[str, int, str]] = []
    for kind, method in _POOL_METHODS.items():
        draw = getattr(fake, method)
        seen: dict[str, None] = {}
        misses = 0
        while len(seen) < POOL_SIZE and misses < 2000:  # stop once the list is exhausted
            value = draw().strip()
            if value in seen or not _usable(kind, value):
                misses += 1
                continue
            seen[value] = None
        rows.extend((kind, idx, value) for idx, value in enumerate(seen, start=1))
    return rows


def load_demo_data(
    conn: Conn,
    size: str = "small",
    seed: int = 1,
    scale: float = 1.0,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Fill an empty, migrated database with synthetic data; returns row counts per table.

    `conn` is an autocommit connection of a superuser. `size` is 'small' (one technopark)
    or 'region' (30 × `scale` technoparks, DESIGN.md Scale). The same seed and `today`
    give the same rows.
    """
    if size not in SIZES:
        raise DemoDataError(f"Размер демо-данных: small или region, а не «{size}»")
    if not scale > 0:
        raise DemoDataError("Масштаб демо-данных должен быть больше нуля")
    script = (sql_dir() / "demo" / "generate.sql").read_text(encoding="utf-8")

    with conn.cursor(row_factory=tuple_row) as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cur.fetchone()
        if not (row and row[0]):
            raise DemoDataError("Демо-данные загружает только суперпользователь базы данных")
        cur.execute("SELECT to_regclass('ej.organization') IS NOT NULL")
        if not one(cur)[0]:
            raise DemoDataError("База не подготовлена: сначала примените миграции")
        cur.execute("SELECT EXISTS (SELECT 1 FROM ej.organization)")
        if one(cur)[0]:
            raise DemoDataError("В базе уже есть организации: демо-данные загружаются только в пустую базу")
        if today is None:  # the date of the organizations it makes: in their (default) time zone
            cur.execute("SELECT ej.today(NULL)")
            today = one(cur)[0]

        pools = name_pools(seed)
        with conn.transaction():
            # Triggers (audit, business rules) and foreign-key checks off: the generator
            # makes the data correct by construction, and 9M audited inserts would take hours.
            cur.execute("SET LOCAL session_replication_role = replica")
            cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cur.execute(
                "CREATE TEMP TABLE demo_names (kind text NOT NULL, idx integer NOT NULL, value text NOT NULL)"
                " ON COMMIT DROP"
            )
            with cur.copy("COPY demo_names (kind, idx, value) FROM STDIN") as copy:
                for pool_row in pools:
                    copy.write_row(pool_row)
            cur.execute(script)
            cur.execute("SELECT ej_demo.generate(%s, %s, %s, %s)", (size, seed, float(scale), today))
            counts = one(cur)[0]
            cur.execute("DROP SCHEMA ej_demo CASCADE")
        if not conn.autocommit:
            conn.commit()
        # Fresh statistics, or the first queries on a region plan for empty tables.
        cur.execute("ANALYZE")
        if not conn.autocommit:
            conn.commit()
    return {name: int(counts[name]) for name in sorted(counts)}
