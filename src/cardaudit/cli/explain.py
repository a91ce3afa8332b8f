"""`cardaudit explain`: every finding for a model, with evidence and the fix."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cardaudit.cli.common import TargetFlags, audit_with
from cardaudit.cli.options import (
    CacheDirOption,
    EndpointOption,
    LineageDirOption,
    LineageEndpointOption,
    LineageHubOption,
    OfflineOption,
    OutputOption,
    QuietOption,
    RefreshOption,
    RevisionOption,
    RulesOption,
    TimeoutOption,
    TokenOption,
    WidthOption,
    chosen_format,
)
from cardaudit.cli.output import write_output
from cardaudit.reports.document import model_data, sorted_results
from cardaudit.reports.escape import markdown, plain
from cardaudit.reports.jsonstream import dumps_indented
from cardaudit.reports.table import console_for
from cardaudit.reports.tabular import Cell, write_csv
from cardaudit.results import AuditReport, ModelResult

_OUTCOME_STYLE = {"pass": "green", "fail": "red", "unknown": "yellow", "not_applicable": "dim"}
EXPLAIN_FORMATS = ("table", "json", "csv", "markdown")
# below this width the findings are listed one under another instead of in six columns
TABLE_MIN_WIDTH = 120
INDENT = 2
FINDING_COLUMNS = ("model", "outcome", "rule", "severity", "message", "field", "line",
                   "excerpt", "fix")


def explain(
    ctx: typer.Context,
    path: Annotated[list[str], typer.Argument(
        help="A model folder, card file or Hub id (or several).", show_default=False)],
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="table, json, csv (a row per finding) or markdown (default: "
                               "from the --output extension, else table).")] = None,
    output: OutputOption = None,
    rules: RulesOption = None,
    width: WidthOption = None,
    all_outcomes: Annotated[bool, typer.Option(
        "--all/--failed-first", help="Show not-applicable findings too.")] = False,
    revision: RevisionOption = None,
    endpoint: EndpointOption = None,
    token: TokenOption = None,
    offline: OfflineOption = False,
    cache_dir: CacheDirOption = None,
    timeout: TimeoutOption = None,
    lineage_dir: LineageDirOption = None,
    lineage_hub: LineageHubOption = False,
    lineage_endpoint: LineageEndpointOption = None,
    quiet: QuietOption = False,
    refresh: RefreshOption = False,
) -> None:
    """Show every finding for a model: outcome, severity, message, evidence and fix."""
    fmt = chosen_format(fmt, output, EXPLAIN_FORMATS, "table")
    flags = TargetFlags(targets=path, revision=revision, endpoint=endpoint, token=token,
                        offline=offline, cache_dir=cache_dir, timeout=timeout, quiet=quiet,
                        refresh=refresh,
                        rules=rules,
                        lineage_dir=lineage_dir, lineage_hub=lineage_hub,
                        lineage_endpoint=lineage_endpoint)
    settings, pack, report, _, _ = audit_with(flags, ctx.obj)
    fixes = {r.id: r.fix for r in pack.rules.rules}

    def render(stream: TextIO) -> None:
        if fmt == "json":
            data = {"schema_version": report.schema_version,
                    "models": [model_data(r) for r in sorted_results(report)]}
            stream.write(dumps_indented(data))
            stream.write("\n")
        elif fmt == "markdown":
            _markdown(report, fixes, stream, all_outcomes)
        elif fmt == "csv":
            write_csv(stream, FINDING_COLUMNS, _finding_rows(report, fixes, all_outcomes))
        else:
            _table(report, fixes, stream, width or settings.width, all_outcomes)
    write_output(render, output)


def _ordered(result: ModelResult, show_all: bool) -> list:  # type: ignore[type-arg]
    order = {"fail": 0, "unknown": 1, "pass": 2, "not_applicable": 3}
    findings = [f for f in result.findings
                if show_all or f.outcome.value != "not_applicable"]
    return sorted(findings, key=lambda f: (order[f.outcome.value], f.rule))


def _where(finding) -> str:  # type: ignore[no-untyped-def]
    ev = finding.evidence
    parts = []
    if ev.field:
        parts.append(ev.field)
    if ev.line is not None:
        parts.append(f"line {ev.line}")
    head = " @ ".join(parts) if parts else ev.where.value
    return f"{head}: {ev.excerpt}" if ev.excerpt else head


def _summary_line(result: ModelResult) -> str:
    facts = result.facts
    if facts is None:
        return f"error ({result.error.code}): {result.error.message}" if result.error else ""
    s = result.scores
    commercial = {True: "yes", False: "no", None: "unknown"}[facts.license.commercial_use]
    return (f"license {facts.license.key} ({facts.license.category.value}, commercial use "
            f"{commercial}) · data {facts.disclosure.level.value} "
            f"({facts.disclosure.source}) · gate {facts.gate.level.value} · score "
            f"{s.overall if s.overall is not None else 'n/a'} grade {s.grade or '-'}")


def _table(report: AuditReport, fixes: dict[str, str], stream: TextIO, width: int | None,
           show_all: bool) -> None:
    console = console_for(stream, width)
    for result in sorted_results(report):
        _print_wrapped(console, Text(f"{plain(result.id)}  ({plain(result.location)})",
                                     style="bold"))
        _print_wrapped(console, Text(plain(_summary_line(result))))
        if result.error is not None and result.facts is not None:
            console.print(Text(f"error ({result.error.code}): {plain(result.error.message)}",
                               style="red"))
        if console.width < TABLE_MIN_WIDTH:
            _blocks(console, result, fixes, show_all)
            continue
        table = Table(show_lines=True)
        for column in ("outcome", "rule", "severity", "message", "evidence", "fix"):
            table.add_column(column, overflow="fold")
        for f in _ordered(result, show_all):
            table.add_row(Text(f.outcome.value, style=_OUTCOME_STYLE[f.outcome.value]),
                          Text(f.rule), Text(f.severity.value), Text(plain(f.message)),
                          Text(plain(_where(f))),
                          Text(plain(fixes.get(f.rule, "")) if f.outcome.value == "fail" else ""))
        console.print(table)


def _blocks(console: Console, result: ModelResult, fixes: dict[str, str],
            show_all: bool) -> None:
    """Findings one under another, for terminals too narrow for six columns (the table cut
    words into slivers: "training-dat / a")."""
    for f in _ordered(result, show_all):
        head = Text()
        head.append(f.outcome.value, style=_OUTCOME_STYLE[f.outcome.value])
        head.append(f"  {f.rule}  {f.severity.value}")
        console.print(head)
        lines = [plain(f.message), f"evidence: {plain(_where(f))}"]
        if f.outcome.value == "fail" and fixes.get(f.rule):
            lines.append(f"fix: {plain(fixes[f.rule])}")
        for line in lines:
            _print_wrapped(console, Text(line), INDENT)
    console.print()


def _print_wrapped(console: Console, text: Text, indent: int = 0) -> None:
    """`text` wrapped at words to the console's width, each line indented, none ending in
    spaces."""
    for wrapped in text.wrap(console, max(console.width - indent, 1)):
        wrapped.rstrip()
        console.print(Text(" " * indent) + wrapped, soft_wrap=True)


def _finding_rows(report: AuditReport, fixes: dict[str, str], show_all: bool
                  ) -> Iterator[tuple[Cell, ...]]:
    """A row per finding; a model that could not be audited is one row with outcome error."""
    for result in sorted_results(report):
        if result.error is not None and result.facts is None:
            yield (result.id, "error", None, None,
                   f"{result.error.code}: {result.error.message}", None, None, None, None)
            continue
        for f in _ordered(result, show_all):
            ev = f.evidence
            yield (result.id, f.outcome.value, f.rule, f.severity.value, f.message, ev.field,
                   ev.line, ev.excerpt, fixes.get(f.rule) if f.outcome.value == "fail" else None)


def _markdown(report: AuditReport, fixes: dict[str, str], stream: TextIO,
              show_all: bool) -> None:
    for result in sorted_results(report):
        stream.write(f"## {markdown(result.id)}\n\n{markdown(_summary_line(result))}\n\n")
        stream.write("| outcome | rule | severity | message | evidence | fix |\n")
        stream.write("|---|---|---|---|---|---|\n")
        for f in _ordered(result, show_all):
            fix = fixes.get(f.rule, "") if f.outcome.value == "fail" else ""
            stream.write(f"| {f.outcome.value} | {f.rule} | {f.severity.value} | "
                         f"{markdown(f.message)} | {markdown(_where(f))} | {markdown(fix)} |\n")
        stream.write("\n")
