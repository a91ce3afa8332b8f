"""`cardaudit bom`: an AI bill of materials (SPDX 3.0.1, SPDX 2.3 or CycloneDX 1.6)."""

from __future__ import annotations

import datetime as dt
import functools
import importlib
from pathlib import Path
from typing import Annotated

import typer

from cardaudit.bom.content import bom_model
from cardaudit.cli.common import TargetFlags, audit_with
from cardaudit.cli.options import (
    CacheDirOption,
    EndpointOption,
    FromFileOption,
    JobsOption,
    LimitOption,
    LineageDirOption,
    LineageEndpointOption,
    LineageHubOption,
    NoDatasetCheckOption,
    OfflineOption,
    OrgOption,
    OutputOption,
    QuietOption,
    RefreshOption,
    RevisionOption,
    RulesOption,
    SearchOption,
    SortOption,
    TargetsArgument,
    TimeoutOption,
    TokenOption,
    check_format,
)
from cardaudit.cli.output import write_output
from cardaudit.errors import EXIT_USAGE

# The writers import spdx-tools, spdx-python-model and cyclonedx-python-lib (1.5 s of imports):
# loaded only when a BOM is written, so every other command starts fast.
BOM_FORMATS = {"spdx3": "cardaudit.bom.spdx3", "spdx2": "cardaudit.bom.spdx2",
               "cyclonedx": "cardaudit.bom.cyclonedx"}


def bom(
    ctx: typer.Context,
    targets: TargetsArgument = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="spdx3, spdx2 or cyclonedx.")]
    = "spdx3",
    output: OutputOption = None,
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
    """Write an AI bill of materials for the models: license, training information,
    datasets, suppliers. Every license expression is validated before it is written."""
    check_format(fmt, BOM_FORMATS)
    flags = TargetFlags(targets, org, search, sort, limit, from_file, revision, endpoint, token,
                        offline, cache_dir, timeout, refresh, jobs, no_dataset_check, quiet,
                        rules, lineage_dir, lineage_hub, lineage_endpoint)
    settings, _, report, state, total = audit_with(flags, ctx.obj)
    results = sorted(report.results, key=lambda r: (r.id.casefold(), r.location))
    models = [bom_model(r, settings.endpoint) for r in results]
    created = dt.datetime.fromisoformat(settings.generated_at.replace("Z", "+00:00"))
    render = importlib.import_module(BOM_FORMATS[fmt]).render
    write_output(functools.partial(render, models, created=created), output)
    if state.interrupted:
        typer.echo(f"interrupted: {state.interrupted} of {total} model(s) not done", err=True)
        raise typer.Exit(EXIT_USAGE)


__all__ = ["Path", "bom"]
