"""`cardaudit rules`: list the rules in force, show one, validate a user's rule folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cardaudit.cli.options import RulesOption
from cardaudit.errors import RuleError, UsageError
from cardaudit.pack import load_pack

rules_app = typer.Typer(help="List, show and validate rules.", no_args_is_help=True)


@rules_app.command("list")
def list_rules(
    rules: RulesOption = None,
    width: Annotated[int | None, typer.Option("--width", min=40)] = None,
) -> None:
    """List the rules in force (shipped pack plus --rules folders)."""
    pack = load_pack([Path(p) for p in rules or []])
    console = Console(width=width, highlight=False, soft_wrap=False)
    table = Table(title=f"{len(pack.rules.rules)} rules · {pack.rules.digest}")
    for column in ("id", "category", "severity", "title", "origin"):
        table.add_column(column, overflow="fold")
    for rule in pack.rules.rules:
        table.add_row(rule.id, rule.category.value, rule.severity.value, Text(rule.title),
                      rule.origin)
    console.print(table)


@rules_app.command("show")
def show_rule(
    rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. CA-LIC-002.")],
    rules: RulesOption = None,
) -> None:
    """Show one rule: its file, why it matters, how to fix it, and its definition."""
    pack = load_pack([Path(p) for p in rules or []])
    rule = pack.rules.get(rule_id) or next(
        (r for r in pack.rules.rules if r.name == rule_id), None)
    if rule is None:
        raise UsageError(f"no rule '{rule_id}'", hint="`cardaudit rules list` shows them all")
    path = Path(rule.file)
    if rule.origin == "shipped":
        path = pack.knowledge.root / Path(rule.file).relative_to("rules")
    typer.echo(f"{rule.id} ({rule.name}) — {rule.title}")
    typer.echo(f"category: {rule.category.value} · severity: {rule.severity.value} · "
               f"file: {rule.location}")
    typer.echo(f"why: {rule.why}")
    typer.echo(f"fix: {rule.fix}")
    typer.echo("---")
    typer.echo(path.read_text(encoding="utf-8").rstrip())


@rules_app.command("validate")
def validate(
    folder: Annotated[Path, typer.Argument(help="A folder of rule files.", file_okay=False)],
) -> None:
    """Validate a rule folder against the shipped pack; errors name file:line. Exit 2 if bad."""
    if not folder.is_dir():
        raise UsageError(f"not a folder: {folder}")
    try:
        pack = load_pack([folder])
    except RuleError:
        raise
    user = [r for r in pack.rules.rules if r.origin == "user"]
    if not user:  # the shipped pack itself, or a part of it
        typer.echo(f"ok: {folder} is part of the shipped pack; its "
                   f"{len(pack.rules.rules)} rule(s) are valid")
        return
    typer.echo(f"ok: {len(user)} rule(s) in {folder} are valid "
               f"({len(pack.rules.rules)} in force with the shipped pack)")
