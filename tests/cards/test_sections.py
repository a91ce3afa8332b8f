"""Headings → canonical sections; placeholders and code never count as content."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cardaudit.cards.document import CardDocument, parse_card

Card = Callable[[str | bytes], CardDocument]


def _names(doc: CardDocument) -> dict[str, bool]:
    return {s.canonical or s.heading: s.filled for s in doc.sections}


def test_template_headings_map_to_canonical_sections(card: Card) -> None:
    doc = card("# Model\n\n## Bias, Risks, and Limitations\n\nIt is biased in many ways.\n\n"
               "## Out-of-Scope Use\n\nDo not use it for medical advice ever.\n\n"
               "## Compute Infrastructure\n\nEight GPUs were used here.\n\n"
               "## Environmental Impact\n\nAbout 12 kg CO2 were emitted.\n")
    names = [s.canonical for s in doc.sections]
    assert names == [None, "limitations", "uses", "technical_specs", "environmental_impact"]


def test_placeholder_sections_are_not_filled(card: Card) -> None:
    doc = card("## Training Data\n\n[More Information Needed]\n\n## Evaluation\n\n"
               "More information needed\n\n## Uses\n\nClassify reviews by sentiment.\n")
    assert _names(doc) == {"training": False, "evaluation": False, "uses": True}


def test_headings_inside_code_blocks_are_ignored(card: Card) -> None:
    doc = card("## Usage\n\n```python\n# not a heading\nprint(1)\n```\n\n~~~\n## no\n~~~\n")
    assert [s.heading for s in doc.sections] == ["Usage"]
    assert doc.sections[0].filled  # a code example fills a usage section


def test_headings_inside_html_comments_are_ignored(card: Card) -> None:
    doc = card("<!---\n# Copyright (c) Acme.\n# limitations under the License.\n-->\n\n"
               "Intro text.\n\n<!-- ## Eval results\n\n```bibtex\n@a{b}\n``` -->\n\n"
               "## Usage\n\nCall it.\n\n<!-- ## Citation\n")
    assert [s.heading for s in doc.sections] == ["Usage"]
    assert doc.sections[0].canonical == "how_to_start"


def test_a_bold_label_naming_only_a_section_is_one(card: Card) -> None:
    doc = card("## Overview\n\n**Limitations:** it may produce biased or harmful text.\n\n"
               "**Training data**: reviews from [Kaggle](https://www.kaggle.com/x/reviews)\n\n"
               "## Risks\n\n**Data Biases**: trained on web text, it carries its biases.\n\n"
               "```\n**Citation:** not in code\n```\n\n<!--\n**Contact:** nor in a comment\n"
               "-->\n")
    assert [(s.heading, s.canonical, s.line) for s in doc.sections] == [
        ("Overview", "model_details", 1), ("Limitations", "limitations", 3),
        ("Training data", "training", 5), ("Risks", "limitations", 7)]
    assert doc.sections[1].filled and doc.sections[0].prose_words > doc.sections[1].prose_words


def test_setext_and_html_headings_are_found(card: Card) -> None:
    doc = card("Training data\n-------------\n\nWikipedia and BookCorpus were used.\n\n"
               "<h2>Evaluation</h2>\n\nAccuracy was 90 percent on the test set.\n")
    assert [(s.canonical, s.line) for s in doc.sections] == [("training", 1),
                                                              ("evaluation", 6)]


def test_parent_section_includes_subsections(card: Card) -> None:
    doc = card("## Training Details\n\n### Training Data\n\nWe used the web crawl of 2020.\n")
    parent, child = doc.sections
    assert parent.prose_words == child.prose_words == 6
    assert parent.filled


def test_long_title_headings_are_not_sections(card: Card) -> None:
    doc = card("# Kolors: Effective Training of Diffusion Model for Photorealistic Synthesis\n")
    assert doc.sections[0].canonical is None


@pytest.mark.parametrize(("card_text", "canonical"), [
    # the first heading holds the whole card and the section word is one among many: a title
    ("# FlauBERT: Language Model Pre-training for French\n\nIntro.\n\n## Usage\n\nRun it.\n",
     [None, "how_to_start"]),
    ("# Regression Model for Energy Levels\n\nIntro.\n\n## Citation\n\nCite us.\n",
     [None, "citation"]),
    # worded like a section, it stays one, even holding the whole card
    ("## How to use the model\n\nCall it.\n\n#### Or only the class\n\nCall it so.\n",
     ["how_to_start", None]),
    ("# Pretraining\n\nTwo weeks on 8 GPUs.\n\n## Procedure\n\nAdam, lr 1e-4.\n",
     ["training", None]),
    # a title naming the data says what the text under it is about
    ("# GPT-2 fine-tuned on the CORD-19 dataset\n\nIt was trained on the CORD-19 files.\n\n"
     "## Usage\n\nRun it.\n", ["training", "how_to_start"]),
    # not the first heading, or another heading of its level follows: a section
    ("# Model for French text classification tasks\n\nIntro.\n\n# Evaluation of the model on "
     "French tasks\n\nGood.\n", [None, "evaluation"]),
])
def test_a_card_title_is_not_a_section(card: Card, card_text: str,
                                       canonical: list[str | None]) -> None:
    assert [s.canonical for s in card(card_text).sections] == canonical


def test_tables_count_as_content_but_not_as_prose(card: Card) -> None:
    doc = card("## Results\n\n| task | score |\n|---|---|\n| glue | 80 |\n")
    section = doc.sections[0]
    assert section.prose_words == 0 and section.filled


def test_a_tuning_guide_is_no_training_section_and_tuned_results_are_evaluation(card: Card) -> None:
    doc = card("## Fine-tuning\n\nWe recommend fine-tuning the model on your own use cases; see "
               "the notebook.\n\n## Fine-tuning on NLU tasks\n\nWe present the dev results on "
               "two tasks.\n\n| task | acc |\n|---|---|\n| a | 90 |\n")
    assert [s.canonical for s in doc.sections] == [None, "evaluation"]
    assert doc.sections[0].filled  # still a section with text, just not about training


def test_a_tuning_section_that_says_how_the_model_was_trained_stays_training(card: Card) -> None:
    doc = card("## Fine-tuning\n\nThe model was fine-tuned for three days; see the paper.\n\n"
               "## Instruction Fine-Tuning Strategy\n\nWe used a mixture of public datasets, as "
               "the results show.\n\n## Finetuning\n\nThe checkpoint came out of two epochs; "
               "you can redo it.\n\n## Fine-tuning data\n\nSee the notebook for the list.\n")
    assert [s.canonical for s in doc.sections] == ["training"] * 4


def test_tool_use_is_how_to_call_the_model_not_its_intended_uses(card: Card) -> None:
    doc = card("## Tool Use\n\nPass a JSON list of tools in the system prompt.\n\n"
               "## Function calling\n\nThe model emits one call per turn.\n\n"
               "## Intended use\n\nResearch on sentiment classification.\n")
    assert [s.canonical for s in doc.sections] == ["how_to_start", "how_to_start", "uses"]


@pytest.mark.parametrize(("headings", "canonical"), [
    # Chinese headings: keywords matched without spaces between words
    (["模型介绍", "训练数据集", "评测结果", "局限性", "引用"],
     ["model_details", "training", "evaluation", "limitations", "citation"]),
    # results in other words; Whisper's "Evaluated Use" and "Intended Usage" are uses
    (["Evaluations", "How was M evaluated?", "Comparisons", "Benchmark Highlights",
      "Evaluated Use", "Intended Usage"],
     ["evaluation", "evaluation", "evaluation", "evaluation", "uses", "uses"]),
    # how to run it is not what it is for
    (["Use with mlx", "Agentic Use", "Local Applications", "Application",
      "Use case and examples"],
     ["how_to_start", "how_to_start", "how_to_start", "uses", "uses"]),
    # calling the model is how to start; the singular and spaced spellings of a section
    # map like the usual ones (the 2022 dump has each a few dozen times)
    (["Use this model", "Use the model", "Use model in pipeline", "Model use",
      "Acknowledgement", "Contacts", "Author", "Team members", "Hyper parameters"],
     ["how_to_start", "how_to_start", "how_to_start", "uses", "contact", "contact", "contact",
      "contact", "training"]),
    # short and other names of sections, each a few dozen times in the 2022 dump
    (["Eval", "Known issues", "Install SpeechBrain", "Credits", "Funding"],
     ["evaluation", "limitations", "how_to_start", "contact", "contact"]),
    # the Trainer template's library versions, a paper's abstract (2,382 and 65 dump cards)
    (["Framework versions", "Computational complexity", "Abstract"],
     ["technical_specs", "technical_specs", "model_details"]),
    # words in brackets qualify a section name; they do not make it a long title
    (["Scores on nine chinese tasks (without any data augmentation)",
      "Eval results on Test set (F-score, average over 5 runs)",
      "Kolors: Effective Training of Diffusion Model for Photorealistic Synthesis"],
     ["evaluation", "evaluation", None]),
])
def test_headings_map_to_their_sections(card: Card, headings: list[str],
                                        canonical: list[str]) -> None:
    doc = card("".join(f"## {h}\n\nSome text about it here.\n\n" for h in headings))
    assert [s.canonical for s in doc.sections] == canonical


def test_a_joined_heading_is_also_the_other_section_its_own_text_covers(card: Card) -> None:
    doc = card("## Intended uses & limitations\n\nUse it for tagging. Note that it is not "
               "suitable for generation.\n\n### How to use\n\nCall the pipeline as shown.\n\n"
               "## Intended uses and limitations\n\nYou can use it for tagging news.\n\n"
               "## Performance and Limitations\n\nThe model may hallucinate names.\n")
    joined = [(s.canonical, s.also) for s in doc.sections]
    assert joined == [("uses", ("limitations",)), ("how_to_start", ()), ("uses", ()),
                      ("evaluation", ("limitations",))]
    assert [s.line for s in doc.sections_named("limitations")] == [1, 13]


def test_training_and_evaluation_data_is_training_too_when_it_says_what_was_trained_on(
        card: Card) -> None:
    doc = card("## Training and evaluation data\n\nThe model was trained on the `nl` "
               "configuration of the multilingual_librispeech dataset.\n\n"
               "## Architecture & Training\n\nThe training code for this adapter is on GitHub."
               "\n\n## Training and evaluation data\n\nMore information needed\n\n"
               "## Training and evaluation data\n\nThe model reaches 0.9 accuracy.\n")
    joined = [(s.canonical, s.also) for s in doc.sections]
    assert joined == [("evaluation", ("training",)), ("technical_specs", ("training",)),
                      ("evaluation", ()), ("evaluation", ())]
    assert [s.line for s in doc.sections_named("training") if s.filled] == [1, 5]


def test_a_tuning_guide_is_not_training_by_its_heading_s_other_words(card: Card) -> None:
    doc = card("## 🔧 Fine-Tuning\n\nWe recommend fine-tuning the model for your use case to "
               "achieve the best results; see the notebooks for continued pre-training.\n")
    assert [(s.canonical, s.also) for s in doc.sections] == [("evaluation", ())]


def test_long_headings_are_not_kept_across_cards() -> None:
    import gc
    import tracemalloc

    from cardaudit.pack import load_pack

    vocab = load_pack().knowledge.sections  # a fresh vocabulary: its heading memo starts empty
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(300):  # 300 cards, each with one distinct 100 KB "Training" heading
        card = parse_card(f"## Training {i} {'x' * 100_000}\n\nWe trained it.\n", vocab)
        assert card.sections[0].canonical == "training"
        del card
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert kept < 5_000_000, kept
