"""Colour on a terminal, plain text everywhere else: tables printed to a colour terminal carry
their styles (grades, outcomes, errors); NO_COLOR, --no-color, files and pipes get none."""

from __future__ import annotations

from pathlib import Path

from tests.cli.terminal import run_on_terminal

SGR = "\x1b["


def _on_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    return run_on_terminal(*args, stdout_too=True, env=env)[2]


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


def test_the_dump_summary_on_stderr_follows_the_same_colour_choice() -> None:
    args = ("audit", "--dump", "examples/dumps/sample.jsonl", "-f", "json", "--no-store",
            "--jobs", "1", "--quiet")
    coloured = run_on_terminal(*args)[2]
    plain_text = run_on_terminal("--no-color", *args)[2]
    assert "model(s) audited" in coloured and "model(s) audited" in plain_text
    assert SGR in coloured and SGR not in plain_text
