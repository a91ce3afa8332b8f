"""Reading card files from disk (a model folder, the Hub file cache) with a size cap, so a
huge or endless file costs bounded memory, and a read error is the model's error row."""

from __future__ import annotations

from pathlib import Path

from cardaudit.errors import SourceError


def read_capped(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of `path`; SourceError `unreadable` when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(limit)
    except OSError as exc:
        raise SourceError(f"cannot read {path.name}: {exc.strerror or exc}",
                          code="unreadable") from None
