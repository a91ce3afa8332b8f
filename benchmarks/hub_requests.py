"""Requests and wall time of Hub scans, against the loopback fake Hub with added latency.

One organization of N models (default 1,000), 50 ms added to every reply. Measures, in one run:
  a) cold cache: README downloads per model and HTTP requests per model (all counted at the
     server); warm cache (unchanged shas): requests per model — the listing pages alone;
  b) `--jobs 16` against `--jobs 1` on a cold cache: the speed-up;
  c) a naive baseline: huggingface_hub `model_info` + `ModelCard.load` per model, sequentially;
  d) a registry gate with public bases: an organization of fine-tunes on one fake Hub (the
     registry), each naming one of a few bases held by another (the public Hub, asked with
     `--lineage-endpoint`): requests per model at the registry, per distinct base at each Hub.
Targets (issue 3): ≤ 1 README download and ≤ 2.1 requests per model cold (one streamed GET
per README since it no longer goes through hf_hub_download's HEAD: about 1.0), ≤ 0.01 warm,
jobs 16 ≥ 8× faster than jobs 1.

The organization's fake Hub (a–c) runs in a process of its own, as the Hub does: served from
the client's process, its handler threads took the CPU and the GIL from the client's, so
`--jobs 16` measured the two sharing one interpreter (7.5x), not the client.

Usage: python benchmarks/hub_requests.py [--models 1000] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakehub.server import FakeHub  # noqa: E402

from cardaudit.pack import load_pack  # noqa: E402
from cardaudit.settings import Settings  # noqa: E402
from cardaudit.sources.select import Request  # noqa: E402

CARD = """---
license: {license}
datasets: []
pipeline_tag: text-classification
---
# Model {i}

## Uses

Classify reviews by sentiment. Written for the cardaudit benchmark.

## Training data

Fine-tuned on the IMDB reviews dataset for three epochs.
"""


def _serve_organization(conn: Any, n: int, latency: float) -> None:
    """The child process: a fake Hub holding organization `benchorg` of `n` models; answers
    the parent's questions about the requests it saw until told to stop."""
    hub = FakeHub().start()
    hub.page_size = 1000  # the Hub returns up to 1,000 models a page with expand
    for i in range(n):
        hub.add_model(f"benchorg/model-{i:04d}", CARD.format(i=i, license=(
            "apache-2.0", "mit", "llama3.1", "cc-by-nc-4.0")[i % 4]))
    hub.latency = latency
    conn.send(hub.url)
    while True:
        question, args = conn.recv()
        if question == "stop":
            hub.stop()
            conn.send(None)
            return
        if question == "reset":
            hub.reset_log()
            conn.send(None)
        else:
            conn.send(hub.count(*args))


class HubProcess:
    """A fake Hub served by another process, asked over a pipe for its request counts."""

    def __init__(self, n: int, latency: float) -> None:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter, no copied threads
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve_organization, args=(child, n, latency),
                                        daemon=True)
        self._process.start()
        self.url: str = self._conn.recv()

    def _ask(self, question: str, *args: Any) -> Any:
        self._conn.send((question, args))
        return self._conn.recv()

    def count(self, method: str | None = None, path_regex: str = ".*") -> int:
        return int(self._ask("count", method, path_regex))

    def reset_log(self) -> None:
        self._ask("reset")

    def stop(self) -> None:
        self._ask("stop")
        self._process.join(10)


def _scan(hub: HubProcess, cache: Path, jobs: int, org: str) -> tuple[float, int, int]:
    from cardaudit.cli.audit import run_audit

    settings = Settings.from_env(env={}, quiet=True, endpoint=hub.url, cache_dir=cache,
                                 timeout=30.0, backoff=0.0)
    hub.reset_log()
    started = time.perf_counter()
    report, _, _ = run_audit(settings, Request(orgs=[org], jobs=jobs), load_pack())
    elapsed = time.perf_counter() - started
    ok = sum(1 for r in report.results if r.status.value == "ok")
    return elapsed, hub.count(), ok


BASES = ("meta-llama/Llama-3.1-8B", "Qwen/Qwen2.5-7B", "mistralai/Mistral-7B-v0.1",
         "google/gemma-2-9b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")
BASE_LICENSES = ("llama3.1", "apache-2.0", "apache-2.0", "gemma", "mit")


def _registry_with_public_bases(n: int, latency: float, cache: Path) -> dict[str, object]:
    from cardaudit.cli.audit import run_audit

    registry, public = FakeHub().start(), FakeHub().start()
    registry.page_size = 1000
    for base, license_ in zip(BASES, BASE_LICENSES, strict=True):
        public.add_model(base, f"---\nlicense: {license_}\n---\n# {base}\n",
                         tags=[f"license:{license_}"])
    for i in range(n):
        base = BASES[i % len(BASES)]
        registry.add_model(f"regorg/ft-{i:04d}", CARD.format(i=i, license="apache-2.0").replace(
            "datasets: []", f"datasets: []\nbase_model: {base}"),
            tags=["license:apache-2.0", f"base_model:finetune:{base}"])
    registry.latency = public.latency = latency
    settings = Settings.from_env(env={}, quiet=True, endpoint=registry.url, cache_dir=cache,
                                 timeout=30.0, backoff=0.0)
    started = time.perf_counter()
    report, _, _ = run_audit(settings, Request(orgs=["regorg"], jobs=16,
                                               lineage_endpoint=public.url), load_pack())
    elapsed = time.perf_counter() - started
    resolved = sum(1 for r in report.results
                   if getattr(r.lineage, "unresolved", ("?",)) == ())
    base_asks = sum(1 for r in registry.requests if any(b in r.path for b in BASES))
    out: dict[str, object] = {"models": n, "bases": len(BASES), "seconds": round(elapsed, 2),
           "registry_requests_per_model": round(registry.count() / n, 3),
           "registry_requests_per_base": round(base_asks / len(BASES), 2),
           "public_requests_per_base": round(public.count() / len(BASES), 2),
           "models_with_every_base_resolved": resolved}
    registry.stop()
    public.stop()
    return out


def _naive(hub: HubProcess, cache: Path, models: list[str]) -> tuple[float, int]:
    from huggingface_hub import HfApi, ModelCard, constants

    template = constants.HUGGINGFACE_CO_URL_TEMPLATE
    constants.HUGGINGFACE_CO_URL_TEMPLATE = hub.url + "/{repo_id}/resolve/{revision}/{filename}"
    constants.HF_HUB_CACHE = str(cache)
    api = HfApi(endpoint=hub.url, token=False)
    hub.reset_log()
    started = time.perf_counter()
    for model in models:
        api.model_info(model)
        ModelCard.load(model, token=False)  # type: ignore[arg-type]  # False: send no token
    elapsed = time.perf_counter() - started
    constants.HUGGINGFACE_CO_URL_TEMPLATE = template
    return elapsed, hub.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    from huggingface_hub import close_session

    n = args.models
    hub = HubProcess(n, args.latency)
    close_session()
    out: dict[str, object] = {"models": n, "latency_s": args.latency}
    with tempfile.TemporaryDirectory() as tmp:
        cache16, cache1, naive = Path(tmp, "c16"), Path(tmp, "c1"), Path(tmp, "naive")
        cold16, requests16, ok16 = _scan(hub, cache16, 16, "benchorg")
        readme_gets = hub.count("GET", "/resolve/")
        out["cold_jobs16"] = {"seconds": round(cold16, 2), "requests": requests16,
                              "requests_per_model": round(requests16 / n, 3),
                              "readme_downloads_per_model": round(readme_gets / n, 3),
                              "rows_ok": ok16}
        warm, warm_requests, _ = _scan(hub, cache16, 16, "benchorg")
        out["warm_jobs16"] = {"seconds": round(warm, 2), "requests": warm_requests,
                              "requests_per_model": round(warm_requests / n, 4)}
        cold1, requests1, ok1 = _scan(hub, cache1, 1, "benchorg")
        out["cold_jobs1"] = {"seconds": round(cold1, 2), "requests": requests1, "rows_ok": ok1}
        out["speedup_jobs16_vs_jobs1"] = round(cold1 / cold16, 1)
        ids = [f"benchorg/model-{i:04d}" for i in range(n)]
        naive_seconds, naive_requests = _naive(hub, naive, ids)
        out["naive_model_info_plus_ModelCard_load"] = {
            "seconds": round(naive_seconds, 2), "requests": naive_requests,
            "requests_per_model": round(naive_requests / n, 3)}
        hub.stop()
        out["registry_with_public_bases"] = _registry_with_public_bases(
            max(n // 5, len(BASES)), args.latency, Path(tmp, "registry"))
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
