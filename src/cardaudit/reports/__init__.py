"""Output formats: one module each exposing `render(report, stream)`; FORMATS lists them.

The CLI's `--format` choices come from FORMATS, and the golden test renders every entry, so a
format without a golden fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from cardaudit.reports import csv_report, json_report, markdown, table
from cardaudit.results import AuditReport

Renderer = Callable[[AuditReport, TextIO], None]

FORMATS: dict[str, Renderer] = {
    "table": table.render,
    "json": json_report.render,
    "csv": csv_report.render,
    "markdown": markdown.render,
}
