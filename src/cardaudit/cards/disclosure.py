"""Training-data disclosure in three levels (reference §4.2), with where it came from.

- disclosed_available: `datasets:` lists ids, or the card names a specific obtainable training
  dataset (a Hub dataset id or link, a dataset-host link, a well-known public corpus, or the
  "fine-tuned … on the X dataset" sentence of Trainer-generated cards);
- disclosed_partial: real prose about the training data (≥ ~20 words with something specific
  in it: a size, a source, a language), or `datasets:` ids the Hub says cannot be obtained;
- not_disclosed: neither. Pointers ("see the paper") and placeholders do not count.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from cardaudit.cards.document import CardDocument
from cardaudit.cards.evidence import NO_EVIDENCE, Evidence, Where, excerpt
from cardaudit.cards.sections import DATA_HEADING_RE, Section, Spans, count_words, outermost
from cardaudit.textsearch import (
    CaseFreePattern,
    FastPattern,
    case_fold,
    line_bounds,
    literal_positions,
    overlapping,
    trie_pattern,
)


class DisclosureLevel(StrEnum):
    AVAILABLE = "disclosed_available"
    PARTIAL = "disclosed_partial"
    NOT_DISCLOSED = "not_disclosed"


class DatasetStatus(StrEnum):
    """What the Hub says about a `datasets:` id (issue 3)."""

    PUBLIC = "public"
    GATED = "gated"
    PRIVATE = "private"
    MISSING = "missing"
    UNKNOWN = "unknown"


LEVEL_RANK = {DisclosureLevel.NOT_DISCLOSED: 0, DisclosureLevel.PARTIAL: 1,
              DisclosureLevel.AVAILABLE: 2}

MIN_PARTIAL_WORDS = 20
MAX_LISTED_NAMES = 50  # `datasets:` ids looked for in the text (a card may list thousands)
MAX_HUB_NAME = 96  # the Hub's limit on a repository name
MAX_MENTION_TRIES = 200  # places tried per id
# Sentences about training outside the data sections, judged per card: real cards have at most
# a few dozen (70 on the 2022 dump); a 10 MB card of "trained." lines would take minutes
MAX_OUTSIDE_SENTENCES = 1_000
MAX_TRAINING_WORDS = 10_000  # training words looked at for those sentences
MAX_CLAUSE = 1_000  # characters a clause reaches either side of a dataset name
MAX_NAMES_TRIED = 1_000  # dataset names per section or sentence whose context is judged

_TRAIN = FastPattern.compile(
    r"\b(?:pre-?train(?:ed|ing)?|train(?:ed|ing)|fine-?tun(?:ed|ing)|finetun(?:ed|ing)|"
    r"post-?train(?:ed|ing)|distill(?:ed|ation)|corpus|corpora|learned from|used to train)\b",
    re.I)
_TRAIN_RE = _TRAIN.regex
_TRAIN_WORDS = ("train", "tun", "distill", "corpus", "corpora", "learned from")
_LABEL_WORDS = ("data", "corpus", "corpora")
_DATA_NOUN_RE = CaseFreePattern(
    r"\b(?:data(?:sets?)?|corpus|corpora|examples|samples|documents|pairs|conversations|"
    r"dialogues|images|recordings|texts|articles|papers|books|tweets|reviews|transcripts|"
    r"posts|comments|messages|"
    r"captions|videos|web ?pages|utterances|hours of)\b")
_SPECIFIC_RE = CaseFreePattern(
    r"\d[\d.,]*[ \t]?(?:[kmbt]\b|thousand|million|billion|trillion|gb|tb|pb)?[ \t-]?"
    r"(?:[a-z]{2,20}[ \t-])?(?:hours?|"
    r"tokens?|images?|pairs|examples|samples|documents|conversations|languages|sentences|"
    r"words|utterances|files|papers|articles|videos|clips|texts|posts|comments|messages|gb|tb)"
    r"\b|\b(?:web|wikipedia|books?|youtube|social (?:media|networks?)|"
    r"news|github|reddit|forums?|blogs?|transcripts|scientific|crawl(?:ed)?|scraped|synthetic|"
    r"publicly available|licensed|proprietary|multilingual|english|chinese|french|german|"
    r"japanese|korean|spanish|math(?:ematics)?|reviews|tweets|conversations|dialogues|"
    r"textbooks?|encyclopedia|internet|domains?|sources?|human[- ]annotated|annotated|"
    r"labell?ed|collected)\b")
_GUIDANCE_WORDS = (r"calibrat\w*|imatrix|quantiz\w*|quantis\w*|gptq|awq|exl2|scripts?|notebooks?|"
                   r"colab|tutorials?")
_SKIP_SENTENCE_RE = CaseFreePattern(rf"\b(?:{_GUIDANCE_WORDS}|you|your)\b")
# …and the Trainer's "fine-tuned version of [base](…) on the None dataset": the data unsaid
_NEGATED_RE = CaseFreePattern(r"\b(?:removed|excluded|not (?:include|used|publicly)|filtered out|"
                         r"never released|not released|contaminat\w*|not (?:been )?trained|"
                         r"(?:the|an?) (?:none|unknown|unkown) dataset)\b")
_CLAUSE_BREAK_RE = re.compile(r"[.;:!?]\s|\(|\)|,\s+(?:but|while|whereas|and|only)\b")
# "- [org/other-model](https://huggingface.co/org/other-model): this model is trained on …": a
# list item about another model (derivatives, ecosystem lists); its "this model" is not ours
_OTHER_MODEL_ITEM_RE = re.compile(
    r"[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+\**\[[^\]\n]{1,200}\]\(https?://huggingface\.co/"
    r"(?!datasets/|spaces/)[\w.-]+/[\w.-]+/?\)\**[ \t]*[:：–—-]")
_DATA_ACCESS_RE = re.compile(r"\byou can (?:find|found|download|get|access|obtain)\b")
# guidance words other than "you": a script, a notebook or calibration still skip the sentence
_NOT_ONLY_YOU_RE = re.compile(rf"\b(?:{_GUIDANCE_WORDS})\b")
_QUANT_PARAGRAPH = FastPattern.compile(r"\b(?:quantiz\w*|quantis\w*|calibrat\w*|imatrix)\b", re.I)
_EVAL_ONLY_RE = CaseFreePattern(r"\b(?:evaluat\w*|benchmark\w*|test set|tested|leaderboard|"
                           r"dev(?:elopment)? (?:set|results)|results on|accuracy|f1)\b")
_TRAINED_ON_RE = CaseFreePattern(r"\b(?:trained|fine-?tuned|pre-?trained|training data|"
                            r"finetuned)\b")
_POINTER_RE = CaseFreePattern(
    r"\b(?:please )?(?:refer to|see|check(?: out)?|described in|details? (?:are|can be found) "
    r"in|more (?:details|information) (?:in|at|on)|available in)\b.{0,40}"
    r"\b(?:paper|report|blog|technical report|model card|repository|website|github)\b")
_HOWTO_HEADING_RE = re.compile(r"\b(?:how to|guide|script|example|your own|usage)\b", re.I)
# "Testing Data", "Evaluation data": data the model was measured on, not trained on
_EVAL_DATA_HEADING_RE = re.compile(r"\b(?:test(?:ing)?|eval(?:uation)?|validation|benchmarks?)\b",
                                   re.I)
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
_SENTENCE_END_RE = re.compile(
    r"(?<=[.!?。！？])(?<!e\.g\.)(?<!i\.e\.)(?<!etc\.)(?<!\bal\.)(?<!vs\.)(?<!\bFig\.)(?<!\bNo\.)"
    r"[ \t\n]{1,8}(?=[A-Z\[(\"'*0-9])|\n[ \t]*\n|\n(?=[ \t]*(?:[-*+|#>]|\d+\.\s))|(?<=[。！？])")
# The same sentence ends for text without Chinese or Japanese end marks (most cards): every
# match then starts with a blank or a newline, written first, so `re` skips ahead to those
# characters, where the form above tries its lookbehinds at every position (2.7x on card text).
_CJK_END_MARKS = "。！？"
_W = r"[ \t\n]"
_SENTENCE_END_NO_CJK_RE = re.compile(
    _W + rf"(?:(?<=[.!?]{_W})(?<!e\.g\.{_W})(?<!i\.e\.{_W})(?<!etc\.{_W})(?<!\bal\.{_W})"
    rf"(?<!vs\.{_W})(?<!\bFig\.{_W})(?<!\bNo\.{_W}){_W}{{0,7}}(?=[A-Z\[(\"'*0-9])|"
    r"(?<=\n)[ \t]*\n|(?<=\n)(?=[ \t]*(?:[-*+|#>]|\d+\.\s)))")


def sentence_end_pattern(text: str) -> re.Pattern[str]:
    """The sentence-end regex to use on `text`: the fast form unless it has CJK end marks."""
    if any(mark in text for mark in _CJK_END_MARKS):
        return _SENTENCE_END_RE
    return _SENTENCE_END_NO_CJK_RE

_HUB_DATASET_LINK_RE = re.compile(r"(?:huggingface\.co|hf\.co)/datasets/([\w.\-]+(?:/[\w.\-]+)?)",
                                  re.I)
# "fine-tuned version of [m](https://huggingface.co/m) on the X dataset" (a point inside a word
# or address does not end the sentence); "on the *X* dataset", "the X data set"; the Trainer's
# "on the ORG/NAME - CONFIG dataset" names ORG/NAME. After "with", "using", "from" or "of the" a
# name must look like one ("PAWS-X", "the Oscar dataset"): "trained from review corpus" is a kind,
# and "trained on a Terms of Service data set" names no "Service"
_FINETUNED_ON = FastPattern.compile(
    r"\b(?:fine-?tuned|trained|pre-?trained|finetuned)\b(?:[^.\n]|\.(?=\S)){0,160}?"
    r"\b(?:(?P<on>on|with|using|from)\s+(?:the\s+)?|of\s+the\s+)\[?\**(?P<name>[\w./\-]{1,79}?\w)\**\]?"
    r"(?:\([^)\s]*\))?"
    r"(?:[ \t]+-[ \t]+[\w.\-]{1,40})?[ \t]+(?:dataset|data set|corpus)\b", re.I)
# the Trainer's "a fine-tuned version of [base](…) on …" puts its base between verb and "on"
_VERSION_OF = r"(?:\s+version\s+of\s+(?:\[[^\]\n]{1,120}\]\([^)\s]{1,500}\)|[\w./\-]{1,120}))?"
# "we trained the model on [X](…)", "fine-tuned it on [X](…)"
_OBJECT = r"(?:\s+(?:it|(?:the|this|our)\s+model))?"
# "fine-tuned on [FQuAD](https://fquad.illuin.tech/)": the link right after "trained on" is the
# data, wherever the sentence stands (papers, models, tweets and "[here]" excepted)
_TRAINED_ON_LINK = FastPattern.compile(
    r"\b(?:fine-?tuned|trained|pre-?trained|finetuned)" + _VERSION_OF + _OBJECT +
    r"\s+on\s+(?:the\s+)?"
    r"(\[[^\]\n]{2,120}\]\(https?://[^)\s]{1,500}\))", re.I)
# "trained on the joint dataset of [OK ML Cup](…)", "trained on the dataset from
# http://paraphraser.ru/", "trained on transformed dataset from following Kaggle dataset:
# https://www.kaggle.com/…": the data named by where it comes from
_TRAINED_ON_DATA_FROM = FastPattern.compile(
    r"\b(?:fine-?tuned|trained|pre-?trained|finetuned)" + _VERSION_OF +
    r"\s+on\s+(?:the\s+|a\s+)?(?:[\w-]+\s+){0,2}?(?:datasets?|data|corpus|corpora)\s+(?:of|from)\s+(?:the\s+)?"
    r"(?:following\s+(?:[\w-]+\s+){0,2}?(?:datasets?|data|corpus)\s*:?)?\s*"
    r"(\[[^\]\n]{2,120}\]\(https?://[^)\s]{1,500}\)|https?://[^\s)\]>\"']{4,500})", re.I)
# a sentence that announces a list or table ("the following datasets", "listed below")
_ANNOUNCES_RE = CaseFreePattern(r"\b(?:following|below|these|listed)\b")
_LIST_OR_TABLE_LINE_RE = re.compile(r"[ \t]{0,8}(?:[-*+][ \t]|\d{1,3}[.)][ \t]|\|)")
MAX_ANNOUNCED_ITEMS = 50  # list items or table rows read after such a sentence
_BLANK_REST_RE = re.compile(r"[ \t\r]*\Z")
_LABELLED_DATA = FastPattern.compile(r"^\W*(?:training |fine-?tuning |pre-?training )?"
                               r"(?:datasets?|corpus|corpora|data)\W{0,4}[:：][ \t]*(.+)$",
                               re.I | re.M)
_LABELLED_DATA_RE = _LABELLED_DATA.regex
_MD_LINK_RE = re.compile(r"(?<!!)\[([^\]\n]{2,120})\]\((https?://[^)\s]+)\)")
# "paper" and "report", not "newspapers" (europeana-newspapers.eu is a corpus)
_NOT_DATASET_LINK_RE = re.compile(r"arxiv\.org|/abs/|\.pdf\b|(?<![a-z])(?:paper|report)|blog|"
                                  r"doi\.org|aclanthology|"
                                  r"openreview|huggingface\.co/(?!datasets)|twitter\.com|"
                                  r"(?<![\w-])x\.com|discord|wandb|license|"
                                  r"github\.com/[^\s)]*/(?:issues|pull)/\d", re.I)
# a link whose text calls it data, in a training section not headed as data or a training
# sentence
_DATA_LINK_TEXT_RE = re.compile(r"\b(?:corpus|corpora|data ?sets?)\b", re.I)
_LIBRARY_LINK_RE = re.compile(r"github\.com/huggingface/|/docs/|readthedocs|pypi\.org", re.I)
# A link that names nothing ("guidelines can be found [here](…)") is a dataset only on a line
# that speaks of data ("Data: the data provided [here](…)").
_POINTER_LINK_RE = re.compile(r"^\[\W*(?:here|this|link|this link|see|more)\W*\]", re.I)
_DATA_WORD_RE = re.compile(r"\b(?:data|datasets?|corpus|corpora)\b", re.I)
# `datasets:` values that name no dataset (`- custom` on three 2022 cards)
_NO_DATASET_IDS = frozenset({"none", "n/a", "na", "null", "unknown", "custom", "private",
                             "internal", "proprietary", "in-house", "own", "tbd", "todo", "-",
                             "various", "other", "unkown"})
# the metadata template's own words left in (`- array of dataset identifiers`, `- dataset1`,
# `- {dataset_0}`) and promises (`- web crawled (coming soon)`)
_TEMPLATE_ID_RE = re.compile(r"array of dataset identifiers|^dataset_?\d*$|[{}]|coming soon|"
                             r"\bto be (?:added|announced|released)\b", re.I)
# …nor a phrase about the author's own data (`- our own`, `- custom danish dataset`, `- self
# made to classify …`): a description of data no one else can obtain, never a dataset id
_OWN_DATA_WORD_RE = re.compile(r"\b(?:our|own|custom|self[- ]?made|private|in[- ]house|"
                               r"proprietary|internal|personal)\b", re.I)
# …nor do these before "dataset" in "fine-tuned on the X dataset"
_NOT_A_DATASET = _NO_DATASET_IDS | {
                  "an", "a", "our", "generator", "imagefolder", "audiofolder", "json", "csv",
                  "this", "that", "same", "new", "following", "above", "my", "your", "their",
                  "large", "small", "public", "dataset", "different", "specific", "in-house",
                  "[more", "more",
                  # "trained on the dataset of …", "on three datasets", "on the joint dataset"
                  "the", "two", "three", "four", "five", "several", "multiple", "various",
                  "many", "joint", "combined", "merged", "mixed", "transformed", "target",
                  "original", "full", "entire", "whole", "given", "provided", "hidden",
                  "training", "train", "test", "downstream", "above-mentioned",
                  # "trained on persian corpus", "on the legal corpus": a kind, not a name
                  "code", "legal", "medical", "clinical", "biomedical", "news", "scientific",
                  "financial", "twitter", "web", "text", "english", "chinese", "french",
                  "german", "spanish", "italian", "portuguese", "russian", "arabic", "persian",
                  "japanese", "korean", "hindi", "turkish", "dutch", "polish", "vietnamese",
                  "indonesian", "thai", "swedish", "finnish", "danish", "norwegian", "czech",
                  "greek", "hebrew", "bengali", "urdu", "tamil", "malay", "ukrainian",
                  "romanian", "hungarian", "catalan", "basque", "swahili", "tagalog",
                  "multilingual", "monolingual", "parallel"}
_SLUG_TITLE_RE = re.compile(r"[ \t]{0,3}#{1,6}[ \t]*[^\s#]+[ \t#]*$", re.M)
_LOOKS_LIKE_A_NAME_RE = re.compile(r"[A-Z0-9_/-]")
_HUB_ID_RE = re.compile(r"(?<![\w/.-])([A-Za-z0-9][\w.\-]{1,60}/[\w.\-]{2,96})(?![\w/])")
MIN_DATA_SECTION_WORDS = 5


@dataclass(frozen=True, slots=True)
class CorpusName:
    """A well-known public corpus, the compiled pattern that finds it, and the literals every
    match contains (None: not known, always search)."""

    name: str
    pattern: re.Pattern[str]
    literals: frozenset[str] | None = None


class DatasetVocabulary:
    """Known corpora and dataset hosts (rules/reference/datasets.yaml).

    Each corpus pattern is paired with the literals any match must contain; one trie regex over
    those literals tells which few corpus patterns are worth running on a text."""

    def __init__(self, corpora: tuple[CorpusName, ...], hosts: re.Pattern[str]) -> None:
        self.corpora = corpora
        self.hosts = FastPattern(hosts)
        self._always: list[int] = []
        self._by_literal: dict[str, list[int]] = {}
        for index, corpus in enumerate(corpora):
            literals = corpus.literals
            if literals is None:
                self._always.append(index)
                continue
            for literal in literals:
                self._by_literal.setdefault(literal, []).append(index)
        self._triggers = trie_pattern(sorted(self._by_literal))

    def corpus_hits(self, text: str, lower: str) -> Iterator[tuple[str, int]]:
        """Every well-known corpus named in `text` (with its offset).

        A corpus pattern runs only on the lines around an occurrence of one of its literals
        (the line before and after too, for names broken across a line), not over the whole
        text: literals such as `all` or `common` occur in most cards."""
        for index in self._always:
            for match in self.corpora[index].pattern.finditer(text):
                yield self.corpora[index].name, match.start()
        if len(lower) != len(text):  # lower() grew ('İ' → 'i̇'): offsets differ, scan it all
            candidates = {i for _, t in overlapping(self._triggers, lower)
                          for i in self._by_literal.get(t, ())}
            for index in sorted(candidates):
                for match in self.corpora[index].pattern.finditer(text):
                    yield self.corpora[index].name, match.start()
            return
        tried: set[tuple[int, int]] = set()
        found: set[tuple[int, int]] = set()
        line_start = line_end = -1  # the line of the last trigger: its window is reused
        start = end = 0
        for at, literal in overlapping(self._triggers, lower):
            indexes = self._by_literal.get(literal)
            if not indexes:
                continue
            if not line_start <= at < line_end:
                line_start, line_end = line_bounds(lower, at)
                start, end = _lines_around(lower, line_start, line_end)
            for index in indexes:
                if (index, start) in tried:
                    continue
                tried.add((index, start))
                for match in self.corpora[index].pattern.finditer(text, start, end):
                    if (index, match.start()) not in found:
                        found.add((index, match.start()))
                        yield self.corpora[index].name, match.start()


def _lines_around(text: str, line_start: int, line_end: int) -> tuple[int, int]:
    """Start of the line before the line [line_start, line_end) and end of the line after it."""
    start = text.rfind("\n", 0, line_start - 1) + 1 if line_start > 0 else 0
    if line_end >= len(text):
        return start, len(text)
    end = text.find("\n", line_end + 1)
    return start, len(text) if end < 0 else end


@dataclass(frozen=True, slots=True)
class Disclosure:
    """The disclosure level, its source, what was named, and the evidence."""

    level: DisclosureLevel
    source: str
    datasets: tuple[str, ...]
    named: tuple[str, ...]
    words: int
    evidence: Evidence
    text_level: DisclosureLevel
    unobtainable: tuple[str, ...] = ()
    datasets_checked: bool = False

    def named_summary(self, limit: int = 10) -> str:
        """'datasets: a, b; named in the card: X' (each list cut at `limit`), or '': what a
        reader of a report or BOM wants next to the level — which data, not just how much."""
        parts = []
        for label, names in (("datasets", self.datasets), ("named in the card", self.named)):
            if names:
                more = f" and {len(names) - limit} more" if len(names) > limit else ""
                parts.append(f"{label}: {', '.join(names[:limit])}{more}")
        return "; ".join(parts)


def _own_data_phrase(value: str) -> bool:
    """A phrase (not an id: it has spaces) about the author's own data."""
    return any(c.isspace() for c in value) and _OWN_DATA_WORD_RE.search(value) is not None


def metadata_datasets(metadata: Mapping[str, object]) -> tuple[str, ...]:
    """The `datasets:` ids, without the placeholders that name none (`custom`, `none`)."""
    value = metadata.get("datasets")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(str(v).strip() for v in value if isinstance(v, str | int) and str(v).strip()
                 and str(v).strip().lower() not in _NO_DATASET_IDS
                 and not _TEMPLATE_ID_RE.search(str(v))
                 and not _own_data_phrase(str(v).strip()))


def assess_disclosure(doc: CardDocument | None, vocab: DatasetVocabulary,
                      dataset_status: Mapping[str, DatasetStatus] | None = None) -> Disclosure:
    """Judge one card; `dataset_status` (from the Hub) decides whether listed ids are
    obtainable; without it listed ids count as available."""
    if doc is None:
        return Disclosure(DisclosureLevel.NOT_DISCLOSED, "none", (), (), 0, NO_EVIDENCE,
                          DisclosureLevel.NOT_DISCLOSED)
    datasets = metadata_datasets(doc.metadata)
    unobtainable: tuple[str, ...] = ()
    meta_level = DisclosureLevel.NOT_DISCLOSED
    if datasets:
        meta_level = DisclosureLevel.AVAILABLE
        if dataset_status is not None:
            unobtainable = tuple(d for d in datasets
                                 if dataset_status.get(d) in (DatasetStatus.PRIVATE,
                                                              DatasetStatus.MISSING,
                                                              DatasetStatus.GATED))
            if len(unobtainable) == len(datasets):
                meta_level = DisclosureLevel.PARTIAL
    text = _TextScan(doc, vocab)
    text_level, named, words, text_evidence = text.run()
    if datasets and text_level is not DisclosureLevel.AVAILABLE:
        obtainable = tuple(d for d in datasets if d not in unobtainable)
        mention = _listed_dataset_in_text(doc, obtainable)
        if mention is not None:
            text_level, named, text_evidence = (DisclosureLevel.AVAILABLE, (mention[0],),
                                                doc.body_evidence(mention[1]))
    level = max(meta_level, text_level, key=LEVEL_RANK.__getitem__)
    has_meta = meta_level is not DisclosureLevel.NOT_DISCLOSED
    has_text = text_level is not DisclosureLevel.NOT_DISCLOSED
    source = "both" if has_meta and has_text else "metadata" if has_meta else \
        "card_text" if has_text else "none"
    if has_meta and (meta_level is DisclosureLevel.AVAILABLE or not has_text
                     or text_level is not DisclosureLevel.AVAILABLE):
        evidence = doc.field_evidence("datasets")
    elif has_text:
        evidence = text_evidence
    else:
        evidence = _absence_evidence(doc)
    return Disclosure(level, source, datasets, named, words, evidence, text_level, unobtainable,
                      dataset_status is not None)


_NAME_PART_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def _listed_dataset_in_text(doc: CardDocument, datasets: tuple[str, ...]
                            ) -> tuple[str, int] | None:
    """A `datasets:` id the text names too ("fine-tuned on the *wiki_dpr* dataset",
    "Guanaco Dataset" for JosephusCheung/GuanacoDataset), outside code, tables and results:
    then the text discloses the data as well as the metadata.

    Bounded on hostile cards: names longer than a Hub name are skipped, and only the first
    MAX_MENTION_TRIES places where a name's first word occurs are tried."""
    evaluation = Spans([(s.start, s.end) for s in outermost(
        [s for s in doc.sections if s.canonical == "evaluation"
         or _EVAL_DATA_HEADING_RE.search(s.heading)])])
    prose = doc.prose
    for dataset in datasets[:MAX_LISTED_NAMES]:
        owner, _, name = dataset.rpartition("/")
        parts = _NAME_PART_RE.findall(name)
        if len(name) > MAX_HUB_NAME or len("".join(parts)) < 4:
            continue
        rest = re.compile(r"[\s_-]?".join(map(re.escape, parts)) + r"(?![\w/-])", re.I)
        owner_prefix = f"{owner}/".lower() if owner else None
        first = re.compile(re.escape(parts[0]), re.I)
        for tries, candidate in enumerate(first.finditer(prose)):
            if tries >= MAX_MENTION_TRIES:
                break
            offset = candidate.start()
            if not _free_start(prose, offset, owner_prefix) or not rest.match(prose, offset) \
                    or offset in evaluation:
                continue
            line = prose[slice(*line_bounds(prose, offset, max(0, offset - 300), offset + 300))]
            if line.lstrip().startswith("#") or (_EVAL_ONLY_RE.search(line, None)
                                                 and not _TRAINED_ON_RE.search(line, None)):
                continue  # a heading, or results on the dataset, are not its use for training
            return dataset, offset
    return None


def _free_start(prose: str, offset: int, owner_prefix: str | None) -> bool:
    """Whether a name at offset starts a word of its own ("on wiki_dpr", not "bert-wiki_dpr"
    or "models/wiki_dpr"), or is the name part of its full id ("acme/chat-prompts")."""
    before = prose[offset - 1] if offset else " "
    if not (before.isalnum() or before in "_.-/"):
        return True
    if before != "/" or owner_prefix is None:
        return False
    start = offset - len(owner_prefix)
    if start < 0 or prose[start:offset].lower() != owner_prefix:
        return False
    return start == 0 or not (prose[start - 1].isalnum() or prose[start - 1] in "_.-")


def _absence_evidence(doc: CardDocument) -> Evidence:
    training = doc.sections_named("training")
    if training:
        section = training[0]
        return Evidence(Where.BODY, None, section.line,
                        excerpt(f"'{section.heading}' section has no training-data description"))
    return doc.absent_evidence("datasets")


class _TextScan:
    """Reads the body for named datasets and for prose about the training data.

    Detectors run over whole spans (a data section, a training sentence) and only their hits
    are checked against the context filters (calibration data, negations, reader guidance), so a
    long card costs a few regex passes, not one per line."""

    def __init__(self, doc: CardDocument, vocab: DatasetVocabulary) -> None:
        self.doc = doc
        self.vocab = vocab
        self.body = doc.body
        self.prose = doc.prose
        self.lower = doc.lower
        self._mentions_quantization = _QUANT_PARAGRAPH.possible(doc.lower)
        # CaseFreePattern runs fast on the case-folded prose (same offsets as the prose)
        self._prose_lower = case_fold(doc.prose)
        self._listed_lines: set[int] = set()  # list and table lines read by _announced_list
        self._ends = sentence_end_pattern(doc.prose)

    def _lower(self, start: int, end: int) -> str:
        return self._prose_lower[start:end]

    def run(self) -> tuple[DisclosureLevel, tuple[str, ...], int, Evidence]:
        doc = self.doc
        all_data = [s for s in doc.sections if self._is_data_section(s)]
        data_sections = outermost(all_data)
        headed = [s for s in data_sections if DATA_HEADING_RE.search(s.heading)]
        # "Training Data" nested in "Training Details": its links name datasets too
        outer = {id(s) for s in data_sections}
        nested_headed = [s for s in all_data if id(s) not in outer
                         and DATA_HEADING_RE.search(s.heading)]
        found: tuple[str, int] | None = None
        words = 0
        specific_at: int | None = None
        for section in data_sections:
            hit = self._named(section.start, section.end, line_context=True,
                              headed=section in headed)
            if hit and (found is None or hit[1] < found[1]):
                found = hit
            prose = self.prose[section.start:section.end]
            lower = self._lower(section.start, section.end)
            if section.prose_words <= 40 and _POINTER_RE.search(prose, lower):
                continue
            words += section.prose_words
            if specific_at is None:
                specific = _SPECIFIC_RE.search(prose, lower)
                if specific:
                    specific_at = section.start + specific.start()
        for section in nested_headed:
            hit = self._named(section.start, section.end, line_context=True, headed=True)
            if hit and (found is None or hit[1] < found[1]):
                found = hit
        for start, end in self._outside_sentences(data_sections):
            prose = self.prose[start:end]
            lower = self._lower(start, end)
            if not self._usable(prose, lower, start) \
                    or _OTHER_MODEL_ITEM_RE.match(self.body, doc.line_start(start)):
                continue
            # a negation names no dataset in its own clause only ("trained on [The Stack](…)
            # (which excluded opt-out requests)" names The Stack); its sentence adds no words
            negated = _NEGATED_RE.search(prose, lower) is not None
            if found is None:
                hit = self._named(start, end, line_context=False, headed=False, negated=negated)
                if hit is None and not negated:
                    hit = self._announced_list(start, end, prose, lower)
                if hit:
                    found = hit
            if negated:
                continue
            if _DATA_NOUN_RE.search(prose, lower) and not _POINTER_RE.search(prose, lower):
                words += count_words(prose)
                if specific_at is None:
                    specific = _SPECIFIC_RE.search(prose, lower)
                    if specific:  # the cue's line: a sentence may start on a rule line ("---")
                        specific_at = start + specific.start()
        if found is not None:
            return (DisclosureLevel.AVAILABLE, (found[0],), words, doc.body_evidence(found[1]))
        if headed and all(s.prose_words < MIN_DATA_SECTION_WORDS for s in headed):
            return DisclosureLevel.NOT_DISCLOSED, (), 0, NO_EVIDENCE
        if words >= MIN_PARTIAL_WORDS and specific_at is not None:
            return DisclosureLevel.PARTIAL, (), words, doc.body_evidence(specific_at)
        return DisclosureLevel.NOT_DISCLOSED, (), words, NO_EVIDENCE

    def _usable(self, prose: str, lower: str, offset: int) -> bool:
        """Context filters for a sentence outside the data sections: reader guidance,
        calibration data, evaluation only (negations are judged per clause, in `_named`).
        `lower` is case_fold(prose) (see CaseFreePattern)."""
        if _guides_reader(prose, lower):
            return False
        if _EVAL_ONLY_RE.search(prose, lower) and not _TRAINED_ON_RE.search(prose, lower):
            return False
        return not self._in_quantization_paragraph(offset)

    def _in_quantization_paragraph(self, offset: int) -> bool:
        """Calibration data of a quantization is not training data."""
        if not self._mentions_quantization:
            return False
        start = self.prose.rfind("\n\n", max(0, offset - 1500), offset)
        end = self.prose.find("\n\n", offset, offset + 1500)
        paragraph = self.prose[start + 1 if start >= 0 else max(0, offset - 1500):
                               end if end >= 0 else offset + 1500]
        return bool(_QUANT_PARAGRAPH.regex.search(paragraph))

    def _is_data_section(self, section: Section) -> bool:
        if section.canonical != "training":
            return False
        heading = section.heading
        if _HOWTO_HEADING_RE.search(heading):
            return False
        if _EVAL_DATA_HEADING_RE.search(heading) and "train" not in heading.lower():
            return False
        if "tun" in heading.lower() and not DATA_HEADING_RE.search(heading):
            return self._describes_past_training(section)
        return True

    def _describes_past_training(self, section: Section) -> bool:
        prose = self.prose[section.start:section.end]
        return bool(re.search(r"\b(?:was|were|has been|have been)\b[^.\n]{0,60}"
                              r"\b(?:fine-?tuned|trained)\b", prose, re.I))

    def _outside_sentences(self, data_sections: list[Section]) -> Iterator[tuple[int, int]]:
        """`dataset: X` lines and sentences about training outside the data sections (the
        first MAX_OUTSIDE_SENTENCES)."""
        return itertools.islice(self._all_outside_sentences(data_sections),
                                MAX_OUTSIDE_SENTENCES)

    def _all_outside_sentences(self, data_sections: list[Section]) -> Iterator[tuple[int, int]]:
        inside = Spans([(s.start, s.end) for s in data_sections])
        seen: set[int] = set()
        lower = self.lower
        line_end = -1
        for pos in literal_positions(lower, _LABEL_WORDS):
            if pos < line_end:
                continue  # the line already judged (a one-line card of 2 MB: not quadratic)
            start, end = line_bounds(self.body, pos)
            line_end = end
            if start in seen or start in inside:
                continue
            match = _LABELLED_DATA_RE.match(self.body, start, end)
            if match:
                seen.add(start)
                yield start, end
        for looked, pos in enumerate(literal_positions(lower, _TRAIN_WORDS)):
            if looked == MAX_TRAINING_WORDS:
                return
            if pos in inside or not _TRAIN_RE.search(self.prose, max(0, pos - 12),
                                                             pos + 24):
                continue
            start, end = _sentence_around(self.prose, pos, self.doc.line_start, self._ends)
            # a title that is a model id ("# distilgpt2-finetuned-restaurant-reviews", the
            # Trainer's) says nothing about the data; "# BERT fine-tuned on CoNLL-2003" does
            if start not in seen and self.prose[start:end].strip() \
                    and not _SLUG_TITLE_RE.match(self.prose, self.doc.line_start(pos)):
                seen.add(start)
                yield start, end
                # the next sentence of the same line goes on about the same data ("The training
                # corpus was papers from Semantic Scholar. Corpus size is 1.14M papers.")
                gap = self._ends.match(self.prose, end)
                if gap is not None and "\n" not in gap.group() and gap.end() not in seen:
                    tail = self._ends.search(self.prose, gap.end(),
                                             min(len(self.prose), gap.end() + 600))
                    seen.add(gap.end())
                    yield gap.end(), (tail.start() if tail else
                                      min(len(self.prose), gap.end() + 600))

    def _named(self, start: int, end: int, *, line_context: bool, headed: bool,
               negated: bool = False) -> tuple[str, int] | None:
        """The first obtainable dataset named in body[start:end] whose context passes: its
        line's (with `line_context`), or, in a sentence with a negation, its clause's."""
        line_start = line_end = -1  # hits come in card order: each line is found once
        # the first names in card order (heapq keeps only those: a 10 MB line of corpus names
        # makes a million hits)
        hits = heapq.nsmallest(MAX_NAMES_TRIED, self._hits(start, end, headed),
                               key=lambda h: h[1])
        for name, offset in hits:
            if not line_context:
                if not negated or not self._clause_negated(start, end, offset):
                    return name, offset
                continue
            if offset >= line_end:
                line_start = max(self.doc.line_start(offset), start)
                line_end = self.body.find("\n", offset, end)
                line_end = end if line_end < 0 else line_end
            if self._guidance(offset, line_start, line_end) \
                    or self._in_quantization_paragraph(offset):
                continue
            if not self._clause_negated(line_start, line_end, offset):
                return name, offset
        return None

    def _guidance(self, offset: int, line_start: int, line_end: int) -> bool:
        """Whether the sentence naming a dataset (within its line) guides the reader or tells
        of calibration ("you can fine-tune it on your data with [X](…)"): judged on the
        sentence, as a paragraph written on one line holds others ("Thus, you need to use
        sw_KE when evaluating" does not unname the LAFAND before it)."""
        lo, hi = _sentence_around(self.prose, offset, self.doc.line_start, self._ends)
        lo, hi = max(lo, line_start), min(hi, line_end)
        return _guides_reader(self.prose[lo:hi], self._lower(lo, hi))

    def _announced_list(self, start: int, end: int, prose: str, lower: str
                        ) -> tuple[str, int] | None:
        """The first dataset link of the list or table that a sentence about the training data
        announces ("The following CC BY audio was part of the dataset used to train it:",
        "HeBert was trained on three datasets:")."""
        announces = prose.rstrip().endswith((":", "：")) or _ANNOUNCES_RE.search(prose, lower)
        if not announces or not _DATA_NOUN_RE.search(prose, lower):
            return None
        body = self.body
        pos = body.find("\n", end)
        items = blanks = 0
        while 0 <= pos < len(body) and items < MAX_ANNOUNCED_ITEMS:
            line_start = pos + 1
            if line_start in self._listed_lines:
                break  # read for an earlier sentence, and it named nothing
            pos = body.find("\n", line_start)
            line_end = pos if pos >= 0 else len(body)
            if _BLANK_REST_RE.match(body, line_start, line_end):
                if items or blanks:
                    break  # the list ended, or none follows the sentence
                blanks += 1
                continue
            if not _LIST_OR_TABLE_LINE_RE.match(body, line_start, line_end) \
                    or self.doc.in_code(line_start):
                break
            self._listed_lines.add(line_start)
            items += 1
            for link in _MD_LINK_RE.finditer(body, line_start, line_end):
                if _names_something(link.group(0)):
                    return link.group(1), link.start()
        return None

    def _clause_negated(self, line_start: int, line_end: int, offset: int) -> bool:
        clause_start, clause_end = self._clause(line_start, line_end, offset)
        return _NEGATED_RE.search(self.prose[clause_start:clause_end],
                                  self._lower(clause_start, clause_end)) is not None

    def _clause(self, line_start: int, line_end: int, offset: int) -> tuple[int, int]:
        """The clause of a line around a dataset name: a negation elsewhere on the line ("the
        original responses were not used") does not unname the dataset."""
        lo = max(line_start, offset - MAX_CLAUSE)
        before = self.prose[lo:offset]
        cut = max((m.end() for m in _CLAUSE_BREAK_RE.finditer(before)), default=0)
        hi = min(line_end, offset + MAX_CLAUSE)
        after = _CLAUSE_BREAK_RE.search(self.prose, offset, hi)
        return lo + cut, after.start() if after else hi

    def _hits(self, start: int, end: int, headed: bool) -> Iterator[tuple[str, int]]:
        text = self.body[start:end]
        lower = self.lower[start:end]
        if "/datasets/" in lower:
            for match in _HUB_DATASET_LINK_RE.finditer(text):
                yield match.group(1), start + match.start()
        for match in self.vocab.hosts.finditer(text, lower):
            yield match.group(0), start + match.start()
        for name, offset in self.vocab.corpus_hits(text, lower):
            if not _in_article_link(text, offset):
                yield name, start + offset
        for match in _FINETUNED_ON.finditer(text, lower):
            name = match.group("name")
            after_on = (match.group("on") or "").lower() == "on"
            if name.lower().strip("[]()*_") in _NOT_A_DATASET or (
                    not after_on and not _LOOKS_LIKE_A_NAME_RE.search(name)):
                continue
            yield name, start + match.start("name")
        for match in _TRAINED_ON_LINK.finditer(text, lower):
            link = match.group(1)
            if _names_something(link):
                yield link[1:link.index("]")], start + match.start(1)
        for match in _TRAINED_ON_DATA_FROM.finditer(text, lower):
            source = match.group(1)
            if _names_something(source):
                name = source[1:source.index("]")] if source.startswith("[") \
                    else source.rstrip(".,;:")
                yield name, start + match.start(1)
        for match in _LABELLED_DATA.finditer(text, lower):
            link = _MD_LINK_RE.search(match.group(1))
            if link and not _NOT_DATASET_LINK_RE.search(link.group(0)):
                yield link.group(1), start + match.start(1)
        if not headed and "](" in text:
            # "we use the [spanish corpus](…) used to train BETO" in "Training details", "BETO
            # is … trained on a [big Spanish corpus](…)": in a training section or sentence, a
            # link that calls itself a corpus or dataset (not the 🤗 Datasets library)
            for link in _MD_LINK_RE.finditer(text):
                if _DATA_LINK_TEXT_RE.search(link.group(1)) \
                        and not _NOT_DATASET_LINK_RE.search(link.group(0)) \
                        and not _LIBRARY_LINK_RE.search(link.group(2)) \
                        and not _HUB_DATASET_LINK_RE.search(link.group(2)):  # named by its id
                    # "Toxic Comments [dataset](https://www.kaggle.com/…)": the address names it
                    bare = _DATA_LINK_TEXT_RE.fullmatch(link.group(1).strip())
                    yield link.group(2 if bare else 1), start + link.start()
        if headed and "/" in text:
            line_end = -1  # the line of the last pointer link, and its first data word
            first_data_word = -1
            for link in _MD_LINK_RE.finditer(text):
                if _NOT_DATASET_LINK_RE.search(link.group(0)):
                    continue
                if _POINTER_LINK_RE.search(link.group(0)):
                    # "[here](…)" names a dataset only after a data word on its line
                    if link.start() >= line_end:
                        line_start, line_end = line_bounds(text, link.start())
                        word = _DATA_WORD_RE.search(text, line_start, line_end)
                        first_data_word = word.start() if word else line_end
                    if first_data_word >= link.start():
                        continue
                    # "[Link](…)" names nothing itself: its address is the name shown
                    yield link.group(2), start + link.start()
                    continue
                yield link.group(1), start + link.start()
            if "dataset" in lower:
                for match in _HUB_ID_RE.finditer(text):
                    context = lower[max(0, match.start() - 80):match.end() + 80]
                    if "dataset" in context and not match.group(1).lower().startswith(
                            ("http", "www")):
                        yield match.group(1), start + match.start()


def _guides_reader(sentence: str, lower: str) -> bool:
    """Whether a sentence guides the reader or tells of calibration, so names no training data
    ("you can fine-tune it on X with your script"); "You can find all the data here:
    https://archive.org/…" points at the data instead. `lower` is case_fold(sentence)."""
    if _SKIP_SENTENCE_RE.search(sentence, lower) is None:
        return False
    return _DATA_ACCESS_RE.search(lower) is None or _NOT_ONLY_YOU_RE.search(lower) is not None


def _names_something(link: str) -> bool:
    """Whether a Markdown link can name a dataset: not a paper, model, tweet or license, and
    not a bare pointer ("[here](…)")."""
    return not _NOT_DATASET_LINK_RE.search(link) and not _POINTER_LINK_RE.search(link)


MAX_URL_LOOKBACK = 500
_URL_END_RE = re.compile(r"[\s)\]>\"']")


def _in_article_link(text: str, offset: int) -> bool:
    """Whether `offset` lies in the address of a Wikipedia article ("[Pho](https://en.wikipedia
    .org/wiki/Pho)" explains a word; it does not name the Wikipedia corpus, which a dump
    address such as "https://ta.wikipedia.org" does). Looks back at most MAX_URL_LOOKBACK
    characters, to the last white space."""
    lo = max(0, offset - MAX_URL_LOOKBACK)
    token_start = max(text.rfind(" ", lo, offset), text.rfind("\n", lo, offset),
                      text.rfind("\t", lo, offset)) + 1 or lo
    if "://" not in text[token_start:offset] and "](" not in text[token_start:offset]:
        return False
    end = _URL_END_RE.search(text, offset, offset + MAX_URL_LOOKBACK)
    address = text[token_start:end.start() if end else offset + MAX_URL_LOOKBACK]
    return "wikipedia.org/wiki/" in address.lower()


def _sentence_around(text: str, pos: int, line_start: Callable[[int], int],
                     ends: re.Pattern[str] = _SENTENCE_END_RE) -> tuple[int, int]:
    """The sentence holding `pos`: from the last sentence end in the 400 characters before it
    (else the start of its line) to the next one in the 600 after; see below for a sentence
    that opens with pos. `text` has the body's newlines; `line_start(pos)` finds the line's
    start without scanning back."""
    lo = max(0, pos - 400)
    start = previous = lo
    paragraph_start = False
    for sep in ends.finditer(text, lo, min(len(text), pos + 1)):
        if sep.end() > pos:
            break
        previous, start = start, sep.end()
        paragraph_start = _BLANK_LINE_RE.search(sep.group()) is not None
    if start == pos and not paragraph_start:
        # a sentence opening with the training word ("Trained with the same method.") takes
        # the one before it in its paragraph, which says on what ("The corpus has 410k
        # sentence pairs.")
        start = previous
    if start == lo and lo > 0:
        start = line_start(pos)
    tail = ends.search(text, pos, min(len(text), pos + 600))
    return start, (tail.start() if tail else min(len(text), pos + 600))
