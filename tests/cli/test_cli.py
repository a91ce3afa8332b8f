"""The commands as users run them: exit codes, stdout vs stderr, files written."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.scenario import ROOT, run_cli


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_help_on_every_command() -> None:
    for args in (["--help"], ["audit", "--help"], ["explain", "--help"], ["rules", "--help"],
                 ["rules", "list", "--help"], ["rules", "show", "--help"],
                 ["rules", "validate", "--help"], ["merge", "--help"], ["runs", "--help"],
                 ["trends", "--help"], ["diff", "--help"], ["history", "--help"],
                 ["check", "--help"], ["report", "--help"], ["bom", "--help"],
                 ["lineage", "--help"]):
        run = run_cli(*args, env={"COLUMNS": "200"})
        assert run.code == 0 and "Usage" in run.stdout, args
        # a count's range reads as a person's number, not SQLite's nineteen digits
        assert not re.search(r"\d{11}", run.stdout), (args, run.stdout)


def test_every_option_and_argument_of_every_command_says_what_it_does() -> None:
    # `report --exemptions` once showed a bare `<file>` in its help, with no word of what it was
    import click
    import typer.main

    from cardaudit.cli.app import app

    def bare(command: click.Command, path: str) -> list[str]:
        found = [f"{path} {param.name}" for param in command.params
                 if not (getattr(param, "help", None) or "").strip()]
        for name, sub in getattr(command, "commands", {}).items():
            found += bare(sub, f"{path} {name}")
        return found

    assert bare(typer.main.get_command(app), "cardaudit") == []


def test_report_and_check_describe_the_same_policy_options_alike() -> None:
    helps = {}
    for command in ("check", "report"):
        run = run_cli(command, "--help", env={"COLUMNS": "400"})
        rows = [line for line in run.stdout.splitlines() if "--policy" in line
                or "--exemptions" in line]
        helps[command] = [" ".join(line.strip("│ ").split()) for line in rows]
    assert helps["check"] == helps["report"] and len(helps["check"]) == 2, helps


def test_the_command_list_gives_each_command_one_unbroken_sentence() -> None:
    run = run_cli("--help", env={"COLUMNS": "400"})
    commands = {"audit", "check", "report", "bom", "lineage", "explain", "runs", "merge",
                "trends", "diff", "history", "rules"}
    lines = [line.strip("│ ") for line in run.stdout.splitlines()]
    listed = {line.split()[0]: line for line in lines if line.split()[:1]
              and line.split()[0] in commands}
    assert set(listed) == commands
    # a docstring's hard line break used to cut "license, training information," from the rest
    assert all(line.rstrip().endswith((".", ")")) for line in listed.values()), listed


def test_explain_golden(golden: Callable[[str, str], None]) -> None:
    run = run_cli("explain", "examples/models/acme__llama-chat-ft", "--width", "160")
    assert run.code == 0
    golden("explain.llama-chat-ft.txt", run.transcript())


@pytest.mark.parametrize("width", [40, 80])
def test_explain_on_a_narrow_terminal_lists_findings_whole_words_and_all(width: int) -> None:
    # six columns in 80 cut words into slivers ("training-dat / a"); a narrow terminal gets
    # each finding as a block: its head line, then message, evidence and fix, wrapped at words
    one = "examples/models/acme__llama-chat-ft"
    run = run_cli("explain", one, "--width", str(width))
    assert run.code == 0 and "┃" not in run.stdout
    lines = run.stdout.splitlines()
    assert all(len(line) <= width and line == line.rstrip() for line in lines)
    findings = json.loads(run_cli("explain", one, "-f", "json").stdout)["models"][0]["findings"]
    shown = [f for f in findings if f["outcome"] != "not_applicable"]
    heads = [line for line in lines if line.split("  ")[0] in ("fail", "pass", "unknown")]
    assert sorted(h.split()[1] for h in heads) == sorted(f["rule"] for f in shown)
    text = " ".join(line.strip() for line in lines)
    for f in shown:
        assert f["message"] in text
    assert "fix: List the public datasets used in `datasets:` (Hub ids)" in text


def test_explain_csv_is_a_row_per_finding_escaped_and_keeps_models_it_could_not_read(
        tmp_path: Path) -> None:
    card = tmp_path / "acme__formula"
    card.mkdir()
    (card / "README.md").write_text(
        "---\nlicense: mit\n---\n# Formula\n\n## Training data\n\n=HYPERLINK(\"http://x\") We "
        "trained it on 2 GB of news articles from 2019, in English, gathered by hand from "
        "twelve regional newspapers and cleaned of duplicates before training.\n")
    (tmp_path / "acme__folder-readme" / "README.md").mkdir(parents=True)  # unreadable
    run = run_cli("explain", str(tmp_path), "-f", "csv")
    assert run.code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    data = json.loads(run_cli("explain", str(tmp_path), "-f", "json").stdout)
    shown = [f for m in data["models"] for f in m["findings"]
             if f["outcome"] != "not_applicable"]
    assert len(rows) == len(shown) + 1
    [error] = [r for r in rows if r["outcome"] == "error"]
    assert error["model"] == "acme/folder-readme" and error["message"].startswith("unreadable")
    excerpts = [r["excerpt"] for r in rows if "HYPERLINK" in r["excerpt"]]
    assert excerpts and all(e.startswith("'=HYPERLINK") for e in excerpts)
    failed = [r for r in rows if r["outcome"] == "fail"]
    assert failed and all(r["fix"] for r in failed)
    assert all(r["fix"] == "" for r in rows if r["outcome"] == "pass")


def test_explain_markdown_is_a_table_per_model_with_card_text_escaped(tmp_path: Path) -> None:
    card = tmp_path / "acme__hostile"
    card.mkdir()
    (card / "README.md").write_text(
        "---\nlicense: mit\n---\n# Hostile\n\n## Training data\n\n<script>alert(1)</script> | "
        "[x](javascript:alert(1)) We trained it on 2 GB of news articles from 2019, in English, "
        "gathered by hand from twelve regional newspapers and cleaned before training.\n")
    run = run_cli("explain", str(tmp_path), "examples/models/acme__bare-card", "-f", "markdown")
    assert run.code == 0, run.stderr
    assert "<script>" not in run.stdout and "\\[x\\](javascript:" in run.stdout
    assert "&lt;script&gt;" in run.stdout
    sections = run.stdout.split("\n## ")
    assert [s.split("\n", 1)[0].lstrip("# ") for s in sections] == ["acme/bare-card",
                                                                     "acme/hostile"]
    data = json.loads(run_cli("explain", str(tmp_path), "-f", "json").stdout)
    shown = [f for f in data["models"][0]["findings"] if f["outcome"] != "not_applicable"]
    rows = [line for line in sections[1].splitlines() if line.startswith("| ")]
    assert len(rows) == len(shown) + 1  # the header row too
    assert all(line.count(" | ") == 5 for line in rows)  # no cell broke the table


def test_runs_table_lists_each_run_newest_first(tmp_path: Path) -> None:
    db = tmp_path / "audits.sqlite"
    for _ in range(2):
        assert run_cli("audit", "examples/models", "--db", str(db)).code == 0
    run = run_cli("runs", "--db", str(db))
    assert run.code == 0, run.stderr
    lines = [line.split() for line in run.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert [(line[0], line[2], line[3]) for line in lines] == [("2", "complete", "6"),
                                                               ("1", "complete", "6")]


def test_runs_as_csv_and_markdown(tmp_path: Path) -> None:
    db = tmp_path / "audits.sqlite"
    assert run_cli("audit", "examples/models", "--db", str(db)).code == 0
    listed = json.loads(run_cli("runs", "--db", str(db), "-f", "json").stdout)["runs"]
    run = run_cli("runs", "--db", str(db), "-f", "csv")
    assert run.code == 0, run.stderr
    [row] = list(csv.DictReader(io.StringIO(run.stdout)))
    assert row["id"] == str(listed[0]["id"]) and row["status"] == "complete"
    assert row["models"] == "6" and row["rules_digest"] == listed[0]["rules_digest"]
    markdown = run_cli("runs", "--db", str(db), "-f", "markdown")
    assert markdown.code == 0, markdown.stderr
    table = [line for line in markdown.stdout.splitlines() if line.startswith("|")]
    assert table[0].startswith("| id | started_at |") and len(table) == 3
    assert "| complete | 6 |" in table[2]


def test_explain_json_lists_every_finding_with_evidence() -> None:
    run = run_cli("explain", "examples/models/acme__custom-license", "-f", "json")
    model = json.loads(run.stdout)["models"][0]
    lic002 = next(f for f in model["findings"] if f["rule"] == "CA-LIC-002")
    assert lic002["outcome"] == "fail"
    assert lic002["message"] == "license is 'other' without a usable license_link, license_name"
    assert model["license"]["source"] == "license_file"


def test_missing_path_is_a_usage_error() -> None:
    run = run_cli("audit", "./no/such/folder")
    assert run.code == 2 and run.stdout == ""
    assert run.stderr == "error: no such file or folder: ./no/such/folder\n"


def test_neither_path_nor_hub_id_is_rejected_before_any_request() -> None:
    run = run_cli("audit", "exmples/models/acme__x")
    assert run.code == 2
    assert "neither an existing file or folder nor a Hub model id" in run.stderr


def test_folder_without_cards_is_a_usage_error(tmp_path: Path) -> None:
    run = run_cli("audit", str(tmp_path))
    assert run.code == 2 and "no model cards found" in run.stderr


def test_unknown_format_is_a_usage_error() -> None:
    run = run_cli("audit", "examples/models", "--format", "xml")
    assert run.code == 2 and "unknown format 'xml'" in run.stderr


def test_broken_user_rule_stops_the_run_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "id: X-1\ntitle: t\ncategory: docs\nseverity: low\nwhy: w\nfix: f\n"
        "check:\n  all:\n    - {field: license, match: x}\nmessage: m\n")
    problem = (f"error: {tmp_path}/bad.yaml:9: check.all[0]: unknown operator 'match' (did "
               "you mean 'matches'?)\n")
    run = run_cli("audit", "examples/models", "--rules", str(tmp_path))
    assert run.code == 2 and run.stdout == "" and run.stderr == problem
    run = run_cli("rules", "validate", str(tmp_path))
    assert run.code == 2 and run.stdout == ""
    assert run.stderr == problem + (f"error: 1 problem(s) in {tmp_path}: no rule of it can be "
                                    "used until all are fixed\n")


def test_rules_validate_reports_every_broken_file_and_duplicate_at_once(tmp_path: Path) -> None:
    head = "title: t\ncategory: docs\nseverity: low\nwhy: w\nfix: f\n"
    check = "check: {field: license, matches: mit}\nmessage: m\n"
    (tmp_path / "a-unknown-key.yaml").write_text(f"id: X-1\n{head}{check}colour: red\n")
    (tmp_path / "b-bad-regex.yaml").write_text(
        f"id: X-2\n{head}check: {{field: license, matches: '(unclosed'}}\nmessage: m\n")
    (tmp_path / "c-good.yaml").write_text(f"id: X-3\n{head}{check}")
    (tmp_path / "d-same-id.yaml").write_text(f"id: X-3\n{head}{check}")
    (tmp_path / "e-shipped-id.yaml").write_text(f"id: CA-LIC-005\n{head}{check}")
    run = run_cli("rules", "validate", str(tmp_path))
    assert run.code == 2 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 5, run.stderr
    assert lines[0].startswith(f"error: {tmp_path}/a-unknown-key.yaml:9: colour: unknown key")
    assert lines[1].startswith(f"error: {tmp_path}/b-bad-regex.yaml:7: check: matches: bad regex ")
    assert lines[2] == (f"error: {tmp_path}/d-same-id.yaml:1: duplicate rule id 'X-3' (already "
                        f"defined at {tmp_path}/c-good.yaml:1)")
    assert lines[3].startswith(f"error: {tmp_path}/e-shipped-id.yaml:1: duplicate rule id "
                               "'CA-LIC-005' (already defined at rules/license/")
    assert lines[4] == f"error: 4 problem(s) in {tmp_path}: no rule of it can be used until " \
                       "all are fixed"
    audit = run_cli("audit", "examples/models", "--rules", str(tmp_path))
    assert audit.code == 2 and len(audit.stderr.splitlines()) == 1  # an audit stops at the first


def test_rules_validate_accepts_the_example_folder() -> None:
    run = run_cli("rules", "validate", "examples/rules")
    assert run.code == 0 and run.stdout.startswith("ok: 1 rule(s) in examples/rules are valid")


def test_rules_validate_on_the_shipped_pack_checks_it_instead_of_reporting_duplicates() -> None:
    for folder in ("rules", "rules/license"):
        run = run_cli("rules", "validate", folder)
        assert run.code == 0, run.stderr
        assert run.stdout.startswith(f"ok: {folder} is part of the shipped pack")
    audit = run_cli("audit", "examples/models", "--rules", "rules", "-f", "json", "--no-store")
    assert audit.code == 0, audit.stderr  # naming the shipped pack again adds nothing


def test_rules_list_and_show() -> None:
    listing = run_cli("rules", "list", "--width", "200")
    assert listing.code == 0 and "CA-LIC-002" in listing.stdout
    assert len([ln for ln in listing.stdout.splitlines() if " CA-" in ln]) >= 25
    shown = run_cli("rules", "show", "CA-LIC-002")
    assert shown.code == 0 and "license_link" in shown.stdout and "why:" in shown.stdout
    missing = run_cli("rules", "show", "CA-NOPE")
    assert missing.code == 2 and "no rule 'CA-NOPE'" in missing.stderr


def test_user_rules_run_alongside_the_shipped_pack() -> None:
    run = run_cli("explain", "examples/models/acme__sentiment-bert", "--rules", "examples/rules",
                  "-f", "json")
    rules = {f["rule"]: f["outcome"] for f in json.loads(run.stdout)["models"][0]["findings"]}
    assert rules["ACME-DOC-001"] == "pass"


def test_output_file_is_written_and_stdout_stays_empty(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "report.json"
    run = run_cli("audit", "examples/models", "-f", "json", "--output", str(out))
    assert run.code == 0 and run.stdout == ""
    assert json.loads(out.read_text())["summary"]["models"] == 6
    assert list(out.parent.iterdir()) == [out]


def test_unwritable_output_is_a_fatal_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    run = run_cli("audit", "examples/models", "--output", str(blocker / "report.txt"))
    assert run.code == 2 and run.stderr.startswith("error: cannot write")


def test_every_model_gets_one_row_even_when_cards_are_bad(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "README.md").write_bytes(b"---\nlicense: [mit\n---\n\xff\xfe")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "README.md").write_text("---\n- just\n- a list\n---\n")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "README.md").write_text("")
    run = run_cli("audit", str(tmp_path), "-f", "json")
    assert run.code == 0, run.stderr
    models = json.loads(run.stdout)["models"]
    assert [m["id"] for m in models] == ["a", "b", "c"]


def test_ids_follow_folder_layouts(tmp_path: Path) -> None:
    for name in ("org__model-one", "models--org--model-two", "plain"):
        (tmp_path / name).mkdir()
    (tmp_path / "org__model-one" / "README.md").write_text("# a\n")
    snapshot = tmp_path / "models--org--model-two" / "snapshots" / ("a" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / "README.md").write_text("# b\n")
    (tmp_path / "models--org--model-two" / "refs").mkdir()
    (tmp_path / "models--org--model-two" / "refs" / "main").write_text("a" * 40)
    (tmp_path / "plain" / "README.md").write_text("# c\n")
    run = run_cli("audit", str(tmp_path), "-f", "json")
    ids = [m["id"] for m in json.loads(run.stdout)["models"]]
    assert ids == ["org/model-one", "org/model-two", "plain"]


def test_hf_cache_folders_read_the_snapshot_main_names_else_the_newest(tmp_path: Path) -> None:
    import time as _time
    repo = tmp_path / "models--acme--drifting"
    old, new = repo / "snapshots" / ("1" * 40), repo / "snapshots" / ("2" * 40)
    for snapshot, licence in ((old, "mit"), (new, "apache-2.0")):
        snapshot.mkdir(parents=True)
        (snapshot / "README.md").write_text(f"---\nlicense: {licence}\n---\n# m\n")
        _time.sleep(0.01)  # the second is the newest
    empty = tmp_path / "models--acme--no-card" / "snapshots" / ("3" * 40)
    empty.mkdir(parents=True)
    (empty / "config.json").write_text("{}")
    (tmp_path / "models--acme--no-card" / "refs").mkdir()
    (tmp_path / "models--acme--no-card" / "refs" / "main").write_text("3" * 40)
    run = run_cli("audit", str(tmp_path), "-f", "json", "--no-store")
    assert run.code == 0, run.stderr
    rows = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    # no refs/main: the newest snapshot with a README
    assert rows["acme/drifting"]["license"]["key"] == "apache-2.0"
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("1" * 40)
    again = {m["id"]: m for m in json.loads(
        run_cli("audit", str(tmp_path), "-f", "json", "--no-store").stdout)["models"]}
    assert again["acme/drifting"]["license"]["key"] == "mit"  # what refs/main names
    # a snapshot without README: the model is still a row, with its error
    no_card = rows["acme/no-card"]
    assert no_card["status"] == "error" and no_card["error"]["code"] == "missing-card"


def test_a_readme_named_directly_takes_its_folders_id(tmp_path: Path) -> None:
    (tmp_path / "acme__direct").mkdir()
    readme = tmp_path / "acme__direct" / "README.md"
    readme.write_text("---\nlicense: mit\n---\n# m\n")
    card = tmp_path / "acme__other.md"
    card.write_text("---\nlicense: mit\n---\n# m\n")
    run = run_cli("audit", str(readme), str(card), "-f", "json", "--no-store")
    assert [m["id"] for m in json.loads(run.stdout)["models"]] == ["acme/direct", "acme/other"]


def test_internal_errors_are_one_line_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import cardaudit.cli.audit as audit_module

    def boom(*_: object, **__: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(audit_module, "load_pack", boom)
    run = run_cli("audit", "examples/models")
    assert run.code == 2
    assert run.stderr == "internal error: ZeroDivisionError: boom; rerun with --debug\n"


def test_commands_start_without_loading_the_bom_libraries() -> None:
    """spdx-tools, spdx-python-model and cyclonedx take 1.5 s to import: only `bom` pays."""
    code = ("import sys, cardaudit.cli.app; "
            "print(sorted(m for m in ('cyclonedx', 'spdx_tools', 'spdx_python_model', "
            "'jsonschema') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_a_readme_that_is_no_regular_file_is_an_error_row_never_a_hang(tmp_path: Path) -> None:
    models = tmp_path / "models"
    for name in ("acme__fifo", "acme__device", "acme__folder", "acme__dangling", "acme__ok"):
        (models / name).mkdir(parents=True)
    os.mkfifo(models / "acme__fifo" / "README.md")  # opening it would block forever
    (models / "acme__device" / "README.md").symlink_to("/dev/zero")  # endless bytes
    (models / "acme__folder" / "README.md").mkdir()
    (models / "acme__dangling" / "README.md").symlink_to(tmp_path / "gone.md")
    (models / "acme__ok" / "README.md").write_text("---\nlicense: mit\n---\n# OK\n")
    run = subprocess.run([sys.executable, "-m", "cardaudit", "audit", str(models), "-f", "json",
                          "--no-store"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    rows = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    assert sorted(rows) == ["acme/dangling", "acme/device", "acme/fifo", "acme/folder",
                            "acme/ok"]
    for model_id in ("acme/dangling", "acme/device", "acme/fifo", "acme/folder"):
        assert rows[model_id]["status"] == "error"
        assert rows[model_id]["error"]["code"] == "unreadable"
        assert "not a regular file" in rows[model_id]["error"]["message"]
    assert rows["acme/ok"]["status"] == "ok"


def _rules_schema() -> Any:
    import jsonschema

    schema = json.loads((ROOT / "src/cardaudit/reports/schema/rules-v1.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def test_rules_list_as_json_csv_and_markdown_carry_every_rule_in_force() -> None:
    listing = run_cli("rules", "list", "-f", "json", "--rules", "examples/rules")
    assert listing.code == 0, listing.stderr
    data = json.loads(listing.stdout)
    _rules_schema().validate(data)
    by_id = {r["id"]: r for r in data["rules"]}
    assert len(by_id) >= 26 and by_id["CA-LIC-002"]["origin"] == "shipped"
    assert by_id["ACME-DOC-001"]["origin"] == "user"
    assert by_id["ACME-DOC-001"]["location"].endswith("require-eval-numbers.yaml:2")
    assert data["rules_digest"] == json.loads(run_cli("audit", "examples/models", "-f", "json",
                                                      "--rules", "examples/rules",
                                                      "--no-store").stdout)["rules_digest"]
    rows = list(csv.DictReader(io.StringIO(run_cli("rules", "list", "-f", "csv").stdout)))
    assert {r["id"] for r in rows} == {r for r in by_id if r.startswith("CA-")}
    table = run_cli("rules", "list", "-f", "markdown").stdout
    assert table.count("\n| CA-") == len(rows)


def test_rules_listing_escapes_a_user_rules_text(tmp_path: Path) -> None:
    (tmp_path / "hostile.yaml").write_text(
        "id: X-001\nname: hostile\ntitle: '=HYPERLINK(\"http://evil\") | <b>bold</b>'\n"
        "category: docs\nseverity: low\nwhy: why\nfix: fix\n"
        "check: {field: license, present: true}\nmessage: m\n")
    rows = list(csv.DictReader(io.StringIO(run_cli("rules", "list", "-f", "csv", "--rules",
                                                   str(tmp_path)).stdout)))
    assert next(r for r in rows if r["id"] == "X-001")["title"].startswith("'=HYPERLINK")
    table = run_cli("rules", "list", "-f", "markdown", "--rules", str(tmp_path)).stdout
    line = next(ln for ln in table.splitlines() if "X-001" in ln)
    assert "<b>" not in line and "\\|" in line and line.count(" | ") == 6


def test_rules_show_as_json_holds_the_rule_and_its_definition(tmp_path: Path) -> None:
    out = tmp_path / "rule.json"
    shown = run_cli("rules", "show", "CA-LIC-002", "-f", "json", "-o", str(out))
    assert shown.code == 0 and shown.stdout == ""
    data = json.loads(out.read_text())
    _rules_schema().validate(data)
    (rule,) = data["rules"]
    assert rule["id"] == "CA-LIC-002" and rule["definition"]["id"] == "CA-LIC-002"
    assert "check" in rule["definition"]
    for args in (["rules", "list", "-f", "xml"], ["rules", "show", "CA-LIC-002", "-f", "csv"]):
        bad = run_cli(*args)
        assert bad.code == 2 and "unknown format" in bad.stderr


def test_rules_show_prints_no_terminal_escapes_from_a_users_rule(tmp_path: Path) -> None:
    (tmp_path / "hostile.yaml").write_text(  # YAML refuses raw control characters; not these
        "# \u202e a reversed comment\nid: X-002\nname: escapes\n"
        "title: \"red \\e[31m text\"\ncategory: docs\nseverity: low\nwhy: why\nfix: fix\n"
        "check: {field: license, present: true}\nmessage: m\n")
    shown = run_cli("rules", "show", "X-002", "--rules", str(tmp_path))
    assert shown.code == 0, shown.stderr
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout
    assert "red [31m text" in shown.stdout and "a reversed comment" in shown.stdout


def test_error_lines_carry_no_terminal_control_sequences(tmp_path: Path) -> None:
    """A target named in a file from a registry is hostile text: an OSC sequence in it would
    retitle the terminal (or worse) when the error line echoes it."""
    evil = "ev\x1b]0;pwned\x07il\x1b[2J/x"
    targets = tmp_path / "targets.txt"
    targets.write_text(f"acme/fine\n{evil}\n", encoding="utf-8")
    run = run_cli("audit", "--from-file", str(targets), "--offline", "--no-store", "-f", "json")
    assert run.code == 0, run.stderr
    rows = {m["id"]: m for m in json.loads(run.stdout)["models"]}
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout
    shown = "ev]0;pwnedil[2J/x"
    assert rows[shown]["error"]["message"].startswith(f"'{shown}' is neither")
    missing = run_cli("audit", str(tmp_path / evil), "--no-store")
    assert missing.code == 2 and "\x1b" not in missing.stderr and "pwned" in missing.stderr


def test_a_line_of_a_target_file_that_names_nothing_is_its_own_error_row(
        tmp_path: Path) -> None:
    """Procurement's list of forty models with one typo must not end the run: every line
    asked for is a row. On the command line the same typo is a usage error (exit 2)."""
    card = tmp_path / "acme__good"
    card.mkdir()
    (card / "README.md").write_text("---\nlicense: mit\n---\n# Good\n")
    targets = tmp_path / "targets.txt"
    targets.write_text(f"{card}\nnot a model id!\n./no/such/folder\n# a comment\n")
    run = run_cli("audit", "--from-file", str(targets), "--no-store", "-f", "json")
    assert run.code == 0, run.stderr
    rows = {m["id"]: (m["status"], m["error"]) for m in json.loads(run.stdout)["models"]}
    assert rows["acme/good"] == ("ok", None)
    assert rows["not a model id!"] == ("error", {
        "code": "invalid-target", "message": "'not a model id!' is neither an existing file "
        "or folder nor a Hub model id (org/name)"})
    assert rows["./no/such/folder"] == ("error", {
        "code": "invalid-target", "message": "no such file or folder: ./no/such/folder"})
    check = run_cli("check", "--from-file", str(targets), "--policy", "permissive-only")
    assert check.code == 1  # a model that could not be audited fails the gate
    typo = run_cli("audit", str(card), "not a model id!", "--no-store")
    assert typo.code == 2 and "is neither" in typo.stderr


@pytest.mark.parametrize(("value", "problem"), [
    ("http://127.0.0.1:99999", "Port out of range"),  # huggingface_hub's import raised on it
    ("http://[::1", "Invalid IPv6 URL"),
    ("ftp://mirror.example", "is not an http(s) URL"),
    ("hub.example.com", "is not an http(s) URL"),
])
def test_a_bad_hf_endpoint_is_one_line_when_the_hub_is_needed_and_harmless_otherwise(
        tmp_path: Path, value: str, problem: str) -> None:
    env = {**os.environ, "HF_ENDPOINT": value, "XDG_CACHE_HOME": str(tmp_path)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cardaudit", *args], capture_output=True,
                              text=True, timeout=120, env=env)

    assert cli("--version").returncode == 0
    local = cli("audit", str(ROOT / "examples"), "-f", "csv", "--no-store")
    assert local.returncode == 0 and "acme/" in local.stdout, local.stderr
    hub = cli("audit", "acme/model", "--no-store")
    assert hub.returncode == 2 and "Traceback" not in hub.stderr
    assert hub.stderr.startswith(f"error: HF_ENDPOINT '{value}' ") and problem in hub.stderr
    assert cli("audit", "acme/model", "--offline", "--no-store", "-f", "csv").returncode == 0
    flag = cli("audit", "acme/model", "--endpoint", value, "--no-store")
    assert flag.returncode == 2 and flag.stderr.startswith(f"error: --endpoint '{value}' ")


@pytest.mark.parametrize("name", ["HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT"])
def test_a_hub_timeout_that_is_no_number_does_not_stop_the_cli(tmp_path: Path,
                                                               name: str) -> None:
    """huggingface_hub's import raised on it; cardaudit passes its own timeouts."""
    env = {**os.environ, name: "ten seconds", "XDG_CACHE_HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "cardaudit", "audit", str(ROOT / "examples"),
                          "-f", "csv", "--no-store"], capture_output=True, text=True,
                         timeout=120, env=env)
    assert run.returncode == 0 and "acme/" in run.stdout, run.stderr


@pytest.mark.parametrize(("columns", "width"), [("3", 40), ("0", 40), ("5000", 1000)])
def test_columns_is_held_to_the_widths_tables_can_take(columns: str, width: int) -> None:
    """A CI runner that sets COLUMNS=3 or 0 got a table one letter wide."""
    run = run_cli("audit", str(ROOT / "examples"), "--no-store", env={"COLUMNS": columns})
    assert run.code == 0, run.stderr
    widest = max(len(line) for line in run.stdout.splitlines())
    assert widest == width if width == 40 else widest <= width


@pytest.mark.parametrize("epoch", ["99999999999999999", "-5", "yesterday", "1.5"])
def test_a_source_date_epoch_that_is_no_unix_time_is_a_usage_error(epoch: str) -> None:
    """The reproducible-builds convention asks a tool to stop on a malformed value; a huge one
    was an internal OSError, a word was silently replaced by the current time."""
    run = run_cli("audit", str(ROOT / "examples"), "--no-store", "-f", "json",
                  env={"SOURCE_DATE_EPOCH": epoch})
    assert run.code == 2
    assert run.stderr == f"error: SOURCE_DATE_EPOCH '{epoch}' is not a Unix time in whole " \
                         "seconds\n"


@pytest.mark.parametrize("args", [
    ["runs", "--limit", "99999999999999999999"],
    ["trends", "--run", "99999999999999999999"],
    ["diff", "1", "99999999999999999999"],
    ["history", "acme/m", "--limit", "99999999999999999999"],
    ["audit", "--search", "x", "--limit", "99999999999999999999"],
])
def test_counts_and_run_ids_beyond_what_the_store_holds_are_usage_errors(
        tmp_path: Path, args: list[str]) -> None:
    """SQLite holds 64-bit integers: a larger run id or --limit was an internal OverflowError."""
    db = tmp_path / "s.sqlite"
    assert run_cli("audit", str(ROOT / "examples"), "--db", str(db)).code == 0
    store = ["--db", str(db)] if args[0] in ("runs", "trends", "diff") else []
    run = run_cli(*args, *store)
    assert run.code == 2 and "internal error" not in run.stderr
    assert "less than or equal to" in run.stderr


def test_a_reader_that_stops_early_ends_the_run_quietly() -> None:
    # `cardaudit audit … | head`: the report is written as it is rendered, so the pipe breaks
    # in the middle of it; that is one quiet exit, never a traceback
    process = subprocess.Popen([sys.executable, "-m", "cardaudit", "audit", "examples/models",
                                "-f", "json", "--no-store"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(20).startswith(b"{")
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 2
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
