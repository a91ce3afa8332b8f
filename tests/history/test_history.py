"""`cardaudit history` over the fake Hub: the card at each commit, what each commit changed,
and a bounded number of requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakehub.server import FakeHub
from tests.reports.test_json_schemas import validate
from tests.sources.hubrun import hub_cli

V1 = ("---\nlicense: apache-2.0\ndatasets:\n- squad\n---\n# Model\n\n## Training data\n\n"
      "Fine-tuned on SQuAD.\n")
V2 = "---\nlicense: apache-2.0\n---\n# Model\n\nA question answering model.\n"
V3 = ("---\nlicense: llama3.1\nextra_gated_prompt: Accept the Llama license.\n---\n# Model\n\n"
      "A question answering model.\n")


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def test_history_shows_what_each_commit_changed(fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/qa", V1)
    fakehub.repos["acme/qa"].date = "2024-01-01T00:00:00.000Z"
    fakehub.add_commit("acme/qa", V2, date="2024-03-01T00:00:00.000Z", title="Trim card")
    head = fakehub.add_commit("acme/qa", V3, date="2024-06-01T00:00:00.000Z",
                              title="Relicense")
    run = hub_cli(fakehub, cache, "history", "acme/qa", "-f", "json")
    assert run.code == 0, run.stderr
    data = json.loads(run.stdout)
    validate("history", data)
    assert data["commits"] == 3
    newest, middle, oldest = data["timeline"]
    assert newest["commit"] == head and newest["title"] == "Relicense"
    assert (newest["license"], newest["gate"]) == ("llama3.1", "click_through")
    fields = {c["field"]: c for c in newest["changes"]}
    assert fields["license"]["direction"] == "worse"
    assert fields["gate"]["note"] == "gate added"
    disclosure = {c["field"]: c for c in middle["changes"]}["disclosure"]
    assert (disclosure["before"], disclosure["after"]) == ("disclosed_available",
                                                           "not_disclosed")
    assert oldest["changes"] == [] and oldest["disclosure"] == "disclosed_available"
    # one commit listing + one README per commit, no per-commit metadata calls
    assert fakehub.count("GET", r"/commits/") == 1
    assert fakehub.count("GET", r"^/acme/qa/resolve/") == 3
    fakehub.reset_log()
    again = hub_cli(fakehub, cache, "history", "acme/qa", "-f", "json")
    assert json.loads(again.stdout)["timeline"] == data["timeline"]
    assert fakehub.count("GET", r"^/acme/qa/resolve/") == 0  # cached by commit sha


def test_history_table_and_limit(fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/qa", V1)
    for n in range(4):
        fakehub.add_commit("acme/qa", V1 + f"\nRevision {n}.\n", date=f"2024-0{n + 2}-01T00:00:00Z")
    run = hub_cli(fakehub, cache, "history", "acme/qa", "--limit", "2", "--width", "160")
    assert run.code == 0, run.stderr
    assert "history of acme/qa (newest first)" in run.stdout
    assert "3 older commit(s) not shown (--limit)" in run.stdout
    assert fakehub.count("GET", r"^/acme/qa/resolve/") == 2


def test_history_of_a_missing_model_is_one_line(fakehub: FakeHub, cache: Path) -> None:
    run = hub_cli(fakehub, cache, "history", "ghost/model")
    assert run.code == 2
    assert run.stderr.startswith("error: ghost/model:") and len(run.stderr.splitlines()) == 1
    address = hub_cli(fakehub, cache, "history", "https://huggingface.co/ghost/model")
    assert address.code == 2 and "ghost/model" in address.stderr and "not found" in address.stderr
    bad = hub_cli(fakehub, cache, "history", "not a model id")
    assert bad.code == 2 and "not a Hub model id" in bad.stderr


def test_history_of_a_gated_model_keeps_a_row_per_commit(fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/gated", V1, gated="manual")
    fakehub.add_commit("acme/gated", V2, date="2024-03-01T00:00:00Z")
    data = json.loads(hub_cli(fakehub, cache, "history", "acme/gated", "-f", "json").stdout)
    assert [p["status"] for p in data["timeline"]] == ["gated", "gated"]


def test_history_as_csv_is_a_row_per_commit_newest_first(fakehub: FakeHub, cache: Path) -> None:
    import csv
    import io
    fakehub.add_model("acme/qa", V1)
    fakehub.repos["acme/qa"].date = "2024-01-01T00:00:00.000Z"
    head = fakehub.add_commit("acme/qa", V3, date="2024-06-01T00:00:00.000Z",
                              title="=HYPERLINK(\"http://evil\")")
    run = hub_cli(fakehub, cache, "history", "acme/qa", "-f", "csv")
    assert run.code == 0, run.stderr
    newest, oldest = list(csv.DictReader(io.StringIO(run.stdout)))
    assert newest["commit"] == head and newest["license"] == "llama3.1"
    assert newest["title"].startswith("'=HYPERLINK")  # a commit title is not a formula
    assert "license: apache-2.0 (permissive) → llama3.1 (community)" in newest["changes"]
    assert (oldest["disclosure"], oldest["changes"]) == ("disclosed_available", "")
    assert "None" not in run.stdout and "['" not in run.stdout


def test_history_markdown_has_a_row_per_commit(fakehub: FakeHub, cache: Path) -> None:
    fakehub.add_model("acme/qa", V1)
    fakehub.repos["acme/qa"].date = "2024-01-01T00:00:00.000Z"
    head = fakehub.add_commit("acme/qa", V3, date="2024-06-01T00:00:00.000Z", title="Relicense")
    run = hub_cli(fakehub, cache, "history", "acme/qa", "-f", "markdown")
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("# History of acme/qa\n")
    rows = [line for line in run.stdout.splitlines() if line.startswith("| `")]
    assert len(rows) == 2
    assert rows[0].startswith(f"| `{head[:10]}` | 2024-06-01 | llama3.1 |")
    assert "license: apache-2.0 (permissive) → llama3.1 (community)" in rows[0]
    # lists and absent values read as text, never as Python's None or ['…']
    assert "failing rules: — → CA-" in rows[0]
    assert "None" not in run.stdout and "['" not in run.stdout
    assert rows[1].endswith("| — |")  # the first commit changed nothing before it


def test_a_commit_that_deletes_the_readme_fixes_no_rule(fakehub: FakeHub, cache: Path) -> None:
    """Rules that failed before the README was deleted cannot be judged after it: they are
    'unjudged', not 'fixed' (which would read as an improvement)."""
    fakehub.add_model("acme/qa", V2)
    fakehub.repos["acme/qa"].date = "2024-01-01T00:00:00.000Z"
    fakehub.add_commit("acme/qa", None, date="2024-03-01T00:00:00.000Z", title="Delete README")
    run = hub_cli(fakehub, cache, "history", "acme/qa", "-f", "json")
    assert run.code == 0, run.stderr
    validate("history", json.loads(run.stdout))
    newest = json.loads(run.stdout)["timeline"][0]
    fields = {c["field"]: c for c in newest["changes"]}
    assert fields["status"]["after"] == "missing-card" and fields["status"]["direction"] == "worse"
    assert "fixed rules" not in fields
    assert "CA-DOC-003" in fields["unjudged rules"]["before"]
    assert fields["unjudged rules"]["direction"] == "changed"


def test_history_asks_only_for_the_pages_it_shows(fakehub: FakeHub, cache: Path) -> None:
    """A repo of many commits is many listing pages: with --limit, the older pages are not
    asked for, and the total is then unknown (null), not a wrong count."""
    fakehub.page_size = 2
    fakehub.add_model("acme/busy", V1)
    for n in range(9):
        fakehub.add_commit("acme/busy", V1 + f"\nRevision {n}.\n",
                           date=f"2024-0{n + 1}-02T00:00:00Z")
    run = hub_cli(fakehub, cache, "history", "acme/busy", "--limit", "3", "-f", "json")
    assert run.code == 0, run.stderr
    data = json.loads(run.stdout)
    validate("history", data)
    assert (data["commits"], data["shown"]) == (None, 3)
    assert fakehub.count("GET", r"/commits/") == 2  # of 5 pages
    table = hub_cli(fakehub, cache, "history", "acme/busy", "--limit", "3", "--width", "160")
    assert "older commits not shown (--limit)" in table.stdout
    whole = json.loads(hub_cli(fakehub, cache, "history", "acme/busy", "--limit", "10",
                               "-f", "json").stdout)
    assert (whole["commits"], whole["shown"]) == (10, 10)
