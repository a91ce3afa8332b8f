"""The terminal table stays readable at any width: optional columns give way (and the footer
says which), model ids are never squeezed to nothing."""

from __future__ import annotations

import pytest

from tests.cli.scenario import run_cli

IDS = ["acme/bare-card", "acme/llama-chat-ft", "acme/vision-research"]


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_every_model_id_is_whole_and_lines_fit(width: int) -> None:
    run = run_cli("audit", "examples/models", "--width", str(width))
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    for model_id in IDS:
        assert any(model_id in line for line in lines), (width, model_id)
    header = next(line for line in lines if " model " in f" {line} ")
    for always in ("model", "license", "data", "score", "grade"):
        assert always in header


def test_hidden_columns_are_named_in_the_footer() -> None:
    narrow = run_cli("audit", "examples/models", "--width", "80").stdout
    assert "(hidden to fit 80 columns: comm., gate, lic·data·acc·doc" in narrow
    wide = run_cli("audit", "examples/models", "--width", "200").stdout
    assert "hidden" not in wide and "lic·data·acc·doc" in wide
