"""SPDX 2.3 JSON with spdx-tools: one package per model (and per training dataset), each
model's declared license parsed by spdx-tools' own expression parser, LicenseRefs declared as
extracted licensing info; the document is validated before it is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from typing import Any, TextIO

from spdx_tools.spdx.model import (  # type: ignore[attr-defined, unused-ignore]
    Actor,
    ActorType,
    CreationInfo,
    Document,
    ExtractedLicensingInfo,
    Package,
    PackagePurpose,
    Relationship,
    RelationshipType,
    SpdxNoAssertion,
)
from spdx_tools.spdx.parser.jsonlikedict.license_expression_parser import (
    LicenseExpressionParser,
)
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
from spdx_tools.spdx.validation.uri_validators import validate_download_location
from spdx_tools.spdx.writer.json.json_writer import write_document_to_stream

from cardaudit import __version__
from cardaudit.bom.content import BomAncestor, BomError, BomModel


def _located(url: str) -> dict[str, Any]:
    """A package's download location (and source info): the URL when spdx-tools' validator
    accepts it. Its URL pattern refuses hosts without a dot — `localhost`, IP addresses: a
    registry at http://10.0.0.5:8080 — which would make the whole document invalid; those are
    NOASSERTION, with the URL kept as the source info."""
    if url == "NOASSERTION":
        return {"download_location": SpdxNoAssertion()}
    if validate_download_location(url):
        return {"download_location": SpdxNoAssertion(), "source_info": f"read from {url}"}
    return {"download_location": url}


def _spdx_id(kind: str, *parts: str) -> str:
    return f"SPDXRef-{kind}-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _results(model: BomModel) -> str:
    """SPDX 2.3 has no AI fields: the card's reported results go in the description."""
    return "Reported results: " + "; ".join(
        f"{m.name} {m.value}" + (f" on {m.dataset}" if m.dataset else "")
        for m in model.metrics) if model.metrics else ""


def _declared(expression: str, parser: LicenseExpressionParser) -> Any:
    return SpdxNoAssertion() if expression == "NOASSERTION" else \
        parser.parse_license_expression(expression)


def _ancestor_package(ancestor: BomAncestor, spdx_id: str,
                      parser: LicenseExpressionParser) -> Package:
    """A base model: its declared license and the data its card discloses."""
    declared = _declared(ancestor.license_expression, parser)
    return Package(
        spdx_id=spdx_id, name=ancestor.id, **_located(ancestor.download), files_analyzed=False,
        license_declared=declared, license_concluded=declared,
        primary_package_purpose=PackagePurpose.OTHER,
        supplier=Actor(ActorType.ORGANIZATION, ancestor.supplier) if ancestor.supplier else None,
        summary=f"base model (lookup: {ancestor.status})", comment=ancestor.training_info)


def build(models: list[BomModel], created: dt.datetime) -> Document:
    digest = hashlib.sha256("\x1f".join(m.id for m in models).encode()).hexdigest()[:16]
    info = CreationInfo(
        spdx_version="SPDX-2.3", spdx_id="SPDXRef-DOCUMENT", name="cardaudit AI BOM",
        document_namespace=f"https://cardaudit.example/spdx2/{digest}",
        creators=[Actor(ActorType.TOOL, f"cardaudit-{__version__}")],
        created=created.replace(tzinfo=None, microsecond=0))
    document = Document(info)
    parser = LicenseExpressionParser()
    refs: dict[str, str] = {}
    datasets: dict[str, str] = {}
    packages: dict[str, str] = {}  # model id → SPDX id: the audited models, then their bases
    pending: dict[str, BomAncestor] = {}
    lineage: list[tuple[str, tuple[str, ...]]] = []  # (SPDX id, the ids of its parents)
    for model in models:
        package_id = _spdx_id("model", model.id, model.version or "")
        declared = _declared(model.license_expression, parser)
        package = Package(
            spdx_id=package_id, name=model.name,
            **_located(model.download), version=model.version,
            files_analyzed=False, license_declared=declared,
            license_concluded=declared, primary_package_purpose=PackagePurpose.OTHER,
            supplier=Actor(ActorType.ORGANIZATION, model.supplier) if model.supplier else None,
            summary=f"AI model ({model.task or 'task not declared'})",
            description=_results(model) or None, comment=model.training_info)
        document.packages.append(package)
        document.relationships.append(
            Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, package_id))
        refs.update(model.license_refs)
        packages.setdefault(model.id, package_id)
        lineage.append((package_id, model.base_models))
        for ancestor in model.ancestors:
            pending.setdefault(ancestor.id, ancestor)
        for dataset in model.datasets:
            dataset_id = datasets.get(dataset.id)
            if dataset_id is None:
                dataset_id = _spdx_id("dataset", dataset.id)
                datasets[dataset.id] = dataset_id
                document.packages.append(Package(
                    spdx_id=dataset_id, name=dataset.id,
                    **_located(dataset.url or "NOASSERTION"), files_analyzed=False,
                    primary_package_purpose=PackagePurpose.OTHER,
                    comment=f"training dataset; availability {dataset.availability}"))
            document.relationships.append(Relationship(
                package_id, RelationshipType.OTHER, dataset_id, comment="trainedOn"))
    for ancestor in pending.values():
        if ancestor.id not in packages:  # a base audited in the same run is its own package
            packages[ancestor.id] = _spdx_id("ancestor", ancestor.id)
            document.packages.append(_ancestor_package(ancestor, packages[ancestor.id], parser))
            refs.update(ancestor.license_refs)
            lineage.append((packages[ancestor.id], ancestor.parents))
    for child, parents in lineage:
        for parent in parents:
            if parent in packages:
                document.relationships.append(
                    Relationship(child, RelationshipType.DESCENDANT_OF, packages[parent]))
    for ref, url in sorted(refs.items()):
        document.extracted_licensing_info.append(ExtractedLicensingInfo(
            license_id=ref, extracted_text=f"See {url}", license_name=ref.removeprefix(
                "LicenseRef-"), cross_references=[url]))
    problems = validate_full_spdx_document(document)
    if problems:
        raise BomError(f"SPDX 2.3 document is not valid: {problems[0].validation_message}")
    return document


def render(models: list[BomModel], stream: TextIO, created: dt.datetime) -> None:
    document = build(models, created)
    buffer = io.StringIO()
    write_document_to_stream(document, buffer, validate=False)
    stream.write(json.dumps(json.loads(buffer.getvalue()), indent=2, ensure_ascii=False))
    stream.write("\n")
