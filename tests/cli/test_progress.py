"""Progress bars: on stderr when it is a terminal, never on stdout (a report piped on stays
clean), and not at all with --quiet or without a terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.scenario import ROOT
from tests.cli.terminal import run_on_terminal


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
