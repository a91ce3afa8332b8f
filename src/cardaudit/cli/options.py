"""Shared option types, so every command spells a flag the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cardaudit.reports import FORMATS

FormatOption = Annotated[
    str, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)}.",
                      case_sensitive=False)]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the report to FILE (atomically) "
                                                     "instead of stdout.", dir_okay=False)]
RulesOption = Annotated[
    list[Path] | None, typer.Option("--rules", help="Add a folder of rule files to the shipped "
                                                   "pack (repeatable).", file_okay=False)]
WidthOption = Annotated[
    int | None, typer.Option("--width", help="Table width in columns (default: terminal).",
                             min=40, max=1000)]
