"""Lineage over the fake Hub: chains, adapters of gated bases, merges, cycles, missing and gated
parents — the right findings, no loops, and each shared ancestor fetched once per run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakehub.server import FakeHub
from tests.sources.hubrun import hub_cli


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def model(hub: FakeHub, model_id: str, license_: str, parents: tuple[str, ...] = (),
          relation: str = "finetune", body: str = "", extra: str = "", **kw: object) -> None:
    bases = "".join(f"- {p}\n" for p in parents)
    front = f"license: {license_}\n{extra}" + (f"base_model:\n{bases}" if parents else "")
    tags = [f"license:{license_}"] + [f"base_model:{relation}:{p}" for p in parents]
    hub.add_model(model_id, f"---\n{front}---\n# {model_id}\n\n{body}\n", tags=tags, **kw)


def findings(run_stdout: str) -> dict[str, dict[str, tuple[str, str]]]:
    out = {}
    for m in json.loads(run_stdout)["models"]:
        out[m["id"]] = {f["rule"]: (f["outcome"], f["message"]) for f in m["findings"]
                        if f["rule"].startswith("CA-LIN")}
    return out


def audit(hub: FakeHub, cache: Path, *ids: str) -> dict:  # type: ignore[type-arg]
    run = hub_cli(hub, cache, "audit", *ids, "-f", "json")
    assert run.code == 0, run.stderr
    return {m["id"]: m for m in json.loads(run.stdout)["models"]}


def test_quantized_of_a_finetune_of_llama_inherits_and_drifts(fakehub: FakeHub,
                                                              cache: Path) -> None:
    model(fakehub, "meta-llama/Llama-3.1-8B", "llama3.1")
    model(fakehub, "acme/Llama-3.1-8B-support", "llama3.1", ("meta-llama/Llama-3.1-8B",),
          body="Built with Llama")
    model(fakehub, "quant/Llama-3.1-8B-support-GGUF", "apache-2.0",
          ("acme/Llama-3.1-8B-support",), relation="quantized", body="Built with Llama")
    rows = audit(fakehub, cache, "quant/Llama-3.1-8B-support-GGUF", "acme/Llama-3.1-8B-support")
    quant = rows["quant/Llama-3.1-8B-support-GGUF"]["lineage"]
    assert quant["relation"] == "quantized" and quant["root"] == "meta-llama/Llama-3.1-8B"
    assert (quant["root_country"], quant["root_family"]) == ("US", "Llama")
    assert len(quant["drift"]) == 2
    quant_findings = rows["quant/Llama-3.1-8B-support-GGUF"]["findings"]
    outcomes = {f["rule"]: f["outcome"] for f in quant_findings}
    assert outcomes["CA-LIN-002"] == "fail" and outcomes["CA-LIN-003"] == "pass"
    ft = {f["rule"]: f["outcome"] for f in rows["acme/Llama-3.1-8B-support"]["findings"]}
    assert ft["CA-LIN-002"] == "pass" and ft["CA-LIN-004"] == "pass"
    assert "naming" in {o["kind"] for o in quant["inherited_obligations"]}


def test_adapter_of_a_gated_base_is_resolved_from_metadata(fakehub: FakeHub,
                                                           cache: Path) -> None:
    model(fakehub, "google/gemma-2-9b", "gemma", gated="manual")
    model(fakehub, "acme/gemma-lora", "gemma", ("google/gemma-2-9b",), relation="adapter",
          extra="library_name: peft\n")
    row = audit(fakehub, cache, "acme/gemma-lora")["acme/gemma-lora"]
    assert row["lineage"]["relation"] == "adapter"
    assert row["lineage"]["ancestors"][0]["license"] == "gemma"
    outcomes = {f["rule"]: f["outcome"] for f in row["findings"]}
    assert outcomes["CA-LIN-001"] == "pass" and outcomes["CA-LIN-002"] == "pass"
    assert fakehub.count("GET", r"^/google/gemma-2-9b/resolve/") == 0


def test_merge_of_two_licenses_follows_every_parent(fakehub: FakeHub, cache: Path) -> None:
    model(fakehub, "org/permissive-base", "mit")
    model(fakehub, "org/nc-base", "cc-by-nc-4.0")
    model(fakehub, "acme/merge", "mit", ("org/permissive-base", "org/nc-base"), relation="merge")
    row = audit(fakehub, cache, "acme/merge")["acme/merge"]
    lineage = row["lineage"]
    assert lineage["relation"] == "merge"
    assert sorted(lineage["roots"]) == ["org/nc-base", "org/permissive-base"]
    assert [d["ancestor"] for d in lineage["drift"]] == ["org/nc-base"]
    assert "commercial" in lineage["drift"][0]["reason"] or "non_commercial" in \
        lineage["drift"][0]["reason"]


def test_a_cycle_is_a_definite_failure_and_never_loops(fakehub: FakeHub, cache: Path) -> None:
    model(fakehub, "org/a", "mit", ("org/b",))
    model(fakehub, "org/b", "mit", ("org/a",))
    row = audit(fakehub, cache, "org/a")["org/a"]
    assert row["lineage"]["cycle"] is True
    outcomes = {f["rule"]: f["outcome"] for f in row["findings"]}
    assert outcomes["CA-LIN-001"] == "fail"
    assert fakehub.count("GET", r"^/api/models/org/b$") == 1


def test_missing_and_gated_parents_are_unknown_not_pass(fakehub: FakeHub, cache: Path) -> None:
    model(fakehub, "acme/orphan", "mit", ("ghost/base",))
    fakehub.add_model("secret/base", "---\nlicense: other\n---\n# base\n", gated="manual",
                      tags=["license:other"])
    model(fakehub, "acme/child", "apache-2.0", ("secret/base",))
    rows = audit(fakehub, cache, "acme/orphan", "acme/child")
    orphan = {f["rule"]: f for f in rows["acme/orphan"]["findings"]}
    assert orphan["CA-LIN-001"]["outcome"] == "unknown"
    assert orphan["CA-LIN-001"]["message"].endswith("ghost/base (not-found)")  # no local hint
    assert orphan["CA-LIN-002"]["outcome"] == "unknown"
    child = {f["rule"]: f["outcome"] for f in rows["acme/child"]["findings"]}
    assert child["CA-LIN-002"] == "unknown"


def test_shared_ancestors_are_fetched_once_per_run(fakehub: FakeHub, cache: Path) -> None:
    bases = ["meta-llama/Llama-3.1-8B", "Qwen/Qwen2.5-7B", "mistralai/Mistral-7B-v0.1"]
    model(fakehub, bases[0], "llama3.1")
    model(fakehub, bases[1], "apache-2.0")
    model(fakehub, bases[2], "apache-2.0")
    for i in range(200):
        model(fakehub, f"ft/model-{i:03d}", "apache-2.0", (bases[i % 3],))
    run = hub_cli(fakehub, cache, "audit", "--org", "ft", "-f", "json", "--jobs", "16")
    rows = json.loads(run.stdout)["models"]
    assert len(rows) == 200
    for base in bases:
        assert fakehub.count("GET", rf"^/api/models/{base}$") == 1, base
    families = {r["lineage"]["root_family"] for r in rows}
    assert families == {"Llama", "Qwen", "Mistral"}
    drift = [r["id"] for r in rows if r["lineage"]["drift"]]
    assert len(drift) == 67  # the apache-2.0 fine-tunes of the Llama base


def test_a_derivative_inherits_its_ancestors_data_story(fakehub: FakeHub, cache: Path) -> None:
    """A GGUF repo's card rarely says what the model was trained on; its bases' cards do. Dataset
    tags settle a base without its README; prose needs the README, read once per run; a gated
    base's files stay unread, so its data is unknown."""
    fakehub.add_model("org/tagged-base", "---\nlicense: mit\ndatasets: [wikipedia]\n---\n# b\n",
                      tags=["license:mit", "dataset:wikipedia"])
    model(fakehub, "org/prose-base", "mit", body="## Training data\n\nWe trained the model on "
          "two million news articles from Norwegian newspapers published between 1998 and "
          "2019, collected and cleaned by our team, plus parliamentary transcripts.")
    model(fakehub, "org/gated-base", "llama3.1", gated="manual")
    model(fakehub, "q/tagged-GGUF", "mit", ("org/tagged-base",), relation="quantized")
    model(fakehub, "q/prose-GGUF", "mit", ("org/prose-base",), relation="quantized")
    model(fakehub, "q/chain-GGUF", "mit", ("q/prose-GGUF",), relation="quantized")
    model(fakehub, "q/gated-ft", "llama3.1", ("org/gated-base",))
    rows = audit(fakehub, cache, "q/tagged-GGUF", "q/prose-GGUF", "q/chain-GGUF", "q/gated-ft")
    inherited = {m: [(d["ancestor"], d["level"], d["named"]) for d in
                     rows[m]["lineage"]["inherited_data"]] for m in rows}
    assert inherited == {
        "q/tagged-GGUF": [("org/tagged-base", "disclosed_available", ["wikipedia"])],
        "q/prose-GGUF": [("org/prose-base", "disclosed_partial", [])],
        "q/chain-GGUF": [("org/prose-base", "disclosed_partial", [])],  # through q/prose-GGUF
        "q/gated-ft": []}
    outcome = {m: next(f["outcome"] for f in rows[m]["findings"] if f["rule"] == "CA-LIN-006")
               for m in rows}
    assert outcome == {"q/tagged-GGUF": "pass", "q/prose-GGUF": "pass", "q/chain-GGUF": "pass",
                       "q/gated-ft": "unknown"}
    gated = next(f for f in rows["q/gated-ft"]["findings"] if f["rule"] == "CA-LIN-006")
    assert gated["message"] == ("unknown: no ancestor read discloses its training data; the card "
                                "of org/gated-base was not read (gated, or no readable README: "
                                "only its metadata is looked up)")
    assert fakehub.count("GET", r"^/org/tagged-base/resolve/") == 0
    assert fakehub.count("GET", r"^/org/prose-base/resolve/.*/README.md$") == 1
    assert fakehub.count("GET", r"^/org/gated-base/resolve/") == 0


def test_lineage_command_prints_the_tree(fakehub: FakeHub, cache: Path) -> None:
    model(fakehub, "meta-llama/Llama-3.1-8B", "llama3.1")
    model(fakehub, "acme/ft", "mit", ("meta-llama/Llama-3.1-8B",))
    run = hub_cli(fakehub, cache, "lineage", "acme/ft", "--width", "120")
    assert run.code == 0, run.stderr
    assert "acme/ft  mit (permissive)  ← finetune" in run.stdout
    assert "── meta-llama/Llama-3.1-8B  llama3.1 (community)" in run.stdout
    assert "license drift" in run.stdout
    data = json.loads(hub_cli(fakehub, cache, "lineage", "acme/ft", "-f", "json").stdout)
    assert data["models"][0]["lineage"]["root"] == "meta-llama/Llama-3.1-8B"


def test_registry_models_find_public_bases_on_the_lineage_endpoint(
        fakehub: FakeHub, registry_hub: FakeHub, cache: Path) -> None:
    # The registry hosts its own base and fine-tunes; one fine-tune names a public base. Each
    # ancestor is read where it lives, and each endpoint sees only its own token.
    registry_token, public_token = "hf_RegistrySecret0123456789", "hf_PublicSecret0123456789"
    model(fakehub, "meta/base", "cc-by-nc-4.0")
    model(registry_hub, "acme/internal-base", "apache-2.0")
    model(registry_hub, "acme/ft-public", "apache-2.0", ("meta/base",))
    model(registry_hub, "acme/ft-internal", "apache-2.0", ("acme/internal-base",))
    model(registry_hub, "meta/base", "mit", private=True, allowed_tokens={"hf_somebody-else"})
    run = hub_cli(registry_hub, cache, "check", "acme/ft-public", "acme/ft-internal",
                  "--policy", "commercial-use", "--token", registry_token,
                  "--lineage-endpoint", fakehub.url, "-f", "json",
                  env={"CARDAUDIT_LINEAGE_TOKEN": public_token})
    assert run.code == 1, run.stderr
    verdicts = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    assert verdicts["acme/ft-internal"]["verdict"] == "pass"
    failed = verdicts["acme/ft-public"]
    assert failed["verdict"] == "fail"
    assert any("meta/base" in v["message"] and "cc-by-nc-4.0" in v["message"]
               for v in failed["violations"])
    assert fakehub.count("GET", r"^/api/models/acme/internal-base$") == 0
    assert {r.headers.get("authorization") for r in fakehub.requests} == {
        f"Bearer {public_token}"}
    assert {r.headers.get("authorization") for r in registry_hub.requests} == {
        f"Bearer {registry_token}"}
    for text in (run.stdout, run.stderr):
        assert registry_token not in text and public_token not in text
    audited = audit_json(registry_hub, cache, "acme/ft-public", "acme/ft-internal",
                         "--lineage-endpoint", fakehub.url)
    sources = {a["id"]: a["source"] for m in audited.values()
               for a in m["lineage"]["ancestors"]}
    assert sources == {"meta/base": fakehub.url, "acme/internal-base": registry_hub.url}
    # offline, each ancestor comes from its own endpoint's cache
    offline = audit_json(registry_hub, cache, "acme/ft-public", "acme/ft-internal",
                         "--lineage-endpoint", fakehub.url, "--offline")
    assert {a["id"]: (a["status"], a["license"]) for m in offline.values()
            for a in m["lineage"]["ancestors"]} == {
        "meta/base": ("ok", "cc-by-nc-4.0"), "acme/internal-base": ("ok", "apache-2.0")}


def test_local_models_use_the_lineage_endpoint_without_any_token(
        fakehub: FakeHub, registry_hub: FakeHub, cache: Path, tmp_path: Path) -> None:
    # the run's endpoint (the registry) and its HF_TOKEN stay unused: nothing is asked of it
    model(fakehub, "meta/base", "llama3.1")
    folder = tmp_path / "models" / "acme__ft"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: meta/base\n---\n"
                                      "# ft\n")
    run = hub_cli(registry_hub, cache, "audit", str(tmp_path / "models"), "-f", "json",
                  "--lineage-endpoint", fakehub.url, env={"HF_TOKEN": "hf_RunToken012345678"})
    assert run.code == 0, run.stderr
    lineage = json.loads(run.stdout)["models"][0]["lineage"]
    assert lineage["ancestors"][0]["license"] == "llama3.1"
    assert lineage["ancestors"][0]["source"] == fakehub.url
    assert {r.headers.get("authorization") for r in fakehub.requests} == {None}
    assert registry_hub.count() == 0


def test_a_lineage_endpoint_that_is_no_url_is_a_usage_error(fakehub: FakeHub,
                                                             cache: Path) -> None:
    run = hub_cli(fakehub, cache, "audit", "acme/x", "--lineage-endpoint", "ftp://example")
    assert run.code == 2 and "--lineage-endpoint 'ftp://example' is not an http(s) URL" in \
        run.stderr and fakehub.count() == 0


def audit_json(hub: FakeHub, cache: Path, *args: str) -> dict:  # type: ignore[type-arg]
    run = hub_cli(hub, cache, "audit", *args, "-f", "json")
    assert run.code == 0, run.stderr
    return {m["id"]: m for m in json.loads(run.stdout)["models"]}


def test_a_lineage_endpoint_that_is_the_runs_own_is_asked_with_its_token(
        fakehub: FakeHub, cache: Path, tmp_path: Path) -> None:
    # another spelling of the run's own Hub is that Hub (--lineage-hub), not a second one
    # that would get no token
    token = "hf_RunToken0123456789"
    model(fakehub, "meta/base", "llama3.1", private=True, allowed_tokens={token})
    folder = tmp_path / "models" / "acme__ft"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: llama3.1\nbase_model: meta/base\n---\n")
    same = fakehub.url.replace("http://", "HTTP://") + "/"
    rows = audit_json(fakehub, cache, str(tmp_path / "models"), "--lineage-endpoint", same,
                      "--token", token)
    assert rows["acme/ft"]["lineage"]["ancestors"][0]["license"] == "llama3.1"
    assert {r.headers.get("authorization") for r in fakehub.requests} == {f"Bearer {token}"}
