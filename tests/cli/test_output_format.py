"""`--output report.json` writes JSON: without --format, the output file's extension chooses
the format the command writes (else its table); --format always wins. A procurement report
named .pdf is refused rather than written as HTML under a PDF name."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.cli.scenario import run_cli

MODELS = "examples/models"
ONE = "examples/models/acme__llama-chat-ft"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli.scenario import ROOT

    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.cli.scenario import ROOT

    db = tmp_path_factory.mktemp("store") / "audits.sqlite"
    for _ in range(2):
        assert run_cli("audit", str(ROOT / MODELS), "--db", str(db)).code == 0
    return db


def commands(store: Path) -> dict[str, tuple[str, ...]]:
    return {
        "audit": ("audit", MODELS, "--no-store"),
        "check": ("check", MODELS, "--policy", "permissive-only"),
        "explain": ("explain", ONE),
        "rules list": ("rules", "list"),
        "runs": ("runs", "--db", str(store)),
        "trends": ("trends", "--db", str(store)),
        "diff": ("diff", "--db", str(store)),
    }


@pytest.mark.parametrize("command", ["audit", "check", "explain", "rules list", "runs",
                                     "trends", "diff"])
@pytest.mark.parametrize("suffix", [".json", ".csv", ".md"])
def test_the_output_extension_chooses_the_format(store: Path, tmp_path: Path, command: str,
                                                 suffix: str) -> None:
    out = tmp_path / f"report{suffix}"
    run = run_cli(*commands(store)[command], "-o", str(out))
    assert run.code in (0, 1), run.stderr
    text = out.read_text(encoding="utf-8")
    if suffix == ".json":
        assert json.loads(text)["schema_version"] == 1
    elif suffix == ".csv":
        rows = list(csv.reader(io.StringIO(text)))
        # a header (two equal runs differ nowhere: diff has no more) and rows as wide
        assert len(rows[0]) >= 3 and len({len(r) for r in rows}) == 1
    else:
        assert "|" in text and "┃" not in text and "━" not in text  # a Markdown table


def test_check_writes_sarif_and_junit_by_extension(tmp_path: Path) -> None:
    sarif, junit = tmp_path / "gate.sarif", tmp_path / "gate.xml"
    for out in (sarif, junit):
        run_cli("check", MODELS, "--policy", "permissive-only", "-o", str(out))
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert ElementTree.parse(junit).getroot().tag == "testsuites"


def test_format_wins_over_the_extension_and_other_extensions_get_the_table(
        tmp_path: Path) -> None:
    forced, text = tmp_path / "report.json", tmp_path / "report.txt"
    run_cli("audit", MODELS, "--no-store", "-f", "csv", "-o", str(forced))
    assert forced.read_text().startswith("id,status,license")
    run_cli("audit", MODELS, "--no-store", "-o", str(text))
    assert "acme/bare-card" in text.read_text() and not text.read_text().startswith("{")
    lineage = tmp_path / "tree.json"
    run_cli("lineage", ONE, "-o", str(lineage))
    assert json.loads(lineage.read_text())["schema_version"] == 1


def test_a_procurement_report_named_pdf_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    run = run_cli("report", MODELS, "-o", str(out))
    assert run.code == 2 and not out.exists()
    assert "cannot tell the report format from '.pdf'" in run.stderr
    assert run_cli("report", MODELS, "-o", str(out), "-f", "html").code == 0
    assert out.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("command", ["audit", "check", "explain", "rules list", "runs",
                                     "trends", "diff", "report", "bom", "lineage"])
def test_output_dash_is_stdout(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               command: str) -> None:
    """`-o -` is stdout, as for most tools; it wrote a file named `-`."""
    from tests.cli.scenario import ROOT

    args = {**commands(store), "report": ("report", MODELS, "-f", "markdown"),
            "bom": ("bom", MODELS), "lineage": ("lineage", ONE)}[command]
    args = tuple(str(ROOT / a) if a in (MODELS, ONE) else a for a in args)
    monkeypatch.chdir(tmp_path)
    run = run_cli(*args, "-o", "-")
    assert run.code in (0, 1), run.stderr
    assert not (tmp_path / "-").exists() and run.stdout.strip()


@pytest.mark.parametrize("columns", ["60", "120"])
def test_a_table_written_to_a_file_keeps_every_column_whatever_the_terminal(
        store: Path, tmp_path: Path, columns: str) -> None:
    # a filed report must not depend on the width of the terminal it was made in
    out = tmp_path / "audit.txt"
    run = run_cli("audit", MODELS, "--lineage-dir", "examples/bases", "--no-store", "-o",
                  str(out), env={"COLUMNS": columns})
    assert run.code == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert "hidden to fit" not in text
    header = next(line for line in text.splitlines() if line.startswith("model"))
    for column in ("comm.", "gate", "root", "lic·data·acc·doc", "grade"):
        assert column in header
    assert "meta-llama/Llama-3.1-8B-Instruct" in text  # the root, unfolded
    trends = tmp_path / "trends.txt"
    assert run_cli("trends", "--db", str(store), "-o", str(trends),
                   env={"COLUMNS": columns}).code == 0
    assert "hidden to fit" not in trends.read_text(encoding="utf-8")
    narrow = tmp_path / "narrow.txt"
    run_cli("audit", MODELS, "--no-store", "-o", str(narrow), "--width", "60")
    assert "hidden to fit 60 columns" in narrow.read_text(encoding="utf-8")
