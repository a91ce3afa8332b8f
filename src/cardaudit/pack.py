"""The rule pack in force: shipped rules plus `--rules DIR` folders, knowledge and scoring.

Loaded once per run; any broken file is a RuleError (exit 2) naming `file:line`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardaudit.engine.loader import (
    RuleSet,
    load_rules,
    rule_files,
    rule_problems,
    shipped_rule_files,
)
from cardaudit.errors import RuleError
from cardaudit.knowledge import Knowledge, load_knowledge
from cardaudit.refdata import load_lists
from cardaudit.scoring import ScoringModel, load_scoring


@dataclass(frozen=True, slots=True)
class RulePack:
    knowledge: Knowledge
    rules: RuleSet
    scoring: ScoringModel


def load_pack(extra_dirs: list[Path] | None = None, root: Path | None = None) -> RulePack:
    """Shipped rules (or those under `root`) plus user rule folders."""
    knowledge, lists, files = _pack_files(extra_dirs, root)
    root = knowledge.root
    extra = hashlib.sha256()
    for name in ("licenses.yaml", "scoring.yaml", "reference/lists.yaml",
                 "reference/sections.yaml", "reference/datasets.yaml"):
        extra.update((root / name).read_bytes())
    rules = load_rules(files, lists, knowledge.sections.names, extra.digest())
    scoring = load_scoring(root / "scoring.yaml")
    return RulePack(knowledge, rules, scoring)


@dataclass(frozen=True, slots=True)
class PackCheck:
    """What `rules validate` reports: every problem, else how many rules each side holds."""

    problems: list[str]
    user_rules: int
    rules: int


def check_pack(extra_dirs: list[Path]) -> PackCheck:
    """Every broken rule file and duplicate id among the shipped pack and `extra_dirs` (a
    missing or empty folder is still one RuleError, raised). A file holds one rule, so with
    no problem the counts are those of the files."""
    knowledge, lists, files = _pack_files(extra_dirs, None)
    return PackCheck(rule_problems(files, lists, knowledge.sections.names),
                     sum(1 for _, _, origin in files if origin == "user"), len(files))


def _pack_files(extra_dirs: list[Path] | None, root: Path | None
                ) -> tuple[Knowledge, Mapping[str, tuple[Any, ...]], list[tuple[Path, str, str]]]:
    knowledge = load_knowledge(root)
    root = knowledge.root
    lists = load_lists(root / "reference" / "lists.yaml")
    files = [(p, f"rules/{p.relative_to(root).as_posix()}", "shipped")
             for p in shipped_rule_files(root)]
    shipped = root.resolve()
    for folder in extra_dirs or []:
        if not folder.is_dir():
            raise RuleError(f"{folder}: not a folder of rule files")
        if folder.resolve().is_relative_to(shipped):
            continue  # the shipped pack, or part of it, named again: already in force
        found = rule_files(folder)
        if not found:
            raise RuleError(f"{folder}: holds no rule files (*.yaml)")
        files.extend((p, p.as_posix(), "user") for p in found)
    return knowledge, lists, files
