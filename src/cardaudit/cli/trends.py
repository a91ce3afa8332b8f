"""`cardaudit trends`: disclosure, license and documentation trends over a stored run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cardaudit.cli.options import (
    MAX_OPTION_COUNT,
    OutputOption,
    WidthOption,
    chosen_format,
    table_width,
)
from cardaudit.cli.output import write_output
from cardaudit.cli.storecli import open_store, pick_run
from cardaudit.errors import UsageError
from cardaudit.pack import load_pack
from cardaudit.reports.escape import lines
from cardaudit.trends.compute import TrendQuery, compute
from cardaudit.trends.render import RENDERERS, render_table

TREND_FORMATS = ("table", *RENDERERS)


def trends(
    ctx: typer.Context,
    run: Annotated[int | None, typer.Option("--run", help="A stored run (default: the latest "
                                                          "complete run).", min=1,
                                                          max=MAX_OPTION_COUNT)] = None,
    latest: Annotated[bool, typer.Option("--latest", help="The latest complete run (the "
                                                          "default).")] = False,
    by: Annotated[str, typer.Option(
        "--by", help="year, month, org, country, license-category, base-origin (root country "
                     "and family of derivatives) or base-country.")] = "year",
    cohort: Annotated[str, typer.Option(
        "--cohort", help="Date for year/month: created (createdAt; falls back to "
                         "lastModified where missing) or modified.")] = "created",
    weight: Annotated[str, typer.Option(
        "--weight", help="Main weighting of the shares: none or downloads (both are shown "
                         "side by side).")] = "none",
    top: Annotated[int | None, typer.Option(
        "--top", help="Only the N most downloaded models per group ('popular').", min=1,
        max=MAX_OPTION_COUNT)]
    = None,
    relation: Annotated[str, typer.Option(
        "--relation", help="Only derivatives of this relation: all, finetune, adapter, "
                           "quantized, merge.")] = "all",
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="table, json, csv or markdown (default: from the --output "
                               "extension, else table).")] = None,
    output: OutputOption = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="Also write a chart: FILE.png, FILE.svg or FILE.html.", dir_okay=False)]
    = None,
    db: Annotated[Path | None, typer.Option("--db", help="The audit store.", dir_okay=False)]
    = None,
    width: WidthOption = None,
) -> None:
    """Trends over a stored run: per group the disclosure levels, permissive, commercial-use
    and gated shares, section completion, mean scores and median parameters — unweighted and
    download-weighted."""
    if run is not None and latest:
        raise UsageError("--run and --latest exclude each other")
    fmt = chosen_format(fmt, output, TREND_FORMATS, "table")
    query = TrendQuery(by=by, cohort=cohort, weight=weight, top=top, relation=relation)
    query.check()
    settings = ctx.obj
    with open_store(db, settings) as store:
        chosen, warning = pick_run(store, run)
        if warning:
            typer.echo(lines(f"warning: {warning}"), err=True)
        table = compute(store.models(chosen.id, with_hub=False), query,
                        load_pack().knowledge.origins, run_id=chosen.id)
    if chart is not None:
        from cardaudit.trends.chart import write_chart  # matplotlib loads only when asked

        write_chart(table, chart)
    if fmt == "table":
        shown = table_width(width, settings.width, output)
        write_output(lambda s: render_table(table, s, shown), output)
    else:
        write_output(lambda s: RENDERERS[fmt](table, s), output)
