"""Mutated rule packs and policies through the CLI: a broken file is `file:line` errors and
exit 2, a valid one runs; never a traceback, an `internal error` or another exit code.

Users write rule folders (`--rules DIR`), policies (`--policy FILE`) and exemptions
(`--exemptions FILE`) by hand. This loads the shipped rule files and a policy that uses every
clause, mutates their data trees with a seeded random generator (keys dropped, added or renamed,
values swapped for other types, huge numbers, NaN, bad regexes, unknown facts, deep nesting,
long and control-character strings), writes them back as YAML and runs `rules validate`,
`audit --rules` and `check --rules` (SARIF), and `check --policy --exemptions` in four formats,
on the examples. Prints a JSON summary of exit codes; exits 1 on any problem.

Usage: python benchmarks/config_fuzz.py [--seed 1] [--cases 100]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from cardaudit.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = str(ROOT / "examples")
VALUES: list[Any] = [
    None, True, False, 0, -1, 101, 10**30, 1.5, float("nan"), float("inf"), "", "x", "*", "(",
    "(a+)+$", "[", "\\", "${value}", "${nope}", "$", [], {}, [None], [[1]], {"a": 1},
    {"all": []}, {"any": [{}]}, {"not": {"not": {}}}, "front_matter.license", "sections.",
    "hub.nope", "license[0]", "a" * 5000, "ñ\u202e\x1b[2J", "high", "CA-LIC-001", "nope",
    "2030-13-45", "2030-01-01", "acme/**", "../x", "license.allow", "warn", "fail",
    {"fact": "sections.citation", "equals": True}, {"field": "body", "matches": "(?P<x>a)(?P=x)"},
    ["permissive", "permissive"]]
KEYS = ["extra", "when", "check", "message", "severity", "field", "matches", "all", "any", "not",
        "allow", "min", "fact"]
POLICY = {"schema_version": 1, "name": "fuzz", "description": "d", "on_error": "fail",
          "fail_on": "high",
          "licenses": {"allow_categories": ["permissive"], "deny_categories": ["unknown"],
                       "allow": ["mit"], "deny": ["gpl-3.0"], "require_commercial_use": True,
                       "check_ancestors": True},
          "gate": {"max_level": "click_through"},
          "data": {"min_level": "disclosed_partial", "inherit": True},
          "scores": {"min": {"overall": 50, "license": 10}},
          "rules": {"require": ["CA-LIC-001"], "disable": ["CA-DOC-014"],
                    "severity": {"CA-DOC-001": "high"}},
          "origin": {"deny_countries": ["CN"]}}
EXEMPTIONS = {"schema_version": 1, "exemptions": [
    {"model": "acme/*", "clause": "license.allow", "reason": "r", "owner": "o",
     "expires": "2030-01-01"},
    {"model": "acme/bare-card", "rule": "CA-LIC-001", "reason": "r", "owner": "o",
     "expires": "2020-01-01", "revision": "abc"}]}


def mutate(rng: random.Random, node: Any, depth: int = 0) -> None:
    """One change somewhere in a data tree: a key or item deleted, added, replaced, a list item
    repeated many times, or a change further down."""
    if not isinstance(node, dict | list) or not node:
        return
    slot = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
    roll = rng.random()
    if roll < 0.2:
        del node[slot]
    elif roll < 0.35:
        if isinstance(node, dict):
            node[rng.choice([*KEYS, f"{slot}s"])] = copy.deepcopy(rng.choice(VALUES))
        else:
            node.append(copy.deepcopy(rng.choice(VALUES)))
    elif roll < 0.45 and isinstance(node, list):
        node[slot] = [node[slot]] * rng.randint(1, 40)
    elif roll < 0.7 and isinstance(node[slot], dict | list) and depth < 6:
        mutate(rng, node[slot], depth + 1)
    else:
        node[slot] = copy.deepcopy(rng.choice(VALUES))


def run(stats: Counter[str], problems: list[str], case: int, *args: str) -> None:
    result = CliRunner().invoke(app, list(args), catch_exceptions=True)
    text = (result.stdout or "") + (result.stderr or "")
    stats[f"{args[0]} exit {result.exit_code}"] += 1
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    if result.exit_code not in (0, 1, 2) or crashed or "Traceback" in text \
            or "internal error" in text:
        problems.append(f"case {case} {' '.join(args[:2])}: exit {result.exit_code} "
                        f"{result.exception!r} {text[-300:]!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rule_files = sorted(p for d in ("license", "data", "gates", "docs", "lineage")
                        for p in (ROOT / "rules" / d).rglob("*.yaml"))
    rule_docs = [list(yaml.safe_load_all(p.read_text(encoding="utf-8"))) for p in rule_files]
    stats: Counter[str] = Counter()
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cardaudit-config-fuzz-") as tmp:
        for case in range(args.cases):
            folder = Path(tmp) / f"case{case}"
            folder.mkdir()
            rules = copy.deepcopy(rng.choice(rule_docs))
            for _ in range(rng.randint(1, 3)):
                mutate(rng, rules)
            text = yaml.safe_dump_all(rules, allow_unicode=True, sort_keys=False)
            (folder / "rules").mkdir()
            (folder / "rules" / "r.yaml").write_text(text.replace("CA-", "ORG-"),
                                                     encoding="utf-8")
            policy, exemptions = copy.deepcopy(POLICY), copy.deepcopy(EXEMPTIONS)
            for _ in range(rng.randint(0, 3)):
                mutate(rng, policy)
            for _ in range(rng.randint(0, 2)):
                mutate(rng, exemptions)
            (folder / "p.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True))
            (folder / "e.yaml").write_text(yaml.safe_dump(exemptions, allow_unicode=True))
            rules_dir = str(folder / "rules")
            run(stats, problems, case, "rules", "validate", rules_dir)
            run(stats, problems, case, "audit", EXAMPLES, "--rules", rules_dir, "-f", "json",
                "--no-store")
            run(stats, problems, case, "check", EXAMPLES, "--rules", rules_dir, "-f", "sarif")
            for fmt in ("json", "sarif", "junit", "markdown"):
                run(stats, problems, case, "check", EXAMPLES, "--policy", str(folder / "p.yaml"),
                    "--exemptions", str(folder / "e.yaml"), "-f", fmt)
    print(json.dumps({"seed": args.seed, "cases": args.cases, "exits": dict(sorted(stats.items())),
                      "problems": problems}, indent=2))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
