"""The terminal table stays readable at any width: optional columns give way (and the footer
says which), model ids are never squeezed to nothing."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.measure import Measurement

from cardaudit.reports.fit import fit_columns, widest_rows
from cardaudit.reports.table import _table
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


cell_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)


@settings(max_examples=200, deadline=None)
@given(cells=st.integers(1, 9).flatmap(
           lambda n: st.lists(st.lists(cell_text, min_size=n, max_size=n), max_size=25)),
       width=st.integers(20, 200))
def test_measuring_the_widest_rows_drops_the_same_columns_as_measuring_all(
        cells: list[list[str]], width: int) -> None:
    # the table measures a dozen rows instead of every row; wide (CJK, emoji) and multi-line
    # cells included, so a row picked by the wrong width would change which columns stay
    columns = [f"c{i}" for i in range(len(cells[0]) if cells else 3)]
    console = Console(file=io.StringIO(), width=width)
    order = list(reversed(columns[1:]))
    full = fit_columns(console, columns, order, lambda keep: _table("", columns, keep, cells))
    widest = widest_rows(cells)
    reduced = fit_columns(console, columns, order, lambda keep: _table("", columns, keep, widest))
    assert reduced == full
    unbounded = console.options.update_width(100_000)
    for keep in (list(range(len(columns))), full):
        assert (Measurement.get(console, unbounded, _table("", columns, keep, widest)).maximum
                == Measurement.get(console, unbounded, _table("", columns, keep, cells)).maximum)
