"""JSON documents whose last member is a long list, written one item at a time: a report of
100,000 models need not exist as one Python structure and one string before it is written."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

INDENT = 2


def dump_with_list(stream: TextIO, head: Mapping[str, Any], key: str,
                   items: Iterable[Any]) -> None:
    """Write exactly what `json.dump({**head, key: list(items)}, stream, indent=2,
    ensure_ascii=False)` writes (`key` must not be in `head`), holding one item at a time."""
    if key in head:
        raise ValueError(f"{key!r} is already in the head")
    if head:
        text = json.dumps(head, indent=INDENT, ensure_ascii=False)
        stream.write(text[:-2] + ",\n")  # drop the closing "\n}"
    else:
        stream.write("{\n")
    stream.write(" " * INDENT + json.dumps(key, ensure_ascii=False) + ": [")
    prefix = " " * (2 * INDENT)
    first = True
    for item in items:
        stream.write("\n" if first else ",\n")
        first = False
        # indent output never holds a raw newline inside a string, so each "\n" starts a line
        stream.write(prefix + json.dumps(item, indent=INDENT, ensure_ascii=False)
                     .replace("\n", "\n" + prefix))
    stream.write("]\n}" if first else "\n" + " " * INDENT + "]\n}")
