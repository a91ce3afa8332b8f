"""Speed of the core auditor on real cards: parse + all shipped rules + scoring, one process.

Reads ../shared/bulk/hub-2022-02.jsonl.gz (29,413 cards of the February 2022 Hub) into memory,
then times, in the same run:
  1. cardaudit: dump row → record (card parse, Hub facts) → facts → every shipped rule → scores;
  2. reference: huggingface_hub's own `ModelCard(text)` parsing of the same cards.
Prints cards/s for both and their ratio (machines here are shared and noisy: compare ratios),
and where cardaudit's time goes: reading rows into records (card parse, Hub facts), facts
(license, disclosure, gates, sections), rules and scores, over the distinct judgements (the
judgement cache reuses one judgement for every row with the same card and Hub facts).
The rows are read before the clock starts and then frozen out of the garbage collector's walks
(gc.freeze): the CLI streams them, so their cost there is the reading, not the collections.

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
from cardaudit.cards.facts import analyse
from cardaudit.pack import RulePack, load_pack
from cardaudit.runner import Auditor
from cardaudit.sources.dump import DumpRow, iter_rows, record_from_row


def _audit_all(rows: list[DumpRow], pack: RulePack) -> float:
    auditor = Auditor(pack)
    reader = CardReader(pack.knowledge.sections)
    started = time.perf_counter()
    for row in rows:
        result = auditor.audit(record_from_row(row, reader))
        assert result.scores is not None
    return time.perf_counter() - started


def _stages(rows: list[DumpRow], pack: RulePack) -> dict[str, float]:
    """Seconds per stage, each stage run over all rows (records) or distinct judgements."""
    auditor = Auditor(pack)
    reader = CardReader(pack.knowledge.sections)
    started = time.perf_counter()
    records = [record_from_row(row, reader) for row in rows]
    parsed = time.perf_counter()
    seen: set[object] = set()
    distinct = []
    for record in records:
        key = auditor._key(record)
        if key is None or key not in seen:
            seen.add(key)
            distinct.append(record)
    keyed = time.perf_counter()
    facts = [analyse(record, pack.knowledge, None) for record in distinct]
    analysed = time.perf_counter()
    judgements = [auditor.evaluator.judge(r, f) for r, f in zip(distinct, facts, strict=True)]
    judged = time.perf_counter()
    for judgement in judgements:
        pack.scoring.score_outcomes(auditor.plan, judgement.outcomes)
    scored = time.perf_counter()
    return {"distinct_judgements": len(distinct), "records_s": round(parsed - started, 2),
            "cache_keys_s": round(keyed - parsed, 2), "facts_s": round(analysed - keyed, 2),
            "rules_s": round(judged - analysed, 2), "scores_s": round(scored - judged, 2)}


def _hf_parse_all(texts: list[str]) -> float:
    from huggingface_hub import ModelCard
    from huggingface_hub.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call, unused-ignore]
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
    # The rows held in memory are this harness's (the CLI streams them): frozen, the garbage
    # collector stops walking them on every full collection, for both contenders alike.
    gc.collect()
    gc.freeze()
    ours = min(_audit_all(rows, pack) for _ in range(args.repeat))
    ref = min(_hf_parse_all(texts) for _ in range(args.repeat))
    n = len(rows)
    report = {"cards": n, "cardaudit_cards_per_s": round(n / ours),
              "hf_modelcard_parse_cards_per_s": round(n / ref),
              "ratio_cardaudit_to_hf_parse": round(ref / ours, 2), "best_of": args.repeat,
              "stages": _stages(rows, pack)}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
