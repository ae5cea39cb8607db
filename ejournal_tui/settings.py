"""Settings: EJOURNAL_* environment variables; connection parameters follow libpq."""

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ejournal_tui.paths import user_data_dir

# libpq variables that mean "a server is configured"; any of them turns the embedded default off.
LIBPQ_SERVER_VARS = ("PGHOST", "PGHOSTADDR", "PGSERVICE", "PGDATABASE", "PGPORT", "PGUSER")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EJOURNAL_", extra="ignore")

    dsn: str | None = Field(default=None, description="libpq connection string or URI")
    data_dir: Path = Field(default_factory=user_data_dir, description="private files and the demo server")

    def server_configured(self) -> bool:
        return bool(self.dsn) or any(os.environ.get(v) for v in LIBPQ_SERVER_VARS)
