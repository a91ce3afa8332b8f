"""Root Typer app: global flags, command registration, and the only error boundary.

Exit codes: 0 ok · 1 policy failed · 2 usage or fatal error. Domain errors print
`error: …` (and `hint: …`) on stderr; anything unexpected prints
`internal error: …; rerun with --debug`. Tracebacks only with --debug.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from cardaudit import __version__
from cardaudit.cli.output import use_color
from cardaudit.errors import EXIT_USAGE, CardauditError
from cardaudit.reports.escape import lines
from cardaudit.settings import Settings


def _stderr(text: str) -> None:
    """An error line: messages quote targets, file names and Hub replies, which are hostile
    text, so control characters (terminal escapes, bidi overrides) never reach the terminal."""
    typer.echo(lines(text), err=True)


class CardauditGroup(TyperGroup):
    """Runs every command inside the error boundary."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # Typer's own usage errors and exits keep their messages and codes
        except CardauditError as exc:
            _debug_trace(ctx)
            _stderr(f"error: {exc.message}")
            if exc.hint:
                _stderr(f"hint: {exc.hint}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _stderr("error: interrupted")
            raise typer.Exit(EXIT_USAGE) from None
        except BrokenPipeError:
            # The reader went away (`cardaudit audit … | head`): stop quietly. Point stdout at
            # /dev/null so the interpreter's final flush does not fail again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(EXIT_USAGE) from None
        except Exception as exc:
            _debug_trace(ctx)
            name = type(exc).__name__
            _stderr(f"internal error: {name}: {' '.join(str(exc).split())[:300]}; "
                    "rerun with --debug")
            raise typer.Exit(EXIT_USAGE) from None


def _debug_trace(ctx: typer.Context) -> None:
    settings = ctx.find_object(Settings)
    if settings is not None and settings.debug:
        traceback.print_exc(file=sys.stderr)


app = typer.Typer(
    cls=CardauditGroup,
    name="cardaudit",
    help="Audit AI model cards: licenses, training-data disclosure, usage gates and "
         "documentation, with declarative YAML rules.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cardaudit {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="No progress bar or notes on stderr.")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="Plain output (also: NO_COLOR).")]
    = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """cardaudit: exit 0 ok, 1 policy failed, 2 usage or fatal error."""
    settings = Settings.from_env(debug=debug, quiet=quiet, color=False if no_color else None)
    ctx.obj = settings
    use_color(settings.color)
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


def _register() -> None:
    from cardaudit.cli import (
        audit,
        bom,
        check,
        diff,
        explain,
        history,
        lineage,
        merge,
        report,
        rules,
        runs,
        trends,
    )

    commands: dict[str, Callable[..., Any]] = {
        "audit": audit.audit, "check": check.check, "report": report.report, "bom": bom.bom,
        "lineage": lineage.lineage, "explain": explain.explain, "runs": runs.runs,
        "merge": merge.merge_command, "trends": trends.trends, "diff": diff.diff,
        "history": history.history}
    for name, function in commands.items():
        app.command(name, short_help=short_help(function.__doc__))(function)
    app.add_typer(rules.rules_app, name="rules")


def short_help(doc: str | None) -> str | None:
    """The first sentence of a command's docstring on one line, for `cardaudit --help` (rich
    keeps a docstring's line breaks, which split the command list mid-sentence)."""
    if not doc:
        return None
    paragraph = " ".join(doc.strip().split("\n\n")[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[:end + 1]


_register()


def main() -> None:
    """Console entry point."""
    app()
