"""Indented JSON, fast and exactly as the standard library writes it, and documents whose last
member is a long list written one item at a time: a report of 100,000 models need not exist as
one Python structure and one string before it is written."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

import orjson

INDENT = 2


def dumps_indented(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, byte for byte. The standard library
    writes indented JSON in pure Python (its C encoder serves compact output only), 15-20x
    slower than orjson, which writes the same text; values with a float (the two spell some
    floats differently: 1e-05 against 0.00001) or that orjson refuses (integers beyond 64 bits,
    lone surrogates, keys that are not text) keep the standard library."""
    if not _has_float(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
        except TypeError:  # orjson.JSONEncodeError is one
            pass
    return json.dumps(value, indent=INDENT, ensure_ascii=False)


def _has_float(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def list_opening(head: Mapping[str, Any], key: str) -> str:
    """The document up to the `[` that opens `key`'s list, which follows `head`'s members."""
    if key in head:
        raise ValueError(f"{key!r} is already in the head")
    text = dumps_indented(head)[:-2] + ",\n" if head else "{\n"  # drops the closing "\n}"
    return text + " " * INDENT + dumps_indented(key) + ": ["


def dump_with_list(stream: TextIO, head: Mapping[str, Any], key: str,
                   items: Iterable[Any]) -> None:
    """Write exactly what `json.dump({**head, key: list(items)}, stream, indent=2,
    ensure_ascii=False)` writes (`key` must not be in `head`), holding one item at a time."""
    stream.write(list_opening(head, key))
    prefix = " " * (2 * INDENT)
    first = True
    for item in items:
        stream.write("\n" if first else ",\n")
        first = False
        # indent output never holds a raw newline inside a string, so each "\n" starts a line
        stream.write(prefix + dumps_indented(item).replace("\n", "\n" + prefix))
    stream.write("]\n}" if first else "\n" + " " * INDENT + "]\n}")
