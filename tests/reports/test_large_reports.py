"""Reports of many models: the JSON report is written a model at a time (the same bytes as
one json.dump of the whole document, without holding that document or its text in memory), and
rows name failed rules without building every finding."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardaudit.cli.audit import run_audit
from cardaudit.cli.output import write_output
from cardaudit.pack import load_pack
from cardaudit.reports import json_report
from cardaudit.reports.jsonstream import dump_with_list, dumps_indented
from cardaudit.settings import Settings
from cardaudit.sources.select import Request

ROOT = Path(__file__).resolve().parents[2]

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(head=st.dictionaries(st.text(max_size=8).filter(lambda k: k != "models"), values,
                            max_size=5),
       items=st.lists(values, max_size=6))
def test_the_streamed_document_is_byte_for_byte_one_json_dump(
        head: dict[str, Any], items: list[Any]) -> None:
    # strings with newlines, quotes, non-ASCII and empty containers included
    stream = io.StringIO()
    dump_with_list(stream, head, "models", iter(items))
    expected = json.dumps({**head, "models": items}, indent=2, ensure_ascii=False)
    assert stream.getvalue() == expected


any_text = st.text(st.characters(codec=None, categories=None))  # lone surrogates, controls
wide_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63 - 2)
    | st.floats() | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(any_text, inner, max_size=4)
    | st.dictionaries(st.integers(), inner, max_size=2), max_leaves=25)


@settings(max_examples=500, deadline=None)
@given(value=wide_values)
def test_the_fast_encoder_writes_what_the_standard_library_writes(value: Any) -> None:
    # orjson where it is exact; floats, huge integers, surrogates and number keys fall back
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def _report_of(tmp_path: Path, copies: int) -> Any:
    card = ROOT / "examples/models/acme__sentiment-bert"
    for n in range(copies):
        shutil.copytree(card, tmp_path / "models" / f"acme__m{n:04d}")
    quiet = dataclasses.replace(Settings.from_env(), quiet=True)
    report, _, _ = run_audit(quiet, Request(targets=[str(tmp_path / "models")]), load_pack([]))
    return report


def test_writing_a_report_of_many_models_holds_about_one_model_at_a_time(
        tmp_path: Path) -> None:
    report = _report_of(tmp_path, 300)
    out = tmp_path / "report.json"
    for result in report.results:  # findings are built on first use and kept: not the render's
        assert result.findings
    tracemalloc.start()
    try:
        write_output(lambda stream: json_report.render(report, stream), out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    written = out.stat().st_size
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["models"]) == 300 and data["summary"]["models"] == 300
    # rendering the whole document into a string first peaked above the file's size
    assert peak < written / 10, (peak, written)


def test_a_render_that_fails_half_way_leaves_the_old_file_and_no_temporary_file(
        tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("the previous report\n")

    def broken(stream: Any) -> None:
        stream.write('{"models": [')
        raise RuntimeError("renderer bug")

    with pytest.raises(RuntimeError, match="renderer bug"):
        write_output(broken, out)
    assert out.read_text() == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_rows_name_the_failed_rules_without_building_every_finding(tmp_path: Path) -> None:
    # a CSV row or a table cell lists the failed rules' ids; building each finding's message
    # and evidence for it was most of a large audit's time, and kept ~12 KB per model alive
    from cardaudit.engine.findings import Outcome
    from cardaudit.reports import csv_report

    quiet = dataclasses.replace(Settings.from_env(), quiet=True)
    report, _, _ = run_audit(quiet, Request(targets=[str(ROOT / "examples/models")]),
                             load_pack([]))
    csv_report.render(report, io.StringIO())
    judged = [r for r in report.results if r.judgement is not None]
    assert judged and all(r.judgement._findings is None for r in judged)  # type: ignore[union-attr]
    for result in judged:
        assert result.failed_rules() == tuple(
            f.rule for f in result.findings if f.outcome is Outcome.FAIL)
    assert any(r.failed_rules() for r in judged)
