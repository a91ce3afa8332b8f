"""The Source protocol: turn what a user named into ModelRecords, one per model asked for.

A source raises only SourceError for a model it cannot deliver; the runner turns that into the
model's error row, so one bad model never stops a run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from cardaudit.cards.record import ModelRecord
from cardaudit.errors import SourceError


@dataclass(frozen=True, slots=True)
class Target:
    """One model to audit, before it is fetched: its id and where it comes from."""

    id: str
    source: str
    location: str


class Source(Protocol):
    """Lists targets and loads each into a record."""

    name: str

    def targets(self) -> list[Target]:
        """Every model this source was asked for (raises UsageError for bad arguments)."""
        ...

    def load(self, target: Target) -> ModelRecord:
        """The record for one target; raises SourceError when it cannot be delivered."""
        ...


class RecordStream(Protocol):
    """Sources that yield records (or per-target errors) themselves, e.g. concurrent fetchers."""

    def records(self, targets: list[Target]) -> Iterator[tuple[Target, ModelRecord | SourceError]]:
        ...
