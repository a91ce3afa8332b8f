"""`cardaudit audit`: audit model cards and print a scored table or a report file."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import click
import typer

from cardaudit.cli.options import FormatOption, OutputOption, RulesOption, WidthOption
from cardaudit.cli.output import write_output
from cardaudit.cli.progress import progress_bar
from cardaudit.errors import EXIT_USAGE, UsageError
from cardaudit.pack import load_pack
from cardaudit.pipeline import audit_records, load_each, make_report
from cardaudit.reports import FORMATS, Renderer, table
from cardaudit.runner import Auditor
from cardaudit.settings import Settings
from cardaudit.sources.local import LocalSource


def renderer_for(name: str, width: int | None, settings: Settings) -> Renderer:
    fmt = name.lower()
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{name}' (choose from: {', '.join(FORMATS)})")
    if fmt == "table":
        return functools.partial(table.render, width=width or settings.width)
    return FORMATS[fmt]


def audit(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(
        help="Model folders (README.md [+ LICENSE]), card .md files, or folders of model "
             "folders.", show_default=False)],
    fmt: FormatOption = "table",
    output: OutputOption = None,
    rules: RulesOption = None,
    width: WidthOption = None,
) -> None:
    """Audit model cards: one row per model with license, disclosure, gate, scores, grade.

    Exit 0 when every model was audited (error rows included), 2 on usage or fatal errors."""
    settings: Settings = ctx.obj
    render = renderer_for(fmt, width, settings)
    pack = load_pack([Path(p) for p in rules or []])
    auditor = Auditor(pack)
    source = LocalSource(paths, pack.knowledge.sections)
    targets = source.targets()
    with progress_bar(settings, len(targets)) as progress:
        state = audit_records(auditor, load_each(source, targets), len(targets), progress)
    report = make_report(auditor, state, settings.generated_at)
    write_output(lambda stream: render(report, stream), output)
    if state.interrupted:
        click.echo(f"interrupted: {state.interrupted} of {len(targets)} model(s) not done",
                   err=True)
        raise typer.Exit(EXIT_USAGE)
