"""Lineage for local model folders: ancestors among the run's own targets or in --lineage-dir;
unknown (never pass) when an ancestor is not found; the procurement report and `lineage`
command show the inherited terms."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cardaudit.errors import RuleError
from cardaudit.lineage.origin import load_origins
from tests.cli.scenario import ROOT, run_cli

SCHEMA = json.loads((ROOT / "src/cardaudit/reports/schema/report-v1.json").read_text())


def folder(root: Path, model_id: str, license_: str, parents: tuple[str, ...] = (),
           body: str = "") -> Path:
    path = root / model_id.replace("/", "__")
    path.mkdir(parents=True)
    bases = "".join(f"- {p}\n" for p in parents)
    front = f"license: {license_}\n" + (f"base_model:\n{bases}" if parents else "")
    (path / "README.md").write_text(f"---\n{front}---\n# {model_id}\n\n{body}\n")
    return path


def lineage_findings(stdout: str) -> dict[str, dict[str, str]]:
    return {m["id"]: {f["rule"]: f["outcome"] for f in m["findings"]
                      if f["rule"].startswith("CA-LIN")}
            for m in json.loads(stdout)["models"]}


def audit_one(tmp_path: Path, base: str, base_license: str, model: str, declared: str,
              parent: str | None = None) -> tuple[dict[str, Any], str]:
    """Audit one model (its base_model `parent`, else `base`) with `base` in --lineage-dir:
    its report row, checked against the schema, and the JSON text."""
    bases, models = tmp_path / "bases", tmp_path / "models"
    folder(bases, base, base_license)
    folder(models, model, declared, (parent or base,))
    run = run_cli("audit", str(models), "--lineage-dir", str(bases), "-f", "json")
    assert run.code == 0, run.stderr
    jsonschema.validate(json.loads(run.stdout), SCHEMA)
    return json.loads(run.stdout)["models"][0], run.stdout


def test_ancestors_come_from_lineage_dir(tmp_path: Path) -> None:
    row, stdout = audit_one(tmp_path, "meta-llama/Llama-3.1-8B", "llama3.1", "acme/chat-ft",
                            "apache-2.0")
    assert row["lineage"]["root"] == "meta-llama/Llama-3.1-8B"
    assert row["lineage"]["root_family"] == "Llama"
    outcomes = lineage_findings(stdout)["acme/chat-ft"]
    assert outcomes["CA-LIN-001"] == "pass"
    assert outcomes["CA-LIN-002"] == "fail"  # apache-2.0 declared on a Llama base
    assert outcomes["CA-LIN-003"] == "fail"  # "chat-ft" does not start with "Llama"
    assert outcomes["CA-LIN-004"] == "fail"  # no "Built with Llama"
    kinds = {o["kind"] for o in row["lineage"]["inherited_obligations"]}
    assert {"naming", "attribution", "user_cap", "aup"} <= kinds


def test_a_root_uploaded_by_a_repackager_has_its_makers_country(tmp_path: Path) -> None:
    """unsloth/Meta-Llama-3.1-8B is Meta's Llama re-uploaded: its origin is Meta's country."""
    row, _ = audit_one(tmp_path, "unsloth/Meta-Llama-3.1-8B", "llama3.1",
                       "acme/Llama-3.1-chat-ft", "llama3.1")
    lineage = row["lineage"]
    assert (lineage["root_org"], lineage["root_family"], lineage["root_country"]) == (
        "unsloth", "Llama", "US")


def test_a_family_maker_that_is_not_a_name_is_a_file_line_error(tmp_path: Path) -> None:
    (tmp_path / "reference").mkdir()
    (tmp_path / "orgs.yaml").write_text((ROOT / "rules/orgs.yaml").read_text())
    (tmp_path / "reference/lists.yaml").write_text(
        (ROOT / "rules/reference/lists.yaml").read_text())
    (tmp_path / "reference/families.yaml").write_text(
        "schema_version: 1\nfamilies:\n  - {family: Llama, orgs: [meta-llama]}\n"
        "  - {family: Gemma, maker: [google]}\n")
    with pytest.raises(RuleError, match=r"families.yaml:4: families\[1\]: maker: expected"):
        load_origins(tmp_path)


def test_a_base_model_given_as_its_hub_address_is_looked_up_by_id(tmp_path: Path) -> None:
    """`base_model: https://huggingface.co/org/m` (the Hub refuses it, cards still carry it)
    was an unresolvable ancestor, so every lineage finding was unknown."""
    row, stdout = audit_one(tmp_path, "meta-llama/Llama-3.1-8B", "llama3.1", "acme/chat-ft",
                            "apache-2.0", "https://huggingface.co/meta-llama/Llama-3.1-8B")
    assert row["lineage"]["root"] == "meta-llama/Llama-3.1-8B"
    assert lineage_findings(stdout)["acme/chat-ft"]["CA-LIN-002"] == "fail"


def test_an_ancestor_among_the_targets_is_used(tmp_path: Path) -> None:
    folder(tmp_path, "org/nc-base", "cc-by-nc-4.0")
    folder(tmp_path, "acme/derived", "mit", ("org/nc-base",))
    run = run_cli("audit", str(tmp_path), "-f", "json")
    rows = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    drift = rows["acme/derived"]["lineage"]["drift"]
    assert [d["ancestor"] for d in drift] == ["org/nc-base"]
    assert lineage_findings(run.stdout)["acme/derived"]["CA-LIN-002"] == "fail"
    assert rows["org/nc-base"]["lineage"] is None


def test_an_ancestor_that_is_not_found_is_unknown_not_pass(tmp_path: Path) -> None:
    folder(tmp_path, "acme/derived", "mit", ("somewhere/else",))
    run = run_cli("audit", str(tmp_path), "-f", "json")
    outcomes = lineage_findings(run.stdout)["acme/derived"]
    assert outcomes.pop("CA-LIN-007") == "not_applicable"  # one parent: no merge
    assert set(outcomes.values()) == {"unknown"}, outcomes
    # the finding says how to resolve it
    message = next(f["message"] for f in json.loads(run.stdout)["models"][0]["findings"]
                   if f["rule"] == "CA-LIN-001")
    assert message == ("unknown: ancestor(s) could not be looked up: somewhere/else "
                       "(unresolvable); add its folder with --lineage-dir, or ask the Hub with "
                       "--lineage-hub")


def test_a_card_without_base_model_has_no_lineage_findings(tmp_path: Path) -> None:
    folder(tmp_path, "acme/original", "mit")
    run = run_cli("audit", str(tmp_path), "-f", "json")
    outcomes = lineage_findings(run.stdout)["acme/original"]
    assert set(outcomes.values()) == {"not_applicable"}, outcomes


def test_a_local_cycle_fails_and_terminates(tmp_path: Path) -> None:
    folder(tmp_path, "org/a", "mit", ("org/b",))
    folder(tmp_path, "org/b", "mit", ("org/a",))
    run = run_cli("audit", str(tmp_path), "-f", "json")
    assert run.code == 0
    for outcomes in lineage_findings(run.stdout).values():
        assert outcomes["CA-LIN-001"] == "fail"


def test_a_deep_chain_is_cut_at_the_depth_limit(tmp_path: Path) -> None:
    chain = [f"org/m{i}" for i in range(12)]
    for child, parent in itertools.pairwise(chain):
        folder(tmp_path, child, "mit", (parent,))
    folder(tmp_path, chain[-1], "mit")
    run = run_cli("audit", str(tmp_path / "org__m0"), "--lineage-dir", str(tmp_path),
                  "-f", "json")
    row = json.loads(run.stdout)["models"][0]
    assert row["lineage"]["depth_limited"] is True
    assert lineage_findings(run.stdout)["org/m0"]["CA-LIN-001"] == "fail"


def test_procurement_report_lists_inherited_obligations_once(tmp_path: Path) -> None:
    bases, models = tmp_path / "bases", tmp_path / "models"
    folder(bases, "meta-llama/Llama-3.1-8B", "llama3.1", body="## Training data\n\nPretrained "
           "on fifteen trillion tokens of publicly available online text, filtered for quality, "
           "with code and multilingual data added to the mix.")
    folder(models, "acme/Llama-support", "mit", ("meta-llama/Llama-3.1-8B",))
    out = tmp_path / "report.md"
    run = run_cli("report", str(models), "--lineage-dir", str(bases), "-o", str(out))
    assert run.code == 0, run.stderr
    text = out.read_text()
    assert "**Lineage** finetune of meta-llama/Llama-3.1-8B" in text
    assert "license drift:" in text
    assert text.count("inherited **User cap** (llama3.1)") == 1
    assert "Ancestors' training data: meta-llama/Llama-3.1-8B: disclosed_partial" in text
    assert "Ancestors' licenses: meta-llama/Llama-3.1-8B: llama3.1 (community)\n" in text


def test_procurement_report_names_each_ancestor_license_and_the_unresolved(tmp_path: Path
                                                                           ) -> None:
    """A report filed for procurement names every base's license (they bind the derivative),
    and an ancestor that could not be looked up is a warning in both formats, as in `check`."""
    bases, models = tmp_path / "bases", tmp_path / "models"
    folder(bases, "acme/base", "cc-by-nc-4.0", ("lost/root",))
    folder(models, "acme/ft", "apache-2.0", ("acme/base",))
    for name in ("report.md", "report.html"):
        out = tmp_path / name
        run = run_cli("report", str(models), "--lineage-dir", str(bases), "-p", "research-ok",
                      "-o", str(out))
        assert run.code == 0, run.stderr
        text = out.read_text().replace("&#x27;", "'")
        assert ("Ancestors' licenses: acme/base: cc-by-nc-4.0 (non_commercial); lost/root: not "
                "looked up (unresolvable)") in text
        assert "warning: ancestor lost/root could not be looked up" in text
        # where nothing was found is said so, not quoted as if the card said it
        assert "not found; datasets: absent from front matter (lines 1–5)" in text
        assert "“absent" not in text and "\nabsent from" not in text


def test_lineage_command_on_a_local_folder(tmp_path: Path) -> None:
    bases, models = tmp_path / "bases", tmp_path / "models"
    folder(bases, "meta-llama/Llama-3.1-8B", "llama3.1")
    target = folder(models, "acme/Llama-q4-GGUF", "llama3.1", ("meta-llama/Llama-3.1-8B",))
    run = run_cli("lineage", str(target), "--lineage-dir", str(bases))
    assert run.code == 0, run.stderr
    assert "acme/Llama-q4-GGUF  llama3.1 (community)  ← quantized" in run.stdout
    assert "└── meta-llama/Llama-3.1-8B  llama3.1 (community)" in run.stdout
    assert "← quantized  · data not_disclosed" in run.stdout
    assert "(community)  · data not_disclosed" in run.stdout  # the base's card: no data either
    assert "not looked up" not in run.stdout
    alone = run_cli("lineage", str(target))
    assert "meta-llama/Llama-3.1-8B  [unresolvable]" in alone.stdout
    # no source was asked for it: the tree says which would be
    assert alone.stdout.rstrip().endswith("1 ancestor(s) not looked up: add their folders with "
                                          "--lineage-dir, or ask the Hub with --lineage-hub")


def test_a_card_naming_hundreds_of_bases_is_cut_at_the_ancestor_limit(tmp_path: Path) -> None:
    """A hostile card can name thousands of bases; each would be a lookup (a Hub request).
    At most MAX_ANCESTORS are looked up per model, and the cut ancestry fails CA-LIN-001."""
    from cardaudit.lineage.resolve import MAX_ANCESTORS

    bases = tuple(f"org/base-{i}" for i in range(3 * MAX_ANCESTORS))
    target = folder(tmp_path / "models", "acme/merge", "mit", bases)
    run = run_cli("audit", str(target), "-f", "json", "--no-store")
    assert run.code == 0, run.stderr
    jsonschema.validate(json.loads(run.stdout), SCHEMA)
    lineage = json.loads(run.stdout)["models"][0]["lineage"]
    assert lineage["width_limited"] is True and lineage["depth_limited"] is False
    assert len(lineage["ancestors"]) == MAX_ANCESTORS
    assert lineage_findings(run.stdout)["acme/merge"]["CA-LIN-001"] == "fail"


def test_the_lineage_tree_shows_a_shared_ancestor_once(tmp_path: Path) -> None:
    """Layers of bases that each name every base of the next layer: the paths multiply (8
    layers of 8 make 16 million), the ancestors do not. Each ancestor's subtree is printed
    once; a later mention says so."""
    width, depth = 8, 8
    layers = [[f"org/l{d}-{i}" for i in range(width)] for d in range(depth)]
    for upper, lower in itertools.pairwise(layers):
        for model_id in upper:
            folder(tmp_path / "bases", model_id, "mit", tuple(lower))
    for model_id in layers[-1]:
        folder(tmp_path / "bases", model_id, "mit")
    target = folder(tmp_path / "models", "acme/deep-merge", "mit", tuple(layers[0]))
    run = run_cli("lineage", str(target), "--lineage-dir", str(tmp_path / "bases"))
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) < 2 * width * width * depth
    assert sum("org/l1-0  mit" in line and "see above" not in line for line in lines) == 1
