"""A bounded, line-aware YAML reader for card front matter.

PyYAML's own loaders are unsafe for hostile cards in three measured ways (library-facts §2):
YAML 1.1 turns `no`/`on` into booleans and dates into `datetime`, aliases build structures whose
expansion explodes downstream, and libyaml's C composer overflows the C stack on deep nesting.
This module composes nodes with libyaml (from its events, without recursion, where a text could
nest deeper than the C composer can take), resolves scalars by YAML 1.2 core rules, expands
values under a node budget and a depth limit, and remembers the line of every key. It never
raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_COMPOSED_DEPTH = 1_000  # nesting composed at all (values deeper than MAX_DEPTH are dropped)
MAX_LINE_ENTRIES = 4_000
_LINE_PATH_DEPTH = 3
_SAFE_LENGTH_FOR_C = 4_000
_C_NESTING_LIMIT = 1_000
_BLOCK_PREFIX_RE = re.compile(r"(?m)^[ \t]*(?:[-?:][ \t]+)*")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_KNOWN_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, "tag:yaml.org,2002:binary",
                      "tag:yaml.org,2002:timestamp"}
_COLLECTION_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map", "tag:yaml.org,2002:omap",
                    "tag:yaml.org,2002:set"}


class _CoreResolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema: only true/false are booleans; dates stay strings."""


_CoreResolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_CoreResolver.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
_CoreResolver.add_implicit_resolver(
    _FLOAT,
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$"),
    list("-+0123456789."))
_CoreResolver.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"),
                                    ["~", "n", "N", ""])

try:
    from yaml.cyaml import CParser as _CParser  # type: ignore[attr-defined, unused-ignore]

    _HAS_C = True
except ImportError:  # PyYAML built without libyaml: the pure-Python composer is used
    _HAS_C = False


if _HAS_C:

    class _CComposer(_CParser, _CoreResolver):  # type: ignore[misc, unused-ignore]
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _CoreResolver.__init__(self)


class _PyComposer(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                  yaml.composer.Composer, _CoreResolver):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _CoreResolver.__init__(self)


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """Something in the YAML that was not read as written; `line` is 0-based in the YAML text."""

    message: str
    line: int | None


@dataclass(frozen=True, slots=True)
class LoadedYaml:
    """The value read (None when nothing could be read), key lines, and what went wrong."""

    value: Any
    lines: dict[str, int]
    problems: tuple[YamlProblem, ...]
    used_aliases: bool = False


class _OverBudget(Exception):
    pass


def _nesting_bound(text: str) -> int:
    """A cheap upper bound on how deep a document can nest, so libyaml's recursive C composer is
    only used where it cannot overflow the C stack (measured safe beyond 8,000 levels).

    Short texts cannot nest deeper than their length. Otherwise flow depth is at most the number
    of `[` and `{`, and block depth at most the longest run of indentation and `- `/`? `/`: `
    markers that starts a line."""
    if len(text) <= _SAFE_LENGTH_FOR_C:
        return 0
    flow = text.count("[") + text.count("{")
    block = max((len(m) for m in _BLOCK_PREFIX_RE.findall(text)), default=0)
    return flow + block


def compose(text: str) -> Node | None:
    """Compose one YAML document into nodes; raises yaml.YAMLError or RecursionError.

    Text that could nest deeper than libyaml's recursive composer can take is composed from
    libyaml's events by `compose_events`, which keeps its own stack."""
    if not _HAS_C:
        loader: Any = _PyComposer(text)
    else:
        loader = _CComposer(text)
        if _nesting_bound(text) > _C_NESTING_LIMIT:
            try:
                return compose_events(loader, loader)
            finally:
                loader.dispose()
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    finally:
        loader.dispose()


def compose_events(parser: Any, resolver: Any) -> Node | None:
    """PyYAML's Composer.get_single_node without recursion: the nodes of the one document the
    events of `parser` describe, with the same tags, marks, anchors and errors (worded as
    libyaml's composer words them), but nesting stops at MAX_COMPOSED_DEPTH: a million nested
    `[` cost a short list here, where libyaml's composer would take a million C frames."""
    parser.get_event()  # stream start
    root: Node | None = None
    if not parser.check_event(yaml.StreamEndEvent):
        parser.get_event()  # document start
        root = _compose_document(parser, resolver)
        parser.get_event()  # document end
    if not parser.check_event(yaml.StreamEndEvent):
        event = parser.get_event()
        raise yaml.composer.ComposerError(
            "expected a single document in the stream",
            root.start_mark if root is not None else None,
            "but found another document", event.start_mark)
    parser.get_event()  # stream end
    return root


def _compose_document(parser: Any, resolver: Any) -> Node:
    anchors: dict[str, Node] = {}
    open_nodes: list[Node] = []  # the collections being filled, innermost last
    pending_keys: list[Node | None] = []  # per open mapping: a key waiting for its value
    while True:
        event: Any = parser.get_event()
        start_mark: Any = event.start_mark
        end_mark: Any = event.end_mark
        node: Node
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise yaml.composer.ComposerError(None, None, "found undefined alias",
                                                  start_mark)
            node = anchors[event.anchor]
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            node = open_nodes.pop()
            pending_keys.pop()
            node.end_mark = end_mark
        else:
            anchor = event.anchor
            if anchor is not None and anchor in anchors:
                raise yaml.composer.ComposerError(
                    "found duplicate anchor; first occurrence", anchors[anchor].start_mark,
                    "second occurrence", start_mark)
            tag = event.tag
            if isinstance(event, yaml.ScalarEvent):
                if tag is None or tag == "!":
                    tag = resolver.resolve(ScalarNode, event.value, event.implicit)
                node = ScalarNode(tag, event.value, start_mark, end_mark, style=event.style)
            else:
                kind = SequenceNode if isinstance(event, yaml.SequenceStartEvent) \
                    else MappingNode
                if tag is None or tag == "!":
                    tag = resolver.resolve(kind, None, event.implicit)
                node = kind(tag, [], start_mark, None, flow_style=event.flow_style)
            if anchor is not None:
                anchors[anchor] = node
            if not isinstance(event, yaml.ScalarEvent):
                if len(open_nodes) >= MAX_COMPOSED_DEPTH:
                    # what PyYAML's own composer meets far sooner; load() reports it
                    raise RecursionError("YAML nests too deeply")
                open_nodes.append(node)
                pending_keys.append(None)
                continue
        if not open_nodes:
            return node
        parent = open_nodes[-1]
        if isinstance(parent, SequenceNode):
            parent.value.append(node)
        elif pending_keys[-1] is None:
            pending_keys[-1] = node
        else:
            parent.value.append((pending_keys[-1], node))
            pending_keys[-1] = None


class _Builder:
    """Turns composed nodes into plain values under a node budget, recording key lines."""

    def __init__(self, budget: int, line_depth: int = _LINE_PATH_DEPTH) -> None:
        self.remaining = self.budget = budget
        self.line_depth = line_depth
        self.lines: dict[str, int] = {}
        self.problems: list[YamlProblem] = []
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.used_aliases = False

    def note(self, message: str, node: Node | None) -> None:
        if len(self.problems) < 50:
            self.problems.append(YamlProblem(message, node.start_mark.line if node else None))

    def remember(self, path: str, node: Node, depth: int) -> None:
        if depth <= self.line_depth and len(self.lines) < MAX_LINE_ENTRIES:
            self.lines.setdefault(path, node.start_mark.line)

    def build(self, node: Node, path: str, depth: int) -> Any:
        self.remaining -= 1
        if self.remaining < 0:
            raise _OverBudget
        if depth > MAX_DEPTH:
            self.note(f"'{_short(path)}' nests deeper than {MAX_DEPTH} levels; the rest is ignored",
                      node)
            return None
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        node_id = id(node)
        if node_id in self.active:
            self.note(f"recursive YAML alias at '{_short(path)}' ignored", node)
            return None
        if node_id in self.seen:
            self.used_aliases = True
        self.seen.add(node_id)
        if node.tag not in _COLLECTION_TAGS:
            self.note(f"unsupported YAML tag {node.tag!r} at '{_short(path)}' ignored", node)
        self.active.add(node_id)
        try:
            if isinstance(node, SequenceNode):
                return self.sequence(node, path, depth)
            if isinstance(node, MappingNode):
                return self.mapping(node, path, depth)
            return None
        finally:
            self.active.discard(node_id)

    def sequence(self, node: SequenceNode, path: str, depth: int) -> list[Any]:
        out: list[Any] = []
        for index, item in enumerate(node.value):
            item_path = f"{path}[{index}]"
            self.remember(item_path, item, depth + 1)
            out.append(self.build(item, item_path, depth + 1))
        return out

    def mapping(self, node: MappingNode, path: str, depth: int, *, top: bool = False
                ) -> dict[str, Any]:
        """Build a mapping; at the top level one oversized (alias-expanded) key drops alone."""
        out: dict[str, Any] = {}
        merged: list[dict[str, Any]] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.note(f"a complex (non-scalar) key under '{_short(path) or '<top>'}' "
                          "was ignored", key_node)
                continue
            key = str(key_node.value)
            key_path = f"{path}.{key}" if path else key
            saved = self.remaining
            try:
                value = self.build(value_node, key_path, depth + 1)
            except _OverBudget:
                if not top:
                    raise
                self.remaining = saved // 4
                kind = "after expanding aliases " if self.used_aliases else ""
                self.note(f"'{_short(key)}' is too large {kind}(more than {self.budget} values); "
                          "ignored", key_node)
                continue
            if key == "<<" and isinstance(value_node, MappingNode | SequenceNode):
                merged.extend(v for v in (value if isinstance(value, list) else [value])
                              if isinstance(v, dict))
                continue
            if key in out:
                self.note(f"duplicate key '{_short(key_path)}'; the last one wins", key_node)
                self.lines.pop(key_path, None)
            self.remember(key_path, key_node, depth + 1)
            out[key] = value
        for source in merged:
            for k, v in source.items():
                out.setdefault(k, v)
        return out

    def scalar(self, node: ScalarNode, path: str) -> Any:
        tag, text = node.tag, node.value
        if tag not in _KNOWN_SCALAR_TAGS:
            self.note(f"unsupported YAML tag {tag!r} at '{_short(path)}'; read as text", node)
            return str(text)
        try:
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return text.lower() == "true"
            if tag == _INT:
                return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
            if tag == _FLOAT:
                return float(text)
        except ValueError:
            return str(text)
        return str(text)


def load(text: str, *, budget: int = MAX_NODES, line_depth: int = _LINE_PATH_DEPTH) -> LoadedYaml:
    """Read one YAML document. Never raises; unreadable input gives value None and a problem."""
    try:
        node = compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark
        reason = exc.problem or exc.context or "YAML error"
        problem = YamlProblem(f"YAML error: {reason}", mark.line if mark else None)
        return LoadedYaml(None, {}, (problem,))
    except yaml.YAMLError as exc:
        return LoadedYaml(None, {}, (YamlProblem(f"YAML error: {_one_line(str(exc))}", None),))
    except RecursionError:
        return LoadedYaml(None, {}, (YamlProblem("YAML nests too deeply to read", None),))
    if node is None:
        return LoadedYaml(None, {}, ())
    builder = _Builder(budget, line_depth)
    try:
        if isinstance(node, MappingNode):
            value: Any = builder.mapping(node, "", 0, top=True)
        else:
            value = builder.build(node, "", 0)
    except _OverBudget:
        builder.note(f"document holds more than {budget} values; not read", node)
        value = None
    return LoadedYaml(value, builder.lines, tuple(builder.problems), builder.used_aliases)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


def _short(path: str) -> str:
    return path if len(path) <= 80 else path[:77] + "..."
