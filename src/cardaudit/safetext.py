"""Text that can be written anywhere: JSON may carry lone surrogates ("\\ud800"), which UTF-8
files, SQLite and the terminal refuse; one such character in one dump row or one Hub answer
must not end a whole run. Each becomes U+FFFD."""

from __future__ import annotations

import re
from typing import Any

# terminal controls and bidi overrides: never echoed from card text, ids or target files
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE_ESCAPES = ("\\ud8", "\\ud9", "\\uda", "\\udb", "\\udc", "\\udd", "\\ude", "\\udf")


def valid_text(value: str) -> str:
    """`value` with every lone surrogate replaced by U+FFFD (unchanged in the common case)."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


def plain(text: str) -> str:
    """One line, no control characters (terminal escapes, bidi overrides), and no blank at
    either end or doubled where a control character stood ("\x1b +" is "+": a Markdown list
    marker then, which the escaping sees; " +" hid it)."""
    joined = " ".join(str(text).split())
    cleaned = CONTROL_CHARS.sub("", joined)
    return cleaned if len(cleaned) == len(joined) else " ".join(cleaned.split())


def valid_path_text(value: str) -> str:
    """A file name or path for ids, reports and the store: the bytes of a name that is not
    UTF-8 (which Python keeps as surrogate escapes, "\\udcff") each become U+FFFD. The path
    itself is still opened by its real name."""
    if value.isascii():
        return value
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte
        return valid_text(value)


def valid_data(value: Any) -> Any:
    """`valid_text` through the strings of decoded JSON (keys too)."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, dict):
        return {valid_text(k) if isinstance(k, str) else k: valid_data(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [valid_data(v) for v in value]
    return value


def may_hold_surrogates(json_text: str) -> bool:
    """Whether JSON text has a \\uD800–\\uDFFF escape (a pair for an emoji, or a lone one)."""
    lower = json_text.lower() if "\\u" in json_text else ""
    return any(escape in lower for escape in _SURROGATE_ESCAPES)
