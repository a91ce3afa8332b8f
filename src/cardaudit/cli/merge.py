"""`cardaudit merge`: shard stores of a split audit brought together as one run."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from cardaudit import __version__
from cardaudit.settings import now_utc
from cardaudit.store import default_store_path
from cardaudit.store.db import Store
from cardaudit.store.merge import merge, shard_runs


def merge_command(
    ctx: typer.Context,
    shards: Annotated[list[Path], typer.Argument(
        metavar="SHARD...", help="Store files written by `audit --db` on each machine.",
        dir_okay=False)],
    db: Annotated[Path | None, typer.Option(
        "--db", help="The store that receives the merged run (created if missing).",
        dir_okay=False)] = None,
) -> None:
    """Copy each shard store's latest complete run into one new run of the target store, so
    `trends`, `diff` and `runs` see an audit split over several machines as one. Every shard
    must have used the same rules (rules digests must agree); a model id found in several
    shards is kept from the first shard named.

    Exit 0, or 2 when a shard is missing, not a store, incomplete or used other rules."""
    target_path = db or default_store_path(ctx.obj)
    found = shard_runs(shards, target_path)
    with Store.open(target_path) as target:
        result = merge(target, found, started_at=ctx.obj.generated_at,
                       tool_version=__version__, clock=lambda: now_utc(os.environ))
    for shard in result.shards:
        typer.echo(f"{shard.path}: run {shard.run.id}, {shard.run.models:,} model(s)")
    note = f" ({result.duplicates:,} id(s) found in more than one shard kept once)" \
        if result.duplicates else ""
    typer.echo(f"merged {result.models:,} model(s) from {len(result.shards)} shard(s) into "
               f"run {result.run_id} of {target_path}{note}")
    typer.echo(f"next: cardaudit trends --run {result.run_id} --db {target_path}")
