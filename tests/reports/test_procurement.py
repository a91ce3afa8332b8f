"""The procurement report: self-contained, escaped, and rendered by a real browser."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.scenario import ROOT, run_cli
from tests.fakehub.server import FakeHub
from tests.sources.hubrun import card

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE = """---
license: other
license_name: "<script>document.title='pwned'</script>"
extra_gated_prompt: "<img src=x onerror=\\"document.title='pwned2'\\">"
---
# <script>document.title='pwned3'</script>

## Training data

Trained on <b onmouseover=alert(1)>BookCorpus</b> and [a link](javascript:alert(1)).
"""


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "tests/fixtures/registry", tmp_path / "models")
    evil = tmp_path / "models" / "evil__model"
    evil.mkdir()
    (evil / "README.md").write_text(HOSTILE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_html_report_is_self_contained_and_escaped(registry: Path) -> None:
    run = run_cli("report", "models", "-o", "report.html", "-p", "permissive-only")
    assert run.code == 0, run.stderr
    html = (registry / "report.html").read_text()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    for needle in ("<link", "<img", "<b onmouseover", "href=", "@import", "url("):
        assert needle not in html
    assert "Content-Security-Policy" in html and "script-src 'none'" in html
    assert "Obligations checklist" in html and "Built with Llama" in html
    assert html.count('<section class="model">') == 4


def test_markdown_report_has_checklists_and_escapes(registry: Path) -> None:
    run = run_cli("report", "models", "-o", "report.md")
    assert run.code == 0
    text = (registry / "report.md").read_text()
    assert "- [ ] **Attribution to display**: Display \"Built with Llama\"" in text
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_the_report_names_the_training_data_and_what_cannot_be_obtained(
        registry: Path, fakehub: FakeHub) -> None:
    # a reader deciding on adoption needs which data, not only a level; one blank line
    # between blocks however many of them a model has
    text = _markdown_report("models")
    assert "**Training data** disclosed_available — datasets: imdb — evidence" in text
    assert "named in the card: BookCorpus" in text and "\n\n\n" not in text
    fakehub.add_dataset("org/open-set")
    fakehub.add_dataset("org/closed-set", private=True)
    fakehub.add_model("acme/hub-model", card(extra="datasets:\n- org/open-set\n"
                                                   "- org/closed-set\n"))
    run = run_cli("report", "acme/hub-model", "--endpoint", fakehub.url, "--cache-dir",
                  str(registry / "cache"), "-o", "hub.html", env={"CARDAUDIT_BACKOFF": "0"})
    assert run.code == 0, run.stderr
    html = (registry / "hub.html").read_text()
    assert "datasets: org/open-set, org/closed-set; not obtainable: org/closed-set" in html


def _markdown_report(*args: str) -> str:
    run = run_cli("report", *args, "-o", "report.md")
    assert run.code == 0, run.stderr
    return Path("report.md").read_text()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                             "(.ci/run installs it)")
def test_chromium_renders_the_report_without_running_card_script(registry: Path) -> None:
    assert run_cli("report", "models", "-o", "report.html").code == 0
    url = (registry / "report.html").resolve().as_uri()
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={registry / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert "<title>cardaudit procurement report — commercial-use</title>" in dom
    assert "pwned" not in dom.split("</title>")[0]
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
    shot = registry / "report.png"
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1200,1600", url],
                   capture_output=True, timeout=120, check=True)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
