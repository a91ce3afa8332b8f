"""`history`: a model card audited at each of its Hub commits, newest first, with what each
commit changed against the one before it.

Requests: the commit listing's pages up to the newest `limit` commits (the older pages are not
asked for, so the total is then unknown) plus one README download per commit shown (cached by
commit sha, so a second look downloads nothing). The gate shown is the card's own gate form at
that commit: the Hub's gating setting has no history.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cardaudit.cards.document import CardReader
from cardaudit.cards.record import CardError, ModelRecord
from cardaudit.errors import SourceError
from cardaudit.history.compare import Change, compare
from cardaudit.interrupts import map_threads
from cardaudit.results import ModelResult
from cardaudit.runner import Auditor
from cardaudit.sources.hubclient import HubClient
from cardaudit.store.records import StoredModel, stored_from_result


@dataclass(frozen=True, slots=True)
class Point:
    """The card at one commit."""

    commit: str
    date: str | None
    title: str
    model: StoredModel
    changes: tuple[Change, ...] = ()

    def as_json(self) -> dict[str, Any]:
        m = self.model
        return {"commit": self.commit, "date": self.date, "title": self.title,
                "status": m.error_code or m.status, "license": m.license,
                "category": m.category, "disclosure": m.disclosure, "gate": m.gate,
                "score": m.scores.get("overall"), "grade": m.grade,
                "changes": [c.as_json() for c in self.changes]}


@dataclass(frozen=True, slots=True)
class Timeline:
    model_id: str
    points: tuple[Point, ...]
    total_commits: int | None  # None: more commits than shown, not all listed

    def as_json(self) -> dict[str, Any]:
        return {"schema_version": 1, "model": self.model_id, "commits": self.total_commits,
                "shown": len(self.points), "timeline": [p.as_json() for p in self.points]}


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value) if value else None


# given the number of commits to audit, a context whose value is told each commit's result
ProgressFactory = Callable[[int], AbstractContextManager[Callable[[ModelResult], None] | None]]


def _no_progress(_total: int) -> AbstractContextManager[None]:
    return nullcontext()


def card_history(client: HubClient, reader: CardReader, auditor: Auditor, model_id: str,
                 limit: int, jobs: int = 8, progress: ProgressFactory | None = None
                 ) -> Timeline:
    """Raises SourceError when the model's commits cannot be listed (missing, private)."""
    commits, complete = client.list_commits(model_id, limit=limit)
    shown = commits[:limit]
    location = f"{client.settings.endpoint}/{model_id}"

    def audit_at(commit: Any) -> ModelResult:
        sha = str(commit.commit_id)
        try:
            raw, _ = client.file_bytes(model_id, "README.md", sha)
            record = ModelRecord(model_id, "hub", f"{location}@{sha[:12]}", reader.read(raw),
                                 revision=sha)
        except SourceError as exc:
            code = "missing-card" if exc.code == "missing-file" else exc.code
            record = ModelRecord(model_id, "hub", f"{location}@{sha[:12]}", None, revision=sha,
                                 card_error=CardError(code, exc.message))
        return auditor.audit(record)

    with (progress or _no_progress)(len(shown)) as advance:
        models = [stored_from_result(result)
                  for result in map_threads(audit_at, shown, jobs, on_done=advance)]
    points = []
    for index, (commit, model) in enumerate(zip(shown, models, strict=True)):
        older = models[index + 1] if index + 1 < len(models) else None
        changes = compare(older, model).changes if older is not None else ()
        points.append(Point(str(commit.commit_id), _iso(getattr(commit, "created_at", None)),
                            str(getattr(commit, "title", "") or ""), model, changes))
    return Timeline(model_id, tuple(points), len(commits) if complete else None)
