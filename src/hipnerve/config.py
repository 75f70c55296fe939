"""Settings, declared once with default and help, read from the environment (prefix ``HIPNERVE_``).

``DATABASE_URL`` (no prefix) is also honoured, as most hosting platforms set it. Unsafe values are
refused at start-up outside development (see :meth:`Settings.refuse_unsafe`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from hipnerve.kb.placeholders import DEFAULT_EMERGENCY_NUMBER

DEV_SECRET = "development-only-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HIPNERVE_", extra="forbid")

    environment: Literal["development", "production"] = Field(
        default="development", description="'production' refuses development-only defaults."
    )
    data_dir: Path = Field(default=Path("data"), description="Where the SQLite database file lives.")
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("HIPNERVE_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL; unset = SQLite file in data_dir. postgresql+psycopg://... for PostgreSQL.",
    )
    secret_key: str = Field(default=DEV_SECRET, description="Signs CSRF tokens. Set a long random value in production.")
    emergency_number: str = Field(
        default=DEFAULT_EMERGENCY_NUMBER,
        min_length=1,
        description="The deployment's emergency telephone number (999, 911, 112 ...).",
    )
    host: str = Field(default="127.0.0.1", description="Address the web server listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the web server listens on.")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hipnerve.sqlite3').resolve()}"

    def refuse_unsafe(self) -> None:
        if self.environment == "production" and (self.secret_key == DEV_SECRET or len(self.secret_key) < 32):
            raise ValueError("HIPNERVE_SECRET_KEY must be set to a random value of 32+ characters in production")
