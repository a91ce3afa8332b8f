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


def _write(path: Path, text: str = "{}") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_checkpoint_without_its_card_is_an_error_row_not_left_out(tmp_path: Path) -> None:
    """A registry folder of model folders: a checkpoint with weights but no README.md used to
    be skipped, so a gate passed a model it never saw. Each is now a `missing-card` row; a
    folder that only holds model folders (a stray config.json beside them) and the parts of a
    card-less diffusers pipeline are not models of their own."""
    models = tmp_path / "models"
    _write(models / "acme__carded/README.md", CARD)
    _write(models / "weights-only/model.safetensors", "")
    _write(models / "weights-only/config.json")
    _write(models / "group/config.json")  # a folder of checkpoints, not one
    _write(models / "group/acme__inner/README.md", CARD)
    _write(models / "group/pipeline/model_index.json")
    _write(models / "group/pipeline/unet/config.json")
    _write(models / "notes/todo.txt", "not a model")
    run = run_cli("audit", str(models), "-f", "json", "--no-store")
    assert run.code == 0, run.stderr
    rows = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    assert sorted(rows) == ["acme/carded", "acme/inner", "group/pipeline", "weights-only"]
    for name in ("group/pipeline", "weights-only"):
        assert rows[name]["status"] == "error"
        assert rows[name]["error"]["code"] == "missing-card"
        assert rows[name]["error"]["message"].endswith(": no README.md")
    gate = run_cli("check", str(models), "--policy", "permissive-only", "-f", "json")
    assert gate.code == 1, gate.stderr
    # named on its own, the checkpoint is its row too (it was "no model cards found", exit 2)
    alone = run_cli("audit", str(models / "weights-only"), "-f", "csv", "--no-store")
    assert alone.code == 0, alone.stderr
    assert alone.stdout.splitlines()[1].startswith("weights-only,error,")


def test_a_hf_cache_gives_its_model_repos_only(tmp_path: Path) -> None:
    """In a Hugging Face cache, dataset and Space repositories hold cards too; they are not
    models. A model repo whose snapshot has no README.md is a `missing-card` row."""
    hub = tmp_path / "hub"
    sha = "1" * 40
    for repo, files in (("models--acme--a", {"README.md": CARD}),
                        ("models--acme--weights", {"config.json": "{}"}),
                        ("datasets--acme--d", {"README.md": CARD}),
                        ("spaces--acme--s", {"README.md": CARD})):
        _write(hub / repo / "refs/main", sha)
        for name, text in files.items():
            _write(hub / repo / "snapshots" / sha / name, text)
    run = run_cli("audit", str(hub), "-f", "json", "--no-store")
    assert run.code == 0, run.stderr
    rows = {m["id"]: (m["status"], (m["error"] or {}).get("code"))
            for m in json.loads(run.stdout)["models"]}
    assert rows == {"acme/a": ("ok", None), "acme/weights": ("error", "missing-card")}
