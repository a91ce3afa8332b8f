"""Settings resolved once from flags and environment, then passed explicitly (never global).

huggingface_hub freezes HF_ENDPOINT, HF_HUB_OFFLINE and HF_HOME at import (library-facts
§1.5), so cardaudit reads them here and passes endpoint, token, cache folder and offline mode
to every Hub call itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

DEFAULT_ENDPOINT = "https://huggingface.co"


class Secret:
    """A token that never shows itself: repr, str and format all print a placeholder."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __bool__(self) -> bool:
        return bool(self._value)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _is_number(value: str | None) -> bool:
    try:
        return value is not None and float(value) >= 0
    except ValueError:
        return False


def _data_home(env: Mapping[str, str]) -> Path:
    """XDG_DATA_HOME when set, else the platform's user data folder (platformdirs)."""
    if env.get("XDG_DATA_HOME"):
        return Path(env["XDG_DATA_HOME"]) / "cardaudit"
    return Path(platformdirs.user_data_dir("cardaudit", appauthor=False))


def _cache_home(env: Mapping[str, str]) -> Path:
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "cardaudit"
    return Path(platformdirs.user_cache_dir("cardaudit", appauthor=False))


def now_utc(env: Mapping[str, str]) -> str:
    """Report time; SOURCE_DATE_EPOCH (the reproducible-builds convention) pins it."""
    epoch = env.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() \
        else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Settings:
    debug: bool = False
    quiet: bool = False
    color: bool = True
    width: int | None = None
    endpoint: str = DEFAULT_ENDPOINT
    token: Secret | None = field(default=None, repr=False)
    offline: bool = False
    timeout: float = 10.0
    retries: int = 4
    backoff: float = 0.5
    cache_dir: Path = Path(".cardaudit-cache")
    data_dir: Path = Path(".cardaudit-data")
    generated_at: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **flags: object) -> Settings:
        env = os.environ if env is None else env
        width = env.get("COLUMNS")
        values: dict[str, object] = {
            "color": not env.get("NO_COLOR"),
            "width": int(width) if width and width.isdigit() else None,
            "endpoint": (env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/"),
            "token": Secret(env["HF_TOKEN"]) if env.get("HF_TOKEN") else None,
            "offline": _truthy(env.get("HF_HUB_OFFLINE")),
            "backoff": float(env["CARDAUDIT_BACKOFF"]) if _is_number(env.get("CARDAUDIT_BACKOFF"))
            else 0.5,
            "cache_dir": Path(env["CARDAUDIT_CACHE"]) if env.get("CARDAUDIT_CACHE")
            else _cache_home(env),
            "data_dir": _data_home(env),
            "generated_at": now_utc(env),
        }
        values.update({k: v for k, v in flags.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
