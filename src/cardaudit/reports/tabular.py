"""Any command's rows as CSV or as a Markdown table, escaped one way everywhere: card text
becomes neither a spreadsheet formula nor Markdown markup, and every command that prints a
table also gives it to a spreadsheet (`-f csv`) or a wiki page (`-f markdown`)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import TextIO

from cardaudit.reports.escape import csv_cell, markdown

Cell = str | int | float | bool | None


def cell_text(value: Cell) -> str:
    """How a value reads in a cell: empty for none, true/false as in JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(stream: TextIO, columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(cell_text(value)) for value in row])


def write_markdown_table(stream: TextIO, columns: Sequence[str],
                         rows: Iterable[Sequence[Cell]]) -> None:
    stream.write("| " + " | ".join(columns) + " |\n")
    stream.write("|" + "---|" * len(columns) + "\n")
    for row in rows:
        stream.write("| " + " | ".join(markdown(cell_text(value)) or " " for value in row)
                     + " |\n")
