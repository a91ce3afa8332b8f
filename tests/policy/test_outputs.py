"""CI outputs of the gate: SARIF 2.1.0 (validated against the vendored schema), JUnit, the
GitHub step summary."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from tests.cli.scenario import ROOT, run_cli

SARIF_SCHEMA = json.loads((ROOT / "tests/schemas/sarif-schema-2.1.0.json").read_text())


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "tests/fixtures/registry", tmp_path / "models")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "models"


def _sarif(*extra: str) -> dict:  # type: ignore[type-arg]
    run = run_cli("check", "models", "--policy", "permissive-only", "-f", "sarif", *extra)
    assert run.code == 1, run.stderr
    return json.loads(run.stdout)


def test_sarif_validates_and_locates_results_at_readme_lines(registry: Path) -> None:
    log = _sarif()
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=None).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and "CA-LIC-002" in ids
    lic002 = next(r for r in rules if r["id"] == "CA-DOC-003")
    assert "Fix:" in lic002["help"]["text"] and lic002["help"]["markdown"]
    policy = [r for r in run["results"] if r["ruleId"] == "policy/license.allow_categories"]
    assert len(policy) == 1
    location = policy[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "models/acme__llama-ft/README.md"
    assert location["region"]["startLine"] == 2
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_fingerprints_are_stable_when_lines_move(registry: Path) -> None:
    before = {(r["ruleId"], r["partialFingerprints"]["cardaudit/v1"])
              for r in _sarif()["runs"][0]["results"]}
    readme = registry / "acme__llama-ft" / "README.md"
    readme.write_text("\n\n" + readme.read_text())
    moved = _sarif()["runs"][0]["results"]
    assert {(r["ruleId"], r["partialFingerprints"]["cardaudit/v1"]) for r in moved} == before
    policy = next(r for r in moved if r["ruleId"] == "policy/license.allow_categories")
    assert policy["locations"][0]["physicalLocation"]["region"]["startLine"] == 4


def test_exempted_violations_are_suppressed_in_sarif(registry: Path, tmp_path: Path) -> None:
    path = tmp_path / "ex.yaml"
    path.write_text("schema_version: 1\nexemptions:\n  - model: acme/llama-ft\n"
                    "    clause: license.allow_categories\n    reason: ok\n    owner: me\n"
                    "    expires: 2099-01-01\n")
    run = run_cli("check", "models", "--policy", "permissive-only", "-f", "sarif",
                  "--exemptions", str(path))
    assert run.code == 0
    result = next(r for r in json.loads(run.stdout)["runs"][0]["results"]
                  if r["ruleId"] == "policy/license.allow_categories")
    assert result["suppressions"][0]["kind"] == "external"


def test_junit_has_one_case_per_model_and_failures(registry: Path) -> None:
    run = run_cli("check", "models", "--policy", "permissive-only", "-f", "junit")
    root = ET.fromstring(run.stdout)
    cases = root.findall(".//testcase")
    assert [c.get("name") for c in cases] == ["acme/classifier", "acme/encoder", "acme/llama-ft"]
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["acme/llama-ft"]
    assert "license.allow_categories" in (failed[0].find("failure").text or "")
    assert root.find("testsuite").get("failures") == "1"


def test_github_step_summary_is_appended(registry: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n")
    run = run_cli("check", "models", "--policy", "permissive-only", "-q",
                  env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.code == 1
    text = summary.read_text()
    assert text.startswith("previous step\n## cardaudit policy `permissive-only`: ❌ failed")
    assert "acme/llama-ft | **FAIL**" in text


@pytest.mark.parametrize("where", ["folder", "missing"])
def test_a_step_summary_that_cannot_be_written_warns_and_the_verdict_stands(
        registry: Path, tmp_path: Path, where: str) -> None:
    summary = tmp_path if where == "folder" else tmp_path / "no" / "such" / "summary.md"
    out = tmp_path / "gate.json"
    run = run_cli("check", "models", "--policy", "permissive-only", "-q", "-o", str(out),
                  env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.code == 1, run.stderr
    assert json.loads(out.read_text())["passed"] is False
    assert run.stderr.count("\n") == 1 and "warning: cannot append to GITHUB_STEP_SUMMARY" \
        in run.stderr


def test_hostile_card_text_stays_text_in_sarif_junit_and_markdown(registry: Path) -> None:
    evil = registry / "acme__evil"
    evil.mkdir()
    (evil / "README.md").write_text("---\nlicense: \"</failure><script>x</script>\u202e\"\n---\n"
                                    "# e\n")
    sarif_out = run_cli("check", "models", "-p", "permissive-only", "-f", "sarif").stdout
    assert "\u202e" not in sarif_out
    jsonschema.validate(json.loads(sarif_out), SARIF_SCHEMA)
    junit_out = run_cli("check", "models", "-p", "permissive-only", "-f", "junit").stdout
    ET.fromstring(junit_out)
    assert "<script>" not in junit_out
    md = run_cli("check", "models", "-p", "permissive-only", "-f", "markdown").stdout
    assert "<script>" not in md and "&lt;script&gt;" in md


def test_csv_lists_every_model_and_each_violation_or_exemption(registry: Path,
                                                               tmp_path: Path) -> None:
    import csv
    import io
    path = tmp_path / "ex.yaml"
    path.write_text("schema_version: 1\nexemptions:\n  - model: acme/llama-ft\n"
                    "    clause: license.allow_categories\n    reason: ok\n    owner: me\n"
                    "    expires: 2099-01-01\n")
    for extra, code, kind, verdict in (((), 1, "violation", "fail"),
                                        (("--exemptions", str(path)), 0, "exempted", "pass")):
        run = run_cli("check", "models", "--policy", "permissive-only", "-f", "csv", *extra)
        assert run.code == code, run.stderr
        rows = list(csv.DictReader(io.StringIO(run.stdout)))
        assert [r["model"] for r in rows if r["model"] != "acme/llama-ft"] == [
            "acme/classifier", "acme/encoder"]
        assert all(r["verdict"] == "pass" and r["kind"] == "" for r in rows
                   if r["model"] != "acme/llama-ft")
        [llama] = [r for r in rows if r["model"] == "acme/llama-ft" and r["kind"] != "warning"]
        [warning] = [r for r in rows if r["kind"] == "warning"]  # its base is not on disk
        assert warning["message"].startswith("ancestor meta-llama/Llama-3.1-8B could not be")
        assert (llama["verdict"], llama["kind"], llama["clause"]) == (
            verdict, kind, "license.allow_categories")
        assert llama["message"].startswith("license ")


def test_the_table_gives_each_violation_of_a_model_its_own_line() -> None:
    """acme/bare-card breaks two clauses of the example policy; the table used to run them
    together ("…needs at least disclosed_partial scores.min: …") as one sentence."""
    run = run_cli("check", str(ROOT / "examples/models/acme__bare-card"), "--policy",
                  str(ROOT / "examples/policies/registry.yaml"), "--width", "200")
    assert run.code == 1, run.stderr
    lines = [line.strip() for line in run.stdout.splitlines()]
    assert any(line.startswith("acme/bare-card") and line.endswith(
        "data.min_level: training data is not_disclosed; the policy needs at least "
        "disclosed_partial") for line in lines), run.stdout
    assert any(line.startswith("scores.min: documentation score") for line in lines), run.stdout
