"""Fast regex search over card text: skip a regex when a literal it needs is absent.

Python's `re` costs tens of nanoseconds per character for alternations and case-insensitive
patterns, while `str.__contains__` costs well under one. Most card-text patterns need some
literal (`train`, `licen`, `more information needed`); when none of a pattern's required literals
occurs in the lowercased text, the pattern cannot match and the regex is not run. This keeps bulk
audits (tens of thousands of cards) fast without hand-written prefilters.

The literal analysis uses the standard library's regex parser; if it cannot analyse a pattern,
the pattern simply always runs.

A case-insensitive pattern runs faster without re.IGNORECASE on case-folded text (`case_fold`:
lowercase, one character for one, with the four non-ASCII letters IGNORECASE takes for ASCII
ones, such as 'ſ' for 's', made those letters): `re` can then skip ahead to candidate letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

try:  # Python 3.11+: the parser moved to re._parser
    import re._constants as _sre_constants
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _sre_constants  # type: ignore[no-redef, unused-ignore]
    import sre_parse as _sre_parse  # type: ignore[no-redef, unused-ignore]

MIN_LITERAL = 2
# The non-ASCII characters re.IGNORECASE matches to an ASCII letter (all of Unicode measured;
# tests/test_textsearch.py measures again)
IGNORECASE_ASCII_TWINS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_TO_ASCII_TWIN = str.maketrans(IGNORECASE_ASCII_TWINS)


def case_fold(text: str) -> str:
    """`text` lowercased character for character (offsets stay; 'İ' becomes 'i', not 'i̇'),
    with the non-ASCII twins of ASCII letters made those letters: a regex whose cased letters
    are ASCII finds in case_fold(text), without IGNORECASE, what it finds in `text` with it."""
    if text.isascii() or not any(twin in text for twin in IGNORECASE_ASCII_TWINS):
        return text.lower()
    return text.translate(_TO_ASCII_TWIN).lower()


def cased_ascii_only(pattern: str) -> bool:
    """Whether every letter of `pattern` that has a case is ASCII (so `case_fold` suits it:
    Greek sigma's two lowercase forms, for one, are one letter to IGNORECASE)."""
    return all(ch.isascii() or ch.lower() == ch.upper() for ch in pattern)


_REPEATS = tuple(op for op in (getattr(_sre_constants, name, None) for name in
                               ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")) if op is not None)
_ATOMIC = getattr(_sre_constants, "ATOMIC_GROUP", None)


def required_literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Lowercased literals such that every match contains at least one; None if unknown.

    Top-level alternatives are analysed one by one (the regex parser would otherwise factor
    out their common prefix, leaving a one-letter literal)."""
    alternatives = _top_level_alternatives(pattern)
    if len(alternatives) > 1:
        parts = [required_literals(a, flags) for a in alternatives]
        if any(p is None for p in parts):
            return None
        return frozenset().union(*parts)  # type: ignore[arg-type]
    try:
        parsed = _sre_parse.parse(pattern, flags)
    except Exception:
        return None
    found = _required(list(parsed))
    if found is None or min(len(x) for x in found) < MIN_LITERAL:
        return None
    return found


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, depth after it) for each `(`, `)` and `|` of a regex from `start`,
    skipping escapes and character classes."""
    depth = 0
    in_class = False
    index = start
    while index < len(pattern):
        ch = pattern[index]
        if ch == "\\":
            index += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[index + 1:index + 2] == "]":
                index += 1
        elif ch in "()|":
            depth += 1 if ch == "(" else -1 if ch == ")" else 0
            yield index, ch, depth
        index += 1


def _top_level_alternatives(pattern: str) -> list[str]:
    """Split a regex at `|` outside groups and character classes."""
    parts: list[str] = []
    start = 0
    for index, ch, depth in _structure(pattern):
        if ch == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    return parts


def _required(seq: list[Any]) -> frozenset[str] | None:
    best: tuple[int, frozenset[str]] | None = None
    run: list[str] = []

    def consider(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if not candidate:
            return
        score = min(len(x) for x in candidate)
        if best is None or score > best[0]:
            best = (score, candidate)

    def flush() -> None:
        if run:
            consider(frozenset(["".join(run).lower()]))
            run.clear()

    c = _sre_constants
    for op, av in seq:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        flush()
        if op is c.SUBPATTERN:
            consider(_required(list(av[-1])))
        elif op is c.BRANCH:
            alternatives = [_required(list(a)) for a in av[1]]
            if all(alternatives):
                consider(frozenset().union(*alternatives))  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            consider(_required(list(av[2])))
        elif _ATOMIC is not None and op is _ATOMIC:
            consider(_required(list(av)))
    flush()
    return best[1] if best else None


class FastPattern:
    """A compiled regex plus the literals it needs."""

    __slots__ = ("folds", "literals", "lowered", "regex")

    def __init__(self, regex: re.Pattern[str], literals_of: str | None = None) -> None:
        """`literals_of`: the pattern to take the literals from when `regex` is a rewrite.
        A case-insensitive pattern written in lowercase also gets the CaseFreePattern form,
        used on the case-folded text."""
        self.regex = regex
        self.literals = required_literals(literals_of or regex.pattern, regex.flags)
        self.lowered: re.Pattern[str] | None = None
        if regex.flags & re.IGNORECASE and not regex.pattern.startswith("(?"):
            try:
                self.lowered = lowered_form(regex.pattern, regex.flags)
            except re.error:  # a rewrite the regex parser does not take: keep the original
                self.lowered = None
        # whether the lowered form also serves non-ASCII text (case-folded)
        self.folds = cased_ascii_only(regex.pattern)

    @classmethod
    def compile(cls, pattern: str, flags: int = 0) -> FastPattern:
        return cls(re.compile(pattern, flags))

    @classmethod
    def case_free(cls, pattern: str, flags: int = 0) -> FastPattern:
        """Like `compile`; a pattern written in lowercase after a leading `(?i)` also gets the
        CaseFreePattern treatment in `search` (lowercased ASCII text, no IGNORECASE)."""
        fast = cls.compile(pattern, flags)
        if pattern.startswith("(?i)"):
            fast.lowered = lowered_form(pattern[4:], flags)
        return fast

    def possible(self, lower: str) -> bool:
        """False when the regex certainly cannot match text whose case-folded form is `lower`."""
        literals = self.literals
        if literals is None:
            return True
        return any(literal in lower for literal in literals)

    def search(self, text: str, lower: str, pos: int = 0,
               endpos: int | None = None) -> re.Match[str] | None:
        """Search `text` (`lower` is case_fold(text))."""
        if not self.possible(lower):
            return None
        if self.lowered is not None and (self.folds or text.isascii()):
            return self.lowered.search(lower, pos, len(text) if endpos is None else endpos)
        return self.regex.search(text, pos, len(text) if endpos is None else endpos)

    def finditer(self, text: str, lower: str) -> Iterator[re.Match[str]]:
        """Matches in `text` (`lower` is case_fold(text)). The lowered form finds them where
        it can (no IGNORECASE: `re` can skip ahead), and each is matched again on `text` at the
        same place, so groups keep the card's own letters."""
        if not self.possible(lower):
            return iter(())
        if self.lowered is not None and (self.folds or text.isascii()):
            return self._lowered_matches(text, lower)
        return self.regex.finditer(text)

    def _lowered_matches(self, text: str, lower: str) -> Iterator[re.Match[str]]:
        match_at = self.regex.match
        for found in self.lowered.finditer(lower):  # type: ignore[union-attr]
            match = match_at(text, found.start())
            yield found if match is None else match

    @property
    def pattern(self) -> str:
        return self.regex.pattern

    @property
    def flags(self) -> int:
        return self.regex.flags


_LEADING_BOUNDARY_RE = re.compile(r"\\b([A-Za-z0-9])(?![*+?{])")


def literal_led(alternative: str) -> str:
    r"""`\bword…` rewritten as `w(?<=\bw)ord…`: the same matches, but an alternation whose
    branches all start with a character lets `re` jump between candidate first characters,
    where a branch starting with an assertion is tried at every position (7x on placeholders)."""
    match = _LEADING_BOUNDARY_RE.match(alternative)
    if match is None:
        return alternative
    first = match.group(1)
    return f"{first}(?<=\\b{first}){alternative[match.end():]}"


_LEADING_CHAR_RE = re.compile(r"[A-Za-z0-9](?![*+?{])")


def word_bounded(pattern: str) -> str:
    r"""`pattern` as a whole word: `(?<![\w-])(?:pattern)(?![\w-])`, but with the boundary
    check moved behind each branch's first character where every branch starts with one
    (`ty ?di` → `t(?<![\w-]t)y ?di`), so `re` can jump to candidate first characters."""
    alternatives = _top_level_alternatives(pattern)
    if all(_LEADING_CHAR_RE.match(a) for a in alternatives):
        led = "|".join(f"{a[0]}(?<![\\w-]{a[0]}){a[1:]}" for a in alternatives)
        return f"(?:{led})(?![\\w-])"
    return f"(?<![\\w-])(?:{pattern})(?![\\w-])"


def uppercase_literal(pattern: str) -> str | None:
    """An upper-case letter the pattern matches literally (None if none), for patterns that are
    run on lowercased text."""
    stack: list[Any] = list(_sre_parse.parse(pattern))
    c = _sre_constants
    opcode = type(c.LITERAL)
    while stack:  # breadth first from the left: the first letter of the pattern is named
        item = stack.pop(0)
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], opcode):
            op, av = item
            if op in (c.LITERAL, c.NOT_LITERAL) and chr(av).isupper():
                return chr(av)
            if op is c.RANGE and any(chr(x).isupper() for x in range(av[0], av[1] + 1)):
                return chr(av[0])
            stack.append(av)
        elif isinstance(item, list | tuple | _sre_parse.SubPattern):
            stack.extend(item)
    return None


def trie_pattern(words: list[str]) -> re.Pattern[str]:
    """One regex matching any of `words` (lowercase literals), built as a trie so each position
    costs a few steps instead of one try per word. It starts with a branch on the words' first
    letters, so `re` skips ahead to those; `overlapping` finds the words at every position."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict[str, Any]) -> str:
        alternatives = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(build(trie)) if trie else re.compile("(?!)")


def overlapping(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, str]]:
    """(offset, match) at every position where `pattern` matches, overlaps included ("common"
    inside "commoncrawl"): a search from each hit's next character. A lookahead `(?=(…))`
    finds the same, but at every position, where a plain search jumps to candidate letters."""
    search = pattern.search
    found = search(text)
    while found is not None:
        start = found.start()
        yield start, found.group()
        found = search(text, start + 1)


def literal_positions(lower: str, literals: tuple[str, ...]) -> list[int]:
    """Sorted offsets of every occurrence of any literal (str.find is far faster than re)."""
    found: list[int] = []
    for literal in literals:
        pos = lower.find(literal)
        while pos >= 0:
            found.append(pos)
            pos = lower.find(literal, pos + 1)
    found.sort()
    return found


def line_bounds(text: str, offset: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """Start and end of the line holding `offset` (within [lo, hi))."""
    hi = len(text) if hi is None else hi
    start = text.rfind("\n", lo, offset) + 1 or lo
    end = text.find("\n", offset, hi)
    return max(start, lo), (hi if end < 0 else end)


def word_led(pattern: str) -> str:
    r"""`pattern` with the word boundary before each leading word moved behind its first letter
    (`\b(?:data|corpus)\b` → `(?:d(?<=\bd)ata|c(?<=\bc)orpus)\b`): the same matches, but `re`
    can jump between candidate first letters. Alternatives of other shapes are kept as written."""
    return "|".join(_led_alternative(a) for a in _top_level_alternatives(pattern))


def _led_alternative(alternative: str) -> str:
    if not alternative.startswith("\\b(?:"):
        return literal_led(alternative)
    close = _group_end(alternative, 2)
    if close is None or alternative[close + 1:close + 2] in ("*", "+", "?", "{"):
        return alternative
    branches = _top_level_alternatives(alternative[5:close])
    if not all(_LEADING_CHAR_RE.match(b) for b in branches):
        return alternative
    led = "|".join(literal_led("\\b" + b) for b in branches)
    return f"(?:{led}){alternative[close + 1:]}"


def _group_end(pattern: str, open_at: int) -> int | None:
    """Index of the `)` closing the group opened at `open_at` (None if unbalanced)."""
    return next((index for index, ch, depth in _structure(pattern, open_at)
                 if ch == ")" and depth == 0), None)


def lowered_form(pattern: str, flags: int = 0) -> re.Pattern[str] | None:
    """The regex to run on lowercased ASCII text in place of `pattern` under IGNORECASE: the
    same pattern without the flag and led by letters (`word_led`). None when the pattern names
    an upper-case letter, which lowercased text never holds."""
    if uppercase_literal(pattern) is not None:
        return None
    return re.compile(word_led(pattern), flags & ~re.IGNORECASE)


class CaseFreePattern:
    """A case-insensitive regex that runs on the case-folded text without re.IGNORECASE and
    with its word boundaries behind first letters (`word_led`): 3-5x faster on card prose,
    since `re` cannot skip ahead under IGNORECASE. On case-folded text the matches are the
    same (see `case_fold`); a pattern with non-ASCII cased letters gets the original regex on
    non-ASCII text."""

    __slots__ = ("folds", "parts", "regex")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        if uppercase_literal(pattern) is not None:
            raise ValueError(f"a case-free pattern must be written in lowercase: {pattern!r}")
        self.regex = re.compile(pattern, flags | re.IGNORECASE)
        self.folds = cased_ascii_only(pattern)
        # Each top-level alternative alone, with the literals it needs: one that starts with a
        # digit class and one that starts with letters each let `re` skip ahead, together not;
        # and an alternative whose literals the text lacks is not run at all.
        self.parts = tuple((required_literals(part, flags | re.IGNORECASE),
                            lowered_form(part, flags) or re.compile(part, flags | re.IGNORECASE))
                           for part in _top_level_alternatives(pattern))

    def search(self, text: str, lower: str | None) -> re.Match[str] | None:
        """The leftmost match in `text` (its span; groups are not kept); `lower` is
        case_fold(text), or None to search `text` itself."""
        if lower is None or not (self.folds or text.isascii()):
            return self.regex.search(text)
        first: re.Match[str] | None = None
        for literals, part in self.parts:
            if literals is not None and not any(literal in lower for literal in literals):
                continue
            found = part.search(lower)
            # the whole pattern takes, at a position, its first alternative matching there
            if found is not None and (first is None or found.start() < first.start()):
                first = found
                if first.start() == 0:
                    break
        return first
