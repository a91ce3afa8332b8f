"""`cardaudit rules`: list the rules in force, show one, validate a user's rule folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.table import Table
from rich.text import Text

from cardaudit.cli.options import OutputOption, RulesOption, WidthOption, chosen_format
from cardaudit.cli.output import write_output
from cardaudit.errors import RuleError, UsageError
from cardaudit.pack import check_pack, load_pack
from cardaudit.reports import rules_listing
from cardaudit.reports.escape import lines, plain
from cardaudit.reports.table import console_for

rules_app = typer.Typer(help="List, show and validate rules.", no_args_is_help=True)


LIST_FORMATS = ("table", "json", "csv", "markdown")
SHOW_FORMATS = ("text", "json")


@rules_app.command("list")
def list_rules(
    rules: RulesOption = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="table, json, csv or markdown (default: from the --output "
                               "extension, else table).")] = None,
    output: OutputOption = None,
    width: WidthOption = None,
) -> None:
    """List the rules in force (shipped pack plus --rules folders)."""
    fmt = chosen_format(fmt, output, LIST_FORMATS, "table")
    pack = load_pack([Path(p) for p in rules or []])
    in_force, digest = pack.rules.rules, pack.rules.digest

    def render(stream: TextIO) -> None:
        if fmt == "json":
            rules_listing.write_json(in_force, digest, stream)
        elif fmt == "csv":
            rules_listing.write_csv(in_force, stream)
        elif fmt == "markdown":
            rules_listing.write_markdown(in_force, digest, stream)
        else:
            console = console_for(stream, width)
            table = Table(title=f"{len(in_force)} rules · {digest}")
            for column in ("id", "category", "severity", "title", "origin"):
                table.add_column(column, overflow="fold")
            for rule in in_force:
                table.add_row(rule.id, rule.category.value, rule.severity.value,
                              Text(plain(rule.title)), rule.origin)
            console.print(table)
    write_output(render, output)


@rules_app.command("show")
def show_rule(
    rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. CA-LIC-002.")],
    rules: RulesOption = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="text or json (with the rule's definition; default: from the "
                               "--output extension, else text).")] = None,
    output: OutputOption = None,
) -> None:
    """Show one rule: its file, why it matters, how to fix it, and its definition."""
    fmt = chosen_format(fmt, output, SHOW_FORMATS, "text")
    pack = load_pack([Path(p) for p in rules or []])
    rule = pack.rules.get(rule_id) or next(
        (r for r in pack.rules.rules if r.name == rule_id), None)
    if rule is None:
        raise UsageError(f"no rule '{rule_id}'", hint="`cardaudit rules list` shows them all")
    path = Path(rule.file)
    if rule.origin == "shipped":
        path = pack.knowledge.root / Path(rule.file).relative_to("rules")

    def render(stream: TextIO) -> None:
        if fmt == "json":
            rules_listing.write_json((rule,), pack.rules.digest, stream, definition=True)
            return
        # a user's rule folder may come from anywhere: no terminal escapes from it
        stream.write(f"{plain(rule.id)} ({plain(rule.name)}) — {plain(rule.title)}\n"
                     f"category: {rule.category.value} · severity: {rule.severity.value} · "
                     f"file: {plain(rule.location)}\nwhy: {plain(rule.why)}\n"
                     f"fix: {plain(rule.fix)}\n---\n"
                     f"{lines(path.read_text(encoding='utf-8', errors='replace')).rstrip()}\n")
    write_output(render, output)


@rules_app.command("validate")
def validate(
    folder: Annotated[Path, typer.Argument(help="A folder of rule files.", file_okay=False)],
) -> None:
    """Validate a rule folder against the shipped pack; errors name file:line. Exit 2 if bad."""
    if not folder.is_dir():
        raise UsageError(f"not a folder: {folder}")
    check = check_pack([folder])
    if check.problems:
        for problem in check.problems:
            typer.echo(f"error: {plain(problem)}", err=True)
        raise RuleError(f"{len(check.problems)} problem(s) in {folder}: no rule of it can be "
                        "used until all are fixed")
    if not check.user_rules:  # the shipped pack itself, or a part of it
        typer.echo(f"ok: {folder} is part of the shipped pack; its "
                   f"{check.rules} rule(s) are valid")
        return
    typer.echo(f"ok: {check.user_rules} rule(s) in {folder} are valid "
               f"({check.rules} in force with the shipped pack)")
