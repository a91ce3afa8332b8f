"""Which group a stored model falls in, for each `trends --by` dimension (reference §4.1, §4.3).

Cohorts use the year (or month) of `createdAt`; the Hub's 2022-03-02 placeholder, which stands
for "created before the Hub recorded dates", is its own "≤2022" cohort. Without `createdAt`
(the 2022 dumps) the cohort falls back to `lastModified` — counted, so the output can say so.
A date that is not a calendar date (dumps from other tools: "yesterday", "2022-02-30", year 0)
counts as no date: it never becomes a year of its own.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from cardaudit.lineage.origin import UNMAPPED, Origins
from cardaudit.store.records import StoredModel

PLACEHOLDER_PREFIX = "2022-03-02T23:29:04"
EARLY_COHORT = "≤2022"
UNKNOWN = "unknown"
DIMENSIONS = ("year", "month", "org", "country", "license-category", "base-origin",
              "base-country")
COHORTS = ("created", "modified")
MAX_DEPTH = 8
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


@dataclass(slots=True)
class CohortNotes:
    """What the grouping had to assume, reported under the table."""

    fell_back_to_modified: int = 0
    placeholder: int = 0
    no_date: int = 0
    not_calendar_dates: int = 0
    roots_outside_run: int = 0
    extra: list[str] = field(default_factory=list)


def calendar_date(value: str | None) -> str | None:
    """YYYY-MM-DD of an ISO date or date-time that is a real calendar date, else None."""
    match = _DATE_RE.match(value or "")
    if match is None:
        return None
    try:
        dt.date.fromisoformat(match.group())
    except ValueError:
        return None
    return match.group()


def _period(date: str, month: bool) -> str:
    return date[:7] if month else date[:4]


def cohort_key(model: StoredModel, *, month: bool, cohort: str, notes: CohortNotes) -> str:
    unreadable = False
    if cohort == "created" and model.created_at:
        if model.created_at.startswith(PLACEHOLDER_PREFIX):
            notes.placeholder += 1
            return EARLY_COHORT
        created = calendar_date(model.created_at)
        if created is not None:
            return _period(created, month)
        unreadable = True
    modified = calendar_date(model.last_modified)
    unreadable = unreadable or (bool(model.last_modified) and modified is None)
    notes.not_calendar_dates += unreadable
    if modified is not None:
        if cohort == "created":
            notes.fell_back_to_modified += 1
        return _period(modified, month)
    notes.no_date += 1
    return UNKNOWN


class RootFinder:
    """The root base of a derivative: the stored lineage root when the audit resolved it,
    else `base_model` followed through the run's own models (cycle-safe, depth-bounded), else
    the farthest ancestor named."""

    def __init__(self, parents: dict[str, tuple[str, ...]]) -> None:
        self.parents = parents
        self._memo: dict[str, tuple[str, bool]] = {}

    def root(self, model: StoredModel) -> tuple[str, bool]:
        """(root id, whether the chain was followed to its end inside the run)."""
        if model.root:
            return model.root, True
        first = model.base_models[0]
        return self._follow(first)

    def _follow(self, start: str) -> tuple[str, bool]:
        if start in self._memo:
            return self._memo[start]
        current, seen = start, {start}
        complete = True
        for _ in range(MAX_DEPTH):
            bases = self.parents.get(current)
            if bases is None:  # not in the run: the farthest ancestor we know
                complete = False
                break
            if not bases:
                break
            nxt = bases[0]
            if nxt in seen:
                break
            seen.add(nxt)
            current = nxt
        self._memo[start] = (current, complete)
        return current, complete


def group_key(model: StoredModel, by: str, *, cohort: str, notes: CohortNotes,
              origins: Origins, roots: RootFinder | None) -> str | None:
    """The group of a model, or None when the model is out of scope (base-origin: models
    without base_model)."""
    if by in ("year", "month"):
        return cohort_key(model, month=by == "month", cohort=cohort, notes=notes)
    if by == "org":
        return model.org or UNKNOWN
    if by == "country":
        return origins.country(model.org)
    if by == "license-category":
        return model.category or UNKNOWN
    if by in ("base-origin", "base-country"):
        if not model.base_models or roots is None:
            return None
        root, complete = roots.root(model)
        if not complete:
            notes.roots_outside_run += 1
        country = origins.root_country(root)
        if by == "base-country":
            return country
        return f"{country} · {origins.family(root) or 'other'}"
    raise ValueError(by)


def sort_keys(keys: list[str], by: str, counts: dict[str, int]) -> list[str]:
    """Time cohorts in time order ("≤2022" first, "unknown" last); others by size."""
    if by in ("year", "month"):
        dated = sorted(k for k in keys if k not in (EARLY_COHORT, UNKNOWN))
        return ([EARLY_COHORT] if EARLY_COHORT in keys else []) + dated + \
            ([UNKNOWN] if UNKNOWN in keys else [])
    return sorted(keys, key=lambda k: (k in (UNKNOWN, UNMAPPED), -counts[k], k))
