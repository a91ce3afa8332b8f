"""Markdown: a GitHub-flavoured table of the same rows, with errors and failed rules listed."""

from __future__ import annotations

from typing import TextIO

from cardaudit.reports.document import sorted_results, summary
from cardaudit.reports.escape import markdown
from cardaudit.reports.rows import HEADERS, cells, row_of
from cardaudit.results import AuditReport


def render(report: AuditReport, stream: TextIO) -> None:
    info = summary(report)
    stream.write(f"# cardaudit report\n\n{info['models']} model(s): {info['ok']} ok, "
                 f"{info['errors']} error(s). Rules `{report.rules_digest}`.\n\n")
    stream.write("| " + " | ".join(HEADERS) + " |\n")
    stream.write("|" + "---|" * len(HEADERS) + "\n")
    rows = [row_of(r) for r in sorted_results(report)]
    for row in rows:
        stream.write("| " + " | ".join(markdown(c) for c in cells(row)) + " |\n")
    errors = [r for r in rows if r.error]
    if errors:
        stream.write("\n## Errors\n\n")
        for row in errors:
            stream.write(f"- {markdown(row.id)}: {markdown(row.error)}\n")
    failing = [r for r in rows if r.failed]
    if failing:
        stream.write("\n## Failed rules\n\n")
        for row in failing:
            stream.write(f"- {markdown(row.id)}: {', '.join(row.failed)}\n")
