"""The rules in force as data, for `cardaudit rules list|show -f json|csv|markdown`: CI jobs and
reviewers read which rules a gate applies without parsing a table. The JSON schema is
reports/schema/rules-v1.json."""

from __future__ import annotations

import json
from typing import Any, TextIO

from cardaudit import __version__
from cardaudit.engine.schema import Rule
from cardaudit.reports import tabular
from cardaudit.reports.escape import markdown

RULES_SCHEMA_VERSION = 1
COLUMNS = ("id", "name", "category", "severity", "title", "origin", "location", "why", "fix")


def rule_data(rule: Rule, *, definition: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": rule.id, "name": rule.name, "title": rule.title,
        "category": rule.category.value, "severity": rule.severity.value,
        "origin": rule.origin, "location": rule.location, "why": rule.why, "fix": rule.fix,
        "tags": list(rule.tags), "references": list(rule.references),
    }
    if definition:
        data["definition"] = rule.raw
    return data


def rules_data(rules: tuple[Rule, ...], digest: str, *, definition: bool = False
               ) -> dict[str, Any]:
    return {"schema_version": RULES_SCHEMA_VERSION,
            "tool": {"name": "cardaudit", "version": __version__},
            "rules_digest": digest,
            "rules": [rule_data(r, definition=definition) for r in rules]}


def write_json(rules: tuple[Rule, ...], digest: str, stream: TextIO, *,
               definition: bool = False) -> None:
    json.dump(rules_data(rules, digest, definition=definition), stream, indent=2,
              ensure_ascii=False)
    stream.write("\n")


def write_csv(rules: tuple[Rule, ...], stream: TextIO) -> None:
    tabular.write_csv(stream, COLUMNS, ([rule_data(rule)[c] for c in COLUMNS] for rule in rules))


def write_markdown(rules: tuple[Rule, ...], digest: str, stream: TextIO) -> None:
    stream.write(f"# cardaudit rules\n\n{len(rules)} rules in force. Rules `{digest}`.\n\n")
    stream.write("| id | category | severity | title | origin | why | fix |\n")
    stream.write("|---|---|---|---|---|---|---|\n")
    for rule in rules:
        cells = (rule.id, rule.category.value, rule.severity.value, rule.title,
                 rule.location if rule.origin == "user" else "shipped", rule.why, rule.fix)
        stream.write("| " + " | ".join(markdown(c) for c in cells) + " |\n")
