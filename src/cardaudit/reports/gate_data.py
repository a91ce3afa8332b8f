"""A policy gate's outcome as plain data, shared by its JSON, table and Markdown forms."""

from __future__ import annotations

from typing import Any

from cardaudit.policy.evaluate import GateOutcome, Verdict, Violation
from cardaudit.reports.document import evidence_data

GATE_SCHEMA_VERSION = 1


def violation_data(violation: Violation) -> dict[str, Any]:
    exemption = violation.exempted_by or violation.expired_exemption
    return {
        "clause": violation.clause,
        "rule": violation.rule,
        "severity": violation.severity.value,
        "message": violation.message,
        "blocking": violation.blocking,
        "evidence": evidence_data(violation.evidence),
        "exemption": None if exemption is None else {
            "owner": exemption.owner, "reason": exemption.reason,
            "expires": exemption.expires.isoformat(),
            "expired": violation.expired_exemption is not None},
    }


def verdict_data(verdict: Verdict) -> dict[str, Any]:
    result = verdict.result
    return {
        "id": result.id,
        "location": result.location,
        "revision": result.revision,
        "verdict": "pass" if verdict.passed else "fail",
        "status": result.status.value,
        "violations": [violation_data(v) for v in verdict.violations],
        "warnings": list(verdict.warnings),
    }


def gate_data(outcome: GateOutcome) -> dict[str, Any]:
    report = outcome.report
    return {
        "schema_version": GATE_SCHEMA_VERSION,
        "policy": {"name": outcome.policy.name, "file": outcome.policy.file,
                   "description": outcome.policy.description},
        "rules_digest": report.rules_digest if report else None,
        "generated_at": report.generated_at if report else None,
        "passed": outcome.passed,
        "summary": {"models": len(outcome.verdicts),
                    "passed": sum(1 for v in outcome.verdicts if v.passed),
                    "failed": sum(1 for v in outcome.verdicts if not v.passed)},
        "models": [verdict_data(v) for v in outcome.verdicts],
        "unused_exemptions": [{"model": e.model, "clause": e.clause, "rule": e.rule,
                               "owner": e.owner, "expires": e.expires.isoformat(),
                               "where": e.where} for e in outcome.unused_exemptions],
    }
