"""Verdicts: one per model, from its audit result, a policy and the exemptions.

Everything fails closed: a model that could not be audited fails (unless the policy says
`on_error: warn`), unknown commercial use fails `require_commercial_use`, an unknown gate fails
`gate.max_level`, a required rule that is unknown fails. An exemption waives one violation for
one model (optionally one revision) until it expires; an expired exemption waives nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cardaudit.cards.disclosure import LEVEL_RANK
from cardaudit.cards.evidence import NO_EVIDENCE, Evidence
from cardaudit.cards.facts import FACTS
from cardaudit.cards.gates import GATE_RANK
from cardaudit.cards.licensebase import Category
from cardaudit.engine.findings import SEVERITY_RANK, Finding, Outcome, Severity
from cardaudit.lineage.origin import Origins
from cardaudit.lineage.resolve import LOOKUP_HINT, Lineage, Node
from cardaudit.policy.schema import Exemption, OnError, Policy
from cardaudit.results import AuditReport, ModelResult


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken clause (or failed rule) for one model."""

    clause: str
    message: str
    evidence: Evidence = NO_EVIDENCE
    rule: str | None = None
    severity: Severity = Severity.HIGH
    exempted_by: Exemption | None = None
    expired_exemption: Exemption | None = None

    @property
    def blocking(self) -> bool:
        return self.exempted_by is None


@dataclass(frozen=True, slots=True)
class Verdict:
    result: ModelResult
    violations: tuple[Violation, ...]
    warnings: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not any(v.blocking for v in self.violations)


@dataclass(frozen=True, slots=True)
class GateOutcome:
    """All verdicts of a run plus the exemptions no model used."""

    policy: Policy
    verdicts: tuple[Verdict, ...]
    unused_exemptions: tuple[Exemption, ...] = field(default=())
    report: AuditReport | None = None

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)


def judge_run(report: AuditReport, policy: Policy, exemptions: list[Exemption],
              today: dt.date, *, origins: Origins) -> GateOutcome:
    used: set[int] = set()
    verdicts = []
    for result in sorted(report.results, key=lambda r: (r.id.casefold(), r.location)):
        violations, warnings = _violations(result, policy)
        violations += _origin_breaches(result, policy, origins)
        waived = []
        for violation in violations:
            index, exemption = _match(exemptions, result, violation)
            if exemption is None:
                waived.append(violation)
                continue
            used.add(index)
            if exemption.expired(today):
                waived.append(Violation(
                    violation.clause, f"{violation.message} (exemption expired on "
                    f"{exemption.expires}, owner {exemption.owner})", violation.evidence,
                    violation.rule, violation.severity, None, exemption))
            else:
                waived.append(Violation(violation.clause, violation.message, violation.evidence,
                                        violation.rule, violation.severity, exemption))
        verdicts.append(Verdict(result, tuple(waived), tuple(warnings)))
    unused = tuple(e for i, e in enumerate(exemptions) if i not in used)
    return GateOutcome(policy, tuple(verdicts), unused, report)


def _match(exemptions: list[Exemption], result: ModelResult, violation: Violation
           ) -> tuple[int, Exemption | None]:
    for index, exemption in enumerate(exemptions):
        if exemption.model != result.id:
            continue
        if exemption.revision and not (result.revision or "").startswith(exemption.revision):
            continue
        if exemption.rule is not None and exemption.rule == violation.rule:
            return index, exemption
        if exemption.clause is not None and exemption.clause in ("*", violation.clause):
            return index, exemption
    return -1, None


def _license_breaches(policy: Policy, key: str, category: Category,
                      commercial_use: bool | None, keys: set[str]) -> list[tuple[str, str]]:
    """(clause, message) for each license clause one license breaks."""
    out = []
    if policy.allow_categories is not None and category not in policy.allow_categories:
        allowed = ", ".join(sorted(c.value for c in policy.allow_categories))
        out.append(("license.allow_categories",
                    f"license {key} is {category.value}; the policy allows {allowed}"))
    if category in policy.deny_categories:
        out.append(("license.deny_categories",
                    f"license {key} is {category.value}, which the policy denies"))
    if policy.allow_licenses is not None and not keys & policy.allow_licenses:
        out.append(("license.allow", f"license {key} is not on the policy's allow list"))
    denied = keys & policy.deny_licenses
    if denied:
        out.append(("license.deny", f"license {', '.join(sorted(denied))} is denied by the "
                                    "policy"))
    if policy.require_commercial_use and commercial_use is not True:
        state = "not allowed" if commercial_use is False else "not established"
        out.append(("license.require_commercial_use", f"commercial use is {state} under {key}"))
    return out


def _origin_breaches(result: ModelResult, policy: Policy, origins: Origins) -> list[Violation]:
    """The model comes from a denied country: one of its root bases does (a base not looked up
    counts by its own namespace), or, without base_model, its own organization does."""
    if not policy.deny_countries:
        return []
    facts = result.facts
    lineage = result.lineage if isinstance(result.lineage, Lineage) else None
    if lineage is not None:
        ends = [n.id for n in lineage.nodes.values() if not n.parents] or list(lineage.parents)
    else:
        ends = list(facts.base_models) if facts is not None and facts.base_models else []
    own = not ends
    denied = [(i, c) for i in ends or [result.id]
              if (c := origins.root_country(i)) in policy.deny_countries]
    if not denied:
        return []
    named = ", ".join(f"{i} ({c})" for i, c in denied)
    # a re-packager's own upload takes its family's maker's country: "comes from", not "made in"
    message = (f"comes from {denied[0][1]}" if own else f"built on {named}") + \
        f"; the policy denies models from {', '.join(sorted(policy.deny_countries))}"
    evidence = FACTS["lineage.base_models"].evidence(facts) if facts is not None and not own \
        else NO_EVIDENCE
    return [Violation("origin.deny_countries", message, evidence)]


def _ancestor_breaches(policy: Policy, lineage: Lineage) -> tuple[list[str], list[str]]:
    """Messages for ancestors whose licenses break the policy's license clauses, and warnings
    for ancestors that could not be looked up (their terms unchecked: CA-LIN-001 reports them;
    a policy that requires it fails on them)."""
    breaches: list[str] = []
    unchecked: list[str] = []
    for node in lineage.nodes.values():
        if not node.resolved:
            hint = f"; {LOOKUP_HINT}" if node.status == "unresolvable" else ""
            unchecked.append(f"ancestor {node.id} could not be looked up ({node.status}): its "
                             f"license is unchecked{hint}")
            continue
        breaches.extend(f"ancestor {node.id}: {message}"
                        for _, message in _license_breaches(policy, *_node_license(node)))
    return breaches, unchecked


def _node_license(node: Node) -> tuple[str, Category, bool | None, set[str]]:
    key = node.license_key or "unknown"
    return (key, node.category or Category.UNKNOWN, node.commercial_use,
            {t.key for t in node.terms} | {key.lower()})


def effective_severity(finding: Finding, policy: Policy) -> Severity:
    return policy.severity_overrides.get(finding.rule, finding.severity)


def _violations(result: ModelResult, policy: Policy) -> tuple[list[Violation], list[str]]:
    out: list[Violation] = []
    warnings: list[str] = []
    if result.error is not None:
        message = f"could not be audited: {result.error.code}: {result.error.message}"
        if policy.on_error is OnError.FAIL:
            out.append(Violation("audit.error", message))
        else:
            warnings.append(message)
    facts = result.facts
    if facts is None:
        return out, warnings
    lic = facts.license
    evidence = lic.evidence
    keys = {t.key for t in lic.terms} | {lic.key.lower()}
    out.extend(Violation(clause, message, evidence) for clause, message in _license_breaches(
        policy, lic.key, lic.category, lic.commercial_use, keys))
    lineage = result.lineage
    if policy.check_ancestors and isinstance(lineage, Lineage):
        ancestors, unchecked = _ancestor_breaches(policy, lineage)
        base_evidence = FACTS["lineage.base_models"].evidence(facts)
        out.extend(Violation("license.ancestors", m, base_evidence) for m in ancestors)
        warnings.extend(unchecked)
    gate = facts.gate
    if policy.max_gate is not None and GATE_RANK[gate.level] > GATE_RANK[policy.max_gate]:
        out.append(Violation("gate.max_level", f"access is {gate.level.value}; the policy "
                                               f"allows up to {policy.max_gate.value}",
                             gate.evidence))
    disclosure = facts.disclosure
    if policy.min_disclosure is not None and \
            LEVEL_RANK[disclosure.level] < LEVEL_RANK[policy.min_disclosure]:
        inherited = lineage.inherited_level if policy.inherit_disclosure \
            and isinstance(lineage, Lineage) else None
        if inherited is None or LEVEL_RANK[inherited] < LEVEL_RANK[policy.min_disclosure]:
            bases = "" if not policy.inherit_disclosure or not facts.base_models else \
                f" (its bases: {inherited.value if inherited else 'unknown'})"
            out.append(Violation("data.min_level", f"training data is {disclosure.level.value}"
                                                   f"{bases}; the policy needs at least "
                                                   f"{policy.min_disclosure.value}",
                                 disclosure.evidence))
    for area, minimum in sorted(policy.min_scores.items()):
        score = result.scores.overall if area == "overall" else result.scores.area(area)
        if score is None or score < minimum:
            shown = "n/a" if score is None else str(score)
            out.append(Violation("scores.min", f"{area} score {shown} is below {minimum}"))
    # only what can break the policy: a pass or a not-applicable finding never does, and
    # building every finding's message and evidence is most of a large check's time
    judged = result.findings_with((Outcome.FAIL, Outcome.UNKNOWN))
    findings = {f.rule: f for f in judged}
    for rule in sorted(policy.require_rules):
        finding = findings.get(rule)
        if finding is None or finding.outcome in (Outcome.PASS, Outcome.NOT_APPLICABLE):
            continue
        out.append(Violation("rules.require", f"{rule} must pass: {finding.message}",
                             finding.evidence, rule, effective_severity(finding, policy)))
    if policy.fail_on is not None:
        threshold = SEVERITY_RANK[policy.fail_on]
        for finding in judged:
            if finding.outcome is not Outcome.FAIL or finding.rule in policy.disabled_rules \
                    or finding.rule in policy.require_rules:
                continue
            severity = effective_severity(finding, policy)
            if SEVERITY_RANK[severity] >= threshold:
                out.append(Violation("rules.fail_on", f"{finding.rule}: {finding.message}",
                                     finding.evidence, finding.rule, severity))
    return out, warnings
