"""Trend agreement: the disclosure trend cardaudit measures vs. the one the hand labels show.

Runs the real CLI end to end, as a user would:
  cardaudit audit --dump ../shared/bulk/corpus-dump.jsonl --db TMP
  cardaudit trends --latest --by year --format json --db TMP
then, for every release-year cohort with at least --min-models models, compares the measured
`disclosed_available` share with the share in ../shared/corpus/labels.jsonl (matched on `id`,
cohort = year of the dump's `createdAt`). Exits 1 when a cohort differs by more than
--tolerance points (issue 4: 10), or a labelled model is missing from the run.

Usage: python benchmarks/trend_agreement.py [--shared ../shared] [--tolerance 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

LEVEL = "disclosed_available"


def _cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "cardaudit", *args], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"cardaudit {' '.join(args)} exited {done.returncode}: "
                         f"{done.stderr.strip()}")
    return done.stdout


def _label_shares(shared: Path) -> tuple[dict[str, tuple[int, int]], set[str]]:
    """Per release year: (models, labelled disclosed_available)."""
    years = {}
    for line in (shared / "bulk" / "corpus-dump.jsonl").read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            years[row["id"]] = (row.get("createdAt") or "")[:4] or "unknown"
    totals: Counter[str] = Counter()
    available: Counter[str] = Counter()
    for line in (shared / "corpus" / "labels.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        label = json.loads(line)
        year = years.get(label["id"], "unknown")
        totals[year] += 1
        available[year] += label["data_disclosure"] == LEVEL
    return {y: (totals[y], available[y]) for y in totals}, set(years)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--tolerance", type=float, default=10.0, help="points")
    parser.add_argument("--min-models", type=int, default=10)
    args = parser.parse_args()
    labels, dump_ids = _label_shares(args.shared)
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "audits.sqlite")
        _cli("audit", "--dump", str(args.shared / "bulk" / "corpus-dump.jsonl"), "--db", db,
             "--quiet", "--format", "json", "--output", str(Path(tmp) / "report.json"))
        report = json.loads((Path(tmp) / "report.json").read_text())
        trends = json.loads(_cli("trends", "--latest", "--by", "year", "--format", "json",
                                 "--db", db))
    audited = {m["id"] for m in report["models"]}
    missing = sorted(dump_ids - audited)
    groups = {g["key"]: g for g in trends["groups"]}
    failures = [f"model missing from the run: {m}" for m in missing]
    print(f"{'cohort':<8} {'models':>6} {'labels':>8} {'cardaudit':>10} {'diff':>7}")
    for year in sorted(labels):
        total, available = labels[year]
        group = groups.get(year)
        label_share = available / total
        measured = None if group is None else group["disclosure"][LEVEL]
        diff = None if measured is None else (measured - label_share) * 100
        checked = total >= args.min_models
        shown = "—" if measured is None else f"{measured:.1%}"
        shown_diff = "—" if diff is None else f"{diff:+.1f}"
        print(f"{year:<8} {total:>6} {label_share:>8.1%} {shown:>10} {shown_diff:>7}"
              f"{'' if checked else '   (under ' + str(args.min_models) + ': not checked)'}")
        if checked and (diff is None or abs(diff) > args.tolerance):
            failures.append(f"cohort {year}: {shown} measured vs {label_share:.1%} labelled")
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if not failures:
        print(f"trend agreement: every cohort of {args.min_models}+ models within "
              f"{args.tolerance:g} points of the labels")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
