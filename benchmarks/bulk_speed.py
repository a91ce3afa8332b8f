"""Speed of the core auditor on real cards: parse + all shipped rules + scoring, one process.

Reads ../shared/bulk/hub-2022-02.jsonl.gz (29,413 cards of the February 2022 Hub) into memory,
then times, in the same run:
  1. cardaudit: dump row → record (card parse, Hub facts) → facts → every shipped rule → scores;
  2. reference: huggingface_hub's own `ModelCard(text)` parsing of the same cards.
Prints cards/s for both and their ratio (machines here are shared and noisy: compare ratios).

Usage: python benchmarks/bulk_speed.py [--shared ../shared] [--limit N] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
import time
from pathlib import Path

from cardaudit.cards.document import CardReader
from cardaudit.pack import load_pack
from cardaudit.runner import Auditor
from cardaudit.sources.dump import iter_rows, record_from_row


def _audit_all(rows: list, pack) -> float:  # type: ignore[no-untyped-def]
    auditor = Auditor(pack)
    reader = CardReader(pack.knowledge.sections)
    started = time.perf_counter()
    for row in rows:
        result = auditor.audit(record_from_row(row, reader))
        assert result.scores is not None
    return time.perf_counter() - started


def _hf_parse_all(texts: list[str]) -> float:
    from huggingface_hub import ModelCard
    from huggingface_hub.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    started = time.perf_counter()
    for text in texts:
        with contextlib.suppress(Exception):  # it raises on YAML errors; the time still counts
            ModelCard(text, ignore_metadata_errors=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = list(iter_rows(args.shared / "bulk" / "hub-2022-02.jsonl.gz"))
    if args.limit:
        rows = rows[:args.limit]
    texts = [r.data.get("card") or "" for r in rows if r.data]
    pack = load_pack()
    gc.collect()
    ours = min(_audit_all(rows, pack) for _ in range(args.repeat))
    ref = min(_hf_parse_all(texts) for _ in range(args.repeat))
    n = len(rows)
    report = {"cards": n, "cardaudit_cards_per_s": round(n / ours),
              "hf_modelcard_parse_cards_per_s": round(n / ref),
              "ratio_cardaudit_to_hf_parse": round(ref / ours, 2), "best_of": args.repeat}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
