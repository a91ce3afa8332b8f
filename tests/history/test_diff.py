"""`cardaudit diff`: what changed per model between two stored runs, and the regression gate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.scenario import ROOT, run_cli


def registry(tmp_path: Path) -> Path:
    folder = tmp_path / "registry"
    shutil.copytree(ROOT / "examples/models", folder)
    return folder


def edit(folder: Path, model: str, old: str, new: str) -> None:
    readme = folder / model / "README.md"
    text = readme.read_text()
    assert old in text, (model, old)
    readme.write_text(text.replace(old, new, 1))


def audit(folder: Path, db: Path) -> None:
    run = run_cli("audit", str(folder), "--db", str(db))
    assert run.code == 0, run.stderr


def test_diff_names_each_change_and_gates_on_regressions(tmp_path: Path) -> None:
    folder, db = registry(tmp_path), tmp_path / "audits.sqlite"
    audit(folder, db)
    edit(folder, "acme__sentiment-bert", "license: apache-2.0", "license: cc-by-nc-4.0")
    edit(folder, "acme__llama-chat-ft", "extra_gated_prompt", "old_gated_prompt")
    edit(folder, "acme__llama-chat-ft", "extra_gated_fields", "old_gated_fields")
    audit(folder, db)
    run = run_cli("diff", "--db", str(db), "-f", "json")
    assert run.code == 0, run.stderr
    data = json.loads(run.stdout)
    assert (data["before"]["run"], data["after"]["run"]) == (1, 2)
    changes = {m["id"]: {c["field"]: c for c in m["changes"]} for m in data["models"]}
    bert = changes["acme/sentiment-bert"]["license"]
    assert (bert["before"], bert["after"]) == ("apache-2.0 (permissive)",
                                               "cc-by-nc-4.0 (non_commercial)")
    assert bert["direction"] == "worse" and bert["note"] == "more restrictive"
    gate = changes["acme/llama-chat-ft"]["gate"]
    assert (gate["before"], gate["after"], gate["direction"]) == ("click_through", "open",
                                                                   "better")
    assert data["summary"] == {"changed": 2, "worse": 1, "better": 1, "unchanged": 4,
                               "added": 0, "removed": 0}
    gated = run_cli("diff", "--db", str(db), "--fail-on-regression")
    assert gated.code == 1 and "1 model(s) got worse" in gated.stderr
    assert "acme/sentiment-bert" in gated.stdout and "more restrictive" in gated.stdout


def test_diff_of_identical_runs_passes_the_gate(tmp_path: Path) -> None:
    folder, db = registry(tmp_path), tmp_path / "audits.sqlite"
    audit(folder, db)
    audit(folder, db)
    run = run_cli("diff", "1", "2", "--db", str(db), "--fail-on-regression")
    assert run.code == 0, run.stderr
    assert "0 changed (0 worse, 0 better), 6 unchanged" in run.stdout


def test_default_pair_skips_runs_over_other_models(tmp_path: Path) -> None:
    folder, db = registry(tmp_path), tmp_path / "audits.sqlite"
    audit(folder, db)  # run 1: the registry
    run_cli("audit", str(ROOT / "examples/models/acme__bare-card"), "--db", str(db))  # run 2
    edit(folder, "acme__broken-card", "license: mit", "license: other")
    audit(folder, db)  # run 3: the registry again
    data = json.loads(run_cli("diff", "--db", str(db), "-f", "json").stdout)
    assert (data["before"]["run"], data["after"]["run"]) == (1, 3)
    assert [m["id"] for m in data["models"]] == ["acme/broken-card"]


def test_added_and_removed_models_are_listed(tmp_path: Path) -> None:
    folder, db = registry(tmp_path), tmp_path / "audits.sqlite"
    audit(folder, db)
    shutil.rmtree(folder / "acme__bare-card")
    (folder / "acme__new-model").mkdir()
    (folder / "acme__new-model" / "README.md").write_text("---\nlicense: mit\n---\n# New\n")
    audit(folder, db)
    data = json.loads(run_cli("diff", "1", "2", "--db", str(db), "-f", "json").stdout)
    assert data["added"] == ["acme/new-model"] and data["removed"] == ["acme/bare-card"]


def test_diff_needs_two_runs(tmp_path: Path) -> None:
    folder, db = registry(tmp_path), tmp_path / "audits.sqlite"
    audit(folder, db)
    run = run_cli("diff", "--db", str(db))
    assert run.code == 2 and "diff needs two complete runs" in run.stderr
    missing = run_cli("diff", "1", "7", "--db", str(db))
    assert missing.code == 2 and "no run 7" in missing.stderr


def test_diff_as_csv_is_a_row_per_change_and_per_added_or_removed_model(tmp_path: Path) -> None:
    import csv
    import io
    folder, db = registry(tmp_path), tmp_path / "audits.sqlite"
    audit(folder, db)
    edit(folder, "acme__sentiment-bert", "license: apache-2.0", "license: cc-by-nc-4.0")
    shutil.rmtree(folder / "acme__bare-card")
    (folder / "acme__new-model").mkdir()
    (folder / "acme__new-model" / "README.md").write_text("---\nlicense: mit\n---\n# New\n")
    audit(folder, db)
    run = run_cli("diff", "--db", str(db), "-f", "csv")
    assert run.code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    data = json.loads(run_cli("diff", "--db", str(db), "-f", "json").stdout)
    assert len(rows) == sum(len(m["changes"]) for m in data["models"]) + 2
    license_row = next(r for r in rows if r["model"] == "acme/sentiment-bert"
                       and r["field"] == "license")
    assert license_row == {"model": "acme/sentiment-bert", "verdict": "worse",
                           "field": "license", "before": "apache-2.0 (permissive)",
                           "after": "cc-by-nc-4.0 (non_commercial)", "direction": "worse",
                           "note": "more restrictive"}
    assert {(r["model"], r["verdict"]) for r in rows if r["field"] == ""} == {
        ("acme/new-model", "added"), ("acme/bare-card", "removed")}


def test_diff_markdown_has_a_row_per_changed_model_and_the_summary(tmp_path: Path) -> None:
    folder, db = registry(tmp_path), tmp_path / "audits.sqlite"
    audit(folder, db)
    edit(folder, "acme__sentiment-bert", "license: apache-2.0", "license: cc-by-nc-4.0")
    audit(folder, db)
    run = run_cli("diff", "--db", str(db), "-f", "markdown")
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("# cardaudit diff: run 1 → run 2\n")
    rows = [line for line in run.stdout.splitlines() if line.startswith("| acme")]
    assert len(rows) == 1 and rows[0].startswith("| acme/sentiment-bert | worse | license: ")
    assert "1 changed (1 worse), 5 unchanged, 0 added, 0 removed." in run.stdout


def test_a_rule_that_turns_unknown_is_unjudged_not_fixed() -> None:
    from cardaudit.history.compare import compare
    from cardaudit.store.records import StoredFinding, StoredModel

    def model(*findings: tuple[str, str]) -> StoredModel:
        return StoredModel("acme/m", "hub", "here", "ok", findings=tuple(
            StoredFinding(rule, outcome, "high", "m") for rule, outcome in findings))

    before = model(("CA-LIC-001", "fail"), ("CA-DOC-003", "fail"))
    after = model(("CA-LIC-001", "unknown"))
    changes = {c.field: c for c in compare(before, after).changes}
    assert changes["fixed rules"].before == ["CA-DOC-003"]
    assert changes["unjudged rules"].before == ["CA-LIC-001"]
    assert not compare(before, after).worse and compare(before, after).better
