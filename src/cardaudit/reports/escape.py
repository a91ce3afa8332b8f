"""Escaping card text for each output language. Card text is hostile input: it must never
become markup, a link, a table break, a spreadsheet formula or a terminal control sequence."""

from __future__ import annotations

import html
import re

from cardaudit.safetext import CONTROL_CHARS
from cardaudit.safetext import plain as plain  # one escaping module for the renderers

# Markdown: characters that make markup wherever they stand; '_' only outside words
# ("non_commercial" stays as it is: an underscore between letters opens no emphasis); '#' where
# it can open or close a heading; ':' '.' '@' where an autolink would start ("https://",
# "www.", an e-mail address), and the first '/' of a protocol-relative "//host" (GitHub does not
# link those, but markdown-it's linkify, in VS Code's preview and many viewers, does); and a list
# or heading marker at the start
_MD_ALWAYS = re.compile(r"[\\`*\[\]|~]")
_MD_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_MD_HASH = re.compile(r"(?:^|(?<=\s))#")
_MD_AUTOLINK = re.compile(r":(?=//)|(?i:(?<![\w.])www)\.|@|(?<![:/])/(?=/)")
_MD_LINE_START = re.compile(r"^(?:[-+=]|\d{1,9}(?=[.)]))")
_ESCAPABLE = set("\\`*_[]|~#:.@-+=/")
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def lines(text: str) -> str:
    """Text of several lines for a terminal: the lines kept, control characters dropped."""
    return CONTROL_CHARS.sub("", str(text).replace("\r\n", "\n"))


def markdown(text: str) -> str:
    """Text that renders literally in GitHub-flavoured Markdown (no emphasis, code, link,
    autolink, HTML or block marker), in a table cell, paragraph, list item or heading; the
    characters that cannot make markup where they stand are left alone, so the file reads
    well as text too. tests/reports/test_escape.py renders it with markdown-it to check."""
    text = plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for pattern in (_MD_ALWAYS, _MD_UNDERSCORE, _MD_HASH, _MD_AUTOLINK):
        text = pattern.sub(_backslashed, text)
    return _MD_LINE_START.sub(_escape_marker, text)


def _backslashed(match: re.Match[str]) -> str:
    return "".join("\\" + ch if ch in _ESCAPABLE else ch for ch in match.group())


def _escape_marker(match: re.Match[str]) -> str:
    """'-' → '\\-'; '12' (before '.' or ')') → '12\\' so the next character is escaped."""
    marker = match.group()
    return "\\" + marker if not marker[0].isdigit() else marker + "\\"



def html_text(text: str) -> str:
    return html.escape(plain(text), quote=True)


def csv_cell(text: str) -> str:
    """A spreadsheet will not evaluate it as a formula."""
    value = plain(text)
    if value.startswith(_FORMULA_START) and not _NUMBER.match(value) and value != "-":
        return "'" + value
    return value
