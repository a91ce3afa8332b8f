"""A progress bar on stderr for long runs: done / errors / from cache. Quiet with --quiet or
when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cardaudit.pipeline import Progress as ProgressCallback
from cardaudit.results import ModelResult
from cardaudit.settings import Settings


@contextmanager
def progress_bar(settings: Settings, total: int, label: str = "auditing"
                 ) -> Iterator[ProgressCallback | None]:
    if settings.quiet or total < 2 or not sys.stderr.isatty():
        yield None
        return
    console = Console(file=sys.stderr, no_color=not settings.color)
    counts = {"errors": 0, "cached": 0}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[detail]}"), TimeRemainingColumn(),
                  console=console, transient=True,
                  redirect_stdout=False, redirect_stderr=False) as bar:  # stdout is the report
        task = bar.add_task(label, total=total, detail="")

        def advance(result: ModelResult) -> None:
            if result.error is not None:
                counts["errors"] += 1
            if result.source == "hub-cache":
                counts["cached"] += 1
            bar.update(task, advance=1,
                       detail=f"{counts['errors']} error(s), {counts['cached']} from cache")
        yield advance
