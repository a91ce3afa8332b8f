"""Loading rule files fails fast and names file:line; rules are data, never code."""

from __future__ import annotations

from pathlib import Path

import pytest

from cardaudit.errors import RuleError
from cardaudit.pack import load_pack

GOOD = """id: T-001
title: A test rule
category: docs
severity: low
why: because
fix: do it
check: {field: license, present: true}
message: "license missing"
"""


def _folder(tmp_path: Path, text: str, name: str = "rule.yaml") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(RuleError) as info:
        load_pack([_folder(tmp_path, text)])
    return info.value.message


def test_valid_user_rule_joins_the_pack(tmp_path: Path) -> None:
    pack = load_pack([_folder(tmp_path, GOOD)])
    rule = pack.rules.get("T-001")
    assert rule is not None and rule.origin == "user" and rule.location.endswith("rule.yaml:1")


def test_misspelled_operator_is_named_with_a_suggestion(tmp_path: Path) -> None:
    text = GOOD.replace("check: {field: license, present: true}",
                        "check:\n  all:\n    - {field: license_link, match: '^http'}")
    message = _error(tmp_path, text)
    assert message.endswith("rule.yaml:9: check.all[0]: unknown operator 'match' "
                            "(did you mean 'matches'?)")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    assert _error(tmp_path, GOOD + "severty: high\n").endswith(
        "rule.yaml:9: severty: unknown key 'severty' (did you mean 'severity'?)")


def test_bad_regex_is_reported_at_load(tmp_path: Path) -> None:
    text = GOOD.replace("{field: license, present: true}", "{body: true, matches: '(unclosed'}")
    assert "check: matches: bad regex '(unclosed'" in _error(tmp_path, text)


def test_duplicate_ids_fail(tmp_path: Path) -> None:
    folder = _folder(tmp_path, GOOD, "a.yaml")
    (folder / "b.yaml").write_text(GOOD)
    with pytest.raises(RuleError, match="duplicate rule id 'T-001'"):
        load_pack([folder])


def test_shipped_id_cannot_be_reused(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="duplicate rule id 'CA-LIC-001'"):
        load_pack([_folder(tmp_path, GOOD.replace("T-001", "CA-LIC-001"))])


def test_missing_required_key(tmp_path: Path) -> None:
    assert "missing required key 'fix'" in _error(tmp_path, GOOD.replace("fix: do it\n", ""))


def test_leaf_needs_one_target_and_one_operator(tmp_path: Path) -> None:
    text = GOOD.replace("{field: license, present: true}", "{field: a, body: true, present: true}")
    assert "exactly one target" in _error(tmp_path, text)


def test_unknown_fact_and_list(tmp_path: Path) -> None:
    assert "unknown fact 'license.categry' (did you mean 'license.category'?)" in _error(
        tmp_path, GOOD.replace("{field: license, present: true}",
                               "{fact: license.categry, equals: x}"))
    assert "unknown list 'nope'" in _error(
        tmp_path, GOOD.replace("{field: license, present: true}",
                               "{fact: license.category, in_list: nope}"))


def test_unknown_message_placeholder(tmp_path: Path) -> None:
    assert "unknown placeholder '$__class__'" in _error(
        tmp_path, GOOD.replace('"license missing"', '"$__class__ {0}"'))


def test_python_tags_in_rule_files_are_refused(tmp_path: Path) -> None:
    text = GOOD.replace('"license missing"', "!!python/object/apply:os.system ['echo x']")
    assert "unsupported YAML tag" in _error(tmp_path, text)


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(RuleError, match="holds no rule files"):
        load_pack([tmp_path / "empty"])


CHECK = "check: {field: license, present: true}"


@pytest.mark.parametrize(("old", "new", "expected"), [
    (None, "- a list\n- not a rule\n", "rule.yaml:1: a rule file holds one rule"),
    ("title: A test rule", "title: [a, list]", "rule.yaml:2: title: expected text"),
    ("id: T-001", "id: 'has spaces'", "rule.yaml:1: id: 'has spaces' is not a valid rule id"),
    ("category: docs", "category: style", "rule.yaml:3: category: 'style' is not one of"),
    ("severity: low", "severity: urgent", "rule.yaml:4: severity: 'urgent' is not one of"),
    (CHECK, CHECK + "\ntags: solo", "rule.yaml:8: tags: expected a list of text"),
    (CHECK, "check: [license]", "rule.yaml:7: check: expected a mapping: a combinator"),
    (CHECK, "check: {all: [], field: license}", "check: 'all' must stand alone in its mapping"),
    (CHECK, "check: {any: []}", "check.any: 'any' expects a non-empty list"),
    (CHECK, "check: {not: {field: license, present: true, equals: x}}",
     "check.not: a leaf needs exactly one operator"),
    (CHECK, "check: {body: yes please, matches: x}",
     "check: write the body target as 'body: true'"),
    (CHECK, "check: {field: '', present: true}", "check: 'field' expects a name"),
    (CHECK, "check: {field: 'a[', present: true}", "check: "),
    (CHECK, "check: {hub: downloadz, present: true}",
     "check: unknown Hub fact 'downloadz' (did you mean 'downloads'?)"),
    (CHECK, "check: {section: '(bad', present: true}", "check: bad section regex '(bad'"),
    (CHECK, "check: {field: license, min_words: many}", "check: min_words: "),
])
def test_every_broken_rule_is_one_error_naming_file_line_and_place(
        tmp_path: Path, old: str | None, new: str, expected: str) -> None:
    text = new if old is None else GOOD.replace(old, new)
    assert text != GOOD
    message = _error(tmp_path, text)
    assert expected in message, message
    assert "\n" not in message and ".yaml:" in message
