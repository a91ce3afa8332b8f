"""The trend metrics of one group of models, unweighted or download-weighted (reference §4).

Shares are fractions 0–1 (None when the group has nothing to measure). Models whose card
facts could not be computed at all (an unreadable dump row, a fetch that failed) are left out
and counted; a model whose README is missing counts as disclosing nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cardaudit.store.records import StoredModel

LEVELS = ("disclosed_available", "disclosed_partial", "not_disclosed")
SECTIONS = ("model_details", "uses", "limitations", "how_to_start", "training", "evaluation",
            "environmental_impact", "technical_specs", "citation", "contact")
AREAS = ("license", "data", "access", "documentation", "overall")
GATED = ("click_through", "approval")
TOP_LICENSES = 10
OTHER_LICENSES = "(other)"

Weigh = Callable[[StoredModel], float]


@dataclass(frozen=True, slots=True)
class Metrics:
    models: int
    weight_total: float
    disclosure: dict[str, float | None]
    permissive: float | None
    commercial_use: float | None
    gated: float | None
    sections: dict[str, float | None]
    scores: dict[str, float | None]
    license_categories: dict[str, float]
    intermediaries: float | None = None
    # the license mix: the commonest license ids' shares, the rest summed under OTHER_LICENSES
    licenses: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "disclosure": {k: _round(v) for k, v in self.disclosure.items()},
            "permissive": _round(self.permissive),
            "commercial_use": _round(self.commercial_use),
            "gated": _round(self.gated),
            "sections": {k: _round(v) for k, v in self.sections.items()},
            "scores": {k: _round(v, 1) for k, v in self.scores.items()},
            "license_categories": {k: _round(v) for k, v in self.license_categories.items()},
            "intermediaries": _round(self.intermediaries),
            "licenses": {k: _round(v) for k, v in self.licenses.items()},
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _share(models: Sequence[StoredModel], weigh: Weigh,
           test: Callable[[StoredModel], bool]) -> float | None:
    total = sum(weigh(m) for m in models)
    if total <= 0:
        return None
    return sum(weigh(m) for m in models if test(m)) / total


def _mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / total if total > 0 else None


def _is(attribute: str, value: str) -> Callable[[StoredModel], bool]:
    return lambda m: getattr(m, attribute) == value


def _filled(section: str) -> Callable[[StoredModel], bool]:
    return lambda m: bool(m.sections.get(section))


def measure(models: Sequence[StoredModel], weigh: Weigh,
            intermediary: Callable[[StoredModel], bool] | None = None) -> Metrics:
    """Every metric for one group under one weighting (`weigh` returns 1 for unweighted);
    `intermediary` tells re-packaged models (reference §4.3) apart."""
    with_card = [m for m in models if m.sections]
    categories: dict[str, float] = {}
    licenses: dict[str, float] = {}
    total = sum(weigh(m) for m in models)
    if total > 0:
        for m in models:
            key = m.category or "unknown"
            categories[key] = categories.get(key, 0.0) + weigh(m) / total
            name = m.license or "unknown"
            licenses[name] = licenses.get(name, 0.0) + weigh(m) / total
    scores = {area: _mean([(float(value), weigh(m)) for m in models
                           if (value := m.scores.get(area)) is not None]) for area in AREAS}
    return Metrics(
        models=len(models),
        weight_total=total,
        disclosure={level: _share(models, weigh, _is("disclosure", level)) for level in LEVELS},
        permissive=_share(models, weigh, lambda m: m.category == "permissive"),
        commercial_use=_share(models, weigh, lambda m: m.commercial_use is True),
        gated=_share(models, weigh, lambda m: m.gate in GATED),
        sections={s: _share(with_card, weigh, _filled(s)) for s in SECTIONS},
        scores=scores,
        license_categories=dict(sorted(categories.items(), key=lambda kv: -kv[1])),
        intermediaries=_share(models, weigh, intermediary) if intermediary else None,
        licenses=_top(licenses),
    )


def _top(shares: dict[str, float]) -> dict[str, float]:
    """The TOP_LICENSES largest shares (ties by name), the rest summed as OTHER_LICENSES."""
    ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
    top = dict(ranked[:TOP_LICENSES])
    rest = sum(v for _, v in ranked[TOP_LICENSES:])
    if rest > 0:
        top[OTHER_LICENSES] = top.get(OTHER_LICENSES, 0.0) + rest
    return top


def parameters(models: Sequence[StoredModel], weigh: Weigh) -> dict[str, float | None]:
    """Mean, median and download-weighted median of `safetensors.total` (reference §4.4)."""
    values = sorted((float(m.parameters), weigh(m)) for m in models if m.parameters)
    if not values:
        return {"known": 0, "mean": None, "median": None, "weighted_median": None}
    numbers = [v for v, _ in values]
    middle = len(numbers) // 2
    median = numbers[middle] if len(numbers) % 2 else (numbers[middle - 1] + numbers[middle]) / 2
    return {"known": len(numbers), "mean": sum(numbers) / len(numbers), "median": median,
            "weighted_median": _weighted_median(values)}


def _weighted_median(values: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in values)
    if total <= 0:
        return None
    running = 0.0
    for value, weight in values:
        running += weight
        if running >= total / 2:
            return value
    return values[-1][0]
