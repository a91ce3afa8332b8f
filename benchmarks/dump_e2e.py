"""End to end: a real bulk dump audited and stored by the CLI, its speed and its memory.

Runs, as separate processes (what a user runs):
  cardaudit audit --dump ../shared/bulk/hub-2022-02.jsonl.gz --db TMP --jobs 1
  cardaudit audit --dump ../shared/bulk/hub-2022-02.jsonl.gz --db TMP --jobs 2
  cardaudit audit --dump DUMP×10 --db TMP --jobs 2   (the dump replicated 10 times, every copy
                                                      a distinct model with a distinct card)
and prints cards/s and the peak resident memory of the whole process tree (parent, forkserver
and workers, summed, sampled every 50 ms from /proc), the store's size per model, and the
popular-model trend (`trends --latest --by year --top 1000 --weight downloads`) beside the
published ≤2022 reference. Exits 1 when the 10× run's peak memory exceeds 1.5× the 1× run's:
memory must not grow with the size of the dump.

Usage: python benchmarks/dump_e2e.py [--shared ../shared] [--copies 10] [--skip-replicated]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")
PUBLISHED_2022 = 0.793  # reference §4: popular models disclosing obtainable data, ≤2022
FLAT_RATIO = 1.5


@dataclass(frozen=True)
class Measured:
    label: str
    cards: int
    seconds: float
    peak_rss: int
    store_bytes: int

    @property
    def rate(self) -> float:
        return self.cards / self.seconds


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _tree_rss(root: int) -> int:
    tree = _children()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        stack.extend(tree.get(pid, ()))
    return total


def _run(label: str, dump: Path, jobs: int, db: Path, cards: int) -> Measured:
    command = [sys.executable, "-m", "cardaudit", "audit", "--dump", str(dump), "--db", str(db),
               "--jobs", str(jobs), "--quiet"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    _out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{label}: exit {process.returncode}: {err.decode()[-500:]}")
    store = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    return Measured(label, cards, seconds, peak, store)


def _replicate(source: Path, target: Path, copies: int) -> int:
    """The dump `copies` times over; each copy's ids and card texts are distinct, so neither
    the store nor the parse cache sees a repeat it would not see in a real dump."""
    count = 0
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=1) as out:
        for copy in range(copies):
            with gzip.open(source, "rt", encoding="utf-8") as rows:
                for line in rows:
                    row = json.loads(line)
                    if copy:
                        row["modelId"] = f"{row.get('modelId')}-copy{copy}"
                        if isinstance(row.get("card"), str):
                            row["card"] += f"\n<!-- copy {copy} -->\n"
                    out.write(json.dumps(row) + "\n")
                    count += 1
    return count


def _popular_view(db: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "cardaudit", "trends", "--latest", "--by", "year", "--top",
         "1000", "--weight", "downloads", "--format", "json", "--db", str(db)],
        capture_output=True, text=True, check=True)
    data: dict[str, object] = json.loads(done.stdout)
    return data


def _count_rows(dump: Path) -> int:
    with gzip.open(dump, "rt", encoding="utf-8") as rows:
        return sum(1 for _ in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--skip-replicated", action="store_true")
    args = parser.parse_args()
    dump = args.shared / "bulk" / "hub-2022-02.jsonl.gz"
    cards = _count_rows(dump)
    results: list[Measured] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for jobs in (1, 2):
            results.append(_run(f"1× dump, --jobs {jobs}", dump, jobs,
                                work / f"j{jobs}.sqlite", cards))
        popular = _popular_view(work / "j2.sqlite")
        if not args.skip_replicated:
            big = work / "replicated.jsonl.gz"
            big_cards = _replicate(dump, big, args.copies)
            results.append(_run(f"{args.copies}× dump, --jobs 2", big, 2,
                                work / "big.sqlite", big_cards))
    print(f"{'run':<22} {'cards':>8} {'seconds':>8} {'cards/s':>8} {'peak RSS':>10} "
          f"{'store/model':>12}")
    for m in results:
        print(f"{m.label:<22} {m.cards:>8,} {m.seconds:>8.1f} {m.rate:>8,.0f} "
              f"{m.peak_rss / 2**20:>8.0f} MB {m.store_bytes / m.cards:>9,.0f} B")
    print(f"\n--jobs 2 vs --jobs 1: {results[1].rate / results[0].rate:.2f}× the cards/s")
    _print_popular(popular)
    if len(results) == 3:
        ratio = results[2].peak_rss / results[1].peak_rss
        print(f"memory: {args.copies}× the cards, {ratio:.2f}× the peak RSS "
              f"(limit {FLAT_RATIO}×)")
        if ratio > FLAT_RATIO:
            print("FAIL memory grows with the dump", file=sys.stderr)
            return 1
    return 0


def _print_popular(popular: dict[str, object]) -> None:
    print(f"\npopular view (top 1000 per cohort by downloads, {popular.get('weight')} weight; "
          f"published ≤2022 reference: {PUBLISHED_2022:.1%} disclosed and available)")
    groups = popular.get("groups")
    total = popular.get("total")
    if not isinstance(groups, list):
        return
    rows: list[dict[str, Any]] = [*groups, *([total] if isinstance(total, dict) else [])]
    for group in rows:
        weighted = group["disclosure"]["disclosed_available"]
        unweighted = (group.get("unweighted") or group)["disclosure"]["disclosed_available"]
        print(f"  {group['key']:<8} models {group['models']:>6,}  disclosed_available "
              f"{weighted:.1%} weighted, {unweighted:.1%} unweighted")
    notes = popular.get("notes")
    for note in notes if isinstance(notes, list) else []:
        print(f"  note: {note}")


if __name__ == "__main__":
    raise SystemExit(main())
