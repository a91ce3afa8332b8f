"""Every command's JSON validates against the JSON Schema shipped for it: a CI job or a script
reads `check`, `diff`, `runs`, `lineage` and `explain` output by a documented, versioned shape,
not by guessing from one sample."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from tests.cli.scenario import ROOT, run_cli

SCHEMA_DIR = ROOT / "src/cardaudit/reports/schema"


def _registry() -> Registry:  # type: ignore[type-arg]
    resources = []
    for path in SCHEMA_DIR.glob("*.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def validate(name: str, document: Any) -> None:
    schema = json.loads((SCHEMA_DIR / f"{name}-v1.json").read_text())
    validator = jsonschema.Draft202012Validator(schema, registry=_registry(),
                                                format_checker=jsonschema.FormatChecker())
    validator.validate(document)


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_every_shipped_schema_is_a_valid_schema_with_a_versioned_id() -> None:
    paths = sorted(SCHEMA_DIR.glob("*.json"))
    assert {p.name for p in paths} >= {"report-v1.json", "rules-v1.json", "gate-v1.json",
                                       "diff-v1.json", "history-v1.json", "runs-v1.json",
                                       "lineage-v1.json", "explain-v1.json"}
    for path in paths:
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$id"].endswith("/" + path.name)
        assert schema["properties"]["schema_version"] == {"const": 1}


def test_check_json_validates_with_violations_exemptions_and_error_rows(tmp_path: Path) -> None:
    exemptions = tmp_path / "ex.yaml"
    exemptions.write_text("schema_version: 1\nexemptions:\n  - model: acme/llama-chat-ft\n"
                          "    clause: license.allow_categories\n    reason: ok\n    owner: me\n"
                          "    expires: 2099-01-01\n  - model: acme/nobody\n"
                          "    clause: license.allow_categories\n    reason: ok\n    owner: me\n"
                          "    expires: 2099-01-01\n")
    run = run_cli("check", "examples/models", "missing/model", "--offline", "--cache-dir",
                  str(tmp_path / "cache"), "--policy", "permissive-only", "--exemptions",
                  str(exemptions), "-f", "json")
    assert run.code == 1, run.stderr
    data = json.loads(run.stdout)
    validate("gate", data)
    assert data["unused_exemptions"] and any(
        v["exemption"] for m in data["models"] for v in m["violations"])
    assert any(m["status"] == "error" for m in data["models"])
    broken = dict(data, passed="no")
    with pytest.raises(jsonschema.ValidationError):
        validate("gate", broken)


def test_diff_and_runs_json_validate(tmp_path: Path) -> None:
    folder, db = tmp_path / "registry", tmp_path / "audits.sqlite"
    shutil.copytree(ROOT / "examples/models", folder)
    assert run_cli("audit", str(folder), "--db", str(db)).code == 0
    readme = folder / "acme__sentiment-bert" / "README.md"
    readme.write_text(readme.read_text().replace("license: apache-2.0", "license: cc-by-nc-4.0"))
    shutil.rmtree(folder / "acme__bare-card")
    assert run_cli("audit", str(folder), "--db", str(db)).code == 0
    diff = json.loads(run_cli("diff", "--db", str(db), "-f", "json").stdout)
    validate("diff", diff)
    assert diff["models"] and diff["removed"] == ["acme/bare-card"]
    runs = json.loads(run_cli("runs", "--db", str(db), "-f", "json").stdout)
    validate("runs", runs)
    assert [r["id"] for r in runs["runs"]] == [2, 1]


def test_lineage_and_explain_json_validate() -> None:
    lineage = run_cli("lineage", "examples/models", "-f", "json")
    assert lineage.code == 0, lineage.stderr
    data = json.loads(lineage.stdout)
    validate("lineage", data)
    assert any(m["lineage"] for m in data["models"])
    explain = run_cli("explain", "examples/models", "-f", "json")
    assert explain.code == 0, explain.stderr
    data = json.loads(explain.stdout)
    validate("explain", data)
    assert len(data["models"]) == 6
