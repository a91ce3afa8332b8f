"""Mutated real cards through every command and output: no traceback, no lost model.

Takes the 183 real Hub cards of ../shared/corpus, damages copies of them with a seeded random
generator (cut, repeated, truncated and spliced spans, swapped lines, CRLF, stray bytes, and
hostile insertions: YAML tags and anchors, `---`, `<script>`, bidi controls, template
placeholders), writes them as model folders (one in ten with a LICENSE) in a temporary folder,
and runs the installed CLI on them: `audit` in every format, `check` in every format, `report`,
`bom` in every format, and `explain` on a sample. Each run must exit 0 or 1 with no traceback;
the JSON report must hold one row per folder and no `internal` error row; the JSON and SARIF
validate against their JSON Schemas (ours, and SARIF 2.1.0); the HTML and Markdown must hold
no `<script>` from card text; no output, printed or written, holds a terminal escape (ESC, BEL).

The same seed gives the same cards, so a failure is reproducible (`--keep DIR` keeps them).
Prints a JSON summary; exits 1 if any check failed.

Usage: python benchmarks/mutation_fuzz.py [--shared ../shared] [--seed 1] [--cards 200]
       [--batches 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HOSTILE = [b"\x00", b"\xff\xfe", b"\r", b"\r\n", b"\t", b"---\n", b"\n---\n", b"&a ", b"*a",
           b"!!python/object/apply:os.system ['true']", b"<script>alert(1)</script>", b"|",
           b"```", b"\n# ", b"\n## Training data\n", b"license: other\n",
           b"license_name: x\n", "\u202e".encode(), b"\xc3", b"{", b"[", b": ", b"- ",
           b"datasets:\n- ", b"base_model: ", b"extra_gated_fields:\n  a: b\n", b"=\n", b"\\",
           b"$model", b"${value}", b"%s", b"{0}", "\u2028".encode(), b"<!--", b"-->",
           b"[x](", b"](javascript:alert(1))", "\U0001f600".encode(), b"=cmd|' /C calc'!A0",
           b"\nlicense: <script>alert(1)</script>\n", b"\n## <script>alert(1)</script>\n",
           b"\nlicense_name: <script>alert(1)</script>\n", b"<script>alert(1)</script> License\n",
           b"\x1b]0;pwned\x07", b"\x1b[2J", b"\n## \x1b[31mTraining data\n",
           b'\nlicense: "\\e]0;pwned\\a"\n', b'\nlicense_name: "\\e[31mx"\n',
           b'\nbase_model: "\\e[2Jorg/x"\n']
CONTROL = (b"\x1b", b"\x07")  # terminal escapes: never in any output (runs use --no-color)
SCRIPT = b"<script>alert(1)</script>"
# put before one card in ten, so that card text certainly reaches the reports' cells
HOSTILE_FRONT = [b"---\nlicense: " + SCRIPT + b"\n---\n",
                 b"---\nlicense: other\nlicense_name: " + SCRIPT + b"\n---\n",
                 b"---\nlicense: [mit, '" + SCRIPT + b"']\ndatasets: ['" + SCRIPT + b"']\n---\n",
                 b"---\nbase_model: acme/" + SCRIPT + b"\n---\n# " + SCRIPT + b"\n"]


@dataclass
class Outcome:
    """What one batch found."""

    runs: int = 0
    problems: list[str] = field(default_factory=list)


def mutate(rng: random.Random, data: bytes, cards: list[bytes]) -> bytes:
    """One to eight random edits of a card."""
    for _ in range(rng.randint(1, 8)):
        size = len(data)
        start = rng.randrange(size + 1)
        stop = min(size, start + rng.randint(0, 400))
        edit = rng.randrange(8)
        if edit == 0:
            data = data[:start] + data[stop:]
        elif edit == 1:
            data = data[:start] + data[start:stop] * rng.randint(2, 5) + data[start:]
        elif edit == 2:
            data = data[:start] + rng.choice(HOSTILE) + data[start:]
        elif edit == 3:
            data = data[:start]
        elif edit == 4:
            other = rng.choice(cards)
            at = rng.randrange(len(other) + 1)
            data = data[:start] + other[at:at + rng.randint(0, 2000)] + data[stop:]
        elif edit == 5:
            lines = data.split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif edit == 6:
            data = data.replace(b"\n", b"\r\n")
        elif size:
            data = data[:start] + bytes([rng.randrange(256)]) + data[start + 1:]
    return data


def write_models(rng: random.Random, cards: list[bytes], root: Path, count: int) -> None:
    for index in range(count):
        folder = root / f"model-{index:04d}"
        folder.mkdir()
        card = mutate(rng, rng.choice(cards), cards)
        if rng.random() < 0.1:
            card = rng.choice(HOSTILE_FRONT) + card
        (folder / "README.md").write_bytes(card)
        if rng.random() < 0.1:
            (folder / "LICENSE").write_bytes(mutate(rng, rng.choice(cards), cards)[:3000])


def run_cli(outcome: Outcome, env: dict[str, str], *args: str
            ) -> subprocess.CompletedProcess[bytes]:
    """One CLI run; an exit code other than 0/1 or a traceback is a problem."""
    outcome.runs += 1
    done = subprocess.run([sys.executable, "-m", "cardaudit", "--no-color", "--quiet", *args],
                          capture_output=True, timeout=900, check=False, env=env)
    if done.returncode not in (0, 1) or b"Traceback" in done.stderr:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        outcome.problems.append(f"{' '.join(args[:3])}: exit {done.returncode}: {tail}")
    if any(c in done.stdout + done.stderr for c in CONTROL):
        outcome.problems.append(f"{' '.join(args[:3])}: a terminal control sequence came out")
    return done


ROOT = Path(__file__).resolve().parents[1]


def schema_problem(name: str, document: object) -> str | None:
    """The first way `document` breaks its JSON Schema (ours, or SARIF 2.1.0), else None."""
    import jsonschema
    from referencing import Registry, Resource

    ours = ROOT / "src/cardaudit/reports/schema"
    schemas = {p.name.removesuffix("-v1.json"): json.loads(p.read_text())
               for p in ours.glob("*-v1.json")}
    schemas["sarif"] = json.loads((ROOT / "tests/schemas/sarif-schema-2.1.0.json").read_text())
    registry: Registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values() if "$id" in s)
    validator = jsonschema.validators.validator_for(schemas[name])(schemas[name],
                                                                   registry=registry)
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    return None if error is None else f"breaks its schema at {error.json_path}: {error.message}"


def check_batch(rng: random.Random, root: Path, out: Path, count: int) -> Outcome:
    outcome = Outcome()
    # the store and cache of these runs stay in the batch's folder, and nothing goes online
    env = {**os.environ, "XDG_DATA_HOME": str(out / "data"),
           "XDG_CACHE_HOME": str(out / "cache"), "HF_HUB_OFFLINE": "1"}
    report = out / "audit.json"
    run_cli(outcome, env, "audit", str(root), "-f", "json", "-o", str(report), "--no-store")
    if report.exists():
        models = json.loads(report.read_text())["models"]
        if len(models) != count:
            outcome.problems.append(f"audit: {len(models)} rows for {count} models")
        internal = [m["id"] for m in models if (m.get("error") or {}).get("code") == "internal"]
        if internal:
            outcome.problems.append(f"audit: internal error rows {internal[:5]}")
    for fmt in ("table", "csv", "markdown"):
        run_cli(outcome, env, "audit", str(root), "-f", fmt, "-o", str(out / f"audit.{fmt}"),
                "--no-store")
    for fmt in ("table", "json", "csv", "markdown", "sarif", "junit"):
        run_cli(outcome, env, "check", str(root), "--policy", "permissive-only", "-f", fmt,
                "-o", str(out / f"check.{fmt}"))
    run_cli(outcome, env, "report", str(root), "-o", str(out / "report.html"))
    for fmt in ("spdx3", "spdx2", "cyclonedx"):
        run_cli(outcome, env, "bom", str(root), "-f", fmt, "-o", str(out / f"bom.{fmt}.json"))
    for index in sorted(rng.sample(range(count), min(3, count))):
        for fmt in ("table", "json", "markdown", "csv"):
            done = run_cli(outcome, env, "explain", str(root / f"model-{index:04d}"), "-f", fmt)
            if fmt == "markdown" and SCRIPT in done.stdout:
                outcome.problems.append(f"explain model-{index:04d}: card text <script> "
                                        "came through unescaped")
    for name, schema in (("audit.json", "report"), ("check.json", "gate"),
                         ("check.sarif", "sarif"), ("bom.spdx3.json", None),
                         ("bom.spdx2.json", None), ("bom.cyclonedx.json", None)):
        try:
            document = json.loads((out / name).read_bytes().decode("utf-8"))
        except (OSError, ValueError) as exc:
            outcome.problems.append(f"{name}: not UTF-8 JSON ({exc})")
            continue
        if schema is not None:
            problem = schema_problem(schema, document)
            if problem:
                outcome.problems.append(f"{name}: {problem}")
    for name in ("report.html", "audit.markdown", "check.markdown"):
        path = out / name
        if path.exists() and SCRIPT in path.read_bytes():
            outcome.problems.append(f"{name}: card text <script> came through unescaped")
    for path in sorted(out.glob("*.*")):
        if path.is_file() and any(c in path.read_bytes() for c in CONTROL):
            outcome.problems.append(f"{path.name}: a terminal control sequence came through")
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--batches", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep each failing batch's cards here")
    args = parser.parse_args()
    cards = [p.read_bytes() for p in sorted((args.shared / "corpus" / "cards").glob("*/README.md"))]
    rng = random.Random(args.seed)
    started = time.perf_counter()
    runs = 0
    problems: list[str] = []
    for batch in range(args.batches):
        with tempfile.TemporaryDirectory(prefix="cardaudit-fuzz-") as work:
            root, out = Path(work) / "models", Path(work) / "out"
            root.mkdir()
            out.mkdir()
            write_models(rng, cards, root, args.cards)
            outcome = check_batch(rng, root, out, args.cards)
            runs += outcome.runs
            problems += [f"batch {batch}: {p}" for p in outcome.problems]
            if outcome.problems and args.keep is not None:
                shutil.copytree(root, args.keep / f"seed{args.seed}-batch{batch}")
    print(json.dumps({"seed": args.seed, "cards": args.cards * args.batches,
                      "cli_runs": runs, "problems": problems,
                      "seconds": round(time.perf_counter() - started, 1)}, indent=2))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
