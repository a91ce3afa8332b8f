"""Table: the human view (rich), one row per model; errors listed under the table."""

from __future__ import annotations

from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cardaudit.reports.document import sorted_results, summary
from cardaudit.reports.escape import plain
from cardaudit.reports.rows import row_of
from cardaudit.results import AuditReport

# Long enum values shortened for the terminal only; JSON, CSV and Markdown keep them whole.
_SHORT = {"disclosed_available": "available", "disclosed_partial": "partial",
          "not_disclosed": "none", "click_through": "click-through", "non_commercial": "non-commercial",
          "strong_copyleft": "copyleft", "weak_copyleft": "weak copyleft",
          "responsible_ai": "responsible-AI", "no_derivatives": "no-derivs"}
_GRADE_STYLE = {"A": "green", "B": "green", "C": "yellow", "D": "red", "F": "bold red"}


def console_for(stream: TextIO, width: int | None = None) -> Console:
    """A console that writes to `stream`; colour only on a terminal and never with NO_COLOR."""
    return Console(file=stream, width=width, soft_wrap=False, highlight=False, emoji=False)


_COLUMNS = ("model", "license", "category", "comm.", "data", "gate", "lic·data·acc·doc", "score",
            "grade")


def render(report: AuditReport, stream: TextIO, width: int | None = None) -> None:
    console = console_for(stream, width)
    rows = [row_of(r) for r in sorted_results(report)]
    with_status = any(row.status != "ok" for row in rows)
    table = Table(title=f"cardaudit — {len(report.results)} model(s)", header_style="bold",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    for header in _COLUMNS[:1] + (("status",) if with_status else ()) + _COLUMNS[1:]:
        table.add_column(header, overflow="fold", no_wrap=header not in ("model", "license"),
                         min_width=12 if header == "model" else None)
    for row in rows:
        values = [row.id, row.license, row.category, row.commercial, row.data, row.gate,
                  "·".join(row.areas), row.overall, row.grade]
        if with_status:
            values.insert(1, row.status)
        cells_ = [Text(plain(_SHORT.get(v, v))) for v in values]
        cells_[-1].stylize(_GRADE_STYLE.get(row.grade, ""))
        if with_status and row.status != "ok":
            cells_[1].stylize("red")
        table.add_row(*cells_)
    console.print(table)
    errors = [r for r in rows if r.error]
    if errors:
        console.print(Text("errors:", style="bold red"))
        for row in errors:
            console.print(Text(f"  {plain(row.id)}: {plain(row.error)}"))
    info = summary(report)
    line = f"{info['models']} model(s): {info['ok']} ok, {info['errors']} error(s)"
    if info["not_done"]:
        line += f"; {info['not_done']} not done (interrupted)"
    console.print(Text(line))
