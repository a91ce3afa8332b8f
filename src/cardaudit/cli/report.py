"""`cardaudit report`: a self-contained procurement report (HTML or Markdown) to file."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer

from cardaudit.cli.common import TargetFlags, audit_with, gate
from cardaudit.cli.options import (
    CacheDirOption,
    EndpointOption,
    ExemptionsOption,
    FromFileOption,
    JobsOption,
    LimitOption,
    LineageDirOption,
    LineageEndpointOption,
    LineageHubOption,
    NoDatasetCheckOption,
    OfflineOption,
    OrgOption,
    PolicyOption,
    QuietOption,
    RefreshOption,
    RevisionOption,
    RulesOption,
    SearchOption,
    SortOption,
    TargetsArgument,
    TimeoutOption,
    TokenOption,
    chosen_format,
    stdout_dash,
)
from cardaudit.cli.output import write_output
from cardaudit.errors import EXIT_USAGE, UsageError
from cardaudit.reports import procurement

REPORT_FORMATS = {"html": procurement.render_html, "markdown": procurement.render_markdown}


def report(
    ctx: typer.Context,
    targets: TargetsArgument = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="report.html or report.md (default: HTML on stdout).",
        dir_okay=False, callback=stdout_dash)] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="html or markdown (default: from the --output extension).")]
    = None,
    policy: PolicyOption = "commercial-use",
    exemptions: ExemptionsOption = None,
    rules: RulesOption = None,
    org: OrgOption = None,
    search: SearchOption = None,
    sort: SortOption = None,
    limit: LimitOption = None,
    from_file: FromFileOption = None,
    revision: RevisionOption = None,
    endpoint: EndpointOption = None,
    token: TokenOption = None,
    offline: OfflineOption = False,
    cache_dir: CacheDirOption = None,
    timeout: TimeoutOption = None,
    refresh: RefreshOption = False,
    jobs: JobsOption = 8,
    no_dataset_check: NoDatasetCheckOption = False,
    quiet: QuietOption = False,
    lineage_dir: LineageDirOption = None,
    lineage_hub: LineageHubOption = False,
    lineage_endpoint: LineageEndpointOption = None,
) -> None:
    """Write a procurement report: verdict per model, obligations checklist, evidence, charts.

    Exit 0 when the report was written (whatever the verdicts), 2 on usage or fatal errors."""
    chosen = chosen_format(fmt, output, REPORT_FORMATS, "")
    if not chosen:  # an extension that names no report format (a .pdf): never HTML under it
        if output is None or not output.suffix:
            chosen = "html"
        else:
            raise UsageError(f"cannot tell the report format from '{output.suffix}': the "
                             "report is HTML or Markdown", hint="name the file .html or .md, "
                             "or pass --format (print the HTML to PDF from a browser)")
    flags = TargetFlags(targets, org, search, sort, limit, from_file, revision, endpoint, token,
                        offline, cache_dir, timeout, refresh, jobs, no_dataset_check, quiet,
                        rules, lineage_dir, lineage_hub, lineage_endpoint)
    settings, pack, audited, state, total = audit_with(flags, ctx.obj)
    outcome = gate(audited, pack, settings, policy, exemptions)
    write_output(functools.partial(REPORT_FORMATS[chosen], outcome), output)
    if state.interrupted:
        typer.echo(f"interrupted: {state.interrupted} of {total} model(s) not done", err=True)
        raise typer.Exit(EXIT_USAGE)
