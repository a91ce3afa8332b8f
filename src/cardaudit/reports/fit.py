"""Fitting a rich table to the terminal: drop optional columns, least useful first, until the
rows fit unfolded (rich would otherwise squeeze every column into unreadable slivers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

Build = Callable[[list[int]], Table]
Row = TypeVar("Row", bound=Sequence[str])


def fit_columns(console: Console, columns: Sequence[str], drop_order: Sequence[str],
                build: Build) -> list[int]:
    """Indexes of the columns to show; `build(keep)` makes the table with those columns."""
    keep = list(range(len(columns)))
    unbounded = console.options.update_width(100_000)
    for name in drop_order:
        if Measurement.get(console, unbounded, build(keep)).maximum <= console.width:
            break
        if name in columns and columns.index(name) in keep:
            keep.remove(columns.index(name))
    return keep


def hidden_note(columns: Sequence[str], keep: list[int], width: int) -> str | None:
    hidden = [c for i, c in enumerate(columns) if i not in keep]
    if not hidden:
        return None
    return (f"(hidden to fit {width} columns: {', '.join(hidden)}; widen the terminal, set "
            "--width, or use -f markdown/csv/json)")


def widest_rows(cells: Sequence[Row]) -> list[Row]:
    """The rows that hold some column's widest cell, in their order. A column is as wide as
    its widest cell, so a table of these rows measures as wide as the table of all of them:
    fit_columns then measures a dozen rows, not 10,000 (six times, once per dropped column)."""
    if not cells:
        return []
    chosen: set[int] = set()
    for column in range(len(cells[0])):
        widths = [_text_width(row[column]) for row in cells]
        chosen.add(widths.index(max(widths)))
    return [cells[n] for n in sorted(chosen)]


def _text_width(text: str) -> int:
    return max(cell_len(line) for line in text.split("\n"))
