"""A policy gate's outcome for people: a table (terminal), Markdown (PR comments and the
GitHub Actions step summary) or CSV (a spreadsheet of violations)."""

from __future__ import annotations

from typing import TextIO

from rich import box
from rich.table import Table
from rich.text import Text

from cardaudit.lineage.resolve import LOOKUP_HINT, LOOKUP_HINT_MANY
from cardaudit.policy.evaluate import GateOutcome
from cardaudit.reports.escape import markdown, plain
from cardaudit.reports.gate_data import gate_data
from cardaudit.reports.jsonstream import dumps_indented
from cardaudit.reports.table import console_for
from cardaudit.reports.tabular import Cell, write_csv


def render_json(outcome: GateOutcome, stream: TextIO) -> None:
    stream.write(dumps_indented(gate_data(outcome)))
    stream.write("\n")


def render_table(outcome: GateOutcome, stream: TextIO, width: int | None = None) -> None:
    console = console_for(stream, width)
    verdict = "PASSED" if outcome.passed else "FAILED"
    table = Table(title=f"policy {outcome.policy.name}: {verdict}", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    for column in ("model", "verdict", "violations"):
        table.add_column(column, overflow="fold")
    for v in outcome.verdicts:
        lines = [("waived: " if not x.blocking else "") + f"{x.clause}: {x.message}"
                 for x in v.violations] + [f"warning: {_short(w)}" for w in v.warnings]
        table.add_row(Text(plain(v.result.id)),
                      Text("pass" if v.passed else "FAIL", style="green" if v.passed else "red"),
                      Text("\n".join(plain(line) for line in lines) if lines else "—"))
    console.print(table)
    _footer(outcome, lambda text: console.print(Text(plain(text))))


_HINT_SUFFIX = f"; {LOOKUP_HINT}"


def _short(warning: str) -> str:
    """A warning without the lookup hint, which the footer gives once for every row: a
    registry of forty fine-tunes would repeat it forty times."""
    return warning.removesuffix(_HINT_SUFFIX)


def _footer(outcome: GateOutcome, emit) -> None:  # type: ignore[no-untyped-def]
    failed = sum(1 for v in outcome.verdicts if not v.passed)
    emit(f"{len(outcome.verdicts)} model(s): {len(outcome.verdicts) - failed} passed, "
         f"{failed} failed (policy {outcome.policy.name})")
    unlooked = sorted({w for v in outcome.verdicts for w in v.warnings
                       if w.endswith(_HINT_SUFFIX)})
    if unlooked:
        emit(f"{len(unlooked)} ancestor(s) not looked up: {LOOKUP_HINT_MANY}")
    for exemption in outcome.unused_exemptions:
        emit(f"unused exemption: {exemption.label()} at {exemption.where}")


def render_markdown(outcome: GateOutcome, stream: TextIO) -> None:
    verdict = "✅ passed" if outcome.passed else "❌ failed"
    stream.write(f"## cardaudit policy `{markdown(outcome.policy.name)}`: {verdict}\n\n")
    stream.write("| model | verdict | violations |\n|---|---|---|\n")
    for v in outcome.verdicts:
        items = [("~~" if not x.blocking else "") + markdown(f"{x.clause}: {x.message}")
                 + ("~~ (exempted)" if not x.blocking else "") for x in v.violations]
        items += [f"warning: {markdown(_short(w))}" for w in v.warnings]
        stream.write(f"| {markdown(v.result.id)} | {'pass' if v.passed else '**FAIL**'} | "
                     f"{'<br>'.join(items) or '—'} |\n")
    lines: list[str] = []
    _footer(outcome, lines.append)
    stream.write("\n" + "\n".join(f"- {markdown(line)}" for line in lines) + "\n")


VERDICT_COLUMNS = ("model", "verdict", "kind", "clause", "rule", "severity", "message")


def render_csv(outcome: GateOutcome, stream: TextIO) -> None:
    """A row per violation (kind `violation`, or `exempted` when an exemption waives it) and
    per warning; a model with neither is one row of its own, so every model is listed."""
    rows: list[tuple[Cell, ...]] = []
    for v in outcome.verdicts:
        verdict = "pass" if v.passed else "fail"
        rows.extend((v.result.id, verdict, "violation" if x.blocking else "exempted", x.clause,
                     x.rule, x.severity.value, x.message) for x in v.violations)
        rows.extend((v.result.id, verdict, "warning", None, None, None, w) for w in v.warnings)
        if not v.violations and not v.warnings:
            rows.append((v.result.id, verdict, None, None, None, None, None))
    write_csv(stream, VERDICT_COLUMNS, rows)
