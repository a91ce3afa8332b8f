"""Paginated Hub listings (an organization's models, a repo's commits) walked page by page:
each page is retried on its own with cardaudit's retries only, and a `Link: rel="next"` that
leaves the endpoint, loops, or never ends stops the listing with one line instead of sending
the token elsewhere or running forever."""

from __future__ import annotations

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


def test_a_next_page_on_another_server_gets_no_request_and_no_token(
        fakehub: FakeHub, elsewhere: FakeHub, cache: Path) -> None:
    _org(fakehub, 5, 2)
    _org(elsewhere, 5, 2)
    fakehub.link_base = elsewhere.url
    run = hub_cli(fakehub, cache, "audit", "--org", "acme", "--token", SECRET, *JSON)
    assert run.code == 2
    assert elsewhere.count() == 0
    assert "Traceback" not in run.stderr and SECRET not in run.stdout + run.stderr
    assert "next page" in run.stderr and elsewhere.url in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_history_does_not_follow_commit_pages_to_another_server(
        fakehub: FakeHub, elsewhere: FakeHub, cache: Path) -> None:
    fakehub.page_size = 2
    fakehub.add_model("acme/qa", card("mit"))
    for day in range(1, 5):
        fakehub.add_commit("acme/qa", card("mit", body=f"v{day}"), date=f"2024-07-0{day}T10:00:00Z")
    elsewhere.add_model("acme/qa", card("mit"))
    fakehub.link_base = elsewhere.url
    run = hub_cli(fakehub, cache, "history", "acme/qa", "--token", SECRET)
    assert run.code == 2 and elsewhere.count() == 0
    assert SECRET not in run.stdout + run.stderr and "Traceback" not in run.stderr


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
