"""The report as plain data: one builder shared by every format, so JSON, CSV, Markdown, the
table and SARIF cannot disagree about a model. The JSON schema is reports/schema/report-v1.json.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from cardaudit.cards.evidence import Evidence
from cardaudit.engine.findings import Finding
from cardaudit.results import AuditReport, ModelResult

MAX_DECLARED_CHARS = 200


def report_head(report: AuditReport) -> dict[str, Any]:
    """Everything of the JSON report but its models, in the document's order: the models
    (model_data, sorted by id, then location) come last, written one at a time."""
    return {
        "schema_version": report.schema_version,
        "tool": {"name": report.tool.name, "version": report.tool.version},
        "rules_digest": report.rules_digest,
        "generated_at": report.generated_at,
        "summary": summary(report),
    }


def sorted_results(report: AuditReport) -> list[ModelResult]:
    return sorted(report.results, key=lambda r: (r.id.casefold(), r.id, r.location))


def summary(report: AuditReport) -> dict[str, Any]:
    results = report.results
    return summary_data(Counter(r.status.value for r in results),
                        Counter(r.scores.grade for r in results if r.scores.grade),
                        report.interrupted)


def summary_data(statuses: Mapping[str, int], grades: Mapping[str, int],
                 not_done: int | None) -> dict[str, Any]:
    """The report's `summary` (report-v1.json), from counts: one shape for a run held in
    memory and a streamed dump (null `not_done`: an interrupted dump's unread rows)."""
    return {"models": sum(statuses.values()), "ok": statuses.get("ok", 0),
            "errors": statuses.get("error", 0), "grades": dict(sorted(grades.items())),
            "not_done": not_done}


def evidence_data(evidence: Evidence) -> dict[str, Any]:
    return {"where": evidence.where.value, "field": evidence.field, "line": evidence.line,
            "excerpt": evidence.excerpt}


def finding_data(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "title": finding.title,
        "category": finding.category.value,
        "outcome": finding.outcome.value,
        "severity": finding.severity.value,
        "message": finding.message,
        "evidence": evidence_data(finding.evidence),
    }


def json_safe(value: Any, limit: int = MAX_DECLARED_CHARS) -> Any:
    """Card values as JSON: text, numbers, booleans, short lists; anything else as text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= limit else value[: limit - 1] + "…"
    if isinstance(value, list):
        return [json_safe(v, limit) for v in value[:20]]
    text = json.dumps(value, default=str)[:limit] if isinstance(value, dict) else str(value)
    return text[:limit]


def model_data(result: ModelResult) -> dict[str, Any]:
    """One model as JSON-ready data; an error row has nulls where nothing is known."""
    facts = result.facts
    data: dict[str, Any] = {
        "id": result.id,
        "source": result.source,
        "location": result.location,
        "revision": result.revision,
        "status": result.status.value,
        "error": {"code": result.error.code, "message": result.error.message}
        if result.error else None,
        "license": None,
        "data_disclosure": None,
        "gate": None,
        "sections": None,
        "base_models": [],
        "card": None,
        "scores": result.scores.as_json(),
        "grade": result.scores.grade,
        "findings": [finding_data(f) for f in result.findings],
        "hub": result.hub.as_json() if result.hub is not None else None,
        "lineage": None,
    }
    if facts is None:
        return data
    lic = facts.license
    data["license"] = {
        "declared": json_safe(lic.declared),
        "key": lic.key,
        "resolved": lic.expression,
        "category": lic.category.value,
        "commercial_use": lic.commercial_use,
        "source": lic.source,
        "evidence": evidence_data(lic.evidence),
        "obligations": [{"kind": o.kind, "text": o.text, "license": o.license}
                        for o in lic.obligations],
        "problems": list(lic.problems),
        "file": {"present": lic.file_present, "recognised": lic.file_key,
                 "agrees": lic.file_agrees},
    }
    dis = facts.disclosure
    data["data_disclosure"] = {
        "level": dis.level.value, "source": dis.source, "datasets": list(dis.datasets),
        "named": list(dis.named), "unobtainable": list(dis.unobtainable),
        "evidence": evidence_data(dis.evidence),
    }
    gate = facts.gate
    data["gate"] = {"level": gate.level.value, "in_card": gate.in_card,
                    "eu_disallowed": gate.eu_disallowed, "fields": list(gate.fields)}
    data["sections"] = dict(facts.sections)
    data["base_models"] = list(facts.base_models)
    doc = facts.doc
    if doc is not None:
        data["card"] = {
            "has_front_matter": doc.has_front_matter,
            "parse_status": doc.parse_status.value,
            "problems": [{"code": p.code, "message": p.message, "line": p.line}
                         for p in doc.problems],
        }
    if result.lineage is not None:
        data["lineage"] = result.lineage.as_json()  # type: ignore[attr-defined]
    return data
