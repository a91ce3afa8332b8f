"""The license knowledge base: `rules/licenses.yaml` read into typed terms, plus ScanCode's index.

Hub ids (`llama3.1`, `openrail`, `other`) are not SPDX or ScanCode keys, so cardaudit keeps its
own table for them; for any other SPDX id or ScanCode key it falls back to the LicenseDB index
vendored in license-expression, whose categories map onto ours and fail closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from cardaudit.errors import RuleError
from cardaudit.refdata import DataFile, read_data_file


class Category(StrEnum):
    PERMISSIVE = "permissive"
    WEAK_COPYLEFT = "weak_copyleft"
    STRONG_COPYLEFT = "strong_copyleft"
    RESPONSIBLE_AI = "responsible_ai"
    COMMUNITY = "community"
    NO_DERIVATIVES = "no_derivatives"
    NON_COMMERCIAL = "non_commercial"
    PROPRIETARY = "proprietary"
    UNKNOWN = "unknown"


RESTRICTED = frozenset({Category.RESPONSIBLE_AI, Category.COMMUNITY, Category.NO_DERIVATIVES,
                        Category.NON_COMMERCIAL, Category.PROPRIETARY})

_OPEN = frozenset({Category.PERMISSIVE, Category.WEAK_COPYLEFT, Category.STRONG_COPYLEFT})
# words that may stand beside a license's title in a declared name (with version numbers)
_NAME_FILLER = frozenset({"v", "version", "license", "licence", "the", "international",
                          "creative", "commons", "unported", "generic", "public", "only", "or",
                          "later"})
OBLIGATION_FIELDS = ("notice", "attribution", "naming", "user_cap", "revenue_cap", "aup",
                     "outputs", "derivatives", "eu")
_TEXT_FIELDS = ("name", "spdx", "scancode", "url", "naming_prefix", *OBLIGATION_FIELDS)
_LIST_FIELDS = ("aliases", "titles", "links")
_ALLOWED = {*_TEXT_FIELDS, *_LIST_FIELDS, "category", "commercial_use", "verify"}


@dataclass(frozen=True, slots=True)
class Obligation:
    """One duty a license puts on users: kind (attribution, naming, user_cap, …) and text."""

    kind: str
    text: str
    license: str


@dataclass(frozen=True, slots=True)
class LicenseTerms:
    """What one license allows and requires."""

    key: str
    name: str
    spdx: str
    category: Category
    commercial_use: bool | None
    url: str | None = None
    scancode: str | None = None
    notice: str | None = None
    attribution: str | None = None
    naming: str | None = None
    naming_prefix: str | None = None
    user_cap: str | None = None
    revenue_cap: str | None = None
    aup: str | None = None
    outputs: str | None = None
    derivatives: str | None = None
    eu: str | None = None
    verify: bool = False
    from_scancode: bool = False

    @property
    def obligations(self) -> tuple[Obligation, ...]:
        return tuple(Obligation(kind, text, self.key) for kind in OBLIGATION_FIELDS
                     if (text := getattr(self, kind)))

    @property
    def has_cap(self) -> bool:
        return bool(self.user_cap or self.revenue_cap)


def _norm(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", "-").split())


class LicenseBase:
    """Lookup by Hub id, alias, SPDX id or ScanCode key; title and link recognition."""

    def __init__(self, terms: Iterable[LicenseTerms], order: list[Category],
                 scancode_map: dict[str, Category], titles: list[tuple[re.Pattern[str], str]],
                 links: list[tuple[re.Pattern[str], str]], aliases: dict[str, str]) -> None:
        self.by_key = {t.key: t for t in terms}
        self.rank = {c: i for i, c in enumerate(order)}
        self.scancode_map = scancode_map
        self.titles = titles
        self.links = links
        self._index: dict[str, str] = {}
        for t in self.by_key.values():
            for name in (t.key, t.spdx, t.scancode, t.spdx.removeprefix("LicenseRef-")):
                if name and name != "NOASSERTION":
                    self._index.setdefault(_norm(name), t.key)
        for alias, key in aliases.items():
            self._index.setdefault(_norm(alias), key)
        self._scancode_cache: dict[str, LicenseTerms | None] = {}

    def __len__(self) -> int:
        return len(self.by_key)

    def lookup(self, name: str) -> LicenseTerms | None:
        """Terms for a Hub id, alias, SPDX id or ScanCode key; None if nobody knows it."""
        key = self._index.get(_norm(name))
        if key is not None:
            return self.by_key[key]
        return self.from_license_db(name)

    def from_license_db(self, name: str) -> LicenseTerms | None:
        """Terms synthesised from ScanCode's LicenseDB category (commercial use left unknown
        except for clearly permissive licenses)."""
        norm = _norm(name)
        if norm in self._scancode_cache:
            return self._scancode_cache[norm]
        entry = _license_db().get(norm)
        terms = None
        if entry is not None:
            key, db_category, spdx = entry
            category = self.scancode_map.get(db_category, Category.UNKNOWN)
            terms = LicenseTerms(
                key=key, name=key, spdx=spdx, category=category,
                commercial_use=True if category in _OPEN else None,
                url=f"https://scancode-licensedb.aboutcode.org/{key}.html",
                scancode=key, from_scancode=True)
        if len(norm) <= 200 and len(self._scancode_cache) < 10_000:  # bounded over a run
            self._scancode_cache[norm] = terms
        return terms

    def by_title(self, text: str) -> LicenseTerms | None:
        """The license whose name a LICENSE file heading or a license statement gives."""
        found = self._title_in(text)
        return self.by_key[found[1]] if found is not None else None

    def by_name(self, name: str) -> LicenseTerms | None:
        """The license a declared name is, by its title ("GPL v3", "Academic Free License
        v3.0"), when nothing but a version or such words stands beside the title: "MIT License
        with Commons Clause" is not the MIT License."""
        found = self._title_in(name)
        if found is None:
            return None
        match, key = found
        rest = name[:match.start()] + " " + name[match.end():]
        return self.by_key[key] if set(re.findall(r"[a-z]+", rest.lower())) <= _NAME_FILLER \
            else None

    def _title_in(self, text: str) -> tuple[re.Match[str], str] | None:
        """The license title named first in `text`, and of titles found at the same place the
        longest ("CreativeML Open RAIL-M" is not the generic OpenRAIL, whose title comes first
        in the table)."""
        best: tuple[re.Match[str], str] | None = None
        for pattern, key in self.titles:
            match = pattern.search(text)
            if match is not None and (best is None or (match.start(), -len(match.group()))
                                      < (best[0].start(), -len(best[0].group()))):
                best = (match, key)
        return best

    def by_link(self, url: str) -> LicenseTerms | None:
        for pattern, key in self.links:
            if pattern.search(url):
                return self.by_key[key]
        return None

    def more_restrictive(self, a: Category, b: Category) -> bool:
        return self.rank.get(a, len(self.rank)) > self.rank.get(b, len(self.rank))


@lru_cache(maxsize=1)
def _license_db() -> dict[str, tuple[str, str, str]]:
    """ScanCode LicenseDB index (vendored in license-expression): name → (key, category, spdx)."""
    from license_expression import get_license_index

    index: dict[str, tuple[str, str, str]] = {}
    for entry in get_license_index():
        if entry.get("is_exception"):
            continue
        key = entry["license_key"]
        spdx = entry.get("spdx_license_key") or f"LicenseRef-scancode-{key}"
        value = (key, entry.get("category") or "", spdx)
        index.setdefault(_norm(key), value)
        for name in [spdx, *(entry.get("other_spdx_license_keys") or [])]:
            index.setdefault(_norm(name), value)
    return index


def scancode_key_exists(key: str) -> bool:
    return _norm(key) in _license_db()


def load_license_base(path: Path, display: str | None = None) -> LicenseBase:
    """Read and validate licenses.yaml; any mistake is a RuleError with file:line."""
    data_file = read_data_file(path, display)
    data = data_file.data
    if not isinstance(data, dict) or not isinstance(data.get("licenses"), dict):
        raise RuleError(f"{data_file.display}: expected a mapping with a 'licenses' mapping")
    order = _categories(data_file, data.get("category_order"))
    scancode_map: dict[str, Category] = {}
    for db_name, ours in (data.get("scancode_categories") or {}).items():
        scancode_map[db_name] = _category(data_file, f"scancode_categories.{db_name}", ours)
    terms: list[LicenseTerms] = []
    titles: list[tuple[re.Pattern[str], str]] = []
    links: list[tuple[re.Pattern[str], str]] = []
    aliases: dict[str, str] = {}
    for key, entry in data["licenses"].items():
        where = f"licenses.{key}"
        if not isinstance(entry, dict):
            raise data_file.fail(where, "expected a mapping of license facts")
        terms.append(_terms(data_file, where, str(key), entry))
        for alias in _str_list(data_file, where, entry, "aliases"):
            aliases[alias] = str(key)
        titles += [(_regex(data_file, f"{where}.titles", p), str(key))
                   for p in _str_list(data_file, where, entry, "titles")]
        links += [(_regex(data_file, f"{where}.links", p), str(key))
                  for p in _str_list(data_file, where, entry, "links")]
    return LicenseBase(terms, order, scancode_map, titles, links, aliases)


def _terms(data_file: DataFile, where: str, key: str, entry: dict[str, Any]) -> LicenseTerms:
    unknown = set(entry) - _ALLOWED
    if unknown:
        raise data_file.fail(f"{where}.{sorted(unknown)[0]}", "unknown license field")
    for name in _TEXT_FIELDS:
        if entry.get(name) is not None and not isinstance(entry[name], str):
            raise data_file.fail(f"{where}.{name}", "expected text")
    for name in ("name", "spdx", "category"):
        if not entry.get(name):
            raise data_file.fail(where, f"missing '{name}'")
    commercial = entry.get("commercial_use")
    if commercial is not None and not isinstance(commercial, bool):
        raise data_file.fail(f"{where}.commercial_use", "expected true, false or null")
    scancode = entry.get("scancode")
    if scancode and not scancode_key_exists(scancode):
        raise data_file.fail(f"{where}.scancode", f"'{scancode}' is not a ScanCode license key")
    spdx = entry["spdx"]
    if spdx != "NOASSERTION" and not spdx.startswith("LicenseRef-") and not _valid_spdx_id(spdx):
        raise data_file.fail(f"{where}.spdx", f"'{spdx}' is not an SPDX license id")
    texts: dict[str, Any] = {name: entry.get(name) for name in _TEXT_FIELDS}
    return LicenseTerms(
        key=key, category=_category(data_file, f"{where}.category", entry["category"]),
        commercial_use=commercial, verify=bool(entry.get("verify", False)), **texts,
    )


@lru_cache(maxsize=1)
def spdx_licensing() -> Any:
    """license-expression's SPDX licensing (built once; about 15 ms)."""
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def _valid_spdx_id(spdx: str) -> bool:
    try:
        return not spdx_licensing().validate(spdx).errors
    except Exception:  # license-expression raises AttributeError on some inputs (library bug)
        return False


def _categories(data_file: DataFile, value: Any) -> list[Category]:
    if not isinstance(value, list) or not value:
        raise data_file.fail("category_order", "expected a list of categories")
    order = [_category(data_file, "category_order", v) for v in value]
    missing = set(Category) - set(order)
    if missing:
        raise data_file.fail("category_order", f"missing {sorted(missing)}")
    return order


def _category(data_file: DataFile, where: str, value: Any) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise data_file.fail(where, f"unknown category {value!r} (one of: "
                                    f"{', '.join(c.value for c in Category)})") from None


def _str_list(data_file: DataFile, where: str, entry: dict[str, Any], name: str) -> list[str]:
    value = entry.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise data_file.fail(f"{where}.{name}", "expected a list of text")
    return value


def _regex(data_file: DataFile, where: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.I)
    except re.error as exc:
        raise data_file.fail(where, f"bad regex {pattern!r}: {exc}") from None
