"""Shared option types, so every command spells a flag the same way."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from pathlib import Path
from typing import Annotated

import typer

from cardaudit.errors import UsageError
from cardaudit.reports import FORMATS
from cardaudit.settings import (
    MAX_WIDTH,
    MIN_WIDTH,
    Secret,
    Settings,
    endpoint_problem,
    shown_url,
)

FormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)} "
                             "(default: from the --output extension, else table).",
                             case_sensitive=False)]


def stdout_dash(output: Path | None) -> Path | None:
    """`-o -` is stdout, as for most command-line tools (it wrote a file named `-`)."""
    return None if output is not None and str(output) == "-" else output


def table_width(width: int | None, default: int | None, output: Path | None) -> int | None:
    """--width; else, for a table written to a file, as wide as its columns need (up to
    MAX_WIDTH): the terminal the command ran in must not decide which columns a filed report
    leaves out; else `default` (COLUMNS, or the terminal's own width)."""
    if width is not None:
        return width
    return MAX_WIDTH if output is not None else default


OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the report to FILE (atomically) "
                                                     "instead of stdout (`-`: stdout).",
                              dir_okay=False, callback=stdout_dash)]
RulesOption = Annotated[
    list[Path] | None, typer.Option("--rules", help="Add a folder of rule files to the shipped "
                                                   "pack (repeatable).", file_okay=False)]
EndpointOption = Annotated[
    str | None, typer.Option("--endpoint", help="Hub endpoint URL (default: HF_ENDPOINT or "
                                                "https://huggingface.co).")]
TokenOption = Annotated[
    str | None, typer.Option("--token", help="Hub token (default: HF_TOKEN or the token saved "
                                             "by `hf auth login`). Never printed or stored.")]
WidthOption = Annotated[
    int | None, typer.Option("--width", help="Table width in columns (default: terminal).",
                             min=MIN_WIDTH, max=MAX_WIDTH)]
OfflineOption = Annotated[
    bool, typer.Option("--offline", help="Use only the cache (also: HF_HUB_OFFLINE=1); uncached "
                                         "models become error rows.")]
CacheDirOption = Annotated[
    Path | None, typer.Option("--cache-dir", help="Cache folder (default: CARDAUDIT_CACHE or "
                                                  "~/.cache/cardaudit).", file_okay=False)]
TimeoutOption = Annotated[
    float | None, typer.Option("--timeout", help="Seconds to wait for each Hub reply.",
                               min=0.1, max=600)]


def hub_settings(settings: Settings, endpoint: str | None, token: str | None, offline: bool,
                 cache_dir: Path | None, timeout: float | None, *, quiet: bool = False
                 ) -> Settings:
    """Settings with the Hub flags (and --quiet) applied; the token falls back to `hf auth
    login`'s file."""
    changes: dict[str, object] = {"quiet": True} if quiet else {}
    if endpoint:
        problem = endpoint_problem(endpoint)
        if problem is not None:
            raise UsageError(f"--endpoint '{shown_url(endpoint)}' {problem}")
        changes["endpoint"] = endpoint.rstrip("/")
        changes["endpoint_error"] = None
    if token:
        changes["token"] = Secret(token)
    elif settings.token is None:
        saved = saved_token()
        if saved:
            changes["token"] = Secret(saved)
    if offline:
        changes["offline"] = True
    if cache_dir is not None:
        changes["cache_dir"] = cache_dir
    if timeout is not None:
        changes["timeout"] = timeout
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


def saved_token() -> str | None:
    """The token `hf auth login` saved, if any (read at call time, never logged)."""
    from huggingface_hub import constants

    path = Path(constants.HF_TOKEN_PATH)
    try:
        return path.read_text(encoding="utf-8").strip() or None if path.is_file() else None
    except OSError:
        return None


# The largest count a count option takes: beyond any listing or store, well inside SQLite's
# integers, and short in --help ("[1<=x<=1000000000]", not nineteen digits).
MAX_OPTION_COUNT = 1_000_000_000

OrgOption = Annotated[list[str] | None, typer.Option(
    "--org", help="Every model of a Hub organization or user (repeatable).")]
SearchOption = Annotated[str | None, typer.Option("--search",
                                                  help="Hub models whose id contains this.")]
SortOption = Annotated[str | None, typer.Option(
    "--sort", help="Order of --search/--org listings: downloads, likes, createdAt, "
                   "lastModified, trendingScore.")]
LimitOption = Annotated[int | None, typer.Option("--limit", help="At most N models from "
                                                                 "--search.", min=1,
                                                                 max=MAX_OPTION_COUNT)]
FromFileOption = Annotated[Path | None, typer.Option(
    "--from-file", help="Read targets from FILE (`-`: standard input): one id or path "
                        "a line, # comments.",
    dir_okay=False)]
RevisionOption = Annotated[str | None, typer.Option(
    "--revision", help="Audit this branch, tag or commit of the named Hub models.")]
RefreshOption = Annotated[bool, typer.Option("--refresh", help="Ignore the cache; fetch again.")]
JobsOption = Annotated[int, typer.Option("--jobs", "-j", help="Parallel Hub requests.", min=1,
                                         max=64)]
NoDatasetCheckOption = Annotated[bool, typer.Option(
    "--no-dataset-check", help="Do not look up `datasets:` ids on the Hub.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
TargetsArgument = Annotated[list[str] | None, typer.Argument(
    help="Model folders (README.md [+ LICENSE]), card .md files, folders of model folders, "
         "or Hub ids (org/name).", show_default=False)]
LineageDirOption = Annotated[list[Path] | None, typer.Option(
    "--lineage-dir", help="Folders of base-model cards to resolve `base_model` ancestors from "
                          "(repeatable).", file_okay=False)]
LineageHubOption = Annotated[bool, typer.Option(
    "--lineage-hub", help="Look up ancestors of local models on the Hub too.")]
LineageEndpointOption = Annotated[str | None, typer.Option(
    "--lineage-endpoint", help="Look up ancestors on this Hub too (e.g. the public Hub while "
                               "auditing a private registry): after local folders and the run's "
                               "endpoint. Its token is CARDAUDIT_LINEAGE_TOKEN, never the run's.",
    show_default=False)]
DbOption = Annotated[Path | None, typer.Option(
    "--db", help="The audit store (default: CARDAUDIT_DB, else audits.sqlite in the user data "
                 "folder).", dir_okay=False)]
NoStoreOption = Annotated[bool, typer.Option("--no-store", help="Do not record this run.")]
PolicyOption = Annotated[str, typer.Option(
    "--policy", "-p", help="A shipped policy (permissive-only, commercial-use, research-ok, "
                           "eu-gpai-transparency) or a policy file.")]
ExemptionsOption = Annotated[Path | None, typer.Option(
    "--exemptions", help="Exemptions file (model, clause or rule, reason, owner, expiry).",
    dir_okay=False)]


# what an --output file's extension says it holds, when no --format is given
_FORMAT_OF_EXTENSION = {".json": "json", ".csv": "csv", ".md": "markdown",
                        ".markdown": "markdown", ".sarif": "sarif", ".xml": "junit",
                        ".html": "html", ".htm": "html"}


def chosen_format(given: str | None, output: Path | None, allowed: Collection[str],
                  default: str) -> str:
    """--format when given; else the format --output's extension names, if the command
    writes it (`-o report.json` is JSON, not a table in a .json file); else `default`."""
    if given is not None:
        fmt = given.lower()
        check_format(fmt, allowed, given=given)
        return fmt
    named = _FORMAT_OF_EXTENSION.get(output.suffix.lower()) if output is not None else None
    return named if named is not None and named in allowed else default


def check_format(fmt: str, allowed: Collection[str], *, given: str | None = None) -> None:
    """Refuse a --format the command does not write (exit 2, naming the ones it does)."""
    if fmt not in allowed:
        raise UsageError(f"unknown format '{given or fmt}' (choose from: {', '.join(allowed)})")
