"""Configuration, from the environment (WALKTHROUGH_*)."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    data_dir: Path = Path("var")
    max_body_bytes: int = 1_048_576
    max_batch_events: int = 500
    token_ttl_days: int = 30

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "walkthrough.sqlite3"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            data_dir=Path(env.get("WALKTHROUGH_DATA_DIR", "var")),
            max_body_bytes=int(env.get("WALKTHROUGH_MAX_BODY_BYTES", 1_048_576)),
            max_batch_events=int(env.get("WALKTHROUGH_MAX_BATCH_EVENTS", 500)),
            token_ttl_days=int(env.get("WALKTHROUGH_TOKEN_TTL_DAYS", 30)),
        )
