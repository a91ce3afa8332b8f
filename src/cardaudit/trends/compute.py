"""Trend tables from a stored run: group the models, keep the popular top N per group if asked,
and measure each group unweighted and download-weighted (reference §4.1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cardaudit.errors import UsageError
from cardaudit.lineage.origin import Origins
from cardaudit.store.records import StoredModel
from cardaudit.trends.cohorts import (
    COHORTS,
    DIMENSIONS,
    CohortNotes,
    RootFinder,
    group_key,
    sort_keys,
)
from cardaudit.trends.metrics import LEVELS, Metrics, measure, parameters

SCHEMA_VERSION = 1
WEIGHTS = ("none", "downloads")
RELATIONS = ("all", "finetune", "adapter", "quantized", "merge")


@dataclass(frozen=True, slots=True)
class TrendQuery:
    by: str = "year"
    cohort: str = "created"
    weight: str = "none"
    top: int | None = None
    relation: str = "all"

    def check(self) -> None:
        for name, value, allowed in (("--by", self.by, DIMENSIONS),
                                     ("--cohort", self.cohort, COHORTS),
                                     ("--weight", self.weight, WEIGHTS),
                                     ("--relation", self.relation, RELATIONS)):
            if value not in allowed:
                raise UsageError(f"unknown {name} '{value}' (choose from: {', '.join(allowed)})")


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    models: int
    downloads: int
    primary: Metrics
    other: Metrics
    parameters: dict[str, float | None]
    share_of_scope: float | None = None
    finetunes: int = 0
    derivatives: int = 0
    base_countries: dict[str, float] = field(default_factory=dict)
    # derivatives whose root base's own disclosure level is known, and the levels' shares
    root_known: int = 0
    root_disclosure: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TrendTable:
    query: TrendQuery
    run_id: int | None
    weight_field: str
    groups: tuple[Group, ...]
    total: Group | None
    excluded: int
    notes: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        other_name = "download_weighted" if self.query.weight == "none" else "unweighted"

        def group_json(g: Group) -> dict[str, Any]:
            data: dict[str, Any] = {"key": g.key, "models": g.models, "downloads": g.downloads}
            data.update(g.primary.as_json())
            data["parameters"] = g.parameters
            if g.share_of_scope is not None:
                data["share"] = round(g.share_of_scope, 4)
                data["finetunes"] = g.finetunes
            data["base_origin"] = {"derivatives": g.derivatives,
                                   "root_countries": g.base_countries}
            data["root_disclosure"] = {"known": g.root_known, **{
                level: None if share is None else round(share, 4)
                for level, share in g.root_disclosure.items()}}
            data[other_name] = g.other.as_json()
            return data

        return {
            "schema_version": SCHEMA_VERSION,
            "run": self.run_id,
            "by": self.query.by,
            "cohort": self.query.cohort,
            "weight": self.query.weight,
            "weight_field": self.weight_field,
            "top": self.query.top,
            "relation": self.query.relation,
            "excluded": self.excluded,
            "notes": list(self.notes),
            "groups": [group_json(g) for g in self.groups],
            "total": group_json(self.total) if self.total is not None else None,
        }


def _weight_field(models: list[StoredModel]) -> str:
    """downloadsAllTime when the run has it (reference §4.1's fallback), else 30-day downloads."""
    if any(m.downloads_all_time for m in models):
        return "downloadsAllTime"
    return "downloads"


def compute(models: Iterable[StoredModel], query: TrendQuery, origins: Origins,
            run_id: int | None = None) -> TrendTable:
    query.check()
    audited: list[StoredModel] = []
    excluded = 0
    for m in models:
        if m.audited:
            audited.append(m)
        else:
            excluded += 1
    weight_field = _weight_field(audited)

    def downloads(m: StoredModel) -> float:
        value = m.downloads_all_time if weight_field == "downloadsAllTime" else m.downloads
        return float(value or 0)

    notes = CohortNotes()
    roots = RootFinder({m.model_id: m.base_models for m in audited})
    level_of = {m.model_id: m.disclosure for m in audited}
    groups: dict[str, list[StoredModel]] = {}
    for m in audited:
        if query.relation != "all" and m.relation != query.relation:
            continue
        key = group_key(m, query.by, cohort=query.cohort, notes=notes, origins=origins,
                        roots=roots)
        if key is not None:
            groups.setdefault(key, []).append(m)
    if query.top:
        groups = {k: sorted(v, key=lambda m: (-downloads(m), m.model_id))[:query.top]
                  for k, v in groups.items()}
    weigh_primary, weigh_other = (downloads, _one) if query.weight == "downloads" \
        else (_one, downloads)
    scope = sum(len(v) for v in groups.values())
    share_groups = query.by in ("base-origin", "base-country")

    def intermediary(m: StoredModel) -> bool:
        """Re-packaged: a known re-packager's repo, or a quantization of another model."""
        return origins.is_intermediary(m.org) or m.relation == "quantized"

    def root_countries(members: list[StoredModel]) -> tuple[int, dict[str, float]]:
        """Country of the root base of the group's derivatives (reference §4.3: the share of
        new fine-tunes built on Chinese bases is `--by month --relation finetune`)."""
        weights: dict[str, float] = {}
        derivatives = 0
        for m in members:
            country = group_key(m, "base-country", cohort=query.cohort, notes=CohortNotes(),
                                origins=origins, roots=roots)
            if country is not None:
                derivatives += 1
                weights[country] = weights.get(country, 0.0) + weigh_primary(m)
        total = sum(weights.values())
        shares = {c: round(w / total, 4) for c, w in
                  sorted(weights.items(), key=lambda cw: (-cw[1], cw[0]))} if total else {}
        return derivatives, shares

    def root_level(m: StoredModel) -> str | None:
        """The root base's own level: as the audit's lineage read it, else the root's row in
        this run; None when the root's card was not read."""
        if not m.base_models:
            return None
        if m.root_disclosure:
            return m.root_disclosure
        root, _ = roots.root(m)
        return level_of.get(root) if root != m.model_id else None

    def root_levels(members: list[StoredModel]) -> tuple[int, dict[str, float | None]]:
        """Reference §4.2: a derivative's own level and its root base's, side by side (a
        quantization's card rarely repeats the data story its base tells)."""
        weights = dict.fromkeys(LEVELS, 0.0)
        known = 0
        for m in members:
            level = root_level(m)
            if level in weights:
                known += 1
                weights[level] += weigh_primary(m)
        total = sum(weights.values())
        return known, {level: w / total if total else None for level, w in weights.items()}

    def make(key: str, members: list[StoredModel]) -> Group:
        derivatives, countries = root_countries(members)
        root_known, root_shares = root_levels(members)
        return Group(
            key=key, models=len(members), downloads=int(sum(downloads(m) for m in members)),
            primary=measure(members, weigh_primary, intermediary),
            other=measure(members, weigh_other, intermediary),
            parameters=parameters(members, downloads),
            share_of_scope=len(members) / scope if share_groups and scope else None,
            finetunes=sum(1 for m in members if m.relation == "finetune"),
            derivatives=derivatives, base_countries=countries, root_known=root_known,
            root_disclosure=root_shares)

    counts = {k: len(v) for k, v in groups.items()}
    ordered = [make(k, groups[k]) for k in sort_keys(list(groups), query.by, counts)]
    everyone = [m for k in groups for m in groups[k]]
    total = make("all", everyone) if everyone else None
    no_weights = total is not None and total.downloads == 0
    return TrendTable(query, run_id, weight_field, tuple(ordered), total, excluded,
                      _notes(query, notes, weight_field, excluded, no_weights))


def _one(_: StoredModel) -> float:
    return 1.0


def _notes(query: TrendQuery, notes: CohortNotes, weight_field: str,
           excluded: int, no_weights: bool) -> tuple[str, ...]:
    out = []
    if no_weights:
        out.append("no model in this run has download counts: download-weighted shares are "
                   "undefined (—)")
    what = ("all-time downloads (downloadsAllTime)" if weight_field == "downloadsAllTime"
            else "downloads in the 30 days before the snapshot (no downloadsAllTime recorded)")
    out.append(f"download weights: {what}")
    if query.top:
        out.append(f"popular: the top {query.top} models per group by {weight_field}")
    if notes.not_calendar_dates:
        out.append(f"{notes.not_calendar_dates} model(s) have a createdAt or lastModified that "
                   "is not a calendar date: ignored")
    if notes.fell_back_to_modified:
        out.append(f"{notes.fell_back_to_modified} model(s) have no usable createdAt: their "
                   "cohort is the year of lastModified")
    if notes.placeholder:
        out.append(f"{notes.placeholder} model(s) carry the Hub's 2022-03-02 placeholder "
                   "creation date: cohort ≤2022")
    if notes.no_date:
        out.append(f"{notes.no_date} model(s) have no usable date: cohort unknown")
    if notes.roots_outside_run:
        out.append(f"{notes.roots_outside_run} derivative(s) have ancestors outside this run: "
                   "their root is the farthest ancestor named")
    if query.relation != "all":
        out.append(f"only derivatives with relation {query.relation}")
    if excluded:
        out.append(f"{excluded} model(s) without card facts (unreadable rows, failed fetches) "
                   "are left out")
    return tuple(out)
