"""CSV: one row per model, the same columns as the table plus error and failed rules."""

from __future__ import annotations

import csv
from typing import TextIO

from cardaudit.reports.document import sorted_results
from cardaudit.reports.escape import csv_cell
from cardaudit.reports.rows import row_of
from cardaudit.results import AuditReport, ModelResult

COLUMNS = ("id", "status", "license", "category", "commercial_use", "data_disclosure", "gate",
           "score_license", "score_data", "score_access", "score_documentation", "score_overall",
           "grade", "error", "failed_rules")


def render(report: AuditReport, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for result in sorted_results(report):
        writer.writerow(csv_values(result))


def csv_values(result: ModelResult) -> list[str]:
    """One model's CSV cells, escaped; `status` is ok or error as in JSON (the code is in
    `error`)."""
    row = row_of(result)
    values = (row.id, result.status.value, row.license, row.category, row.commercial, row.data,
              row.gate, *row.areas, row.overall, row.grade, row.error, " ".join(row.failed))
    return [csv_cell(v) for v in values]
