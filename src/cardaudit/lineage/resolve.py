"""Lineage: follow `base_model` to every ancestor, cycle-safe and depth-bounded, and judge what
the ancestors' licenses mean for the model (drift, inherited obligations, naming, attribution).

Ancestors are looked up once per run whatever the number of models that share them (a node
cache with in-flight de-duplication, safe across worker threads): local folders first (targets
and `--lineage-dir`), then the Hub when the run may use it.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from cardaudit.cards.disclosure import (
    LEVEL_RANK,
    DatasetVocabulary,
    DisclosureLevel,
    assess_disclosure,
)
from cardaudit.cards.document import CardDocument
from cardaudit.cards.facts import base_models_of as card_base_models
from cardaudit.cards.licensebase import Category, LicenseBase, LicenseTerms, Obligation
from cardaudit.cards.licenses import LicenseResolution, resolve_license
from cardaudit.cards.record import BASE_RELATIONS, ModelRecord
from cardaudit.errors import UsageError
from cardaudit.lineage.origin import Origins
from cardaudit.sources.targets import address_path, hub_model_id, is_hub_id

MAX_DEPTH = 8
# Ancestors looked up per model: real merges name a handful of bases; a hostile card naming
# thousands would otherwise cost a Hub request each
MAX_ANCESTORS = 100
_QUOTED_RE = re.compile(r"\"([^\"]{4,60})\"")
_QUANTIZED_RE = re.compile(r"(?i)(?:gguf|gptq|awq|exl2|[-_](?:\d)bit\b|bnb|mlx)")


@dataclass(frozen=True, slots=True)
class Node:
    """One ancestor as looked up: its license and its own parents, or why it is unknown."""

    id: str
    status: str
    license_key: str | None = None
    category: Category | None = None
    commercial_use: bool | None = None
    terms: tuple[LicenseTerms, ...] = ()
    parents: tuple[str, ...] = ()
    relation: str | None = None
    # how its card discloses training data (None: the card was not read) and what it names
    data_level: DisclosureLevel | None = None
    data_named: tuple[str, ...] = ()
    # where it was read: "local" (a folder) or the Hub endpoint's URL; None: nowhere
    source: str | None = None

    @property
    def resolved(self) -> bool:
        return self.status == "ok"

    @property
    def discloses_data(self) -> bool:
        return self.data_level in (DisclosureLevel.AVAILABLE, DisclosureLevel.PARTIAL)


@dataclass(frozen=True, slots=True)
class AncestorData:
    """An ancestor whose card says what it was trained on: the data a derivative inherits."""

    ancestor: str
    level: DisclosureLevel
    named: tuple[str, ...]

    def __str__(self) -> str:
        named = f" ({', '.join(self.named)})" if self.named else ""
        return f"{self.ancestor}: {self.level.value}{named}"


@dataclass(frozen=True, slots=True)
class Drift:
    ancestor: str
    reason: str


@dataclass(frozen=True, slots=True)
class Lineage:
    """A model's ancestry and what it implies."""

    parents: tuple[str, ...]
    relation: str | None
    nodes: dict[str, Node]
    root: str | None
    roots: tuple[str, ...]
    root_org: str | None
    root_country: str | None
    root_family: str | None
    unresolved: tuple[str, ...]
    cycle: bool
    depth_limited: bool
    drift: tuple[Drift, ...]
    obligations: tuple[Obligation, ...]
    naming_required: tuple[str, ...] = ()
    naming_ok: bool | None = None
    attribution_required: tuple[str, ...] = ()
    attribution_ok: bool | None = None
    eu_restriction: tuple[str, ...] = field(default=())
    width_limited: bool = False  # more than MAX_ANCESTORS ancestors: the rest not looked up
    inherited_data: tuple[AncestorData, ...] = ()  # nearest first
    data_unread: bool = False  # an ancestor unresolved or its card not read: data may be there
    # a merge's parents none of whose line (the parent and its ancestors) discloses its data,
    # and those whose line could not be read throughout (their data may be there)
    undisclosed_parents: tuple[str, ...] = ()
    unread_parents: tuple[str, ...] = ()
    # what the bases disclose, as a level: each parent's line at its best, the least of the
    # lines (a merge is as documented as its least documented parent); None when a line
    # has no card read, or the ancestry was cut
    inherited_level: DisclosureLevel | None = None

    def unread_cards(self) -> list[str]:
        """Ancestors found whose cards were not read (a gated base, or no readable README):
        their licenses are known from metadata, their data is not."""
        return [n.id for n in self.nodes.values() if n.resolved and n.data_level is None]

    def as_json(self) -> dict[str, Any]:
        return {
            "parents": list(self.parents),
            "relation": self.relation,
            "root": self.root,
            "roots": list(self.roots),
            "root_org": self.root_org,
            "root_country": self.root_country,
            "root_family": self.root_family,
            "ancestors": [
                {"id": n.id, "status": n.status, "license": n.license_key,
                 "category": n.category.value if n.category else None,
                 "commercial_use": n.commercial_use, "parents": list(n.parents),
                 "relation": n.relation,
                 "data_disclosure": n.data_level.value if n.data_level else None,
                 "source": n.source}
                for n in self.nodes.values()],
            "unresolved": list(self.unresolved),
            "cycle": self.cycle,
            "depth_limited": self.depth_limited,
            "width_limited": self.width_limited,
            "drift": [{"ancestor": d.ancestor, "reason": d.reason} for d in self.drift],
            "inherited_obligations": [{"kind": o.kind, "text": o.text, "license": o.license}
                                      for o in self.obligations],
            "naming": {"required_prefixes": list(self.naming_required), "ok": self.naming_ok},
            "attribution": {"required": list(self.attribution_required),
                            "ok": self.attribution_ok},
            "inherited_data": [{"ancestor": d.ancestor, "level": d.level.value,
                                "named": list(d.named)} for d in self.inherited_data],
            "undisclosed_parents": list(self.undisclosed_parents),
            "inherited_level": self.inherited_level.value if self.inherited_level else None,
        }


class ParentLookup(Protocol):
    def lookup(self, model_id: str) -> Node | None:
        """The node for an id, or None when this lookup does not know the model."""
        ...


def base_models_of(doc: CardDocument | None) -> tuple[str, ...]:
    """The parents a card names, each once, by id: a base model given as its Hub address
    (`https://huggingface.co/org/m`, which the Hub itself refuses) is looked up as `org/m`."""
    if doc is None:
        return ()
    return tuple(dict.fromkeys(_as_id(v) for v in card_base_models(doc.metadata)))


def _as_id(value: str) -> str:
    if is_hub_id(value) or address_path(value) is None:
        return value
    try:
        return hub_model_id(value)
    except UsageError:  # the address of a dataset, a Space or another revision: as written
        return value


def relation_of(record: ModelRecord, parents: tuple[str, ...]) -> str | None:
    """The card's `base_model_relation`, else the Hub's, else inferred (reference §1.1)."""
    doc = record.card
    declared = doc.metadata.get("base_model_relation") if doc is not None else None
    if isinstance(declared, str) and declared.strip().lower() in BASE_RELATIONS:
        return declared.strip().lower()
    if record.hub is not None and record.hub.base_relation in BASE_RELATIONS:
        return record.hub.base_relation
    if not parents:
        return None
    if len(parents) > 1:
        return "merge"
    library = (doc.metadata.get("library_name") if doc is not None else None) or (
        record.hub.library_name if record.hub else None)
    if library == "peft":
        return "adapter"
    tags = " ".join(record.hub.tags) if record.hub else ""
    if _QUANTIZED_RE.search(record.id) or "gguf" in tags:
        return "quantized"
    return "finetune"


NAMED_SHOWN = 5  # datasets an ancestor's data entry names at most
# how to supply an ancestor found neither among local folders nor on the Hub
LOOKUP_HINT = "add its folder with --lineage-dir, or ask the Hub with --lineage-hub"
LOOKUP_HINT_MANY = "add their folders with --lineage-dir, or ask the Hub with --lineage-hub"


def node_from_card(model_id: str, doc: CardDocument | None, kb: LicenseBase,
                   vocab: DatasetVocabulary, hub_parents: tuple[str, ...] = (),
                   hub_relation: str | None = None, license_tag: str | None = None,
                   dataset_tags: tuple[str, ...] = (), source: str | None = None) -> Node:
    """A node from a card (and/or the Hub's license tag, dataset tags and base-model facts).
    Its data disclosure is judged as a model's own; without the card, the Hub's dataset tags
    (from the card's `datasets:`) still show listed data."""
    resolution: LicenseResolution | None = None
    if doc is not None:
        resolution = resolve_license(doc, None, kb)
    terms: tuple[LicenseTerms, ...] = resolution.terms if resolution else ()
    key = resolution.key if resolution else None
    category = resolution.category if resolution else None
    commercial = resolution.commercial_use if resolution else None
    if (resolution is None or not resolution.resolved) and license_tag:
        tagged = kb.lookup(license_tag)
        if tagged is not None and tagged.category is not Category.UNKNOWN:
            terms, key, category, commercial = (tagged,), tagged.key, tagged.category, \
                tagged.commercial_use
    parents = base_models_of(doc) or hub_parents
    level: DisclosureLevel | None = None
    named: tuple[str, ...] = ()
    if doc is not None:
        disclosure = assess_disclosure(doc, vocab)
        level, named = disclosure.level, disclosure.datasets or disclosure.named
    elif dataset_tags:
        level, named = DisclosureLevel.AVAILABLE, dataset_tags
    return Node(model_id, "ok", key, category, commercial, terms, parents, hub_relation,
                level, tuple(dict.fromkeys(named))[:NAMED_SHOWN], source)


class LocalLookup:
    """Ancestors found on disk: the run's own targets and `--lineage-dir` folders."""

    def __init__(self, sources: list[tuple[Any, dict[str, Any]]], kb: LicenseBase,
                 vocab: DatasetVocabulary) -> None:
        self.sources = sources
        self.kb = kb
        self.vocab = vocab

    def lookup(self, model_id: str) -> Node | None:
        for source, targets in self.sources:
            target = targets.get(model_id)
            if target is None:
                continue
            try:
                record = source.load(target)
            except Exception:  # a SourceError: the folder is there but unreadable
                return Node(model_id, "unreadable", source="local")
            return node_from_card(model_id, record.card, self.kb, self.vocab, source="local")
        return None


class LineageResolver:
    """Resolves and judges lineage; ancestor nodes are shared by every model of the run."""

    def __init__(self, lookups: list[ParentLookup], kb: LicenseBase, origins: Origins,
                 max_depth: int = MAX_DEPTH, max_ancestors: int = MAX_ANCESTORS) -> None:
        self.lookups = lookups
        self.kb = kb
        self.origins = origins
        self.max_depth = max_depth
        self.max_ancestors = max_ancestors
        self._nodes: dict[str, Node] = {}
        self._pending: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def node(self, model_id: str) -> Node:
        """One lookup per id per run, even when many threads ask at once."""
        while True:
            with self._lock:
                known = self._nodes.get(model_id)
                if known is not None:
                    return known
                waiting = self._pending.get(model_id)
                if waiting is None:
                    event = threading.Event()
                    self._pending[model_id] = event
                    break
            waiting.wait()
        node = Node(model_id, "error")
        try:
            node = self._lookup(model_id)
        finally:
            with self._lock:
                self._nodes[model_id] = node
                self._pending.pop(model_id).set()
        return node

    def _lookup(self, model_id: str) -> Node:
        for lookup in self.lookups:
            found = lookup.lookup(model_id)
            if found is not None:
                return found
        return Node(model_id, "unresolvable")

    def resolve(self, record: ModelRecord, own: LicenseResolution) -> Lineage | None:
        doc = record.card
        parents = base_models_of(doc) or (record.hub.base_models if record.hub else ())
        if not parents:
            return None
        nodes: dict[str, Node] = {}
        cycle = depth_limited = width_limited = False
        frontier: deque[tuple[str, int, tuple[str, ...]]] = deque(
            (p, 1, (record.id,)) for p in parents)
        while frontier:
            model_id, depth, path = frontier.popleft()
            if model_id in path:
                cycle = True
                continue
            if model_id in nodes:
                continue
            if depth > self.max_depth:
                depth_limited = True
                continue
            if len(nodes) >= self.max_ancestors:
                width_limited = True
                break
            node = self.node(model_id)
            nodes[model_id] = node
            frontier.extend((p, depth + 1, (*path, model_id)) for p in node.parents)
        roots = tuple(n.id for n in nodes.values() if n.resolved and not n.parents)
        root = self._primary_root(parents[0], nodes)
        org = self.origins.org_of(root) if root else None
        relation = relation_of(record, parents)
        resolved = [n for n in nodes.values() if n.resolved]
        lines = [_line(parent, nodes) for parent in parents]
        undisclosed, unread = _undisclosed(parents, lines) if relation == "merge" else ((), ())
        naming, naming_ok = self._naming(record.id, resolved)
        attribution, attribution_ok = self._attribution(doc, resolved)
        eu = tuple(dict.fromkeys(t.eu for n in resolved for t in n.terms if t.eu))
        return Lineage(
            parents=parents, relation=relation, nodes=nodes, root=root, roots=roots,
            root_org=org, root_country=self.origins.root_country(root) if root else None,
            root_family=self.origins.family(root) if root else None,
            unresolved=tuple(n.id for n in nodes.values() if not n.resolved), cycle=cycle,
            depth_limited=depth_limited, width_limited=width_limited,
            drift=self._drift(own, resolved),
            obligations=_union(t.obligations for n in resolved for t in n.terms),
            naming_required=naming, naming_ok=naming_ok, attribution_required=attribution,
            attribution_ok=attribution_ok, eu_restriction=eu,
            inherited_data=tuple(AncestorData(n.id, n.data_level, n.data_named)
                                 for n in resolved if n.data_level and n.discloses_data),
            data_unread=len(resolved) < len(nodes) or depth_limited or width_limited
            or any(n.data_level is None for n in resolved),
            undisclosed_parents=undisclosed, unread_parents=unread,
            inherited_level=None if depth_limited or width_limited or cycle
            else _inherited_level(lines))

    def _primary_root(self, first: str, nodes: dict[str, Node]) -> str | None:
        seen: set[str] = set()
        current = first
        while current in nodes and current not in seen:
            seen.add(current)
            node = nodes[current]
            if not node.parents:
                return current if node.resolved else None
            current = node.parents[0]
        return None

    def _drift(self, own: LicenseResolution, ancestors: list[Node]) -> tuple[Drift, ...]:
        """Declared terms more permissive than an ancestor's (reference §3.3)."""
        out: list[Drift] = []
        if own.category is Category.UNKNOWN:
            return ()
        for node in ancestors:
            if node.category is None or node.category is Category.UNKNOWN:
                continue
            if self.kb.more_restrictive(node.category, own.category):
                out.append(Drift(node.id, f"declares {own.key} ({own.category.value}) but "
                                          f"{node.id} is {node.license_key} "
                                          f"({node.category.value})"))
            elif own.commercial_use is True and node.commercial_use is False:
                out.append(Drift(node.id, f"allows commercial use under {own.key} but "
                                          f"{node.id} ({node.license_key}) does not"))
        return tuple(out)

    @staticmethod
    def _naming(model_id: str, ancestors: list[Node]) -> tuple[tuple[str, ...], bool | None]:
        prefixes = tuple(dict.fromkeys(t.naming_prefix for n in ancestors for t in n.terms
                                       if t.naming_prefix))
        if not prefixes:
            return (), None
        name = _squash(model_id.split("/")[-1])
        return prefixes, all(name.startswith(_squash(p)) for p in prefixes)

    @staticmethod
    def _attribution(doc: CardDocument | None, ancestors: list[Node]
                     ) -> tuple[tuple[str, ...], bool | None]:
        """Licenses that make derivatives display a phrase ("Built with Llama"): is it in the
        card? Any one of a license's phrases counts."""
        groups: list[tuple[str, ...]] = []
        for node in ancestors:
            for terms in node.terms:
                phrases = tuple(_QUOTED_RE.findall(terms.attribution or ""))
                if phrases and phrases not in groups:
                    groups.append(phrases)
        if not groups:
            return (), None
        required = tuple(" or ".join(g) for g in groups)
        if doc is None:
            return required, None
        text = doc.text.lower()
        return required, all(any(p.lower() in text for p in group) for group in groups)


def _line(parent: str, nodes: dict[str, Node]) -> list[Node | None]:
    """A parent's line: the parent and every ancestor reached through it (None: not looked
    up, beyond the limits)."""
    seen: set[str] = set()
    queue = deque([parent])
    members: list[Node | None] = []
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        node = nodes.get(current)
        members.append(node)
        if node is not None:
            queue.extend(node.parents)
    return members


def _line_read(line: list[Node | None]) -> bool:
    return all(n is not None and n.resolved and n.data_level is not None for n in line)


def _undisclosed(parents: tuple[str, ...], lines: list[list[Node | None]]
                 ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """For a merge: the parents whose line discloses no training data though every card in
    it was read, and those whose line has a card not read. A merge mixes its parents'
    weights, so one parent's disclosed data says nothing of the other's."""
    undisclosed: list[str] = []
    unread: list[str] = []
    for parent, line in zip(parents, lines, strict=True):
        if any(n is not None and n.discloses_data for n in line):
            continue
        (undisclosed if _line_read(line) else unread).append(parent)
    return tuple(undisclosed), tuple(unread)


def _inherited_level(lines: list[list[Node | None]]) -> DisclosureLevel | None:
    best: list[DisclosureLevel] = []
    for line in lines:
        levels = [n.data_level for n in line if n is not None and n.data_level is not None]
        top = max(levels, key=LEVEL_RANK.__getitem__, default=None)
        if top is None or (top is DisclosureLevel.NOT_DISCLOSED and not _line_read(line)):
            return None  # nothing read, or nothing found where a card is still unread
        best.append(top)
    return min(best, key=LEVEL_RANK.__getitem__, default=None)


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-.]", "", text.lower())


def _union(groups: Iterable[Iterable[Obligation]]) -> tuple[Obligation, ...]:
    seen: dict[tuple[str, str], Obligation] = {}
    for group in groups:
        for ob in group:
            seen.setdefault((ob.kind, ob.text), ob)
    return tuple(seen.values())
