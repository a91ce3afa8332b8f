"""Auditing from the Hub with the real huggingface_hub client against the loopback fake Hub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.scenario import run_cli
from tests.fakehub.server import PLACEHOLDER_CREATED, FakeHub
from tests.sources.hubrun import card, hub_cli, models

JSON = ("-f", "json")


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def test_hub_ids_are_audited_with_hub_facts(fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/open", card("mit"), downloads=1200, downloadsAllTime=50000,
                      likes=7, tags=["license:mit", "base_model:finetune:org/base"],
                      createdAt=PLACEHOLDER_CREATED, pipeline_tag="text-classification",
                      safetensors={"parameters": {"F32": 110}, "total": 110})
    fakehub.add_model("acme/gated", card("llama3.1"), gated="manual")
    rows = models(hub_cli(fakehub, cache, "audit", "acme/open", "acme/gated", *JSON))
    hub = rows["acme/open"]["hub"]
    assert (hub["downloads"], hub["downloadsAllTime"], hub["likes"]) == (1200, 50000, 7)
    assert hub["created_placeholder"] is True and hub["parameters"] == 110
    assert hub["license_tags"] == ["mit"] and hub["base_models"] == ["org/base"]
    assert hub["base_relation"] == "finetune"
    assert rows["acme/open"]["license"]["key"] == "mit"
    assert rows["acme/open"]["status"] == "ok"
    gated = rows["acme/gated"]
    assert gated["status"] == "error" and gated["error"]["code"] == "gated"
    assert gated["gate"]["level"] == "approval"
    assert gated["hub"]["gated"] == "manual"


def test_a_named_model_costs_metadata_plus_one_download_then_only_metadata(
        fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/m", card())
    first = hub_cli(fakehub, cache, "audit", "acme/m", *JSON)
    assert models(first)["acme/m"]["status"] == "ok"
    assert fakehub.count("GET", r"^/api/models/acme/m$") == 1
    assert fakehub.count("GET", "/resolve/") == 1
    fakehub.reset_log()
    models(hub_cli(fakehub, cache, "audit", "acme/m", *JSON))
    assert fakehub.count() == 1 and fakehub.count("GET", r"^/api/models/acme/m$") == 1


def test_org_scan_uses_the_listing_and_a_warm_cache_downloads_nothing(
        fakehub: FakeHub, cache: Path) -> None:
    fakehub.page_size = 50
    for i in range(120):
        fakehub.add_model(f"bigorg/model-{i:03d}", card("apache-2.0" if i % 2 else "cc-by-nc-4.0"))
    fakehub.add_model("other/model", card())
    run = hub_cli(fakehub, cache, "audit", "--org", "bigorg", *JSON)
    rows = models(run)
    assert len(rows) == 120 and all(r["status"] == "ok" for r in rows.values())
    assert rows["bigorg/model-001"]["license"]["category"] == "permissive"
    assert fakehub.count("GET", r"^/api/models$") == 3
    assert fakehub.count("GET", r"^/api/models/") == 0
    assert fakehub.count("GET", "/resolve/") == 120
    assert fakehub.count("HEAD") == 0  # one streamed GET per README, no HEAD before it
    assert fakehub.count() == 123
    listing = next(r for r in fakehub.requests if r.path == "/api/models")
    assert "sha" in listing.query["expand"] and "gated" in listing.query["expand"]
    fakehub.reset_log()
    models(hub_cli(fakehub, cache, "audit", "--org", "bigorg", *JSON))
    assert fakehub.count() == 3 == fakehub.count("GET", r"^/api/models$")


def test_listed_entries_with_invalid_ids_get_error_rows_and_are_never_fetched(
        fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("bigorg/good", card())
    fakehub.add_model("bigorg/../../escape", card())
    fakehub.add_model("bigorg/bad\x1b[31mname", card())
    run = hub_cli(fakehub, cache, "audit", "--org", "bigorg", *JSON)
    rows = models(run)
    assert run.code == 0 and len(rows) == 3
    assert rows["bigorg/good"]["status"] == "ok"
    bad = {i: r for i, r in rows.items() if i != "bigorg/good"}
    assert set(bad) == {"bigorg/../../escape", "bigorg/bad\\x1b[31mname"}
    assert all(r["status"] == "error" and r["error"]["code"] == "invalid-id"
               for r in bad.values())
    assert fakehub.count("GET", "/resolve/") == 1 and fakehub.count("HEAD", "escape|bad") == 0
    assert not any(p.name == "escape" for p in cache.parent.rglob("*"))


def test_an_oversized_readme_is_read_up_to_the_cap_and_the_cache_stays_bounded(
        fakehub: FakeHub, cache: Path) -> None:
    from cardaudit.sources.hubclient import MAX_FILE_BYTES
    body = "Trained on BookCorpus. " + "x" * (MAX_FILE_BYTES + 4 * 1024 * 1024)
    fakehub.add_model("acme/huge", card(body=body))
    rows = models(hub_cli(fakehub, cache, "audit", "acme/huge", *JSON))
    assert rows["acme/huge"]["status"] == "ok"
    assert rows["acme/huge"]["data_disclosure"]["level"] == "disclosed_available"
    stored = [p.stat().st_size for p in cache.rglob("README.md")]
    assert stored and max(stored) <= MAX_FILE_BYTES
    fakehub.reset_log()
    models(hub_cli(fakehub, cache, "audit", "acme/huge", *JSON))
    assert fakehub.count("GET", "/resolve/") == 0  # the capped copy serves the next run


def test_changed_card_is_downloaded_again_and_refresh_ignores_the_cache(
        fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/m", card("mit"))
    models(hub_cli(fakehub, cache, "audit", "acme/m", *JSON))
    fakehub.add_model("acme/m", card("cc-by-nc-4.0"))
    fakehub.reset_log()
    rows = models(hub_cli(fakehub, cache, "audit", "acme/m", *JSON))
    assert rows["acme/m"]["license"]["key"] == "cc-by-nc-4.0"
    assert fakehub.count("GET", "/resolve/") == 1
    fakehub.reset_log()
    models(hub_cli(fakehub, cache, "audit", "acme/m", "--refresh", *JSON))
    assert fakehub.count("GET", "/resolve/") == 1


@pytest.mark.parametrize("command", ["explain", "lineage"])
def test_explain_and_lineage_read_the_cache_and_refresh_fetches_again(
        fakehub: FakeHub, cache: Path, command: str) -> None:
    fakehub.add_model("acme/m", card("mit"))
    models(hub_cli(fakehub, cache, "audit", "acme/m", *JSON))
    fakehub.reset_log()
    assert hub_cli(fakehub, cache, command, "acme/m", "-f", "json").code == 0
    assert fakehub.count("GET", "/resolve/") == 0
    run = hub_cli(fakehub, cache, command, "acme/m", "-f", "json", "--refresh")
    assert run.code == 0, run.stderr
    assert fakehub.count("GET", "/resolve/") == 1


def test_offline_uses_the_cache_alone_and_reports_uncached_models(
        fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/m", card("mit"))
    models(hub_cli(fakehub, cache, "audit", "acme/m", *JSON))
    fakehub.reset_log()
    rows = models(hub_cli(fakehub, cache, "audit", "acme/m", "acme/never-seen", *JSON,
                          env={"HF_HUB_OFFLINE": "1"}))
    assert fakehub.count() == 0
    assert rows["acme/m"]["status"] == "ok" and rows["acme/m"]["license"]["key"] == "mit"
    assert rows["acme/never-seen"]["error"]["code"] == "offline-uncached"
    org = models(hub_cli(fakehub, cache, "audit", "--org", "acme", "--offline", *JSON))
    assert list(org) == ["acme/m"] and fakehub.count() == 0


def test_a_repo_deleted_after_caching_is_not_served_from_the_stale_cache(
        fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/m", card("mit"))
    models(hub_cli(fakehub, cache, "audit", "acme/m", *JSON))
    del fakehub.repos["acme/m"]
    rows = models(hub_cli(fakehub, cache, "audit", "acme/m", *JSON))
    assert rows["acme/m"]["error"]["code"] == "not-found"


def test_error_rows_for_missing_private_and_broken_models(fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/private", card(), private=True)
    fakehub.add_model("acme/no-readme", None, files={"config.json": "{}"})
    fakehub.add_model("acme/down", card())
    fakehub.fail(r"^/api/models/acme/down$", 500, times=100)
    run = hub_cli(fakehub, cache, "audit", "acme/missing", "acme/private", "acme/no-readme",
                  "acme/down", *JSON)
    rows = models(run)
    assert {k: v["error"]["code"] for k, v in rows.items()} == {
        "acme/missing": "not-found", "acme/private": "forbidden",
        "acme/no-readme": "missing-card", "acme/down": "unavailable"}
    assert fakehub.count("GET", r"^/api/models/acme/down$") == 4
    assert all("\n" not in v["error"]["message"] for v in rows.values())
    assert rows["acme/no-readme"]["hub"]["id"] == "acme/no-readme"


def test_429_honours_retry_after_and_then_succeeds(fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/m", card())
    fakehub.fail(r"^/api/models/acme/m$", 429, times=2, headers={"Retry-After": "0"})
    rows = models(hub_cli(fakehub, cache, "audit", "acme/m", *JSON))
    assert rows["acme/m"]["status"] == "ok"
    assert fakehub.count("GET", r"^/api/models/acme/m$") == 3


def test_slow_replies_time_out_into_an_error_row(fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/slow", card())
    fakehub.fail(r"^/api/models/acme/slow$", 200, times=100, delay=1.0)
    run = hub_cli(fakehub, cache, "audit", "acme/slow", "--timeout", "0.3", *JSON)
    rows = models(run)
    assert rows["acme/slow"]["error"]["code"] == "timeout"


def test_replies_that_trickle_in_time_out_instead_of_hanging(fakehub: FakeHub,
                                                                 cache: Path) -> None:
    import time

    for name in ("stalling", "stalling-metadata", "fine"):
        fakehub.add_model(f"acme/{name}", card())
    # one byte every 0.1 s: every read beats the 0.3 s timeout, the 1,000 bytes never do
    fakehub.fail(r"^/acme/stalling/resolve/", trickle=0.1, times=100, method="GET")
    fakehub.fail(r"^/api/models/acme/stalling-metadata$", trickle=0.1, times=100)
    started = time.monotonic()
    rows = models(hub_cli(fakehub, cache, "audit", "acme/stalling", "acme/stalling-metadata",
                          "acme/fine", "--timeout", "0.3", *JSON))
    for name in ("acme/stalling", "acme/stalling-metadata"):
        assert rows[name]["status"] == "error" and rows[name]["error"]["code"] == "timeout"
    assert rows["acme/fine"]["status"] == "ok"
    assert time.monotonic() - started < 30  # retries included; without the deadline: 400 s


def test_a_connection_dropped_mid_body_is_retried(fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/m", card("mit"))
    fakehub.fail(r"^/api/models/acme/m$", drop=True, times=1)
    fakehub.fail(r"/resolve/", drop=True, times=1, method="GET")
    rows = models(hub_cli(fakehub, cache, "audit", "acme/m", *JSON))
    assert rows["acme/m"]["status"] == "ok" and rows["acme/m"]["license"]["key"] == "mit"


def test_token_is_sent_but_never_shown_or_stored(fakehub: FakeHub, cache: Path,
                                                 tmp_path: Path) -> None:
    secret = "hf_SeCrEt1234567890abcdef"
    fakehub.add_model("acme/private", card(), private=True, allowed_tokens={secret})
    fakehub.add_model("acme/missing-one", card())
    del fakehub.repos["acme/missing-one"]
    out = tmp_path / "report.json"
    run = hub_cli(fakehub, cache, "audit", "acme/private", "acme/missing-one", "--token", secret,
                  "-f", "json", "-o", str(out))
    assert run.code == 0
    assert fakehub.requests[0].headers.get("authorization") == f"Bearer {secret}"
    assert json.loads(out.read_text())["summary"]["ok"] == 1
    for text in (run.stdout, run.stderr, out.read_text()):
        assert secret not in text
    for path in cache.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    env_run = hub_cli(fakehub, cache, "audit", "acme/private", *JSON,
                      env={"HF_TOKEN": secret})
    assert models(env_run)["acme/private"]["status"] == "ok"
    assert secret not in env_run.stdout + env_run.stderr


def test_dataset_ids_are_checked_once_and_cached(fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_dataset("org/public-set")
    fakehub.add_dataset("org/private-set", private=True)
    fakehub.add_dataset("org/gated-set", gated="manual")
    fakehub.add_model("acme/a", card(extra="datasets:\n- org/public-set\n- org/private-set\n"))
    fakehub.add_model("acme/b", card(extra="datasets:\n- org/private-set\n- org/gated-set\n"
                                     "- org/missing-set\n"))
    rows = models(hub_cli(fakehub, cache, "audit", "acme/a", "acme/b", *JSON))
    assert rows["acme/a"]["data_disclosure"]["level"] == "disclosed_available"
    b = rows["acme/b"]["data_disclosure"]
    assert b["level"] == "disclosed_partial"
    assert sorted(b["unobtainable"]) == ["org/gated-set", "org/missing-set", "org/private-set"]
    assert fakehub.count("GET", r"^/api/datasets/org/private-set$") == 1
    fakehub.reset_log()
    models(hub_cli(fakehub, cache, "audit", "acme/a", "acme/b", *JSON))
    assert fakehub.count("GET", r"^/api/datasets/") == 0


def test_a_card_listing_thousands_of_datasets_costs_a_bounded_number_of_lookups(
        fakehub: FakeHub, cache: Path) -> None:
    from cardaudit.sources.hub import MAX_DATASETS_CHECKED

    listed = "".join(f"- org/set-{i}\n" for i in range(1000))
    fakehub.add_model("acme/many", card(extra=f"datasets:\n{listed}"))
    rows = models(hub_cli(fakehub, cache, "audit", "acme/many", *JSON))
    assert rows["acme/many"]["status"] == "ok"
    assert fakehub.count("GET", r"^/api/datasets/") == MAX_DATASETS_CHECKED
    # the checked ones are missing, the rest unchecked: not every listed id is unobtainable
    assert len(rows["acme/many"]["data_disclosure"]["unobtainable"]) == MAX_DATASETS_CHECKED


def test_license_file_is_fetched_only_for_other_or_unknown(fakehub: FakeHub,
                                                           cache: Path) -> None:
    apache = "                Apache License\n          Version 2.0, January 2004\n"
    fakehub.add_model("acme/other", card("other"), files={"LICENSE": apache})
    fakehub.add_model("acme/mit", card("mit"), files={"LICENSE": apache})
    rows = models(hub_cli(fakehub, cache, "audit", "acme/other", "acme/mit", *JSON))
    assert rows["acme/other"]["license"]["key"] == "apache-2.0"
    assert rows["acme/other"]["license"]["source"] == "license_file"
    assert fakehub.count("GET", r"^/acme/other/resolve/.*/LICENSE$") == 1
    assert fakehub.count("GET", r"^/acme/mit/resolve/.*/LICENSE$") == 0


def test_hub_license_tag_disagreement_is_a_finding(fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/m", card("apache-2.0"), tags=["license:llama3.1"])
    finding = next(f for f in models(hub_cli(fakehub, cache, "audit", "acme/m", *JSON))
                   ["acme/m"]["findings"] if f["rule"] == "CA-LIC-013")
    assert (finding["outcome"], finding["message"]) == (
        "fail", "the Hub's license tag is llama3.1, the card's license apache-2.0 "
        "(found in: front matter)")


def test_search_sort_limit_and_revision(fakehub: FakeHub, cache: Path) -> None:
    for i, downloads in enumerate((5, 500, 50)):
        fakehub.add_model(f"org{i}/llama-ft-{i}", card(), downloads=downloads)
    fakehub.add_model("org9/mistral", card())
    rows = models(hub_cli(fakehub, cache, "audit", "--search", "llama", "--sort", "downloads",
                          "--limit", "2", *JSON))
    assert sorted(rows) == ["org1/llama-ft-1", "org2/llama-ft-2"]
    listing = next(r for r in fakehub.requests if r.path == "/api/models")
    assert listing.query["search"] == ["llama"] and listing.query["sort"] == ["downloads"]
    sha = fakehub.repos["org9/mistral"].sha
    models(hub_cli(fakehub, cache, "audit", "org9/mistral", "--revision", sha, *JSON))
    assert fakehub.count("GET", rf"^/api/models/org9/mistral/revision/{sha}$") == 1


def test_paths_and_hub_ids_mix_and_from_file_reads_both(fakehub: FakeHub, cache: Path,
                                                        tmp_path: Path) -> None:
    fakehub.add_model("acme/m", card("mit"))
    folder = tmp_path / "local__model"
    folder.mkdir()
    (folder / "README.md").write_text(card("gpl-3.0"))
    listing = tmp_path / "models.txt"
    listing.write_text(f"# my models\nacme/m   # on the hub\n{folder}\n\n")
    rows = models(hub_cli(fakehub, cache, "audit", "--from-file", str(listing), *JSON))
    assert {k: v["source"] for k, v in rows.items()} == {"acme/m": "hub",
                                                         "local/model": "local"}


def test_flaky_hub_still_gives_every_model_its_row(fakehub: FakeHub, cache: Path) -> None:
    for i in range(200):
        fakehub.add_model(f"flaky/m{i:03d}", card("mit" if i % 3 else "llama2"))
    listing = hub_cli(fakehub, cache, "audit", "--org", "flaky", *JSON)
    assert len(models(listing)) == 200
    fakehub.failure_rate = 0.10
    rows = models(hub_cli(fakehub, cache, "audit", "--org", "flaky", "--refresh", "--jobs", "8",
                          *JSON))
    assert len(rows) == 200
    for model_id, row in rows.items():
        if row["status"] == "ok":
            expected = "llama2" if int(model_id[-3:]) % 3 == 0 else "mit"
            assert row["license"]["key"] == expected
        else:
            assert row["error"]["code"] in ("unavailable", "rate-limited", "timeout"), row["error"]


def test_usage_errors_never_touch_the_network(fakehub: FakeHub, cache: Path) -> None:
    for args in (("audit", "not a model"), ("audit", "acme/m", "--revision", "../../etc"),
                 ("audit", "--org", "bad org!"), ("audit", "--search", "x", "--sort", "size")):
        run = hub_cli(fakehub, cache, *args)
        assert run.code == 2, args
    assert fakehub.count() == 0


def test_lone_surrogates_and_absurd_counts_in_hub_answers_keep_the_row(
        fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/odd", card("mit"), tags=["license:mit", "\ud800"],
                      pipeline_tag="\udc00", downloads=10**30, likes=-1)
    rows = models(hub_cli(fakehub, cache, "audit", "acme/odd", *JSON))
    hub = rows["acme/odd"]["hub"]
    assert rows["acme/odd"]["status"] == "ok"
    assert "\ufffd\ufffd\ufffd" in hub["tags"] and hub["pipeline_tag"] == "\ufffd\ufffd\ufffd"
    assert (hub["downloads"], hub["likes"]) == (None, None)


WRONG_TYPES: dict[str, dict[str, object]] = {
    "acme/tags-map": {"tags": {"license": "mit"}},
    "acme/tags-numbers": {"tags": [1, None, ["x"]]},
    "acme/gated-yes": {"gated": "yes"},
    "acme/card-data-list": {"cardData": ["license", "mit"]},
    "acme/siblings-text": {"siblings": "README.md"},
    "acme/safetensors-odd": {"safetensors": {"total": "big", "parameters": []}},
    "acme/dates-numbers": {"createdAt": 5, "lastModified": ["2024"]},
    "acme/names-lists": {"library_name": ["transformers"], "pipeline_tag": {"a": 1},
                         "author": {"name": "acme"}},
    "acme/counts-text": {"downloads": "10", "likes": "many", "downloadsAllTime": [1]},
    "acme/private-text": {"private": "no"},
}


def test_hub_answers_with_fields_of_the_wrong_type_keep_one_row_each(
        fakehub: FakeHub, cache: Path) -> None:
    """A private Hub or a proxy that answers with odd shapes: never an internal error, never
    a lost model — an ok row when the card can still be judged, else a bad-response row."""
    for model_id, fields in WRONG_TYPES.items():
        fakehub.add_model(model_id, card("mit"), **fields)
    run = hub_cli(fakehub, cache, "audit", *WRONG_TYPES, *JSON)
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    rows = models(run)
    assert set(rows) == set(WRONG_TYPES)
    for model_id, row in rows.items():
        if row["status"] == "ok":
            assert row["license"]["key"] == "mit", model_id
        else:
            assert row["error"]["code"] in ("bad-response", "gated", "forbidden"), model_id
            assert "\n" not in row["error"]["message"]
    # the fake Hub takes a truthy `gated` or `private` as it says; unreadable replies are
    # bad-response rows at once: the same reply again would not help
    assert {m: r["error"]["code"] for m, r in rows.items() if r["error"]} == {
        "acme/gated-yes": "gated", "acme/private-text": "forbidden",
        "acme/dates-numbers": "bad-response", "acme/siblings-text": "bad-response"}
    assert fakehub.count("GET", r"^/api/models/acme/dates-numbers") == 1


def test_an_unreadable_listing_entry_is_one_error_row_and_the_scan_goes_on(
        fakehub: FakeHub, cache: Path) -> None:
    """huggingface_hub's own list_models stops at the first entry it cannot read, which would
    lose the whole organization: each entry is read on its own, and an unreadable one is asked
    for alone (one request), which gives its error row."""
    fakehub.add_model("acme/a", card("mit"))
    fakehub.add_model("acme/b", card("mit"), createdAt=5)
    fakehub.add_model("acme/c", card("apache-2.0"))
    rows = models(hub_cli(fakehub, cache, "audit", "--org", "acme", *JSON))
    assert {m: r["status"] for m, r in rows.items()} == {
        "acme/a": "ok", "acme/b": "error", "acme/c": "ok"}
    assert rows["acme/b"]["error"]["code"] == "bad-response"
    assert rows["acme/c"]["license"]["key"] == "apache-2.0"
    assert fakehub.count("GET", r"^/api/models/acme/b") == 1
    assert fakehub.count("GET", r"^/api/models/acme/(a|c)") == 0  # the listing had them


def test_a_metadata_reply_too_large_is_a_bad_response_row_not_unbounded_memory(
        fakehub: FakeHub, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hostile or broken endpoint can send a reply of any size: each reply body is read up
    to MAX_REPLY_BYTES (lowered here to 1 MB), then the model is a bad-response row, at once."""
    from cardaudit.sources import replylimits

    monkeypatch.setattr(replylimits, "MAX_REPLY_BYTES", 1024 * 1024)
    fakehub.add_model("acme/huge", card())
    fakehub.add_model("acme/fine", card())
    huge = b'{"id": "acme/huge", "padding": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    fakehub.fail(r"^/api/models/acme/huge$", 200, times=100, body=huge)
    rows = models(hub_cli(fakehub, cache, "audit", "acme/huge", "acme/fine", *JSON))
    assert rows["acme/fine"]["status"] == "ok"
    error = rows["acme/huge"]["error"]
    assert error["code"] == "bad-response" and "larger than 1 MiB" in error["message"], error
    assert fakehub.count("GET", r"^/api/models/acme/huge$") == 1


def _deflated(data: bytes, wbits: int) -> bytes:
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(("coding", "wbits", "times"), [
    ("gzip", 31, 1), ("deflate", 15, 1), ("deflate", -15, 1), ("gzip, gzip", 31, 2),
    ("identity", 0, 0)])
def test_compressed_replies_are_read(fakehub: FakeHub, cache: Path, coding: str, wbits: int,
                                     times: int) -> None:
    fakehub.add_model("acme/packed", card("mit"), downloads=77)
    body = json.dumps(fakehub.repos["acme/packed"].record()).encode()
    for _ in range(times):
        body = _deflated(body, wbits)
    fakehub.fail(r"^/api/models/acme/packed$", 200, body=body,
                 headers={"Content-Encoding": coding})
    rows = models(hub_cli(fakehub, cache, "audit", "acme/packed", *JSON))
    assert rows["acme/packed"]["status"] == "ok", rows["acme/packed"]["error"]
    assert rows["acme/packed"]["hub"]["downloads"] == 77


@pytest.mark.parametrize("coding", ["gzip", "gzip, gzip"])
def test_a_compression_bomb_is_a_bad_response_row(fakehub: FakeHub, cache: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  coding: str) -> None:
    """Bytes on the wire are not bytes in memory: 1.5 MB of gzip inflated to 1.5 GB when the
    client decoded it (5.5 GB peak). The limit holds for the decoded bytes."""
    from cardaudit.sources import replylimits

    monkeypatch.setattr(replylimits, "MAX_REPLY_BYTES", 1024 * 1024)
    fakehub.add_model("acme/bomb", card())
    body = b'{"id": "acme/bomb", "p": "' + b"x" * (8 * 1024 * 1024) + b'"}'
    for _ in coding.split(","):
        body = _deflated(body, 31)
    assert len(body) < 64 * 1024
    fakehub.fail(r"^/api/models/acme/bomb$", 200, times=100, body=body,
                 headers={"Content-Encoding": coding})
    rows = models(hub_cli(fakehub, cache, "audit", "acme/bomb", *JSON))
    error = rows["acme/bomb"]["error"]
    assert error["code"] == "bad-response" and "larger than 1 MiB" in error["message"], error


def test_a_reply_that_does_not_decode_is_a_bad_response_row(fakehub: FakeHub,
                                                            cache: Path) -> None:
    fakehub.add_model("acme/garbled", card())
    fakehub.fail(r"^/api/models/acme/garbled$", 200, times=100, body=b"not gzip at all",
                 headers={"Content-Encoding": "gzip"})
    rows = models(hub_cli(fakehub, cache, "audit", "acme/garbled", *JSON))
    assert rows["acme/garbled"]["error"]["code"] == "bad-response"
    assert fakehub.count("GET", r"^/api/models/acme/garbled$") == 1


def test_json_nested_beyond_the_parser_is_a_bad_response_row_not_retried(
        fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/deep", card())
    fakehub.fail(r"^/api/models/acme/deep$", 200, times=100,
                 body=b'{"id": "acme/deep", "tags": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    rows = models(hub_cli(fakehub, cache, "audit", "acme/deep", *JSON))
    assert rows["acme/deep"]["error"]["code"] == "bad-response"
    assert fakehub.count("GET", r"^/api/models/acme/deep$") == 1


def test_a_model_or_organization_named_in_two_spellings_is_audited_once(
        fakehub: FakeHub, cache: Path) -> None:
    """The Hub reads ids without regard to case: ACME/M1 is acme/m1, one model, one row."""
    for name in ("m0", "m1"):
        fakehub.add_model(f"acme/{name}", card("mit"))
    run = hub_cli(fakehub, cache, "audit", "acme/m1", "ACME/M1", "--org", "acme", "--org",
                  "Acme", *JSON)
    assert [m["id"] for m in json.loads(run.stdout)["models"]] == ["acme/m0", "acme/m1"]
    assert fakehub.count("GET", r"^/api/models$") == 1


def test_a_pasted_model_address_audits_the_model(fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/m", card("mit"))
    rows = models(hub_cli(fakehub, cache, "audit", "https://huggingface.co/acme/m/tree/main",
                          "acme/m", f"{fakehub.url}/acme/m", *JSON))
    assert list(rows) == ["acme/m"] and rows["acme/m"]["license"]["key"] == "mit"


def test_what_one_endpoint_said_is_never_served_for_another(
        fakehub: FakeHub, registry_hub: FakeHub, cache: Path) -> None:
    # A registry mirrors a public id with its own card, and lacks a public dataset: one cache
    # folder serves both, online and offline, without mixing their answers.
    fakehub.add_dataset("org/set")
    fakehub.add_model("acme/m", card("mit", extra="datasets:\n- org/set\n"))
    registry_hub.add_model("acme/m", card("cc-by-nc-4.0", extra="datasets:\n- org/set\n"))
    public = models(hub_cli(fakehub, cache, "audit", "acme/m", *JSON))["acme/m"]
    private = models(hub_cli(registry_hub, cache, "audit", "acme/m", *JSON))["acme/m"]
    assert public["data_disclosure"]["level"] == "disclosed_available"
    assert private["data_disclosure"]["unobtainable"] == ["org/set"]
    assert registry_hub.count("GET", r"^/api/datasets/org/set$") == 1
    offline = {"HF_HUB_OFFLINE": "1"}
    for hub, key in ((fakehub, "mit"), (registry_hub, "cc-by-nc-4.0")):
        rows = models(hub_cli(hub, cache, "audit", "acme/m", *JSON, env=offline))
        assert rows["acme/m"]["license"]["key"] == key
        listed = models(hub_cli(hub, cache, "audit", "--org", "acme", *JSON, env=offline))
        assert listed["acme/m"]["license"]["key"] == key
    third = FakeHub()  # never started: nothing of it is cached
    rows = models(hub_cli(third, cache, "audit", "acme/m", *JSON, env=offline))
    assert rows["acme/m"]["error"]["code"] == "offline-uncached"
    third.server.server_close()


@pytest.mark.parametrize("flag", ["--endpoint", "--lineage-endpoint", "HF_ENDPOINT"])
def test_an_endpoint_holding_credentials_is_refused_without_showing_them(
        fakehub: FakeHub, cache: Path, flag: str) -> None:
    # a token written into the URL would reach every report (each model's location, a base's
    # source, a BOM's download location): it is refused, and the error never repeats it
    secret = "hf_UrlSecret0123456789"
    url = fakehub.url.replace("http://", f"http://ci:{secret}@")
    args = ("audit", "acme/m", "--no-store", *JSON)
    if flag == "HF_ENDPOINT":
        run = run_cli(*args, "--cache-dir", str(cache), env={"HF_ENDPOINT": url})
    else:
        run = hub_cli(fakehub, cache, *args, flag, url)
    assert run.code == 2 and fakehub.count() == 0
    assert "holds credentials" in run.stderr and "HF_TOKEN" in run.stderr
    assert secret not in run.stdout + run.stderr and "ci:***@" in run.stderr
