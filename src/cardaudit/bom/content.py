"""What goes into a bill of materials for one audited model, independent of the format.

Every license expression written is checked with license-expression first: SPDX ids must be
on the SPDX list it ships, everything else must be a well-formed `LicenseRef-…`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cardaudit.cards.disclosure import DisclosureLevel
from cardaudit.cards.licensebase import LicenseTerms, spdx_licensing
from cardaudit.errors import CardauditError
from cardaudit.lineage.resolve import Lineage, Node
from cardaudit.results import ModelResult
from cardaudit.safetext import plain
from cardaudit.settings import DEFAULT_ENDPOINT
from cardaudit.sources.targets import is_hub_id, is_org_name

_REF_RE = re.compile(r"^LicenseRef-[A-Za-z0-9.\-]+$")
MAX_TEXT = 2000
MAX_METRICS = 50  # model-index blocks run to 750 KB; a BOM lists the first results
MAX_METRIC_TEXT = 120
HUB_LICENSES_URL = "https://huggingface.co/docs/hub/repositories-licenses"


class BomError(CardauditError):
    code = "bad-bom"


@dataclass(frozen=True, slots=True)
class BomDataset:
    id: str
    url: str | None
    availability: str  # directDownload | clickthrough | registration | unknown


@dataclass(frozen=True, slots=True)
class BomMetric:
    """One result the card reports in `model-index`: what was measured, on which data."""

    name: str
    value: str
    dataset: str | None  # the dataset's name as given
    dataset_id: str | None  # its Hub id (`dataset.type`), when it is one


@dataclass(frozen=True, slots=True)
class BomAncestor:
    """A base model in the lineage: its own license and what its card says about its data.
    A procurement file needs the bases' licenses, which bind the derivative too."""

    id: str
    status: str  # ok, or why it could not be looked up (not-found, gated, …)
    license_expression: str  # NOASSERTION when unknown
    license_refs: dict[str, str]
    parents: tuple[str, ...]
    relation: str | None
    training_info: str
    supplier: str | None  # the org of a well-formed Hub id; a base named otherwise has none
    # where it was read, when that was a Hub (a registry's own base, or the public Hub's)
    download: str = "NOASSERTION"


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
    ancestors: tuple[BomAncestor, ...] = ()  # nearest first; only with a resolved lineage
    metrics: tuple[BomMetric, ...] = ()  # the card's model-index results, at most MAX_METRICS
    hub_url: str = DEFAULT_ENDPOINT  # where its datasets live: the Hub it was read from

    def dataset_url(self, dataset_id: str) -> str:
        return dataset_url(self.hub_url, dataset_id)


def dataset_url(hub_url: str, dataset_id: str) -> str:
    return f"{hub_url}/datasets/{dataset_id}"


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


def _web_location(location: str) -> str:
    """A location a BOM can give as a download location (a web address), else NOASSERTION:
    a local folder is no place to download from."""
    return location if location.startswith(("http://", "https://")) else "NOASSERTION"


def _refs(terms: Iterable[LicenseTerms], expression: str) -> dict[str, str]:
    refs = {t.spdx: t.url for t in terms if t.spdx.startswith("LicenseRef-") and t.url}
    for name in re.findall(r"LicenseRef-[A-Za-z0-9.\-]+", expression):
        refs.setdefault(name, HUB_LICENSES_URL)
    return refs


def is_dataset_id(text: str) -> bool:
    """A Hub dataset id (`imdb`, `glue`, `org/name`): what `dataset.type` holds when the card
    follows the Hub's model-index format, and only then a dataset to link. Ids are spelled as
    model ids are; a canonical dataset has no organization."""
    return is_hub_id(text) or is_org_name(text)


def _ancestor(node: Node) -> BomAncestor:
    known = [t for t in node.terms if t.key not in ("unknown", "other")]
    joiner = " OR " if " OR " in (node.license_key or "") else " AND "
    expression = checked_expression(joiner.join(t.spdx for t in known) or "NOASSERTION")
    if not node.resolved:
        data = f"not resolved ({node.status}): its license and training data are unknown"
    elif node.data_level is None:
        data = "training data unknown: its card was not read"
    else:
        data = f"training data {node.data_level.value.replace('_', ' ')}" + (
            f"; named: {', '.join(node.data_named)}" if node.data_named else "")
    supplier = node.id.split("/")[0] if is_hub_id(node.id) and "/" in node.id else None
    download = _web_location(f"{node.source}/{node.id}") \
        if node.resolved and node.source and is_hub_id(node.id) else "NOASSERTION"
    return BomAncestor(node.id, node.status, expression, _refs(known, expression),
                       node.parents, node.relation, data[:MAX_TEXT], supplier, download)


def _inherited(lineage: Lineage) -> str:
    """The data story a derivative inherits, for its information about training."""
    if lineage.inherited_data:
        return "; base models disclose: " + "; ".join(str(d) for d in lineage.inherited_data)
    unread = [*lineage.unresolved, *lineage.unread_cards()]
    return "; no base model's card discloses its training data" + (
        f" (not read: {', '.join(unread)})" if unread else "")


def _short(value: object) -> str | None:
    """A model-index scalar as one short line; nested values and empty text are none."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = plain(str(value))[:MAX_METRIC_TEXT]
    return text or None


def _metrics(metadata: Mapping[str, object]) -> tuple[BomMetric, ...]:
    """The results `model-index` reports (name, value, dataset), whatever shape it is in:
    anything that is not the documented layout is skipped, never an error."""
    found: list[BomMetric] = []
    entries = metadata.get("model-index")
    for entry in entries if isinstance(entries, list) else ():
        results = entry.get("results") if isinstance(entry, dict) else None
        for result in results if isinstance(results, list) else ():
            if not isinstance(result, dict):
                continue
            given = result.get("dataset")
            dataset: dict[str, object] = given if isinstance(given, dict) else {}
            name = _short(dataset.get("name")) or _short(dataset.get("type"))
            hub_id = _short(dataset.get("type"))
            metrics = result.get("metrics")
            for metric in metrics if isinstance(metrics, list) else ():
                if not isinstance(metric, dict):
                    continue
                label = _short(metric.get("name")) or _short(metric.get("type"))
                value = _short(metric.get("value"))
                if label and value:
                    found.append(BomMetric(label, value, name, hub_id if hub_id and
                                           is_dataset_id(hub_id) else None))
                    if len(found) >= MAX_METRICS:
                        return tuple(found)
    return tuple(found)


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
    """`endpoint`: the run's Hub. A model read from it names (and was checked against) that
    Hub's datasets — a registry's, not the public Hub's; a local model's are the public Hub's."""
    facts = result.facts
    hub = result.hub
    owner = result.id.split("/")[0] if "/" in result.id else None
    download = _web_location(result.location)
    if facts is None:
        return BomModel(result.id, result.id, owner, result.revision, download,
                        "NOASSERTION", {}, None, None, "not audited: "
                        + (result.error.message if result.error else ""), None, None, (), (),
                        result.status.value)
    lic = facts.license
    expression = checked_expression(lic.expression)
    refs = _refs(lic.terms, expression)
    dis = facts.disclosure
    hub_url = endpoint if result.hub is not None else DEFAULT_ENDPOINT
    datasets = []
    for dataset_id in dis.datasets:
        if not dis.datasets_checked:
            availability = "unknown"
        elif dataset_id in dis.unobtainable:
            availability = "unobtainable"
        else:
            availability = "directDownload"
        datasets.append(BomDataset(dataset_id, dataset_url(hub_url, dataset_id), availability))
    named = dis.named_summary(limit=len(dis.datasets) + len(dis.named))  # a BOM lists them all
    if dis.level is DisclosureLevel.NOT_DISCLOSED:  # its evidence says where nothing was found
        training = "Training data not disclosed in the card"
    else:
        training = (f"Training data {dis.level.value.replace('_', ' ')} (from {dis.source})"
                    + (f"; {named}" if named else "")
                    + (f". Card: \"{dis.evidence.excerpt}\"" if dis.evidence.excerpt else ""))
    lineage = facts.lineage if isinstance(facts.lineage, Lineage) else None
    if lineage is not None:
        training += _inherited(lineage)
    doc = facts.doc
    task = (hub.pipeline_tag if hub else None) or (
        doc.metadata.get("pipeline_tag") if doc is not None else None)
    library = (hub.library_name if hub else None) or (
        doc.metadata.get("library_name") if doc is not None else None)
    return BomModel(
        id=result.id, name=result.id, supplier=owner, version=result.revision,
        download=download, license_expression=expression, license_refs=refs,
        task=task if isinstance(task, str) else None,
        library=library if isinstance(library, str) else None,
        training_info=training[:MAX_TEXT], uses=_section_text(result, "uses"),
        limitations=_section_text(result, "limitations"), datasets=tuple(datasets),
        base_models=tuple(facts.base_models), status=result.status.value,
        ancestors=tuple(_ancestor(n) for n in lineage.nodes.values()) if lineage else (),
        metrics=_metrics(doc.metadata) if doc is not None else (), hub_url=hub_url)
