"""Where the package finds its SQL and where a user's private files live."""

import os
from pathlib import Path


def sql_dir() -> Path:
    """The SQL tree: shipped inside the wheel, or the repository's own in a checkout."""
    packaged = Path(__file__).resolve().parent / "sql"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[1] / "sql"


def user_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "ejournal"
