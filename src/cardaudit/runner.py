"""The audit pipeline for one model: record → facts → findings → scores → ModelResult.

Per-model trouble never leaves here: a SourceError becomes the model's error row, and an
unexpected exception becomes an `internal` error row (logged with its traceback), so every
model asked for yields exactly one result.
"""

from __future__ import annotations

import logging
from typing import Any

from cardaudit.cards.facts import CardFacts, analyse
from cardaudit.cards.record import ModelRecord
from cardaudit.engine.evaluate import Evaluator, Judgement
from cardaudit.engine.operators import present
from cardaudit.errors import SourceError
from cardaudit.pack import RulePack
from cardaudit.recent import RecentCache
from cardaudit.results import ModelError, ModelResult, Status
from cardaudit.safetext import valid_path_text
from cardaudit.scoring import Scores
from cardaudit.sources.base import Target

log = logging.getLogger(__name__)


class Auditor:
    """Judges records with one rule pack."""

    CACHE_ENTRIES = 256  # as many as CardReader keeps: a judgement is reused with its card

    def __init__(self, pack: RulePack, lineage: Any = None) -> None:
        self.pack = pack
        self.lineage = lineage
        self.evaluator = Evaluator(pack.rules.rules, pack.knowledge.sections.names)
        self.plan = pack.scoring.plan((r.category, r.severity) for r in pack.rules.rules)
        self._cache: RecentCache[tuple[Any, ...], tuple[Any, CardFacts, Judgement, Scores]] = \
            RecentCache(self.CACHE_ENTRIES)
        self.cache_hits = 0

    def _judge(self, record: ModelRecord) -> tuple[CardFacts, Judgement, Scores]:
        """Facts, outcomes and scores; reused when the same card (same parsed document) meets
        the same Hub facts again, which bulk dumps do thousands of times."""
        key = self._key(record)
        cached = self._cache.get(key) if key is not None else None
        if cached is not None:
            self.cache_hits += 1
            _, facts, judgement, scores = cached
            return facts, judgement.for_record(record), scores
        facts = analyse(record, self.pack.knowledge, self.lineage)
        judgement = self.evaluator.judge(record, facts)
        scores = self.pack.scoring.score_outcomes(self.plan, judgement.outcomes)
        if key is not None:
            self._cache.put(key, (record.card, facts, judgement, scores))
        return facts, judgement, scores

    def _key(self, record: ModelRecord) -> tuple[Any, ...] | None:
        """What the judgement depends on: the parsed card (by identity; None for repos
        without one — 44% of the 2022 dump), the LICENSE text, and the Hub facts rules read."""
        if record.dataset_status is not None:
            return None
        card, hub = record.card, record.hub
        if card is not None and not card.reusable:
            return None  # a large card, or an alias bomb's values: not worth keeping
        if self.lineage is not None and (
                (card is not None and "base_model" in card.metadata)
                or (hub is not None and hub.base_models)):
            return None  # lineage findings depend on the model's own id (naming rules)
        hub_part: tuple[Any, ...] = ()
        if hub is not None:
            hub_part = (hub.gated, hub.gated_known, hub.license_tags, hub.base_models,
                        tuple(repr(hub.get(name)) for name in self.evaluator.hub_names),
                        tuple(present(hub.get(name)) for name in self.evaluator.hub_presence))
        license_text = record.license_file.text if record.license_file else None
        return (None if card is None else id(card), license_text, hub is None,
                record.hub_expected, hub_part, record.card_error)

    def audit(self, record: ModelRecord) -> ModelResult:
        try:
            facts, judgement, scores = self._judge(record)
        except Exception as exc:  # a bug on one card must not lose the others
            log.debug("internal error auditing %s", record.id, exc_info=True)
            return error_result(Target(record.id, record.source, record.location), "internal",
                                f"internal error: {type(exc).__name__}: {exc}; rerun with --debug")
        error = ModelError(record.card_error.code, record.card_error.message) \
            if record.card_error is not None else None
        return ModelResult(
            id=record.id, source=record.source, location=record.location,
            status=Status.ERROR if error else Status.OK, error=error,
            revision=record.revision, facts=facts, judgement=judgement,
            scores=scores, hub=record.hub,
            readme_path=record.readme_path, lineage=facts.lineage)

    def audit_target(self, source: object, target: Target) -> ModelResult:
        """Load and audit one target; any SourceError becomes its error row."""
        try:
            record = source.load(target)  # type: ignore[attr-defined]
        except SourceError as exc:
            return error_result(target, exc.code, exc.message)
        return self.audit(record)


def error_result(target: Target, code: str, message: str) -> ModelResult:
    return ModelResult(id=valid_path_text(target.id), source=target.source,
                       location=valid_path_text(target.location),
                       status=Status.ERROR, error=ModelError(code, _one_line(message)))


def _one_line(text: str) -> str:
    """One line of valid text (a message may quote a path whose name is not UTF-8)."""
    return valid_path_text(" ".join(str(text).split())[:300])
