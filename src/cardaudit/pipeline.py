"""Run an audit: targets → records → results, in order, with progress and Ctrl-C handling.

Every target yields exactly one result; an interrupted run returns the results finished so
far and counts the rest as not done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from cardaudit import __version__
from cardaudit.cards.record import ModelRecord
from cardaudit.errors import SourceError
from cardaudit.results import AuditReport, ModelResult, ToolInfo
from cardaudit.runner import Auditor, error_result
from cardaudit.sources.base import Target

Progress = Callable[[ModelResult], None]


@dataclass(slots=True)
class RunState:
    results: list[ModelResult] = field(default_factory=list)
    interrupted: int = 0


def audit_records(auditor: Auditor, pairs: Iterable[tuple[Target, ModelRecord | SourceError]],
                  total: int, progress: Progress | None = None) -> RunState:
    """Audit (target, record-or-error) pairs as they arrive."""
    state = RunState()
    try:
        for target, item in pairs:
            if isinstance(item, SourceError):
                result = error_result(target, item.code, item.message)
            else:
                result = auditor.audit(item)
            state.results.append(result)
            if progress is not None:
                progress(result)
    except KeyboardInterrupt:
        # a signal after the last model arrived costs nothing: the run is complete
        state.interrupted = max(total - len(state.results), 0)
    return state


def load_each(source: object, targets: list[Target]
              ) -> Iterator[tuple[Target, ModelRecord | SourceError]]:
    """Sequential loading for sources without their own concurrency."""
    for target in targets:
        try:
            yield target, source.load(target)  # type: ignore[attr-defined]
        except SourceError as exc:
            yield target, exc


def make_report(auditor: Auditor, state: RunState, generated_at: str) -> AuditReport:
    return AuditReport(
        tool=ToolInfo("cardaudit", __version__),
        rules_digest=auditor.pack.rules.digest,
        generated_at=generated_at,
        results=tuple(state.results),
        rules=auditor.pack.rules.rules,
        interrupted=state.interrupted,
    )
