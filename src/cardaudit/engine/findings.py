"""Findings: what one rule concluded about one model, with the evidence."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cardaudit.cards.evidence import Evidence


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


SEVERITY_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3,
                 Severity.CRITICAL: 4}


class Category(StrEnum):
    """Rule categories; each feeds one score area."""

    LICENSE = "license"
    DATA = "data"
    GATES = "gates"
    DOCS = "docs"
    LINEAGE = "lineage"


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's outcome for one model."""

    rule: str
    category: Category
    outcome: Outcome
    severity: Severity
    message: str
    evidence: Evidence
    title: str = ""
