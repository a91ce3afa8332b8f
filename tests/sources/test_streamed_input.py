"""Input that arrives on a pipe, as the shell hands it over: `zcat dump.gz | cardaudit audit
--dump -`, `--dump <(zcat …)` (a named pipe), `grep … ids.txt | cardaudit check --from-file -`.
Run as real processes with real pipes: the reading must not seek, and must not hang."""

from __future__ import annotations

import gzip
import json
import os
import pty
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.cli.scenario import ROOT

ROWS = [{"modelId": "acme/first", "card": "---\nlicense: mit\n---\n# M\n\nClassifies text.\n",
         "createdAt": "2024-01-02T00:00:00.000Z"},
        {"modelId": "acme/second", "card": "---\nlicense: cc-by-nc-4.0\n---\n# M\n",
         "createdAt": "2023-05-06T00:00:00.000Z"}]
DUMP = "".join(json.dumps(row) + "\n" for row in ROWS).encode()


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "SOURCE_DATE_EPOCH": "1767225600"}


def cardaudit(tmp_path: Path, *args: str, stdin: bytes | None = None,
              stdin_file: int | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "cardaudit", *args], input=stdin,
                          stdin=stdin_file, capture_output=True, timeout=120,
                          env=_env(tmp_path))


def _licenses(run: subprocess.CompletedProcess[bytes]) -> dict[str, str]:
    assert run.returncode == 0, run.stderr.decode()
    return {m["id"]: m["license"]["key"] for m in json.loads(run.stdout)["models"]}


def test_a_dump_on_standard_input_is_audited_plain_or_gzip(tmp_path: Path) -> None:
    expected = {"acme/first": "mit", "acme/second": "cc-by-nc-4.0"}
    for data in (DUMP, gzip.compress(DUMP)):
        for jobs in ("1", "2"):
            run = cardaudit(tmp_path, "audit", "--dump", "-", "-f", "json", "--no-store",
                            "--jobs", jobs, stdin=data)
            assert _licenses(run) == expected


def test_a_stored_dump_from_standard_input_is_a_run_named_stdin(tmp_path: Path) -> None:
    db = str(tmp_path / "audit.db")
    run = cardaudit(tmp_path, "audit", "--dump", "-", "--db", db, "--jobs", "1",
                    stdin=gzip.compress(DUMP))
    assert run.returncode == 0, run.stderr.decode()
    assert run.stdout.decode().startswith("stdin: 2 model(s) audited")
    runs = cardaudit(tmp_path, "runs", "--db", db, "-f", "json")
    assert json.loads(runs.stdout)["runs"][0]["source"] == "dump:stdin"
    trends = cardaudit(tmp_path, "trends", "--db", db, "--by", "year", "-f", "json")
    assert trends.returncode == 0, trends.stderr.decode()
    assert {g["key"] for g in json.loads(trends.stdout)["groups"]} == {"2023", "2024"}


def test_a_named_pipe_is_read_as_it_is_written_even_a_byte_at_a_time(tmp_path: Path) -> None:
    """`--dump <(zcat …)` hands over a pipe; its gzip header may come in pieces."""
    pipe = tmp_path / "dump.jsonl.gz"
    os.mkfifo(pipe)
    data = gzip.compress(DUMP)

    def write() -> None:
        with pipe.open("wb", buffering=0) as writer:
            for byte in data[:3]:
                writer.write(bytes([byte]))
                time.sleep(0.05)
            writer.write(data[3:])

    writer = threading.Thread(target=write, daemon=True)  # blocks for ever if nobody reads
    writer.start()
    run = cardaudit(tmp_path, "audit", "--dump", str(pipe), "-f", "json", "--no-store")
    writer.join(timeout=10)
    assert _licenses(run) == {"acme/first": "mit", "acme/second": "cc-by-nc-4.0"}


def test_a_dump_that_cannot_be_read_from_a_pipe_is_one_line(tmp_path: Path) -> None:
    truncated = cardaudit(tmp_path, "audit", "--dump", "-", "--no-store", "--jobs", "1",
                          stdin=gzip.compress(DUMP * 50)[:-30])
    assert truncated.returncode == 2 and b"Traceback" not in truncated.stderr
    assert truncated.stderr.decode().startswith("error: cannot read dump on standard input")
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), parquet)
    piped = cardaudit(tmp_path, "audit", "--dump", "-", "--no-store",
                      stdin=parquet.read_bytes())
    assert piped.returncode == 2 and b"is Parquet" in piped.stderr
    assert b"save it to a .parquet file" in piped.stderr
    pipe = tmp_path / "piped.parquet"  # a pipe named for Parquet: told by its bytes too
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_bytes(parquet.read_bytes()),
                              daemon=True)
    writer.start()
    named_pipe = cardaudit(tmp_path, "audit", "--dump", str(pipe), "--no-store")
    writer.join(timeout=10)
    assert named_pipe.returncode == 2 and b"save it to a .parquet file" in named_pipe.stderr
    misnamed = tmp_path / "rows.jsonl"
    misnamed.write_bytes(parquet.read_bytes())
    named = cardaudit(tmp_path, "audit", "--dump", str(misnamed), "--no-store")
    assert named.returncode == 2 and b"name the file *.parquet" in named.stderr


def test_a_dump_on_a_terminal_is_refused_rather_than_waited_for(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    try:
        run = cardaudit(tmp_path, "audit", "--dump", "-", "--no-store", stdin_file=follower)
    finally:
        os.close(leader)
        os.close(follower)
    assert run.returncode == 2
    assert b"standard input, which is a terminal" in run.stderr
    assert len(run.stderr.decode().strip().splitlines()) == 1


def test_targets_on_standard_input(tmp_path: Path) -> None:
    listing = b"# from a registry export\nexamples/models/acme__llama-chat-ft\n\n"
    run = subprocess.run([sys.executable, "-m", "cardaudit", "audit", "--from-file", "-",
                          "-f", "json", "--no-store"], input=listing, capture_output=True,
                         timeout=120, env=_env(tmp_path), cwd=ROOT)
    assert run.returncode == 0, run.stderr.decode()
    assert [m["id"] for m in json.loads(run.stdout)["models"]] == ["acme/llama-chat-ft"]


def test_a_target_list_that_is_no_list_is_refused_without_reading_it_all(
        tmp_path: Path) -> None:
    run = cardaudit(tmp_path, "audit", "--from-file", "/dev/zero", "--no-store")
    assert run.returncode == 2
    assert run.stderr.decode().startswith("error: /dev/zero holds more than 64 MiB of targets")
    latin = tmp_path / "targets.txt"
    latin.write_bytes(b"acme/caf\xe9\n")
    bad = cardaudit(tmp_path, "audit", "--from-file", str(latin), "--no-store")
    assert bad.returncode == 2 and b"is not UTF-8 text" in bad.stderr
