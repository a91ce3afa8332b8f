"""`cardaudit runs`: the runs recorded in the audit store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from cardaudit.cli.options import OutputOption, WidthOption, check_format
from cardaudit.cli.output import write_output
from cardaudit.cli.storecli import open_store
from cardaudit.reports.table import console_for


def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="Newest N runs.", min=1)] = 20,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    output: OutputOption = None,
    db: Annotated[Path | None, typer.Option("--db", help="The audit store.", dir_okay=False)]
    = None,
    width: WidthOption = None,
) -> None:
    """List the stored runs, newest first: status (complete, incomplete, running), models,
    errors, source and rules digest."""
    check_format(fmt, ("table", "json"))
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

    def render(stream: TextIO) -> None:
        console = console_for(stream, width or ctx.obj.width)
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
