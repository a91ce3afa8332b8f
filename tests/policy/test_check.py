"""The policy gate over a small registry: verdicts, exit codes, exemptions and expiry."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.cli.scenario import ROOT, run_cli

REGISTRY = ROOT / "tests/fixtures/registry"


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "models"
    shutil.copytree(REGISTRY, target)
    monkeypatch.chdir(tmp_path)
    return target


def _apache_only(registry: Path) -> None:
    shutil.rmtree(registry / "acme__llama-ft")


def _exemptions(tmp_path: Path, expires: str) -> Path:
    path = tmp_path / "exemptions.yaml"
    path.write_text(
        "schema_version: 1\nexemptions:\n  - model: acme/llama-ft\n"
        "    clause: license.allow_categories\n    reason: approved by legal (LEGAL-1)\n"
        f"    owner: legal@acme.example\n    expires: {expires}\n"
        "  - model: acme/llama-ft\n    clause: license.require_commercial_use\n"
        f"    reason: approved\n    owner: legal@acme.example\n    expires: {expires}\n"
        "  - model: acme/not-in-this-run\n    rule: CA-DOC-003\n    reason: r\n"
        "    owner: o\n    expires: 2099-01-01\n")
    return path


def test_permissive_only_passes_an_apache_registry(registry: Path) -> None:
    _apache_only(registry)
    run = run_cli("check", "models", "--policy", "permissive-only", "--width", "160")
    assert run.code == 0, run.stdout
    assert "2 passed, 0 failed" in run.stdout


def test_a_llama_model_fails_naming_model_and_clause(registry: Path) -> None:
    run = run_cli("check", "models", "--policy", "permissive-only", "-f", "json")
    assert run.code == 1
    data = json.loads(run.stdout)
    failed = [m for m in data["models"] if m["verdict"] == "fail"]
    assert [m["id"] for m in failed] == ["acme/llama-ft"]
    assert {v["clause"] for v in failed[0]["violations"]} == {"license.allow_categories"}


def test_future_exemption_lets_it_pass_and_unused_ones_are_listed(registry: Path,
                                                                 tmp_path: Path) -> None:
    path = _exemptions(tmp_path, "2099-12-31")
    run = run_cli("check", "models", "--policy", "permissive-only", "--exemptions", str(path),
                  "-f", "json")
    assert run.code == 0, run.stdout
    data = json.loads(run.stdout)
    llama = next(m for m in data["models"] if m["id"] == "acme/llama-ft")
    assert llama["verdict"] == "pass"
    assert all(not v["blocking"] for v in llama["violations"])
    assert [u["model"] for u in data["unused_exemptions"]] == ["acme/llama-ft",
                                                               "acme/not-in-this-run"]


def test_the_same_exemption_expired_fails(registry: Path, tmp_path: Path) -> None:
    path = _exemptions(tmp_path, "2025-12-31")
    run = run_cli("check", "models", "--policy", "permissive-only", "--exemptions", str(path),
                  "--width", "200")
    assert run.code == 1
    assert "exemption expired on 2025-12-31" in run.stdout


def test_models_that_cannot_be_audited_fail_closed_unless_on_error_warn(
        registry: Path, tmp_path: Path) -> None:
    (registry / "acme__encoder" / "README.md").unlink()
    (registry / "acme__encoder" / "config.json").write_text("{}")
    (registry / "acme__broken").mkdir()
    (registry / "acme__broken" / "README.md").write_bytes(b"\xff\xfe\x00garbage")
    run = run_cli("check", "models", "--policy", "commercial-use", "-f", "json")
    assert run.code == 1
    policy = tmp_path / "warn.yaml"
    policy.write_text("schema_version: 1\nname: lenient\non_error: warn\n")
    assert run_cli("check", "models", "--policy", str(policy)).code == 0


def test_policy_file_errors_name_file_and_line(registry: Path, tmp_path: Path) -> None:
    policy = tmp_path / "bad.yaml"
    policy.write_text("schema_version: 1\nname: bad\nlicenses:\n  allow_categories: "
                      "[permisive]\n")
    run = run_cli("check", "models", "--policy", str(policy))
    assert run.code == 2
    assert run.stderr.startswith(f"error: {policy}:4: licenses.allow_categories[0]: "
                                 "'permisive' is not one of")
    missing = run_cli("check", "models", "--policy", "no-such-policy")
    assert missing.code == 2 and "shipped policies" in missing.stderr


def test_registry_policy_example_checks_disclosure_scores_and_regraded_rules(
        registry: Path) -> None:
    policy = str(ROOT / "examples/policies/registry.yaml")
    run = run_cli("check", "models", "--policy", policy, "-f", "json")
    verdicts = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    assert run.code == 1
    assert verdicts["acme/encoder"]["verdict"] == "pass"
    assert {v["clause"] for v in verdicts["acme/llama-ft"]["violations"]} == {"data.min_level"}
    (registry / "acme__encoder" / "README.md").write_text(
        "---\nlicense: my-terms\ndatasets: [imdb]\n---\n# E\n")
    run = run_cli("check", "models", "--policy", policy, "-f", "json")
    encoder = next(m for m in json.loads(run.stdout)["models"] if m["id"] == "acme/encoder")
    clauses = {(v["clause"], v["rule"]) for v in encoder["violations"]}
    # CA-LIC-003 is re-graded to critical, and the policy fails on critical
    assert ("rules.fail_on", "CA-LIC-003") in clauses
    assert ("license.require_commercial_use", None) in clauses
    assert ("scores.min", None) in clauses


def test_shipped_policies_load(registry: Path) -> None:
    for name in ("permissive-only", "commercial-use", "research-ok", "eu-gpai-transparency"):
        run = run_cli("check", "models", "--policy", name, "-q")
        assert run.code in (0, 1), (name, run.stderr)


@pytest.mark.parametrize("policy", ["permissive-only", "commercial-use"])
def test_an_apache_license_that_covers_only_the_code_fails_the_license_policies(
        registry: Path, policy: str) -> None:
    _apache_only(registry)
    split = registry / "acme__split-license"
    split.mkdir()
    (split / "README.md").write_text(
        "---\nlicense: apache-2.0\n---\n# Split\n\n## License\n\nThe code is released under "
        "the Apache-2.0 license. The model weights are licensed under the Acme Model License "
        "(registration required for commercial use).\n")
    by_clause = {v["clause"]: v for v in _only_failure(policy, "acme/split-license")}
    # the weights' own license decides commercial use, so the declared one no longer says yes
    assert set(by_clause) == {"rules.require", "license.require_commercial_use"}
    assert by_clause["rules.require"]["rule"] == "CA-LIC-015"
    assert by_clause["rules.require"]["evidence"]["line"] == 8


HEAD = "schema_version: 1\nname: p\n"


@pytest.mark.parametrize(("text", "line", "message"), [
    ("name: p\n", 1, "schema_version: expected schema_version: 1"),
    ("schema_version: 1\n", 1, "a policy needs a name"),
    (HEAD + "colour: red\n", 3, "colour: unknown key 'colour'"),
    (HEAD + "licenses: [mit]\n", 3, "licenses: expected a mapping"),
    (HEAD + "licenses:\n  allow_categories: permissive\n", 4,
     "licenses.allow_categories: expected a list"),
    (HEAD + "licenses:\n  allow: mit\n", 4, "licenses.allow: expected a list of license ids"),
    (HEAD + "licenses:\n  require_commercial_use: maybe\n", 4,
     "licenses.require_commercial_use: expected true or false"),
    (HEAD + "gate:\n  max_level: locked\n", 4, "gate.max_level: 'locked' is not one of"),
    (HEAD + "data:\n  min_level: some\n", 4, "data.min_level: 'some' is not one of"),
    (HEAD + "data:\n  inherit: yes please\n", 4, "data.inherit: expected true or false"),
    (HEAD + "scores:\n  min:\n    overall: 101\n", 5,
     "scores.min.overall: expected a score from 0 to 100"),
    (HEAD + "scores:\n  min:\n    beauty: 50\n", 5, "scores.min.beauty: unknown key 'beauty'"),
    (HEAD + "rules:\n  require: [CA-NOPE-001]\n", 4, "rules.require[0]: unknown rule "
                                                     "'CA-NOPE-001'"),
    (HEAD + "rules:\n  disable: CA-DOC-001\n", 4, "rules.disable: expected a list of rule ids"),
    (HEAD + "rules:\n  severity:\n    CA-DOC-001: huge\n", 5,
     "rules.severity.CA-DOC-001: 'huge' is not one of"),
    (HEAD + "on_error: ignore\n", 3, "on_error: 'ignore' is not one of"),
    (HEAD + "fail_on: sometimes\n", 3, "fail_on: 'sometimes' is not one of"),
])
def test_every_broken_policy_is_one_error_naming_file_line_and_key(
        registry: Path, tmp_path: Path, text: str, line: int, message: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(text)
    run = run_cli("check", "models", "--policy", str(policy))
    assert run.code == 2 and run.stdout == ""
    first = run.stderr.splitlines()[0]
    assert first.startswith(f"error: {policy}:{line}: "), run.stderr
    assert message in first, run.stderr
    assert "Traceback" not in run.stderr


EXEMPTION = "  - model: acme/llama-ft\n    reason: r\n    owner: o\n    expires: 2099-01-01\n"


@pytest.mark.parametrize(("text", "message"), [
    ("schema_version: 2\nexemptions: []\n", "expected schema_version: 1"),
    ("schema_version: 1\nexemptions: {}\n", "exemptions: expected a list"),
    ("schema_version: 1\nexemptions:\n" + EXEMPTION, "give exactly one of 'clause' or 'rule'"),
    ("schema_version: 1\nexemptions:\n  - model: acme/llama-ft\n    clause: gate.max_level\n"
     "    owner: o\n    expires: 2099-01-01\n", "an exemption needs 'reason'"),
    ("schema_version: 1\nexemptions:\n" + EXEMPTION + "    clause: licence.allow\n",
     "unknown clause 'licence.allow'"),
    ("schema_version: 1\nexemptions:\n" + EXEMPTION + "    rule: CA-NOPE-001\n",
     "unknown rule 'CA-NOPE-001'"),
    ("schema_version: 1\nexemptions:\n" + EXEMPTION.replace("2099-01-01", "next year")
     + "    rule: CA-DOC-001\n", "expected a date YYYY-MM-DD"),
    ("schema_version: 1\nexemptions:\n" + EXEMPTION + "    rule: CA-DOC-001\n    why: x\n",
     "unknown key 'why'"),
])
def test_every_broken_exemptions_file_is_one_error(registry: Path, tmp_path: Path, text: str,
                                                   message: str) -> None:
    path = tmp_path / "exemptions.yaml"
    path.write_text(text)
    run = run_cli("check", "models", "--policy", "permissive-only", "--exemptions", str(path))
    assert run.code == 2 and run.stdout == ""
    first = run.stderr.splitlines()[0]
    assert first.startswith(f"error: {path}:") and message in first, run.stderr


@pytest.mark.parametrize("policy", ["permissive-only", "commercial-use"])
def test_a_gate_form_that_restricts_use_fails_the_license_policies(registry: Path,
                                                                   policy: str) -> None:
    """An MIT model whose gate asks users to agree to non-commercial use only passed both."""
    _apache_only(registry)
    gated = registry / "acme__gated-nc"
    gated.mkdir()
    (gated / "README.md").write_text(
        "---\nlicense: mit\nextra_gated_prompt: Access is granted for research use only.\n"
        "extra_gated_fields:\n  Company: text\n---\n# Gated\n\nClassifies tickets.\n")
    (violation,) = _only_failure(policy, "acme/gated-nc")
    assert (violation["clause"], violation["rule"], violation["evidence"]["line"]) == (
        "rules.require", "CA-GATE-007", 3)


def _only_failure(policy: str, model_id: str) -> list[dict[str, Any]]:
    """`check models --policy POLICY` fails exactly `model_id`: its violations."""
    run = run_cli("check", "models", "--policy", policy, "-f", "json")
    assert run.code == 1
    failed = [m for m in json.loads(run.stdout)["models"] if m["verdict"] == "fail"]
    assert [m["id"] for m in failed] == [model_id]
    violations: list[dict[str, Any]] = failed[0]["violations"]
    return violations


def _derivative_registry(tmp_path: Path) -> tuple[Path, Path]:
    """A fine-tune declared apache-2.0 whose base is non-commercial."""
    bases, models = tmp_path / "bases", tmp_path / "models"
    (bases / "org__nc-base").mkdir(parents=True)
    (bases / "org__nc-base/README.md").write_text("---\nlicense: cc-by-nc-4.0\n---\n# Base\n")
    (models / "acme__ft").mkdir(parents=True)
    (models / "acme__ft/README.md").write_text(
        "---\nlicense: apache-2.0\nbase_model: org/nc-base\n---\n# Fine-tune\n")
    return bases, models


def test_an_ancestors_license_must_meet_the_policy_too(tmp_path: Path) -> None:
    """A base's terms bind its fine-tunes whatever license they declare: a fine-tune of a
    non-commercial base, declared apache-2.0, is not fit for commercial use."""
    bases, models = _derivative_registry(tmp_path)
    run = run_cli("check", str(models), "--lineage-dir", str(bases), "--policy",
                  "commercial-use", "-f", "json")
    assert run.code == 1, run.stdout
    [model] = json.loads(run.stdout)["models"]
    violations = {(v["clause"], v["message"]) for v in model["violations"]}
    assert ("license.ancestors", "ancestor org/nc-base: commercial use is not allowed under "
            "cc-by-nc-4.0") in violations
    assert ("license.ancestors", "ancestor org/nc-base: license cc-by-nc-4.0 is non_commercial, "
            "which the policy denies") in violations
    policy = tmp_path / "own.yaml"
    policy.write_text("schema_version: 1\nname: own\nlicenses:\n  require_commercial_use: true\n"
                      "  check_ancestors: false\n")
    assert run_cli("check", str(models), "--lineage-dir", str(bases), "--policy",
                   str(policy)).code == 0


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_the_lookup_hint_is_given_once_for_every_unresolved_ancestor(tmp_path: Path,
                                                                     fmt: str) -> None:
    """Forty fine-tunes of bases not on disk gave forty copies of the same two-line hint in
    the table, and the Markdown summary (a PR comment) left the warnings out."""
    _, models = _derivative_registry(tmp_path)
    (models / "acme__ft2").mkdir()
    (models / "acme__ft2/README.md").write_text(
        "---\nlicense: mit\nbase_model: org/nc-base\n---\n# Another fine-tune\n")
    run = run_cli("check", str(models), "--policy", "commercial-use", "-f", fmt,
                  "--width", "200")
    assert run.code == 0, run.stdout
    text = " ".join(run.stdout.split())
    assert text.count("warning: ancestor org/nc-base could not be looked up (unresolvable): "
                      "its license is unchecked") == 2
    assert text.count("--lineage-dir") == 1
    assert "1 ancestor(s) not looked up: add their folders with --lineage-dir, or ask the Hub " \
        "with --lineage-hub" in text


def test_an_ancestor_not_looked_up_is_a_warning_naming_it(tmp_path: Path) -> None:
    _, models = _derivative_registry(tmp_path)
    run = run_cli("check", str(models), "--policy", "commercial-use", "-f", "json")
    assert run.code == 0, run.stdout
    [model] = json.loads(run.stdout)["models"]
    assert model["warnings"] == ["ancestor org/nc-base could not be looked up (unresolvable): "
                                 "its license is unchecked; add its folder with --lineage-dir, "
                                 "or ask the Hub with --lineage-hub"]


def _card(folder: Path, front: str, body: str = "A model. Use it with transformers.\n") -> None:
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(f"---\n{front}---\n# {folder.name}\n\n{body}")


def _inherit_policy(tmp_path: Path, inherit: bool) -> Path:
    policy = tmp_path / f"inherit-{inherit}.yaml"
    policy.write_text("schema_version: 1\nname: data\ndata:\n  min_level: disclosed_partial\n"
                      f"  inherit: {str(inherit).lower()}\n")
    return policy


@pytest.fixture
def derivatives(tmp_path: Path) -> tuple[Path, Path]:
    """Bases: one that names its data, one silent. Models: a quantization of the first, a
    merge of both, a fine-tune of a base not on disk."""
    bases, models = tmp_path / "bases", tmp_path / "models"
    _card(bases / "org__wiki-base", "license: mit\ndatasets:\n- wikitext\n")
    _card(bases / "org__silent", "license: mit\n")
    _card(models / "acme__quant-GGUF", "license: mit\nbase_model: org/wiki-base\n")
    _card(models / "acme__merge", "license: mit\nbase_model:\n- org/wiki-base\n- org/silent\n")
    _card(models / "acme__lost-ft", "license: mit\nbase_model: org/not-here\n")
    return bases, models


def _verdicts(bases: Path, models: Path, policy: Path) -> dict[str, Any]:
    run = run_cli("check", str(models), "--lineage-dir", str(bases), "--policy", str(policy),
                  "-f", "json")
    assert run.code in (0, 1), run.stderr
    return {m["id"]: m for m in json.loads(run.stdout)["models"]}


def test_a_derivative_may_meet_the_data_level_with_what_its_bases_disclose(
        tmp_path: Path, derivatives: tuple[Path, Path]) -> None:
    """A quantization's card rarely repeats its base's data story: with `data.inherit` the
    base's disclosure counts for it. A merge needs every parent's line to disclose; a base
    that could not be looked up gives nothing."""
    bases, models = derivatives
    verdicts = _verdicts(bases, models, _inherit_policy(tmp_path, True))
    assert verdicts["acme/quant-GGUF"]["verdict"] == "pass"
    [merge] = verdicts["acme/merge"]["violations"]
    assert merge["message"] == ("training data is not_disclosed (its bases: not_disclosed); the "
                                "policy needs at least disclosed_partial")
    [lost] = verdicts["acme/lost-ft"]["violations"]
    assert "(its bases: unknown)" in lost["message"]
    run = run_cli("audit", str(models), "--lineage-dir", str(bases), "-f", "json", "--no-store")
    levels = {m["id"]: m["lineage"]["inherited_level"] for m in json.loads(run.stdout)["models"]}
    assert levels == {"acme/quant-GGUF": "disclosed_available", "acme/merge": "not_disclosed",
                      "acme/lost-ft": None}
    strict = _verdicts(bases, models, _inherit_policy(tmp_path, False))
    assert strict["acme/quant-GGUF"]["verdict"] == "fail"
    assert strict["acme/quant-GGUF"]["violations"][0]["message"] == (
        "training data is not_disclosed; the policy needs at least disclosed_partial")


def _card_in(root: Path, model_id: str, front: str) -> None:
    folder = root / model_id.replace("/", "__")
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(f"---\nlicense: apache-2.0\n{front}---\n# {model_id}\n")


def test_a_policy_can_deny_models_from_a_country_by_their_root_bases(tmp_path: Path) -> None:
    """Origin by Hub namespace (rules/orgs.yaml): a fine-tune of a fine-tune of Qwen comes from
    CN whatever org uploaded it; a base not looked up counts by its own namespace; a model
    without base_model by its own organization; a re-packager's upload by its family's maker."""
    bases, models = tmp_path / "bases", tmp_path / "models"
    _card_in(bases, "Qwen/Qwen2.5-7B", "")
    _card_in(bases, "someone/qwen-ft", "base_model: Qwen/Qwen2.5-7B\n")
    _card_in(models, "acme/chained-ft", "base_model: someone/qwen-ft\n")
    _card_in(models, "acme/unlooked-ft", "base_model: deepseek-ai/DeepSeek-R1\n")
    _card_in(models, "acme/llama-ft", "base_model: meta-llama/Llama-3.1-8B\n")
    _card_in(models, "acme/merge", "base_model:\n- meta-llama/Llama-3.1-8B\n- Qwen/Qwen2.5-7B\n")
    _card_in(models, "Qwen/Qwen2.5-7B", "")
    _card_in(models, "unsloth/DeepSeek-R1-Distill-Qwen-7B", "")
    _card_in(models, "acme/own", "")
    policy = tmp_path / "no-cn.yaml"
    policy.write_text("schema_version: 1\nname: no-cn\norigin:\n  deny_countries: [cn]\n")
    run = run_cli("check", str(models), "--lineage-dir", str(bases), "--policy", str(policy),
                  "-f", "json")
    assert run.code == 1, run.stderr
    verdicts = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    failed = {i: [v["message"] for v in m["violations"]] for i, m in verdicts.items()
              if m["verdict"] == "fail"}
    assert failed == {
        "acme/chained-ft": ["built on Qwen/Qwen2.5-7B (CN); the policy denies models from CN"],
        "acme/unlooked-ft": ["built on deepseek-ai/DeepSeek-R1 (CN); the policy denies models "
                             "from CN"],
        "acme/merge": ["built on Qwen/Qwen2.5-7B (CN); the policy denies models from CN"],
        "Qwen/Qwen2.5-7B": ["comes from CN; the policy denies models from CN"],
        "unsloth/DeepSeek-R1-Distill-Qwen-7B": ["comes from CN; the policy denies models from "
                                                "CN"]}
    assert verdicts["acme/chained-ft"]["violations"][0]["clause"] == "origin.deny_countries"
    assert verdicts["acme/chained-ft"]["violations"][0]["evidence"]["field"] == "base_model"
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema_version: 1\nname: b\norigin:\n  deny_countries: [China]\n")
    run = run_cli("check", str(models), "--policy", str(broken))
    assert run.code == 2 and "origin.deny_countries: expected a list of two-letter country " \
        "codes" in run.stderr
