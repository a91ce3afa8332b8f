"""Splitting real-world READMEs: every odd case becomes a problem or is handled."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardaudit.cards.document import CardDocument, ParseStatus

Card = Callable[[str | bytes], CardDocument]


def test_keys_get_readme_lines_after_bom_crlf_and_blank_lines(card: Card) -> None:
    doc = card(b"\xef\xbb\xbf\r\n---\r\nlicense: mit\r\ndatasets:\r\n- squad\r\n---\r\n# Title\r\n")
    assert doc.has_front_matter
    assert doc.metadata == {"license": "mit", "datasets": ["squad"]}
    assert doc.field_line("license") == 3
    assert doc.field_line("datasets[0]") == 5
    assert doc.sections[0].line == 7


def test_empty_mapping_counts_as_front_matter(card: Card) -> None:
    assert card("---\n{}\n---\nbody\n").has_front_matter
    assert card("---\n---\nbody\n").has_front_matter


def test_no_front_matter_is_not_a_problem(card: Card) -> None:
    doc = card("# Just a title\n\nSome text.\n")
    assert not doc.has_front_matter and doc.parse_status is ParseStatus.OK


def test_list_front_matter_is_unparseable(card: Card) -> None:
    doc = card("---\n- a\n- b\n---\ntext\n")
    assert not doc.has_front_matter
    assert doc.parse_status is ParseStatus.UNPARSEABLE
    assert doc.problems[0].code == "not-a-mapping"


def test_unclosed_front_matter_is_unparseable(card: Card) -> None:
    doc = card("---\nlicense: mit\n\n# Title\n")
    assert doc.parse_status is ParseStatus.UNPARSEABLE
    assert doc.problems[0].code == "unclosed-front-matter"


def test_yaml_error_keeps_the_readable_keys(card: Card) -> None:
    doc = card("---\nlicense: mit\ntags: [broken\ndatasets:\n- squad\n---\n")
    assert doc.metadata == {"license": "mit", "datasets": ["squad"]}
    assert doc.parse_status is ParseStatus.PARTIAL
    assert doc.field_line("datasets") == 4


def test_non_utf8_bytes_are_replaced_and_reported(card: Card) -> None:
    doc = card(b"---\nlicense: mit\n---\ncaf\xe9 au lait\n")
    assert doc.metadata["license"] == "mit"
    assert doc.problems[0].code == "not-utf8" and doc.problems[0].line == 4
    assert "\ufffd" in doc.body


def test_license_as_a_list_is_kept(card: Card) -> None:
    assert card("---\nlicense: [mit, apache-2.0]\n---\n").metadata["license"] == \
        ["mit", "apache-2.0"]


def test_huge_model_index_parses_in_bounded_time(card: Card) -> None:
    entry = ("  - task: {type: text-classification}\n    dataset: {name: glue, type: glue}\n"
             "    metrics:\n      - {type: accuracy, value: 0.9, name: Accuracy}\n")
    text = "---\nlicense: mit\nmodel-index:\n- name: m\n  results:\n" + entry * 5000 + "---\n"
    assert len(text) > 700_000
    started = time.perf_counter()
    doc = card(text)
    assert time.perf_counter() - started < 20
    assert doc.metadata["license"] == "mit"
    assert len(doc.metadata["model-index"][0]["results"]) == 5000


def test_ten_megabyte_card_without_closing_dashes_is_fast(card: Card) -> None:
    text = "---\nlicense: mit\n" + ("lorem ipsum dolor sit amet\n" * 400_000)
    started = time.perf_counter()
    doc = card(text)
    assert time.perf_counter() - started < 20
    assert doc.parse_status is ParseStatus.UNPARSEABLE


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_parse_without_exceptions(card: Card, raw: bytes) -> None:
    doc = card(raw)
    assert isinstance(doc.metadata, dict)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("-:#`~|[]{}&*!\n \tabc0'\"<>=")), max_size=500))
def test_markdown_and_yaml_punctuation_soup_never_raises(card: Card, text: str) -> None:
    doc = card("---\n" + text)
    assert doc.parse_status in set(ParseStatus)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["```\n", "x\n", "~~~\n", "text\n", "    code\n", "\n"]),
                max_size=40).map("".join), st.data())
def test_in_code_answers_like_a_scan_of_the_code_blocks(card: Card, body: str,
                                                        data: st.DataObject) -> None:
    doc = card("# M\n\n" + body)
    offset = data.draw(st.integers(min_value=0, max_value=len(doc.body) + 1))
    assert doc.in_code(offset) == any(a <= offset < b for a, b in doc.code_spans)


def test_a_key_absent_but_for_case_is_named_in_the_evidence(card: Card) -> None:
    """`License: MIT` is no `license` to the Hub; the finding says why and where."""
    doc = card("---\nLicense: MIT\nDatasets: [squad]\n---\n# M\n")
    evidence = doc.field_evidence("license")
    assert evidence.line == 2 and "`License` is not `license`" in evidence.excerpt
    assert doc.field_evidence("datasets").line == 3
    assert doc.field_evidence("base_model").line is None  # no variant: plain absence


@pytest.mark.parametrize(("text", "path", "absent"), [
    ("---\nlicense: mit\n---\n# M\n", "license", False),
    ("---\nlicense: mit\n---\n# M\n", "datasets", True),
    ("# M\n\nNo front matter.\n", "license", True),
    ("---\nLicense: MIT\n---\n# M\n", "license", False),  # quotes the line it found
])
def test_evidence_tells_a_quote_from_where_nothing_was_found(card: Card, text: str, path: str,
                                                             absent: bool) -> None:
    """Reports quote card text; evidence of absence is where something was looked for, and
    the procurement report must not quote it as if the card said it."""
    assert card(text).field_evidence(path).absent is absent


@pytest.mark.parametrize(("key", "path"), [
    ("licence", "license"), ("licenses", "license"), ("dataset", "datasets"),
    ("base-model", "base_model"), ("Base_Models", "base_model"),
])
def test_a_key_spelled_another_way_is_named_in_the_evidence(card: Card, key: str,
                                                            path: str) -> None:
    """`licence: mit` (British), `dataset:` (singular): the Hub reads neither, and 15 cards of
    the 2022 dump wrote one; the finding names the line that meant it."""
    doc = card(f"---\ntags: [x]\n{key}: mit\n---\n# M\n")
    evidence = doc.field_evidence(path)
    assert evidence.line == 3
    assert f"`{key}` is not `{path}`" in evidence.excerpt
