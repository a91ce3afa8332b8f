"""Ancestors looked up on the Hub: metadata (license, dataset and base-model tags) in one
request; the card only when the tags leave the license or the training data open (and never for
a gated base), once per ancestor per run."""

from __future__ import annotations

from cardaudit.cards.disclosure import DatasetVocabulary
from cardaudit.cards.document import CardDocument
from cardaudit.cards.licensebase import Category, LicenseBase
from cardaudit.errors import SourceError
from cardaudit.lineage.resolve import Node, node_from_card
from cardaudit.sources.hub import HubSource
from cardaudit.sources.targets import is_hub_id

# what a Hub answers for an id it does not hold (the Hub itself says 401 without a token), and
# offline, an id not in its cache (the next Hub's cache may hold it)
NOT_HELD = frozenset({"not-found", "forbidden", "offline-uncached"})


class HubLookup:
    """`passes_on`: error codes that leave the id to the next lookup (a registry that does not
    hold a public base) instead of ending as that ancestor's status."""

    def __init__(self, source: HubSource, kb: LicenseBase, vocab: DatasetVocabulary,
                 passes_on: frozenset[str] = frozenset()) -> None:
        self.source = source
        self.kb = kb
        self.vocab = vocab
        self.passes_on = passes_on
        self.endpoint = source.client.settings.endpoint

    def lookup(self, model_id: str) -> Node | None:
        if not is_hub_id(model_id):
            return Node(model_id, "invalid-id")
        try:
            facts, siblings = self.source.facts(model_id)
        except SourceError as exc:
            return None if exc.code in self.passes_on else Node(model_id, exc.code,
                                                                 source=self.endpoint)
        tag = facts.license_tags[0] if facts.license_tags else None
        known = self.kb.lookup(tag) if tag else None
        doc: CardDocument | None = None
        # The license tag settles most ancestors, dataset tags their listed data; read the
        # card only when they do not (and only when there is one: a gated base's files stay
        # unread, its data unknown unless tagged).
        needs_card = known is None or known.category is Category.UNKNOWN or (
            not facts.dataset_tags and not facts.gated)
        if needs_card and (not siblings or "README.md" in siblings):
            try:
                raw, _ = self.source.client.file_bytes(model_id, "README.md",
                                                       facts.sha or "main")
                doc = self.source.reader.read(raw)
            except SourceError:
                doc = None
        return node_from_card(model_id, doc, self.kb, self.vocab, facts.base_models,
                              facts.base_relation, tag, facts.dataset_tags, self.endpoint)
