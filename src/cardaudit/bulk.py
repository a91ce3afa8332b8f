"""Auditing a bulk dump: rows streamed from the file in batches, judged in worker processes,
written to the store (and optionally to a streamed report) as they come back.

Memory stays bounded whatever the file size: the reader never runs more than a few batches
(of at most BATCH_ROWS rows or BATCH_CHARS characters) ahead of the workers, workers send back
only flat rows (never parsed cards), and the parent keeps counters, not results. With one job
everything runs in this process.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import multiprocessing
import signal
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardaudit.cards.document import CardReader
from cardaudit.interrupts import deferred_interrupts, wait_first
from cardaudit.pack import load_pack
from cardaudit.reports.csv_report import COLUMNS as CSV_COLUMNS
from cardaudit.reports.csv_report import csv_values
from cardaudit.reports.document import model_data, summary_data
from cardaudit.reports.jsonstream import list_opening
from cardaudit.runner import Auditor, error_result
from cardaudit.sources import dump
from cardaudit.sources.base import Target
from cardaudit.store.records import StoredModel, stored_from_result

BATCH_ROWS = 200
# …or fewer, when their text reaches this: a dump of 4 MB cards in batches of 200 rows held
# about 1 GB per process
BATCH_CHARS = 4 * 1024 * 1024
AHEAD_PER_JOB = 2  # batches queued per worker: enough to keep them busy, no more
# Finished batches held back, per queued one, while an earlier batch (say, of huge cards) is
# still running: results go out in the file's order, and the other workers keep going
HELD_PER_AHEAD = 4
STREAMED_FORMATS = ("json", "csv")

Item = tuple[int, str | dict[str, Any]]  # (row number, raw JSON line or Parquet row)


@dataclass(frozen=True, slots=True)
class BatchResult:
    models: list[StoredModel]
    lines: list[str]
    cache_hits: int = 0


@dataclass(slots=True)
class DumpStats:
    """Counters for the summary; nothing per model is kept."""

    models: int = 0
    judged: int = 0  # models with a judgement (a row that is no row has none)
    errors: Counter[str] = field(default_factory=Counter)
    disclosure: Counter[str] = field(default_factory=Counter)
    category: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    grades: Counter[str] = field(default_factory=Counter)
    with_created_at: int = 0

    def summary(self, interrupted: bool) -> dict[str, object]:
        """The JSON report's `summary`, as `audit -f json` gives it; after an interrupt the
        rows never read are not counted: `not_done` is null."""
        return summary_data(self.statuses, self.grades, None if interrupted else 0)

    def count(self, model: StoredModel) -> None:
        self.models += 1
        self.statuses[model.status] += 1
        if model.grade:
            self.grades[model.grade] += 1
        if model.error_code:
            self.errors[model.error_code] += 1
        if model.disclosure:
            self.judged += 1
            self.disclosure[model.disclosure] += 1
        if model.category:
            self.category[model.category] += 1
        if model.created_at:
            self.with_created_at += 1


# --------------------------------------------------------------------------- worker side
_worker: tuple[Auditor, CardReader, str | None] | None = None


def _init_worker(rule_dirs: list[str], fmt: str | None, ignore_sigint: bool = True) -> None:
    """Load the rule pack once per worker; the parent alone handles Ctrl-C."""
    global _worker
    if ignore_sigint:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    pack = load_pack([Path(d) for d in rule_dirs])
    _worker = (Auditor(pack), CardReader(pack.knowledge.sections), fmt)
    gc.freeze()  # the pack lives as long as the worker: collections need not walk it again


def _judge_batch(items: list[Item]) -> BatchResult:
    assert _worker is not None, "worker not initialised"
    auditor, reader, fmt = _worker
    hits_before = auditor.cache_hits
    models: list[StoredModel] = []
    lines: list[str] = []
    for number, raw in items:
        row = dump.parse_line(number, raw) if isinstance(raw, str) else dump.DumpRow(number, raw)
        if row.data is None:  # nothing to judge: an error row, out of every share and score
            result = error_result(Target(dump.model_id({}, number), "dump", f"row {number}"),
                                  "bad-row", row.problem or "unreadable row")
        else:
            result = auditor.audit(dump.record_from_row(row, reader))
        models.append(stored_from_result(result))
        if fmt == "json":
            lines.append(json.dumps(model_data(result), ensure_ascii=False))
        elif fmt == "csv":
            lines.append(_csv_line(result))
    return BatchResult(models, lines, auditor.cache_hits - hits_before)


def _csv_line(result: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(csv_values(result))
    return buffer.getvalue()


# --------------------------------------------------------------------------- parent side
def _batches(path: Path) -> Iterator[tuple[list[Item], int]]:
    """Batches of rows, each with how many bytes of the file had been read by its end."""
    batch: list[Item] = []
    chars = 0
    position = 0
    for number, raw, position in dump.iter_raw(path):
        batch.append((number, raw))
        chars += _size(raw)
        if len(batch) >= BATCH_ROWS or chars >= BATCH_CHARS:
            yield batch, position
            batch = []
            chars = 0
    if batch:
        yield batch, position


def _size(raw: str | dict[str, Any]) -> int:
    """Characters of a raw row: its JSON line, or a Parquet row's card."""
    if isinstance(raw, str):
        return len(raw)
    card = raw.get("card")
    return len(card) if isinstance(card, str) else 0


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where available: workers start clean, without the parent's threads."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class ReportStream:
    """Writes the streamed JSON or CSV report as batches arrive."""

    def __init__(self, fmt: str | None, stream: io.TextIOBase | Any | None,
                 header: dict[str, Any]) -> None:
        self.fmt = fmt if stream is not None else None
        self.stream = stream
        self.first = True
        if self.fmt == "json":
            stream.write(list_opening(header, "models") + "\n")  # type: ignore[union-attr]
        elif self.fmt == "csv":
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow(CSV_COLUMNS)
            stream.write(buffer.getvalue())  # type: ignore[union-attr]

    def write(self, lines: list[str]) -> None:
        if self.fmt is None or self.stream is None:
            return
        for line in lines:
            if self.fmt == "json":
                self.stream.write(("    " if self.first else ",\n    ") + line)
                self.first = False
            else:
                self.stream.write(line)

    def close(self, summary: dict[str, Any]) -> None:
        if self.fmt == "json" and self.stream is not None:
            self.stream.write(('\n  ],\n  "summary": ' if not self.first else '],\n  "summary": ')
                              + json.dumps(summary) + "\n}\n")


def audit_dump(path: Path, *, jobs: int, rule_dirs: list[Path], fmt: str | None,
               on_batch: Callable[[BatchResult, int], None]) -> None:
    """Audit every row of `path`; `on_batch(result, bytes_read)` runs in this process for
    each finished batch, in the file's order (a streamed report and the store come out the
    same at any --jobs). KeyboardInterrupt propagates after the workers are stopped; batches
    already delivered stay delivered."""
    dirs = [str(d) for d in rule_dirs]
    if jobs <= 1:
        _init_worker(dirs, fmt, ignore_sigint=False)
        for batch, position in _batches(path):
            on_batch(_judge_batch(batch), position)
        return
    with deferred_interrupts() as check:
        executor = ProcessPoolExecutor(max_workers=jobs, mp_context=_context(),
                                       initializer=_init_worker, initargs=(dirs, fmt))
        pending: deque[tuple[Future[BatchResult], int]] = deque()  # in the file's order

        def deliver_ready() -> None:
            while pending and pending[0][0].done():
                check()  # a signal stops the run after the batch it arrived during
                future, position = pending.popleft()
                on_batch(future.result(), position)

        def wait_for_room(limit_running: int, limit_held: int) -> None:
            """Wait until fewer than `limit_running` batches run and `limit_held` are held."""
            while True:
                deliver_ready()
                running = [future for future, _ in pending if not future.done()]
                if len(running) < limit_running and len(pending) < limit_held:
                    return
                wait_first(running if len(running) >= limit_running else running[:1], check)

        try:
            for batch, position in _batches(path):
                check()
                pending.append((executor.submit(_judge_batch, batch), position))
                wait_for_room(jobs * AHEAD_PER_JOB, jobs * AHEAD_PER_JOB * HELD_PER_AHEAD)
            wait_for_room(1, 1)
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
            raise
        executor.shutdown(wait=True)

