"""Every Hub reply body is bounded in time and in size, through one response hook on
huggingface_hub's shared session (metadata, listings, files; proxies and redirects included).

Time: a read within `--timeout` is not enough when an endpoint trickles one byte at a time (a CI
gate would hang for hours), so a whole body must end within REPLY_TIMEOUTS periods.
Size: the client reads a metadata reply whole into memory, so at most MAX_REPLY_BYTES are read.
Compressed replies are decoded here, in bounded steps, and the byte limit applies to the decoded
bytes: httpx would inflate a 1.5 MB gzip reply into 1.5 GB at once (measured: 5.5 GB peak).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpx2

MAX_REPLY_BYTES = 128 * 1024 * 1024  # the largest real listing pages hold tens of MB
REPLY_TIMEOUTS = 3  # a whole reply body may take this many --timeout periods
_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class BadReply(ValueError):
    """A reply that cannot be read as it was sent: the same reply again would not help."""


class ReplyTooLarge(BadReply):
    """A reply body longer than MAX_REPLY_BYTES."""


class UnreadableEncoding(BadReply):
    """A compressed reply that does not decode."""


class _Inflater:
    """One content coding undone in steps of at most `step` bytes of output."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._decoder = zlib.decompressobj(_WBITS[coding])
        self._first = True
        self._head = b""  # deflate's first bytes, held until its header can be told (2 bytes)

    def feed(self, data: bytes, step: int) -> Iterator[bytes]:
        if self._first and self.coding == "deflate" and len(self._head) + len(data) < 2:
            self._head += data
            return
        data, self._head = self._head + data, b""
        while data:
            try:
                out = self._inflate(data, step)
            except zlib.error:
                raise UnreadableEncoding(f"a {self.coding} reply that does not decode") from None
            data = self._decoder.unconsumed_tail
            if out:
                yield out

    def _inflate(self, data: bytes, step: int) -> bytes:
        try:
            return self._decoder.decompress(data, step)
        except zlib.error:
            if not (self._first and self.coding == "deflate"):
                raise
            # "deflate" is sent both with and without the zlib header (as httpx allows)
            self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._decoder.decompress(data, step)
        finally:
            self._first = False

    def finish(self) -> bytes:
        """Output zlib still holds when the body has ended."""
        try:
            held = self._inflate(self._head, 0) if self._head else b""
            return held + self._decoder.flush()
        except zlib.error:
            raise UnreadableEncoding(f"a {self.coding} reply that does not decode") from None


class BoundedStream(httpx2.SyncByteStream):
    """A reply body that ends by a deadline and within MAX_REPLY_BYTES of decoded bytes."""

    def __init__(self, inner: Any, deadline: float, request: httpx2.Request,
                 codings: tuple[str, ...] = ()) -> None:
        self._inner = inner
        self._deadline = deadline
        self._request = request
        self._codings = codings

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        for piece in self._decoded():
            size += len(piece)
            if size > MAX_REPLY_BYTES:
                raise ReplyTooLarge(f"a reply larger than {MAX_REPLY_BYTES // 2**20} MiB")
            yield piece

    def _decoded(self) -> Iterator[bytes]:
        step = MAX_REPLY_BYTES + 1  # no step yields more than the limit allows in all
        # the codings were applied in the order listed: undone in the reverse order
        inflaters = [_Inflater(c) for c in reversed(self._codings)]
        for chunk in self._inner:
            if time.monotonic() > self._deadline:
                raise httpx2.ReadTimeout("the reply did not end in time", request=self._request)
            yield from _undo(inflaters, chunk, step)
        for index, inflater in enumerate(inflaters):
            yield from _undo(inflaters[index + 1:], inflater.finish(), step)

    def close(self) -> None:
        self._inner.close()


def _undo(inflaters: list[_Inflater], data: bytes, step: int) -> Iterator[bytes]:
    if not inflaters:
        yield data
        return
    for piece in inflaters[0].feed(data, step):
        yield from _undo(inflaters[1:], piece, step)


def _codings(response: httpx2.Response) -> tuple[str, ...] | None:
    """The content codings to undo here; None when one of them is not gzip or deflate (httpx
    then passes the bytes through as they are, which the size limit bounds)."""
    value = response.headers.get("content-encoding", "")
    codings = tuple(c.strip().lower() for c in value.split(",") if c.strip())
    codings = tuple(c for c in codings if c != "identity")
    return codings if all(c in _WBITS for c in codings) else None


def bound_replies(session: httpx2.Client, seconds: float) -> None:
    """Give every reply of `session` a deadline `seconds` away and the size limit."""
    def hook(response: httpx2.Response) -> None:
        codings = _codings(response)
        if codings:
            del response.headers["content-encoding"]  # decoded here, not again by httpx
        response.stream = BoundedStream(response.stream, time.monotonic() + seconds,
                                        response.request, codings or ())
    hook.cardaudit = True  # type: ignore[attr-defined]
    hooks = {name: [h for h in found if not getattr(h, "cardaudit", False)]
             for name, found in session.event_hooks.items()}
    hooks.setdefault("response", []).append(hook)
    session.event_hooks = hooks
