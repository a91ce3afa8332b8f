"""The audit store: runs recorded by `audit`, safe with concurrent runs and crashes, migrated
from older schemas, and refusing files that are not ours — always with a one-line error."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cardaudit.errors import StoreError
from cardaudit.store.db import RunInfo, Store
from cardaudit.store.records import StoredFinding, StoredModel
from cardaudit.store.schema import MIGRATIONS, SCHEMA_VERSION
from tests.cli.scenario import ROOT, run_cli

SMALL_DUMP = ROOT / "examples/dumps/sample.jsonl"


def runs_json(db: Path) -> list[dict]:  # type: ignore[type-arg]
    run = run_cli("runs", "--db", str(db), "-f", "json")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)["runs"]  # type: ignore[no-any-return]


def test_audit_records_a_complete_run_with_models_and_findings(tmp_path: Path) -> None:
    db = tmp_path / "audits.sqlite"
    run = run_cli("audit", "examples/models", "--db", str(db), "--token", "hf_SECRETSECRET")
    assert run.code == 0, run.stderr
    [stored] = runs_json(db)
    assert stored["status"] == "complete" and stored["models"] == 6
    assert stored["source"] == "local" and "token" not in stored["arguments"]
    with Store.open(db, create=False) as store:
        models = {m.model_id: m for m in store.models(stored["id"], with_findings=True)}
    llama = models["acme/llama-chat-ft"]
    assert (llama.license, llama.category, llama.gate) == ("llama3.1", "community",
                                                           "click_through")
    assert llama.base_models == ("meta-llama/Llama-3.1-8B-Instruct",)
    assert any(f.rule == "CA-LIN-001" and f.outcome == "unknown" for f in llama.findings)
    assert b"hf_SECRETSECRET" not in db.read_bytes()


def test_default_store_is_in_the_user_data_folder_and_no_store_skips_it(
        tmp_path: Path) -> None:
    default = tmp_path / "xdg-data" / "cardaudit" / "audits.sqlite"
    assert run_cli("audit", "examples/models", "--no-store").code == 0
    assert not default.exists()
    assert run_cli("audit", "examples/models").code == 0
    assert default.exists()
    assert len(runs_json(default)) == 1


def _write_run(path: str, worker: int, rows: int) -> int:
    store = Store.open(Path(path))
    run_id = store.begin_run(RunInfo("2026-01-01T00:00:00Z", "test", "sha256:x", "test", {}))
    for start in range(0, rows, 50):
        store.add(run_id, [StoredModel(f"w{worker}/m{i}", "test", "here", "ok",
                                       disclosure="not_disclosed")
                           for i in range(start, start + 50)])
    store.finish_run(run_id, "2026-01-01T00:00:01Z", complete=True)
    store.close()
    return run_id


def test_two_runs_at_once_both_complete(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite"
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        ids = pool.starmap(_write_run, [(str(db), 1, 1000), (str(db), 2, 1000)])
    assert len(set(ids)) == 2
    with Store.open(db, create=False) as store:
        runs = {r.id: r for r in store.runs()}
        for run_id in ids:
            assert runs[run_id].status == "complete" and runs[run_id].models == 1000


def _open_and_close(path: str) -> str:
    try:
        Store.open(Path(path)).close()
    except StoreError as exc:
        return str(exc)
    return "ok"


def test_runs_starting_together_on_a_new_store_all_open_it(tmp_path: Path) -> None:
    # SQLite refused the switch to WAL ('database is locked', no busy wait) to one of several
    # processes creating the same store at once: about one round in three failed before
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        for round_ in range(60):
            path = str(tmp_path / f"store-{round_}.sqlite")
            assert pool.map(_open_and_close, [path] * 4) == ["ok"] * 4


def _big_dump(path: Path, rows: int) -> None:
    lines = SMALL_DUMP.read_text().splitlines()[:15]
    with path.open("w") as out:
        for i in range(rows):
            data = json.loads(lines[i % len(lines)])
            data["modelId"] = f"bulk/model-{i:06d}"
            data["card"] += f"\nRow {i}.\n"  # distinct cards: no cache shortcuts
            out.write(json.dumps(data) + "\n")


def test_a_killed_audit_leaves_a_readable_store_with_the_run_incomplete(tmp_path: Path) -> None:
    dump, db = tmp_path / "big.jsonl", tmp_path / "audits.sqlite"
    _big_dump(dump, 60_000)
    env = {**os.environ, "NO_COLOR": "1"}
    process = subprocess.Popen([sys.executable, "-m", "cardaudit", "audit", "--dump", str(dump),
                                "--db", str(db), "--jobs", "1", "--quiet"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    written = 0
    while time.monotonic() < deadline and written < 500:  # at least one batch committed
        time.sleep(0.2)
        if db.exists():
            try:
                with sqlite3.connect(db) as raw:
                    written = raw.execute("SELECT count(*) FROM models").fetchone()[0]
            except sqlite3.Error:
                written = 0
    assert written >= 500, "the audit never committed a batch"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    [stored] = runs_json(db)
    assert stored["status"] == "incomplete"
    assert 500 <= stored["models"] < 60_000
    trend = run_cli("trends", "--db", str(db), "--run", str(stored["id"]), "-f", "json")
    assert trend.code == 0, trend.stderr
    assert "incomplete" in trend.stderr
    assert json.loads(trend.stdout)["total"]["models"] == stored["models"]
    latest = run_cli("trends", "--db", str(db))
    assert latest.code == 2 and "no complete run" in latest.stderr


def test_sigterm_marks_the_run_incomplete_itself(tmp_path: Path) -> None:
    dump, db = tmp_path / "big.jsonl", tmp_path / "audits.sqlite"
    _big_dump(dump, 60_000)
    process = subprocess.Popen([sys.executable, "-m", "cardaudit", "audit", "--dump", str(dump),
                                "--db", str(db), "--jobs", "2", "--quiet"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if db.exists() and runs_json(db) and runs_json(db)[0]["models"] > 0:
            break
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert b"incomplete" in stderr
    with sqlite3.connect(db) as raw:  # written by the run itself, not inferred from a dead pid
        assert raw.execute("SELECT status FROM runs").fetchone()[0] == "incomplete"


def test_an_old_store_is_migrated_and_keeps_its_runs(tmp_path: Path) -> None:
    db = tmp_path / "v1.sqlite"
    raw = sqlite3.connect(db)
    for statement in MIGRATIONS[0][1]:
        raw.execute(statement)
    raw.executemany("INSERT INTO meta VALUES (?, ?)", [("app", "cardaudit"),
                                                      ("schema_version", "1")])
    raw.execute("INSERT INTO runs (started_at, status, tool_version, rules_digest, source, "
                "arguments, host, pid, heartbeat) VALUES ('2025-01-01T00:00:00Z', 'complete', "
                "'0.0.9', 'sha256:old', 'local', '{}', 'h', 1, 0)")
    raw.execute("INSERT INTO models (run_id, model_id, source, location, status, license) "
                "VALUES (1, 'old/model', 'local', 'x', 'ok', 'mit')")
    raw.execute("INSERT INTO findings VALUES (1, 'old/model', 'CA-DATA-001', 'fail', 'high', "
                "'The card does not say what the model was trained on.', 12)")
    raw.commit()
    raw.close()
    with Store.open(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        [model] = list(store.models(1, with_findings=True))
        assert model.model_id == "old/model" and model.license == "mit"
        assert model.base_models == () and model.relation is None
        assert model.root_disclosure is None
        assert model.findings == (StoredFinding(
            "CA-DATA-001", "fail", "high",
            "The card does not say what the model was trained on.", 12),)


@pytest.mark.parametrize(("content", "message"), [
    (b"this is a text file, not a database\n" * 20, "not a cardaudit audit store"),
    (None, "not a cardaudit audit store (it has tables: customers)"),
    ("UPDATE meta SET value = '99' WHERE key = 'schema_version'", "written by a newer cardaudit"),
    ("UPDATE meta SET value = 'three' WHERE key = 'schema_version'",
     "a damaged cardaudit audit store (schema version 'three')"),
    ("DROP TABLE findings", "a damaged cardaudit audit store (no table findings)"),
])
def test_bad_or_foreign_store_files_are_refused_in_one_line(tmp_path: Path, content: object,
                                                            message: str) -> None:
    db = tmp_path / "other.db"
    if isinstance(content, bytes):
        db.write_bytes(content)
    elif content is None:
        with sqlite3.connect(db) as raw:
            raw.execute("CREATE TABLE customers (id INTEGER)")
    else:
        Store.open(db).close()
        with sqlite3.connect(db) as raw:
            raw.execute(content)  # type: ignore[arg-type]
    before = db.read_bytes()
    for args in (["audit", "examples/models", "--db", str(db)], ["runs", "--db", str(db)],
                 ["trends", "--db", str(db)]):
        run = run_cli(*args)
        assert run.code == 2, (args, run.stdout)
        assert message in run.stderr
        assert len(run.stderr.strip().splitlines()) <= 2  # error + hint, no traceback
    assert db.read_bytes() == before


@pytest.mark.parametrize(("damage", "message", "commands"), [
    ("UPDATE models SET hub = '{not json'", "the audit store holds damaged Hub facts",
     ["diff"]),
    ("UPDATE models SET sections = '[1,'", "the audit store holds damaged sections",
     ["trends", "diff"]),
    ("UPDATE runs SET arguments = 'x'", "the audit store holds damaged run arguments",
     ["trends", "diff", "runs"]),
    ("UPDATE models SET score_overall = 'x'", "the audit store holds damaged scores ('x')",
     ["trends", "diff"]),
    ("UPDATE models SET downloads = 'lots'", "the audit store holds damaged download counts",
     ["trends", "diff"]),
    ("UPDATE models SET created_at = X'FF'", "the audit store holds damaged dates", ["trends"]),
])
def test_rows_damaged_by_another_tool_are_one_line(tmp_path: Path, damage: str, message: str,
                                                   commands: list[str]) -> None:
    db = tmp_path / "audits.sqlite"
    assert run_cli("audit", "examples/models", "--db", str(db)).code == 0
    with sqlite3.connect(db) as raw:
        raw.execute(damage)
    arguments = {"trends": [], "diff": ["1", "1"], "runs": []}
    for command in commands:
        run = run_cli(command, *arguments[command], "--db", str(db))
        assert run.code == 2, (command, run.stdout)
        assert run.stderr.startswith(f"error: {message}"), run.stderr
        assert len(run.stderr.strip().splitlines()) == 2  # error + hint


def test_reading_commands_never_create_a_store(tmp_path: Path) -> None:
    db = tmp_path / "missing.sqlite"
    run = run_cli("trends", "--db", str(db))
    assert run.code == 2 and "no audit store" in run.stderr
    assert not db.exists()


def test_a_model_without_card_keeps_its_failures_not_one_unknown_per_rule(
        tmp_path: Path) -> None:
    db = tmp_path / "audits.sqlite"
    run = run_cli("audit", "--dump", str(ROOT / "examples/dumps/sample.jsonl"), "--db", str(db),
                  "--quiet")
    assert run.code == 0, run.stderr
    with Store.open(db, create=False) as store:
        models = {m.model_id: m for m in store.models(1, with_findings=True)}
    nocard = models["nocard/model"]
    assert nocard.error_code == "missing-card"
    assert nocard.findings and {f.outcome for f in nocard.findings} == {"fail"}
    assert any(f.outcome == "unknown" for m in models.values() if m.status == "ok"
               for f in m.findings)


def test_a_runs_models_read_for_trends_share_their_repeated_values(tmp_path: Path) -> None:
    # `trends` holds every model of a run: a run of the whole Hub (two million models) held
    # 2.2 KB per model (4.5 GB), most of it copies of the same licenses, levels, section and
    # score maps
    import tracemalloc
    dump, db = tmp_path / "big.jsonl", tmp_path / "audits.sqlite"
    _big_dump(dump, 3_000)
    run = run_cli("audit", "--dump", str(dump), "--db", str(db), "--jobs", "1", "--quiet")
    assert run.code == 0, run.stderr
    with Store.open(db, create=False) as store:
        tracemalloc.start()
        try:
            models = list(store.models(1, with_hub=False))
            held, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert len(models) == 3_000
    assert held / len(models) < 1_000, f"{held / len(models):.0f} bytes per model"
    first, second = models[0], models[len(models) // 2]
    assert first.license == second.license and first.license is second.license
    assert first.sections == second.sections and first.sections is second.sections


def test_what_a_streamed_read_keeps_for_sharing_is_bounded(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # diff and merge stream a run one model at a time: sharing must not make them hold every
    # distinct author, score set or section map of a two-million-model run
    from cardaudit.store import db as store_db
    monkeypatch.setattr(store_db, "SHARED_VALUES", 10)
    dump, path = tmp_path / "big.jsonl", tmp_path / "audits.sqlite"
    _big_dump(dump, 300)
    with dump.open("a") as out:  # distinct authors too
        for i in range(40):
            out.write(json.dumps({"modelId": f"author{i}/m", "author": f"author{i}",
                                  "card": f"---\nlicense: mit\n---\n# M{i}\n"}) + "\n")
    assert run_cli("audit", "--dump", str(dump), "--db", str(path), "--jobs", "1",
                   "--quiet").code == 0
    reader = store_db._ModelReader()
    with Store.open(path, create=False) as store:
        rows = store._db.execute(f"SELECT {', '.join(store_db._MODEL_COLUMNS[1:])} "
                                 "FROM models ORDER BY model_id").fetchall()
        models = [reader.model(row, ()) for row in rows]
        assert models == list(store.models(1))  # the same values, shared or not
    assert len(reader._values) <= 10 and len(reader._sections) <= 10
    assert {m.author for m in models} >= {f"author{i}" for i in range(40)}


def test_a_store_path_that_cannot_be_a_store_is_one_line_before_any_audit(
        tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for db, message in ((str(tmp_path), "is a folder, not an audit store file"),
                        (str(blocker / "audits.sqlite"), "cannot create the audit store folder")):
        run = run_cli("audit", "examples/models", env={"CARDAUDIT_DB": db})
        assert run.code == 2 and run.stdout == "", run.stderr
        assert run.stderr.startswith("error: ") and message in run.stderr
        assert len(run.stderr.splitlines()) == 1
