"""Ctrl-C and SIGTERM while pools run: raised where no lock of concurrent.futures is held, so a
cancelled run ends (an interrupt raised inside `wait` once left a SIGTERMed dump audit hanging
at exit), keeps what was finished, and leaves the signal handlers as they were."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from cardaudit.bulk import BatchResult, audit_dump
from cardaudit.interrupts import deferred_interrupts, map_threads
from tests.cli.scenario import ROOT
from tests.fakehub.server import FakeHub
from tests.sources.hubrun import card

SAMPLE_DUMP = ROOT / "examples" / "dumps" / "sample.jsonl"


def test_a_signal_in_the_block_is_noted_then_raised_at_the_check() -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    reached = []
    with pytest.raises(KeyboardInterrupt), deferred_interrupts() as check:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.01)  # the handler has run by now: it must not have raised
        reached.append("after the signal")
        check()
        reached.append("after the check")
    assert reached == ["after the signal"]
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_a_request_still_pending_at_the_end_of_the_block_is_raised() -> None:
    with pytest.raises(KeyboardInterrupt), deferred_interrupts():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)


def test_without_a_signal_nothing_is_raised_and_threads_keep_their_handlers() -> None:
    with deferred_interrupts() as check:
        check()
    main_handler = signal.getsignal(signal.SIGINT)
    seen: list[Any] = []

    def in_thread() -> None:
        with deferred_interrupts() as thread_check:
            seen.append(signal.getsignal(signal.SIGINT))
            thread_check()

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert seen == [main_handler] and signal.getsignal(signal.SIGINT) == main_handler


def test_map_threads_keeps_order_and_an_interrupt_cancels_the_rest() -> None:
    assert map_threads(lambda n: n * n, list(range(20)), 4) == [n * n for n in range(20)]
    started: list[int] = []

    def slow(n: int) -> int:
        started.append(n)
        if n == 0:
            os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        return n

    threads_before = set(threading.enumerate())
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        map_threads(slow, list(range(200)), 2)
    assert time.monotonic() - began < 5
    assert len(started) < 200  # what had not started was cancelled
    for thread in set(threading.enumerate()) - threads_before:
        thread.join(timeout=5)  # the pool's threads end: nothing is left blocked on a lock
        assert not thread.is_alive(), thread.name


def test_a_signal_during_a_parallel_dump_audit_stops_it_after_the_batch_it_delivered() -> None:
    delivered: list[int] = []

    def on_batch(result: BatchResult, position: int) -> None:
        delivered.append(len(result.models))
        os.kill(os.getpid(), signal.SIGTERM)  # as a CI runner cancelling the job
        time.sleep(0.01)
        delivered.append(-1)  # reached: the handler noted the signal instead of raising here

    with pytest.raises(KeyboardInterrupt):
        audit_dump(SAMPLE_DUMP, jobs=2, rule_dirs=[], fmt=None, on_batch=on_batch)
    assert delivered == [17, -1]


def test_sigterm_ends_a_hub_audit_promptly_with_the_finished_rows(fakehub: FakeHub,
                                                                  tmp_path: Path) -> None:
    for index in range(40):
        fakehub.add_model(f"acme/m{index:02d}", card())
    fakehub.latency = 0.5  # 40 downloads, 4 at a time: about 5 s in all
    report = tmp_path / "report.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "cardaudit", "audit", "--org", "acme", "--endpoint", fakehub.url,
         "--cache-dir", str(tmp_path / "cache"), "--jobs", "4", "--no-store", "-f", "json",
         "-o", str(report), "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "CARDAUDIT_BACKOFF": "0"})
    deadline = time.monotonic() + 20
    while fakehub.count("GET", "/resolve/") < 4 and time.monotonic() < deadline:
        time.sleep(0.05)  # downloads under way (whatever the machine's speed), most not done
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 2, stderr
    assert b"interrupted" in stderr and b"Traceback" not in stderr
    data = json.loads(report.read_text())
    assert data["summary"]["not_done"] > 0
    assert data["summary"]["models"] + data["summary"]["not_done"] == 40
