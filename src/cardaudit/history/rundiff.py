"""`diff` between two stored runs: pick the runs, pair models by id, compare each pair."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cardaudit.errors import StoreError
from cardaudit.history.compare import ModelDiff, compare
from cardaudit.store.db import Store, StoredRun


@dataclass(frozen=True, slots=True)
class RunDiff:
    before: StoredRun
    after: StoredRun
    models: tuple[ModelDiff, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    note: str | None = None

    @property
    def worse(self) -> tuple[ModelDiff, ...]:
        return tuple(m for m in self.models if m.worse)

    def as_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "before": {"run": self.before.id, "started_at": self.before.started_at,
                       "status": self.before.status},
            "after": {"run": self.after.id, "started_at": self.after.started_at,
                      "status": self.after.status},
            "summary": {"changed": len(self.models), "worse": len(self.worse),
                        "better": sum(1 for m in self.models if m.better),
                        "unchanged": self.unchanged, "added": len(self.added),
                        "removed": len(self.removed)},
            "models": [{"id": m.id, "worse": m.worse,
                        "changes": [c.as_json() for c in m.changes]} for m in self.models],
            "added": list(self.added),
            "removed": list(self.removed),
            "note": self.note,
        }


def default_pair(store: Store) -> tuple[StoredRun, StoredRun, str | None]:
    """The latest complete run and the most recent earlier complete run over the same models
    (else the most recent earlier one sharing any model, said in a note)."""
    complete = [r for r in store.runs() if r.complete]
    if len(complete) < 2:
        raise StoreError("diff needs two complete runs in the store",
                         hint="audit the same models twice, or name the runs: "
                              "cardaudit diff RUN_A RUN_B")
    after = complete[0]
    ids = store.model_ids(after.id)
    overlapping = None
    for run in complete[1:]:
        other = store.model_ids(run.id)
        if other == ids:
            return run, after, None
        if overlapping is None and other & ids:
            overlapping = run
    if overlapping is None:
        raise StoreError(f"no earlier complete run shares a model with run {after.id}",
                         hint="name the runs: cardaudit diff RUN_A RUN_B")
    return overlapping, after, (f"no earlier run covers exactly the models of run {after.id}; "
                                f"comparing with run {overlapping.id}, which shares some")


def diff_runs(store: Store, before: StoredRun, after: StoredRun,
              note: str | None = None) -> RunDiff:
    """Both runs are streamed in model-id order and paired as they go, so a diff of two
    million-model runs holds only the changed models."""
    diffs: list[ModelDiff] = []
    added: list[str] = []
    removed: list[str] = []
    unchanged = 0
    old_models = store.models(before.id, with_findings=True)
    new_models = store.models(after.id, with_findings=True)
    previous = next(old_models, None)
    current = next(new_models, None)
    while previous is not None or current is not None:
        if previous is not None and (current is None or previous.model_id < current.model_id):
            removed.append(previous.model_id)
            previous = next(old_models, None)
        elif current is not None and (previous is None or current.model_id < previous.model_id):
            added.append(current.model_id)
            current = next(new_models, None)
        elif previous is not None and current is not None:  # the same model in both runs
            result = compare(previous, current)
            if result.changes:
                diffs.append(result)
            else:
                unchanged += 1
            previous, current = next(old_models, None), next(new_models, None)
    return RunDiff(before, after, tuple(diffs), tuple(added), tuple(removed), unchanged, note)
