"""Load rule files (YAML) into validated Rules; fail fast and name the spot.

`rules/license/link.yaml:12: check.all[0]: unknown operator 'match' (did you mean 'matches'?)`.
Duplicate ids fail. A broken rule never silently drops out of a CI gate.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardaudit.cards.facts import FACTS
from cardaudit.engine.findings import Category, Severity
from cardaudit.engine.operators import OPERATORS
from cardaudit.engine.schema import COMBINATORS, TARGETS, Combinator, Leaf, Node, Rule
from cardaudit.engine.targets import parse_path
from cardaudit.errors import RuleError
from cardaudit.refdata import DataFile, read_data_file

RULE_KEYS = ("id", "name", "title", "category", "severity", "why", "fix", "when", "check",
             "message", "pass_message", "references", "tags")
REQUIRED = ("id", "title", "category", "severity", "why", "fix", "check", "message")
SHIPPED_RULE_FOLDERS = ("license", "data", "gates", "docs", "lineage")
HUB_FACTS = ("id", "sha", "author", "private", "gated", "disabled", "createdAt",
             "created_placeholder", "lastModified", "downloads", "downloadsAllTime", "likes",
             "tags", "license_tags", "dataset_tags", "base_models", "base_relation",
             "parameters", "library_name", "pipeline_tag")
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{1,63}$")
_PLACEHOLDER_RE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
MESSAGE_VARIABLES = ("value", "field", "missing", "license", "declared", "origin", "category",
                     "level", "gate", "model", "hub_license")


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules in force, in id order, and a digest identifying them in reports."""

    rules: tuple[Rule, ...]
    digest: str

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def rule_files(folder: Path) -> list[Path]:
    """Rule files in a folder, recursively, in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def shipped_rule_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in SHIPPED_RULE_FOLDERS:
        if (root / name).is_dir():
            files.extend(rule_files(root / name))
    return files


def load_rules(files: Iterable[tuple[Path, str, str]], lists: Mapping[str, tuple[Any, ...]],
               sections: Iterable[str], extra_digest: bytes = b"") -> RuleSet:
    """Load (path, display name, origin) triples; duplicate ids and any error are fatal."""
    rules: dict[str, Rule] = {}
    digest = hashlib.sha256(extra_digest)
    for rule in _each_rule(files, lists, tuple(sections)):
        if isinstance(rule, RuleError):
            raise rule
        rules[rule.id] = rule
    ordered = tuple(sorted(rules.values(), key=lambda r: r.id))
    for rule in ordered:
        digest.update(json.dumps(rule.raw, sort_keys=True, default=str).encode())
    return RuleSet(ordered, "sha256:" + digest.hexdigest()[:16])


def rule_problems(files: Iterable[tuple[Path, str, str]], lists: Mapping[str, tuple[Any, ...]],
                  sections: Iterable[str]) -> list[str]:
    """Every file's first error and every duplicate id, for `rules validate` (loading for an
    audit stops at the first): one fix-and-rerun round for a whole folder, not one per file."""
    return [rule.message for rule in _each_rule(files, lists, tuple(sections))
            if isinstance(rule, RuleError)]


def _each_rule(files: Iterable[tuple[Path, str, str]], lists: Mapping[str, tuple[Any, ...]],
               sections: tuple[str, ...]) -> Iterator[Rule | RuleError]:
    """Each file's rule, or the error that stops it; a rule whose id an earlier one took is
    an error too."""
    seen: dict[str, Rule] = {}
    for path, display, origin in files:
        try:
            rule = load_rule_file(path, display, lists, sections, origin)
        except RuleError as exc:
            yield exc
            continue
        first = seen.get(rule.id)
        if first is not None:
            yield RuleError(f"{rule.location}: duplicate rule id '{rule.id}' "
                            f"(already defined at {first.location})")
            continue
        seen[rule.id] = rule
        yield rule


def load_rule_file(path: Path, display: str, lists: Mapping[str, tuple[Any, ...]],
                   sections: tuple[str, ...], origin: str = "user") -> Rule:
    data_file = read_data_file(path, display)
    return _RuleParser(data_file, lists, sections, origin).parse()


class _RuleParser:
    def __init__(self, data_file: DataFile, lists: Mapping[str, tuple[Any, ...]],
                 sections: tuple[str, ...], origin: str) -> None:
        self.file = data_file
        self.lists = lists
        self.sections = sections
        self.origin = origin

    def fail(self, where: str, message: str) -> RuleError:
        return RuleError(f"{self.file.where(where)}: {where}: {message}")

    def parse(self) -> Rule:
        data = self.file.data
        if not isinstance(data, dict):
            raise RuleError(f"{self.file.display}:1: a rule file holds one rule: a mapping of "
                            f"{', '.join(REQUIRED)}")
        for key in data:
            if key not in RULE_KEYS:
                raise self.fail(str(key), f"unknown key '{key}'{_suggest(str(key), RULE_KEYS)}")
        for key in REQUIRED:
            if data.get(key) in (None, ""):
                raise RuleError(f"{self.file.display}:1: missing required key '{key}'")
        for key in ("id", "name", "title", "why", "fix", "message", "pass_message"):
            if key in data and not isinstance(data[key], str):
                raise self.fail(key, "expected text")
        rule_id = data["id"]
        if not _ID_RE.match(rule_id):
            raise self.fail("id", f"'{rule_id}' is not a valid rule id (letters, digits, . _ -)")
        category = self._enum("category", Category)
        severity = self._enum("severity", Severity)
        for key in ("message", "pass_message"):
            if key in data:
                self._check_placeholders(key, data[key])
        when = self.node(data["when"], "when") if data.get("when") is not None else None
        check = self.node(data["check"], "check")
        return Rule(
            id=rule_id, name=data.get("name") or rule_id, title=data["title"],
            category=category, severity=severity, why=data["why"].strip(),
            fix=data["fix"].strip(), check=check, when=when, message=data["message"].strip(),
            pass_message=(data.get("pass_message") or data["title"]).strip(),
            file=self.file.display, line=self.file.lines.get("id", 1), origin=self.origin,
            references=tuple(self._str_list("references")), tags=tuple(self._str_list("tags")),
            raw=data)

    def _enum(self, key: str, enum: Any) -> Any:
        try:
            return enum(self.file.data[key])
        except ValueError:
            options = ", ".join(e.value for e in enum)
            raise self.fail(key, f"'{self.file.data[key]}' is not one of: {options}") from None

    def _str_list(self, key: str) -> list[str]:
        value = self.file.data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of text")
        return value

    def _check_placeholders(self, key: str, text: str) -> None:
        for match in _PLACEHOLDER_RE.finditer(text):
            name = match.group(1) or match.group(2)
            if name not in MESSAGE_VARIABLES:
                raise self.fail(key, f"unknown placeholder '${name}' (known: "
                                     f"{', '.join('$' + v for v in MESSAGE_VARIABLES)})")

    def node(self, value: Any, where: str) -> Node:
        if not isinstance(value, dict) or not value:
            raise self.fail(where, "expected a mapping: a combinator (all/any/not) or a leaf")
        keys = list(value)
        combinators = [k for k in keys if k in COMBINATORS]
        if combinators:
            if len(keys) != 1:
                raise self.fail(where, f"'{combinators[0]}' must stand alone in its mapping")
            kind = combinators[0]
            inner = value[kind]
            if kind == "not":
                return Combinator("not", (self.node(inner, f"{where}.not"),), where)
            if not isinstance(inner, list) or not inner:
                raise self.fail(f"{where}.{kind}", f"'{kind}' expects a non-empty list")
            return Combinator(kind, tuple(self.node(child, f"{where}.{kind}[{i}]")
                                          for i, child in enumerate(inner)), where)
        return self.leaf(value, where)

    def leaf(self, value: dict[str, Any], where: str) -> Leaf:
        targets = [k for k in value if k in TARGETS]
        others = [k for k in value if k not in TARGETS]
        if len(targets) != 1:
            raise self.fail(where, "a leaf needs exactly one target "
                                   f"({', '.join(TARGETS)}); found {targets or 'none'}")
        operators = [k for k in others if k in OPERATORS]
        unknown = [k for k in others if k not in OPERATORS]
        if unknown:
            key = str(unknown[0])
            raise self.fail(where, f"unknown operator '{key}'"
                                   f"{_suggest(key, list(OPERATORS) + list(COMBINATORS))}")
        if len(operators) != 1:
            raise self.fail(where, "a leaf needs exactly one operator "
                                   f"({', '.join(OPERATORS)}); found {operators or 'none'}")
        target, operator = targets[0], operators[0]
        name = value[target]
        path: tuple[str | int, ...] = ()
        if target == "body":
            if name is not True:
                raise self.fail(where, "write the body target as 'body: true'")
            name = ""
        elif not isinstance(name, str) or not name:
            raise self.fail(where, f"'{target}' expects a name")
        elif target == "field":
            try:
                path = parse_path(name)
            except ValueError as exc:
                raise self.fail(where, str(exc)) from None
        elif target == "fact" and name not in FACTS:
            raise self.fail(where, f"unknown fact '{name}'{_suggest(name, list(FACTS))}")
        elif target == "hub" and name not in HUB_FACTS:
            raise self.fail(where, f"unknown Hub fact '{name}'{_suggest(name, HUB_FACTS)}")
        elif target == "section" and name not in self.sections:
            try:
                re.compile(name, re.I)
            except re.error as exc:
                raise self.fail(where, f"bad section regex {name!r}: {exc}") from None
        try:
            argument = OPERATORS[operator].prepare(value[operator], self.lists)
        except ValueError as exc:
            raise self.fail(where, f"{operator}: {exc}") from None
        return Leaf(target, name, operator, argument, where, path)


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
