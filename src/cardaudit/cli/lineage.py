"""`cardaudit lineage`: a model's ancestry as a tree (license, category, relation and training
data disclosure per node)."""

from __future__ import annotations

from typing import Annotated, TextIO

import typer
from rich.text import Text
from rich.tree import Tree

from cardaudit.cli.common import TargetFlags, audit_with
from cardaudit.cli.options import (
    CacheDirOption,
    EndpointOption,
    LineageDirOption,
    LineageEndpointOption,
    LineageHubOption,
    OfflineOption,
    OutputOption,
    QuietOption,
    RefreshOption,
    RevisionOption,
    TimeoutOption,
    TokenOption,
    WidthOption,
    chosen_format,
)
from cardaudit.cli.output import write_output
from cardaudit.lineage.resolve import LOOKUP_HINT_MANY, MAX_ANCESTORS, MAX_DEPTH, Lineage
from cardaudit.reports.document import sorted_results
from cardaudit.reports.escape import plain
from cardaudit.reports.jsonstream import dumps_indented
from cardaudit.reports.table import console_for
from cardaudit.results import ModelResult


def lineage(
    ctx: typer.Context,
    model: Annotated[list[str], typer.Argument(help="A Hub id or a local model folder.",
                                               show_default=False)],
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="tree or json (default: from the --output extension, else "
                               "tree).")] = None,
    output: OutputOption = None,
    width: WidthOption = None,
    revision: RevisionOption = None,
    endpoint: EndpointOption = None,
    token: TokenOption = None,
    offline: OfflineOption = False,
    cache_dir: CacheDirOption = None,
    timeout: TimeoutOption = None,
    lineage_dir: LineageDirOption = None,
    lineage_hub: LineageHubOption = False,
    lineage_endpoint: LineageEndpointOption = None,
    quiet: QuietOption = False,
    refresh: RefreshOption = False,
) -> None:
    """Print a model's ancestry: every base_model, with its license, category and relation."""
    fmt = chosen_format(fmt, output, ("tree", "json"), "tree")
    flags = TargetFlags(targets=model, revision=revision, endpoint=endpoint, token=token,
                        offline=offline, cache_dir=cache_dir, timeout=timeout, quiet=quiet,
                        refresh=refresh,
                        lineage_dir=lineage_dir, lineage_hub=lineage_hub,
                        lineage_endpoint=lineage_endpoint)
    settings, _, report, _, _ = audit_with(flags, ctx.obj)
    results = sorted_results(report)

    def render(stream: TextIO) -> None:
        if fmt == "json":
            data = {"schema_version": 1, "models": [
                {"id": r.id, "license": r.facts.license.key if r.facts else None,
                 "error": r.error.message if r.error else None,
                 "lineage": r.lineage.as_json() if isinstance(r.lineage, Lineage) else None}
                for r in results]}
            stream.write(dumps_indented(data))
            stream.write("\n")
            return
        console = console_for(stream, width or settings.width)
        for result in results:
            console.print(_tree(result))
        unlooked = {n.id for r in results if isinstance(r.lineage, Lineage)
                    for n in r.lineage.nodes.values() if n.status == "unresolvable"}
        if unlooked:  # no source was asked for them: say which would be
            console.print(Text(f"{len(unlooked)} ancestor(s) not looked up: {LOOKUP_HINT_MANY}",
                               style="dim"))
    write_output(render, output)


def _label(model_id: str, license_: str | None, category: str | None, relation: str | None,
           status: str = "ok", data: str | None = None) -> Text:
    text = Text(plain(model_id), style="bold")
    if status != "ok":
        text.append(f"  [{status}]", style="red")
        return text
    text.append(f"  {plain(license_ or '?')} ({category or '?'})")
    if relation:
        text.append(f"  ← {relation}", style="dim")
    text.append(f"  · data {data or 'not read'}", style="dim")
    return text


def _tree(result: ModelResult) -> Tree:
    facts = result.facts
    lin = result.lineage if isinstance(result.lineage, Lineage) else None
    root = Tree(_label(result.id, facts.license.key if facts else None,
                       facts.license.category.value if facts else None,
                       lin.relation if lin else None,
                       "ok" if result.error is None else result.error.code,
                       facts.disclosure.level.value if facts else None))
    if lin is None:
        root.add(Text("no base_model", style="dim"))
        return root

    shown: set[str] = set()  # ancestors whose subtree is printed: shared ones only once

    def add(branch: Tree, parents: tuple[str, ...], path: tuple[str, ...]) -> None:
        for parent in parents:
            node = lin.nodes.get(parent)
            if node is None:
                continue
            if parent in path:
                branch.add(Text(f"{plain(parent)}  [cycle]", style="red"))
                continue
            if parent in shown:
                branch.add(Text(f"{plain(parent)}  (see above)", style="dim"))
                continue
            shown.add(parent)
            child = branch.add(_label(parent, node.license_key,
                                      node.category.value if node.category else None,
                                      node.relation, node.status,
                                      node.data_level.value if node.data_level else None))
            add(child, node.parents, (*path, parent))

    add(root, lin.parents, (result.id,))
    if lin.width_limited:
        root.add(Text(f"more than {MAX_ANCESTORS} ancestors: the rest were not looked up",
                      style="red"))
    if lin.depth_limited:
        root.add(Text(f"deeper than {MAX_DEPTH} levels: the rest were not looked up",
                      style="red"))
    for drift in lin.drift:
        root.add(Text(f"license drift: {plain(drift.reason)}", style="red"))
    return root
