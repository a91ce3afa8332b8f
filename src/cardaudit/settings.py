"""Settings resolved once from flags and environment, then passed explicitly (never global).

huggingface_hub freezes HF_ENDPOINT, HF_HUB_OFFLINE and HF_HOME at import (library-facts
§1.5), so cardaudit reads them here and passes endpoint, token, cache folder and offline mode
to every Hub call itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import platformdirs

from cardaudit.errors import UsageError

DEFAULT_ENDPOINT = "https://huggingface.co"
MAX_BACKOFF = 60.0  # CARDAUDIT_BACKOFF's largest first wait, in seconds
MAX_EPOCH = 253_402_300_799  # 9999-12-31T23:59:59Z
MIN_WIDTH, MAX_WIDTH = 40, 1000  # table widths: --width's bounds, and COLUMNS held to them
# where an HF_ENDPOINT huggingface_hub cannot be imported with is kept
SET_ASIDE_ENDPOINT = "CARDAUDIT_UNUSABLE_HF_ENDPOINT"


def endpoint_problem(url: str) -> str | None:
    """Why `url` cannot be a Hub endpoint, or None when it can (an http(s) URL with a host)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a port that is not a number from 0 to 65535
    except ValueError as exc:
        return f"is not a URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "is not an http(s) URL"
    if not parts.hostname or any(not c.isprintable() or c.isspace() for c in url):
        return "is not an http(s) URL with a host name"
    if "@" in parts.netloc:  # it would be in every model's location, every report
        return ("holds credentials (user:password@): pass the token with --token, HF_TOKEN or "
                "CARDAUDIT_LINEAGE_TOKEN, never in the URL")
    return None


def endpoint_key(url: str) -> str:
    """One spelling per endpoint: scheme and host are case-insensitive, a final '/' is none."""
    parts = urlsplit(url.rstrip("/"))
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, "", ""))


def shown_url(url: str) -> str:
    """`url` as it may be printed: whatever stands before an '@' in its host part (a user and
    password, or a token) masked."""
    def mask(match: re.Match[str]) -> str:
        user, colon, _ = match.group(2).partition(":")  # a lone name may be the token itself
        return f"{match.group(1)}{user + colon if colon else ''}***@"
    return _USERINFO_RE.sub(mask, url, count=1)


_USERINFO_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@")


def set_aside_unusable_hub_environment(env: MutableMapping[str, str]) -> None:
    """huggingface_hub reads its environment when it is imported and raises on some bad values
    (HF_ENDPOINT with a port over 65535 or a broken IPv6 address; HF_HUB_ETAG_TIMEOUT or
    HF_HUB_DOWNLOAD_TIMEOUT that are not whole numbers): every command, even --help, would end
    in a traceback. Such values are set aside before the import. cardaudit passes its own
    timeouts, so the two timeouts are not needed; a command that needs the Hub says what is
    wrong with HF_ENDPOINT (Settings.endpoint_error), and the others run."""
    value = env.get("HF_ENDPOINT")
    if value and endpoint_problem(value) is not None:
        env[SET_ASIDE_ENDPOINT] = value
        del env["HF_ENDPOINT"]
    for name in ("HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT"):
        if name in env and not env[name].strip().lstrip("+-").isdigit():
            del env[name]


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


def _usable_backoff(value: str | None) -> bool:
    """A backoff in seconds we can sleep: 0 to MAX_BACKOFF (inf and NaN overflowed `sleep`)."""
    try:
        return value is not None and 0 <= float(value) <= MAX_BACKOFF
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
    """Report time; SOURCE_DATE_EPOCH (the reproducible-builds convention) pins it. A value
    that is not a Unix time (whole seconds, up to the year 9999) is a usage error, as the
    convention asks, not a time silently ignored or a crash."""
    epoch = env.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not (epoch.isascii() and epoch.isdigit()) or int(epoch) > MAX_EPOCH:
        raise UsageError(f"SOURCE_DATE_EPOCH '{epoch}' is not a Unix time in whole seconds")
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Settings:
    debug: bool = False
    quiet: bool = False
    color: bool = True
    width: int | None = None
    endpoint: str = DEFAULT_ENDPOINT
    endpoint_error: str | None = None  # HF_ENDPOINT was set to something that is no endpoint
    token: Secret | None = field(default=None, repr=False)
    lineage_token: Secret | None = field(default=None, repr=False)  # --lineage-endpoint's
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
        given = env.get("HF_ENDPOINT") or env.get(SET_ASIDE_ENDPOINT) or ""
        endpoint = given.rstrip("/")
        problem = endpoint_problem(given) if given else None
        values: dict[str, object] = {
            "color": not env.get("NO_COLOR"),
            "width": min(max(int(width), MIN_WIDTH), MAX_WIDTH) if width and width.isdigit()
            else None,
            "endpoint": DEFAULT_ENDPOINT if problem or not endpoint else endpoint,
            "endpoint_error": f"HF_ENDPOINT '{shown_url(given)}' {problem}" if problem else None,
            "token": Secret(env["HF_TOKEN"]) if env.get("HF_TOKEN") else None,
            "lineage_token": Secret(env["CARDAUDIT_LINEAGE_TOKEN"])
            if env.get("CARDAUDIT_LINEAGE_TOKEN") else None,
            "offline": _truthy(env.get("HF_HUB_OFFLINE")),
            "backoff": float(env["CARDAUDIT_BACKOFF"])
            if _usable_backoff(env.get("CARDAUDIT_BACKOFF")) else 0.5,
            "cache_dir": Path(env["CARDAUDIT_CACHE"]) if env.get("CARDAUDIT_CACHE")
            else _cache_home(env),
            "data_dir": _data_home(env),
            "generated_at": now_utc(env),
        }
        values.update({k: v for k, v in flags.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
