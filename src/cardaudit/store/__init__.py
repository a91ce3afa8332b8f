"""The local audit store (SQLite): runs, per-model results and findings, for trends and diffs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from cardaudit.settings import Settings


def default_store_path(settings: Settings, env: Mapping[str, str] | None = None) -> Path:
    """CARDAUDIT_DB, else audits.sqlite in the user's data folder."""
    env = os.environ if env is None else env
    if env.get("CARDAUDIT_DB"):
        return Path(env["CARDAUDIT_DB"]).expanduser()
    return settings.data_dir / "audits.sqlite"
