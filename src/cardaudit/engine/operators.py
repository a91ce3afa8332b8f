"""Rule operators: one pair of functions each (for values and for text), registered with the
check of its argument.

Adding an operator = its functions here + one OPERATORS entry + a unit test + a line in the
README's operator table. Semantics shared by all: an absent target fails a value test (except
`not_matches`, which has nothing to match, and `present: false` / `max_items`, which hold);
lists pass a value test when any element does; strings compare case-insensitively.

Value targets (`field`, `hub`, `fact`) hand the operator the raw value; text targets
(`section`, `body`) hand it a TextSubject whose chunks carry body offsets, so a match can be
quoted at its README line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cardaudit.cards.sections import count_words
from cardaudit.textsearch import FastPattern

MAX_REGEX_LENGTH = 500


@dataclass(slots=True)
class TextSubject:
    """Body text a leaf looks at: (text, body offset, lowercased text) chunks."""

    present: bool
    chunks: tuple[tuple[str, int, str], ...]
    words: int = 0

    @property
    def text(self) -> str:
        return " ".join(chunk[0] for chunk in self.chunks)


Result = tuple[bool, int | None]


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    prepare: Callable[[Any, Mapping[str, tuple[Any, ...]]], Any]
    on_value: Callable[[Any, Any], bool]
    on_text: Callable[[TextSubject, Any], Result]
    summary: str


def present(value: Any) -> bool:
    """Not None, not empty text, not an empty list or mapping (False and 0 are present)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | dict):
        return bool(value)
    return True


def _elements(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, dict):
        return list(value)
    return [value]


def _same(value: Any, expected: Any) -> bool:
    if isinstance(expected, str):
        return isinstance(value, str) and value.strip().casefold() == expected
    if isinstance(value, bool) or isinstance(expected, bool):
        return value is expected
    if isinstance(value, int | float) and isinstance(expected, int | float):
        return value == expected
    return False


def _count(value: Any) -> int:
    if not present(value):
        return 0
    if isinstance(value, list | tuple | dict):
        return len(value)
    return 1


# ---------------------------------------------------------------- argument checks

def _need_bool(arg: Any, _: Mapping[str, tuple[Any, ...]]) -> bool:
    if not isinstance(arg, bool):
        raise ValueError("expects true or false")
    return arg


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _need_scalar(arg: Any, _: Mapping[str, tuple[Any, ...]]) -> Any:
    if isinstance(arg, list | dict) or arg is None:
        raise ValueError("expects a single value (text, number or true/false)")
    return _fold(arg)


def _need_list(arg: Any, _: Mapping[str, tuple[Any, ...]]) -> tuple[Any, ...]:
    if not isinstance(arg, list) or not arg or any(isinstance(v, list | dict) for v in arg):
        raise ValueError("expects a non-empty list of values")
    return tuple(_fold(v) for v in arg)


def _need_named_list(arg: Any, lists: Mapping[str, tuple[Any, ...]]) -> tuple[Any, ...]:
    if not isinstance(arg, str):
        raise ValueError("expects the name of a list from rules/reference/lists.yaml")
    if arg not in lists:
        known = ", ".join(sorted(lists)) or "none"
        raise ValueError(f"unknown list '{arg}' (known: {known})")
    return tuple(_fold(v) for v in lists[arg])


def _need_regex(arg: Any, _: Mapping[str, tuple[Any, ...]]) -> FastPattern:
    if not isinstance(arg, str) or not arg:
        raise ValueError("expects a regular expression (text)")
    if len(arg) > MAX_REGEX_LENGTH:
        raise ValueError(f"regex is longer than {MAX_REGEX_LENGTH} characters")
    try:
        return FastPattern.case_free(arg, re.M)
    except re.error as exc:
        raise ValueError(f"bad regex {arg!r}: {exc}") from None


def _need_count(arg: Any, _: Mapping[str, tuple[Any, ...]]) -> int:
    if isinstance(arg, bool) or not isinstance(arg, int) or arg < 0:
        raise ValueError("expects a whole number ≥ 0")
    return arg


def _need_number(arg: Any, _: Mapping[str, tuple[Any, ...]]) -> float:
    if isinstance(arg, bool) or not isinstance(arg, int | float):
        raise ValueError("expects a number")
    return float(arg)


# ---------------------------------------------------------------- value tests

def _present_value(value: Any, expected: bool) -> bool:
    return present(value) is expected


def _equals_value(value: Any, expected: Any) -> bool:
    if type(value) is bool:
        return value is expected
    if type(value) is str:
        return isinstance(expected, str) and value.strip().casefold() == expected
    if not present(value):
        return False
    return any(_same(v, expected) for v in _elements(value))


def _one_of_value(value: Any, options: tuple[Any, ...]) -> bool:
    if type(value) is str:
        return value.strip().casefold() in options
    if not present(value):
        return False
    return any(_same(v, o) for v in _elements(value) for o in options)


def _matches_value(value: Any, pattern: FastPattern) -> bool:
    if not present(value):
        return False
    regex = pattern.regex
    return any(regex.search(str(v)) for v in _elements(value) if v is not None)


def _not_matches_value(value: Any, pattern: FastPattern) -> bool:
    if not present(value):
        return True
    regex = pattern.regex
    return not any(regex.search(str(v)) for v in _elements(value) if v is not None)


def _min_words_value(value: Any, minimum: int) -> bool:
    if not present(value):
        return minimum == 0
    return sum(count_words(str(v)) for v in _elements(value) if v is not None) >= minimum


def _min_items_value(value: Any, minimum: int) -> bool:
    return _count(value) >= minimum


def _max_items_value(value: Any, maximum: int) -> bool:
    return _count(value) <= maximum


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _at_least_value(value: Any, minimum: float) -> bool:
    number = _number(value)
    return number is not None and number >= minimum


def _at_most_value(value: Any, maximum: float) -> bool:
    number = _number(value)
    return number is not None and number <= maximum


# ---------------------------------------------------------------- text tests

def _search(subject: TextSubject, pattern: FastPattern) -> int | None:
    for text, base, lower in subject.chunks:
        match = pattern.search(text, lower)
        if match:
            return base + match.start()
    return None


def _present_text(subject: TextSubject, expected: bool) -> Result:
    return subject.present is expected, None


def _matches_text(subject: TextSubject, pattern: FastPattern) -> Result:
    if not subject.present:
        return False, None
    found = _search(subject, pattern)
    return found is not None, found


def _not_matches_text(subject: TextSubject, pattern: FastPattern) -> Result:
    if not subject.present:
        return True, None
    found = _search(subject, pattern)
    return found is None, found


def _min_words_text(subject: TextSubject, minimum: int) -> Result:
    return (subject.words >= minimum if subject.present else minimum == 0), None


def _as_text(test: Callable[[Any, Any], bool]) -> Callable[[TextSubject, Any], Result]:
    """A value test applied to the subject's whole text (equals, one_of, …)."""
    def run(subject: TextSubject, argument: Any) -> Result:
        return test(subject.text if subject.present else None, argument), None
    return run


def _items_text(test: Callable[[int, Any], bool]) -> Callable[[TextSubject, Any], Result]:
    def run(subject: TextSubject, argument: Any) -> Result:
        return test(len(subject.chunks) if subject.present else 0, argument), None
    return run


OPERATORS: dict[str, Operator] = {
    op.name: op for op in (
        Operator("present", _need_bool, _present_value, _present_text,
                 "the target exists and is not empty"),
        Operator("equals", _need_scalar, _equals_value, _as_text(_equals_value),
                 "the value (or any list item) equals this"),
        Operator("one_of", _need_list, _one_of_value, _as_text(_one_of_value),
                 "the value (or any list item) is one of these"),
        Operator("in_list", _need_named_list, _one_of_value, _as_text(_one_of_value),
                 "the value is in a named list of rules/reference/lists.yaml"),
        Operator("matches", _need_regex, _matches_value, _matches_text,
                 "the text matches this regex"),
        Operator("not_matches", _need_regex, _not_matches_value, _not_matches_text,
                 "the text does not match this regex (an absent target passes)"),
        Operator("min_words", _need_count, _min_words_value, _min_words_text,
                 "the text has at least this many words"),
        Operator("min_items", _need_count, _min_items_value,
                 _items_text(lambda n, m: n >= m), "the list has at least this many items"),
        Operator("max_items", _need_count, _max_items_value,
                 _items_text(lambda n, m: n <= m), "the list has at most this many items"),
        Operator("at_least", _need_number, _at_least_value,
                 _as_text(lambda v, m: False), "the number is at least this"),
        Operator("at_most", _need_number, _at_most_value,
                 _as_text(lambda v, m: False), "the number is at most this"),
    )
}
