"""Split a README into YAML front matter and Markdown body, keeping the README line of every key.

Real cards are messy (corpus and library-facts §2): BOMs, CRLF, non-UTF-8 bytes, no or unclosed
front matter, `{}`, lists instead of mappings, YAML errors in one key, huge `model-index` blocks.
Each becomes a ParseProblem; whatever can be read is kept (a YAML error in `widget:` must not
lose `license:`). Nothing here raises.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from cardaudit.cards import yamlsafe
from cardaudit.recent import RecentCache

MAX_CARD_CHARS = 16 * 1024 * 1024
MAX_FRONT_MATTER_CHARS = 2 * 1024 * 1024

_OPEN_RE = re.compile(r"\A(?:[ \t]*\n)*(?P<dash>---)[ \t]*(?:\n|\Z)")
_CLOSE_RE = re.compile(r"^---[ \t]*$", re.M)
_TOP_KEY_RE = re.compile(r"^(?![\s#\-])[^\n:]+:(?:[ \t]|$)", re.M)


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """A way the card could not be read as written; `line` is the 1-based README line."""

    code: str
    message: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The front-matter mapping and where each key sits in the README."""

    block_found: bool
    is_mapping: bool
    data: dict[str, Any]
    lines: dict[str, int]
    first_line: int
    last_line: int
    problems: tuple[ParseProblem, ...] = ()
    used_aliases: bool = False


@dataclass(frozen=True, slots=True)
class SplitCard:
    """A decoded, normalised README cut into its two parts."""

    text: str
    front_matter: FrontMatter
    body: str
    body_first_line: int
    problems: tuple[ParseProblem, ...] = field(default=())


NO_FRONT_MATTER = FrontMatter(False, False, {}, {}, 0, 0)


def decode(raw: bytes) -> tuple[str, tuple[ParseProblem, ...]]:
    """Decode README bytes as UTF-8 (BOM allowed); bad bytes are replaced and reported."""
    try:
        return raw.decode("utf-8-sig"), ()
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problem = ParseProblem(
            "not-utf8",
            f"card is not valid UTF-8 (byte 0x{raw[exc.start]:02X} at line {line}); "
            "read with replacement characters",
            line,
        )
        return raw.decode("utf-8-sig", errors="replace"), (problem,)


def normalise(text: str) -> str:
    """Drop a BOM and make every line end in LF, so line numbers match what editors show."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_card(text: str) -> SplitCard:
    """Find and parse the front matter; the rest is the body."""
    problems: list[ParseProblem] = []
    if len(text) > MAX_CARD_CHARS:
        problems.append(ParseProblem(
            "too-large", f"card is {len(text):,} characters; only the first "
            f"{MAX_CARD_CHARS:,} were read", None))
        text = text[:MAX_CARD_CHARS]
    text = normalise(text)
    opening = _OPEN_RE.match(text)
    if opening is None:
        return SplitCard(text, NO_FRONT_MATTER, text, 1, tuple(problems))
    open_line = _line_of(text, opening.start("dash"))
    yaml_start = opening.end()
    closing = _CLOSE_RE.search(text, yaml_start)
    if closing is None or closing.start() > yaml_start + MAX_FRONT_MATTER_CHARS:
        if closing is None:
            problems.append(ParseProblem(
                "unclosed-front-matter",
                f"front matter opened at line {open_line} is never closed with '---'",
                open_line))
            return SplitCard(text, NO_FRONT_MATTER, text, 1, tuple(problems))
        problems.append(ParseProblem(
            "too-large", f"front matter is larger than {MAX_FRONT_MATTER_CHARS:,} characters; "
            "metadata not read", open_line))
        fm = FrontMatter(True, False, {}, {}, open_line, _line_of(text, closing.start()),
                         tuple(problems))
        body_first = fm.last_line + 1
        return SplitCard(text, fm, text[_after_line(text, closing.end()):], body_first,
                         tuple(problems))
    yaml_text = text[yaml_start:closing.start()]
    close_line = _line_of(text, closing.start())
    fm = _SHARED_FRONT_MATTER.read(yaml_text, open_line, close_line)
    body = text[_after_line(text, closing.end()):]
    return SplitCard(text, fm, body, close_line + 1, tuple(problems) + fm.problems)


class _SharedFrontMatter:
    """Distinct cards often share their front matter verbatim (a third of those in the 2022
    dump: templates, generated cards); FrontMatter is never changed once read, so they share
    one. Kept: the last ENTRIES front matters under MAX_CHARS (on the 2022 dump 256 of 4 KB
    find 4,025 repeats, 1,024 of 16 KB 4,203), except those that use aliases, which a few
    hundred bytes can expand into 200,000 values (alias bombs)."""

    ENTRIES = 256
    MAX_CHARS = 4 * 1024

    def __init__(self) -> None:
        self._kept: RecentCache[tuple[str, int], FrontMatter] = RecentCache(self.ENTRIES)

    def read(self, yaml_text: str, open_line: int, close_line: int) -> FrontMatter:
        if len(yaml_text) > self.MAX_CHARS:
            return _parse_yaml(yaml_text, open_line + 1, open_line, close_line)
        key = (yaml_text, open_line)
        kept = self._kept.get(key)
        if kept is not None:
            return kept
        fm = _parse_yaml(yaml_text, open_line + 1, open_line, close_line)
        if not fm.used_aliases:
            self._kept.put(key, fm)
        return fm


_SHARED_FRONT_MATTER = _SharedFrontMatter()


def _parse_yaml(yaml_text: str, first_yaml_line: int, open_line: int, close_line: int
                ) -> FrontMatter:
    offset = first_yaml_line
    loaded = yamlsafe.load(yaml_text)
    problems = [_problem("yaml", p, offset) for p in loaded.problems]
    if loaded.used_aliases:
        problems.append(ParseProblem("yaml-aliases", "front matter uses YAML aliases", None))
    value = loaded.value
    lines = {path: line + offset for path, line in loaded.lines.items()}
    if value is None and loaded.problems and _TOP_KEY_RE.search(yaml_text):
        value, lines, salvaged = _salvage(yaml_text, offset)
        if value:
            problems.append(ParseProblem(
                "yaml-partial", f"front matter has a YAML error; {len(value)} key(s) were "
                f"recovered ({', '.join(sorted(value)[:5])})",
                problems[0].line if problems else None))
        problems.extend(salvaged)
    if value is None:
        return FrontMatter(True, not loaded.problems, {}, {}, open_line, close_line,
                           tuple(problems), loaded.used_aliases)
    if not isinstance(value, dict):
        kind = "a list" if isinstance(value, list) else f"a single {type(value).__name__} value"
        problems.append(ParseProblem(
            "not-a-mapping", f"front matter is {kind}, not a mapping of keys; ignored", open_line))
        return FrontMatter(True, False, {}, {}, open_line, close_line, tuple(problems))
    return FrontMatter(True, True, value, lines, open_line, close_line, tuple(problems),
                       loaded.used_aliases)


def _salvage(yaml_text: str, offset: int) -> tuple[dict[str, Any], dict[str, int],
                                                    list[ParseProblem]]:
    """Read each top-level key on its own so one broken key does not hide the others."""
    starts = [m.start() for m in _TOP_KEY_RE.finditer(yaml_text)]
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    problems: list[ParseProblem] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(yaml_text)
        chunk_line = offset + yaml_text.count("\n", 0, start)
        part = yamlsafe.load(yaml_text[start:end])
        if isinstance(part.value, dict):
            data.update(part.value)
            lines.update({p: ln + chunk_line for p, ln in part.lines.items()})
        elif part.problems:
            key = yaml_text[start:end].split(":", 1)[0].strip()
            problems.append(ParseProblem(
                "yaml-error", f"key '{key[:60]}' could not be read: "
                f"{part.problems[0].message.removeprefix('YAML error: ')}", chunk_line))
    return data, lines, problems


def _problem(kind: str, problem: yamlsafe.YamlProblem, offset: int) -> ParseProblem:
    code = "yaml-error" if problem.message.startswith("YAML error") else "yaml-" + kind
    line = problem.line + offset if problem.line is not None else None
    where = f" (line {line})" if line is not None else ""
    return ParseProblem(code, problem.message + where, line)


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _after_line(text: str, index: int) -> int:
    """Offset just after the newline that ends the line containing `index`."""
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def as_yaml_text(value: Any) -> str:
    """A front-matter value as the card's reader sees it (`{"name": "mit"}`, `true`, `2`), not
    as Python prints it (`{'name': 'mit'}`, `True`)."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except ValueError:  # a structure that holds itself (YAML aliases)
        return str(value)
