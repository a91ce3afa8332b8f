"""CardFacts: the judgments every rule builds on, computed once per model.

Rules read these through `fact:` leaves (`license.category`, `data.level`, `gate.level`, …);
each fact brings the evidence for itself, so a finding can always say where it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cardaudit.cards.disclosure import Disclosure, assess_disclosure
from cardaudit.cards.document import CardDocument
from cardaudit.cards.evidence import NO_EVIDENCE, Evidence, Where, excerpt
from cardaudit.cards.gates import Gate, assess_gate
from cardaudit.cards.licenses import LicenseResolution, resolve_license
from cardaudit.cards.record import BASE_RELATIONS, ModelRecord
from cardaudit.knowledge import Knowledge


@dataclass(frozen=True, slots=True)
class CardFacts:
    """License, disclosure, gate and section judgments for one model."""

    license: LicenseResolution
    disclosure: Disclosure
    gate: Gate
    sections: dict[str, bool]
    base_models: tuple[str, ...]
    doc: CardDocument | None
    hub_tag_agrees: bool | None = None
    lineage: Any = None

    def fact(self, name: str) -> tuple[Any, Evidence]:
        """A fact's value (None: could not be determined) and its evidence."""
        fact = FACTS[name]
        return fact.value(self), fact.evidence(self)


def base_models_of(metadata: dict[str, Any]) -> tuple[str, ...]:
    value = metadata.get("base_model")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(v.strip() for v in value if isinstance(v, str) and v.strip())


def analyse(record: ModelRecord, knowledge: Knowledge, lineage: Any = None) -> CardFacts:
    """Compute every fact for a record (`lineage`: a LineageResolver, when the run has one)."""
    doc = record.card
    hub = record.hub
    license_ = resolve_license(doc, record.license_file, knowledge.licenses)
    disclosure = assess_disclosure(doc, knowledge.datasets, record.dataset_status)
    gate = assess_gate(doc, hub.gated if hub else None,
                       hub_known=hub is not None and hub.gated_known,
                       hub_expected=record.hub_expected)
    sections: dict[str, bool] = {name: False for name in knowledge.sections.names}
    if doc is not None:
        for section in doc.sections:
            if section.canonical and section.filled:
                sections[section.canonical] = True
                for other in section.also:
                    sections[other] = True
        metadata = doc.metadata
        if metadata.get("model-index"):
            sections["evaluation"] = True
        if metadata.get("co2_eq_emissions") not in (None, "", {}, []) \
                or emissions_offset(doc) is not None:
            sections["environmental_impact"] = True
    bases = base_models_of(doc.metadata) if doc is not None else ()
    if not bases and hub is not None:
        bases = hub.base_models
    resolved = lineage.resolve(record, license_) if lineage is not None and bases else None
    return CardFacts(license_, disclosure, gate, sections, bases, doc,
                     _hub_tag_agrees(license_, hub.license_tags if hub else ()), resolved)


def _hub_tag_agrees(license_: LicenseResolution, tags: tuple[str, ...]) -> bool | None:
    """Does the Hub's `license:` tag name what the card declares?"""
    if not tags:
        return None
    declared = license_.declared
    names = [str(v) for v in declared] if isinstance(declared, list) else \
        [str(declared)] if declared is not None else []
    card = {n.strip().lower() for n in names} | {t.key for t in license_.terms}
    return any(tag.strip().lower() in card for tag in tags)


@dataclass(frozen=True, slots=True)
class Fact:
    """A named fact: how to read its value, where its evidence is, and, for a fact that some
    sources cannot know, why its value is unknown (the finding's message)."""

    value: Callable[[CardFacts], Any]
    evidence: Callable[[CardFacts], Evidence]
    # a reason computed from the facts may be None: the engine's generic message then
    unknown_reason: str | Callable[[CardFacts], str | None] | None = None


def _commercial_use_unknown(facts: CardFacts) -> str:
    """Why commercial use is open: the three ways a card leaves it so, in the adopter's words."""
    license_ = facts.license
    if license_.code_only:
        return (f"the card says {license_.key} covers the code only; the weights' terms, "
                "which decide commercial use, are not identified")
    if license_.key == "unknown":
        return "commercial use cannot be judged: the license is not identified"
    return f"the terms of {license_.key} do not settle commercial use: read them"


def _section_value(name: str) -> Callable[[CardFacts], Any]:
    return lambda f: f.sections.get(name, False) if f.doc is not None else None


# Emissions reported in the text ("emissions were 420 tons CO2eq", "Total Emissions (tCO2e) =
# 0.81"), under whatever heading ("Hardware and Software"), report the environmental impact.
_EMISSIONS_RE = re.compile(r"\d[\d.,]*\s*(?:k?g|kilograms?|t|tons?|tonnes?|mt)\s*(?:of\s+)?co2|"
                           r"\bemissions?\b[^.\n]{0,40}co2[^.\n]{0,12}\d", re.I)


def emissions_offset(doc: CardDocument) -> int | None:
    """Body offset of a stated amount of CO2 emitted, or None."""
    if "co2" not in doc.lower:
        return None
    match = _EMISSIONS_RE.search(doc.prose)
    return match.start() if match else None


def _section_evidence(name: str) -> Callable[[CardFacts], Evidence]:
    def get(facts: CardFacts) -> Evidence:
        doc = facts.doc
        if doc is None:
            return NO_EVIDENCE
        found = doc.sections_named(name)
        if found:
            section = next((s for s in found if s.filled), found[0])
            return Evidence(Where.BODY, None, section.line, excerpt(doc.readme_line(section.line)))
        if facts.sections.get(name):
            if name == "evaluation":
                return doc.field_evidence("model-index")
            offset = emissions_offset(doc) if "co2_eq_emissions" not in doc.metadata else None
            return doc.body_evidence(offset) if offset is not None \
                else doc.field_evidence("co2_eq_emissions")
        return Evidence(Where.BODY, None, None, f"no '{name}' section in the card")
    return get


def _card_problem_evidence(facts: CardFacts) -> Evidence:
    doc = facts.doc
    if doc is None or not doc.problems:
        return NO_EVIDENCE
    problem = doc.problems[0]
    return Evidence(Where.METADATA, None, problem.line, excerpt(problem.message))


def _front_matter_evidence(facts: CardFacts) -> Evidence:
    doc = facts.doc
    if doc is None:
        return NO_EVIDENCE
    fm = doc.front_matter
    if fm.block_found:
        return Evidence(Where.METADATA, None, fm.first_line,
                        excerpt(doc.readme_line(fm.first_line)))
    return Evidence(Where.METADATA, None, 1, "the card does not start with a '---' block")


def _license_evidence(f: CardFacts) -> Evidence:
    return f.license.evidence


def _file_evidence(f: CardFacts) -> Evidence:
    return f.license.file_evidence


def _body_evidence(f: CardFacts) -> Evidence:
    return f.license.body_evidence if f.license.body_key else f.license.evidence


def _data_evidence(f: CardFacts) -> Evidence:
    return f.disclosure.evidence


def _gate_evidence(f: CardFacts) -> Evidence:
    return f.gate.evidence


def _base_evidence(f: CardFacts) -> Evidence:
    return f.doc.field_evidence("base_model") if f.doc is not None else NO_EVIDENCE


def _lic(value: Callable[[LicenseResolution], Any]) -> Fact:
    return Fact(lambda f: value(f.license), _license_evidence)


def _data(value: Callable[[Disclosure], Any]) -> Fact:
    return Fact(lambda f: value(f.disclosure), _data_evidence)


def _gate(value: Callable[[Gate], Any]) -> Fact:
    return Fact(lambda f: value(f.gate), _gate_evidence)


FACTS: dict[str, Fact] = {
    "license.key": Fact(lambda f: f.license.key, _license_evidence),
    "license.expression": Fact(lambda f: f.license.expression, _license_evidence),
    "license.category": Fact(lambda f: f.license.category.value, _license_evidence),
    "license.commercial_use": Fact(lambda f: f.license.commercial_use, _license_evidence,
                                   _commercial_use_unknown),
    "license.source": Fact(lambda f: f.license.source, _license_evidence),
    "license.declared": _lic(lambda x: x.declared is not None),
    "license.ids_valid": _lic(lambda x: x.ids_valid),
    "license.has_cap": _lic(lambda x: x.any_term("user_cap") or x.any_term("revenue_cap")),
    "license.has_aup": _lic(lambda x: x.any_term("aup")),
    "license.restricts_outputs": _lic(lambda x: any(
        t.outputs and "may not" in t.outputs.lower() for t in x.terms)),
    "license.naming_rule": _lic(lambda x: x.any_term("naming")),
    "license.attribution_duty": _lic(lambda x: x.any_term("attribution")),
    "license.eu_restriction": _lic(lambda x: x.any_term("eu")),
    "license.needs_verification": _lic(lambda x: any(t.verify for t in x.terms)),
    "license.file_present": Fact(lambda f: f.license.file_present, _file_evidence),
    "license.file_agrees": Fact(lambda f: f.license.file_agrees, _file_evidence),
    "license.hub_tag_agrees": Fact(lambda f: f.hub_tag_agrees, _license_evidence),
    "license.body_statement": Fact(lambda f: f.license.body_key is not None, _body_evidence),
    "license.body_agrees": Fact(lambda f: f.license.body_agrees, _body_evidence),
    "license.code_only": Fact(lambda f: f.license.code_only if f.doc is not None else None,
                              lambda f: f.license.code_only_evidence if f.license.code_only
                              else f.license.evidence),
    "data.level": Fact(lambda f: f.disclosure.level.value, _data_evidence),
    "data.source": _data(lambda x: x.source),
    "data.words": _data(lambda x: x.words),
    "data.datasets": _data(lambda x: list(x.datasets)),
    "data.named": _data(lambda x: list(x.named)),
    "data.unobtainable": Fact(lambda f: list(f.disclosure.unobtainable)
                              if f.disclosure.datasets_checked else None, _data_evidence,
                              "the listed datasets were not looked up on the Hub (only a Hub "
                              "audit without --no-dataset-check does)"),
    "gate.level": Fact(lambda f: f.gate.level.value, _gate_evidence),
    "gate.in_card": Fact(lambda f: f.gate.in_card, _gate_evidence),
    "gate.eu_disallowed": Fact(lambda f: f.gate.eu_disallowed, _gate_evidence),
    "gate.fields": _gate(lambda x: list(x.fields)),
    "gate.prompt": _gate(lambda x: x.prompt),
    "gate.license_in_prompt": _gate(lambda x: x.license_in_prompt),
    "card.parse_status": Fact(lambda f: f.doc.parse_status.value if f.doc else None,
                              _card_problem_evidence),
    "card.has_front_matter": Fact(lambda f: f.doc.has_front_matter if f.doc else None,
                                  _front_matter_evidence),
    "lineage.base_models": Fact(lambda f: list(f.base_models), _base_evidence),
    "lineage.has_base": Fact(lambda f: bool(f.base_models), _base_evidence),
    "lineage.resolved": Fact(lambda f: _lin(f, _resolved), _base_evidence),
    "lineage.drift": Fact(lambda f: _lin_list(f, _drift), _base_evidence),
    "lineage.naming_required": Fact(lambda f: _lin_list(f, lambda x: list(x.naming_required)),
                                    _base_evidence),
    "lineage.naming_ok": Fact(lambda f: _lin(f, lambda x: x.naming_ok), _base_evidence),
    "lineage.attribution_required": Fact(
        lambda f: _lin_list(f, lambda x: list(x.attribution_required)), _base_evidence),
    "lineage.attribution_ok": Fact(lambda f: _lin(f, lambda x: x.attribution_ok),
                                   _base_evidence),
    "lineage.inherited_obligations": Fact(
        lambda f: _lin_list(f, lambda x: [f"{o.kind}: {o.text}" for o in x.obligations]),
        _base_evidence),
    "lineage.inherited_data": Fact(lambda f: _lin(f, _inherited_data), _base_evidence,
                                   lambda f: _inherited_data_unknown(f.lineage)),
    "lineage.merge": Fact(lambda f: _is_merge(f), _base_evidence),
    "lineage.undisclosed_parents": Fact(lambda f: _lin(f, _undisclosed_parents), _base_evidence,
                                        lambda f: _unread_parents_reason(f.lineage)),
    "lineage.relation": Fact(lambda f: _lin(f, lambda x: x.relation), _base_evidence),
    "lineage.root_family": Fact(lambda f: _lin(f, lambda x: x.root_family), _base_evidence),
    "lineage.root_country": Fact(lambda f: _lin(f, lambda x: x.root_country), _base_evidence),
}


def _drift(lineage: Any) -> list[str] | None:
    """Drift found is definite; no drift is only known when every ancestor's terms are."""
    if lineage.drift:
        return [d.reason for d in lineage.drift]
    unknown_terms = any(n.resolved and (n.category is None or n.category.value == "unknown")
                        for n in lineage.nodes.values())
    return None if lineage.unresolved or unknown_terms else []


def _resolved(lineage: Any) -> bool | None:
    """False for a definite defect (a cycle, a chain deeper than the limit, more ancestors
    than are looked up); None (unknown) while an ancestor could not be looked up; True when
    every ancestor was found."""
    if lineage.cycle or lineage.depth_limited or lineage.width_limited:
        return False
    return None if lineage.unresolved else True


def _lin(facts: CardFacts, read: Callable[[Any], Any]) -> Any:
    """A lineage fact; None (unknown) when the ancestry was not resolved."""
    return read(facts.lineage) if facts.lineage is not None else None


def _inherited_data(lineage: Any) -> list[str] | None:
    """Ancestors whose cards disclose their training data; unknown when none does but one
    could not be read (a gated or missing base)."""
    found = [str(d) for d in lineage.inherited_data]
    return found if found or not lineage.data_unread else None


def _inherited_data_unknown(lineage: Any) -> str | None:
    """Why the ancestors' data is open when every ancestor was found: a card not read (a gated
    base), or an ancestry cut at its limits; None (the engine's lookup message) otherwise."""
    if lineage is None or lineage.unresolved:
        return None
    unread = lineage.unread_cards()
    if unread:
        return (f"no ancestor read discloses its training data; the card of "
                f"{', '.join(unread[:3])} was not read (gated, or no readable README: only its "
                "metadata is looked up)")
    return "no ancestor looked up discloses its training data; the ancestry was cut at its limits"


def _is_merge(facts: CardFacts) -> bool:
    """Whether the model merges its bases: the lineage's relation when it was resolved, else
    the card's own `base_model_relation`, else more than one base (known without a lookup, so
    a fine-tune in a dump is not applicable rather than unknown)."""
    if facts.lineage is not None:
        return bool(facts.lineage.relation == "merge")
    declared = facts.doc.metadata.get("base_model_relation") if facts.doc is not None else None
    if isinstance(declared, str) and declared.strip().lower() in BASE_RELATIONS:
        return declared.strip().lower() == "merge"
    return len(facts.base_models) > 1


def _undisclosed_parents(lineage: Any) -> list[str] | None:
    """A merge's parents whose line discloses no data; unknown when none is found so but a
    parent's line could not be read throughout."""
    found = list(lineage.undisclosed_parents)
    return found if found or not lineage.unread_parents else None


def _unread_parents_reason(lineage: Any) -> str | None:
    if lineage is None or not lineage.unread_parents or lineage.unresolved:
        return None  # an ancestor not found: the engine names it, with the lookup hint
    return (f"the line of {', '.join(lineage.unread_parents[:3])} could not be read throughout "
            "(an ancestor not found, gated, or without a readable README)")


def _lin_list(facts: CardFacts, read: Callable[[Any], Any]) -> Any:
    """A list-valued lineage fact: empty (known) for a card with no base, so rules
    conditioned on it are not applicable rather than unknown."""
    if not facts.base_models:
        return []
    found = _lin(facts, read)
    if not found and facts.lineage is not None and facts.lineage.unresolved:
        return None  # nothing found, but an ancestor could not be looked up
    return found

for _name in ("model_details", "uses", "limitations", "how_to_start", "training", "evaluation",
              "environmental_impact", "technical_specs", "citation", "contact"):
    FACTS[f"sections.{_name}"] = Fact(_section_value(_name), _section_evidence(_name))
