"""Policy and exemption files: YAML, versioned, validated with `file:line` errors.

A policy says what may enter a registry: allowed/denied license categories and ids,
commercial use required, the highest gate level, the lowest disclosure level, minimum area
scores, rules that must pass, rules switched off or re-graded, the severity of a failed
rule that fails the gate, and the countries a model may not come from. Exemptions waive one
clause (or rule) for one model, with a reason, an owner and an expiry date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from cardaudit.cards.disclosure import DisclosureLevel
from cardaudit.cards.gates import GateLevel
from cardaudit.cards.licensebase import Category
from cardaudit.engine.findings import Severity
from cardaudit.errors import RuleError, UsageError
from cardaudit.refdata import DataFile, read_data_file, shipped_rules_dir
from cardaudit.scoring import AREAS

POLICY_SCHEMA = 1
CLAUSES = ("audit.error", "license.allow_categories", "license.deny_categories",
           "license.allow", "license.deny", "license.require_commercial_use", "license.ancestors",
           "gate.max_level",
           "data.min_level", "scores.min", "rules.require", "rules.fail_on",
           "origin.deny_countries")
_TOP_KEYS = {"schema_version", "name", "description", "on_error", "fail_on", "licenses", "gate",
             "data", "scores", "rules", "origin"}
_COUNTRY_RE = re.compile(r"[A-Z]{2}")  # ISO 3166 alpha-2, as rules/orgs.yaml writes them
_LICENSE_KEYS = {"allow_categories", "deny_categories", "allow", "deny", "require_commercial_use",
                 "check_ancestors"}


class OnError(StrEnum):
    FAIL = "fail"
    WARN = "warn"


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    description: str
    file: str
    on_error: OnError = OnError.FAIL
    fail_on: Severity | None = None
    allow_categories: frozenset[Category] | None = None
    deny_categories: frozenset[Category] = frozenset()
    allow_licenses: frozenset[str] | None = None
    deny_licenses: frozenset[str] = frozenset()
    require_commercial_use: bool = False
    # the license clauses hold for every ancestor the lineage resolved, too: a base's terms
    # bind its fine-tunes and quantizations whatever license they declare
    check_ancestors: bool = True
    max_gate: GateLevel | None = None
    min_disclosure: DisclosureLevel | None = None
    # a derivative whose own card is silent meets min_level with what its bases disclose
    # (each parent's line at its best; a merge needs every parent's)
    inherit_disclosure: bool = False
    min_scores: dict[str, int] = field(default_factory=dict)
    require_rules: frozenset[str] = frozenset()
    disabled_rules: frozenset[str] = frozenset()
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    # countries a model may not come from: its root bases' (its own organization's when it has
    # no base_model), by Hub namespace (rules/orgs.yaml)
    deny_countries: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Exemption:
    model: str
    clause: str | None
    rule: str | None
    reason: str
    owner: str
    expires: dt.date
    revision: str | None = None
    where: str = ""

    def expired(self, today: dt.date) -> bool:
        return self.expires < today

    def label(self) -> str:
        target = self.rule or self.clause or "*"
        return f"{self.model} · {target} (owner {self.owner}, expires {self.expires})"


def shipped_policies() -> dict[str, Path]:
    folder = shipped_rules_dir() / "policies"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def resolve_policy(name_or_file: str, known_rules: set[str]) -> Policy:
    """`--policy NAME` picks a shipped policy, `--policy FILE` a user's."""
    shipped = shipped_policies()
    path = Path(name_or_file)
    if name_or_file in shipped and not path.exists():
        return load_policy(shipped[name_or_file], f"rules/policies/{name_or_file}.yaml",
                           known_rules)
    if not path.is_file():
        raise UsageError(f"no policy '{name_or_file}'",
                         hint=f"shipped policies: {', '.join(shipped)}; or give a policy file")
    return load_policy(path, str(path), known_rules)


def _enum_set(data_file: DataFile, where: str, value: Any, enum: Any) -> frozenset[Any]:
    if not isinstance(value, list):
        raise data_file.fail(where, "expected a list")
    out = set()
    for index, item in enumerate(value):
        try:
            out.add(enum(item))
        except ValueError:
            options = ", ".join(e.value for e in enum)
            raise data_file.fail(f"{where}[{index}]", f"'{item}' is not one of: {options}") \
                from None
    return frozenset(out)


def _one(data_file: DataFile, where: str, value: Any, enum: Any) -> Any:
    try:
        return enum(value)
    except ValueError:
        options = ", ".join(e.value for e in enum)
        raise data_file.fail(where, f"'{value}' is not one of: {options}") from None


def _check_keys(data_file: DataFile, where: str, value: Any, allowed: set[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise data_file.fail(where, "expected a mapping")
    for key in value:
        if key not in allowed:
            raise data_file.fail(f"{where}.{key}" if where else str(key),
                                 f"unknown key '{key}' (known: {', '.join(sorted(allowed))})")
    return value


def load_policy(path: Path, display: str, known_rules: set[str]) -> Policy:
    data_file = read_data_file(path, display)
    data = _check_keys(data_file, "", data_file.data, _TOP_KEYS)
    if data.get("schema_version") != POLICY_SCHEMA:
        raise data_file.fail("schema_version", f"expected schema_version: {POLICY_SCHEMA}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise RuleError(f"{display}:1: a policy needs a name")
    licenses = _check_keys(data_file, "licenses", data.get("licenses"), _LICENSE_KEYS)
    gate = _check_keys(data_file, "gate", data.get("gate"), {"max_level"})
    disclosure = _check_keys(data_file, "data", data.get("data"), {"min_level", "inherit"})
    scores = _check_keys(data_file, "scores", data.get("scores"), {"min"})
    rules = _check_keys(data_file, "rules", data.get("rules"), {"require", "disable", "severity"})
    min_scores = _check_keys(data_file, "scores.min", scores.get("min"), {*AREAS, "overall"})
    for area, value in min_scores.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise data_file.fail(f"scores.min.{area}", "expected a score from 0 to 100")

    def rule_ids(where: str, value: Any) -> frozenset[str]:
        if value is None:
            return frozenset()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise data_file.fail(where, "expected a list of rule ids")
        for index, rule in enumerate(value):
            if rule not in known_rules:
                raise data_file.fail(f"{where}[{index}]", f"unknown rule '{rule}'")
        return frozenset(value)

    overrides: dict[str, Severity] = {}
    for rule, severity in _check_keys(data_file, "rules.severity", rules.get("severity"),
                                      known_rules).items():
        overrides[rule] = _one(data_file, f"rules.severity.{rule}", severity, Severity)
    licenses_allow = licenses.get("allow")
    for key in ("allow", "deny"):
        value = licenses.get(key)
        if value is not None and (not isinstance(value, list)
                                  or not all(isinstance(v, str) for v in value)):
            raise data_file.fail(f"licenses.{key}", "expected a list of license ids")
    commercial = licenses.get("require_commercial_use", False)
    if not isinstance(commercial, bool):
        raise data_file.fail("licenses.require_commercial_use", "expected true or false")
    ancestors = licenses.get("check_ancestors", True)
    if not isinstance(ancestors, bool):
        raise data_file.fail("licenses.check_ancestors", "expected true or false")
    inherit = disclosure.get("inherit", False)
    if not isinstance(inherit, bool):
        raise data_file.fail("data.inherit", "expected true or false")
    origin = _check_keys(data_file, "origin", data.get("origin"), {"deny_countries"})
    countries = origin.get("deny_countries") or []
    if not isinstance(countries, list) or not all(
            isinstance(c, str) and _COUNTRY_RE.fullmatch(c.upper()) for c in countries):
        raise data_file.fail("origin.deny_countries",
                             "expected a list of two-letter country codes (ISO 3166, e.g. CN)")
    return Policy(
        name=name, description=str(data.get("description") or ""), file=display,
        on_error=_one(data_file, "on_error", data.get("on_error", "fail"), OnError),
        fail_on=_one(data_file, "fail_on", data["fail_on"], Severity)
        if data.get("fail_on") is not None else None,
        allow_categories=_enum_set(data_file, "licenses.allow_categories",
                                   licenses["allow_categories"], Category)
        if "allow_categories" in licenses else None,
        deny_categories=_enum_set(data_file, "licenses.deny_categories",
                                  licenses.get("deny_categories", []), Category),
        allow_licenses=frozenset(v.lower() for v in licenses_allow)
        if licenses_allow is not None else None,
        deny_licenses=frozenset(v.lower() for v in licenses.get("deny") or []),
        require_commercial_use=commercial,
        check_ancestors=ancestors,
        max_gate=_one(data_file, "gate.max_level", gate["max_level"], GateLevel)
        if gate.get("max_level") is not None else None,
        min_disclosure=_one(data_file, "data.min_level", disclosure["min_level"],
                            DisclosureLevel) if disclosure.get("min_level") is not None else None,
        inherit_disclosure=inherit,
        min_scores=dict(min_scores),
        require_rules=rule_ids("rules.require", rules.get("require")),
        disabled_rules=rule_ids("rules.disable", rules.get("disable")),
        severity_overrides=overrides,
        deny_countries=frozenset(c.upper() for c in countries),
    )


def load_exemptions(path: Path, known_rules: set[str]) -> list[Exemption]:
    if not path.is_file():
        raise UsageError(f"no exemptions file {path}")
    data_file = read_data_file(path, str(path))
    data = _check_keys(data_file, "", data_file.data, {"schema_version", "exemptions"})
    if data.get("schema_version") != POLICY_SCHEMA:
        raise data_file.fail("schema_version", f"expected schema_version: {POLICY_SCHEMA}")
    items = data.get("exemptions")
    items = [] if items is None else items
    if not isinstance(items, list):
        raise data_file.fail("exemptions", "expected a list")
    out = []
    allowed = {"model", "revision", "clause", "rule", "reason", "owner", "expires"}
    for index, item in enumerate(items):
        where = f"exemptions[{index}]"
        entry = _check_keys(data_file, where, item, allowed)
        for key in ("model", "reason", "owner", "expires"):
            if not entry.get(key):
                raise data_file.fail(where, f"an exemption needs '{key}'")
        clause, rule = entry.get("clause"), entry.get("rule")
        if (clause is None) == (rule is None):
            raise data_file.fail(where, "give exactly one of 'clause' or 'rule'")
        if clause is not None and clause not in CLAUSES and clause != "*":
            raise data_file.fail(f"{where}.clause", f"unknown clause '{clause}' (known: "
                                                    f"{', '.join(CLAUSES)})")
        if rule is not None and rule not in known_rules:
            raise data_file.fail(f"{where}.rule", f"unknown rule '{rule}'")
        try:
            expires = dt.date.fromisoformat(str(entry["expires"]))
        except ValueError:
            raise data_file.fail(f"{where}.expires", "expected a date YYYY-MM-DD") from None
        out.append(Exemption(str(entry["model"]), clause, rule, str(entry["reason"]),
                             str(entry["owner"]), expires,
                             str(entry["revision"]) if entry.get("revision") else None,
                             data_file.where(where)))
    return out
