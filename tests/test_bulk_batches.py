"""A bulk audit hands the workers batches bounded in rows and in characters: a dump of large
cards must not be shipped and held two hundred cards at a time."""

from __future__ import annotations

import json
from pathlib import Path

from cardaudit import bulk


def _dump(path: Path, rows: int, card_chars: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(rows):
            card = f"---\nlicense: mit\n---\n# M{i}\n" + "text " * (card_chars // 5)
            out.write(json.dumps({"modelId": f"acme/m{i}", "card": card}) + "\n")
    return path


def test_batches_of_large_cards_stop_at_the_character_bound(tmp_path: Path) -> None:
    path = _dump(tmp_path / "big.jsonl", rows=30, card_chars=1_000_000)
    batches = [batch for batch, _ in bulk._batches(path)]
    sizes = [sum(len(raw) for _, raw in batch) for batch in batches]  # type: ignore[arg-type]
    assert len(batches) > 1
    assert all(size < bulk.BATCH_CHARS + 1_100_000 for size in sizes)
    numbers = [number for batch in batches for number, _ in batch]
    assert numbers == list(range(1, 31))


def test_batches_of_small_cards_hold_batch_rows(tmp_path: Path) -> None:
    path = _dump(tmp_path / "small.jsonl", rows=450, card_chars=500)
    assert [len(batch) for batch, _ in bulk._batches(path)] == [bulk.BATCH_ROWS,
                                                                 bulk.BATCH_ROWS, 50]
