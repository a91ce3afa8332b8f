"""`cardaudit history MODEL`: the card at each Hub commit and what each commit changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from cardaudit.cards.document import CardReader
from cardaudit.cli.options import (
    MAX_OPTION_COUNT,
    CacheDirOption,
    EndpointOption,
    JobsOption,
    OfflineOption,
    OutputOption,
    QuietOption,
    RulesOption,
    TimeoutOption,
    TokenOption,
    WidthOption,
    chosen_format,
    hub_settings,
    table_width,
)
from cardaudit.cli.output import write_output
from cardaudit.cli.progress import progress_bar
from cardaudit.errors import SourceError, UsageError
from cardaudit.history.compare import BETTER, WORSE
from cardaudit.history.timeline import Timeline, card_history
from cardaudit.pack import load_pack
from cardaudit.reports.escape import markdown, plain
from cardaudit.reports.table import console_for
from cardaudit.reports.tabular import write_csv
from cardaudit.runner import Auditor
from cardaudit.sources.hubclient import HubClient, Throttle
from cardaudit.sources.targets import hub_model_id

_STYLE = {WORSE: "red", BETTER: "green"}


def _changes_text(point: object) -> Text:
    text = Text()
    for n, change in enumerate(point.changes):  # type: ignore[attr-defined]
        if n:
            text.append("\n")
        text.append(plain(change.describe()), style=_STYLE.get(change.direction, ""))
    return text


def render_table(timeline: Timeline, stream: TextIO, width: int | None) -> None:
    console = console_for(stream, width)
    table = Table(title=f"history of {plain(timeline.model_id)} (newest first)",
                  box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for column in ("commit", "date", "license", "disclosure", "gate", "score", "changed"):
        table.add_column(column, no_wrap=column in ("commit", "date", "score"),
                         overflow="fold")
    for point in timeline.points:
        m = point.model
        license_ = f"{m.license} ({m.category})" if m.license else (m.error_code or "—")
        score = "—" if m.scores.get("overall") is None else str(m.scores["overall"])
        table.add_row(point.commit[:10], (point.date or "")[:10], Text(plain(license_)),
                      Text(m.disclosure or "—"), Text(m.gate or "—"), score,
                      _changes_text(point) if point.changes else Text(
                          "first commit shown" if point is timeline.points[-1] else "—",
                          style="dim"))
    console.print(table)
    if timeline.total_commits is None:
        console.print(Text("older commits not shown (--limit)", style="dim"))
    elif timeline.total_commits > len(timeline.points):
        more = timeline.total_commits - len(timeline.points)
        console.print(Text(f"{more} older commit(s) not shown (--limit)", style="dim"))


HISTORY_FORMATS = ("table", "json", "csv", "markdown")
POINT_COLUMNS = ("commit", "date", "title", "status", "license", "category", "disclosure",
                 "gate", "score", "grade", "changes")


def render_csv(timeline: Timeline, stream: TextIO) -> None:
    """A row per commit, newest first, as in the JSON timeline."""
    rows = []
    for point in timeline.points:
        data = point.as_json()
        changes = "; ".join(c.describe() for c in point.changes)
        rows.append((*(data[c] for c in POINT_COLUMNS[:-1]), changes or None))
    write_csv(stream, POINT_COLUMNS, rows)


def render_markdown(timeline: Timeline, stream: TextIO) -> None:
    stream.write(f"# History of {markdown(timeline.model_id)}\n\n| commit | date | license | "
                 "disclosure | gate | score | changed |\n|---|---|---|---|---|---:|---|\n")
    for point in timeline.points:
        m = point.model
        changes = "<br>".join(markdown(c.describe()) for c in point.changes) or "—"
        stream.write(f"| `{point.commit[:10]}` | {(point.date or '')[:10]} | "
                     f"{markdown(str(m.license or m.error_code))} | {m.disclosure or '—'} | "
                     f"{m.gate or '—'} | {m.scores.get('overall', '—')} | {changes} |\n")


def history(
    ctx: typer.Context,
    model: Annotated[str, typer.Argument(help="A Hub model id (org/name).", show_default=False)],
    limit: Annotated[int, typer.Option("--limit", help="Newest N commits.", min=1,
                                       max=MAX_OPTION_COUNT)] = 20,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="table, json, csv (a row per commit) or markdown (default: "
                               "from the --output extension, else table).")] = None,
    output: OutputOption = None,
    rules: RulesOption = None,
    width: WidthOption = None,
    endpoint: EndpointOption = None,
    token: TokenOption = None,
    offline: OfflineOption = False,
    cache_dir: CacheDirOption = None,
    timeout: TimeoutOption = None,
    jobs: JobsOption = 8,
    quiet: QuietOption = False,
) -> None:
    """Audit a model card at each of its Hub commits (newest first) and show what each commit
    changed: license, disclosure, gate, score.

    Exit 0, or 2 when the model's commits cannot be listed (missing, private, offline)."""
    fmt = chosen_format(fmt, output, HISTORY_FORMATS, "table")
    settings = hub_settings(ctx.obj, endpoint, token, offline, cache_dir, timeout, quiet=quiet)
    model = hub_model_id(model, settings.endpoint)
    if settings.offline:
        raise UsageError("history needs the Hub's commit list; it is not available offline")
    pack = load_pack([Path(p) for p in rules or []])
    client = HubClient(settings, Throttle(jobs), retries=settings.retries,
                       backoff=settings.backoff)
    try:
        timeline = card_history(client, CardReader(pack.knowledge.sections), Auditor(pack),
                                model, limit, jobs,
                                progress=lambda total: progress_bar(settings, total, "commits"))
    except SourceError as exc:
        raise UsageError(f"{model}: {exc.message}") from None
    if fmt == "json":
        write_output(lambda s: print(json.dumps(timeline.as_json(), indent=2), file=s), output)
    elif fmt == "markdown":
        write_output(lambda s: render_markdown(timeline, s), output)
    elif fmt == "csv":
        write_output(lambda s: render_csv(timeline, s), output)
    else:
        shown = table_width(width, settings.width, output)
        write_output(lambda s: render_table(timeline, s, shown), output)
