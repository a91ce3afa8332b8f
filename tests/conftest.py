"""Shared fixtures: the shipped rule pack, card helpers, golden-file comparison."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cardaudit.cards.document import CardDocument, parse_card
from cardaudit.cards.record import ModelRecord
from cardaudit.pack import RulePack, load_pack
from cardaudit.results import ModelResult
from cardaudit.runner import Auditor

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite golden files from the current output (review the diff).")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A developer's token, proxy, colour settings or audit store must not leak into tests
    (and tests never write into the developer's data or cache folders)."""
    for name in ("HF_TOKEN", "HF_ENDPOINT", "HF_HUB_OFFLINE", "HTTP_PROXY", "HTTPS_PROXY",
                 "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy", "COLUMNS",
                 "FORCE_COLOR", "CARDAUDIT_DB", "CARDAUDIT_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_pack()


@pytest.fixture(scope="session")
def auditor(pack: RulePack) -> Auditor:
    return Auditor(pack)


@pytest.fixture(scope="session")
def card(pack: RulePack) -> Callable[[str | bytes], CardDocument]:
    """Parse a card text with the shipped vocabulary."""
    return lambda text: parse_card(text, pack.knowledge.sections)


@pytest.fixture(scope="session")
def audit_card(auditor: Auditor, card: Callable[[str | bytes], CardDocument]
               ) -> Callable[..., ModelResult]:
    """Audit one card text as a local model (keyword arguments go to ModelRecord)."""
    def run(text: str | bytes, model_id: str = "acme/model", **kwargs: object) -> ModelResult:
        record = ModelRecord(model_id, "local", "README.md", card(text), **kwargs)  # type: ignore[arg-type]
        return auditor.audit(record)
    return run


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/golden/NAME; --update-golden rewrites it."""
    update = request.config.getoption("--update-golden") or os.environ.get("UPDATE_GOLDEN")

    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"missing golden {path}; run pytest --update-golden"
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"output differs from {path} (pytest --update-golden)"
    return check


class _NoSleepTime:
    """Stands in for the `time` module inside huggingface_hub.utils._http only: the library's
    own backoff (1–8 s per retry) would otherwise make fault tests slow."""

    def __getattr__(self, name: str) -> object:
        import time

        return getattr(time, name)

    @staticmethod
    def sleep(_: float) -> None:
        return None


@pytest.fixture
def fakehub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A loopback fake Hub driven by the real huggingface_hub client."""
    from huggingface_hub import constants
    from huggingface_hub.utils import _http, close_session

    from tests.fakehub.server import FakeHub

    monkeypatch.setattr(_http, "time", _NoSleepTime())
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-saved-token"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    close_session()
    hub = FakeHub().start()
    yield hub
    hub.stop()
    close_session()


@pytest.fixture
def registry_hub(fakehub):  # type: ignore[no-untyped-def]
    """A second fake Hub — a private registry — beside `fakehub`, which then plays the public
    Hub (requested after it, so the client is already set up for loopback Hubs)."""
    from tests.fakehub.server import FakeHub

    hub = FakeHub().start()
    yield hub
    hub.stop()
