"""Every output format has a golden over examples/models; JSON validates against its schema."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from cardaudit.reports import FORMATS
from tests.cli.scenario import ROOT, run_cli

SCHEMA = json.loads((ROOT / "src/cardaudit/reports/schema/report-v1.json").read_text())


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_matches_its_golden(fmt: str, golden: Callable[[str, str], None]) -> None:
    run = run_cli("audit", "examples/models", "--format", fmt, "--width", "120")
    assert run.code == 0, run.stderr
    golden(f"examples.{fmt}", run.stdout)


def test_json_report_validates_against_the_schema() -> None:
    run = run_cli("audit", "examples/models", "--format", "json")
    jsonschema.validate(json.loads(run.stdout), SCHEMA)


def test_json_goldens_validate_against_the_schema() -> None:
    for path in (ROOT / "tests/golden").glob("examples*.json"):
        jsonschema.validate(json.loads(path.read_text()), SCHEMA)


def test_hostile_card_text_is_escaped_everywhere(tmp_path: Path) -> None:
    folder = tmp_path / "evil__model"
    folder.mkdir()
    (folder / "README.md").write_text(
        "---\nlicense: \"=HYPERLINK(\\\"http://x\\\")|<script>alert(1)</script>\"\n---\n"
        "# [click](javascript:alert(1)) \x1b[31mred\x1b[0m\n")
    os.chdir(tmp_path)
    markdown = run_cli("audit", "evil__model", "-f", "markdown").stdout
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    csv_out = run_cli("audit", "evil__model", "-f", "csv").stdout
    assert "'=HYPERLINK" in csv_out and ",=" not in csv_out and ',"=' not in csv_out
    table = run_cli("audit", "evil__model").stdout
    assert "\x1b" not in table


def test_models_that_cannot_be_read_are_rows_and_one_error_line_each(tmp_path: Path) -> None:
    (tmp_path / "acme__dir-readme" / "README.md").mkdir(parents=True)  # not a regular file
    (tmp_path / "acme__ok").mkdir()
    (tmp_path / "acme__ok" / "README.md").write_text("---\nlicense: mit\n---\n# ok\n")
    args = ("audit", str(tmp_path), "acme/missing", "--offline", "--cache-dir",
            str(tmp_path / "cache"), "--no-store", "--width", "80")
    table = run_cli(*args)
    assert table.code == 0, table.stderr
    lines = table.stdout.splitlines()
    errors = lines[lines.index("errors:") + 1:-1]
    assert [line.split(":")[0].strip() for line in errors] == ["acme/dir-readme", "acme/missing"]
    assert "README.md is not a regular file" in errors[0] and "offline" in errors[1]
    assert lines[-1] == "3 model(s): 1 ok, 2 error(s)"
    rows = [line.split()[:2] for line in lines if line.startswith("acme/")]
    assert rows == [["acme/dir-readme", "error"], ["acme/missing", "error"], ["acme/ok", "ok"]]
    md = run_cli(*args, "-f", "markdown").stdout
    section = md.split("## Errors\n\n")[1].split("\n\n")[0].splitlines()
    assert [item.split(":")[0] for item in section] == ["- acme/dir-readme", "- acme/missing"]
    assert md.count("| error |") == 2


def test_a_paragraph_for_a_license_name_is_cut_in_the_table_only(tmp_path: Path) -> None:
    """An unknown license is shown by the name the card gives it: a 3,000-character name
    folded over 65 table lines. The table cuts it; JSON keeps it whole."""
    (tmp_path / "acme__x").mkdir()
    (tmp_path / "acme__x/README.md").write_text(
        "---\nlicense: other\nlicense_name: " + "x" * 3000 + "\n---\n# X\n")
    run = run_cli("audit", str(tmp_path), "--no-store", "--width", "120")
    assert run.code == 0, run.stderr
    [line] = [ln for ln in run.stdout.splitlines() if "acme/x" in ln]
    assert "x" * 39 + "…" in line
    assert len(run.stdout.splitlines()) < 10
    data = json.loads(run_cli("audit", str(tmp_path), "--no-store", "-f", "json").stdout)
    assert data["models"][0]["license"]["key"] == "x" * 3000
