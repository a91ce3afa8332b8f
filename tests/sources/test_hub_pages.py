"""Paginated Hub listings (an organization's models, a repo's commits) walked page by page:
each page is retried on its own with cardaudit's retries only; a `Link: rel="next"` naming
another server is asked of the endpoint (the token never leaves it); links that loop or never
end stop the listing with one line instead of running forever."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakehub.server import FakeHub
from tests.sources.hubrun import card, hub_cli, models

JSON = ("-f", "json", "--no-store")
SECRET = "hf_PaGeSeCrEt0123456789abcdef"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def elsewhere() -> Iterator[FakeHub]:
    """A second server: where a hostile or misconfigured endpoint's next-page link points."""
    hub = FakeHub().start()
    yield hub
    hub.stop()


def _org(hub: FakeHub, count: int, page_size: int) -> None:
    hub.page_size = page_size
    for i in range(count):
        hub.add_model(f"acme/m{i}", card())


def test_a_next_page_named_on_another_server_is_asked_of_the_endpoint(
        fakehub: FakeHub, elsewhere: FakeHub, cache: Path) -> None:
    """A mirror that passes on the Hub's own links, or a hostile endpoint: the pages are still
    read, from the endpoint, and the other server never sees the token."""
    _org(fakehub, 5, 2)
    _org(elsewhere, 5, 2)
    fakehub.link_base = elsewhere.url
    run = hub_cli(fakehub, cache, "audit", "--org", "acme", "--token", SECRET, *JSON)
    assert set(models(run)) == {f"acme/m{i}" for i in range(5)}
    assert elsewhere.count() == 0
    assert fakehub.count("GET", r"^/api/models$") == 3
    assert SECRET not in run.stdout + run.stderr


def test_history_reads_commit_pages_from_the_endpoint_only(
        fakehub: FakeHub, elsewhere: FakeHub, cache: Path) -> None:
    fakehub.page_size = 2
    fakehub.add_model("acme/qa", card("mit"))
    for day in range(1, 5):
        fakehub.add_commit("acme/qa", card("mit", body=f"v{day}"), date=f"2024-07-0{day}T10:00:00Z")
    elsewhere.add_model("acme/qa", card("mit"))
    fakehub.link_base = elsewhere.url
    run = hub_cli(fakehub, cache, "history", "acme/qa", "--token", SECRET, "-f", "json")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["commits"] == 5
    assert elsewhere.count() == 0 and SECRET not in run.stdout + run.stderr


@pytest.mark.parametrize(("url", "endpoint", "asked"), [
    ("https://hf.co/api/models?cursor=2", "https://hf.co", "https://hf.co/api/models?cursor=2"),
    ("https://huggingface.co/api/models?c=2", "https://hf-mirror.example",
     "https://hf-mirror.example/api/models?c=2"),
    ("https://huggingface.co/api/models?c=2", "https://proxy.corp/hf/",
     "https://proxy.corp/hf/api/models?c=2"),
    ("https://proxy.corp/hf/api/models?c=2", "https://proxy.corp/hf",
     "https://proxy.corp/hf/api/models?c=2"),
    ("http://lb-internal:8080/hf/api/models?c=2#x", "https://proxy.corp/hf",
     "https://proxy.corp/hf/api/models?c=2"),
    ("https://evil.example:443@other/api/models", "https://hf.co", "https://hf.co/api/models"),
    ("http://hf.co/api/models?c=2", "https://hf.co", "https://hf.co/api/models?c=2"),
    ("https://hf.co:8443/api/models", "https://hf.co", "https://hf.co/api/models"),
])
def test_next_page_links_are_always_on_the_endpoint(url: str, endpoint: str, asked: str) -> None:
    from cardaudit.sources.hubclient import on_endpoint

    assert on_endpoint(url, endpoint) == asked


def test_a_listing_is_tried_with_cardaudit_retries_only(fakehub: FakeHub, cache: Path) -> None:
    """huggingface_hub's paginator retries 5xx five times itself: inside cardaudit's 4
    attempts that made 24 requests before the one-line error."""
    _org(fakehub, 3, 50)
    fakehub.fail(r"^/api/models$", 503, times=1000)
    run = hub_cli(fakehub, cache, "audit", "--org", "acme", *JSON)
    assert run.code == 2 and "HTTP 503" in run.stderr
    assert fakehub.count("GET", r"^/api/models$") == 4


def test_a_failing_page_is_retried_alone(fakehub: FakeHub, cache: Path) -> None:
    _org(fakehub, 6, 2)
    fakehub.fail(r"^/api/models$", 503, times=3, query=r"cursor=4")
    rows = models(hub_cli(fakehub, cache, "audit", "--org", "acme", *JSON))
    assert len(rows) == 6 and all(r["status"] == "ok" for r in rows.values())
    assert fakehub.count("GET", r"^/api/models$") == 3 + 3  # three pages, the last one 4 times


def test_a_next_link_that_loops_ends_the_listing_with_one_line(
        fakehub: FakeHub, cache: Path) -> None:
    _org(fakehub, 3, 50)
    loop = f'<{fakehub.url}/api/models?author=acme&cursor=0>; rel="next"'
    fakehub.fail(r"^/api/models$", 200, times=50, headers={"Link": loop},
                 body=b'[{"id": "acme/m0"}]')
    run = hub_cli(fakehub, cache, "audit", "--org", "acme", *JSON)
    assert run.code == 2 and "the next-page links loop" in run.stderr, run.stderr
    assert fakehub.count("GET", r"^/api/models$") == 2


def test_empty_pages_that_keep_pointing_on_end_the_listing(fakehub: FakeHub, cache: Path) -> None:
    _org(fakehub, 3, 50)
    for n in range(1, 40):  # each page empty, each naming a new next page
        link = f'<{fakehub.url}/api/models?author=acme&cursor={n}>; rel="next"'
        fakehub.fail(r"^/api/models$", 200, times=1, headers={"Link": link}, body=b"[]",
                     query=rf"^author=acme(&cursor={n - 1})?(&|$)" if n > 1 else r"expand")
    run = hub_cli(fakehub, cache, "audit", "--org", "acme", *JSON)
    assert run.code == 2 and "an empty page points to another" in run.stderr, run.stderr
    assert fakehub.count("GET", r"^/api/models$") == 1


def test_a_listing_page_that_is_not_a_list_is_one_line_at_once(fakehub: FakeHub,
                                                                cache: Path) -> None:
    _org(fakehub, 3, 50)
    fakehub.fail(r"^/api/models$", 200, times=10, body=b'{"models": "elsewhere"}')
    run = hub_cli(fakehub, cache, "audit", "--org", "acme", *JSON)
    assert run.code == 2 and run.stderr.count("\n") == 1
    assert "a listing page that is not a list" in run.stderr
    assert fakehub.count("GET", r"^/api/models$") == 1
