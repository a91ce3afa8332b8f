"""Resolve which license applies to a model, from the card and an optional LICENSE file.

Order (issue 2): front-matter `license` → `license_name` / `license_link` (for `other`) → the
LICENSE file's title lines → a clear license statement in the card body. Lists and SPDX
expressions are parsed with license-expression. What nobody can place is `unknown`, never
permissive: unknown terms fail closed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from cardaudit.cards.document import CardDocument
from cardaudit.cards.evidence import NO_EVIDENCE, Evidence, Where, excerpt
from cardaudit.cards.frontmatter import as_yaml_text
from cardaudit.cards.licensebase import (
    Category,
    LicenseBase,
    LicenseTerms,
    Obligation,
    spdx_licensing,
)
from cardaudit.textsearch import FastPattern

_LICENSE_WORD = FastPattern.compile(r"licen[sc]e|agreement|terms of use", re.I)
_LICENSE_HEADING_RE = re.compile(r"licen[sc]e|terms of use", re.I)
_LABELLED_RE = re.compile(
    r"licen[sc]e[sd]?\W{0,6}(?:under[ \t]+)?(?:the[ \t]+)?\W{0,3}([A-Za-z][\w.+\-]{1,40})", re.I)
_LINK_RE = re.compile(r"\]\((\S+?)\)|(https?://\S+)")
_CODE_ONLY_RE = re.compile(r"\b(?:code|codebase|repository|repo|software|scripts?)\b|代码|仓库",
                           re.I)
# "for research purposes only", "non-commercial use only", "commercial use is prohibited": a
# use restriction stated where a license would be, read when no license is named there
_USE_ONLY_RE = re.compile(
    r"\b(?:for|to)\s+(?:non-?commercial\s+)?(?:academic\s+)?research(?:\s+(?:purposes?|use|"
    r"usage))?\s+only\b|\bresearch[- ](?:use|purposes?)[- ]only\b|\bonly\s+(?:be\s+used\s+)?for\s+"
    r"(?:non-?commercial\s+)?(?:academic\s+)?research\b|\bnon-?commercial\s+(?:research\s+)?"
    r"(?:use|purposes?)\s+only\b|\bcommercial\s+use\s+is\s+(?:not\s+(?:allowed|permitted)|"
    r"prohibited|forbidden)\b", re.I)
# a license_name that is only a use restriction: "research-only", "Non-Commercial",
# "academic use only", "Acme Non-Commercial License"
_USE_ONLY_NAME_RE = re.compile(
    r"\bnon[-_ ]?commercial\b|\b(?:research|academic)(?:[-_ ](?:use|purposes?))?[-_ ]only\b", re.I)
_MODEL_RE = re.compile(r"\b(?:weights?|models?|checkpoints?)\b|模型|权重", re.I)
_DATA_SUBJECT_RE = re.compile(r"\b(?:data(?:[ -]?sets?)?|corpus|corpora)\b|数据", re.I)
# "This code repository and the model weights are licensed under …", "Both the code and the
# model weights are released under …": one license for both, the model's too
_JOINT_SUBJECT_RE = re.compile(
    r"\b(?:(?:code|codebase|repository|repo)\b[^.;,\n]{0,40}?\b(?:and|&|as well as)\b"
    r"[^.;,\n]{0,40}?\b(?:weights?|models?|checkpoints?)|(?:weights?|models?|checkpoints?)\b"
    r"[^.;,\n]{0,40}?\b(?:and|&|as well as)\b[^.;,\n]{0,40}?\b(?:code|codebase|repository|repo))"
    r"\b[^.;,\n]{0,20}?\b(?:are|is)\b[^.;,\n]{0,30}?\b(?:licen[sc]ed|released|distributed|"
    r"available|provided|covered|governed)\b", re.I)
# "…derived from [Qwen-2.5](…), which are originally licensed under [Apache 2.0](…)", "news
# from Wikinews, used under [CC-by licence](…)", "tweets … used here under creative commons
# attribution 4.0": the license of what the model came from or was trained on, not its own;
# and "is not licensed under Apache 2.0": a license the model does not have
_NOT_ITS_LICENSE_RE = re.compile(
    r"(?:\boriginally\b[^.;\n]{0,30}?\b(?:licen[sc]ed|released|distributed)|"
    r"\bused(?:\s+[\w-]+){0,2}?|\b(?:not|never|no longer)\s+(?:been\s+|be\s+)?"
    r"(?:licen[sc]ed|released|distributed|available|covered))\s+under(?![a-z])\s*"
    r"(?:the\s+)?(?:\[[^\]\n]{0,120}\]\([^)\s]{0,500}\)|[^,;.\n]{0,120})", re.I)
# the attribution template's further sources: "… is a derivative of [A](…), used under [CC BY
# 4.0](…); of The [DNS challenge](…) noises, [Attribution-ShareAlike 3.0 Unported](…)."
# (to the end of its sentence: the model's own license may follow on the same line)
_FURTHER_SOURCE_RE = re.compile(r";\s*of\b(?:[^;.\n]|\.(?=\S)){0,600}")
# a credit for a third party's work, title–author–license ('"Landscape in Bavaria" by
# shining.darkness, licensed under CC BY 2.0'): an image shown in the card, not the model
_CREDIT_RE = re.compile(r'"[^"\n]{1,200}"\s+by\s+[^,"\n]{1,60}?,?\s+(?:(?:is\s+)?licen[sc]ed\s+'
                        r"under|is\s+marked\s+with)\s+[^\],;\n]{0,120}", re.I)
# "All the models (included) in this repository are under MIT": the repository holds the
# models, which are the subject (the code-only test must not see "repository")
_MODELS_IN_REPO_RE = re.compile(
    r"\b((?:weights?|models?|checkpoints?)\s+)(?:(?:hosted|included|contained|stored|"
    r"provided)\s+)?(?:in|of|from)\s+(?:this|the)\s+"
    r"(?:repo|repository)\b", re.I)
_LABEL_END_RE = re.compile(r"licen[sc]e\W{0,4}:|licen[sc]e\**[ \t]*\|", re.I)
_EXPRESSION_RE = re.compile(r"\s(?:or|and|with)\s|[()]", re.I)
# "the use of the models is subject to the Model License", "[license](MODEL_LICENSE)",
# "weights … under …", "模型的权重…遵循": the weights have a license of their own
_WEIGHTS_LICENSE_RE = re.compile(
    r"model[_ -]?licen[sc]e|licen[sc]e[_-]model|model[_ ]agreement|"
    r"\b(?:use of|weights?)\b[^.\n]{0,60}\b(?:subject to|governed by|under|licen[sc]ed|follow)|"
    r"(?:模型|权重)[^。\n]{0,30}(?:许可|协议|license)", re.I)
# (a point or comma inside a number, "CC BY-NC 4.0", "1,000", splits nothing)
_CLAUSE_SPLIT_RE = re.compile(r"[,.](?!\d)\s*|[;，。；]\s*|\bwhile\b|\bwhereas\b|\bbut\b")
_LOCAL_LINK_RE = re.compile(r"^(?:\./)?[\w.\-]*licen[sc]e[\w.\-]*$|/blob/[^/]+/[\w.\-]*licen[sc]e",
                            re.I)
FILE_HEAD_CHARS = 3_000
MAX_LICENSE_LINES = 200  # lines read for license statements
MAX_TITLED_NAME = 100  # a declared name longer than this is not read as a license title
# characters of each such line read: a statement is a sentence, and every license title is
# looked for in it (one 5 MB line took 7 s)
MAX_STATEMENT_CHARS = 20_000
LICENSE_FILE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md",
                      "LICENSE.rst")


@dataclass(frozen=True, slots=True)
class LicenseFile:
    """A license file found beside the README (or fetched from the repo)."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class LicenseResolution:
    """The license a careful reader concludes applies, and how sure we are."""

    declared: Any
    key: str
    expression: str
    category: Category
    commercial_use: bool | None
    terms: tuple[LicenseTerms, ...]
    source: str
    evidence: Evidence
    ids_valid: bool | None
    problems: tuple[str, ...] = ()
    body_key: str | None = None
    body_agrees: bool | None = None
    body_evidence: Evidence = field(default=NO_EVIDENCE)
    code_only: bool = False  # the card says this license covers the code, not the weights
    code_only_evidence: Evidence = field(default=NO_EVIDENCE)
    file_present: bool = False
    file_key: str | None = None
    file_agrees: bool | None = None
    file_evidence: Evidence = field(default=NO_EVIDENCE)

    @property
    def obligations(self) -> tuple[Obligation, ...]:
        seen: dict[tuple[str, str], Obligation] = {}
        for terms in self.terms:
            for ob in terms.obligations:
                seen.setdefault((ob.kind, ob.text), ob)
        return tuple(seen.values())

    @property
    def resolved(self) -> bool:
        return self.category is not Category.UNKNOWN

    def any_term(self, name: str) -> bool:
        return any(getattr(t, name) for t in self.terms)


@dataclass(frozen=True, slots=True)
class _Found:
    terms: tuple[LicenseTerms, ...]
    operator: str
    source: str
    evidence: Evidence
    problems: tuple[str, ...] = ()
    unknown_names: tuple[str, ...] = ()


def resolve_license(doc: CardDocument | None, license_file: LicenseFile | None,
                    kb: LicenseBase) -> LicenseResolution:
    """Apply the resolution order and combine the parts of a multi-license declaration."""
    metadata = doc.metadata if doc is not None else {}
    declared = metadata.get("license")
    file_found = _from_file(license_file, kb) if license_file is not None else None
    found: _Found | None = None
    ids_valid: bool | None = None
    if declared not in (None, "", []):
        found = _from_declared(declared, doc, kb)
        ids_valid = not found.unknown_names and not found.problems
        if _only_other(found):
            found = _resolve_other(doc, kb, file_found, license_file) or found
    if found is None and file_found is not None:
        found = file_found
    if found is None and doc is not None:
        found = _from_body(doc, kb)
    if found is None:
        evidence = doc.absent_evidence("license") if doc is not None else NO_EVIDENCE
        found = _Found((kb.by_key["unknown"],), "OR", "none", evidence)
    resolution = _combine(declared, found, ids_valid, file_found, kb, license_file is not None)
    if doc is not None and found.source != "body":
        statement = _from_body(doc, kb)
        if statement is not None:
            key = statement.terms[0].key
            agrees = any(t.key == key or t.spdx == statement.terms[0].spdx
                         for t in resolution.terms)
            resolution = replace(resolution, body_key=key, body_agrees=agrees,
                                 body_evidence=statement.evidence)
    if doc is not None and resolution.source != "body":
        weights_line = _code_only(doc, resolution, kb)
        if weights_line is not None:
            # what the weights allow is the other license's to say, not the declared one's
            resolution = replace(resolution, code_only=True, commercial_use=None,
                                 code_only_evidence=doc.body_evidence(weights_line))
    return resolution


def _code_only(doc: CardDocument, resolution: LicenseResolution, kb: LicenseBase
               ) -> int | None:
    """Where the card says the weights have their own license, when it also says the resolved
    license is the code's ("The code is Apache-2.0 … the weights follow the Model License").
    None otherwise."""
    keys = {t.key for t in resolution.terms} | {t.spdx for t in resolution.terms}
    code_stated = False
    weights_at: int | None = None
    for offset in _license_lines(doc):
        line = doc.line_text(offset)[:MAX_STATEMENT_CHARS]
        if not line or doc.in_code(offset):
            continue
        for clause in _CLAUSE_SPLIT_RE.split(_LINK_RE.sub(_link_words, line)):
            if _CODE_ONLY_RE.search(clause) and not _MODEL_RE.search(clause):
                named = kb.by_title(clause)
                code_stated = code_stated or (named is not None and (
                    named.key in keys or named.spdx in keys))
            elif weights_at is None and _WEIGHTS_LICENSE_RE.search(clause):
                named = kb.by_title(clause)
                if named is None or not (named.key in keys or named.spdx in keys):
                    weights_at = offset
    return weights_at if code_stated else None


def _link_words(match: re.Match[str]) -> str:
    """A link's target reduced to its file name ("MODEL_LICENSE"), which can say what it is."""
    url = match.group(1) or match.group(2) or ""
    return " " + url.rstrip("/").rsplit("/", 1)[-1] + " "


def _license_lines(doc: CardDocument) -> list[int]:
    """Offsets of the lines of License sections, then of other lines with a license word: the
    first MAX_LICENSE_LINES (a card of license words repeated must not cost quadratic time)."""
    offsets: list[int] = []
    seen: set[int] = set()
    candidates = itertools.chain(
        (offset for section in doc.sections if _LICENSE_HEADING_RE.search(section.heading)
         for offset in _line_offsets(doc.body, section.start, section.end)),
        (doc.line_start(match.start())
         for match in _LICENSE_WORD.finditer(doc.body, doc.lower)))
    for offset in candidates:
        if offset not in seen:
            seen.add(offset)
            offsets.append(offset)
            if len(offsets) >= MAX_LICENSE_LINES:
                break
    return offsets


def _only_other(found: _Found) -> bool:
    return all(t.key in ("other", "unknown") for t in found.terms) and not found.unknown_names


def _declared_names(declared: Any) -> tuple[list[str], str, list[str]]:
    """Split a declaration into license names and the operator joining them."""
    problems: list[str] = []
    if isinstance(declared, list):
        names = [as_yaml_text(v).strip() for v in declared if v not in (None, "")]
        if any(not isinstance(v, str) for v in declared):
            problems.append("license list holds values that are not text")
        return names, "OR", problems
    if not isinstance(declared, str):
        shown = excerpt(as_yaml_text(declared), 60)
        problems.append(f"license is {_KINDS.get(type(declared), 'a value')} ({shown}), "
                        "not text")
        return [as_yaml_text(declared)], "OR", problems
    text = declared.strip()
    if _EXPRESSION_RE.search(text):
        return _split_expression(text, problems)
    return [text], "OR", problems


_KINDS = {dict: "a mapping", list: "a list", bool: "a boolean", int: "a number",
          float: "a number"}


def _split_expression(text: str, problems: list[str]) -> tuple[list[str], str, list[str]]:
    try:
        parsed = spdx_licensing().parse(text)
    except Exception as exc:  # license-expression raises several unrelated types
        problems.append(f"'{excerpt(text, 60)}' is not a valid license expression "
                        f"({excerpt(str(exc), 80)})")
        return [text], "OR", problems
    if parsed is None:
        return [], "OR", problems
    # An SPDX exception (`GPL-2.0-only WITH Classpath-exception-2.0`) only grants; anything
    # else after WITH ("Apache 2.0 with Commons Clause") is a second set of terms that holds
    # as well, never a choice: it was read as OR, and so as permissive
    names = [str(s.key) for s in spdx_licensing().license_symbols(parsed, unique=True)
             if not getattr(s, "is_exception", False)]
    expression = str(parsed).upper()
    operator = "AND" if " AND " in expression or " WITH " in expression else "OR"
    return names, operator, problems


def _from_declared(declared: Any, doc: CardDocument | None, kb: LicenseBase) -> _Found:
    names, operator, problems = _declared_names(declared)
    terms: list[LicenseTerms] = []
    unknown: list[str] = []
    for name in names:
        found = kb.lookup(name)
        if found is None and len(name) <= MAX_TITLED_NAME:
            # a license written by its name ("GPL v3", "Academic Free License v3.0"): known
            # by its title, and still not an id (CA-LIC-004 says which to use)
            found = kb.by_name(name)
            if found is not None and found.key not in ("other", "unknown"):
                problems.append(f"'{excerpt(name, 60)}' is not a license id; read by its "
                                f"name as {found.key}")
            else:
                found = None
        if found is None:
            unknown.append(name)
            problems.append(f"'{excerpt(name, 60)}' is not a known license id")
        else:
            terms.append(found)
    evidence = doc.field_evidence("license") if doc is not None else NO_EVIDENCE
    if unknown:
        terms.append(kb.by_key["unknown"])
    return _Found(tuple(terms), operator, "metadata", evidence, tuple(problems), tuple(unknown))


def _resolve_other(doc: CardDocument | None, kb: LicenseBase, file_found: _Found | None,
                   license_file: LicenseFile | None) -> _Found | None:
    """`license: other`: name, then link, then the LICENSE file, then the body."""
    if doc is None:
        return file_found
    metadata = doc.metadata
    name = metadata.get("license_name")
    unknown_name: str | None = None
    if isinstance(name, str) and name.strip():
        terms = kb.lookup(name)
        if terms is not None:
            return _Found((terms,), "OR", "license_name", doc.field_evidence("license_name"))
        unknown_name = name.strip()
    link = metadata.get("license_link")
    if isinstance(link, str) and link.strip():
        terms = kb.by_link(link)
        if terms is not None:
            return _Found((terms,), "OR", "license_link", doc.field_evidence("license_link"))
    if file_found is not None:
        return file_found
    body = _from_body(doc, kb)
    if body is not None:
        return body
    if unknown_name is not None and (_USE_ONLY_NAME_RE.search(unknown_name)
                                     or _USE_ONLY_RE.search(unknown_name)):
        return _Found((kb.by_key["noncommercial-statement"],), "OR", "license_name",
                      doc.field_evidence("license_name"))
    if unknown_name is not None:
        return _Found((kb.by_key["unknown"],), "OR", "license_name",
                      doc.field_evidence("license_name"),
                      (f"license_name '{excerpt(unknown_name, 60)}' is not in the license "
                       "knowledge base",), (unknown_name,))
    return None


def _from_file(license_file: LicenseFile, kb: LicenseBase) -> _Found | None:
    head = license_file.text[:FILE_HEAD_CHARS]
    lines = head.splitlines()
    window = " ".join(" ".join(lines[:40]).split())
    terms = kb.by_title(window)
    if terms is None:
        return None
    first = next((i for i, ln in enumerate(lines) if ln.strip()), 0)
    evidence = Evidence(Where.LICENSE_FILE, license_file.name, first + 1,
                        excerpt(lines[first] if lines else ""))
    return _Found((terms,), "OR", "license_file", evidence)


def _from_body(doc: CardDocument, kb: LicenseBase) -> _Found | None:
    """A clear license statement: first in a License section, then any line naming one; where
    no line names a license, a line there that limits use to research or non-commercial use."""
    restricted: int | None = None
    for offset in _license_lines(doc):
        line = doc.line_text(offset)[:MAX_STATEMENT_CHARS]
        if not line or doc.in_code(offset):
            continue
        terms = _statement_terms(line, kb)
        if terms is not None:
            return _Found((terms,), "OR", "body", doc.body_evidence(offset))
        if restricted is None and _USE_ONLY_RE.search(line) and _about_the_model(doc, offset,
                                                                                  line):
            restricted = offset
    if restricted is not None:
        return _Found((kb.by_key["noncommercial-statement"],), "OR", "body",
                      doc.body_evidence(restricted))
    return None


def _about_the_model(doc: CardDocument, offset: int, line: str) -> bool:
    """Whether a use restriction can be the model's: not when the line speaks of data alone,
    nor outside a License section when it stands in a training-data section ("MS MARCO is
    licensed for non-commercial research only": the dataset's terms)."""
    if _MODEL_RE.search(line):
        return True
    if _DATA_SUBJECT_RE.search(line):
        return False
    around = [s for s in doc.sections if s.start <= offset < s.end]
    return not around or bool(_LICENSE_HEADING_RE.search(around[-1].heading)) \
        or not around[-1].named("training")


def _statement_terms(line: str, kb: LicenseBase) -> LicenseTerms | None:
    """The license a line states for the model (not for the code alone, nor the license its
    sources were under)."""
    if " under" in line:
        line = _NOT_ITS_LICENSE_RE.sub(" ", line)
    if "; of" in line:
        line = _FURTHER_SOURCE_RE.sub(" ", line)
    if '" by ' in line:
        line = _CREDIT_RE.sub(" ", line)
    line = _MODELS_IN_REPO_RE.sub(r"\1", line)
    if _CODE_ONLY_RE.search(line) and not _MODEL_RE.search(line):
        return None
    if _CODE_ONLY_RE.search(line) and _MODEL_RE.search(line) \
            and not _JOINT_SUBJECT_RE.search(line):
        clauses = _CLAUSE_SPLIT_RE.split(line)
        model_clauses = [c for c in clauses if _MODEL_RE.search(c) and not _CODE_ONLY_RE.search(c)]
        if not model_clauses:
            return None
        line = " ".join(model_clauses)
    for match in _LINK_RE.finditer(line):
        url = match.group(1) or match.group(2)
        found = kb.by_link(url)
        if found is not None:
            return found
    text = _LINK_RE.sub(" ", line)
    found = kb.by_title(text)
    if found is not None:
        return found
    labelled = _LABELLED_RE.search(text)
    # "License: MIT", and the table row "| **License** | MIT |" of spaCy pipeline cards
    if labelled and _LABEL_END_RE.search(text):
        candidate = kb.lookup(labelled.group(1).rstrip(".,"))
        # a bare "CC" is the first word of a name not read ("CC BY-NC-SA 3.0"), not a license
        if candidate is not None and candidate.category is not Category.UNKNOWN:
            return candidate
    return None


def _line_offsets(body: str, start: int, end: int) -> Iterator[int]:
    yield start
    pos = body.find("\n", start)
    while 0 <= pos < end - 1:
        yield pos + 1
        pos = body.find("\n", pos + 1)


def _combine(declared: Any, found: _Found, ids_valid: bool | None, file_found: _Found | None,
             kb: LicenseBase, file_present: bool) -> LicenseResolution:
    terms = found.terms
    known = [t for t in terms if t.key not in ("unknown", "other")]
    if found.operator == "AND":
        category = max((t.category for t in terms), key=lambda c: kb.rank[c])
        commercial = _all_true(t.commercial_use for t in terms)
    else:
        category = min((t.category for t in terms), key=lambda c: kb.rank[c])
        commercial = _any_true(t.commercial_use for t in terms)
    names = [t.key for t in known] + list(found.unknown_names)
    joiner = f" {found.operator} "
    key = joiner.join(names) if names else "unknown"
    expression = joiner.join(
        [t.spdx for t in known] + [_license_ref(n) for n in found.unknown_names]) or "NOASSERTION"
    file_key = file_found.terms[0].key if file_found is not None else None
    file_agrees: bool | None = None
    if file_found is not None and known and found.source != "license_file":
        file_agrees = any(t.key == file_key or t.spdx == file_found.terms[0].spdx for t in known)
    return LicenseResolution(
        declared=declared, key=key, expression=expression, category=category,
        commercial_use=commercial, terms=tuple(known) or terms, source=found.source,
        evidence=found.evidence, ids_valid=ids_valid, problems=found.problems,
        file_present=file_present, file_key=file_key, file_agrees=file_agrees,
        file_evidence=file_found.evidence if file_found is not None else NO_EVIDENCE)


def _license_ref(name: str) -> str:
    return "LicenseRef-" + (re.sub(r"[^A-Za-z0-9.\-]+", "-", name).strip("-") or "unknown")


def _any_true(values: Any) -> bool | None:
    values = list(values)
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _all_true(values: Any) -> bool | None:
    values = list(values)
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True
