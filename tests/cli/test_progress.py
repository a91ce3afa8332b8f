"""Progress bars: on stderr when it is a terminal, never on stdout (a report piped on stays
clean), and not at all with --quiet or without a terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.scenario import ROOT
from tests.cli.terminal import run_on_terminal
from tests.fakehub.server import FakeHub


@pytest.mark.parametrize("args", [
    ("audit", "examples/models", "-f", "json", "--no-store"),
    ("audit", "--dump", "examples/dumps/sample.jsonl", "-f", "json", "--no-store", "--jobs", "1"),
])
def test_a_terminal_gets_a_progress_bar_on_stderr_and_stdout_stays_the_report(
        args: tuple[str, ...]) -> None:
    code, stdout, terminal = run_on_terminal(*args)
    assert code == 0, terminal
    data = json.loads(stdout)  # no bar, no escape sequence in the report
    assert data["models"] and "\x1b" not in stdout
    assert "auditing" in terminal  # the bar was drawn on the terminal


def test_quiet_or_no_terminal_means_no_progress_bar(tmp_path: Path) -> None:
    code, stdout, terminal = run_on_terminal("audit", "examples/models", "-f", "json",
                                                       "--no-store", "--quiet")
    assert code == 0 and json.loads(stdout)["models"]
    assert "auditing" not in terminal
    piped = subprocess.run([sys.executable, "-m", "cardaudit", "audit", "examples/models",
                            "-f", "json", "--no-store"], cwd=ROOT, capture_output=True,
                           text=True, check=True)
    assert "auditing" not in piped.stderr and "\x1b" not in piped.stderr


def test_history_draws_a_bar_over_the_commits_and_quiet_drops_it(fakehub: FakeHub,
                                                                  tmp_path: Path) -> None:
    # history downloads a README per commit: with --limit 200 that is a long, silent wait
    # unless the terminal is told how far it got
    fakehub.add_model("acme/qa", "---\nlicense: mit\n---\n# QA\n")
    for n in range(3):
        fakehub.add_commit("acme/qa", f"---\nlicense: mit\n---\n# QA\n\nRevision {n}.\n",
                           date=f"2024-0{n + 2}-01T00:00:00Z")
    hub = ("--endpoint", fakehub.url, "--cache-dir", str(tmp_path / "cache"))
    code, stdout, terminal = run_on_terminal("history", "acme/qa", "-f", "json", *hub)
    assert code == 0, terminal
    assert json.loads(stdout)["shown"] == 4 and "\x1b" not in stdout
    assert "commits" in terminal
    code, stdout, terminal = run_on_terminal("history", "acme/qa", "-f", "json", "-q", *hub,
                                             "-j", "1")
    assert code == 0 and json.loads(stdout)["shown"] == 4
    assert "commits" not in terminal


def test_explain_of_several_models_draws_a_bar_unless_quiet() -> None:
    models = ("examples/models/acme__bare-card", "examples/models/acme__sentiment-bert")
    code, stdout, terminal = run_on_terminal("explain", *models, "-f", "json")
    assert code == 0 and len(json.loads(stdout)["models"]) == 2
    assert "auditing" in terminal
    code, stdout, terminal = run_on_terminal("explain", *models, "-f", "json", "-q")
    assert code == 0 and len(json.loads(stdout)["models"]) == 2
    assert "auditing" not in terminal


def test_every_command_that_reaches_the_hub_takes_quiet() -> None:
    import typer.main

    from cardaudit.cli.app import app

    def options(command: Any, path: str) -> dict[str, set[str]]:
        found = {path: {o for p in command.params for o in p.opts}}
        for name, sub in getattr(command, "commands", {}).items():
            found |= options(sub, f"{path} {name}".strip())
        return found

    commands = options(typer.main.get_command(app), "")
    reaching = {name for name, opts in commands.items() if "--endpoint" in opts}
    assert {"audit", "check", "report", "bom", "explain", "lineage", "history"} <= reaching
    assert {name for name in reaching if not {"-q", "--quiet"} <= commands[name]} == set()
