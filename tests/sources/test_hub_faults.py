"""Each kind of Hub failure, injected on the loopback fake Hub, becomes its own error code on
the model's row (one line, no traceback), whether it hits the metadata call or the README
download; the other models of the run are unaffected."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.fakehub.server import FakeHub
from tests.sources.hubrun import card, hub_cli, models

JSON = ("-f", "json", "--no-store")


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.mark.parametrize(("where", "status", "headers", "code"), [
    ("api", 400, {}, "bad-response"),
    ("api", 403, {}, "forbidden"),
    ("api", 401, {"X-Error-Code": "GatedRepo"}, "gated"),
    ("api", 404, {"X-Error-Code": "RepoNotFound"}, "not-found"),
    ("api", 503, {}, "unavailable"),
    ("readme", 403, {}, "forbidden"),
    ("readme", 401, {"X-Error-Code": "GatedRepo"}, "gated"),
    ("readme", 400, {}, "bad-response"),
    ("readme", 502, {}, "unavailable"),
])
def test_each_failure_is_its_own_error_code_on_its_row(
        fakehub: FakeHub, cache: Path, where: str, status: int, headers: dict[str, str],
        code: str) -> None:
    fakehub.add_model("acme/hit", card())
    fakehub.add_model("acme/fine", card())
    path = r"^/api/models/acme/hit" if where == "api" else r"^/acme/hit/resolve/"
    fakehub.fail(path, status, times=100, headers=headers)
    run = hub_cli(fakehub, cache, "audit", "acme/hit", "acme/fine", *JSON)
    assert "Traceback" not in run.stderr
    rows = models(run)
    assert rows["acme/fine"]["status"] == "ok"
    error = rows["acme/hit"]["error"]
    assert rows["acme/hit"]["status"] == "error" and error["code"] == code, error
    assert "\n" not in error["message"] and error["message"]


def test_a_hub_that_is_not_there_is_an_error_row_per_model(cache: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    from tests.cli.scenario import run_cli
    run = run_cli("audit", "acme/a", "acme/b", "--endpoint", f"http://127.0.0.1:{port}",
                  "--cache-dir", str(cache), "--timeout", "1", *JSON,
                  env={"CARDAUDIT_BACKOFF": "0"})
    assert run.code == 0, run.stderr
    rows = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    assert set(rows) == {"acme/a", "acme/b"}
    for row in rows.values():
        assert row["status"] == "error" and row["error"]["code"] == "unavailable", row["error"]
        assert "\n" not in row["error"]["message"]
        # a wrong endpoint or no network reads as such, not as a Hub that answered badly
        assert (f"cannot connect to the Hub at http://127.0.0.1:{port} (connection refused)"
                in row["error"]["message"]), row["error"]


PORTAL = b"<html><body>Sign in to the corporate proxy</body></html>"


def test_a_proxy_page_in_place_of_hub_json_is_a_bad_response_row_or_a_usage_error(
        fakehub: FakeHub, cache: Path) -> None:
    """A proxy that answers 200 with its sign-in page: the model's metadata cannot be read
    (one bad-response row, no retries, the other model audited); an organization listing
    cannot be read at all (exit 2, one line, no traceback)."""
    fakehub.add_model("acme/a", card("mit"))
    fakehub.add_model("acme/b", card("mit"))
    fakehub.fail(r"^/api/models/acme/a$", 200, body=PORTAL, times=5)
    rows = models(hub_cli(fakehub, cache, "audit", "acme/a", "acme/b", *JSON))
    assert rows["acme/a"]["error"]["code"] == "bad-response"
    assert rows["acme/b"]["status"] == "ok"
    assert fakehub.count("GET", r"^/api/models/acme/a$") == 1
    fakehub.fail(r"^/api/models$", 200, body=PORTAL, times=5)
    run = hub_cli(fakehub, cache, "audit", "--org", "acme", *JSON)
    assert run.code == 2 and run.stdout == ""
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert "cannot list the models of 'acme'" in run.stderr


def test_retry_after_is_read_in_seconds_or_as_an_http_date() -> None:
    """RFC 9110 allows both; proxies in front of private Hubs send dates."""
    import datetime as dt
    from email.utils import format_datetime

    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    from cardaudit.sources.hubclient import MAX_RETRY_AFTER, retry_after

    def wait(value: str) -> float | None:
        response = httpx2.Response(429, headers={"Retry-After": value},
                                   request=httpx2.Request("GET", "http://127.0.0.1/api"))
        return retry_after(HfHubHTTPError("429", response=response))

    soon = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30), usegmt=True)
    assert wait("7") == 7.0 and wait("0") == 0.0
    assert 25 <= (wait(soon) or 0) <= 30
    assert wait("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # already past: no wait
    assert wait("1e9") == wait("Fri, 01 Jan 2100 00:00:00 GMT") == MAX_RETRY_AFTER
    assert wait("-5") == 0.0
    assert wait("soon") is None and wait("nan") is None
