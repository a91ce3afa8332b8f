"""Rule targets: what a leaf looks at (`field`, `section`, `body`, `hub`, `fact`) for one model.

A target resolves to a Subject for the operator, or to None when the fact could not be
obtained (the card could not be read, Hub metadata is missing): that leaf is `unknown`.
Evidence is built by the target, never by the rule author.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cardaudit.cards.evidence import Evidence, Where, excerpt
from cardaudit.cards.facts import FACTS, CardFacts
from cardaudit.cards.frontmatter import as_yaml_text
from cardaudit.cards.record import ModelRecord
from cardaudit.cards.sections import Section, outermost
from cardaudit.engine.operators import TextSubject
from cardaudit.engine.schema import Leaf

_PATH_TOKEN_RE = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class HubNotApplicable(Exception):
    """The source has no Hub at all (a local folder): Hub rules do not apply."""


@dataclass(slots=True)
class Context:
    """Everything targets may read about one model."""

    record: ModelRecord
    facts: CardFacts


def parse_path(path: str) -> tuple[str | int, ...]:
    """`base_model[0]` → ('base_model', 0); `extra_gated_fields.Country` → 2 keys."""
    tokens: list[str | int] = []
    pos = 0
    for match in _PATH_TOKEN_RE.finditer(path):
        if match.start() != pos and path[pos:match.start()] != ".":
            raise ValueError(f"bad field path {path!r}")
        tokens.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        pos = match.end()
    if not tokens or pos != len(path):
        raise ValueError(f"bad field path {path!r}")
    return tuple(tokens)


def _lookup(metadata: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    value: Any = metadata
    for token in path:
        if isinstance(token, int):
            if not isinstance(value, list) or token >= len(value):
                return None
            value = value[token]
        else:
            if not isinstance(value, dict):
                return None
            value = value.get(token)
        if value is None:
            return None
    return value


class _Unknown:
    """Marks a value that could not be obtained (the leaf is `unknown`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN_VALUE: Any = _Unknown()
ValueResolver = Callable[[Context], Any]
TextResolver = Callable[[Context], TextSubject | None]


def is_text_target(leaf: Leaf) -> bool:
    return leaf.target in ("section", "body")


def value_resolver(leaf: Leaf) -> ValueResolver:
    """A function giving this leaf's value, or UNKNOWN_VALUE. Built once per rule at load, so
    evaluation does no dispatch on the target kind."""
    target = leaf.target
    if target == "fact":
        get_value = FACTS[leaf.name].value

        def fact(ctx: Context) -> Any:
            value = get_value(ctx.facts)
            return UNKNOWN_VALUE if value is None else value
        return fact
    if target == "hub":
        name = leaf.name

        def hub(ctx: Context) -> Any:
            facts = ctx.record.hub
            if facts is None:
                if not ctx.record.hub_expected:
                    raise HubNotApplicable
                return UNKNOWN_VALUE
            return facts.get(name)
        return hub
    path = leaf.path

    def field(ctx: Context) -> Any:
        doc = ctx.record.card
        if doc is None:
            return UNKNOWN_VALUE
        return _lookup(doc.metadata, path)
    return field


def text_resolver(leaf: Leaf, canonical_sections: tuple[str, ...]) -> TextResolver:
    """A function giving this leaf's text (body or matching sections), or None if unknown."""
    if leaf.target == "body":
        want_words = leaf.operator == "min_words"

        def body(ctx: Context) -> TextSubject | None:
            doc = ctx.record.card
            if doc is None:
                return None
            words = doc.prose_words if want_words else 0
            return TextSubject(bool(doc.body.strip()), ((doc.body, 0, doc.lower),), words)
        return body
    select = _section_selector(leaf.name, canonical_sections)

    def section(ctx: Context) -> TextSubject | None:
        doc = ctx.record.card
        if doc is None:
            return None
        chosen = outermost([s for s in doc.sections if select(s)])
        return TextSubject(any(s.filled for s in chosen),
                           tuple((doc.body[s.start:s.end], s.start, doc.lower[s.start:s.end])
                                 for s in chosen),
                           sum(s.prose_words for s in chosen))
    return section


def _section_selector(name: str, canonical: tuple[str, ...]) -> Callable[[Section], bool]:
    if name in canonical:
        return lambda s: s.named(name)
    regex = re.compile(name, re.I)
    return lambda s: regex.search(s.heading) is not None


def matching_sections(leaf: Leaf, ctx: Context) -> list[Section]:
    doc = ctx.record.card
    if doc is None:
        return []
    select = _section_selector(leaf.name, tuple(ctx.facts.sections))
    return [s for s in doc.sections if select(s)]


def evidence_for(leaf: Leaf, ctx: Context, offset: int | None) -> Evidence:
    """Where this leaf looked: key path and line, the matching line, or the Hub field."""
    doc = ctx.record.card
    if leaf.target == "fact":
        return ctx.facts.fact(leaf.name)[1]
    if leaf.target == "hub":
        hub = ctx.record.hub
        value = hub.get(leaf.name) if hub is not None else None
        return Evidence(Where.HUB, leaf.name, None, excerpt(f"Hub: {leaf.name} = {_show(value)}"))
    if doc is None:
        return Evidence(Where.NONE, None, None, "the card could not be read")
    if leaf.target == "field":
        for cut in range(len(leaf.path), 0, -1):
            path = _format_path(leaf.path[:cut])
            if path in doc.front_matter.lines:
                evidence = doc.field_evidence(path)
                return Evidence(evidence.where, leaf.name, evidence.line, evidence.excerpt)
        return doc.absent_evidence(leaf.name)
    if offset is not None:
        return doc.body_evidence(offset)
    if leaf.target == "section":
        sections = matching_sections(leaf, ctx)
        if sections:
            section = next((s for s in sections if s.filled), sections[0])
            return Evidence(Where.BODY, None, section.line, excerpt(doc.readme_line(section.line)))
        return Evidence(Where.BODY, None, None, f"no section matching '{leaf.name}'")
    first = next((i for i, ch in enumerate(doc.body) if not ch.isspace()), None)
    if first is None:
        return Evidence(Where.BODY, None, None, "the card has no text after the front matter")
    return doc.body_evidence(first)


def _format_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for token in path:
        out += f"[{token}]" if isinstance(token, int) else (f".{token}" if out else token)
    return out


def _show(value: Any) -> str:
    """A value for a message, as the card's YAML reads: `a, b`, `First Name: text`, `true`."""
    if isinstance(value, list | tuple):
        return ", ".join(as_yaml_text(v) for v in value[:8]) + (" …" if len(value) > 8 else "")
    if isinstance(value, dict):
        pairs = list(value.items())
        return ", ".join(f"{k}: {as_yaml_text(v)}" for k, v in pairs[:8]) \
            + (" …" if len(pairs) > 8 else "")
    return "null" if value is None else as_yaml_text(value)


def show_value(subject: Any) -> str:
    """A value for `$value` in messages: one line, short."""
    if subject is UNKNOWN_VALUE:
        return "unknown"
    if isinstance(subject, TextSubject):
        return excerpt(subject.text, 60)
    return excerpt(_show(subject), 80)
