"""Where the package finds its SQL and where a user's own files live (the platform's
directories, from platformdirs: on Linux the XDG ones, ~/.config/ejournal and
~/.local/share/ejournal unless XDG_CONFIG_HOME / XDG_DATA_HOME say otherwise)."""

from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "ejournal"
_DIRS = PlatformDirs(APP_NAME, appauthor=False)


def sql_dir() -> Path:
    """The SQL tree: shipped inside the wheel, or the repository's own in a checkout."""
    packaged = Path(__file__).resolve().parent / "sql"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[1] / "sql"


def user_data_dir() -> Path:
    """The default data directory: the demo server, the outbox of unsaved marks, the log."""
    return _DIRS.user_data_path


def user_config_dir() -> Path:
    """The directory of config.toml."""
    return _DIRS.user_config_path
