"""`cardaudit audit`: audit model cards — local folders and files, Hub ids, whole organizations
or a Hub search — and print a scored table or a report file."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from cardaudit import __version__
from cardaudit.bulk import STREAMED_FORMATS
from cardaudit.cards.document import CardReader
from cardaudit.cli.dump_run import DumpJob, run_dump, write_summary
from cardaudit.cli.options import (
    CacheDirOption,
    DbOption,
    EndpointOption,
    FormatOption,
    LimitOption,
    LineageDirOption,
    LineageEndpointOption,
    LineageHubOption,
    NoStoreOption,
    OfflineOption,
    OrgOption,
    OutputOption,
    RulesOption,
    SearchOption,
    SortOption,
    TimeoutOption,
    TokenOption,
    WidthOption,
    chosen_format,
    hub_settings,
    table_width,
)
from cardaudit.cli.output import write_output
from cardaudit.cli.progress import progress_bar
from cardaudit.errors import EXIT_USAGE, UsageError
from cardaudit.interrupts import terminate_as_interrupt
from cardaudit.lineage.hub import NOT_HELD, HubLookup
from cardaudit.lineage.resolve import LineageResolver, LocalLookup, ParentLookup
from cardaudit.pack import RulePack, load_pack
from cardaudit.pipeline import RunState, audit_records, make_report
from cardaudit.reports import FORMATS, Renderer, table
from cardaudit.results import AuditReport, ModelResult
from cardaudit.runner import Auditor
from cardaudit.settings import Settings
from cardaudit.sources.select import Plan, Request, plan
from cardaudit.store import default_store_path
from cardaudit.store.db import RunInfo
from cardaudit.store.recorder import Recorder


def renderer_for(fmt: str, width: int | None) -> Renderer:
    if fmt == "table":
        return functools.partial(table.render, width=width)
    return FORMATS[fmt]


def lineage_resolver(work: Plan, pack: RulePack) -> LineageResolver:
    """Ancestors from local folders first, then the Hub when the run may use it."""
    kb = pack.knowledge.licenses
    vocab = pack.knowledge.datasets
    lookups: list[ParentLookup] = [LocalLookup(work.lineage_sources, kb, vocab)]
    if work.hub is not None:
        # with a lineage endpoint, an id the run's endpoint does not hold is asked there
        lookups.append(HubLookup(work.hub, kb, vocab,
                                 NOT_HELD if work.lineage_hub is not None else frozenset()))
    if work.lineage_hub is not None:
        lookups.append(HubLookup(work.lineage_hub, kb, vocab))
    return LineageResolver(lookups, kb, pack.knowledge.origins)


def run_arguments(ctx: typer.Context) -> dict[str, Any]:
    """The run's flags as recorded in the store: JSON-safe, and never the token."""
    out: dict[str, Any] = {}
    for name, value in sorted(ctx.params.items()):
        if name == "token" or value in (None, False, [], ()):
            continue
        if isinstance(value, list | tuple):
            value = [str(v) for v in value]
        elif not isinstance(value, bool | int | float | str):
            value = str(value)
        out[name] = value
    return out


def run_audit(settings: Settings, request: Request, pack: RulePack,
              store_path: Path | None = None, arguments: dict[str, Any] | None = None
              ) -> tuple[AuditReport, RunState, int]:
    """Plan the targets, audit them all (Hub ones concurrently), build the report; with a
    store path, record the run as it goes."""
    reader = CardReader(pack.knowledge.sections)
    work = plan(request, settings, reader)
    auditor = Auditor(pack, lineage=lineage_resolver(work, pack))
    recorder = None
    if store_path is not None:
        source = "+".join(name for name, used in (("local", work.local_targets),
                                                  ("hub", work.hub is not None)) if used)
        recorder = Recorder.start(store_path, RunInfo(
            settings.generated_at, __version__, pack.rules.digest, source or "none",
            arguments or {}))
    with terminate_as_interrupt(), progress_bar(settings, work.total) as progress:
        def advance(result: ModelResult) -> None:
            if recorder is not None:
                recorder.add(result)
            if progress is not None:
                progress(result)

        try:
            state = audit_records(auditor, work.records(), work.total, advance)
        except BaseException:
            if recorder is not None:
                recorder.finish(complete=False)
            raise
    if recorder is not None:
        recorder.finish(complete=not state.interrupted, not_done=state.interrupted)
    report = make_report(auditor, state, settings.generated_at)
    return report, state, work.total


def audit(
    ctx: typer.Context,
    targets: Annotated[list[str] | None, typer.Argument(
        help="Model folders (README.md [+ LICENSE]), card .md files, folders of model folders, "
             "or Hub ids (org/name).", show_default=False)] = None,
    org: OrgOption = None,
    search: SearchOption = None,
    sort: SortOption = None,
    limit: LimitOption = None,
    from_file: Annotated[Path | None, typer.Option(
        "--from-file", help="Read targets from FILE (`-`: standard input): one id or path "
                        "a line, # comments.",
        dir_okay=False)] = None,
    revision: Annotated[str | None, typer.Option(
        "--revision", help="Audit this branch, tag or commit of the named Hub models.")] = None,
    endpoint: EndpointOption = None,
    token: TokenOption = None,
    offline: OfflineOption = False,
    cache_dir: CacheDirOption = None,
    timeout: TimeoutOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    rules: RulesOption = None,
    width: WidthOption = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Ignore the cache; fetch again.")]
    = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", help="Parallel Hub requests (default 8), or worker processes for "
                             "--dump (default: one per core).", min=1, max=64)] = None,
    dump: Annotated[Path | None, typer.Option(
        "--dump", help="Audit a bulk dump: JSONL (.gz) or Parquet rows with Hub fields and "
                       "`card` (`-`: JSONL on standard input); streamed, in worker processes, "
                       "recorded as one run.",
        dir_okay=False)] = None,
    db: DbOption = None,
    no_store: NoStoreOption = False,
    no_dataset_check: Annotated[bool, typer.Option(
        "--no-dataset-check", help="Do not look up `datasets:` ids on the Hub.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    lineage_dir: LineageDirOption = None,
    lineage_hub: LineageHubOption = False,
    lineage_endpoint: LineageEndpointOption = None,
) -> None:
    """Audit model cards: one row per model with license, disclosure, gate, scores and grade.

    Exit 0 when every model got its row (error rows included), 2 on usage or fatal errors."""
    settings = hub_settings(ctx.obj, endpoint, token, offline, cache_dir, timeout, quiet=quiet)
    # a dump run streams JSON or CSV rows, or prints a summary table
    chosen = chosen_format(fmt, output, ("table", *STREAMED_FORMATS) if dump else FORMATS,
                           "table")
    store_path = None if no_store else (db or default_store_path(settings))
    arguments = run_arguments(ctx)
    if dump is not None:
        if targets or org or search or from_file:
            raise UsageError("--dump audits the dump alone; name targets in a separate run")
        job = DumpJob(dump, jobs or (os.cpu_count() or 1), [Path(p) for p in rules or []],
                      chosen, output, store_path, arguments)
        outcome = run_dump(settings, job)
        # the summary is the report only as a table; else it goes to the terminal (stderr)
        write_summary(job, outcome, table_width(width, settings.width,
                                                output if chosen == "table" else None))
        if outcome.interrupted:
            typer.echo("interrupted: the run is stored as incomplete", err=True)
            raise typer.Exit(EXIT_USAGE)
        return
    render = renderer_for(chosen, table_width(width, settings.width, output))
    pack = load_pack([Path(p) for p in rules or []])
    request = Request(targets=list(targets or []), orgs=list(org or []), search=search,
                      sort=sort, limit=limit, from_file=from_file, revision=revision,
                      refresh=refresh, jobs=jobs or 8, check_datasets=not no_dataset_check,
                      lineage_dirs=list(lineage_dir or []), lineage_hub=lineage_hub,
                      lineage_endpoint=lineage_endpoint)
    report, state, total = run_audit(settings, request, pack, store_path, arguments)
    write_output(lambda stream: render(report, stream), output)
    if state.interrupted:
        typer.echo(f"interrupted: {state.interrupted} of {total} model(s) not done; the report "
                   "holds the rows finished", err=True)
        raise typer.Exit(EXIT_USAGE)

