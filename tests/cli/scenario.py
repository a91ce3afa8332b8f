"""Run the CLI the way a user does (Typer's runner) and record args, stdout, stderr, exit code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from cardaudit.cli.app import app

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Run:
    args: list[str]
    code: int
    stdout: str
    stderr: str

    def transcript(self) -> str:
        return (f"$ cardaudit {' '.join(self.args)}\n# exit {self.code}\n"
                f"# stdout\n{self.stdout}# stderr\n{self.stderr}")


def run_cli(*args: str, env: dict[str, str] | None = None) -> Run:
    runner = CliRunner()
    base = {"NO_COLOR": "1", "COLUMNS": "120", "SOURCE_DATE_EPOCH": "1767225600"}
    result = runner.invoke(app, list(args), env={**base, **(env or {})}, catch_exceptions=False)
    return Run(list(args), result.exit_code, result.stdout, result.stderr)
