"""The CI examples in examples/ci and the pre-commit hook definition really gate a folder of
model cards: their cardaudit commands are read from the files and run."""

from __future__ import annotations

import json
import shlex
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.cli.scenario import ROOT, run_cli


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "tests/fixtures/registry", tmp_path / "models")
    shutil.copy(ROOT / "examples/exemptions.yaml", tmp_path / "exemptions.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _command(line: str) -> list[str]:
    args = shlex.split(line)
    assert args[0] == "cardaudit"
    return args[1:]


def test_github_actions_workflow_produces_sarif_and_fails_on_a_violation(repo: Path) -> None:
    workflow = yaml.safe_load((ROOT / "examples/ci/github-actions.yml").read_text())
    steps = workflow["jobs"]["cardaudit"]["steps"]
    line = next(s["run"] for s in steps if "cardaudit check" in str(s.get("run", "")))
    upload = next(s for s in steps if "upload-sarif" in str(s.get("uses", "")))
    run = run_cli(*_command(line))
    assert run.code == 1  # acme/llama-ft: the example exemption covers another model
    log = json.loads((repo / upload["with"]["sarif_file"]).read_text())
    assert log["version"] == "2.1.0" and log["runs"][0]["results"]


def test_gitlab_job_writes_junit_and_passes_once_the_registry_complies(repo: Path) -> None:
    job = yaml.safe_load((ROOT / "examples/ci/gitlab-ci.yml").read_text())["cardaudit"]
    line = next(s for s in job["script"] if s.startswith("cardaudit"))
    report = job["artifacts"]["reports"]["junit"]
    assert run_cli(*_command(line)).code == 1
    assert ET.parse(repo / report).getroot().find("testsuite").get("failures") == "1"
    shutil.rmtree(repo / "models" / "acme__llama-ft")
    assert run_cli(*_command(line)).code == 0


def test_pre_commit_hook_checks_the_committed_cards(repo: Path) -> None:
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    config = yaml.safe_load((ROOT / "examples/ci/pre-commit-config.yaml").read_text())
    args = config["repos"][0]["hooks"][0]["args"]
    import re

    files = [str(p.relative_to(repo)) for p in sorted(repo.rglob("*"))
             if re.search(hook["files"], str(p.relative_to(repo)))]
    assert files == ["models/acme__classifier/README.md", "models/acme__encoder/README.md",
                     "models/acme__llama-ft/README.md"]
    entry = _command(hook["entry"])
    assert run_cli(*entry, *args, *files[:2]).code == 0
    assert run_cli(*entry, *args, *files).code == 1
