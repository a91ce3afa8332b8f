"""Training-data disclosure levels and where they come from."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardaudit.cards.disclosure import (
    _CJK_END_MARKS,
    _SENTENCE_END_RE,
    DatasetStatus,
    DisclosureLevel,
    assess_disclosure,
    sentence_end_pattern,
)
from cardaudit.cards.document import CardDocument
from cardaudit.pack import RulePack

Card = Callable[[str | bytes], CardDocument]
AVAILABLE, PARTIAL, NONE = (DisclosureLevel.AVAILABLE, DisclosureLevel.PARTIAL,
                            DisclosureLevel.NOT_DISCLOSED)


@pytest.mark.parametrize(("text", "level", "source"), [
    ("---\ndatasets:\n- squad\n---\n# M\n", AVAILABLE, "metadata"),
    # placeholders in `datasets:` name no dataset (three 2022 cards list `custom`)
    ("---\ndatasets:\n- custom\n---\n# M\n", NONE, "none"),
    ("---\ndatasets: none\n---\n# M\n", NONE, "none"),
    # …nor does the metadata template's own text, nor a promise (five 2022 cards)
    ("---\ndatasets:\n- array of dataset identifiers\n---\n# M\n", NONE, "none"),
    ("---\ndatasets:\n- dataset1\n- '{dataset_0}'\n---\n# M\n", NONE, "none"),
    ("---\ndatasets:\n- web crawled (coming soon)\n---\n# M\n", NONE, "none"),
    # …nor a phrase about the author's own data (six 2022 cards); an id stays an id
    ("---\ndatasets:\n- our own\n- custom danish dataset\n---\n# M\n", NONE, "none"),
    ("---\ndatasets:\n- self made to classify whether text is related to technology or not.\n"
     "---\n# M\n", NONE, "none"),
    ("---\ndatasets:\n- acme/private-chats\n---\n# M\n", AVAILABLE, "metadata"),
    ("---\ndatasets:\n- Danish OpenSubtitles\n---\n# M\n", AVAILABLE, "metadata"),
    ("# M\n\n## Training data\n\nPre-trained on BookCorpus and English Wikipedia.\n",
     AVAILABLE, "card_text"),
    ("# M\n\nThis model is a fine-tuned version of bert-base on the imdb dataset.\n",
     AVAILABLE, "card_text"),
    ("# M\n\n## Training Data\n\nWe used [our corpus](https://huggingface.co/datasets/acme/c).\n",
     AVAILABLE, "card_text"),
    ("# M\n\n## Training data\n\nThe model was trained on 2 trillion tokens of multilingual web "
     "pages, books, scientific papers and source code collected up to 2023, filtered for "
     "quality and deduplicated.\n", PARTIAL, "card_text"),
    ("# M\n\n## Training data\n\n[More Information Needed]\n", NONE, "none"),
    ("# M\n\nThis model is a fine-tuned version of bert-base on the None dataset.\n",
     NONE, "none"),
    ("# M\n\nFor training details please refer to our technical report on arXiv.\n",
     NONE, "none"),
    ("---\ndatasets: [squad]\n---\n## Training data\n\nWe trained on SQuAD v2 questions.\n",
     AVAILABLE, "both"),
    # the link right after "trained on" is the data, wherever the sentence stands; not a paper,
    # a model, tweets or "[here]"
    ("# M\n\n## Description\n\nA baseline (a model fine-tuned on [FQuAD](https://fquad.ai/)).\n",
     AVAILABLE, "card_text"),
    ("# M\n\nIt was trained on [@acme's tweets](https://twitter.com/acme).\n", NONE, "none"),
    ("# M\n\nIt was trained on [here](https://acme.org/d) as in [the paper](https://arxiv.org/"
     "abs/1).\n", NONE, "none"),
    # a sentence about the training data announcing a list or table: its first dataset link
    ("# M\n\nIt was fine-tuned on the following datasets:\n\n- the [hr500k](http://hdl.handle"
     ".net/11356/1183) dataset, standard Croatian\n- [SETimes](http://x.org/s)\n",
     AVAILABLE, "card_text"),
    ("# M\n\nThe training data is listed below.\n\n| Language | Data |\n|---|---|\n| German | "
     "[Europeana](http://www.europeana-newspapers.eu/) |\n", AVAILABLE, "card_text"),
    ("# M\n\n### Attribution\n\nThe following CC BY audio was part of the dataset used to train "
     "M.\n\n| Audio Data | Hours |\n|---|---|\n| [Koniwa](https://github.com/koniwa/koniwa) | 1 |"
     "\n", AVAILABLE, "card_text"),
    # … but not a list that only cites papers, nor one after a blank gap of two lines
    ("# M\n\nIt was trained on the following datasets:\n- [the paper](https://arxiv.org/abs/1)"
     "\n", NONE, "none"),
    ("# M\n\nIt was trained on the following datasets.\n\n\n- [SETimes](http://x.org/s)\n",
     NONE, "none"),
    # a link to a Wikipedia article explains a word; a Wikipedia dump address names the corpus
    ("# M\n\nPre-trained for Vietnamese ([Pho](https://en.wikipedia.org/wiki/Pho) is a food).\n",
     NONE, "none"),
    ("# M\n\nPre-trained on the 2020 dump of https://ta.wikipedia.org (482MB).\n",
     AVAILABLE, "card_text"),
    # a list item about another model (a derivative) says what that model was trained on
    ("# M\n\n## Ecosystem\n\n- [acme/m-tuned](https://huggingface.co/acme/m-tuned): this model "
     "is trained for 3 epochs on the SQuAD dataset.\n", NONE, "none"),
    ("# M\n\n- [acme/m-base](https://huggingface.co/acme/m-base) is the base.\n- This model is "
     "trained for 3 epochs on the SQuAD dataset.\n", AVAILABLE, "card_text"),
])
def test_levels_and_sources(card: Card, pack: RulePack, text: str, level: DisclosureLevel,
                            source: str) -> None:
    result = assess_disclosure(card(text), pack.knowledge.datasets)
    assert (result.level, result.source) == (level, source)


@pytest.mark.parametrize(("sentence", "named"), [
    # a word before "dataset" that is no name: a determiner, a number, a kind of data
    ("This model is trained on the dataset of toxic messages in Russian.", None),
    ("It was trained on three dataset to classify Hebrew.", None),
    ("The model was fine-tuned on persian corpus of product reviews.", None),
    ("We fine-tune it on the legal corpus.", None),
    ("It was fine-tuned on a dataset of tweets from members of the [Spanish Congress]"
     "(https://www.congreso.es/).", None),
    # …but the data named by where it comes from is named
    ("The model has been trained on the joint dataset of [OK ML Cup](https://cups.example.ru/"
     "t/1) and [Smith et al.](https://arxiv.org/abs/2103.1).", "OK ML Cup"),
    ("The model has been trained on the dataset from http://paraphraser.example.ru/.",
     "http://paraphraser.example.ru/"),
    ("Model was trained on transformed dataset from following Kaggle dataset:\n"
     "https://www.kaggle.com/someone/tweets-2015-2020", "https://www.kaggle.com/someone/"
     "tweets-2015-2020"),
    ("The model is trained on the code corpus of [CodeParrotNet](https://github.com/acme/cpn).",
     "CodeParrotNet"),
    # the Trainer's sentence has its base model's link (with its points) before "on"
    ("This model is a fine-tuned version of [acme/base](https://huggingface.co/acme/base) on "
     "the TExAS-SQuAD-de dataset.", "TExAS-SQuAD-de"),
    ("This model is a fine-tuned version of [acme/base](https://huggingface.co/acme/base) on "
     "the ACME/SPEECH_CORPUS_2 - FR dataset.", "ACME/SPEECH_CORPUS_2"),
    ("This model is a fine-tuned version of [acme/base](https://huggingface.co/acme/base) on "
     "[CORAA](https://github.com/acme/coraa).", "CORAA"),
    ("This model is a fine-tuned version of [acme/base](https://huggingface.co/acme/base) on "
     "Thai dataset from [iApp](https://github.com/acme/wiki-qa).", "iApp"),
    ("This model is a fine-tuned version of [acme/base](https://huggingface.co/acme/base) on "
     "the unkown dataset.", None),
    ("The tagger was trained on the *free-french-treebank* dataset.", "free-french-treebank"),
    ("This T5 model has been trained with the German part of the PAWS-X data set.", "PAWS-X"),
    # after "with", "using", "of" or "from", a plain word is a kind of data, not its name
    ("BERT (post-)trained from review corpus to understand sentiment.", None),
    ("It was trained on a Terms of Service data set.", None),
    ("It was pretrained on the Persian section of the Oscar dataset.", "Oscar"),
    ("A small GPT2 trained on the MC4 Sinhala dataset.", "mC4"),  # mC4 as often capitalised
    # a name does not run across lines into the next paragraph's "Dataset"
    ("Model trained on lyrics of Acme.\n\nDataset is large.", None),
    # a sentence ending in a colon announces the list that follows it
    ("HeBert was trained on three datasets:\n1. A Hebrew version of [News Crawl](https://example"
     ".org/news-crawl): 9.8 GB of data.\n2. Hebrew Wikipedia.", "News Crawl"),
])
def test_what_names_the_data_a_sentence_says_a_model_was_trained_on(
        card: Card, pack: RulePack, sentence: str, named: str | None) -> None:
    """Generic words before "dataset" ("the", "three", "persian") were taken for dataset names
    and made cards disclosed_available (28 cards of the 2022 dump)."""
    result = assess_disclosure(card(f"# M\n\n{sentence}\n"), pack.knowledge.datasets)
    if named is None:
        assert result.level is not AVAILABLE, result.named
    else:
        assert (result.level, result.named) == (AVAILABLE, (named,))


@pytest.mark.parametrize(("data", "named"), [
    ("the OpenHermes-2.5 dataset", "OpenHermes"),
    ("Cosmopedia", "Cosmopedia"),
    ("LMSYS-Chat-1M and WildChat", "LMSYS-Chat-1M"),
    ("WizardLM's Evol-Instruct data", "Evol-Instruct"),
    ("Super-NaturalInstructions", "Super-NaturalInstructions"),
    ("ShareGPT conversations", None),  # never released as a dataset (the labels agree)
])
def test_instruction_datasets_of_recent_fine_tunes_are_known(card: Card, pack: RulePack,
                                                             data: str,
                                                             named: str | None) -> None:
    text = f"# M\n\n## Training data\n\nThe model was fine-tuned on {data}.\n"
    result = assess_disclosure(card(text), pack.knowledge.datasets)
    assert result.named == ((named,) if named else ())


def test_a_pointer_link_to_the_data_is_named_by_its_address(card: Card,
                                                             pack: RulePack) -> None:
    """"[Link](…)" after "the datasets can be downloaded on" (the 144 SEBIS CodeTrans cards of
    the 2022 dump) is the data; the word "Link" tells a reader nothing, its address does."""
    text = ("# M\n\n## Training data\n\nThe supervised task datasets can be downloaded on "
            "[Link](https://www.dropbox.com/sh/abc/finetuning_dataset?dl=0)\n")
    result = assess_disclosure(card(text), pack.knowledge.datasets)
    assert (result.level, result.named) == (
        AVAILABLE, ("https://www.dropbox.com/sh/abc/finetuning_dataset?dl=0",))


@pytest.mark.parametrize(("data", "named"), [
    ("English Wikipedia", "English Wikipedia"),
    ("the en.wikipedia dump of 2020", "English Wikipedia"),
    ("bahasa news and bahasa Wikipedia", "Wikipedia"),
    ("the 1 October 2020 dump of https://ta.wikipedia.org (482MB)", "Wikipedia"),
    ("German Wikipedia articles", "Wikipedia"),
])
def test_only_english_wikipedia_is_named_english(card: Card, pack: RulePack, data: str,
                                                 named: str) -> None:
    """A Tamil or Malay model trained on its language's Wikipedia was said to name "English
    Wikipedia"."""
    text = f"# M\n\n## Training data\n\nThe model was trained on {data}.\n"
    result = assess_disclosure(card(text), pack.knowledge.datasets)
    assert (result.level, result.named) == (AVAILABLE, (named,))


def test_the_trainer_template_left_unfilled_discloses_nothing(card: Card, pack: RulePack) -> None:
    """The title "# distilgpt2-finetuned-restaurant-reviews" was read as a sentence about the
    training data ("reviews" is a kind of data): with the hyperparameter list it made 20 words
    and the card disclosed_partial, though every data section says "More information needed"."""
    text = ("# distilgpt2-finetuned-restaurant-reviews\n\nThis model is a fine-tuned version of "
            "[distilgpt2](https://huggingface.co/distilgpt2) on the None dataset.\nIt achieves "
            "the following results on the evaluation set:\n- Loss: 3.4668\n\n## Model "
            "description\n\nMore information needed\n\n## Training and evaluation data\n\n"
            "More information needed\n\n## Training procedure\n\n### Training hyperparameters"
            "\n\nThe following hyperparameters were used during training:\n- learning_rate: "
            "2e-05\n- train_batch_size: 16\n- eval_batch_size: 16\n- seed: 42\n- optimizer: "
            "Adam with betas=(0.9,0.999) and epsilon=1e-08\n- lr_scheduler_type: linear\n"
            "- num_epochs: 3.0\n")
    assert assess_disclosure(card(text), pack.knowledge.datasets).level is NONE
    # "on the None dataset" says the data is not known: its sentence is no description
    # ("chinese" in the base model's name made it look specific)
    chinese = text.replace("[distilgpt2](https://huggingface.co/distilgpt2)",
                           "[hfl/chinese-bert](https://huggingface.co/hfl/chinese-bert)")
    assert assess_disclosure(card(chinese), pack.knowledge.datasets).level is NONE
    # a title in words is a sentence: it names the data
    titled = text.replace("# distilgpt2-finetuned-restaurant-reviews",
                          "# DistilGPT2 fine-tuned on the Yelp dataset")
    assert assess_disclosure(card(titled), pack.knowledge.datasets).named == ("Yelp",)


def test_calibration_data_of_a_quantization_is_not_training_data(card: Card,
                                                                 pack: RulePack) -> None:
    text = ("# Model GPTQ\n\nThis repo holds GPTQ quantizations. The calibration dataset was "
            "C4; it is not the training data.\n")
    assert assess_disclosure(card(text), pack.knowledge.datasets).level is NONE


def test_reader_guidance_does_not_disclose(card: Card, pack: RulePack) -> None:
    text = "# M\n\n## Fine-tuning\n\nYou can fine-tune it on SQuAD with your own script.\n"
    assert assess_disclosure(card(text), pack.knowledge.datasets).level is NONE


@pytest.mark.parametrize(("text", "named"), [
    # guidance in another sentence of a one-line paragraph unnamed the dataset before it
    ("# M\n\n## Training data\n\nIt was fine-tuned on the [Acme parallel corpus]"
     "(https://github.com/acme/parallel). Thus, you need to use the xh code when evaluating "
     "it.\n", ("Acme parallel corpus",)),
    # "you can find the data here: <host>" points at the data; it guides nobody
    ("# M\n\n## Training data\n\nIt was trained on 227,382 texts from a wiki dump. You can "
     "find all the data here: https://archive.org/details/acme-wiki-dump\n",
     ("archive.org/details/",)),
    # ...outside a training section too
    ("# M\n\nIt was trained on 227,382 texts from a wiki dump. You can find all the data here: "
     "https://archive.org/details/acme-wiki-dump\n", ("archive.org/details/",)),
    # ...but a script to get it is still guidance
    ("# M\n\n## Training data\n\nWe trained on news. You can download the [Acme corpus]"
     "(https://github.com/acme/parallel) with our script.\n", ()),
    # the sentence naming it guides the reader: still nothing
    ("# M\n\n## Training data\n\nWe trained on news. You can add the [Acme parallel corpus]"
     "(https://github.com/acme/parallel) with your own script.\n", ()),
    # a link that calls itself a corpus, in a training section not headed as data
    ("# M\n\n## Training details\n\nWe further pretrain it on the [Spanish corpus]"
     "(https://github.com/acme/spanish-corpora) used for an earlier model.\n",
     ("Spanish corpus",)),
    # ...and in a sentence about training, outside any section about it
    ("# M\n\nBETO is a [BERT model](https://github.com/acme/bert) trained on a [big Spanish "
     "corpus](https://github.com/acme/spanish-corpora).\n", ("big Spanish corpus",)),
    # ...but not the 🤗 Datasets library
    ("# M\n\n## Training procedure\n\nWe used the [Datasets](https://github.com/huggingface/"
     "datasets) library to load our own data set of support tickets.\n", ()),
    # a link called just "dataset" is named by its address; a Hub dataset link by its id
    ("# M\n\nTrained on merged toxic comments [dataset](https://www.kaggle.com/acme/toxic).\n",
     ("https://www.kaggle.com/acme/toxic",)),
    ("# M\n\nIt was trained with the [several dataset versions](https://huggingface.co/"
     "datasets/acme/prompts) we released.\n", ("acme/prompts",)),
    # Wikipedia dumps, the Wayback archive's downloads and the OSCAR site are dataset hosts
    ("# M\n\n## Training\n\nIt was trained on public corpora ([Persian Wikidumps]"
     "(https://dumps.wikimedia.org/fawiki/)).\n", ("dumps.wikimedia.org",)),
    ("# M\n\nIt was fine-tuned on five forum corpora (see https://archive.org/download/forums "
     "for the list).\n", ("archive.org/download/",)),
    ("# M\n\nIt was trained from scratch on the [Norwegian subset of Oscar](https://oscar-"
     "corpus.com/).\n", ("oscar-corpus.com",)),
    # "trained the model on [X](…)": the object between verb and "on"
    ("# M\n\n## Training\n\nWe trained the model on [the reviews collected by Acme]"
     "(https://github.com/acme/reviews).\n", ("the reviews collected by Acme",)),
    # "the [Pile](…)" with its link
    ("# M\n\n## Training data\n\nIt was pretrained on the [Pile](pile.eleuther.ai), a large "
     "curated dataset.\n", ("The Pile",)),
])
def test_what_a_link_names_and_what_guidance_unnames(card: Card, pack: RulePack, text: str,
                                                     named: tuple[str, ...]) -> None:
    """Reader guidance unnames only the sentence it is in; a link names the data by what it
    calls itself, its host, or its Hub id."""
    assert assess_disclosure(card(text), pack.knowledge.datasets).named == named


def test_unobtainable_listed_datasets_only_count_as_partial(card: Card, pack: RulePack) -> None:
    doc = card("---\ndatasets:\n- acme/private-set\n---\n# M\n")
    status = {"acme/private-set": DatasetStatus.PRIVATE}
    result = assess_disclosure(doc, pack.knowledge.datasets, status)
    assert result.level is PARTIAL and result.unobtainable == ("acme/private-set",)


@pytest.mark.parametrize(("body", "source"), [
    # the text names a listed id, or its name part spelt as words: both disclose it
    ("The retriever reads passages from the *wiki_dpr* train split it was trained on.", "both"),
    ("We fine-tuned it on the Acme Chat Prompts collection.", "both"),
    ("Data: [released](https://huggingface.co/datasets/acme/AcmeChatPrompts).", "both"),
    # a model named after the set, results on it, or a heading are not the text's disclosure
    ("Try acme/bert-AcmeChatPrompts-wiki_dpr for a smaller model.", "metadata"),
    ("Accuracy on AcmeChatPrompts: 91.2.", "metadata"),
    ("### Acme Chat Prompts", "metadata"),
])
def test_text_naming_a_listed_dataset_discloses_it_too(card: Card, pack: RulePack, body: str,
                                                      source: str) -> None:
    text = f"---\ndatasets:\n- wiki_dpr\n- acme/AcmeChatPrompts\n---\n# M\n\n{body}\n"
    assert assess_disclosure(card(text), pack.knowledge.datasets).source == source


def test_a_listed_dataset_the_hub_cannot_serve_stays_unobtainable_when_named(
        card: Card, pack: RulePack) -> None:
    doc = card("---\ndatasets:\n- acme/private-set\n---\n# M\n\nTrained on acme/private-set.\n")
    status = {"acme/private-set": DatasetStatus.PRIVATE}
    assert assess_disclosure(doc, pack.knowledge.datasets, status).level is PARTIAL


def test_partial_evidence_quotes_the_line_of_the_specific_words(card: Card,
                                                                 pack: RulePack) -> None:
    """It quoted the sentence's first line: a setext rule ("-----") or a heading."""
    text = ("# M\n\nWARNING\n-------\nThis model was created by training GPT2 on a custom "
            "dataset of 40,000 forum posts about living with chronic illness, from patients.\n")
    result = assess_disclosure(card(text), pack.knowledge.datasets)
    assert result.level is PARTIAL
    assert result.evidence.line == 5
    assert result.evidence.excerpt.startswith("This model was created")


@pytest.mark.parametrize("text", [
    # posts, comments and YouTube are specific data
    "It was initialised from BERT and trained with mental health-related posts collected from "
    "Reddit over four years, in English, by our lab at the university.",
    "The model was trained on a dataset issued from Youtube comments written in the Moroccan "
    "dialect, in Latin letters, by many people across the country.",
    # a count with a word before its unit, and blogs as a source, are specific
    "## Pre-training corpora\nThe input text holds around 3000 blog articles from the engineering "
    "website of our company, about its products, tools and practices.",
    "We trained GPT2 on a custom dataset of tens of thousands of blog posts about living with "
    "chronic illness, written by patients over ten years.",
    # the sentence after a training sentence, on its line, goes on about the same data
    "The training corpus was papers taken from a scholarly search engine. Corpus size is 1.14M "
    "papers, 3.1B tokens, full text rather than abstracts.",
    # a sentence opening with the training word takes the one before it in its paragraph
    "Our collection joins 410k sentence pairs scraped from forums and news sites in Catalan. "
    "Trained with the same method as our Spanish model.",
])
def test_prose_that_describes_the_training_data_is_partial(card: Card, pack: RulePack,
                                                           text: str) -> None:
    result = assess_disclosure(card(f"# M\n\n{text}\n"), pack.knowledge.datasets)
    assert result.level is PARTIAL


def test_a_paragraph_opening_with_training_does_not_borrow_the_previous_paragraph(
        card: Card, pack: RulePack) -> None:
    text = ("# M\n\nOur collection joins 410k sentence pairs scraped from forums and news sites "
            "in Catalan.\n\nTrained with the same method as our Spanish model.\n")
    assert assess_disclosure(card(text), pack.knowledge.datasets).level is NONE


def test_evidence_points_at_the_named_dataset(card: Card, pack: RulePack) -> None:
    doc = card("# M\n\n## Training data\n\nIntro line.\nWe used LAION-5B image-text pairs.\n")
    result = assess_disclosure(doc, pack.knowledge.datasets)
    assert result.evidence.line == 6 and "LAION" in result.evidence.excerpt


@pytest.mark.parametrize(("line", "level"), [
    # a negation in another clause of the line leaves the named dataset disclosed
    ("**Link:** [chat-prompts](https://huggingface.co/datasets/acme/chat-prompts), only the "
     "prompts were used (the original answers were not used for training).", AVAILABLE),
    # the dataset itself negated: not training data
    ("The [acme/chat-prompts](https://huggingface.co/datasets/acme/chat-prompts) set was "
     "excluded from training.", NONE),
])
def test_negation_applies_to_the_clause_naming_the_dataset(card: Card, pack: RulePack,
                                                           line: str,
                                                           level: DisclosureLevel) -> None:
    text = f"# M\n\n## Training Dataset\n\n{line}\n"
    assert assess_disclosure(card(text), pack.knowledge.datasets).level is level


@pytest.mark.parametrize(("sentence", "level"), [
    # outside any data section too: the negation is about opt-outs, not the dataset
    ("The models were trained on the Python subset of [The Code Pile](https://huggingface.co/"
     "datasets/acme/code-pile) (which excluded opt-out requests).", AVAILABLE),
    ("The [acme/code-pile](https://huggingface.co/datasets/acme/code-pile) set was excluded "
     "from what the models were trained on.", NONE),
])
def test_a_negated_sentence_outside_data_sections_still_names_its_clause_s_dataset(
        card: Card, pack: RulePack, sentence: str, level: DisclosureLevel) -> None:
    text = f"# M\n\n## Model Summary\n\nA small code model. {sentence}\n"
    assert assess_disclosure(card(text), pack.knowledge.datasets).level is level


@pytest.mark.parametrize(("text", "level"), [
    # a link in "Training Data" nested under "Training Details" names the dataset
    ("# M\n\n## Training Details\n\n### Training Data\n\nRecorded speech and the "
     "[Acme speech corpus](https://corpus.acme.example/speech) were used.\n", AVAILABLE),
    # a link that names nothing, on a line that does not speak of data, is not a dataset
    ("# M\n\n## Training Data\n\nThe team scraped web pages linked "
     "from a forum; the resulting text was never released to the public in any form. A list "
     "of the top domains is [here](https://example.org/domains.txt).\n", PARTIAL),
    # ...but it is when the line says it is the data
    ("# M\n\n## Training Data\n\n- Data: the data provided [here](https://acme.example/para), "
     "500K sentence pairs.\n", AVAILABLE),
    # a host whose name ends in "x.com" is not X (Twitter): the data linked on Dropbox counts
    ("# M\n\n## Training data\n\nThe supervised task datasets can be downloaded on "
     "[Link](https://www.dropbox.com/sh/abc/finetuning_dataset?dl=0)\n", AVAILABLE),
    ("# M\n\n## Training data\n\nThe [news posts](https://x.com/acme/status/1) of one "
     "account, 2019 to 2021.\n", NONE),
    # an issue or pull request is no dataset ("For details see the related [FARM issue](…)")
    ("# M\n\n## Training data\n\nWe updated the vocabulary. For details see the related "
     "[tokenizer issue](https://github.com/acme/tok/issues/60).\n", NONE),
    # ...but a discussion can announce one ("[MC4](…/discussions/5056)")
    ("# M\n\nA GPT2 model trained on [Acme web](https://github.com/acme/tok/discussions/56) "
     "Sinhala dataset.\n", AVAILABLE),
    # evaluation data is not training data
    ("# M\n\n## Testing Data\n\nWe report results on [SQuAD](https://example.org/squad).\n",
     NONE),
])
def test_links_in_data_sections(card: Card, pack: RulePack, text: str,
                                level: DisclosureLevel) -> None:
    assert assess_disclosure(card(text), pack.knowledge.datasets).level is level


@pytest.mark.parametrize("section", [
    "## Training data\n\nThe training text: https://zenodo.org/records/12345 (news articles).\n",
    "## Training data\n\nWe trained it on https://www.kaggle.com/datasets/acme/reviews\n",
])
def test_a_dataset_host_is_found_after_text_whose_lowercase_is_longer(card: Card,
                                                                      pack: RulePack,
                                                                      section: str) -> None:
    # 'İ'.lower() is two characters: the card's lowercase text must still line up with it
    intro = "# Model\n\n" + "İstanbul İzmir " * 40 + "\n\n"
    disclosure = assess_disclosure(card(intro + section), pack.knowledge.datasets)
    assert disclosure.level is AVAILABLE


SENTENCE_BITS = [". ", "! ", "? ", ".\n", "e.g. ", "i.e. ", "etc. ", "al. ", "vs. ", "Fig. ",
                 "No. ", "\n\n", "\n \n", "\n- ", "\n1. ", "\n|", "\n#", "\t", "  ", "A", "a",
                 "[", "(", "\"", "'", "*", "0", "x.", "..", "。", "！", "？"]


@given(st.lists(st.sampled_from(SENTENCE_BITS), max_size=40).map("".join), st.data())
@settings(max_examples=400, deadline=None)
def test_the_fast_sentence_end_regex_finds_what_the_full_one_finds(text: str,
                                                                   data: st.DataObject) -> None:
    """Without CJK end marks the fast form is used: it must find every sentence end the full
    form finds, at the same places, from any start and to any end."""
    fast = sentence_end_pattern(text)
    if any(mark in text for mark in _CJK_END_MARKS):
        assert fast is _SENTENCE_END_RE
        return
    lo = data.draw(st.integers(0, len(text)))
    hi = data.draw(st.integers(lo, len(text)))
    assert [m.span() for m in fast.finditer(text, lo, hi)] == \
        [m.span() for m in _SENTENCE_END_RE.finditer(text, lo, hi)]
    found, full = fast.match(text, lo, hi), _SENTENCE_END_RE.match(text, lo, hi)
    assert (found and found.span()) == (full and full.span())
