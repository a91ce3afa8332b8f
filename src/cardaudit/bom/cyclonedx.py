"""CycloneDX 1.6 JSON with cyclonedx-python-lib: a `machine-learning-model` component per model
(license expression, supplier, version) and a `data` component per training dataset.
The library has no model-card classes yet, so each model's `modelCard` (task, datasets,
considerations) is added to the serialised JSON, and the result is checked with the
library's own CycloneDX 1.6 JSON-schema validator before it is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, TextIO

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType, Pedigree
from cyclonedx.model.contact import OrganizationalEntity
from cyclonedx.model.license import LicenseExpression
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from cardaudit import __version__
from cardaudit.bom.content import BomAncestor, BomError, BomModel


def _ref(kind: str, *parts: str) -> str:
    return f"{kind}-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _model_card(model: BomModel, dataset_refs: list[str]) -> dict[str, Any]:
    parameters: dict[str, Any] = {}
    if model.task:
        parameters["task"] = model.task
    if model.library:
        parameters["architectureFamily"] = model.library
    if dataset_refs:
        parameters["datasets"] = [{"ref": ref} for ref in dataset_refs]
    considerations: dict[str, Any] = {}
    if model.uses:
        considerations["useCases"] = [model.uses]
    if model.limitations:
        considerations["technicalLimitations"] = [model.limitations]
    card: dict[str, Any] = {"bom-ref": _ref("modelcard", model.id)}
    if parameters:
        card["modelParameters"] = parameters
    if model.metrics:
        card["quantitativeAnalysis"] = {"performanceMetrics": [
            {"type": m.name, "value": m.value, **({"slice": m.dataset} if m.dataset else {})}
            for m in model.metrics]}
    if considerations:
        card["considerations"] = considerations
    card["properties"] = [
        {"name": "cardaudit:informationAboutTraining", "value": model.training_info},
        {"name": "cardaudit:status", "value": model.status},
    ] + [{"name": "cardaudit:baseModel", "value": base} for base in model.base_models]
    return card


def _licenses(expression: str) -> list[LicenseExpression]:
    return [] if expression == "NOASSERTION" else [LicenseExpression(expression)]


def _ancestor(model_ref: str, ancestor: BomAncestor) -> Component:
    """A base model as a pedigree ancestor: nested in each derivative, so its bom-ref names
    the derivative too (bom-refs are unique across the document)."""
    properties = [Property(name="cardaudit:lookup", value=ancestor.status),
                  Property(name="cardaudit:informationAboutTraining",
                           value=ancestor.training_info)]
    properties += [Property(name="cardaudit:baseModel", value=p) for p in ancestor.parents]
    if ancestor.relation:
        properties.append(Property(name="cardaudit:relation", value=ancestor.relation))
    if ancestor.download != "NOASSERTION":
        properties.append(Property(name="cardaudit:downloadLocation", value=ancestor.download))
    return Component(
        name=ancestor.id, type=ComponentType.MACHINE_LEARNING_MODEL,
        bom_ref=_ref("ancestor", model_ref, ancestor.id),
        licenses=_licenses(ancestor.license_expression),
        supplier=OrganizationalEntity(name=ancestor.supplier) if ancestor.supplier else None,
        description=f"base model; {ancestor.training_info}"[:500], properties=properties)


def render(models: list[BomModel], stream: TextIO, created: dt.datetime) -> None:
    bom = Bom()
    bom.metadata.timestamp = created
    bom.metadata.tools.components.add(Component(name="cardaudit", version=__version__,
                                                type=ComponentType.APPLICATION))
    cards: dict[str, dict[str, Any]] = {}
    dataset_components: dict[str, Component] = {}
    for model in models:
        ref = _ref("model", model.id, model.version or "")
        component = Component(
            name=model.name, type=ComponentType.MACHINE_LEARNING_MODEL, bom_ref=ref,
            version=model.version, licenses=_licenses(model.license_expression),
            supplier=OrganizationalEntity(name=model.supplier) if model.supplier else None,
            description=model.training_info[:500])
        if model.ancestors:
            component.pedigree = Pedigree(ancestors=[_ancestor(ref, a) for a in model.ancestors])
        bom.components.add(component)
        refs = []
        for dataset in model.datasets:
            data = dataset_components.get(dataset.id)
            if data is None:
                data = Component(name=dataset.id, type=ComponentType.DATA,
                                 bom_ref=_ref("dataset", dataset.id),
                                 description=f"availability: {dataset.availability}")
                dataset_components[dataset.id] = data
                bom.components.add(data)
            refs.append(str(data.bom_ref))
        cards[ref] = _model_card(model, refs)
    document = json.loads(JsonV1Dot6(bom).output_as_string())
    for component in document.get("components", []):
        card = cards.get(component.get("bom-ref"))
        if card is not None:
            component["modelCard"] = card
    text = json.dumps(document, indent=2, ensure_ascii=False)
    problem = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if problem is not None:
        raise BomError(f"CycloneDX 1.6 output is not valid: {str(problem).splitlines()[0]}")
    stream.write(text + "\n")
