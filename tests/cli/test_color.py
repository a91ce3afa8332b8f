"""Colour on a terminal, plain text everywhere else: tables printed to a colour terminal carry
their styles (grades, outcomes, errors); NO_COLOR, --no-color, files and pipes get none."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from tests.cli.scenario import ROOT

SGR = "\x1b["


def _on_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    """What the CLI prints with stdout and stderr on a pseudo-terminal."""
    master, slave = pty.openpty()
    environment = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color", **(env or {})}
    if "NO_COLOR" not in (env or {}):
        environment.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "cardaudit", *args], cwd=ROOT,
                               stdout=slave, stderr=slave, env=environment)
    os.close(slave)
    seen = bytearray()
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen.extend(chunk)
    process.wait(timeout=60)
    os.close(master)
    return seen.decode(errors="replace")


def _table_part(text: str) -> str:
    return text[text.index("cardaudit — 6 model(s)") - 40:]


def test_a_colour_terminal_gets_the_tables_styles() -> None:
    table = _table_part(_on_terminal("audit", "examples/models", "--no-store", "--quiet"))
    assert SGR in table and "acme/sentiment-bert" in table


def test_no_color_and_the_flag_and_files_get_plain_text(tmp_path: Path) -> None:
    for text in (_on_terminal("audit", "examples/models", "--no-store", "--quiet",
                              env={"NO_COLOR": "1"}),
                 _on_terminal("--no-color", "audit", "examples/models", "--no-store",
                              "--quiet")):
        assert SGR not in _table_part(text)
    out = tmp_path / "table.txt"
    _on_terminal("audit", "examples/models", "--no-store", "--quiet", "-o", str(out))
    assert SGR not in out.read_text() and "acme/sentiment-bert" in out.read_text()
