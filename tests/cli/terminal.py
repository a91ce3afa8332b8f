"""Run the CLI as a process with a pseudo-terminal, the way it runs in a user's shell: what a
terminal gets (progress bars, colour) differs from what a pipe or a file gets."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys

from tests.cli.scenario import ROOT


def run_on_terminal(*args: str, stdout_too: bool = False, env: dict[str, str] | None = None
                    ) -> tuple[int, str, str]:
    """(exit code, stdout, terminal): stderr goes to the terminal, and stdout too with
    `stdout_too` (else to a pipe). NO_COLOR is dropped unless `env` sets it."""
    master, slave = pty.openpty()
    environment = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color", **(env or {})}
    if "NO_COLOR" not in (env or {}):
        environment.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "cardaudit", *args], cwd=ROOT,
                               stdout=slave if stdout_too else subprocess.PIPE, stderr=slave,
                               env=environment)
    os.close(slave)
    streams = {master: bytearray()}  # both drained, or a full pipe blocks the process
    if process.stdout is not None:
        streams[process.stdout.fileno()] = bytearray()
    captured = dict(streams)
    while streams:
        ready, _, _ = select.select(list(streams), [], [], 60)
        if not ready:
            break
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the terminal closed: the process ended
                chunk = b""
            if chunk:
                streams[fd].extend(chunk)
            else:
                del streams[fd]
    process.wait(timeout=60)
    stdout = b""
    if process.stdout is not None:
        stdout = bytes(captured[process.stdout.fileno()])
        process.stdout.close()
    os.close(master)
    return process.returncode, stdout.decode(), captured[master].decode(errors="replace")
