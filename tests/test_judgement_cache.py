"""Bulk dumps repeat cards (templates, repos without README): models that differ only in what
no rule reads share one judgement, yet every model keeps its own id, evidence and messages."""

from __future__ import annotations

from pathlib import Path

from cardaudit.cards.document import CardReader
from cardaudit.pack import RulePack, load_pack
from cardaudit.results import ModelResult
from cardaudit.runner import Auditor
from cardaudit.sources.dump import DumpRow, record_from_row
from cardaudit.store.records import KEPT_OUTCOMES

CARD = "---\nlicense: mit\ndatasets:\n- acme/chat\n---\n# Model\n\nA model.\n"


def rows(*specs: tuple[str, object]) -> list[DumpRow]:
    return [DumpRow(i + 1, {"modelId": model, "card": card, "downloads": 10 * i,
                            "tags": ["license:mit"]})
            for i, (model, card) in enumerate(specs)]


def audit(auditor: Auditor, pack: RulePack, dump: list[DumpRow]) -> list[ModelResult]:
    reader = CardReader(pack.knowledge.sections)
    return [auditor.audit(record_from_row(row, reader)) for row in dump]


def test_same_card_and_missing_cards_share_judgements_but_not_identity(pack: RulePack) -> None:
    auditor = Auditor(pack)
    results = audit(auditor, pack, rows(("a/one", CARD), ("b/two", CARD), ("c/three", None),
                                        ("d/four", None)))
    assert auditor.cache_hits == 2
    assert [r.id for r in results] == ["a/one", "b/two", "c/three", "d/four"]
    assert [r.hub.get("downloads") for r in results if r.hub] == [0, 10, 20, 30]
    kept = [[(f.rule, f.outcome, f.message, f.evidence)
             for f in r.findings_with(KEPT_OUTCOMES)] for r in results]
    full = [[(f.rule, f.outcome, f.message, f.evidence) for f in r.findings
             if f.outcome in KEPT_OUTCOMES] for r in results]
    assert kept == full
    assert kept[0] == kept[1] and kept[2] == kept[3]


def test_a_message_naming_the_model_is_never_shared(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "named.yaml").write_text(
        "id: ORG-001\nname: named\ntitle: Names the model\ncategory: docs\n"
        "severity: low\nwhy: test\nfix: test\ncheck: {field: base_model, present: true}\n"
        "message: \"$model has no base_model\"\npass_message: \"ok\"\n")
    pack = load_pack([rules])
    auditor = Auditor(pack)
    first, second = audit(auditor, pack, rows(("a/one", CARD), ("b/two", CARD)))
    assert auditor.cache_hits == 1
    messages = [next(f.message for f in r.findings_with(KEPT_OUTCOMES) if f.rule == "ORG-001")
                for r in (first, second)]
    assert messages == ["a/one has no base_model", "b/two has no base_model"]


ALIAS_CARD = "---\nlicense: mit\nbase: &b {n: 1}\nother: *b\n---\n# Model\n\nA model.\n"


def test_a_card_whose_front_matter_uses_aliases_is_never_kept_for_reuse(pack: RulePack) -> None:
    # a few hundred bytes of aliases can expand into 200,000 values: a dump of distinct alias
    # bombs must not fill the caches (1,500 of them held 1.7 GB before)
    auditor = Auditor(pack)
    reader = CardReader(pack.knowledge.sections)
    first, second = (record_from_row(row, reader)
                     for row in rows(("a/one", ALIAS_CARD), ("b/two", ALIAS_CARD)))
    assert first.card is not second.card
    assert first.card.front_matter is not second.card.front_matter
    assert first.card.metadata == second.card.metadata == {
        "license": "mit", "base": {"n": 1}, "other": {"n": 1}}
    results = [auditor.audit(first), auditor.audit(second)]
    assert auditor.cache_hits == 0
    assert [r.facts.license.key for r in results] == ["mit", "mit"]
    # a card without aliases is still kept: the same text gives the same document
    plain = [record_from_row(row, reader) for row in rows(("c/x", CARD), ("d/y", CARD))]
    assert plain[0].card is plain[1].card


def test_a_card_of_thousands_of_sections_is_never_kept_for_reuse(pack: RulePack) -> None:
    headings = "---\nlicense: mit\n---\n" + "".join(f"# h{i}\n" for i in range(1_000))
    auditor = Auditor(pack)
    reader = CardReader(pack.knowledge.sections)
    first, second = (record_from_row(row, reader)
                     for row in rows(("a/one", headings), ("b/two", headings)))
    assert len(first.card.sections) == 1_000 and first.card is not second.card
    auditor.audit(first)
    auditor.audit(second)
    assert auditor.cache_hits == 0
