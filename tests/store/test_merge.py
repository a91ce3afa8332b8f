"""`cardaudit merge`: a dump audited in shards on several machines, brought back as one run that
gives the same trends and findings as one audit of the whole dump."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cardaudit.store.db import Store
from tests.cli.scenario import ROOT, run_cli

SMALL_DUMP = ROOT / "examples/dumps/sample.jsonl"


def audit_dump(lines: list[str], folder: Path, name: str, *extra: str) -> Path:
    dump = folder / f"{name}.jsonl"
    dump.write_text("".join(lines))
    db = folder / f"{name}.sqlite"
    run = run_cli("audit", "--dump", str(dump), "--db", str(db), "--quiet", *extra)
    assert run.code == 0, run.stderr
    return db


@pytest.fixture
def shards(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The fixture dump's valid rows split in two shards that share two models, and the whole
    dump audited at once for comparison."""
    lines = [line for line in SMALL_DUMP.read_text().splitlines(keepends=True)
             if line.startswith("{") and line.rstrip().endswith("}")]
    first = audit_dump(lines[:9], tmp_path, "shard-a")
    second = audit_dump(lines[7:], tmp_path, "shard-b")
    whole = audit_dump(lines, tmp_path, "whole")
    return first, second, whole


def trends_json(db: Path, *args: str) -> dict:  # type: ignore[type-arg]
    run = run_cli("trends", "--db", str(db), "-f", "json", *args)
    assert run.code == 0, run.stderr
    data = json.loads(run.stdout)
    data.pop("run")
    return data  # type: ignore[no-any-return]


def test_merged_shards_give_the_trends_and_findings_of_one_whole_run(
        shards: tuple[Path, Path, Path], tmp_path: Path) -> None:
    first, second, whole = shards
    target = tmp_path / "merged.sqlite"
    run = run_cli("merge", str(first), str(second), "--db", str(target))
    assert run.code == 0, run.stderr
    assert "merged 16 model(s) from 2 shard(s) into run 1" in run.stdout
    assert "2 id(s) found in more than one shard kept once" in run.stdout
    for by in ("year", "base-origin", "license-category"):
        assert trends_json(target, "--by", by) == trends_json(whole, "--by", by)
    with Store.open(target, create=False) as merged, Store.open(whole, create=False) as one:
        [info] = merged.runs()
        assert (info.source, info.status, info.models) == ("merge", "complete", 16)
        assert [s["path"] for s in info.arguments["shards"]] == [str(first), str(second)]
        assert info.rules_digest == one.runs()[0].rules_digest
        got = {m.model_id: m.findings for m in merged.models(info.id, with_findings=True)}
        want = {m.model_id: m.findings for m in one.models(1, with_findings=True)}
    assert got == want


def test_shards_audited_with_other_rules_are_refused(tmp_path: Path) -> None:
    lines = SMALL_DUMP.read_text().splitlines(keepends=True)[:4]
    plain = audit_dump(lines, tmp_path, "plain")
    extra = audit_dump(lines, tmp_path, "extra", "--rules", str(ROOT / "examples/rules"))
    run = run_cli("merge", str(plain), str(extra), "--db", str(tmp_path / "t.sqlite"))
    assert run.code == 2
    assert "audited with different rules" in run.stderr
    assert not (tmp_path / "t.sqlite").exists()  # nothing written before the check


def test_bad_shards_are_one_line_errors(shards: tuple[Path, Path, Path], tmp_path: Path) -> None:
    first, _, _ = shards
    for args, message in (
            ([str(tmp_path / "missing.sqlite")], "no audit store at"),
            ([str(first), "--db", str(first)], "is the target store itself"),
            ([str(SMALL_DUMP)], "not a cardaudit audit store")):
        run = run_cli("merge", *args)
        assert run.code == 2, (args, run.stdout)
        assert message in run.stderr
        assert "Traceback" not in run.stderr
