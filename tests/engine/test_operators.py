"""Operator semantics on values and on text."""

from __future__ import annotations

import pytest

from cardaudit.engine.operators import OPERATORS, TextSubject


def value(op: str, val: object, arg: object) -> bool:
    operator = OPERATORS[op]
    return operator.on_value(val, operator.prepare(arg, {"cats": ("permissive",)}))


def text(op: str, body: str, arg: object, words: int = 0) -> tuple[bool, int | None]:
    operator = OPERATORS[op]
    subject = TextSubject(bool(body.strip()), ((body, 10, body.lower()),), words)
    return operator.on_text(subject, operator.prepare(arg, {}))


@pytest.mark.parametrize(("op", "val", "arg", "expected"), [
    ("present", "mit", True, True), ("present", "  ", True, False), ("present", [], False, True),
    ("present", False, True, True),
    ("equals", "MIT", "mit", True), ("equals", None, "mit", False),
    ("equals", ["a", "other"], "other", True), ("equals", True, True, True),
    ("equals", 1, True, False),
    ("one_of", "Auto", ["auto", "manual"], True), ("one_of", "no", ["auto"], False),
    ("in_list", "permissive", "cats", True),
    ("matches", "https://x.org/l", "^https://", True), ("matches", None, ".", False),
    ("not_matches", None, "x", True), ("not_matches", "xyz", "y", False),
    ("min_words", "one two three", 3, True), ("min_words", None, 0, True),
    ("min_items", ["a", "b"], 2, True), ("min_items", "a", 2, False),
    ("max_items", {"a": 1, "b": 2}, 1, False), ("max_items", None, 0, True),
    ("at_least", 5, 3, True), ("at_least", "5", 3, False), ("at_most", 5, 5, True),
])
def test_value_operators(op: str, val: object, arg: object, expected: bool) -> None:
    assert value(op, val, arg) is expected


def test_text_match_reports_the_body_offset() -> None:
    assert text("matches", "abc\nMore information needed\n", r"(?i)more information") == \
        (True, 14)
    assert text("not_matches", "abc\n[More Information Needed]\n", r"(?i)\[more") == (False, 14)
    assert text("not_matches", "clean", r"(?i)\[more") == (True, None)


def test_text_min_words_uses_prose_count() -> None:
    assert text("min_words", "a b c", 30, words=31) == (True, None)
    assert text("min_words", "", 1) == (False, None)


@pytest.mark.parametrize(("op", "arg"), [("present", "yes"), ("equals", [1]), ("one_of", []),
                                         ("matches", "("), ("min_words", -1),
                                         ("at_least", "x"), ("in_list", "missing")])
def test_bad_arguments_are_rejected(op: str, arg: object) -> None:
    with pytest.raises(ValueError):
        OPERATORS[op].prepare(arg, {})
