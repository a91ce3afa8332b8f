"""Helpers for Hub tests: run the CLI against the fake Hub with a private cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.scenario import Run, run_cli
from tests.fakehub.server import FakeHub


def hub_cli(hub: FakeHub, cache: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    command, rest = args[0], args[1:]
    return run_cli(command, "--endpoint", hub.url, "--cache-dir", str(cache), "--timeout", "2",
                   *rest, env={"CARDAUDIT_BACKOFF": "0", **(env or {})})


def models(run: Run) -> dict[str, dict[str, Any]]:
    assert run.code == 0, run.stderr
    return {m["id"]: m for m in json.loads(run.stdout)["models"]}


def card(license_: str = "apache-2.0", extra: str = "", body: str = "") -> str:
    return (f"---\nlicense: {license_}\n{extra}---\n# Model\n\n## Uses\n\nClassify reviews by "
            f"sentiment for research.\n{body}")
