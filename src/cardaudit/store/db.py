"""The audit store: one SQLite file recording every run and, per model, what it found.

Safe with two runs at once (WAL journal, a busy timeout, short transactions, one run id each)
and against crashes: a run is written `running`, rows arrive in committed batches, and only
the end of the run marks it `complete` (or `incomplete` after Ctrl-C). A run left `running` by
a process that no longer exists reads as `incomplete`. A file that is not a cardaudit store, or
one from a newer cardaudit, is refused with a one-line error and never modified.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardaudit.errors import StoreError
from cardaudit.store.records import StoredFinding, StoredModel, to_json
from cardaudit.store.schema import APP_ID, MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 30_000
REQUIRED_TABLES = ("meta", "runs", "models", "findings", "messages")
DAMAGED_HINT = "pass --db with another path, or move the file away and audit again"
# A run on another host is presumed dead when it has not written for this long.
STALE_AFTER_SECONDS = 15 * 60

_MODEL_COLUMNS = (
    "run_id", "model_id", "source", "location", "revision", "status", "error_code",
    "error_message", "license", "category", "commercial_use", "disclosure", "disclosure_source",
    "gate", "score_license", "score_data", "score_access", "score_documentation",
    "score_overall", "grade", "sections", "author", "created_at", "last_modified", "downloads",
    "downloads_all_time", "likes", "parameters", "pipeline_tag", "library_name", "hub",
    "base_models", "relation", "root", "root_family", "root_disclosure",
)
SCORE_KEYS = ("license", "data", "access", "documentation", "overall")
SHARED_VALUES = 100_000  # distinct values and maps one read of a run keeps for sharing
_INSERT_MODEL = (f"INSERT OR IGNORE INTO models ({', '.join(_MODEL_COLUMNS)}) "
                 f"VALUES ({', '.join('?' for _ in _MODEL_COLUMNS)})")
_INSERT_FINDING = ("INSERT OR IGNORE INTO findings (run_id, model_id, rule, outcome, severity, "
                   "message_id, line) VALUES (?, ?, ?, ?, ?, ?, ?)")


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What a run records about itself when it starts."""

    started_at: str
    tool_version: str
    rules_digest: str
    source: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoredRun:
    id: int
    started_at: str
    finished_at: str | None
    status: str
    tool_version: str
    rules_digest: str
    source: str
    arguments: dict[str, Any]
    models: int
    errors: int
    not_done: int

    @property
    def complete(self) -> bool:
        return self.status == "complete"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    except OSError:
        return False
    return True


class Store:
    """An open store. Use `Store.open(path)`; close it (or use `with`) when done."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Store:
        """Open (creating or migrating as needed) the store at `path`."""
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not an audit store file")
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not create:
            raise StoreError(f"no audit store at {path}",
                             hint="run `cardaudit audit …` first, or pass --db PATH")
        if not exists:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the audit store folder {path.parent}: "
                                 f"{exc.strerror or exc}") from None
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                 check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the audit store {path}: {exc}") from None
        store = cls(path, db)
        try:
            store._prepare(exists)
        except sqlite3.DatabaseError as exc:
            db.close()
            if _is_busy(exc):
                raise StoreError(f"the audit store {path} is busy: another run has held it "
                                 f"for over {BUSY_TIMEOUT_MS // 1000} s",
                                 hint="wait for the other run, or pass --db with another path"
                                 ) from None
            raise StoreError(f"{path} is not a cardaudit audit store ({_reason(exc)})",
                             hint="pass --db with another path, or move the file away") from None
        except StoreError:
            db.close()
            raise
        return store

    def _prepare(self, existed: bool) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        tables = {row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if existed and tables and "meta" not in tables:
            raise StoreError(f"{self.path} is a SQLite database but not a cardaudit audit store "
                             f"(it has tables: {', '.join(sorted(tables)[:5])})",
                             hint="pass --db with another path")
        if "meta" in tables:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("app") != APP_ID:
                raise StoreError(f"{self.path} is not a cardaudit audit store "
                                 f"(app '{meta.get('app')}')")
            written = meta.get("schema_version", "0")
            if not written.isdigit():
                raise StoreError(f"{self.path} is a damaged cardaudit audit store (schema "
                                 f"version '{written}')", hint=DAMAGED_HINT)
            version = int(written)
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path} was written by a newer cardaudit (store schema "
                                 f"{version}; this version reads up to {SCHEMA_VERSION})",
                                 hint="upgrade cardaudit, or pass --db with another path")
        _use_wal(db)
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        self._migrate()
        tables = {row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in REQUIRED_TABLES:
            if table not in tables:  # dropped by hand or another tool: queries would fail later
                raise StoreError(f"{self.path} is a damaged cardaudit audit store (no table "
                                 f"{table})", hint=DAMAGED_HINT)

    def _migrate(self) -> None:
        """Apply the migrations this file lacks, each atomically; concurrent openers wait."""
        db = self._db
        for version, statements in MIGRATIONS:
            db.execute("BEGIN IMMEDIATE")
            try:
                if version <= self.schema_version():
                    db.execute("COMMIT")
                    continue
                for statement in statements:
                    db.execute(statement)
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('app', ?)",
                           (APP_ID,))
                db.execute("INSERT OR REPLACE INTO meta (key, value) "
                           "VALUES ('schema_version', ?)", (str(version),))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def schema_version(self) -> int:
        try:
            row = self._db.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError:  # no meta table yet
            return 0
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    def begin_run(self, info: RunInfo) -> int:
        cursor = self._db.execute(
            "INSERT INTO runs (started_at, status, tool_version, rules_digest, source, "
            "arguments, host, pid, heartbeat) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?)",
            (info.started_at, info.tool_version, info.rules_digest, info.source,
             json.dumps(info.arguments, sort_keys=True), socket.gethostname(), os.getpid(),
             time.time()))
        return int(cursor.lastrowid or 0)

    def add(self, run_id: int, models: Iterable[StoredModel]) -> int:
        """Write a batch of models (and their findings) in one transaction; returns how many
        were new (a model id already in the run is kept once)."""
        model_rows: list[tuple[Any, ...]] = []
        finding_rows: list[tuple[Any, ...]] = []
        for m in models:
            model_rows.append(_model_row(run_id, m))
            finding_rows.extend((run_id, m.model_id, f.rule, f.outcome, f.severity, f.message,
                                 f.line) for f in m.findings)
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            before = db.total_changes
            db.executemany(_INSERT_MODEL, model_rows)
            added = db.total_changes - before
            ids = self._message_ids({row[5] for row in finding_rows})
            db.executemany(_INSERT_FINDING, [(*row[:5], ids[row[5]], *row[6:])
                                             for row in finding_rows])
            db.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", (time.time(), run_id))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return added

    def finish_run(self, run_id: int, finished_at: str, *, complete: bool,
                   not_done: int = 0) -> None:
        db = self._db
        models, errors = db.execute(
            "SELECT count(*), count(*) FILTER (WHERE status != 'ok') FROM models "
            "WHERE run_id = ?", (run_id,)).fetchone()
        db.execute("UPDATE runs SET status = ?, finished_at = ?, models = ?, errors = ?, "
                   "not_done = ?, heartbeat = ? WHERE id = ?",
                   ("complete" if complete else "incomplete", finished_at, models, errors,
                    not_done, time.time(), run_id))

    def copy_run(self, shard: Path, shard_run: int, run_id: int) -> tuple[int, int]:
        """Copy one run of another store file (a shard) into run `run_id`, in one transaction.
        Returns (models copied, model ids skipped because the run already has them); a
        skipped model keeps the findings of its first copy only."""
        db = self._db
        db.execute("ATTACH DATABASE ? AS shard", (str(shard),))
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("CREATE TEMP TABLE IF NOT EXISTS merge_skip "
                           "(model_id TEXT PRIMARY KEY)")
                db.execute("DELETE FROM merge_skip")
                db.execute("INSERT INTO merge_skip SELECT model_id FROM shard.models "
                           "WHERE run_id = ? AND model_id IN "
                           "(SELECT model_id FROM main.models WHERE run_id = ?)",
                           (shard_run, run_id))
                skipped = db.execute("SELECT count(*) FROM merge_skip").fetchone()[0]
                db.execute("INSERT OR IGNORE INTO main.messages (text) "
                           "SELECT text FROM shard.messages")
                columns = ", ".join(_MODEL_COLUMNS[1:])
                before = db.total_changes
                db.execute(f"INSERT INTO main.models (run_id, {columns}) "
                           f"SELECT ?, {columns} FROM shard.models WHERE run_id = ? "
                           "AND model_id NOT IN (SELECT model_id FROM merge_skip)",
                           (run_id, shard_run))
                copied = db.total_changes - before
                db.execute("INSERT INTO main.findings (run_id, model_id, rule, outcome, severity, "
                           "message_id, line) "
                           "SELECT ?, f.model_id, f.rule, f.outcome, f.severity, mine.id, f.line "
                           "FROM shard.findings f "
                           "JOIN shard.messages theirs ON theirs.id = f.message_id "
                           "JOIN main.messages mine ON mine.text = theirs.text "
                           "WHERE f.run_id = ? "
                           "AND f.model_id NOT IN (SELECT model_id FROM merge_skip)",
                           (run_id, shard_run))
                db.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", (time.time(), run_id))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        finally:
            db.execute("DETACH DATABASE shard")
        return copied, skipped

    # ------------------------------------------------------------------ reading
    def runs(self, limit: int | None = None) -> list[StoredRun]:
        query = "SELECT * FROM runs ORDER BY id DESC"
        rows = self._db.execute(query + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        return [self._run(row) for row in rows]

    def run(self, run_id: int) -> StoredRun:
        row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise StoreError(f"no run {run_id} in {self.path}",
                             hint="`cardaudit runs` lists the stored runs")
        return self._run(row)

    def latest(self, *, complete: bool = True) -> StoredRun | None:
        for run in self.runs():
            if run.complete or not complete:
                return run
        return None

    def _run(self, row: tuple[Any, ...]) -> StoredRun:
        names = [d[0] for d in self._db.execute("SELECT * FROM runs LIMIT 0").description]
        data = dict(zip(names, row, strict=True))
        status = data["status"]
        if status == "running" and self._stale(data):
            status = "incomplete"
        models = data["models"]
        errors = data["errors"]
        if data["status"] == "running":  # counts are only final at the end of a run
            models, errors = self._db.execute(
                "SELECT count(*), count(*) FILTER (WHERE status != 'ok') FROM models "
                "WHERE run_id = ?", (data["id"],)).fetchone()
        return StoredRun(data["id"], data["started_at"], data["finished_at"], status,
                         data["tool_version"], data["rules_digest"], data["source"],
                         stored_json(data["arguments"], "run arguments"), models, errors,
                         data["not_done"])

    @staticmethod
    def _stale(data: dict[str, Any]) -> bool:
        if data["host"] == socket.gethostname():
            return not _pid_alive(int(data["pid"]))
        return time.time() - float(data["heartbeat"]) > STALE_AFTER_SECONDS

    def _message_ids(self, texts: set[str]) -> dict[str, int]:
        """Ids of finding messages, adding new texts; called inside the write transaction so
        two runs at once agree on ids."""
        ids: dict[str, int] = {}
        for text in texts:
            self._db.execute("INSERT OR IGNORE INTO messages (text) VALUES (?)", (text,))
            row = self._db.execute("SELECT id FROM messages WHERE text = ?", (text,)).fetchone()
            ids[text] = int(row[0])
        return ids

    def models(self, run_id: int, *, with_findings: bool = False,
               with_hub: bool = True) -> Iterator[StoredModel]:
        """The run's models in id order, streamed: models and findings are read side by side
        in the same order, so memory does not grow with the run. `with_hub=False` leaves out
        the raw Hub record (trends need only the columns; it is most of a model's size)."""
        columns = [c if with_hub or c != "hub" else "NULL" for c in _MODEL_COLUMNS[1:]]
        cursor = self._db.execute(
            f"SELECT {', '.join(columns)} FROM models WHERE run_id = ? "
            "ORDER BY model_id", (run_id,))
        reader = _ModelReader()
        if not with_findings:
            for row in cursor:
                yield reader.model(row, ())
            return
        findings = self._db.execute(
            "SELECT f.model_id, f.rule, f.outcome, f.severity, m.text, f.line "
            "FROM findings f JOIN messages m ON m.id = f.message_id "
            "WHERE f.run_id = ? ORDER BY f.model_id, f.rule", (run_id,))
        pending = findings.fetchone()
        for row in cursor:
            model_id = row[0]
            while pending is not None and pending[0] < model_id:
                pending = findings.fetchone()  # a finding without its model: not ours to show
            own: list[StoredFinding] = []
            while pending is not None and pending[0] == model_id:
                own.append(StoredFinding(*pending[1:]))
                pending = findings.fetchone()
            yield reader.model(row, tuple(own))

    def model_ids(self, run_id: int) -> frozenset[str]:
        return frozenset(r[0] for r in self._db.execute(
            "SELECT model_id FROM models WHERE run_id = ?", (run_id,)))


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch the file to WAL once. SQLite answers the switch with 'database is locked' at once,
    without its busy timeout, while another run opens the same new store (seen 9 times in 160
    concurrent opens), so the switch is retried until the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            mode = db.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def _is_busy(exc: sqlite3.DatabaseError) -> bool:
    """SQLite's 'database is locked' / 'busy': another run holds the file."""
    return "locked" in str(exc) or "busy" in str(exc)


def _reason(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    return "not a SQLite database" if "not a database" in text else text


def _bool_or_none(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _model_row(run_id: int, m: StoredModel) -> tuple[Any, ...]:
    scores = m.scores
    return (
        run_id, m.model_id, m.source, m.location, m.revision, m.status, m.error_code,
        m.error_message, m.license, m.category,
        None if m.commercial_use is None else int(m.commercial_use), m.disclosure,
        m.disclosure_source, m.gate, scores.get("license"), scores.get("data"),
        scores.get("access"), scores.get("documentation"), scores.get("overall"), m.grade,
        to_json(m.sections) if m.sections else None, m.author, m.created_at, m.last_modified,
        m.downloads, m.downloads_all_time, m.likes, m.parameters, m.pipeline_tag,
        m.library_name, to_json(m.hub), to_json(list(m.base_models)) if m.base_models else None,
        m.relation, m.root, m.root_family, m.root_disclosure,
    )


def stored_json(text: str, what: str) -> Any:
    """A JSON value the store holds; one damaged by another tool is a one-line StoreError."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise StoreError(f"the audit store holds damaged {what} ({exc})",
                         hint=DAMAGED_HINT) from None


def _numbers(values: tuple[Any, ...], what: str) -> tuple[Any, ...]:
    """Stored numbers as they must be: a column another tool filled with text is a StoreError,
    not a ValueError deep inside `trends`."""
    for value in values:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise StoreError(f"the audit store holds damaged {what} ({value!r:.40})",
                             hint=DAMAGED_HINT)
    return values


class _ModelReader:
    """Turns stored rows into StoredModels that share what repeats: a run of two million
    models holds them all for `trends`, and most of a model's size was its own copies of the
    same few strings ('apache-2.0', 'disclosed_available'), section maps and score maps
    (2.2 KB per model; 0.65 KB shared). The shared maps are never changed by readers.

    Streaming readers (`diff`, `merge`) hold one model at a time: what is kept for sharing is
    bounded (SHARED_VALUES), so their memory still does not grow with the run."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}
        self._sections: dict[str, dict[str, bool]] = {}

    def share(self, value: Any) -> Any:
        return None if value is None else self._kept(self._values, value, lambda: value)

    def sections(self, text: str | None) -> dict[str, bool]:
        if not text:
            return {}
        sections: dict[str, bool] = self._kept(self._sections, text,
                                               lambda: stored_json(text, "sections"))
        return sections

    @staticmethod
    def _kept(cache: dict[Any, Any], key: Any, make: Callable[[], Any]) -> Any:
        """The value kept for `key`, else a new one, kept while the cache has room."""
        found = cache.get(key)
        if found is None:
            found = make()
            if len(cache) < SHARED_VALUES:
                cache[key] = found
        return found

    def model(self, row: tuple[Any, ...], findings: tuple[StoredFinding, ...]) -> StoredModel:
        (model_id, source, location, revision, status, error_code, error_message, license_,
         category, commercial, disclosure, disclosure_source, gate, s_lic, s_data, s_access,
         s_doc, s_overall, grade, sections, author, created_at, last_modified, downloads,
         downloads_all_time, likes, parameters, pipeline_tag, library_name, hub, base_models,
         relation, root, root_family, root_disclosure) = row
        share = self.share
        scores = (s_lic, s_data, s_access, s_doc, s_overall)
        score_map = self._kept(self._values, scores,
                               lambda: dict(zip(SCORE_KEYS, _numbers(scores, "scores"),
                                                strict=True)))
        _numbers((downloads, downloads_all_time, likes, parameters), "download counts")
        if not (created_at is None or isinstance(created_at, str)) \
                or not (last_modified is None or isinstance(last_modified, str)):
            raise StoreError("the audit store holds damaged dates (not text)", hint=DAMAGED_HINT)
        return StoredModel(
            model_id=model_id, source=share(source), location=location, status=share(status),
            revision=revision, error_code=share(error_code),
            error_message=error_message, license=share(license_),
            category=share(category), commercial_use=_bool_or_none(commercial),
            disclosure=share(disclosure), disclosure_source=share(disclosure_source),
            gate=share(gate), scores=score_map, grade=share(grade),
            sections=self.sections(sections), author=share(author),
            created_at=created_at, last_modified=last_modified,
            downloads=downloads, downloads_all_time=downloads_all_time, likes=likes,
            parameters=parameters, pipeline_tag=share(pipeline_tag),
            library_name=share(library_name), hub=stored_json(hub, "Hub facts") if hub else None,
            base_models=tuple(stored_json(base_models, "base models")) if base_models else (),
            relation=share(relation), root=share(root), root_family=share(root_family),
            root_disclosure=share(root_disclosure), findings=findings)
