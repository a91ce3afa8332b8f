"""A digest of every judgement on a bulk dump: shows that a speed change changed no verdict.

Audits every row of a dump (default ../shared/bulk/hub-2022-02.jsonl.gz) exactly as
bulk_speed.py does and writes each row's JSON report entry, one line a row, keys sorted, to
OUT; prints the row count and the MD5 of OUT. Run it before and after a change to the core
auditor: equal digests mean every row got the same license, disclosure, gate, sections,
findings (with evidence) and scores; `diff` of the two files shows any row that moved.

Usage: python benchmarks/judgement_digest.py OUT [--dump PATH] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from cardaudit.cards.document import CardReader
from cardaudit.pack import load_pack
from cardaudit.reports.document import model_data
from cardaudit.runner import Auditor
from cardaudit.sources.dump import iter_rows, record_from_row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--shared", type=Path,
                        default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--dump", type=Path, default=None)
    args = parser.parse_args()
    dump = args.dump or args.shared / "bulk" / "hub-2022-02.jsonl.gz"
    pack = load_pack()
    auditor = Auditor(pack)
    reader = CardReader(pack.knowledge.sections)
    rows = 0
    with args.out.open("w", encoding="utf-8") as out:
        for row in iter_rows(dump):
            result = auditor.audit(record_from_row(row, reader))
            out.write(json.dumps(model_data(result), sort_keys=True, ensure_ascii=False))
            out.write("\n")
            rows += 1
    digest = hashlib.md5(args.out.read_bytes()).hexdigest()
    print(json.dumps({"rows": rows, "md5": digest, "out": str(args.out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
