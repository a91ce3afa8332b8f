"""Knowledge: the reference data one run needs (licenses, section names, corpora), loaded once.

Everything here is data from the rules folder; loading validates it and fails with `file:line`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cardaudit.cards.disclosure import CorpusName, DatasetVocabulary
from cardaudit.cards.licensebase import LicenseBase, load_license_base
from cardaudit.cards.sections import CompiledVocabulary, Vocabulary
from cardaudit.errors import RuleError
from cardaudit.lineage.origin import Origins, load_origins
from cardaudit.refdata import DataFile, read_data_file, shipped_rules_dir
from cardaudit.textsearch import required_literals, uppercase_literal, word_bounded


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Reference data shared by every model of a run."""

    licenses: LicenseBase
    sections: CompiledVocabulary
    datasets: DatasetVocabulary
    root: Path
    origins: Origins


def load_knowledge(root: Path | None = None) -> Knowledge:
    """Load licenses.yaml and reference/*.yaml from a rules folder (default: the shipped one)."""
    root = root or shipped_rules_dir()
    licenses = load_license_base(root / "licenses.yaml", _display(root, "licenses.yaml"))
    sections = _sections(read_data_file(root / "reference" / "sections.yaml",
                                        _display(root, "reference/sections.yaml")))
    datasets = _datasets(read_data_file(root / "reference" / "datasets.yaml",
                                        _display(root, "reference/datasets.yaml")))
    return Knowledge(licenses, sections, datasets, root, load_origins(root))


def _display(root: Path, name: str) -> str:
    return f"rules/{name}"


def _sections(data_file: DataFile) -> CompiledVocabulary:
    data = data_file.data
    families = data.get("sections") if isinstance(data, dict) else None
    if not isinstance(families, dict):
        raise RuleError(f"{data_file.display}: expected a 'sections' mapping")
    clean: dict[str, tuple[str, ...]] = {}
    for name, keywords in families.items():
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise data_file.fail(f"sections.{name}", "expected a list of heading keywords")
        clean[str(name)] = tuple(keywords)
    placeholders = data.get("placeholders") or []
    for index, pattern in enumerate(placeholders):
        _compile(data_file, f"placeholders[{index}]", pattern, re.I)
        upper = uppercase_literal(pattern)
        if upper is not None:  # they run on lowercased text (sections.py, _prose_view)
            raise data_file.fail(f"placeholders[{index}]",
                                 f"write placeholders in lower case (found '{upper}'): they "
                                 "are matched case-insensitively")
    cues = data.get("joined_cues") or {}
    if not isinstance(cues, dict):
        raise data_file.fail("joined_cues", "expected a mapping of section name to patterns")
    joined: dict[str, tuple[str, ...]] = {}
    for name, patterns in cues.items():
        if name not in clean:
            raise data_file.fail(f"joined_cues.{name}", f"unknown section '{name}'")
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise data_file.fail(f"joined_cues.{name}", "expected a list of patterns")
        for index, pattern in enumerate(patterns):
            _compile(data_file, f"joined_cues.{name}[{index}]", pattern, re.I)
        joined[str(name)] = tuple(patterns)
    return Vocabulary(clean, tuple(placeholders), joined).compile()


def _datasets(data_file: DataFile) -> DatasetVocabulary:
    data = data_file.data
    if not isinstance(data, dict) or not isinstance(data.get("corpora"), list):
        raise RuleError(f"{data_file.display}: expected a 'corpora' list")
    corpora = []
    for index, entry in enumerate(data["corpora"]):
        where = f"corpora[{index}]"
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("pattern"):
            raise data_file.fail(where, "expected {name, pattern[, case]}")
        flags = 0 if entry.get("case") else re.I
        raw = entry["pattern"]
        pattern = _compile(data_file, where, word_bounded(raw) if isinstance(raw, str) else raw,
                           flags)
        literals = required_literals(entry["pattern"], flags)
        corpora.append(CorpusName(str(entry["name"]), pattern,
                                  literals if _selective(literals) else None))
    hosts = data.get("dataset_hosts") or []
    host_re = _compile(data_file, "dataset_hosts", "|".join(f"(?:{h})" for h in hosts) or "(?!)",
                       re.I)
    return DatasetVocabulary(tuple(corpora), host_re)


def _selective(literals: frozenset[str] | None) -> bool:
    """Literals worth prefiltering on: three characters, or two with a digit (`c4`, `p3`)."""
    return bool(literals) and all(
        len(x) >= 3 or (len(x) == 2 and any(ch.isdigit() for ch in x))
        for x in literals or ())


def _compile(data_file: DataFile, where: str, pattern: object, flags: int) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise data_file.fail(where, "expected a regex (text)")
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise data_file.fail(where, f"bad regex: {exc}") from None
