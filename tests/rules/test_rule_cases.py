"""Every shipped rule has hand-written cases that pass and fail it, with the evidence line.

A case is a card file `*.md`, or a folder with README.md plus optional LICENSE, hub.json
(Hub facts) and datasets.json (dataset id → public/gated/private/missing). Expectations sit in
the card: `# expect: fail CA-LIC-002` in the front matter or `<!-- expect: … -->` in the body,
above the line the evidence must point at. A suffix changes the line: `@none` (no line),
`@first` (first non-blank body line), `@license` (first line of the LICENSE file), `@N`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from cardaudit.cards.disclosure import DatasetStatus
from cardaudit.cards.evidence import Where
from cardaudit.cards.licenses import LicenseFile
from cardaudit.cards.record import HubFacts, ModelRecord
from cardaudit.engine.findings import Outcome
from cardaudit.lineage.resolve import LineageResolver, LocalLookup
from cardaudit.pack import RulePack, load_pack
from cardaudit.runner import Auditor
from cardaudit.sources.local import LocalSource

CASES = Path(__file__).parent
_EXPECT = re.compile(r"expect:\s*(pass|fail|unknown|not_applicable)\s+([\w.\-]+)(?:\s+@(\S+))?")


@dataclass(frozen=True)
class Expectation:
    outcome: str
    rule: str
    line: int | str | None


def _case_paths() -> list[Path]:
    found = []
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for item in sorted(folder.iterdir()):
            if item.name == "ancestors":
                continue
            if item.suffix == ".md" or (item.is_dir() and (item / "README.md").exists()):
                found.append(item)
    return found


def _expectations(text: str) -> list[Expectation]:
    lines = text.split("\n")
    out = []
    for index, line in enumerate(lines):
        match = _EXPECT.search(line)
        if not match:
            continue
        where = match.group(3)
        target: int | str | None
        if where is None:
            target = next(i + 1 for i in range(index + 1, len(lines))
                          if not _EXPECT.search(lines[i]))
        elif where == "none":
            target = None
        elif where.isdigit():
            target = int(where)
        else:
            target = where
        out.append(Expectation(match.group(1), match.group(2), target))
    return out


def _record(path: Path, pack: RulePack) -> tuple[ModelRecord, str]:
    folder = path if path.is_dir() else None
    readme = folder / "README.md" if folder else path
    text = readme.read_text(encoding="utf-8")
    doc = pack_reader(pack)(text)
    license_file = hub = status = None
    if folder and (folder / "LICENSE").exists():
        license_file = LicenseFile("LICENSE", (folder / "LICENSE").read_text(encoding="utf-8"))
    if folder and (folder / "hub.json").exists():
        data = json.loads((folder / "hub.json").read_text())
        hub = HubFacts(data["id"], gated=data.get("gated"), tags=tuple(data.get("tags", ())))
    if folder and (folder / "datasets.json").exists():
        status = {k: DatasetStatus(v) for k, v in
                  json.loads((folder / "datasets.json").read_text()).items()}
    model_id = "acme/m"
    if folder and (folder / "model.txt").exists():
        model_id = (folder / "model.txt").read_text().strip()
    record = ModelRecord(model_id, "local", str(readme), doc, license_file=license_file,
                         hub=hub, dataset_status=status)
    return record, text


def _auditor(path: Path, pack: RulePack, default: Auditor) -> Auditor:
    """Cases with an `ancestors/` folder resolve their lineage from it."""
    ancestors = path / "ancestors" if path.is_dir() else None
    if ancestors is None or not ancestors.is_dir():
        return Auditor(pack, lineage=LineageResolver([], pack.knowledge.licenses,
                                                     pack.knowledge.origins))
    source = LocalSource([str(ancestors)], pack.knowledge.sections)
    lookup = LocalLookup([(source, {t.id: t for t in source.targets()})],
                         pack.knowledge.licenses, pack.knowledge.datasets)
    return Auditor(pack, lineage=LineageResolver([lookup], pack.knowledge.licenses,
                                                 pack.knowledge.origins))


def pack_reader(pack: RulePack):  # type: ignore[no-untyped-def]
    from cardaudit.cards.document import parse_card

    return lambda text: parse_card(text, pack.knowledge.sections)


SHIPPED = load_pack().rules.rules


@pytest.mark.parametrize("rule", SHIPPED, ids=lambda r: f"{r.id}-{r.name}")
def test_every_rule_has_passing_and_failing_cases(rule) -> None:  # type: ignore[no-untyped-def]
    folder = CASES / rule.name
    assert folder.is_dir(), f"rule {rule.id} has no cases: add tests/rules/{rule.name}/"
    outcomes = {e.outcome for p in _case_paths() if p.parent == folder or p.parent.parent == folder
                for e in _expectations(((p / "README.md") if p.is_dir() else p).read_text())
                if e.rule == rule.id}
    assert {"pass", "fail"} <= outcomes, f"{rule.id} needs a passing and a failing case"


@pytest.mark.parametrize("path", _case_paths(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(path: Path, pack: RulePack, auditor: Auditor) -> None:
    record, text = _record(path, pack)
    expectations = _expectations(text)
    assert expectations, f"{path} has no expect: comment"
    result = _auditor(path, pack, auditor).audit(record)
    findings = {f.rule: f for f in result.findings}
    for expected in expectations:
        finding = findings[expected.rule]
        assert finding.outcome == Outcome(expected.outcome), (
            f"{path.name}: {expected.rule} was {finding.outcome.value}: {finding.message}")
        if expected.line == "first":
            doc = record.card
            assert doc is not None
            first = next(i for i, ln in enumerate(doc.body.split("\n")) if ln.strip())
            assert finding.evidence.line == doc.body_first_line + first
        elif expected.line == "license":
            assert finding.evidence.where is Where.LICENSE_FILE
        else:
            assert finding.evidence.line == expected.line, (
                f"{path.name}: {expected.rule} evidence at line {finding.evidence.line}, "
                f"expected {expected.line} ({finding.evidence.excerpt})")
