"""What goes into a bill of materials for one audited model, independent of the format.

Every license expression written is checked with license-expression first: SPDX ids must be
on the SPDX list it ships, everything else must be a well-formed `LicenseRef-…`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cardaudit.cards.licensebase import spdx_licensing
from cardaudit.errors import CardauditError
from cardaudit.results import ModelResult

_REF_RE = re.compile(r"^LicenseRef-[A-Za-z0-9.\-]+$")
MAX_TEXT = 2000


class BomError(CardauditError):
    code = "bad-bom"


@dataclass(frozen=True, slots=True)
class BomDataset:
    id: str
    url: str | None
    availability: str  # directDownload | clickthrough | registration | unknown


@dataclass(frozen=True, slots=True)
class BomModel:
    id: str
    name: str
    supplier: str | None
    version: str | None
    download: str
    license_expression: str
    license_refs: dict[str, str]
    task: str | None
    library: str | None
    training_info: str
    uses: str | None
    limitations: str | None
    datasets: tuple[BomDataset, ...]
    base_models: tuple[str, ...]
    status: str


def checked_expression(expression: str) -> str:
    """The expression normalised by license-expression; every symbol is an SPDX id it knows
    or a well-formed LicenseRef. Raises BomError otherwise."""
    if expression in ("NOASSERTION", "NONE"):
        return expression
    licensing = spdx_licensing()
    try:
        parsed = licensing.parse(expression)
    except Exception as exc:  # license-expression raises several unrelated types
        raise BomError(f"invalid license expression '{expression}': {exc}") from None
    if parsed is None:
        return "NOASSERTION"
    for symbol in licensing.license_symbols(parsed, unique=True):
        key = str(symbol.key)
        if _REF_RE.match(key):
            continue
        try:
            errors = licensing.validate(key).errors
        except Exception:  # validate() has raised AttributeError on odd input (library bug)
            errors = ["unparseable"]
        if errors:
            raise BomError(f"license '{key}' in '{expression}' is neither an SPDX id nor a "
                           "LicenseRef")
    return str(parsed)


def _section_text(result: ModelResult, canonical: str) -> str | None:
    facts = result.facts
    doc = facts.doc if facts else None
    if doc is None:
        return None
    for section in doc.sections_named(canonical):
        if section.filled:
            text = " ".join(doc.prose[section.start:section.end].split())
            return text[:MAX_TEXT] or None
    return None


def bom_model(result: ModelResult, endpoint: str) -> BomModel:
    facts = result.facts
    hub = result.hub
    owner = result.id.split("/")[0] if "/" in result.id else None
    if facts is None:
        download = result.location if result.location.startswith(("http://", "https://")) \
            else "NOASSERTION"
        return BomModel(result.id, result.id, owner, result.revision, download,
                        "NOASSERTION", {}, None, None, "not audited: "
                        + (result.error.message if result.error else ""), None, None, (), (),
                        result.status.value)
    lic = facts.license
    expression = checked_expression(lic.expression)
    refs = {t.spdx: t.url for t in lic.terms if t.spdx.startswith("LicenseRef-") and t.url}
    for name in re.findall(r"LicenseRef-[A-Za-z0-9.\-]+", expression):
        refs.setdefault(name, "https://huggingface.co/docs/hub/repositories-licenses")
    dis = facts.disclosure
    datasets = []
    for dataset_id in dis.datasets:
        if not dis.datasets_checked:
            availability = "unknown"
        elif dataset_id in dis.unobtainable:
            availability = "unobtainable"
        else:
            availability = "directDownload"
        datasets.append(BomDataset(dataset_id, f"https://huggingface.co/datasets/{dataset_id}",
                                   availability))
    named = ", ".join(dis.named) if dis.named else ""
    training = (f"Training data {dis.level.value.replace('_', ' ')} (from {dis.source})"
                + (f"; datasets: {', '.join(dis.datasets)}" if dis.datasets else "")
                + (f"; named in the card: {named}" if named else "")
                + (f". Card: \"{dis.evidence.excerpt}\"" if dis.evidence.excerpt else ""))
    doc = facts.doc
    task = (hub.pipeline_tag if hub else None) or (
        doc.metadata.get("pipeline_tag") if doc is not None else None)
    library = (hub.library_name if hub else None) or (
        doc.metadata.get("library_name") if doc is not None else None)
    download = result.location if result.location.startswith(("http://", "https://")) \
        else "NOASSERTION"
    return BomModel(
        id=result.id, name=result.id, supplier=owner, version=result.revision,
        download=download, license_expression=expression, license_refs=refs,
        task=task if isinstance(task, str) else None,
        library=library if isinstance(library, str) else None,
        training_info=training[:MAX_TEXT], uses=_section_text(result, "uses"),
        limitations=_section_text(result, "limitations"), datasets=tuple(datasets),
        base_models=tuple(facts.base_models), status=result.status.value)
