"""Fitting a rich table to the terminal: drop optional columns, least useful first, until the
rows fit unfolded (rich would otherwise squeeze every column into unreadable slivers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

Build = Callable[[list[int]], Table]


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
