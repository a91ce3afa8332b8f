"""What the store keeps per model: a flat, picklable row built from a ModelResult.

Bulk-dump workers build these in their own process and send only them back, so the parent
never holds parsed cards. Findings are kept for outcomes that need attention: fail and
unknown, or only fail for a model whose card could not be read (every unknown there has the
row's error as its reason). A rule absent from a model's findings passed or did not apply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cardaudit.cards.record import ModelRecord
from cardaudit.engine.findings import Outcome
from cardaudit.lineage.resolve import Lineage, base_models_of, relation_of
from cardaudit.results import ModelResult

KEPT_OUTCOMES = (Outcome.FAIL, Outcome.UNKNOWN)
# Without a card every card rule is unknown for the one reason the row's error already
# records (44% of the 2022 dump: ~25 findings each, over half of all stored findings).
KEPT_WITHOUT_CARD = (Outcome.FAIL,)


@dataclass(frozen=True, slots=True)
class StoredFinding:
    rule: str
    outcome: str
    severity: str
    message: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class StoredModel:
    """One model's audit as stored: the columns trends and diffs read."""

    model_id: str
    source: str
    location: str
    status: str
    revision: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    license: str | None = None
    category: str | None = None
    commercial_use: bool | None = None
    disclosure: str | None = None
    disclosure_source: str | None = None
    gate: str | None = None
    scores: dict[str, int | None] = field(default_factory=dict)
    grade: str | None = None
    sections: dict[str, bool] = field(default_factory=dict)
    author: str | None = None
    created_at: str | None = None
    last_modified: str | None = None
    downloads: int | None = None
    downloads_all_time: int | None = None
    likes: int | None = None
    parameters: int | None = None
    pipeline_tag: str | None = None
    library_name: str | None = None
    hub: dict[str, Any] | None = None
    base_models: tuple[str, ...] = ()
    relation: str | None = None
    root: str | None = None
    root_family: str | None = None
    root_disclosure: str | None = None  # the root base's own level, when the lineage read it
    findings: tuple[StoredFinding, ...] = ()

    @property
    def audited(self) -> bool:
        """Whether the model counts in trends: its card was read, or it has none at all (a
        repo without README discloses nothing). Unreadable rows, failed fetches and gated
        cards we could not read are left out — their facts are unknown, not negative."""
        return self.disclosure is not None and (self.status == "ok"
                                                or self.error_code == "missing-card")

    @property
    def org(self) -> str | None:
        return self.author or (self.model_id.split("/")[0] if "/" in self.model_id else None)


def stored_from_result(result: ModelResult) -> StoredModel:
    facts = result.facts
    hub = result.hub
    lineage = result.lineage if isinstance(result.lineage, Lineage) else None
    findings = tuple(
        StoredFinding(f.rule, f.outcome.value, f.severity.value, f.message, f.evidence.line)
        for f in result.findings_with(
            KEPT_OUTCOMES if result.facts is not None and result.facts.doc is not None
            else KEPT_WITHOUT_CARD))
    common: dict[str, Any] = {
        "model_id": result.id, "source": result.source, "location": result.location,
        "status": result.status.value, "revision": result.revision,
        "error_code": result.error.code if result.error else None,
        "error_message": result.error.message if result.error else None,
        "scores": result.scores.as_json(), "grade": result.scores.grade,
        "findings": findings,
    }
    if hub is not None:
        common.update(
            author=hub.author, created_at=hub.created_at, last_modified=hub.last_modified,
            downloads=hub.downloads, downloads_all_time=hub.downloads_all_time, likes=hub.likes,
            parameters=hub.parameters, pipeline_tag=hub.pipeline_tag,
            library_name=hub.library_name, hub=hub.as_json())
    if facts is None:
        return StoredModel(**common)
    doc = facts.doc
    bases = base_models_of(doc) or (hub.base_models if hub is not None else ())
    if lineage is not None:
        relation: str | None = lineage.relation
    else:
        record = ModelRecord(result.id, result.source, result.location, doc, hub=hub)
        relation = relation_of(record, bases)
    lic = facts.license
    return StoredModel(
        **common,
        license=lic.key, category=lic.category.value, commercial_use=lic.commercial_use,
        disclosure=facts.disclosure.level.value, disclosure_source=facts.disclosure.source,
        gate=facts.gate.level.value, sections=dict(facts.sections),
        base_models=bases, relation=relation,
        root=lineage.root if lineage is not None else None,
        root_family=lineage.root_family if lineage is not None else None,
        root_disclosure=_root_disclosure(lineage),
    )


def _root_disclosure(lineage: Lineage | None) -> str | None:
    node = lineage.nodes.get(lineage.root) if lineage is not None and lineage.root else None
    return node.data_level.value if node is not None and node.data_level is not None else None


def to_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))
