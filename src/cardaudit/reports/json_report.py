"""JSON: the machine-readable report (versioned; schema in reports/schema/report-v1.json)."""

from __future__ import annotations

from typing import TextIO

from cardaudit.reports.document import model_data, report_head, sorted_results
from cardaudit.reports.jsonstream import dump_with_list
from cardaudit.results import AuditReport


def render(report: AuditReport, stream: TextIO) -> None:
    dump_with_list(stream, report_head(report), "models",
                   (model_data(r) for r in sorted_results(report)))
    stream.write("\n")
