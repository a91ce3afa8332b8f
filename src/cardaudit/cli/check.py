"""`cardaudit check`: the policy gate for CI and model registries.

Exit 0 when every model passes the policy, 1 when any fails (a model that could not be
audited fails unless the policy says `on_error: warn`), 2 on usage or fatal errors.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
from pathlib import Path
from typing import Annotated

import typer

from cardaudit.cli.audit import run_audit
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
    OutputOption,
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
    WidthOption,
    chosen_format,
    hub_settings,
    table_width,
)
from cardaudit.cli.output import write_output
from cardaudit.errors import EXIT_OK, EXIT_POLICY_FAILED, EXIT_USAGE
from cardaudit.pack import load_pack
from cardaudit.policy.evaluate import judge_run
from cardaudit.policy.schema import load_exemptions, resolve_policy
from cardaudit.reports import gate_text, junit, sarif
from cardaudit.sources.select import Request

CHECK_FORMATS = ("table", "json", "csv", "markdown", "sarif", "junit")


def check(
    ctx: typer.Context,
    targets: TargetsArgument = None,
    policy: PolicyOption = "commercial-use",
    exemptions: ExemptionsOption = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help=f"Output format: {', '.join(CHECK_FORMATS)} (default: from the "
                               "--output extension, else table).")] = None,
    output: OutputOption = None,
    rules: RulesOption = None,
    width: WidthOption = None,
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
    """Gate models on a policy: exit 0 all pass, 1 a policy failed, 2 usage or fatal error.

    With GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it."""
    settings = hub_settings(ctx.obj, endpoint, token, offline, cache_dir, timeout, quiet=quiet)
    fmt = chosen_format(fmt, output, CHECK_FORMATS, "table")
    pack = load_pack([Path(p) for p in rules or []])
    known = {r.id for r in pack.rules.rules}
    chosen = resolve_policy(policy, known)
    waivers = load_exemptions(exemptions, known) if exemptions is not None else []
    request = Request(targets=list(targets or []), orgs=list(org or []), search=search,
                      sort=sort, limit=limit, from_file=from_file, revision=revision,
                      refresh=refresh, jobs=jobs, check_datasets=not no_dataset_check,
                      lineage_dirs=list(lineage_dir or []), lineage_hub=lineage_hub,
                      lineage_endpoint=lineage_endpoint)
    report, state, total = run_audit(settings, request, pack)
    today = dt.date.fromisoformat(settings.generated_at[:10])
    outcome = judge_run(report, chosen, waivers, today, origins=pack.knowledge.origins)
    renderers = {
        "table": functools.partial(gate_text.render_table, outcome,
                                   width=table_width(width, settings.width, output)),
        "json": functools.partial(gate_text.render_json, outcome),
        "markdown": functools.partial(gate_text.render_markdown, outcome),
        "csv": functools.partial(gate_text.render_csv, outcome),
        "sarif": functools.partial(sarif.render, outcome, pack.rules.rules),
        "junit": functools.partial(junit.render, outcome),
    }
    write_output(renderers[fmt], output)
    _step_summary(outcome)
    if state.interrupted:
        typer.echo(f"interrupted: {state.interrupted} of {total} model(s) not done", err=True)
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_OK if outcome.passed else EXIT_POLICY_FAILED)


def _step_summary(outcome) -> None:  # type: ignore[no-untyped-def]
    """Append the Markdown summary to $GITHUB_STEP_SUMMARY (GitHub Actions) when it is set.
    A summary that cannot be written is a warning: the gate's verdict (exit 0 or 1) and its
    report stand, and a broken runner setting must not turn a pass into an error."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    buffer = io.StringIO()
    gate_text.render_markdown(outcome, buffer)
    try:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(buffer.getvalue())
    except OSError as exc:
        typer.echo(f"warning: cannot append to GITHUB_STEP_SUMMARY: {exc.strerror or exc}; "
                   "the verdict stands", err=True)
