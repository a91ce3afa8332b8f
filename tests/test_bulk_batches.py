"""Reading a bulk dump in bounded pieces: batches bounded in rows and in characters (a dump of
large cards must not be shipped and held two hundred cards at a time), lines bounded in
length (one 5 GB line must not be read whole)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cardaudit import bulk
from cardaudit.sources import dump


def _write_dump(path: Path, rows: int, card_chars: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(rows):
            card = f"---\nlicense: mit\n---\n# M{i}\n" + "text " * (card_chars // 5)
            out.write(json.dumps({"modelId": f"acme/m{i}", "card": card}) + "\n")
    return path


def test_batches_of_large_cards_stop_at_the_character_bound(tmp_path: Path) -> None:
    path = _write_dump(tmp_path / "big.jsonl", rows=30, card_chars=1_000_000)
    batches = [batch for batch, _ in bulk._batches(path)]
    sizes = [sum(len(raw) for _, raw in batch) for batch in batches]  # type: ignore[arg-type]
    assert len(batches) > 1
    assert all(size < bulk.BATCH_CHARS + 1_100_000 for size in sizes)
    numbers = [number for batch in batches for number, _ in batch]
    assert numbers == list(range(1, 31))


def test_batches_of_small_cards_hold_batch_rows(tmp_path: Path) -> None:
    path = _write_dump(tmp_path / "small.jsonl", rows=450, card_chars=500)
    assert [len(batch) for batch, _ in bulk._batches(path)] == [bulk.BATCH_ROWS,
                                                                 bulk.BATCH_ROWS, 50]


def test_an_overlong_line_is_one_error_row_and_is_not_read_into_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dump, "MAX_LINE_BYTES", 1_000)
    monkeypatch.setattr(dump, "_SKIP_CHUNK", 64)
    path = tmp_path / "dump.jsonl"
    good = json.dumps({"modelId": "acme/ok", "card": "# ok\n"})
    huge = json.dumps({"modelId": "acme/huge", "card": "x" * 50_000})
    path.write_text(f"{good}\n{huge}\n\n{good}\n", encoding="utf-8")
    raw = list(dump.iter_raw(path))
    assert [number for number, _, _ in raw] == [1, 2, 4]
    assert max(len(line) for _, line, _ in raw) <= 1_001  # type: ignore[arg-type]
    rows = list(dump.iter_rows(path))
    assert [r.number for r in rows] == [1, 2, 4]
    assert rows[1].data is None and "larger than 1000 bytes" in (rows[1].problem or "")
    assert rows[0].data == rows[2].data == {"modelId": "acme/ok", "card": "# ok\n"}


def test_parquet_rows_come_a_few_at_a_time_all_of_them_in_order(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "dump.parquet"
    rows = [{"modelId": f"acme/m{i}", "card": f"# M{i}\n"} for i in range(100)]
    pq.write_table(pa.Table.from_pylist(rows), path)
    raw = list(dump.iter_raw(path))
    assert [number for number, _, _ in raw] == list(range(1, 101))
    assert [data for _, data, _ in raw] == rows
    positions = [position for _, _, position in raw]
    assert positions == sorted(positions) and positions[-1] == path.stat().st_size
    assert dump.PARQUET_BATCH_ROWS < 100  # so this dump spans several pyarrow batches


def test_parallel_batches_come_back_in_the_files_order(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # one row per batch, the first one far slower than the rest: they finish first, yet the
    # store and a streamed report must list the rows as the file does, at any --jobs
    monkeypatch.setattr(bulk, "BATCH_ROWS", 1)
    path = tmp_path / "dump.jsonl"
    with path.open("w", encoding="utf-8") as out:
        slow = "## Training data\n" + "We trained it on 40 GB of news articles. " * 60_000
        out.write(json.dumps({"modelId": "acme/slow", "card": slow}) + "\n")
        for i in range(12):
            out.write(json.dumps({"modelId": f"acme/quick{i}", "card": f"# Q{i}\n"}) + "\n")
    seen: list[str] = []
    lines: list[str] = []

    def on_batch(result: bulk.BatchResult, position: int) -> None:
        seen.extend(model.model_id for model in result.models)
        lines.extend(result.lines)

    bulk.audit_dump(path, jobs=2, rule_dirs=[], fmt="json", on_batch=on_batch)
    expected = ["acme/slow"] + [f"acme/quick{i}" for i in range(12)]
    assert seen == expected
    assert [json.loads(line)["id"] for line in lines] == expected
