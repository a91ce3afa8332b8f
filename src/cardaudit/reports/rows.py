"""One summary row per model, shared by the table, CSV and Markdown formats."""

from __future__ import annotations

from dataclasses import dataclass

from cardaudit.results import ModelResult
from cardaudit.scoring import AREAS


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    status: str
    license: str
    category: str
    commercial: str
    data: str
    gate: str
    areas: tuple[str, ...]
    overall: str
    grade: str
    error: str
    failed: tuple[str, ...]


def _score(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def _yes_no(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


def row_of(result: ModelResult) -> Row:
    facts = result.facts
    error = f"{result.error.code}: {result.error.message}" if result.error else ""
    failed = result.failed_rules()
    if facts is None:
        return Row(result.id, "error", "-", "-", "-", "-", "-", tuple("n/a" for _ in AREAS),
                   "n/a", "-", error, failed)
    return Row(
        id=result.id,
        status=result.status.value if result.error is None else result.error.code,
        license=facts.license.key,
        category=facts.license.category.value,
        commercial=_yes_no(facts.license.commercial_use),
        data=facts.disclosure.level.value,
        gate=facts.gate.level.value,
        areas=tuple(_score(result.scores.area(a)) for a in AREAS),
        overall=_score(result.scores.overall),
        grade=result.scores.grade or "-",
        error=error,
        failed=failed,
    )


HEADERS = ("model", "status", "license", "category", "commercial", "disclosure", "gate",
           "lic", "data", "access", "docs", "score", "grade")


def cells(row: Row) -> tuple[str, ...]:
    return (row.id, row.status, row.license, row.category, row.commercial, row.data, row.gate,
            *row.areas, row.overall, row.grade)
