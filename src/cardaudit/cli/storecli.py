"""Opening the audit store from a command and picking runs (`--run ID`, `--latest`)."""

from __future__ import annotations

from pathlib import Path

from cardaudit.errors import StoreError
from cardaudit.settings import Settings
from cardaudit.store import default_store_path
from cardaudit.store.db import Store, StoredRun


def open_store(db: Path | None, settings: Settings) -> Store:
    """An existing store (reading commands never create one)."""
    return Store.open(db or default_store_path(settings), create=False)


def pick_run(store: Store, run_id: int | None) -> tuple[StoredRun, str | None]:
    """The run asked for, else the latest complete one; plus a warning to print, if any."""
    if run_id is not None:
        run = store.run(run_id)
        warning = None if run.complete else \
            f"run {run.id} is {run.status}: {run.models} model(s) were recorded before it stopped"
        return run, warning
    latest = store.latest(complete=True)
    if latest is None:
        raise StoreError(f"no complete run in {store.path}",
                         hint="run `cardaudit audit …` first (or pass --run ID for an "
                              "incomplete one)")
    newest = store.latest(complete=False)
    warning = None
    if newest is not None and newest.id != latest.id:
        warning = (f"using run {latest.id}, the latest complete run; run {newest.id} is "
                   f"{newest.status}")
    return latest, warning
