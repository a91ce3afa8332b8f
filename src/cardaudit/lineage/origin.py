"""Where a model comes from: its organization's country (rules/orgs.yaml) and its family
(rules/reference/families.yaml). Data with sources, loaded once per run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cardaudit.errors import RuleError
from cardaudit.refdata import load_lists, read_data_file

UNMAPPED = "international_or_unknown"


@dataclass(frozen=True, slots=True)
class Org:
    name: str
    country: str
    maker: str
    source: str


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    orgs: frozenset[str]
    pattern: re.Pattern[str] | None
    maker: str | None = None  # the organization whose country the family's bases come from


class Origins:
    """Country of an organization and family of a model id."""

    def __init__(self, orgs: dict[str, Org], families: list[Family],
                 intermediaries: frozenset[str] = frozenset()) -> None:
        self._orgs = {k.lower(): v for k, v in orgs.items()}
        self.families = families
        self.intermediaries = frozenset(i.lower() for i in intermediaries)

    def is_intermediary(self, org: str | None) -> bool:
        """A known re-packager of other makers' models (lists.yaml `intermediaries`)."""
        return org is not None and org.lower() in self.intermediaries

    def org_of(self, model_id: str) -> str | None:
        return model_id.split("/")[0] if "/" in model_id else None

    def country(self, org: str | None) -> str:
        if not org:
            return UNMAPPED
        found = self._orgs.get(org.lower())
        return found.country if found else UNMAPPED

    def family(self, model_id: str) -> str | None:
        found = self._family(model_id)
        return found.name if found else None

    def root_country(self, model_id: str) -> str:
        """Country of a root base. A re-packager's upload (unsloth/Meta-Llama-3.1-8B, a common
        `base_model` of fine-tunes) is not its maker's model: it takes its family's maker's
        country, and stays unmapped when its family is not known."""
        org = self.org_of(model_id)
        if not self.is_intermediary(org):
            return self.country(org)
        found = self._family(model_id)
        return self.country(found.maker) if found and found.maker else UNMAPPED

    def _family(self, model_id: str) -> Family | None:
        org = (self.org_of(model_id) or "").lower()
        for family in self.families:
            if org and org in family.orgs:
                return family
            if family.pattern is not None and family.pattern.search(model_id):
                return family
        return None

    def __len__(self) -> int:
        return len(self._orgs)


def load_origins(root: Path) -> Origins:
    orgs_file = read_data_file(root / "orgs.yaml", "rules/orgs.yaml")
    data = orgs_file.data
    if not isinstance(data, dict) or not isinstance(data.get("orgs"), dict):
        raise RuleError("rules/orgs.yaml: expected an 'orgs' mapping")
    orgs = {}
    for name, entry in data["orgs"].items():
        where = f"orgs.{name}"
        if not isinstance(entry, dict) or not re.fullmatch(r"[A-Z]{2}", str(entry.get("country"))):
            raise orgs_file.fail(where, "expected {country: XX (ISO 3166 alpha-2), maker, source}")
        if not entry.get("source"):
            raise orgs_file.fail(where, "every organization needs a source")
        orgs[str(name)] = Org(str(name), entry["country"], str(entry.get("maker") or name),
                              str(entry["source"]))
    fam_file = read_data_file(root / "reference" / "families.yaml",
                              "rules/reference/families.yaml")
    families = []
    for index, entry in enumerate((fam_file.data or {}).get("families") or []):
        where = f"families[{index}]"
        if not isinstance(entry, dict) or not entry.get("family"):
            raise fam_file.fail(where, "expected {family, orgs?, pattern?, maker?}")
        makers = [str(o) for o in entry.get("orgs") or []]
        maker = entry.get("maker", makers[0] if makers else None)
        if maker is not None and not isinstance(maker, str):
            raise fam_file.fail(where, "maker: expected an organization name")
        pattern = None
        if entry.get("pattern"):
            try:
                pattern = re.compile(entry["pattern"])
            except re.error as exc:
                raise fam_file.fail(where, f"bad regex: {exc}") from None
        families.append(Family(str(entry["family"]), frozenset(o.lower() for o in makers),
                               pattern, maker))
    repackagers = load_lists(root / "reference" / "lists.yaml").get("intermediaries", ())
    return Origins(orgs, families, frozenset(str(r) for r in repackagers))
