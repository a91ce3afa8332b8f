"""Cut a card body into headed sections and map them to canonical sections (reference §4.5).

Runs on every card of a bulk audit, so it scans with one regex over "marker" lines (headings,
code fences) instead of looping over every line, and caches heading → canonical name.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from cardaudit.textsearch import FastPattern, case_fold, literal_led

_MARKER_LINE_RE = re.compile(r"\n {0,3}[#`~<=|\-]")
_MARKER_FIRST_RE = re.compile(r" {0,3}[#`~<=|\-]")
_HTML_HEADING_RE = re.compile(r"<h([1-6])\b[^>\n]*>(.*?)</h\1>", re.I)
_MARKUP_RE = re.compile(r"<!--.*?(?:-->|\Z)|<[^>\n]{1,400}>|\]\([^)\n]{0,500}\)", re.S)
_WORD_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W\d_][\w'’-]*")
_HEADING_NOISE_RE = re.compile(r"[*_`~]|\[|\]\([^)]*\)|\]|<[^>]*>|^[\W\d_]+|[\s:.\-–—]+$")
_NOT_PARAGRAPH_RE = re.compile(r"^\s*(?:$|[-*+>|#]|\d+[.)]\s)")
# A heading that names tuning but no data ("Fine-tuning", "Fine-tuning on NLU tasks") is not a
# training section when its text guides the reader ("refer to this notebook", "we recommend
# fine-tuning on your use cases") or reports fine-tuned results (an evaluation section then),
# and never says how this model was trained ("was fine-tuned on", "we used", epochs, learning
# rate, "the training script").
# a heading about data ("Training Data", "Fine-tuning corpus"); disclosure reads it too
DATA_HEADING_RE = re.compile(r"\b(?:data|dataset|datasets|corpus|corpora)\b", re.I)
_GUIDE_RE = re.compile(
    r"\b(?:you|your|refer to|see|check (?:out )?(?:this|the|our)|notebooks?|colab|blog|guide|"
    r"tutorials?|how to|examples?|instructions|follow|can be fine-?tuned|recommend\w*|"
    r"results)\b", re.I)
_RESULTS_RE = re.compile(r"\bresults?\b", re.I)
_HOW_TRAINED_RE = re.compile(
    r"\b(?:is|are|was|were|has been|have been)\b[^.\n]{0,60}\b(?:fine-?tuned|finetuned|"
    r"trained)\b|"
    r"\bwe (?:fine-?tuned?|finetuned?|trained?|pre-?trained?|used|use|utili[sz]ed?)\b|"
    r"\b(?:epochs?|learning[ _]rate|batch[ _]size|hyper-?parameters?|optimizer|setup|"
    r"set-up|parameters|details|procedure|strategy|recipe|stage|training script)\b", re.I)

MAX_HEADINGS = 2_000
BOLD_LABEL_LEVEL = 7  # below every Markdown heading: a bold label never holds a heading
_BOLD_LABEL_RE = re.compile(
    r"^[ \t]{0,3}\*\*([^*\n:：]{2,60}?)[ \t]*(?:[:：][ \t]*\*\*|\*\*[ \t]*[:：])", re.M)
MAX_SECTION_NAME_WORDS = 8  # not counting words in brackets
_ASIDE_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
TITLE_OTHER_WORDS = 3  # words beside its section keyword that make a card's first heading a title
MAX_CACHED_HEADINGS = 50_000  # heading → section memo across the cards of a run
MAX_CACHED_HEADING = 200  # longer headings are judged each time, never kept


@dataclass(frozen=True, slots=True)
class Section:
    """One headed part of the body; offsets index the body, content runs to the next heading
    of the same or a higher level, so a parent section includes its subsections."""

    heading: str
    level: int
    line: int
    canonical: str | None
    start: int
    end: int
    prose_words: int
    has_structure: bool
    # other sections a joined heading names and its own text covers: "Intended uses &
    # limitations" over "… you should look at models like GPT2" is limitations too
    also: tuple[str, ...] = ()

    def named(self, canonical: str) -> bool:
        return self.canonical == canonical or canonical in self.also

    @property
    def filled(self) -> bool:
        """Real content: a few words of non-placeholder prose, or a table or code block."""
        return self.prose_words >= 3 or self.has_structure


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Heading keyword families and placeholder patterns, loaded from rules/reference data."""

    families: Mapping[str, tuple[str, ...]]
    placeholders: tuple[str, ...]
    joined_cues: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def compile(self) -> CompiledVocabulary:
        return CompiledVocabulary(self)


_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


class CompiledVocabulary:
    """The vocabulary as regexes, built once per run."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.family_of: dict[str, str] = {}
        for family, keywords in vocabulary.families.items():
            for keyword in keywords:
                self.family_of.setdefault(keyword.lower(), family)
        alternatives = sorted(self.family_of, key=len, reverse=True)
        spaced = [k for k in alternatives if not _CJK_RE.search(k)]
        # Chinese and Japanese write words without spaces: "评测结果" holds "评测"
        unspaced = [k for k in alternatives if _CJK_RE.search(k)]
        self._keyword_re = re.compile(
            r"(?<![\w-])(?:" + "|".join(re.escape(k) for k in spaced) + r")(?![\w-])"
            + "".join(f"|{re.escape(k)}" for k in unspaced))
        plain = "|".join(f"(?:{p})" for p in vocabulary.placeholders) or "(?!)"
        fast = "|".join(f"(?:{literal_led(p)})" for p in vocabulary.placeholders) or "(?!)"
        self.placeholders = FastPattern(re.compile(fast, re.I), literals_of=plain)
        # Placeholders are lower case (checked at load): on lowercased text they need no
        # re.IGNORECASE, which would keep `re` from skipping to candidate first characters.
        self.placeholders_lower = re.compile(fast)
        self._cache: dict[str, str | None] = {}
        self._joined_cache: dict[str, tuple[str, ...]] = {}
        self._cues = {family: re.compile("|".join(f"(?:{c})" for c in cues), re.I)
                      for family, cues in vocabulary.joined_cues.items() if cues}
        self.names = tuple(vocabulary.families)

    def canonical(self, heading: str) -> str | None:
        """The canonical section a heading names, or None."""
        cached = self._cache.get(heading, "")
        if cached != "":
            return cached
        # "(without any data augmentation)" qualifies a section name; it does not make a title
        if len(_ASIDE_RE.sub(" ", heading).split()) > MAX_SECTION_NAME_WORDS:
            return None
        best: str | None = None
        best_len = 0
        for match in self._keyword_re.finditer(heading.lower()):
            if len(match.group()) > best_len:
                best_len = len(match.group())
                best = self.family_of[match.group()]
        if len(self._cache) < MAX_CACHED_HEADINGS and len(heading) <= MAX_CACHED_HEADING:
            self._cache[heading] = best
        return best

    def words_beside_keyword(self, heading: str) -> int:
        """Words of a heading outside its longest section keyword (all of them without one)."""
        lower = heading.lower()
        longest = max(self._keyword_re.finditer(lower), key=lambda m: len(m.group()),
                      default=None)
        if longest is None:
            return len(lower.split())
        return len(lower[:longest.start()].split()) + len(lower[longest.end():].split())

    def joined(self, heading: str, canonical: str | None, own_prose: str) -> tuple[str, ...]:
        """The other sections with a joined-heading cue (`joined_cues`) that this heading also
        names and whose cue its own text holds."""
        if not self._cues or canonical is None:
            return ()
        named = self._joined_cache.get(heading)
        if named is None:
            named = tuple(dict.fromkeys(
                family for match in self._keyword_re.finditer(heading.lower())
                if (family := self.family_of[match.group()]) != canonical
                and family in self._cues))
            if len(self._joined_cache) < MAX_CACHED_HEADINGS \
                    and len(heading) <= MAX_CACHED_HEADING:
                self._joined_cache[heading] = named
        return tuple(f for f in named if self._cues[f].search(own_prose))


def clean_heading(raw: str) -> str:
    """Heading text without emphasis, links, tags, numbering or trailing colons."""
    return " ".join(_HEADING_NOISE_RE.sub(" ", raw).split())


def spaces(text: str) -> str:
    """`text` with every character but newlines turned into a space."""
    if "\n" not in text:
        return " " * len(text)
    return "\n".join(" " * len(part) for part in text.split("\n"))


def blank(text: str, pattern: re.Pattern[str]) -> str:
    """Replace every match with spaces (newlines kept) so offsets and line numbers survive."""
    return pattern.sub(lambda m: spaces(m.group()), text)


def blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Replace the given spans (sorted by start; overlaps allowed) with spaces, newlines kept."""
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for a, b in spans:
        a = max(a, last)
        if b <= a:
            continue
        parts.append(text[last:a])
        parts.append(spaces(text[a:b]))
        last = b
    parts.append(text[last:])
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class BodyLayout:
    """Headings, code spans and the prose view of one body."""

    sections: tuple[Section, ...]
    prose: str
    code_spans: tuple[tuple[int, int], ...]
    lower: str


def analyse_body(body: str, first_line: int, vocab: CompiledVocabulary) -> BodyLayout:
    """Find headings, code and tables, then measure each section's content."""
    headings, code_spans, table_spans = _scan(body, first_line)
    lower = case_fold(body)
    prose = _prose_view(body, lower, sorted(code_spans + table_spans), vocab)
    if "**" in body:
        headings = _with_bold_labels(headings, body, prose, first_line, vocab)
    # words per segment (heading content up to the next heading of any level), so nested
    # sections are counted once and a parent is the sum of its segments
    segment_words = [
        count_words(prose[h[4]:(headings[i + 1][3] if i + 1 < len(headings) else len(body))])
        for i, h in enumerate(headings)]
    structure_starts = sorted(a for a, _ in code_spans + table_spans)
    sections: list[Section] = []
    for index, (level, text, line, _line_start, content_start) in enumerate(headings):
        end = len(body)
        last = len(headings)
        for later_index in range(index + 1, len(headings)):
            if headings[later_index][0] <= level:
                end = headings[later_index][3]
                last = later_index
                break
        canonical = None if _is_title(index, last, headings, vocab) else vocab.canonical(text)
        own_end = headings[index + 1][3] if index + 1 < len(headings) else len(body)
        mapped = canonical
        if canonical == "training":  # judged on its own text, not its subsections'
            canonical = _tuning_section(text, prose[content_start:own_end])
        also = vocab.joined(text, canonical, prose[content_start:own_end])
        if mapped == "training":  # a how-to-fine-tune section is not training by other words
            also = tuple(f for f in also if f != "training")
        sections.append(Section(
            heading=text, level=level, line=line, canonical=canonical,
            start=content_start, end=end, prose_words=sum(segment_words[index:last]),
            has_structure=_any_between(structure_starts, content_start, end), also=also))
    return BodyLayout(tuple(sections), prose, tuple(code_spans), lower)


def _is_title(index: int, last: int, headings: list[tuple[int, str, int, int, int]],
              vocab: CompiledVocabulary) -> bool:
    """Whether a heading is the card's title, not a section: the first heading, holding every
    later one (none of its level or higher follows), with at least one, and worded like a title
    ("FlauBERT: Unsupervised Language Model Pre-training for French": the section keyword is one
    word among many), not like a section name ("Pretraining", "How to use the model"). A title
    naming data ("GPT-2 fine-tuned on CORD-19 dataset") still says what the text under it is
    about: the training data."""
    if index != 0 or last != len(headings) or len(headings) < 2:
        return False
    heading = headings[0][1]
    return vocab.words_beside_keyword(heading) >= TITLE_OTHER_WORDS \
        and DATA_HEADING_RE.search(heading) is None


def _with_bold_labels(headings: list[tuple[int, str, int, int, int]], body: str, prose: str,
                      first_line: int, vocab: CompiledVocabulary
                      ) -> list[tuple[int, str, int, int, int]]:
    """Headings plus the bold labels that open a paragraph with nothing but a section's name
    ("**Limitations:** the model may …", "**局限性：**"), as the deepest sections: cards write
    short sections so. A label with more words ("**Data Biases**:", "**Synthetic data**:") is
    a point of the section it stands in, not a section; one the prose view blanks (in code or
    an HTML comment) is none."""
    labels: list[tuple[int, str, int, int, int]] = []
    line_no, counted = first_line, 0
    for match in _BOLD_LABEL_RE.finditer(body):
        if len(headings) + len(labels) >= MAX_HEADINGS:
            break
        text = clean_heading(match.group(1))
        if not text or prose[match.start(1)] != body[match.start(1)] \
                or vocab.canonical(text) is None or vocab.words_beside_keyword(text):
            continue
        line_no += body.count("\n", counted, match.start())
        counted = match.start()
        labels.append((BOLD_LABEL_LEVEL, text, line_no, match.start(), match.end()))
    if not labels:
        return headings
    return sorted(headings + labels, key=lambda h: h[3])


def _any_between(sorted_offsets: list[int], start: int, end: int) -> bool:
    """Whether an offset lies in [start, end), by bisection (2,000 headings over 100,000 code
    blocks must not cost 200 million comparisons)."""
    index = bisect.bisect_left(sorted_offsets, start)
    return index < len(sorted_offsets) and sorted_offsets[index] < end


class Spans:
    """Sorted, non-overlapping spans (outermost sections, code blocks, in card order);
    membership by bisection, so a card of thousands of them costs no quadratic time."""

    __slots__ = ("ends", "starts")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.starts = [a for a, _ in spans]
        self.ends = [b for _, b in spans]

    def __contains__(self, offset: int) -> bool:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index >= 0 and offset < self.ends[index]


def outermost(sections: list[Section]) -> list[Section]:
    """Sections not inside another of the list (in card order, so only the last kept one can
    hold the next)."""
    out: list[Section] = []
    for section in sections:
        if not out or section.start >= out[-1].end:
            out.append(section)
    return out


def _tuning_section(heading: str, prose: str) -> str | None:
    """What a heading mapped to training is: still training, unless it names tuning but no
    data and its text guides the reader (None) or reports results (evaluation) without
    saying how this model was trained."""
    if "tun" not in heading.lower() or DATA_HEADING_RE.search(heading):
        return "training"
    text = f"{heading}\n{prose}"
    guide = _GUIDE_RE.search(text)
    if guide is None or _HOW_TRAINED_RE.search(text):
        return "training"
    return "evaluation" if _RESULTS_RE.search(text) else None


def count_words(text: str) -> int:
    """Words of text; CJK characters count one each (measured by regex only for non-ASCII)."""
    if text.isascii():
        return sum(1 for token in text.split() if token[0].isalpha() or token[-1:].isalpha())
    return len(_WORD_RE.findall(text))


def _scan(body: str, first_line: int
          ) -> tuple[list[tuple[int, str, int, int, int]], list[tuple[int, int]],
                     list[tuple[int, int]]]:
    """Headings (ATX, setext, HTML h1–h6) outside fenced code, code blocks and table lines.

    Only lines that can be markers (starting, after up to three spaces, with # ` ~ < = - |)
    are looked at; `_MARKER_LINE_RE` begins with a newline literal, which `re` finds fast."""
    headings: list[tuple[int, str, int, int, int]] = []
    code_spans: list[tuple[int, int]] = []
    table_spans: list[tuple[int, int]] = []
    fence = ""
    fence_start = 0
    size = len(body)
    line_no = first_line
    counted = 0
    previous_marker_end = -1
    comment_end = -1  # end of the HTML comment a line opened
    starts = [0] if _MARKER_FIRST_RE.match(body) else []
    starts.extend(m.start() + 1 for m in _MARKER_LINE_RE.finditer(body))
    for start in starts:
        line_no += body.count("\n", counted, start)
        counted = start
        end = body.find("\n", start)
        end = size if end < 0 else end
        line = body[start:end]
        stripped = line.lstrip(" ")
        marker = stripped[:1]
        follows_marker = previous_marker_end == start - 1
        previous_marker_end = end
        if fence:
            if marker == fence[0] and stripped.rstrip().startswith(fence) \
                    and not stripped.rstrip().strip(fence[0]):
                code_spans.append((fence_start, min(end + 1, size)))
                fence = ""
            continue
        if start < comment_end:
            continue  # inside an HTML comment: "# limitations under the License." is no heading
        if stripped.startswith("<!--"):
            close = body.find("-->", start + (len(line) - len(stripped)) + 4)
            comment_end = size if close < 0 else close + 3
            continue
        if marker in "`~":
            if stripped.startswith(marker * 3):
                run = len(stripped) - len(stripped.lstrip(marker))
                fence, fence_start = marker * run, start
            continue
        if marker == "|":
            if table_spans and table_spans[-1][1] == start - 1:
                table_spans[-1] = (table_spans[-1][0], end)
            else:
                table_spans.append((start, end))
            continue
        if len(headings) >= MAX_HEADINGS:
            continue
        content_start = min(end + 1, size)
        if marker == "#":
            level = len(stripped) - len(stripped.lstrip("#"))
            rest = stripped[level:]
            if level <= 6 and (not rest or rest[0] in " \t"):
                text = clean_heading(rest.strip().rstrip("#"))
                if text:
                    headings.append((level, text, line_no, start, content_start))
        elif marker == "<":
            match = _HTML_HEADING_RE.match(stripped)
            if match:
                text = clean_heading(match.group(2))
                if text:
                    headings.append((int(match.group(1)), text, line_no, start, content_start))
        elif marker in "=-" and start > 0 and not follows_marker \
                and not stripped.rstrip().strip(marker):
            prev_start = body.rfind("\n", 0, start - 1) + 1
            prev = body[prev_start:start - 1]
            if prev.strip() and not _NOT_PARAGRAPH_RE.match(prev):
                text = clean_heading(prev)
                if text:
                    level = 1 if marker == "=" else 2
                    headings.append((level, text, line_no - 1, prev_start, content_start))
    if fence:
        code_spans.append((fence_start, size))
    return headings, code_spans, table_spans


def _prose_view(body: str, lower: str, spans: list[tuple[int, int]],
                vocab: CompiledVocabulary) -> str:
    """The body with code, tables, comments, tags, link targets and placeholders blanked."""
    text = blank_spans(body, spans)
    if "<" in text or "](" in text:
        text = blank(text, _MARKUP_RE)
    if vocab.placeholders.possible(lower):
        if vocab.placeholders.folds or text.isascii():
            text = blank_spans(text, [m.span() for m in
                                      vocab.placeholders_lower.finditer(case_fold(text))])
        else:  # a placeholder with a non-ASCII cased letter: match case-insensitively
            text = blank(text, vocab.placeholders.regex)
    return text


