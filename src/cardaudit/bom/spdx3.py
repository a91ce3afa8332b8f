"""SPDX 3.0.1 JSON-LD with the AI and dataset profiles, written with spdx-python-model (the
SPDX 3 writer in spdx-tools follows a pre-release draft and crashes on real AI fields,
library-facts §3): one AIPackage per model with its declared license, information about
training, type of model; datasets as DatasetPackages linked by `trainedOn`."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any, TextIO

from spdx_python_model import v3_0_1 as S

from cardaudit import __version__
from cardaudit.bom.content import BomAncestor, BomDataset, BomError, BomMetric, BomModel

NAMESPACE = "https://cardaudit.example/spdx"


def _id(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
    return f"{NAMESPACE}/{kind}-{digest}"


def _dataset_package(info: Any, dataset: BomDataset, datasets: dict[str, Any],
                     elements: list[Any]) -> Any:
    """One DatasetPackage per dataset id, however many models train or test on it."""
    node = datasets.get(dataset.id)
    if node is None:
        node = S.dataset_DatasetPackage(
            spdxId=_id("dataset", dataset.id), creationInfo=info, name=dataset.id,
            software_downloadLocation=dataset.url or "NOASSERTION",
            software_primaryPurpose=S.software_SoftwarePurpose.data,
            dataset_datasetType=[S.dataset_DatasetType.noAssertion])
        if dataset.availability in ("directDownload", "clickthrough", "registration"):
            node.dataset_datasetAvailability = getattr(
                S.dataset_DatasetAvailabilityType, dataset.availability)
        datasets[dataset.id] = node
        elements.append(node)
    return node


def _metric_entries(metrics: tuple[BomMetric, ...]) -> list[Any]:
    """`ai_metric` entries, "accuracy (IMDB)" → "0.93": one per name and dataset."""
    entries: dict[str, str] = {}
    for metric in metrics:
        key = f"{metric.name} ({metric.dataset})" if metric.dataset else metric.name
        entries.setdefault(key, metric.value)
    return [S.DictionaryEntry(key=k, value=v) for k, v in entries.items()]


def _organization(info: Any, name: str, organizations: dict[str, Any],
                  elements: list[Any]) -> Any:
    """One Organization element per supplier name, however many packages it supplies."""
    organization = organizations.get(name)
    if organization is None:
        organization = S.Organization(spdxId=_id("org", name), name=name, creationInfo=info)
        organizations[name] = organization
        elements.append(organization)
    return organization


def _declared_license(info: Any, package: Any, owner: str, expression: str,
                      refs: dict[str, str]) -> list[Any]:
    node = S.simplelicensing_LicenseExpression(
        spdxId=_id("license", owner, expression), creationInfo=info,
        simplelicensing_licenseExpression=expression)
    if refs:
        node.simplelicensing_customIdToUri = [
            S.DictionaryEntry(key=k, value=v) for k, v in sorted(refs.items())]
    return [node, S.Relationship(
        spdxId=_id("rel", owner, "license"), creationInfo=info, from_=package,
        to=[node], relationshipType=S.RelationshipType.hasDeclaredLicense)]


def _ancestor_package(info: Any, ancestor: BomAncestor, organizations: dict[str, Any],
                      elements: list[Any]) -> Any:
    """A base model as a package of its own (not a root): its declared license, and the
    data its card discloses, which the derivative inherits."""
    package = S.ai_AIPackage(
        spdxId=_id("ancestor", ancestor.id), creationInfo=info, name=ancestor.id,
        software_downloadLocation=ancestor.download,
        software_primaryPurpose=S.software_SoftwarePurpose.model,
        ai_informationAboutTraining=ancestor.training_info,
        comment=f"base model; lookup: {ancestor.status}"
        + (f"; relation: {ancestor.relation}" if ancestor.relation else ""))
    if ancestor.supplier:
        package.suppliedBy = _organization(info, ancestor.supplier, organizations, elements)
    elements.append(package)
    elements += _declared_license(info, package, "ancestor:" + ancestor.id,
                                  ancestor.license_expression, ancestor.license_refs)
    return package


def build(models: list[BomModel], created: dt.datetime) -> S.SHACLObjectSet:
    objects = S.SHACLObjectSet()
    tool = S.Tool(spdxId=_id("tool", "cardaudit", __version__), name=f"cardaudit {__version__}")
    agent = S.Organization(spdxId=_id("agent", "cardaudit"), name="cardaudit")
    info = S.CreationInfo(specVersion="3.0.1", created=created, createdBy=[agent],
                          createdUsing=[tool])
    tool.creationInfo = info
    agent.creationInfo = info
    elements: list[Any] = [tool, agent]
    roots = []
    datasets: dict[str, Any] = {}
    organizations: dict[str, Any] = {}
    packages: dict[str, Any] = {}  # by model id: the audited models, then their bases
    pending: dict[str, BomAncestor] = {}
    lineage: list[tuple[Any, tuple[str, ...]]] = []  # (package, the ids of its parents)
    for model in models:
        package = S.ai_AIPackage(
            spdxId=_id("model", model.id, model.version or ""), creationInfo=info,
            name=model.name, software_downloadLocation=model.download,
            software_primaryPurpose=S.software_SoftwarePurpose.model,
            ai_informationAboutTraining=model.training_info)
        if model.version:
            package.software_packageVersion = model.version
        if model.task:
            package.ai_typeOfModel = [model.task]
        if model.uses:
            package.ai_informationAboutApplication = model.uses
        if model.limitations:
            package.ai_limitation = model.limitations
        if model.supplier:
            package.suppliedBy = _organization(info, model.supplier, organizations, elements)
        roots.append(package)
        elements.append(package)
        elements += _declared_license(info, package, model.id, model.license_expression,
                                      model.license_refs)
        lineage.append((package, model.base_models))
        packages.setdefault(model.id, package)
        for ancestor in model.ancestors:
            pending.setdefault(ancestor.id, ancestor)
        if model.metrics:
            package.ai_metric = _metric_entries(model.metrics)
        trained_on = [_dataset_package(info, dataset, datasets, elements)
                      for dataset in model.datasets]
        if trained_on:
            elements.append(S.Relationship(
                spdxId=_id("rel", model.id, "trainedOn"), creationInfo=info, from_=package,
                to=trained_on, relationshipType=S.RelationshipType.trainedOn))
        tested_ids = dict.fromkeys(m.dataset_id for m in model.metrics if m.dataset_id)
        tested_on = [_dataset_package(info, BomDataset(d, model.dataset_url(d), "unknown"),
                                      datasets, elements)
                     for d in tested_ids if d]
        if tested_on:
            elements.append(S.Relationship(
                spdxId=_id("rel", str(package.spdxId), "testedOn"), creationInfo=info,
                from_=package, to=tested_on, relationshipType=S.RelationshipType.testedOn))
    for ancestor in pending.values():
        if ancestor.id not in packages:  # a base audited in the same run is its own package
            packages[ancestor.id] = _ancestor_package(info, ancestor, organizations, elements)
            lineage.append((packages[ancestor.id], ancestor.parents))
    for child, parents in lineage:
        bases = [packages[p] for p in parents if p in packages]
        if bases:
            elements.append(S.Relationship(
                spdxId=_id("rel", child.spdxId, "descendantOf"), creationInfo=info, from_=child,
                to=bases, relationshipType=S.RelationshipType.descendantOf))
    document = S.SpdxDocument(
        spdxId=_id("document", *(m.id for m in models)), creationInfo=info,
        name="cardaudit AI bill of materials",
        profileConformance=[S.ProfileIdentifierType.core, S.ProfileIdentifierType.software,
                            S.ProfileIdentifierType.ai, S.ProfileIdentifierType.dataset,
                            S.ProfileIdentifierType.simpleLicensing],
        rootElement=roots, element=elements)
    objects.add(document)
    for element in elements:
        objects.add(element)
    missing = objects.link()
    if missing:
        raise BomError(f"SPDX 3 document has unresolved references: {sorted(missing)[:3]}")
    return objects


def render(models: list[BomModel], stream: TextIO, created: dt.datetime) -> None:
    objects = build(models, created)
    buffer = io.BytesIO()
    S.JSONLDSerializer().write(objects, buffer, indent=2)
    stream.write(buffer.getvalue().decode("utf-8"))
    stream.write("\n")
