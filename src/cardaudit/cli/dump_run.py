"""`cardaudit audit --dump FILE`: a bulk dump audited in worker processes, recorded as one run,
with a summary (or a streamed JSON/CSV report) instead of a table of every model."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cardaudit import __version__
from cardaudit.bulk import STREAMED_FORMATS, BatchResult, DumpStats, ReportStream, audit_dump
from cardaudit.cli.output import streamed_output, write_output, write_stderr
from cardaudit.errors import UsageError
from cardaudit.interrupts import terminate_as_interrupt
from cardaudit.pack import load_pack
from cardaudit.reports.escape import plain
from cardaudit.reports.table import console_for
from cardaudit.settings import Settings
from cardaudit.sources.dump import is_stream
from cardaudit.sources.targets import is_stdin
from cardaudit.store.db import RunInfo
from cardaudit.store.recorder import Recorder


@dataclass(frozen=True, slots=True)
class DumpJob:
    path: Path
    jobs: int
    rule_dirs: list[Path]
    fmt: str
    output: Path | None
    store_path: Path | None
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DumpOutcome:
    stats: DumpStats
    run_id: int | None
    seconds: float
    interrupted: bool
    duplicates: int


@contextmanager
def _byte_progress(settings: Settings, total: int) -> Iterator[Callable[[int, int], None]]:
    """A bar over the bytes of the dump read (row counts are unknown until the end); without
    a size (a pipe), a running count of bytes and models."""
    if settings.quiet or not sys.stderr.isatty():
        yield lambda position, models: None
        return
    console = Console(file=sys.stderr, no_color=not settings.color)
    with Progress(TextColumn("auditing dump"), BarColumn(), DownloadColumn(),
                  TextColumn("{task.fields[models]} model(s)"), TimeRemainingColumn(),
                  console=console, transient=True,
                  # rich would send what is written to stdout meanwhile (the streamed
                  # report) to the terminal beside the bar: it must stay on stdout
                  redirect_stdout=False, redirect_stderr=False) as bar:
        task = bar.add_task("dump", total=total or None, models=0)
        yield lambda position, models: bar.update(task, completed=position, models=models)


def _check_readable(path: Path) -> None:
    """A file, a named pipe, or `-` for standard input that is not a terminal."""
    if is_stdin(path):
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("--dump - reads the dump from standard input, which is a terminal "
                             "here: pipe it in (zcat dump.jsonl.gz | cardaudit audit --dump -)")
        return
    if not path.exists():
        raise UsageError(f"dump file not found: {path}")
    if not (path.is_file() or is_stream(path)):
        raise UsageError(f"dump {path} is not a regular file or a pipe (a device or a "
                         "folder): save the dump to a file")


def dump_name(path: Path) -> str:
    """How the run and the summary name the dump."""
    return "stdin" if is_stdin(path) else path.name


def run_dump(settings: Settings, job: DumpJob) -> DumpOutcome:
    _check_readable(job.path)
    if job.fmt not in ("table", *STREAMED_FORMATS):
        raise UsageError(f"--dump writes table (a summary), json or csv, not '{job.fmt}'")
    pack = load_pack(job.rule_dirs)  # broken rules fail here, before any worker starts
    recorder = Recorder.start(job.store_path, RunInfo(
        settings.generated_at, __version__, pack.rules.digest, f"dump:{dump_name(job.path)}",
        job.arguments)) if job.store_path is not None else None
    stats = DumpStats()
    started = time.perf_counter()
    interrupted = False
    header = {"schema_version": 1, "tool": {"name": "cardaudit", "version": __version__},
              "rules_digest": pack.rules.digest, "generated_at": settings.generated_at}
    streamed = job.fmt in STREAMED_FORMATS
    size = 0 if is_stream(job.path) else job.path.stat().st_size  # a pipe's is unknown
    with terminate_as_interrupt(), _byte_progress(settings, size) as tick, \
            (streamed_output(job.output) if streamed else _no_stream()) as stream:
        report = ReportStream(job.fmt if streamed else None, stream, header)

        def on_batch(batch: BatchResult, position: int) -> None:
            for model in batch.models:
                stats.count(model)
                if recorder is not None:
                    recorder.add(model)
            report.write(batch.lines)
            tick(position, stats.models)

        try:
            audit_dump(job.path, jobs=job.jobs, rule_dirs=job.rule_dirs,
                       fmt=job.fmt if streamed else None, on_batch=on_batch)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if recorder is not None:
                recorder.finish(complete=not interrupted)
        report.close(stats.summary(interrupted))
    return DumpOutcome(stats, recorder.run_id if recorder else None,
                       time.perf_counter() - started, interrupted,
                       recorder.duplicates if recorder else 0)


@contextmanager
def _no_stream() -> Iterator[TextIO | None]:
    yield None


def render_summary(job: DumpJob, outcome: DumpOutcome, stream: TextIO,
                   width: int | None = None) -> None:
    console = console_for(stream, width)
    stats = outcome.stats
    rate = stats.models / outcome.seconds if outcome.seconds > 0 else 0.0
    console.print(f"{plain(dump_name(job.path))}: {stats.models:,} model(s) audited in "
                  f"{outcome.seconds:,.1f} s ({rate:,.0f} cards/s, {job.jobs} job(s))"
                  + (" — interrupted" if outcome.interrupted else ""), highlight=False)
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("data disclosure")
    table.add_column("models", justify="right")
    table.add_column("share", justify="right")
    for level in ("disclosed_available", "disclosed_partial", "not_disclosed"):
        count = stats.disclosure.get(level, 0)
        table.add_row(level, f"{count:,}", f"{count / max(stats.judged, 1):.1%}")
    console.print(table)
    if stats.judged < stats.models:
        unjudged = stats.models - stats.judged
        console.print(f"shares of the {stats.judged:,} judged model(s); {unjudged:,} line(s) "
                      "that are not rows (bad-row) judge nothing", highlight=False)
    categories = ", ".join(f"{k} {v:,}" for k, v in stats.category.most_common())
    console.print(f"license categories: {plain(categories) or '—'}", highlight=False)
    if stats.errors:
        errors = ", ".join(f"{k} {v:,}" for k, v in stats.errors.most_common())
        console.print(f"error rows: {plain(errors)}", highlight=False)
    if outcome.duplicates:
        console.print(f"{outcome.duplicates:,} row(s) repeated a model id already seen and were "
                      "not stored again", highlight=False)
    if stats.models and not stats.with_created_at:
        console.print("no row has createdAt: trends will use lastModified for cohorts "
                      "(--cohort modified)", highlight=False)
    if outcome.run_id is not None:
        state = "incomplete" if outcome.interrupted else "complete"
        console.print(f"stored as run {outcome.run_id} ({state}); next: cardaudit trends "
                      f"--run {outcome.run_id} --by year", highlight=False)


def write_summary(job: DumpJob, outcome: DumpOutcome, width: int | None) -> None:
    """The summary goes to stdout, or to --output when the format is the table."""
    if job.fmt == "table":
        write_output(lambda s: render_summary(job, outcome, s, width), job.output)
    else:
        write_stderr(lambda s: render_summary(job, outcome, s, width))
