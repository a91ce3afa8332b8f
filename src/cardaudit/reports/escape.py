"""Escaping card text for each output language. Card text is hostile input: it must never
become markup, a link, a table break, a spreadsheet formula or a terminal control sequence."""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~-])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(text: str) -> str:
    """One line, no control characters (terminal escapes, bidi overrides)."""
    return _CONTROL.sub("", " ".join(str(text).split()))


def lines(text: str) -> str:
    """Text of several lines for a terminal: the lines kept, control characters dropped."""
    return _CONTROL.sub("", str(text).replace("\r\n", "\n"))


def markdown(text: str) -> str:
    """Text that renders literally in GitHub-flavoured Markdown, inside table cells too."""
    text = plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def html_text(text: str) -> str:
    return html.escape(plain(text), quote=True)


def csv_cell(text: str) -> str:
    """A spreadsheet will not evaluate it as a formula."""
    value = plain(text)
    if value.startswith(_FORMULA_START) and not _NUMBER.match(value) and value != "-":
        return "'" + value
    return value
