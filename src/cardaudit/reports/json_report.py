"""JSON: the machine-readable report (versioned; schema in reports/schema/report-v1.json)."""

from __future__ import annotations

import json
from typing import TextIO

from cardaudit.reports.document import report_data
from cardaudit.results import AuditReport


def render(report: AuditReport, stream: TextIO) -> None:
    json.dump(report_data(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
