"""The on-disk cache of Hub lookups: per model its last metadata and commit sha, per dataset its
status. Card and LICENSE files live in huggingface_hub's own cache (under `hf/`), downloaded
at the exact commit sha, so an unchanged model is served with no request at all.

Each endpoint has a folder of its own (`hubs/<endpoint>/`): a private registry and the public
Hub share model and dataset ids but not answers (a mirrored id with its own card, a public
dataset the registry lacks), and what one said must never be served for the other.

Files are JSON written atomically; a damaged file counts as not cached. Names come from
`safe_name`, so no model id can write outside the cache folder. Tokens are never stored.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardaudit.settings import endpoint_key
from cardaudit.sources.targets import safe_name

SCHEMA = 1
DATASET_TTL_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class CachedModel:
    """What the Hub said about a model at its last visit."""

    id: str
    sha: str
    facts: dict[str, Any]
    siblings: tuple[str, ...]
    fetched_at: float


def endpoint_cache(cache_dir: Path, endpoint: str) -> Path:
    """The cache folder of one endpoint, however it is spelled."""
    return cache_dir / "hubs" / safe_name(endpoint_key(endpoint))


class HubCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, kind: str, key: str) -> Path:
        path = (self.root / kind / f"{safe_name(key)}.json").resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"cache path escapes the cache folder: {key!r}")
        return path

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # a damaged entry is a cache miss
            return None
        return data if isinstance(data, dict) and data.get("schema") == SCHEMA else None

    def _write(self, path: Path, data: dict[str, Any]) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump({"schema": SCHEMA, **data}, stream)
            os.replace(temp, path)
        except OSError:
            pass  # a cache that cannot be written only costs requests next time

    def model(self, model_id: str) -> CachedModel | None:
        data = self._read(self._path("models", model_id))
        if data is None or data.get("id") != model_id or not isinstance(data.get("sha"), str):
            return None
        return CachedModel(model_id, data["sha"], data.get("facts") or {},
                           tuple(data.get("siblings") or ()), float(data.get("fetched_at", 0)))

    def store_model(self, model_id: str, sha: str, facts: dict[str, Any],
                    siblings: tuple[str, ...]) -> None:
        self._write(self._path("models", model_id),
                    {"id": model_id, "sha": sha, "facts": facts, "siblings": list(siblings),
                     "fetched_at": time.time()})

    def models_by_author(self, author: str) -> list[CachedModel]:
        """Cached models of one organization (offline `--org`)."""
        found: list[CachedModel] = []
        folder = self.root / "models"
        if not folder.is_dir():
            return found
        for path in sorted(folder.glob("*.json")):
            data = self._read(path)
            if data and isinstance(data.get("id"), str) and \
                    data["id"].split("/")[0].lower() == author.lower():
                model = self.model(data["id"])
                if model is not None:
                    found.append(model)
        return found

    def dataset_status(self, dataset_id: str, refresh: bool = False) -> str | None:
        if refresh:
            return None
        data = self._read(self._path("datasets", dataset_id))
        if data is None or data.get("id") != dataset_id:
            return None
        if time.time() - float(data.get("fetched_at", 0)) > DATASET_TTL_SECONDS:
            return None
        status = data.get("status")
        return status if isinstance(status, str) else None

    def store_dataset_status(self, dataset_id: str, status: str) -> None:
        self._write(self._path("datasets", dataset_id),
                    {"id": dataset_id, "status": status, "fetched_at": time.time()})
