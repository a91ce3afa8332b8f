"""Dump files as tools write them: a byte-order mark before the first line, CRLF line ends,
blank lines, and lines that are not rows. Every line that is a row is audited; every line
that is not is an error row that judges nothing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.scenario import run_cli

ROW = {"modelId": "acme/first", "card": "---\nlicense: mit\n---\n# M\n\nClassifies text.\n",
       "createdAt": "2024-01-02T00:00:00.000Z"}


def test_a_byte_order_mark_and_crlf_lines_do_not_lose_the_first_row(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    second = {**ROW, "modelId": "acme/second"}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(ROW).encode() + b"\r\n\r\n"
                     + json.dumps(second).encode() + b"\r\n")
    run = run_cli("audit", "--dump", str(path), "-f", "json", "--no-store", "--jobs", "1")
    assert run.code == 0, run.stderr
    rows = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    assert set(rows) == {"acme/first", "acme/second"}
    assert all(r["status"] == "ok" and r["license"]["key"] == "mit" for r in rows.values())


def test_a_line_that_is_no_row_is_an_error_row_without_judgements(tmp_path: Path) -> None:
    """A broken line names no model and carries no Hub facts: it gets no license, disclosure
    or score (which trends would count), only its error; the rows around it are audited."""
    path = tmp_path / "dump.jsonl"
    deep = '{"modelId": "acme/deep", "tags": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text(json.dumps(ROW) + f"\n{{broken\n[1, 2]\n{deep}\n", encoding="utf-8")
    run = run_cli("audit", "--dump", str(path), "-f", "json", "--no-store", "--jobs", "1")
    assert run.code == 0, run.stderr
    rows = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    assert rows["acme/first"]["status"] == "ok"
    assert "nested too deeply" in rows["row-4"]["error"]["message"]
    for row_id, line in (("row-2", 2), ("row-3", 3), ("row-4", 4)):
        row = rows[row_id]
        assert row["status"] == "error" and row["error"]["code"] == "bad-row"
        assert f"line {line}" in row["error"]["message"]
        assert row["license"] is None and row["data_disclosure"] is None
        assert row["grade"] is None and not row["findings"]


def test_the_summary_shares_are_of_the_judged_models(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_text(json.dumps(ROW) + "\n{broken\n", encoding="utf-8")
    run = run_cli("audit", "--dump", str(path), "--no-store", "--jobs", "1")
    assert run.code == 0, run.stderr
    assert "2 model(s) audited" in run.stdout
    assert "not_disclosed             1  100.0%" in run.stdout
    assert "shares of the 1 judged model(s); 1 line(s) that are not rows (bad-row)" in run.stdout


def test_a_parquet_dump_with_the_card_as_bytes_is_read_like_a_readme(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "dump.parquet"
    rows = [{"modelId": "acme/text", "card": ROW["card"].encode()},
            {"modelId": "acme/latin1", "card": b"---\nlicense: mit\n---\n# Caf\xe9\n"},
            {"modelId": "acme/none", "card": b"Error: the path 'README.md' does not exist"}]
    pq.write_table(pa.Table.from_pylist(rows), path)
    run = run_cli("audit", "--dump", str(path), "-f", "json", "--no-store", "--jobs", "1")
    assert run.code == 0, run.stderr
    found = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    assert found["acme/text"]["status"] == "ok" and found["acme/text"]["license"]["key"] == "mit"
    assert found["acme/latin1"]["license"]["key"] == "mit"  # bytes that are not UTF-8: read
    assert found["acme/none"]["error"]["code"] == "missing-card"


def test_a_dump_that_is_a_device_or_folder_is_one_line_saying_so(tmp_path: Path) -> None:
    """(Pipes are read: tests/sources/test_streamed_input.py.)"""
    for path in (Path("/dev/null"), Path("/dev/zero")):
        run = run_cli("audit", "--dump", str(path), "--no-store")
        assert run.code == 2 and "is not a regular file or a pipe" in run.stderr, run.stderr
    missing = run_cli("audit", "--dump", str(tmp_path / "none.jsonl"), "--no-store")
    assert missing.code == 2 and "dump file not found" in missing.stderr


def test_the_dump_json_report_is_the_audit_report_schema_with_its_summary() -> None:
    # its summary once lacked `ok` and `grades`, and said "unknown" where a count belongs
    from cardaudit.bulk import DumpStats
    from tests.reports.test_json_schemas import validate

    run = run_cli("audit", "--dump", "examples/dumps/sample.jsonl", "-f", "json", "--no-store",
                  "--jobs", "1")
    assert run.code == 0, run.stderr
    data = json.loads(run.stdout)
    validate("report", data)
    models = data["models"]
    grades: dict[str, int] = {}
    for m in models:
        if m["grade"]:
            grades[m["grade"]] = grades.get(m["grade"], 0) + 1
    assert data["summary"] == {
        "models": len(models), "ok": sum(m["status"] == "ok" for m in models),
        "errors": sum(m["status"] == "error" for m in models), "grades": grades, "not_done": 0}
    assert data["summary"]["errors"] == 2  # the sample's missing-card and bad-row lines
    # an interrupted dump cannot count the rows it never read: null, still the schema's
    validate("report", {**data, "summary": DumpStats().summary(interrupted=True)})
