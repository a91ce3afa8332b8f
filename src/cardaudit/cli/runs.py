"""`cardaudit runs`: the runs recorded in the audit store."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from cardaudit.cli.options import (
    MAX_OPTION_COUNT,
    OutputOption,
    WidthOption,
    chosen_format,
    table_width,
)
from cardaudit.cli.output import write_output
from cardaudit.cli.storecli import open_store
from cardaudit.reports.escape import markdown
from cardaudit.reports.table import console_for
from cardaudit.reports.tabular import Cell, write_csv, write_markdown_table

RUNS_FORMATS = ("table", "json", "csv", "markdown")
RUN_COLUMNS = ("id", "started_at", "finished_at", "status", "models", "errors", "not_done",
               "source", "tool_version", "rules_digest")


def _markdown(stream: TextIO, path: Path, rows: Sequence[Sequence[Cell]]) -> None:
    stream.write(f"# cardaudit runs in {markdown(str(path))}\n\n")
    write_markdown_table(stream, RUN_COLUMNS, rows)


def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="Newest N runs.", min=1,
                                       max=MAX_OPTION_COUNT)] = 20,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="table, json, csv or markdown (default: from the --output "
                               "extension, else table).")] = None,
    output: OutputOption = None,
    db: Annotated[Path | None, typer.Option("--db", help="The audit store.", dir_okay=False)]
    = None,
    width: WidthOption = None,
) -> None:
    """List the stored runs, newest first: status (complete, incomplete, running), models,
    errors, source and rules digest."""
    fmt = chosen_format(fmt, output, RUNS_FORMATS, "table")
    with open_store(db, ctx.obj) as store:
        found = store.runs(limit)
        path = store.path
    if fmt == "json":
        data = {"schema_version": 1, "store": str(path), "runs": [
            {"id": r.id, "started_at": r.started_at, "finished_at": r.finished_at,
             "status": r.status, "models": r.models, "errors": r.errors,
             "not_done": r.not_done, "source": r.source, "tool_version": r.tool_version,
             "rules_digest": r.rules_digest, "arguments": r.arguments} for r in found]}
        write_output(lambda s: print(json.dumps(data, indent=2), file=s), output)
        return
    if fmt in ("csv", "markdown"):
        rows = [(r.id, r.started_at, r.finished_at, r.status, r.models, r.errors, r.not_done,
                 r.source, r.tool_version, r.rules_digest) for r in found]
        if fmt == "csv":
            write_output(lambda s: write_csv(s, RUN_COLUMNS, rows), output)
        else:
            write_output(lambda s: _markdown(s, path, rows), output)
        return

    def render(stream: TextIO) -> None:
        console = console_for(stream, table_width(width, ctx.obj.width, output))
        table = Table(title=f"runs in {path}", box=box.SIMPLE_HEAD, show_edge=False,
                      pad_edge=False, header_style="bold")
        for column in ("run", "started", "status", "models", "errors", "source", "rules"):
            table.add_column(column, no_wrap=column != "source")
        for r in found:
            status = Text(r.status, style={"complete": "green", "incomplete": "red"}
                          .get(r.status, "yellow"))
            table.add_row(str(r.id), r.started_at, status, f"{r.models:,}", f"{r.errors:,}",
                          Text(r.source), r.rules_digest)
        console.print(table)
    write_output(render, output)
