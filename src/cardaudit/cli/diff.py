"""`cardaudit diff`: what changed per model between two stored runs."""

from __future__ import annotations

import json
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
from cardaudit.errors import EXIT_POLICY_FAILED, UsageError
from cardaudit.history.compare import BETTER, WORSE, show_value
from cardaudit.history.rundiff import RunDiff, default_pair, diff_runs
from cardaudit.reports.escape import markdown, plain
from cardaudit.reports.table import console_for
from cardaudit.reports.tabular import Cell, write_csv

_STYLE = {WORSE: "red", BETTER: "green"}


def render_table(diff: RunDiff, stream: TextIO, width: int | None) -> None:
    console = console_for(stream, width)
    table = Table(title=f"diff run {diff.before.id} → run {diff.after.id}", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("model", overflow="fold")
    table.add_column("verdict", no_wrap=True)
    table.add_column("changes", overflow="fold")
    for model in diff.models:
        verdict = WORSE if model.worse else BETTER if model.better else "changed"
        lines = Text()
        for n, change in enumerate(model.changes):
            if n:
                lines.append("\n")
            lines.append(plain(change.describe()), style=_STYLE.get(change.direction, ""))
        table.add_row(Text(plain(model.id)), Text(verdict, style=_STYLE.get(verdict, "")), lines)
    if diff.models:
        console.print(table)
    data = diff.as_json()["summary"]
    console.print(Text(f"{data['changed']} changed ({data['worse']} worse, {data['better']} "
                       f"better), {data['unchanged']} unchanged, {data['added']} added, "
                       f"{data['removed']} removed"))
    for label, ids in (("added", diff.added), ("removed", diff.removed)):
        if ids:
            shown = ", ".join(plain(i) for i in ids[:10])
            more = f" … and {len(ids) - 10} more" if len(ids) > 10 else ""
            console.print(Text(f"{label}: {shown}{more}", style="dim"))
    if diff.note:
        console.print(Text(f"note: {diff.note}", style="dim"))


DIFF_FORMATS = ("table", "json", "csv", "markdown")
CHANGE_COLUMNS = ("model", "verdict", "field", "before", "after", "direction", "note")


def render_csv(diff: RunDiff, stream: TextIO) -> None:
    """A row per change; models only in one run are one row each (verdict added / removed)."""
    rows: list[tuple[Cell, ...]] = []
    for model in diff.models:
        verdict = WORSE if model.worse else BETTER if model.better else "changed"
        rows.extend((model.id, verdict, c.field, _cell(c.before), _cell(c.after), c.direction,
                     c.note or None) for c in model.changes)
    rows.extend((model_id, "added", None, None, None, None, None) for model_id in diff.added)
    rows.extend((model_id, "removed", None, None, None, None, None) for model_id in diff.removed)
    write_csv(stream, CHANGE_COLUMNS, rows)


def _cell(value: object) -> Cell:
    return None if value is None else show_value(value)


def render_markdown(diff: RunDiff, stream: TextIO) -> None:
    stream.write(f"# cardaudit diff: run {diff.before.id} → run {diff.after.id}\n\n"
                 "| model | verdict | changes |\n|---|---|---|\n")
    for model in diff.models:
        verdict = WORSE if model.worse else BETTER if model.better else "changed"
        changes = "<br>".join(markdown(c.describe()) for c in model.changes)
        stream.write(f"| {markdown(model.id)} | {verdict} | {changes} |\n")
    data = diff.as_json()["summary"]
    stream.write(f"\n{data['changed']} changed ({data['worse']} worse), {data['unchanged']} "
                 f"unchanged, {data['added']} added, {data['removed']} removed.\n")


def diff(
    ctx: typer.Context,
    runs: Annotated[list[int] | None, typer.Argument(
        help="RUN_A RUN_B (default: the latest complete run and the latest earlier complete "
             "run over the same models).", show_default=False, min=1, max=MAX_OPTION_COUNT)] = None,
    fail_on_regression: Annotated[bool, typer.Option(
        "--fail-on-regression", help="Exit 1 when any model got worse.")] = False,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="table, json, csv (a row per change) or markdown (default: "
                               "from the --output extension, else table).")] = None,
    output: OutputOption = None,
    db: Annotated[Path | None, typer.Option("--db", help="The audit store.", dir_okay=False)]
    = None,
    width: WidthOption = None,
) -> None:
    """Per model, what changed between two runs: license (more or less restrictive),
    disclosure, gate, scores, newly failing rules.

    Exit 0, or 1 with --fail-on-regression when a model got worse; 2 on usage errors."""
    fmt = chosen_format(fmt, output, DIFF_FORMATS, "table")
    chosen = list(runs or [])
    if len(chosen) not in (0, 2):
        raise UsageError("name two runs (RUN_A RUN_B), or none for the latest pair")
    with open_store(db, ctx.obj) as store:
        if chosen:
            before, after, note = store.run(chosen[0]), store.run(chosen[1]), None
        else:
            before, after, note = default_pair(store)
        result = diff_runs(store, before, after, note)
    if fmt == "json":
        write_output(lambda s: print(json.dumps(result.as_json(), indent=2), file=s), output)
    elif fmt == "markdown":
        write_output(lambda s: render_markdown(result, s), output)
    elif fmt == "csv":
        write_output(lambda s: render_csv(result, s), output)
    else:
        shown = table_width(width, ctx.obj.width, output)
        write_output(lambda s: render_table(result, s, shown), output)
    if fail_on_regression and result.worse:
        typer.echo(f"{len(result.worse)} model(s) got worse", err=True)
        raise typer.Exit(EXIT_POLICY_FAILED)
