"""Lone surrogates and out-of-range numbers from dump rows or Hub answers never end a run."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cardaudit.safetext import (
    CONTROL_CHARS,
    may_hold_surrogates,
    plain,
    valid_data,
    valid_path_text,
    valid_text,
)
from tests.cli.scenario import run_cli

json_scalars = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0xFFFF,
                                              exclude_categories=()),  # lone surrogates too
                       max_size=20) | st.integers() | st.none()
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                           max_leaves=20)


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_decoded_json_becomes_writable_text(value: object) -> None:
    raw = json.dumps(value)  # lone surrogates are written as \\udXXX escapes
    decoded = json.loads(raw)
    cleaned = valid_data(decoded) if may_hold_surrogates(raw) else decoded
    json.dumps(cleaned, ensure_ascii=False).encode("utf-8")  # never raises


def test_valid_text_keeps_good_text_and_replaces_only_lone_surrogates() -> None:
    assert valid_text("plain") == "plain"
    assert valid_text("emoji 😀 and ü") == "emoji 😀 and ü"
    assert valid_text("a\ud800b") == "a\ufffd\ufffd\ufffdb"
    assert may_hold_surrogates('{"a": "\\uD83D\\uDE00"}') and not may_hold_surrogates('{"a": 1}')


def test_a_dump_with_hostile_rows_keeps_every_row_and_completes(tmp_path: Path) -> None:
    dump = tmp_path / "hostile.jsonl"
    rows = [
        {"modelId": "acme/\ud800id", "card": "# x\n", "tags": ["\udc00"], "pipeline_tag": "\ud801"},
        {"modelId": "acme/huge", "card": "# y\n", "downloads": 10**30, "likes": -4,
         "safetensors": {"total": 2**64}},
        {"modelId": "acme/ok", "card": "---\nlicense: mit\n---\n# z\n", "downloads": 7},
        {"modelId": "acme/no-card"},
    ]
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows))
    db, out = tmp_path / "audits.sqlite", tmp_path / "report.json"
    run = run_cli("audit", "--dump", str(dump), "--db", str(db), "-f", "json", "-o", str(out),
                  "--jobs", "1")
    assert run.code == 0, run.stderr
    models = {m["id"]: m for m in json.loads(out.read_text(encoding="utf-8"))["models"]}
    assert set(models) == {"acme/\ufffd\ufffd\ufffdid", "acme/huge", "acme/ok", "acme/no-card"}
    huge = models["acme/huge"]["hub"]
    assert (huge["downloads"], huge["likes"], huge["parameters"]) == (None, None, None)
    assert models["acme/ok"]["hub"]["downloads"] == 7
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT status, models FROM runs").fetchone() == ("complete", 4)
    csv_run = run_cli("audit", "--dump", str(dump), "--no-store", "-f", "csv", "--jobs", "1")
    rows_out = list(csv.DictReader(io.StringIO(csv_run.stdout)))
    # status is ok or error, as in JSON; the code is in the error column
    assert [r["status"] for r in rows_out] == ["ok", "ok", "ok", "error"]
    assert rows_out[3]["error"].startswith("missing-card: ")


@given(st.binary(max_size=40))
@settings(max_examples=300, deadline=None)
def test_a_file_name_of_any_bytes_becomes_its_utf8_reading(name: bytes) -> None:
    """What os.fsdecode makes of a name (bytes that are not UTF-8 as surrogate escapes)
    becomes the name read as UTF-8, each bad byte one U+FFFD: writable anywhere."""
    shown = valid_path_text(os.fsdecode(name))
    assert shown == name.decode("utf-8", "replace")
    shown.encode("utf-8")  # strict: no surrogate is left


def test_a_lone_surrogate_that_is_no_escaped_byte_is_replaced_too() -> None:
    assert valid_path_text("a\ud800b") == "a\ufffd\ufffd\ufffdb"


@given(st.text(st.sampled_from(["a", "+", "-", " ", "\t", "\n", "\r", "\x1b", "\x0c", "\u202e",
                                "\x85", "é"]), max_size=20))
@settings(max_examples=500, deadline=None)
def test_plain_is_one_trimmed_line_without_controls(text: str) -> None:
    """What the renderers put in a cell or a line: no control character, no line break, no
    blank at an end or doubled, where a control character stood included ("\x1b +" is "+")."""
    out = plain(text)
    assert not CONTROL_CHARS.search(out) and "\n" not in out
    assert out == out.strip() and "  " not in out
    assert out.replace(" ", "") == CONTROL_CHARS.sub("", "".join(text.split()))
