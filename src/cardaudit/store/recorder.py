"""Recording a run as it happens: results are written in committed batches, so a crash or a
kill leaves every finished batch readable and the run marked (or read as) incomplete."""

from __future__ import annotations

import os
from pathlib import Path

from cardaudit.results import ModelResult
from cardaudit.settings import now_utc
from cardaudit.store.db import RunInfo, Store
from cardaudit.store.records import StoredModel, stored_from_result


class Recorder:
    """Buffers stored rows and writes them every BATCH models."""

    BATCH = 500

    def __init__(self, store: Store, run_id: int) -> None:
        self.store = store
        self.run_id = run_id
        self._pending: list[StoredModel] = []
        self.duplicates = 0

    @classmethod
    def start(cls, path: Path, info: RunInfo) -> Recorder:
        store = Store.open(path)
        return cls(store, store.begin_run(info))

    def add(self, item: ModelResult | StoredModel) -> None:
        self._pending.append(stored_from_result(item) if isinstance(item, ModelResult)
                             else item)
        if len(self._pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            added = self.store.add(self.run_id, self._pending)
            self.duplicates += len(self._pending) - added
            self._pending = []

    def finish(self, *, complete: bool, not_done: int = 0) -> None:
        try:
            self.flush()
        finally:
            self.store.finish_run(self.run_id, now_utc(os.environ), complete=complete,
                                  not_done=not_done)
            self.store.close()
