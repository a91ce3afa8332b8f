"""SARIF 2.1.0 for code-scanning UIs: one rule per rule id (help from `why` and `fix`), one
result per failed finding (and per broken policy clause) located at the model's README.md and
the evidence line, with fingerprints that survive line shifts. Exempted violations are
reported as suppressed."""

from __future__ import annotations

import hashlib
import json
from typing import Any, TextIO

from cardaudit import __version__
from cardaudit.engine.findings import Severity
from cardaudit.engine.schema import Rule
from cardaudit.policy.evaluate import GateOutcome, Verdict, Violation, effective_severity
from cardaudit.reports.escape import markdown, plain
from cardaudit.results import ModelResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFO: "note"}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _uri(result: ModelResult) -> str:
    if result.source == "hub":
        revision = result.revision or "main"
        return f"{result.location}/blob/{revision}/README.md"
    return result.readme_path.replace("\\", "/")


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name.replace("-", " ").title().replace(" ", ""),
        "shortDescription": {"text": plain(rule.title)},
        "fullDescription": {"text": plain(rule.why)},
        "help": {"text": plain(f"{rule.why} Fix: {rule.fix}"),
                 "markdown": f"{markdown(rule.why)}\n\n**Fix:** {markdown(rule.fix)}"},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"category": rule.category.value, "severity": rule.severity.value,
                       "tags": ["model-card", rule.category.value]},
    }


def _clause_descriptor(clause: str, policy: str) -> dict[str, Any]:
    return {
        "id": f"policy/{clause}",
        "name": "Policy" + clause.replace(".", " ").replace("_", " ").title().replace(" ", ""),
        "shortDescription": {"text": f"Policy clause {clause}"},
        "fullDescription": {"text": f"The model breaks clause {clause} of policy {policy}."},
        "help": {"text": f"See the policy file of {policy}.",
                 "markdown": f"See the policy file of `{markdown(policy)}`."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"category": "policy"},
    }


def _location(result: ModelResult, line: int | None) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(result)},
            "region": {"startLine": line if line and line > 0 else 1},
        },
        "logicalLocations": [{"name": result.id, "kind": "module"}],
    }


def _result(rule_id: str, index: int, level: str, message: str, result: ModelResult,
            line: int | None, field: str | None, violation: Violation | None
            ) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": index,
        "level": level,
        "message": {"text": plain(f"{result.id}: {message}")},
        "locations": [_location(result, line)],
        "partialFingerprints": {"cardaudit/v1": _fingerprint(result.id, rule_id, field or "")},
        "properties": {"model": result.id},
    }
    if violation is not None and violation.exempted_by is not None:
        exemption = violation.exempted_by
        entry["suppressions"] = [{"kind": "external", "status": "accepted",
                                  "justification": plain(f"{exemption.reason} (owner "
                                                         f"{exemption.owner}, expires "
                                                         f"{exemption.expires})")}]
    return entry


def sarif_log(outcome: GateOutcome, rules: tuple[Rule, ...]) -> dict[str, Any]:
    policy = outcome.policy
    descriptors = [_rule_descriptor(r) for r in rules]
    index = {r.id: i for i, r in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for verdict in outcome.verdicts:
        results.extend(_verdict_results(verdict, outcome, descriptors, index))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cardaudit", "version": __version__, "semanticVersion": __version__,
                "informationUri": "https://github.com/cardaudit/cardaudit",
                "rules": descriptors}},
            "automationDetails": {"id": f"cardaudit/{policy.name}/"},
            "invocations": [{"executionSuccessful": True}],
            "results": results,
            "properties": {"policy": policy.name, "passed": outcome.passed},
        }],
    }


def _verdict_results(verdict: Verdict, outcome: GateOutcome,
                     descriptors: list[dict[str, Any]], index: dict[str, int]
                     ) -> list[dict[str, Any]]:
    result = verdict.result
    policy = outcome.policy
    by_rule = {v.rule: v for v in verdict.violations if v.rule}
    out = []
    for finding in result.failed():
        if finding.rule in policy.disabled_rules:
            continue
        level = _LEVEL[effective_severity(finding, policy)]
        out.append(_result(finding.rule, index[finding.rule], level, finding.message, result,
                           finding.evidence.line, finding.evidence.field,
                           by_rule.get(finding.rule)))
    for violation in verdict.violations:
        if violation.rule:
            continue
        rule_id = f"policy/{violation.clause}"
        if rule_id not in index:
            index[rule_id] = len(descriptors)
            descriptors.append(_clause_descriptor(violation.clause, policy.name))
        out.append(_result(rule_id, index[rule_id], "error", violation.message, result,
                           violation.evidence.line, violation.evidence.field, violation))
    return out


def render(outcome: GateOutcome, rules: tuple[Rule, ...], stream: TextIO) -> None:
    json.dump(sarif_log(outcome, rules), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
