"""Progress bars: on stderr when it is a terminal, never on stdout (a report piped on stays
clean), and not at all with --quiet or without a terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.scenario import ROOT


def _run_with_terminal_stderr(*args: str) -> tuple[int, str, str]:
    """The CLI with stdout to a pipe and stderr to a pseudo-terminal; (code, stdout, tty)."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "cardaudit", *args], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    assert process.stdout is not None
    out_fd = process.stdout.fileno()
    seen, stdout = bytearray(), bytearray()
    open_fds = {master: seen, out_fd: stdout}  # both drained, or a full pipe blocks the child
    while open_fds:
        ready, _, _ = select.select(list(open_fds), [], [], 60)
        if not ready:
            break
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the terminal closed: the process ended
                chunk = b""
            if chunk:
                open_fds[fd].extend(chunk)
            else:
                del open_fds[fd]
    process.wait(timeout=60)
    process.stdout.close()
    os.close(master)
    return process.returncode, stdout.decode(), seen.decode(errors="replace")


@pytest.mark.parametrize("args", [
    ("audit", "examples/models", "-f", "json", "--no-store"),
    ("audit", "--dump", "examples/dumps/sample.jsonl", "-f", "json", "--no-store", "--jobs", "1"),
])
def test_a_terminal_gets_a_progress_bar_on_stderr_and_stdout_stays_the_report(
        args: tuple[str, ...]) -> None:
    code, stdout, terminal = _run_with_terminal_stderr(*args)
    assert code == 0, terminal
    data = json.loads(stdout)  # no bar, no escape sequence in the report
    assert data["models"] and "\x1b" not in stdout
    assert "auditing" in terminal  # the bar was drawn on the terminal


def test_quiet_or_no_terminal_means_no_progress_bar(tmp_path: Path) -> None:
    code, stdout, terminal = _run_with_terminal_stderr("audit", "examples/models", "-f", "json",
                                                       "--no-store", "--quiet")
    assert code == 0 and json.loads(stdout)["models"]
    assert "auditing" not in terminal
    piped = subprocess.run([sys.executable, "-m", "cardaudit", "audit", "examples/models",
                            "-f", "json", "--no-store"], cwd=ROOT, capture_output=True,
                           text=True, check=True)
    assert "auditing" not in piped.stderr and "\x1b" not in piped.stderr
