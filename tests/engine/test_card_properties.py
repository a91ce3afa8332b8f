"""Whole audits of generated cards: front matter that lists datasets, headings that join
sections, prose about data and licenses. Whatever the mix, the audit gives one finished
judgement whose facts stay inside their definitions, and it never raises."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardaudit.cards.disclosure import DisclosureLevel
from cardaudit.cards.document import CardDocument
from cardaudit.cards.record import ModelRecord
from cardaudit.results import Status
from cardaudit.runner import Auditor

HEADINGS = ["Intended uses & limitations", "Performance and Limitations", "Training data",
            "评测结果", "训练数据集", "Fine-tuning", "Evaluation", "Use with mlx", "License",
            "Training and evaluation data", "Uses", "局限性", "Bias, Risks, and Limitations"]
PHRASES = ["We trained it on ", "Trained on ", "Note that it is not suitable. ",
           "The corpus has 1.2M papers. ", "acme/chat-prompts", "wiki_dpr", "Acme Chat Prompts",
           "[data](https://huggingface.co/datasets/acme/chat-prompts)", " may hallucinate",
           "The code is Apache-2.0, while the weights follow the [Model License](MODEL_LICENSE)",
           "accuracy on wiki_dpr: 90", ". ", "\n", "\n\n", "- ", "| a | b |\n|---|---|\n",
           "```\ncode\n```\n", "(", ")", ",", "not ", "no ", "Wikipedia", "Ab-", "é", "ſ"]
DATASET_IDS = ["wiki_dpr", "acme/chat-prompts", "acme/AcmeChatPrompts", "a", "", "x" * 300,
               "org/Ab-Ab-Ab-Ab", "../etc", "acme/wiki_dpr"]

body = st.lists(st.one_of(st.sampled_from(PHRASES),
                          st.sampled_from(HEADINGS).map(lambda h: f"\n## {h}\n\n"),
                          st.text(max_size=20)), max_size=40).map("".join)
front_matter = st.lists(st.sampled_from(DATASET_IDS), max_size=6).map(
    lambda ids: "---\nlicense: apache-2.0\ndatasets:\n" + "".join(f"- '{i}'\n" for i in ids)
    + "---\n" if ids else "")


@given(front_matter, body)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_cards_audit_to_one_judgement_within_definitions(
        auditor: Auditor, card: Callable[[str | bytes], CardDocument], head: str,
        text: str) -> None:
    doc = card(head + "# M\n\n" + text)
    result = auditor.audit(ModelRecord("acme/m", "local", "here", doc))
    assert result.status is Status.OK and result.facts is not None
    assert len(result.findings) == len(auditor.pack.rules.rules)  # messages, evidence built
    assert all(f.message for f in result.findings)
    disclosure = result.facts.disclosure
    assert disclosure.level in set(DisclosureLevel)
    assert disclosure.source in ("metadata", "card_text", "both", "none")
    assert (disclosure.source in ("metadata", "both")) == bool(disclosure.datasets)
    assert result.scores.overall is None or 0 <= result.scores.overall <= 100
    names = set(auditor.pack.knowledge.sections.names)
    for section in doc.sections:
        assert section.canonical is None or section.canonical in names
        assert set(section.also) <= names and section.canonical not in section.also
