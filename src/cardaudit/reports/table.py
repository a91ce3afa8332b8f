"""Table: the human view (rich), one row per model; errors listed under the table."""

from __future__ import annotations

import io
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cardaudit.cards.evidence import excerpt
from cardaudit.reports.document import sorted_results, summary
from cardaudit.reports.escape import plain
from cardaudit.reports.fit import fit_columns, hidden_note, widest_rows
from cardaudit.reports.rows import row_of
from cardaudit.results import AuditReport

# an unknown license is shown by the name the card gives it, which can be a paragraph: the
# table cuts it (CSV, JSON and Markdown keep it whole)
MAX_LICENSE_CELL = 40

# Long enum values shortened for the terminal only; JSON, CSV and Markdown keep them whole.
_SHORT = {"disclosed_available": "available", "disclosed_partial": "partial",
          "not_disclosed": "none", "click_through": "click-through",
          "non_commercial": "non-commercial",
          "strong_copyleft": "copyleft", "weak_copyleft": "weak copyleft",
          "responsible_ai": "responsible-AI", "no_derivatives": "no-derivs"}
_GRADE_STYLE = {"A": "green", "B": "green", "C": "yellow", "D": "red", "F": "bold red"}


class ColorBuffer(io.StringIO):
    """Text bound for a colour terminal. Reports are rendered into a buffer first (a failed
    run writes nothing); a console writing into this one still uses colour."""


def console_for(stream: TextIO, width: int | None = None) -> Console:
    """A console that writes to `stream`: in colour when the text is bound for a colour
    terminal (a ColorBuffer: stdout is one, and neither NO_COLOR nor --no-color is set)."""
    return Console(file=stream, width=width, soft_wrap=False, highlight=False, emoji=False,
                   force_terminal=isinstance(stream, ColorBuffer) or None)


_COLUMNS = ("model", "license", "category", "comm.", "data", "gate", "lic·data·acc·doc", "score",
            "grade")
# Dropped first to last when the terminal is too narrow (rich would otherwise squeeze every
# column into unreadable slivers); model, license, data, score and grade always stay.
_DROP_ORDER = ("root", "comm.", "lic·data·acc·doc", "gate", "category", "status")
_FOLDING = ("model", "license", "root")


def _table(title: str, columns: list[str], keep: list[int], cells: list[list[str]],
           styles: list[dict[str, str]] | None = None) -> Table:
    table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False,
                  padding=(0, 1, 0, 0), show_edge=False)
    for i in keep:
        header = columns[i]
        table.add_column(header, overflow="fold", no_wrap=header not in _FOLDING,
                         min_width=12 if header == "model" else None)
    for n, values in enumerate(cells):
        style = styles[n] if styles else {}
        table.add_row(*(Text(values[i], style=style.get(columns[i], "")) for i in keep))
    return table


def render(report: AuditReport, stream: TextIO, width: int | None = None) -> None:
    console = console_for(stream, width)
    results = sorted_results(report)
    rows = [row_of(r) for r in results]
    with_status = any(row.status != "ok" for row in rows)
    roots = [getattr(r.lineage, "root", None) or "" for r in results]
    with_root = any(roots)
    columns = list(_COLUMNS[:1] + (("status",) if with_status else ()) + _COLUMNS[1:])
    if with_root:
        columns[-3:-3] = ["root"]
    cells: list[list[str]] = []
    for row, root in zip(rows, roots, strict=True):
        values = [row.id, excerpt(row.license, MAX_LICENSE_CELL), row.category, row.commercial,
                  row.data, row.gate,
                  "·".join(row.areas), row.overall, row.grade]
        if with_root:
            values.insert(6, root or "—")
        if with_status:
            values.insert(1, row.status)
        cells.append([plain(_SHORT.get(v, v)) for v in values])
    widest = widest_rows(cells)
    keep = fit_columns(console, columns, _DROP_ORDER,
                       lambda shown: _table("", columns, shown, widest))
    styles = [{"grade": _GRADE_STYLE.get(row.grade, ""),
               "status": "red" if row.status != "ok" else ""} for row in rows]
    table = _table(f"cardaudit — {len(report.results)} model(s)", columns, keep, cells, styles)
    console.print(table)
    note = hidden_note(columns, keep, console.width)
    if note:
        console.print(Text(note, style="dim"))
    errors = [r for r in rows if r.error]
    if errors:
        console.print(Text("errors:", style="bold red"))
        for row in errors:  # one line each, however long: grep and CI logs read them so
            console.print(Text(f"  {plain(row.id)}: {plain(row.error)}"), soft_wrap=True)
    info = summary(report)
    line = f"{info['models']} model(s): {info['ok']} ok, {info['errors']} error(s)"
    if info["not_done"]:
        line += f"; {info['not_done']} not done (interrupted)"
    console.print(Text(line))
