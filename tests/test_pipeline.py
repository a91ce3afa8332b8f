"""The run loop: one result per target, and Ctrl-C keeps what was finished."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cardaudit.cards.document import CardDocument
from cardaudit.cards.record import ModelRecord
from cardaudit.errors import SourceError
from cardaudit.pipeline import audit_records
from cardaudit.runner import Auditor
from cardaudit.sources.base import Target


def test_interrupt_keeps_finished_rows_and_counts_the_rest(
        auditor: Auditor, card: Callable[[str], CardDocument]) -> None:
    targets = [Target(f"acme/m{i}", "local", f"m{i}") for i in range(5)]

    def pairs() -> Iterator[tuple[Target, ModelRecord | SourceError]]:
        for index, target in enumerate(targets):
            if index == 3:
                raise KeyboardInterrupt
            yield target, ModelRecord(target.id, "local", target.location, card("# M\n"))

    state = audit_records(auditor, pairs(), len(targets))
    assert [r.id for r in state.results] == ["acme/m0", "acme/m1", "acme/m2"]
    assert state.interrupted == 2


def test_interrupt_after_the_last_model_leaves_a_complete_run(
        auditor: Auditor, card: Callable[[str], CardDocument]) -> None:
    targets = [Target(f"acme/m{i}", "local", f"m{i}") for i in range(2)]

    def pairs() -> Iterator[tuple[Target, ModelRecord | SourceError]]:
        for target in targets:
            yield target, ModelRecord(target.id, "local", target.location, card("# M\n"))
        raise KeyboardInterrupt  # as a pool's last check() does when Ctrl-C comes late

    state = audit_records(auditor, pairs(), len(targets))
    assert len(state.results) == 2 and state.interrupted == 0


def test_source_errors_become_error_rows(auditor: Auditor) -> None:
    target = Target("acme/x", "hub", "x")
    state = audit_records(auditor, iter([(target, SourceError("x: not found",
                                                              code="not-found"))]), 1)
    (row,) = state.results
    assert row.status.value == "error" and row.error is not None
    assert (row.error.code, row.error.message) == ("not-found", "x: not found")


def test_a_bug_on_one_card_is_that_models_error_row_and_the_others_are_audited(
        monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the last safety net: an unforeseen exception while judging one card (here forced, on
    # one model) must cost that row only, with a one-line message, and no traceback unless
    # --debug asks for it
    import json

    from cardaudit import runner
    from tests.cli.scenario import ROOT, run_cli

    real = runner.analyse

    def analyse(record, *args):  # type: ignore[no-untyped-def]
        if record.id == "acme/broken-card":
            raise RuntimeError("boom\nsecond line")
        return real(record, *args)

    monkeypatch.setattr(runner, "analyse", analyse)
    run = run_cli("audit", str(ROOT / "examples/models"), "-f", "json", "--no-store")
    assert run.code == 0 and "Traceback" not in run.stderr
    rows = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    assert len(rows) == 6
    broken = rows["acme/broken-card"]
    assert broken["status"] == "error" and broken["error"]["code"] == "internal"
    assert broken["error"]["message"] == ("internal error: RuntimeError: boom second line; "
                                          "rerun with --debug")
    assert all(r["status"] == "ok" for i, r in rows.items() if i != "acme/broken-card")
