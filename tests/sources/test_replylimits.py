"""Reply bodies as the Hub client receives them, through cardaudit's bounded stream: any
chunking of any gzip/deflate coding gives back the exact bytes; past the limit, or not
decodable, it stops with its own error instead of growing memory."""

from __future__ import annotations

import contextlib
import itertools
import zlib

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardaudit.sources import replylimits
from cardaudit.sources.replylimits import BoundedStream, ReplyTooLarge, UnreadableEncoding

REQUEST = httpx2.Request("GET", "http://127.0.0.1/api/models")
WBITS = {"gzip": 31, "deflate": 15}


def _encode(data: bytes, coding: str, raw_deflate: bool = False) -> bytes:
    wbits = -15 if raw_deflate and coding == "deflate" else WBITS[coding]
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


def _read(chunks: list[bytes], codings: tuple[str, ...]) -> bytes:
    return b"".join(BoundedStream(iter(chunks), float("inf"), REQUEST, codings))


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=5000) | st.text(max_size=3000).map(str.encode),
       codings=st.lists(st.sampled_from(["gzip", "deflate"]), max_size=3).map(tuple),
       raw_deflate=st.booleans(), cuts=st.lists(st.integers(0, 6000), max_size=8))
def test_any_chunking_of_any_coding_gives_back_the_bytes(
        data: bytes, codings: tuple[str, ...], raw_deflate: bool, cuts: list[int]) -> None:
    wire = data
    for coding in codings:
        wire = _encode(wire, coding, raw_deflate)
    assert _read(_chunks(wire, cuts), codings) == data


@settings(max_examples=50, deadline=None)
@given(junk=st.binary(min_size=1, max_size=300), coding=st.sampled_from(["gzip", "deflate"]))
def test_bytes_that_are_not_the_coding_are_its_own_error(junk: bytes, coding: str) -> None:
    with contextlib.suppress(UnreadableEncoding):  # valid by chance (raw deflate takes many)
        _read([junk], (coding,))


def test_the_limit_counts_decoded_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replylimits, "MAX_REPLY_BYTES", 10_000)
    bomb = _encode(_encode(b"\0" * 1_000_000, "gzip"), "gzip")
    assert len(bomb) < 2_000
    with pytest.raises(ReplyTooLarge):
        _read([bomb], ("gzip", "gzip"))
    assert len(_read([_encode(b"x" * 10_000, "gzip")], ("gzip",))) == 10_000
    with pytest.raises(ReplyTooLarge):
        _read([b"x" * 6_000, b"x" * 6_000], ())
