"""Bulk dumps of model cards (JSONL, optionally gzip; Parquet with pyarrow): one row per model
with Hub API fields and the README text as `card`, in the column names of the public
model-card dumps (`modelId`/`id`, `author`, `createdAt`, `lastModified`/`last_modified`,
`downloads`, `likes`, `tags`, `pipeline_tag`, `library_name`, `card`).

Rows are streamed: memory stays bounded whatever the file size.
"""

from __future__ import annotations

import gzip
import io
import json
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cardaudit.cards.document import CardReader
from cardaudit.cards.record import CardError, HubFacts, ModelRecord, count_or_none
from cardaudit.errors import UsageError
from cardaudit.safetext import may_hold_surrogates, valid_data
from cardaudit.sources.targets import is_stdin

MAX_LINE_BYTES = 64 * 1024 * 1024
_SKIP_CHUNK = 1024 * 1024
# Parquet rows read at a time: few, since a card can be megabytes (1,024 rows of 2 MB cards
# peaked at 6.4 GB)
PARQUET_BATCH_ROWS = 32
# What the 2022 Hub scrape stored for repos without a README.
_MISSING_CARD_MARKERS = ("Error: the path 'README.md' does not exist",)


@dataclass(frozen=True, slots=True)
class DumpRow:
    """One raw row: its position in the file and the parsed JSON object (or why not)."""

    number: int
    data: dict[str, Any] | None
    problem: str | None = None


def is_stream(path: Path) -> bool:
    """Standard input or a named pipe (`--dump <(zcat …)`): read once, front to back."""
    if is_stdin(path):
        return True
    try:
        return stat.S_ISFIFO(path.stat().st_mode)
    except OSError:
        return False


class _CountingReader(io.RawIOBase):
    """A pipe's bytes, counted as they are read (a pipe has no position to ask for), with
    its first bytes read ahead to tell the format (a pipe may deliver them one at a time)."""

    def __init__(self, raw: BinaryIO, owned: bool, ahead: int) -> None:
        super().__init__()
        self.raw = raw
        self.owned = owned  # standard input is left open
        self.count = 0
        self.head = b""
        while len(self.head) < ahead:
            chunk = raw.read1(ahead - len(self.head))  # type: ignore[attr-defined]
            if not chunk:
                break
            self.head += chunk

    def close(self) -> None:
        if self.owned:
            self.raw.close()
        super().close()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            size = min(len(buffer), len(self.head))
            buffer[:size] = self.head[:size]
            self.head = self.head[size:]
            read = size
        else:
            read = self.raw.readinto(buffer) or 0  # type: ignore[attr-defined]
        self.count += read
        return read


def open_text(path: Path) -> tuple[io.TextIOBase, Callable[[], int]]:
    """A text stream over a plain or gzip dump (detected by its magic bytes) — a file, a named
    pipe or standard input — and how many of its bytes have been read so far."""
    try:
        opened: BinaryIO = sys.stdin.buffer if is_stdin(path) else path.open("rb")
    except OSError as exc:
        raise UsageError(f"cannot read dump {path}: {exc.strerror or exc}") from None
    streamed = is_stream(path)
    if streamed:
        counter = _CountingReader(opened, owned=not is_stdin(path), ahead=4)
        magic = counter.head
        raw: BinaryIO = io.BufferedReader(counter, 1024 * 1024)
        position: Callable[[], int] = lambda: counter.count  # noqa: E731
    else:
        raw = opened
        magic = raw.read(4)
        raw.seek(0)
        position = raw.tell
    if magic == b"PAR1":
        raw.close()
        raise UsageError(f"dump {_shown(path)} is Parquet: " + (
            "Parquet is read by seeking in it, which a pipe cannot do; save it to a .parquet "
            "file" if streamed else "name the file *.parquet"))
    binary: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if magic[:2] == b"\x1f\x8b" else raw  # type: ignore[assignment]
    # utf-8-sig: a byte-order mark that Windows tools put before the first line is dropped
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace"), position


def _shown(path: Path) -> str:
    return "on standard input" if is_stdin(path) else str(path)


def parse_line(number: int, line: str) -> DumpRow:
    """One JSONL line as a row, or the reason it is not one."""
    if len(line) > MAX_LINE_BYTES:
        return DumpRow(number, None, f"line {number} is larger than {MAX_LINE_BYTES} bytes")
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return DumpRow(number, None, f"line {number} is not JSON: {exc.msg}")
    except RecursionError:
        return DumpRow(number, None, f"line {number} is JSON nested too deeply to read")
    if not isinstance(data, dict):
        return DumpRow(number, None, f"line {number} is not a JSON object")
    if may_hold_surrogates(line):
        data = valid_data(data)
    return DumpRow(number, data)


def iter_raw(path: Path) -> Iterator[tuple[int, str | dict[str, Any], int]]:
    """(row number, raw JSON line or Parquet row, bytes of the file read so far), streamed;
    parsing a line is left to whoever audits it (a worker process)."""
    if path.suffix == ".parquet" and not is_stream(path):  # a pipe's format is told by its bytes
        yield from _parquet_rows(path)
        return
    stream, position = open_text(path)
    with stream:
        try:
            for number, line in enumerate(_lines(stream), start=1):
                if line.strip():
                    yield number, line, position()
        except (OSError, EOFError) as exc:  # a truncated or corrupt gzip member
            raise UsageError(f"cannot read dump {_shown(path)}: {exc}") from None


def _lines(stream: io.TextIOBase) -> Iterator[str]:
    """The file's lines; a line longer than MAX_LINE_BYTES comes cut just past the limit (so
    parse_line refuses it) and the rest of it is skipped unread into memory: one 5 GB line
    must not need 5 GB."""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith("\n"):
            rest = stream.readline(_SKIP_CHUNK)
            while rest and not rest.endswith("\n"):
                rest = stream.readline(_SKIP_CHUNK)
        yield line


def iter_rows(path: Path) -> Iterator[DumpRow]:
    """Rows of a JSONL (or .jsonl.gz) or Parquet dump, streamed."""
    for number, raw, _ in iter_raw(path):
        yield parse_line(number, raw) if isinstance(raw, str) else DumpRow(number, raw)


def _parquet_rows(path: Path) -> Iterator[tuple[int, dict[str, Any], int]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("reading Parquet dumps needs pyarrow",
                         hint="pip install 'cardaudit[parquet]'") from None
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own hierarchy
        raise UsageError(f"cannot read Parquet dump {path}: {exc}") from None
    number = 0
    total = max(parquet.metadata.num_rows, 1)
    size = path.stat().st_size
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
        for data in batch.to_pylist():
            number += 1
            yield number, data, size * number // total


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _date(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return None


def model_id(data: dict[str, Any], number: int) -> str:
    return _str(data.get("modelId")) or _str(data.get("id")) or f"row-{number}"


def hub_facts(data: dict[str, Any], model: str) -> HubFacts:
    """The Hub API fields a dump row carries."""
    tags = data.get("tags")
    tags = tuple(str(t) for t in tags) if isinstance(tags, list | tuple) else ()
    safetensors = data.get("safetensors")
    parameters = count_or_none(safetensors.get("total")) if isinstance(safetensors, dict) \
        else None
    bases = tuple(t.split(":")[-1] for t in tags if t.startswith("base_model:")
                  and t.count(":") == 1)
    relation = next((t.split(":")[1] for t in tags if t.startswith("base_model:")
                     and t.count(":") == 2), None)
    author = _str(data.get("author")) or (model.split("/")[0] if "/" in model else None)
    return HubFacts(
        id=model, sha=_str(data.get("sha")), author=author,
        private=data.get("private") if isinstance(data.get("private"), bool) else None,
        gated=data.get("gated") if data.get("gated") in (False, True, "auto", "manual") else None,
        created_at=_date(data.get("createdAt")),
        last_modified=_date(data.get("lastModified") or data.get("last_modified")),
        downloads=count_or_none(data.get("downloads")),
        downloads_all_time=count_or_none(data.get("downloadsAllTime")),
        likes=count_or_none(data.get("likes")), tags=tags, base_models=bases,
        base_relation=relation,
        parameters=parameters, library_name=_str(data.get("library_name")),
        pipeline_tag=_str(data.get("pipeline_tag")), gated_known="gated" in data)


def record_from_row(row: DumpRow, reader: CardReader, source_name: str = "dump") -> ModelRecord:
    """A record for one row that is a JSON object (a line that is not gets an error row that
    judges nothing: bulk._judge_batch); rows without a usable card keep their Hub facts."""
    data = row.data
    if data is None:
        raise ValueError(f"row {row.number} is not a row: {row.problem}")
    model = model_id(data, row.number)
    location = f"row {row.number}"
    hub = hub_facts(data, model)
    card = data.get("card")
    if isinstance(card, bytes | bytearray):  # a Parquet binary column: decoded as a README is
        card = bytes(card)
        if any(card.startswith(m.encode()) for m in _MISSING_CARD_MARKERS):
            card = None
    elif isinstance(card, str) and any(card.startswith(m) for m in _MISSING_CARD_MARKERS):
        card = None
    if not isinstance(card, str | bytes):
        return ModelRecord(model, source_name, location, None, hub=hub, revision=hub.sha,
                           card_error=CardError("missing-card", "the dump has no README for it"))
    return ModelRecord(model, source_name, location, reader.read(card), hub=hub,
                       revision=hub.sha)
