"""Shard stores merged into one run: how a Hub-scale audit split over machines comes back
together (docs/trends.md). Each machine audits a slice of the dump into its own store file;
`cardaudit merge` copies each file's latest complete run into one new run of the target
store, after checking every shard used the same rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cardaudit.errors import StoreError, UsageError
from cardaudit.store.db import RunInfo, Store, StoredRun


@dataclass(frozen=True, slots=True)
class ShardRun:
    path: Path
    run: StoredRun


@dataclass(frozen=True, slots=True)
class MergeResult:
    run_id: int
    models: int
    duplicates: int
    shards: tuple[ShardRun, ...]


def shard_runs(paths: Sequence[Path], target: Path) -> list[ShardRun]:
    """Each shard's latest complete run (opening a shard checks it and brings an older
    schema up to date). A shard without a complete run, or the target itself, is an error."""
    found: list[ShardRun] = []
    for path in paths:
        if target.exists() and path.exists() and path.resolve() == target.resolve():
            raise UsageError(f"{path} is the target store itself; merge other stores into it")
        with Store.open(path, create=False) as shard:
            run = shard.latest(complete=True)
        if run is None:
            raise StoreError(f"{path} has no complete run to merge",
                             hint="finish (or re-run) that shard's audit first")
        found.append(ShardRun(path, run))
    if not found:
        raise UsageError("name at least one store file to merge")
    digests = {s.run.rules_digest for s in found}
    if len(digests) > 1:
        listing = ", ".join(f"{s.path.name}: {s.run.rules_digest[:19]}…" for s in found)
        raise StoreError(f"the shards were audited with different rules ({listing})",
                         hint="audit every shard with the same rules (and --rules folders)")
    return found


def merge(target: Store, shards: Sequence[ShardRun], *, started_at: str,
          tool_version: str, clock: Callable[[], str]) -> MergeResult:
    """One new run in `target` holding every shard's models; a model id found in several
    shards is kept from the first. The run is complete only if every copy succeeded."""
    arguments = {"shards": [{"path": str(s.path), "run": s.run.id,
                             "source": s.run.source} for s in shards]}
    run_id = target.begin_run(RunInfo(started_at, tool_version, shards[0].run.rules_digest,
                                      "merge", arguments))
    copied = duplicates = 0
    complete = False
    try:
        for shard in shards:
            added, skipped = target.copy_run(shard.path, shard.run.id, run_id)
            copied += added
            duplicates += skipped
        complete = True
    finally:
        target.finish_run(run_id, clock(), complete=complete)
    return MergeResult(run_id, copied, duplicates, tuple(shards))
