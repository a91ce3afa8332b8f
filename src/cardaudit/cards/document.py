"""CardDocument: one README read once into front matter, body, sections and parse problems.

Everything later (license resolution, disclosure, rules, evidence) reads this value; nothing
re-parses the text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cardaudit.cards.evidence import ABSENT, Evidence, Where, excerpt
from cardaudit.cards.frontmatter import FrontMatter, ParseProblem, decode, split_card
from cardaudit.cards.sections import (
    CompiledVocabulary,
    Section,
    Spans,
    analyse_body,
    count_words,
)
from cardaudit.recent import RecentCache

# Bulk dumps repeat cards; the caches that share them keep only reusable documents, so that a
# run of distinct hostile cards (2,000 headings each, or alias bombs) cannot fill them with
# gigabytes (1,500 such cards peaked at 0.9 and 1.7 GB when every card under 16 KB was kept).
REUSABLE_CHARS = 16 * 1024
REUSABLE_SECTIONS = 256


class ParseStatus(StrEnum):
    OK = "ok"
    PARTIAL = "partial"
    UNPARSEABLE = "unparseable"


@dataclass(frozen=True, slots=True)
class CardDocument:
    """A parsed model card. `text` is the normalised README (LF, no BOM)."""

    text: str
    front_matter: FrontMatter
    body: str
    body_first_line: int
    sections: tuple[Section, ...]
    prose: str
    code_spans: tuple[tuple[int, int], ...]
    problems: tuple[ParseProblem, ...]
    lower: str = ""  # case_fold(body): same offsets as the body
    _newlines: list[int] = field(default_factory=list, compare=False, repr=False)
    _line_starts: list[int] = field(default_factory=list, compare=False, repr=False)
    _prose_words: list[int] = field(default_factory=list, compare=False, repr=False)
    _code_index: list[Spans] = field(default_factory=list, compare=False, repr=False)

    @property
    def metadata(self) -> dict[str, Any]:
        return self.front_matter.data

    @property
    def has_front_matter(self) -> bool:
        """A `---` block that reads as a mapping (an empty one counts)."""
        return self.front_matter.block_found and self.front_matter.is_mapping

    @property
    def parse_status(self) -> ParseStatus:
        fm = self.front_matter
        if any(p.code == "unclosed-front-matter" for p in self.problems):
            return ParseStatus.UNPARSEABLE
        if fm.block_found and not fm.is_mapping and not fm.data:
            return ParseStatus.UNPARSEABLE
        if any(p.code != "yaml-aliases" for p in self.problems):
            return ParseStatus.PARTIAL
        return ParseStatus.OK

    @property
    def reusable(self) -> bool:
        """Whether keeping this document for cards with the same text (and its judgement for
        models with the same card) costs little: a small card, few sections, no aliases in
        its front matter (a few hundred bytes of them can expand into 200,000 values)."""
        return len(self.text) <= REUSABLE_CHARS and len(self.sections) <= REUSABLE_SECTIONS \
            and not self.front_matter.used_aliases

    @property
    def prose_words(self) -> int:
        """Words of real text in the body (code, tables, tags and placeholders excluded)."""
        if not self._prose_words:
            self._prose_words.append(count_words(self.prose))
        return self._prose_words[0]

    def field_line(self, path: str) -> int | None:
        return self.front_matter.lines.get(path)

    def body_line(self, offset: int) -> int:
        """README line (1-based) of a body offset."""
        return self.body_first_line + bisect.bisect_left(self._newline_index(), offset)

    def line_start(self, offset: int) -> int:
        """Body offset where the line holding `offset` starts: body.rfind("\\n", 0, offset) + 1,
        by bisection (a card of one 2 MB line must not cost a scan per question)."""
        index = bisect.bisect_left(self._newline_index(), offset)
        return self._newlines[index - 1] + 1 if index > 0 else 0

    def in_code(self, offset: int) -> bool:
        """Whether a body offset lies in a code block, by bisection over the blocks (sorted,
        apart): a card of 300,000 code blocks must not cost a scan per question."""
        if not self._code_index:
            self._code_index.append(Spans(list(self.code_spans)))
        return offset in self._code_index[0]

    def _newline_index(self) -> list[int]:
        if not self._newlines:
            self._newlines.extend(m.start() for m in re.finditer("\n", self.body))
            self._newlines.append(len(self.body) + 1)
        return self._newlines

    def line_text(self, offset: int) -> str:
        """The body line containing `offset`, stripped."""
        start = self.body.rfind("\n", 0, offset) + 1
        end = self.body.find("\n", offset)
        return self.body[start:end if end >= 0 else len(self.body)].strip()

    def readme_line(self, line: int) -> str:
        """Text of a 1-based README line ('' when out of range)."""
        if not self._line_starts:
            self._line_starts.append(0)
            self._line_starts.extend(m.end() for m in re.finditer("\n", self.text))
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:end if end >= 0 else len(self.text)]

    def field_evidence(self, path: str) -> Evidence:
        """Evidence for a front-matter key: its path, README line and that line's text."""
        line = self.front_matter.lines.get(path)
        if line is None:
            return self.absent_evidence(path)
        return Evidence(Where.METADATA, path, line, excerpt(self.readme_line(line)))

    def absent_evidence(self, path: str) -> Evidence:
        fm = self.front_matter
        if fm.block_found:
            variant = self._variant_key(path)
            if variant is not None:  # `License: MIT`, `licence: mit`: the Hub reads keys as
                line = fm.lines[variant]  # written
                why = "keys are case-sensitive" if variant.casefold() == path.casefold() \
                    else "the Hub reads keys as written"
                return Evidence(Where.METADATA, path, line,
                                excerpt(f"{ABSENT}: `{variant}` is not `{path}` ({why}): "
                                        f"{self.readme_line(line).strip()}"))
            where = f"{ABSENT} from front matter (lines {fm.first_line}–{fm.last_line})"
        else:
            where = f"{ABSENT}: the card has no front matter"
        return Evidence(Where.METADATA, path, None, where)

    def _variant_key(self, path: str) -> str | None:
        """A top-level key that meant `path` but is spelled otherwise: by case (`License`),
        British or plural (`licence`, `licenses`), singular (`dataset`), dash (`base-model`)."""
        if "." in path or "[" in path:
            return None
        return next((key for key in self.metadata if isinstance(key, str) and key != path
                     and _key_meaning(key) == path and key in self.front_matter.lines), None)

    def body_evidence(self, offset: int) -> Evidence:
        """Evidence for a body position: its README line, quoted."""
        return Evidence(Where.BODY, None, self.body_line(offset), excerpt(self.line_text(offset)))

    def sections_named(self, canonical: str) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.named(canonical))


_KEY_SPELLINGS = {"licence": "license", "licenses": "license", "licences": "license",
                  "dataset": "datasets", "base_models": "base_model", "basemodel": "base_model"}


def _key_meaning(key: str) -> str:
    """The Hub key a front-matter key was meant as (`Base-Model` → `base_model`)."""
    folded = key.casefold().replace("-", "_").replace(" ", "_")
    return _KEY_SPELLINGS.get(folded, folded)


def parse_card(raw: bytes | str, vocab: CompiledVocabulary) -> CardDocument:
    """Read a README (bytes or text). Never raises: every problem is in `.problems`."""
    decode_problems: tuple[ParseProblem, ...] = ()
    if isinstance(raw, bytes):
        text, decode_problems = decode(raw)
    else:
        text = raw
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
        decode_problems += (ParseProblem("nul-bytes", "card contains NUL bytes; replaced", None),)
    split = split_card(text)
    layout = analyse_body(split.body, split.body_first_line, vocab)
    return CardDocument(
        text=split.text,
        front_matter=split.front_matter,
        body=split.body,
        body_first_line=split.body_first_line,
        sections=layout.sections,
        prose=layout.prose,
        code_spans=layout.code_spans,
        problems=decode_problems + split.problems,
        lower=layout.lower,
    )


class CardReader:
    """Parses cards, reusing the result for texts seen recently.

    Bulk dumps repeat many cards verbatim (templates, error stubs); a CardDocument is immutable,
    so identical text can share one. Only reusable documents are kept, and at most
    CACHE_ENTRIES of them."""

    CACHE_ENTRIES = 256  # repeated cards are templates: recent ones are what repeats

    def __init__(self, vocab: CompiledVocabulary) -> None:
        self.vocab = vocab
        self._cache: RecentCache[bytes | str, CardDocument] = RecentCache(self.CACHE_ENTRIES)
        self.hits = 0

    def read(self, raw: bytes | str) -> CardDocument:
        if len(raw) > REUSABLE_CHARS:
            return parse_card(raw, self.vocab)
        doc = self._cache.get(raw)
        if doc is not None:
            self.hits += 1
            return doc
        doc = parse_card(raw, self.vocab)
        if doc.reusable:
            self._cache.put(raw, doc)
        return doc
