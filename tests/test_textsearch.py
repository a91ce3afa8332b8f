"""Speed rewrites of card-text searches must find exactly what the plain regexes find."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardaudit.cards import disclosure, licenses
from cardaudit.cards.sections import _prose_view, blank
from cardaudit.errors import RuleError
from cardaudit.pack import RulePack, load_pack
from cardaudit.textsearch import (
    IGNORECASE_ASCII_TWINS,
    CaseFreePattern,
    FastPattern,
    case_fold,
    literal_led,
    overlapping,
    trie_pattern,
    uppercase_literal,
    word_bounded,
    word_led,
)
from tests.cli.scenario import ROOT

WORDS = ["todo", "tbd", "to be added", "coming soon", "Todo", "xtodo", "todos", "wikipedia",
         "English Wikipedia", "English\nWikipedia", "common crawl", "Common\nCrawl", "c4", "C4",
         "the pile", "bookcorpus", "all", "imagenet", "-", "_", " ", "\n", ".", "(", ")", "é",
         "ſ", "İ", "[more information needed]"]
card_text = st.lists(st.sampled_from(WORDS), max_size=60).map("".join) | st.text(max_size=200)


@given(card_text)
@settings(max_examples=300, deadline=None)
def test_literal_led_alternatives_match_the_same_spans(text: str) -> None:
    patterns = [r"\btodo\b", r"\btbd\b", r"\bto be (?:added|announced)\b", r"\bcoming soon\b"]
    plain = re.compile("|".join(f"(?:{p})" for p in patterns), re.I)
    fast = re.compile("|".join(f"(?:{literal_led(p)})" for p in patterns), re.I)
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_literal_led_leaves_other_patterns_alone() -> None:
    assert literal_led(r"\btodo\b") == r"t(?<=\bt)odo\b"
    for pattern in (r"more information", r"\b(?:x)", r"\bt?x", r"\bt*x", r"\b\d+"):
        assert literal_led(pattern) == pattern


@given(card_text)
@settings(max_examples=300, deadline=None)
def test_corpus_hits_equal_a_full_scan_of_every_corpus_pattern(pack: RulePack,
                                                               text: str) -> None:
    vocab = pack.knowledge.datasets
    full = {(c.name, m.start()) for c in vocab.corpora for m in c.pattern.finditer(text)}
    assert set(vocab.corpus_hits(text, case_fold(text))) == full
    assert set(vocab.corpus_hits(text, text.lower())) == full  # 'İ' grows: the whole-text path


@given(card_text.filter(lambda t: "<" not in t and "](" not in t))
@settings(max_examples=300, deadline=None)
def test_placeholders_blanked_on_lowercased_text_as_case_insensitively(pack: RulePack,
                                                                       text: str) -> None:
    vocab = pack.knowledge.sections
    assert _prose_view(text, case_fold(text), [], vocab) == blank(text,
                                                                   vocab.placeholders.regex)


@pytest.mark.parametrize(("pattern", "upper"), [
    (r"\btodo\b", None), (r"To do", "T"), (r"[A-Z]+", "A"), (r"\S+ tbd", None),
    (r"(?:Ab)+", "A"), (r"[^A]", "A"), (r"\{\{[^}]*\}\}", None),
])
def test_uppercase_literals_are_found_for_the_lowercase_rule(pattern: str,
                                                             upper: str | None) -> None:
    assert uppercase_literal(pattern) == upper


def test_a_placeholder_with_upper_case_is_refused_with_its_line(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", root)
    sections = root / "reference" / "sections.yaml"
    sections.write_text(sections.read_text().replace("'\\btodo\\b'", "'\\bTODO\\b'"))
    with pytest.raises(RuleError, match=r"sections\.yaml:\d+.*lower case \(found 'T'\)"):
        load_pack(root=root)


@given(card_text)
@settings(max_examples=300, deadline=None)
def test_word_bounded_corpus_patterns_match_like_the_plain_wrapper(text: str) -> None:
    for pattern in ("ty ?di", "pg-?19", "c4|the pile", "english wikipedia", "(?:a|b)ll",
                    "wikipedia|common\\s+crawl"):
        plain = re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.I)
        fast = re.compile(word_bounded(pattern), re.I)
        assert [m.span() for m in fast.finditer(text)] == \
            [m.span() for m in plain.finditer(text)], pattern


CASE_FREE = [value for value in vars(disclosure).values() if isinstance(value, CaseFreePattern)]
PROSE_WORDS = ["Trained", "on", "DATA", "datasets", "Corpus", "web pages", "webpages", "3.5M",
               "10 hours", "1B tokens", "we", "You", "removed", "not used", "see", "the paper",
               "please refer to", "Evaluated", "f1", "English", "Wikipedia", "-", "_", " ", "\n",
               ".", ",", "(", "2", "é", "ſ", "K", "İ", "calibration", "data-set",
               # IGNORECASE takes ſ for s, ı and İ for i, K (Kelvin) for k
               "dataſets", "traıned", "ſee the paper", "İmages", "10 tokens"]
prose_text = st.lists(st.sampled_from(PROSE_WORDS), max_size=50).map(" ".join) \
    | st.lists(st.sampled_from(PROSE_WORDS), max_size=50).map("".join) | st.text(max_size=200)


def test_the_disclosure_filters_are_case_free_patterns() -> None:
    assert len(CASE_FREE) >= 7


@given(prose_text)
@settings(max_examples=400, deadline=None)
def test_case_free_patterns_find_what_the_ignorecase_regex_finds(text: str) -> None:
    lower = case_fold(text)
    for pattern in CASE_FREE:
        fast = pattern.search(text, lower)
        plain = pattern.regex.search(text)
        assert (fast and fast.span()) == (plain and plain.span()), pattern.regex.pattern


def test_case_fold_twins_are_every_non_ascii_letter_ignorecase_takes_for_an_ascii_one() -> None:
    every = "".join(chr(c) for c in range(128, 0x110000) if not 0xD800 <= c <= 0xDFFF)
    found = {}
    for letter in "abcdefghijklmnopqrstuvwxyz":
        found.update({m.group(): letter for m in re.finditer(letter, every, re.I)})
    assert found == IGNORECASE_ASCII_TWINS
    # and no other character's lowercase grows or is an ASCII letter
    assert [ch for ch in every if len(ch.lower()) != 1] == ["\u0130"]
    assert [ch for ch in every if ch.lower().isascii()] == ["\u212a"]


@given(prose_text)
@settings(max_examples=300, deadline=None)
def test_case_fold_keeps_every_offset(text: str) -> None:
    folded = case_fold(text)
    assert len(folded) == len(text)
    assert all(f == t.lower() or t in IGNORECASE_ASCII_TWINS for f, t in zip(folded, text,
                                                                              strict=True))


SCAN_PATTERNS = [disclosure._FINETUNED_ON, disclosure._TRAINED_ON_LINK,
                 disclosure._LABELLED_DATA, disclosure._TRAIN, licenses._LICENSE_WORD]
LINK_WORDS = ["fine-tuned on the", "Trained on", "PRE-TRAINED ON", "[SQuAD](https://x.org/a)",
              "Dataset", "corpus", "LİCENSE", "Agreement", "Training Data:", "data：", "- ",
              "huggingface.co/datasets/a/b", "Kaggle.com/datasets/x"]
scan_text = st.lists(st.sampled_from(LINK_WORDS + PROSE_WORDS), max_size=40).map(" ".join) \
    | st.text(max_size=200)


def test_the_body_scans_get_the_lowercase_path() -> None:
    assert all(p.lowered is not None and p.folds for p in SCAN_PATTERNS)


@given(scan_text)
@settings(max_examples=400, deadline=None)
def test_body_scans_on_case_folded_text_find_what_ignorecase_finds_with_the_cards_letters(
        pack: RulePack, text: str) -> None:
    lower = case_fold(text)
    for pattern in [*SCAN_PATTERNS, pack.knowledge.datasets.hosts]:
        plain = [(m.span(), m.groups()) for m in pattern.regex.finditer(text)]
        assert [(m.span(), m.groups()) for m in pattern.finditer(text, lower)] == plain
        first = pattern.regex.search(text)
        fast = pattern.search(text, lower)
        assert (fast and fast.span()) == (first and first.span()), pattern.pattern


@given(st.lists(st.sampled_from(["all", "allen", "common", "commoncrawl", "c4", "x", " ", "a"]),
                max_size=30).map("".join))
@settings(max_examples=300, deadline=None)
def test_overlapping_finds_each_word_at_every_position_as_a_lookahead_does(text: str) -> None:
    words = ["all", "allen", "common", "commoncrawl", "c4", "mon"]
    trie = trie_pattern(sorted(words))
    lookahead = re.compile(f"(?=({trie.pattern}))")
    assert list(overlapping(trie, text)) == [(m.start(), m.group(1))
                                            for m in lookahead.finditer(text)]


def test_word_led_moves_boundaries_behind_first_letters_and_keeps_other_shapes() -> None:
    assert word_led(r"\b(?:data|corpus)\b") == r"(?:d(?<=\bd)ata|c(?<=\bc)orpus)\b"
    assert word_led(r"\d+ tokens|\bweb\b") == r"\d+ tokens|w(?<=\bw)eb\b"
    for pattern in (r"\b(?:please )?(?:see)\b", r"\b(?:a|b)?x", r"\b(?:\d|x)y"):
        assert word_led(pattern) == pattern


def test_a_case_free_pattern_must_be_written_in_lowercase() -> None:
    with pytest.raises(ValueError, match="lowercase"):
        CaseFreePattern(r"\bData\b")


def _rule_patterns() -> list[str]:
    from cardaudit.engine.evaluate import _leaves

    pack = load_pack()
    return sorted({leaf.argument.pattern for rule in pack.rules.rules for leaf in _leaves(rule)
                   if leaf.operator in ("matches", "not_matches")})


RULE_PATTERNS = _rule_patterns()


def test_shipped_case_insensitive_rule_regexes_get_the_lowercase_path() -> None:
    lowered = [p for p in RULE_PATTERNS if FastPattern.case_free(p, re.M).lowered is not None]
    assert len(lowered) >= 2  # the base-model and placeholder rules
    assert FastPattern.case_free(r"(?i)\bLlama\b", re.M).lowered is None  # not lowercase
    assert FastPattern.case_free(r"\bllama\b", re.M).lowered is None  # case-sensitive


@given(prose_text)
@settings(max_examples=300, deadline=None)
def test_rule_regexes_find_the_same_span_on_either_path(text: str) -> None:
    for pattern in RULE_PATTERNS:
        fast = FastPattern.case_free(pattern, re.M).search(text, case_fold(text))
        plain = re.compile(pattern, re.M).search(text)
        assert (fast and fast.span()) == (plain and plain.span()), pattern


@pytest.mark.parametrize(("cues", "message"), [
    ("joined_cues:\n  limits:\n    - 'x'\n", r"joined_cues\.limits.*unknown section 'limits'"),
    ("joined_cues:\n  limitations:\n    - '(unclosed'\n", r"joined_cues\.limitations\[0\]"),
])
def test_a_broken_joined_cue_is_refused_with_its_line(tmp_path: Path, cues: str,
                                                      message: str) -> None:
    root = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", root)
    sections = root / "reference" / "sections.yaml"
    text = sections.read_text()
    start = text.index("joined_cues:")
    end = text.index("# Text that stands in")
    sections.write_text(text[:start] + cues + "\n" + text[end:])
    with pytest.raises(RuleError, match=rf"sections\.yaml:\d+.*{message}"):
        load_pack(root=root)
