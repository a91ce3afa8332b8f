"""Targets are told apart without the network; no model id escapes the cache folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardaudit.errors import UsageError
from cardaudit.sources.hubcache import HubCache
from cardaudit.sources.targets import classify, is_hub_id, read_target_file, safe_name


@pytest.mark.parametrize(("text", "ok"), [
    ("Qwen/Qwen3-8B", True), ("meta-llama/Llama-3.1-8B", True), ("a/b", True),
    ("gpt2", False), ("org/name/extra", False), ("../etc/passwd", False), ("org/..", False),
    ("-org/name", False), ("org/name-", False), ("org--x/name", False), ("org/na me", False),
])
def test_hub_id_grammar(text: str, ok: bool) -> None:
    assert is_hub_id(text) is ok


def test_classify_paths_ids_and_rejects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    result = classify(["models", "./models", "Qwen/Qwen3-8B", "Qwen/Qwen3-8B"])
    assert result.paths == ["models", "./models"] and result.hub_ids == ["Qwen/Qwen3-8B"]
    with pytest.raises(UsageError, match="no such file"):
        classify(["./missing"])
    with pytest.raises(UsageError, match="neither an existing file"):
        classify(["typo"])


@pytest.mark.parametrize(("url", "model_id"), [
    ("https://huggingface.co/Qwen/Qwen3-8B", "Qwen/Qwen3-8B"),
    ("https://huggingface.co/Qwen/Qwen3-8B/", "Qwen/Qwen3-8B"),
    ("http://www.huggingface.co/Qwen/Qwen3-8B?library=transformers", "Qwen/Qwen3-8B"),
    ("hf.co/Qwen/Qwen3-8B", "Qwen/Qwen3-8B"),
    ("https://huggingface.co/Qwen/Qwen3-8B/tree/main", "Qwen/Qwen3-8B"),
    ("https://huggingface.co/Qwen/Qwen3-8B/blob/main/README.md", "Qwen/Qwen3-8B"),
    ("https://huggingface.co/Qwen/Qwen3-8B#model-overview", "Qwen/Qwen3-8B"),
])
def test_a_pasted_hub_model_address_is_its_id(url: str, model_id: str) -> None:
    assert classify([url]).hub_ids == [model_id]


@pytest.mark.parametrize(("url", "why"), [
    ("https://huggingface.co/datasets/org/set", "a dataset"),
    ("https://huggingface.co/spaces/org/app", "a Space"),
    ("https://huggingface.co/Qwen/Qwen3-8B/tree/v2", "--revision v2"),
    ("https://huggingface.co/Qwen", "neither"),
    ("https://example.com/Qwen/Qwen3-8B", "neither"),
    ("https://huggingface.co/org/na me", "neither"),
])
def test_other_addresses_are_refused_with_what_to_do(url: str, why: str) -> None:
    with pytest.raises(UsageError, match=why):
        classify([url])


@pytest.mark.parametrize(("url", "endpoint", "model_id"), [
    ("https://hub.corp.example/acme/model", "https://hub.corp.example", "acme/model"),
    ("https://HUB.corp.example/acme/model/tree/main", "https://hub.corp.example", "acme/model"),
    ("https://proxy.example/hf/acme/model", "https://proxy.example/hf", "acme/model"),
    ("https://huggingface.co/acme/model", "https://hub.corp.example", "acme/model"),
])
def test_a_private_hubs_model_address_is_its_id(url: str, endpoint: str, model_id: str) -> None:
    assert classify([url], endpoint).hub_ids == [model_id]


def test_another_hosts_address_is_not_read_even_with_an_endpoint() -> None:
    with pytest.raises(UsageError, match="neither"):
        classify(["https://elsewhere.example/acme/model"], "https://hub.corp.example")


def test_target_file_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("# header\n\nQwen/Qwen3-8B  # trailing\n  ./local  \n")
    assert read_target_file(path) == ["Qwen/Qwen3-8B", "./local"]


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_no_model_id_maps_outside_the_cache(tmp_path_factory: pytest.TempPathFactory,
                                            model_id: str) -> None:
    name = safe_name(model_id)
    assert "/" not in name and "\\" not in name and name not in (".", "..")
    assert not name.startswith(".")
    root = tmp_path_factory.getbasetemp() / "cache"
    cache = HubCache(root)
    path = cache._path("models", model_id)
    assert root.resolve() in path.parents
