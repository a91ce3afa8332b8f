"""Evaluate rules against one model: check trees → outcomes → findings with evidence.

`all` fails if any leaf fails, else is unknown if any is; `any` passes if any passes, else is
unknown if any is; `not` swaps pass and fail. A `when` that fails makes the rule
not_applicable. Messages fill `$name` placeholders with string.Template (never Python
formatting on card text).

Bulk audits judge tens of thousands of cards, so rule trees are compiled into closures once,
and a Judgement keeps only raw outcomes: messages and evidence are built when a report asks.
"""

from __future__ import annotations

from collections.abc import Callable
from string import Template
from typing import Any

from cardaudit.cards.evidence import NO_EVIDENCE, Evidence
from cardaudit.cards.facts import FACTS, CardFacts
from cardaudit.cards.record import ModelRecord
from cardaudit.engine.findings import Finding, Outcome
from cardaudit.engine.operators import OPERATORS
from cardaudit.engine.schema import Leaf, Node, Rule
from cardaudit.engine.targets import (
    UNKNOWN_VALUE,
    Context,
    HubNotApplicable,
    evidence_for,
    is_text_target,
    show_value,
    text_resolver,
    value_resolver,
)
from cardaudit.lineage.resolve import LOOKUP_HINT

# (outcome, explaining leaf, body offset of a match, value or TextSubject, failed leaf labels)
Raw = tuple[Outcome, Leaf | None, int | None, Any, tuple[str, ...]]
Check = Callable[[Context], Raw]

PASS, FAIL = Outcome.PASS, Outcome.FAIL
UNKNOWN, NA = Outcome.UNKNOWN, Outcome.NOT_APPLICABLE
_NOTHING: Raw = (NA, None, None, None, ())
_HUB_NA: Raw = (NA, None, None, None, ("hub",))


def compile_node(node: Node, sections: tuple[str, ...]) -> Check:
    """A closure evaluating this tree; no per-model dispatch on node kinds."""
    if isinstance(node, Leaf):
        return _compile_leaf(node, sections)
    children = tuple(compile_node(child, sections) for child in node.children)
    if node.kind == "not":
        return _compile_not(children[0])
    return _compile_all(children) if node.kind == "all" else _compile_any(children)


def _compile_leaf(leaf: Leaf, sections: tuple[str, ...]) -> Check:
    operator = OPERATORS[leaf.operator]
    argument = leaf.argument
    failed = (leaf.label,)
    if is_text_target(leaf):
        resolve_text = text_resolver(leaf, sections)
        test_text = operator.on_text

        def run_text(ctx: Context) -> Raw:
            subject = resolve_text(ctx)
            if subject is None:
                return (UNKNOWN, leaf, None, None, ())
            ok, offset = test_text(subject, argument)
            return (PASS, leaf, offset, subject, ()) if ok \
                else (FAIL, leaf, offset, subject, failed)
        return run_text
    resolve_value = value_resolver(leaf)
    test_value = operator.on_value

    def run_value(ctx: Context) -> Raw:
        value = resolve_value(ctx)
        if value is UNKNOWN_VALUE:
            return (UNKNOWN, leaf, None, None, ())
        if test_value(value, argument):
            return (PASS, leaf, None, value, ())
        return (FAIL, leaf, None, value, failed)
    return run_value


def _compile_not(child: Check) -> Check:
    def run(ctx: Context) -> Raw:
        outcome, leaf, offset, subject, _ = child(ctx)
        if outcome is PASS:
            return (FAIL, leaf, offset, subject, (leaf.label,) if leaf else ())
        if outcome is FAIL:
            return (PASS, leaf, offset, subject, ())
        return (outcome, leaf, offset, subject, ())
    return run


def _compile_all(children: tuple[Check, ...]) -> Check:
    def run(ctx: Context) -> Raw:
        first_fail: Raw | None = None
        first_unknown: Raw | None = None
        first_pass: Raw | None = None
        missing: list[str] = []
        for child in children:
            result = child(ctx)
            outcome = result[0]
            if outcome is FAIL:
                if first_fail is None:
                    first_fail = result
                missing.extend(result[4])
            elif outcome is UNKNOWN:
                first_unknown = first_unknown or result
            elif outcome is PASS:
                first_pass = first_pass or result
        if first_fail is not None:
            return (FAIL, first_fail[1], first_fail[2], first_fail[3], tuple(missing))
        return first_unknown or first_pass or _NOTHING
    return run


def _compile_any(children: tuple[Check, ...]) -> Check:
    def run(ctx: Context) -> Raw:
        first_fail: Raw | None = None
        first_unknown: Raw | None = None
        missing: list[str] = []
        for child in children:
            result = child(ctx)
            outcome = result[0]
            if outcome is PASS:
                return result
            if outcome is UNKNOWN:
                first_unknown = first_unknown or result
            elif outcome is FAIL:
                first_fail = first_fail or result
                missing.extend(result[4])
        if first_unknown is not None:
            return first_unknown
        if first_fail is not None:
            return (FAIL, first_fail[1], first_fail[2], first_fail[3], tuple(missing))
        return _NOTHING
    return run


class CompiledRule:
    """A rule with its `when` and `check` compiled and its message templates parsed."""

    __slots__ = ("check", "fail_template", "names_model", "pass_template", "rule", "when")

    def __init__(self, rule: Rule, sections: tuple[str, ...]) -> None:
        self.rule = rule
        self.when = compile_node(rule.when, sections) if rule.when is not None else None
        self.check = compile_node(rule.check, sections)
        self.fail_template = Template(rule.message)
        self.pass_template = Template(rule.pass_message)
        # A message naming the model differs between models that share a judgement.
        self.names_model = any("model" in t.get_identifiers()
                               for t in (self.fail_template, self.pass_template))

    def run(self, ctx: Context) -> Raw:
        """The raw outcome; a `when` that fails gives not_applicable."""
        try:
            if self.when is None:
                return self.check(ctx)
            gate = self.when(ctx)
            if gate[0] is FAIL or gate[0] is NA:
                return (NA, gate[1], None, None, ())
            if gate[0] is UNKNOWN:
                return gate
            return self.check(ctx)
        except HubNotApplicable:
            return _HUB_NA

    def evidence(self, ctx: Context, leaf: Leaf | None, offset: int | None,
                 outcome: Outcome) -> Evidence:
        """Where the finding points. A failed `present: true` on a field that a `when` on card
        text made apply points at that text: "base_model: absent" says less than the line
        "a fine-tuned version of [bert-base-uncased](…)" (the fix names the field)."""
        if outcome is FAIL and self.when is not None and _asks_for_a_field(leaf):
            gate = self.when(ctx)  # again, only for such failures: findings are built lazily
            if _found_in_text(gate):
                leaf, offset = gate[1], gate[2]
        return evidence_for(leaf, ctx, offset) if leaf is not None else NO_EVIDENCE


def _asks_for_a_field(leaf: Leaf | None) -> bool:
    return leaf is not None and leaf.target == "field" and leaf.operator == "present" \
        and leaf.argument is True


def _found_in_text(gate: Raw) -> bool:
    leaf = gate[1]
    return gate[0] is PASS and leaf is not None and leaf.target in ("body", "section") \
        and gate[2] is not None


class Judgement:
    """The outcomes of every rule for one model; Findings are built on first access."""

    __slots__ = ("_findings", "_shared", "ctx", "raw", "rules")

    def __init__(self, rules: tuple[CompiledRule, ...], ctx: Context, raw: list[Raw],
                 shared: dict[tuple[Outcome, ...], tuple[Finding, ...]] | None = None) -> None:
        self.rules = rules
        self.ctx = ctx
        self.raw = raw
        self._findings: tuple[Finding, ...] | None = None
        # findings_with results, shared by the judgements for_record makes from this one
        self._shared = {} if shared is None else shared

    def for_record(self, record: ModelRecord) -> Judgement:
        """The same outcomes for another record with the same card and Hub facts."""
        return Judgement(self.rules, Context(record, self.ctx.facts), self.raw, self._shared)

    @property
    def outcomes(self) -> list[Outcome]:
        return [r[0] for r in self.raw]

    @property
    def findings(self) -> tuple[Finding, ...]:
        if self._findings is None:
            self._findings = tuple(_finding(c, self.ctx, r) for c, r in zip(self.rules, self.raw,
                                                                               strict=True))
        return self._findings

    def rules_with(self, outcome: Outcome) -> tuple[str, ...]:
        """The ids of the rules with this outcome, in rule order, without building a finding:
        a CSV row or a table cell needs the names of the failed rules, not their evidence."""
        return tuple(c.rule.id for c, r in zip(self.rules, self.raw, strict=True)
                     if r[0] is outcome)

    def findings_with(self, outcomes: tuple[Outcome, ...]) -> tuple[Finding, ...]:
        """Only the findings with these outcomes — the store keeps fail/unknown, and building
        every finding's message and evidence for ~30k cards is most of a bulk run's cost."""
        if self._findings is not None:
            return tuple(f for f in self._findings if f.outcome in outcomes)
        kept = [(c, r) for c, r in zip(self.rules, self.raw, strict=True) if r[0] in outcomes]
        if any(c.names_model for c, _ in kept):
            return tuple(_finding(c, self.ctx, r) for c, r in kept)
        found = self._shared.get(outcomes)
        if found is None:
            found = self._shared[outcomes] = tuple(_finding(c, self.ctx, r) for c, r in kept)
        return found


class Evaluator:
    """Runs a rule set over models."""

    def __init__(self, rules: tuple[Rule, ...], sections: tuple[str, ...]) -> None:
        self.rules = rules
        self.compiled = tuple(CompiledRule(rule, sections) for rule in rules)
        # Hub fields the rules read, by value; those only tested for presence in a `when`
        # (`{hub: id, present: true}`: "is this a Hub source?") matter only as present or not,
        # so models that differ there alone can share a judgement (Auditor's cache).
        gating: set[str] = set()
        by_value: set[str] = set()
        for rule in rules:
            for leaf in _node_leaves(rule.check):
                if leaf.target == "hub":
                    by_value.add(leaf.name)
            for leaf in _node_leaves(rule.when) if rule.when is not None else []:
                if leaf.target == "hub":
                    (gating if leaf.operator == "present" else by_value).add(leaf.name)
        self.hub_names = tuple(sorted(by_value))
        self.hub_presence = tuple(sorted(gating - by_value))

    def judge(self, record: ModelRecord, facts: CardFacts) -> Judgement:
        ctx = Context(record, facts)
        return Judgement(self.compiled, ctx, [c.run(ctx) for c in self.compiled])

    def evaluate(self, record: ModelRecord, facts: CardFacts) -> tuple[Finding, ...]:
        return self.judge(record, facts).findings


def _leaves(rule: Rule) -> list[Leaf]:
    return _node_leaves(rule.check) + (_node_leaves(rule.when) if rule.when is not None else [])


def _node_leaves(root: Node) -> list[Leaf]:
    out: list[Leaf] = []
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Leaf):
            out.append(node)
        else:
            stack.extend(node.children)
    return out


def _finding(compiled: CompiledRule, ctx: Context, raw: Raw) -> Finding:
    rule = compiled.rule
    outcome, leaf, offset, _subject, _missing = raw
    if raw is _HUB_NA:
        return Finding(rule.id, rule.category, NA, rule.severity,
                       "not applicable: this source has no Hub metadata", NO_EVIDENCE, rule.title)
    evidence = compiled.evidence(ctx, leaf, offset, outcome)
    if outcome is FAIL:
        message = compiled.fail_template.safe_substitute(_variables(raw, ctx))
    elif outcome is PASS:
        message = compiled.pass_template.safe_substitute(_variables(raw, ctx))
    elif outcome is UNKNOWN:
        message = _unknown_message(ctx, leaf)
    else:
        message = f"not applicable: the rule's condition on {leaf.label} does not hold" \
            if leaf is not None else "not applicable"
    return Finding(rule.id, rule.category, outcome, rule.severity, message, evidence, rule.title)


def _unknown_message(ctx: Context, leaf: Leaf | None) -> str:
    error = ctx.record.card_error
    what = leaf.label if leaf is not None else "the facts"
    if ctx.record.card is None and error is not None:
        return f"unknown: {what} could not be read ({error.code}: {error.message})"
    reason = FACTS[leaf.name].unknown_reason if leaf is not None and leaf.target == "fact" \
        else None
    said = reason if isinstance(reason, str) or reason is None else reason(ctx.facts)
    if said:
        return f"unknown: {said}"
    if leaf is not None and leaf.target == "hub":
        return f"unknown: Hub fact '{leaf.name}' could not be obtained"
    if leaf is not None and leaf.name.startswith("lineage."):
        lineage = ctx.facts.lineage
        if lineage is None:
            return ("unknown: the ancestry was not resolved (audit from the Hub, or add the "
                    "bases with --lineage-dir)")
        missing = ", ".join(f"{i} ({lineage.nodes[i].status})" for i in lineage.unresolved[:3])
        hint = (f"; {LOOKUP_HINT}"
                if any(lineage.nodes[i].status == "unresolvable" for i in lineage.unresolved)
                else "")
        return f"unknown: ancestor(s) could not be looked up: {missing}{hint}"
    return f"unknown: {what} could not be determined"


# Where the resolved license was read ($origin), in the words of the resolution order.
_ORIGINS = {"metadata": "front matter", "license_file": "LICENSE file", "body": "card text",
            "none": "none"}


def _variables(raw: Raw, ctx: Context) -> dict[str, Any]:
    facts = ctx.facts
    leaf = raw[1]
    return {
        "value": show_value(raw[3]) if raw[0] is not UNKNOWN else "unknown",
        "field": leaf.label if leaf is not None else "",
        "missing": ", ".join(dict.fromkeys(raw[4])) or "a required value",
        "license": facts.license.key,
        # the `license` value as the card wrote it ("???", "Apache License 2.0"), not the key
        "declared": show_value(facts.license.declared) if facts.license.declared not in
        (None, "", []) else "nothing",
        "origin": _ORIGINS.get(facts.license.source, facts.license.source),
        "category": facts.license.category.value,
        "level": facts.disclosure.level.value,
        "gate": facts.gate.level.value,
        "model": ctx.record.id,
        # the Hub's `license:` tags, which the judgement cache keys on with the other Hub facts
        "hub_license": ", ".join(hub.license_tags) if (hub := ctx.record.hub) is not None
        and hub.license_tags else "none",
    }
