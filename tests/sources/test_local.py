"""Local model folders whose names are not text: a folder name may hold bytes that are not
UTF-8, line breaks or terminal escapes. The folder is still read by its real name, and its id,
location and error message are valid text in every report and in the store."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli.scenario import run_cli

CARD = "---\nlicense: mit\n---\n# M\n\nClassifies reviews.\n"


@pytest.fixture
def odd_folders(tmp_path: Path) -> Path:
    root = tmp_path / "models"
    for name in (b"bad\xffname", b"new\nline", b"\x1b[31mred"):
        folder = os.path.join(bytes(root), name)
        os.makedirs(folder)
        with open(os.path.join(folder, b"README.md"), "w", encoding="utf-8") as out:
            out.write(CARD)
    os.makedirs(os.path.join(bytes(root), b"broken\xfe", b"README.md"))  # not a file
    return root


def test_folder_names_that_are_not_utf8_give_valid_text_in_reports_and_the_store(
        odd_folders: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    report = tmp_path / "report.json"
    run = run_cli("audit", str(odd_folders), "-f", "json", "-o", str(report), "--db", str(db))
    assert run.code == 0, run.stderr
    data = json.loads(report.read_bytes().decode("utf-8"))  # strict: the file is UTF-8
    rows = {m["id"]: m for m in data["models"]}
    assert set(rows) == {"bad\ufffdname", "new\nline", "\x1b[31mred", "broken\ufffd"}
    assert rows["bad\ufffdname"]["license"]["key"] == "mit"  # read by its real name
    broken = rows["broken\ufffd"]
    assert broken["error"]["code"] == "unreadable"
    assert "broken\ufffd" in broken["error"]["message"] and "\n" not in broken["error"]["message"]
    assert all("\udcff" not in m["location"] for m in data["models"])
    runs = run_cli("runs", "--db", str(db), "-f", "json")
    assert runs.code == 0, runs.stderr
    stored = json.loads(runs.stdout)
    assert stored["runs"][0]["status"] == "complete" and stored["runs"][0]["models"] == 4


@pytest.mark.parametrize("fmt", ["csv", "markdown", "table"])
def test_every_format_writes_utf8_for_such_folders(odd_folders: Path, tmp_path: Path,
                                                   fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    run = run_cli("audit", str(odd_folders), "-f", fmt, "-o", str(out), "--no-store")
    assert run.code == 0, run.stderr
    assert "bad\ufffdname" in out.read_bytes().decode("utf-8")


def test_a_model_reached_by_several_named_paths_is_one_row(tmp_path: Path) -> None:
    """A folder, a model folder inside it, its README, and the same path twice: one row per
    model, where it was first named. A second card file beside the README is another model."""
    models = tmp_path / "models"
    for name in ("acme__a", "acme__b"):
        (models / name).mkdir(parents=True)
        (models / name / "README.md").write_text(CARD, encoding="utf-8")
    (models / "acme__b" / "variant.md").write_text(CARD, encoding="utf-8")
    run = run_cli("audit", str(models / "acme__a"), str(models), str(models / "acme__a"),
                  str(models / "acme__a" / "README.md"), str(models / "acme__b" / "variant.md"),
                  "-f", "json", "--no-store")
    assert run.code == 0, run.stderr
    ids = [m["id"] for m in json.loads(run.stdout)["models"]]
    assert sorted(ids) == ["acme/a", "acme/b", "variant"]
