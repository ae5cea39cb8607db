"""Every setting of ejournal, in one class (as Posting does it, with pydantic-settings).

Sources, the first one that has a value wins:
  1. EJOURNAL_* environment variables (a section's key: EJOURNAL_LOG__LEVEL);
  2. config.toml in the config directory (~/.config/ejournal/config.toml; EJOURNAL_CONFIG names
     another file), read only if it exists;
  3. the defaults below.
Connection parameters otherwise follow libpq (PG* variables, the service file, .pgpass).
`ejournal settings` prints the file's path, the values in force and the ids of the keys.
"""

import os
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PositiveInt, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from ejournal_tui.paths import user_config_dir, user_data_dir

# libpq variables that mean "a server is configured"; any of them turns the embedded default off.
LIBPQ_SERVER_VARS = ("PGHOST", "PGHOSTADDR", "PGSERVICE", "PGDATABASE", "PGPORT", "PGUSER")
CONFIG_ENV = "EJOURNAL_CONFIG"


def config_file() -> Path:
    """The TOML file of settings (it need not exist)."""
    return Path(os.environ.get(CONFIG_ENV) or user_config_dir() / "config.toml")


def _keys(value: object) -> object:
    """A key list as Textual takes it: "f5,ctrl+r"; TOML may also give ["f5", "ctrl+r"]."""
    if isinstance(value, list | tuple):
        return ",".join(str(v).strip() for v in value)
    return value


Keys = Annotated[str, BeforeValidator(_keys)]


class LogSettings(BaseModel):
    """The log file in the data directory: events, ids, SQLSTATEs, exception types and
    tracebacks — never names, typed texts or the text of a database error."""

    model_config = ConfigDict(extra="forbid")

    level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR")
    max_bytes: PositiveInt = Field(default=1_000_000, description="a file's size before it is rotated")
    backups: int = Field(default=5, ge=0, description="rotated files kept (ejournal.log.1 …)")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EJOURNAL_", env_nested_delimiter="__", extra="forbid")

    dsn: str | None = Field(default=None, description="libpq connection string or URI")
    report_dsn: str | None = Field(
        default=None, description="connection for read-only reports and exports, e.g. a standby "
        "(target_session_attrs=prefer-standby); else dsn")
    data_dir: Path = Field(default_factory=user_data_dir,
                           description="private files: the demo server, unsaved marks, the log")
    export_dir: Path = Field(default_factory=lambda: Path.home() / "ejournal",
                             description="where reports and printouts are saved")
    pdf_workers: PositiveInt | None = Field(
        default=None, description="processes rendering a hard copy side by side (else the CPUs, at most 4)")
    theme: str | None = Field(default=None, description="colour theme at start (Textual's name, e.g. textual-light)")
    keymap: dict[str, Keys] = Field(
        default_factory=dict, description="binding id → key(s), e.g. \"journal.save\" = \"ctrl+s\"")
    log: LogSettings = Field(default_factory=LogSettings)

    @field_validator("data_dir", "export_dir")
    @classmethod
    def _home(cls, path: Path) -> Path:
        return path.expanduser()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_file())

    def server_configured(self) -> bool:
        return bool(self.dsn) or any(os.environ.get(v) for v in LIBPQ_SERVER_VARS)

    @property
    def log_file(self) -> Path:
        return self.data_dir / "ejournal.log"


@cache
def current() -> Settings:
    """The settings of this process, read once (`reload()` reads them again)."""
    return Settings()


def reload() -> Settings:
    current.cache_clear()
    return current()
