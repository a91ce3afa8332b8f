"""Findings → 0–100 per area and overall, and a grade A–F; weights come from rules/scoring.yaml.

Unknown and not-applicable findings leave the denominator; an area with nothing decided is
None ("n/a"), never 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cardaudit.engine.findings import Category, Finding, Outcome, Severity
from cardaudit.errors import RuleError
from cardaudit.refdata import read_data_file

AREAS = ("license", "data", "access", "documentation")


@dataclass(frozen=True, slots=True)
class Scores:
    """Area scores, the overall score and the grade (None where nothing was decided)."""

    license: int | None = None
    data: int | None = None
    access: int | None = None
    documentation: int | None = None
    overall: int | None = None
    grade: str | None = None

    def area(self, name: str) -> int | None:
        value: int | None = getattr(self, name)
        return value

    def as_json(self) -> dict[str, int | None]:
        return {name: self.area(name) for name in (*AREAS, "overall")}


NO_SCORES = Scores()


@dataclass(frozen=True, slots=True)
class ScoringModel:
    """Severity weights, which rule categories feed which area, area weights, grade bands."""

    severity_weights: dict[Severity, float]
    area_categories: dict[str, tuple[Category, ...]]
    area_weights: dict[str, float]
    grades: tuple[tuple[str, float], ...]

    def plan(self, rules: Iterable[tuple[Category, Severity]]) -> list[tuple[int, float]]:
        """Per rule (in order): its area's index (-1: none) and its weight."""
        area_of = {c: AREAS.index(a) for a, cats in self.area_categories.items() for c in cats}
        return [(area_of.get(category, -1), self.severity_weights[severity])
                for category, severity in rules]

    def score(self, findings: Iterable[Finding]) -> Scores:
        findings = list(findings)
        plan = self.plan((f.category, f.severity) for f in findings)
        return self.score_outcomes(plan, [f.outcome for f in findings])

    def score_outcomes(self, plan: list[tuple[int, float]], outcomes: list[Outcome]) -> Scores:
        """Scores from raw outcomes, in the order `plan` was made for."""
        passed = [0.0, 0.0, 0.0, 0.0]
        total = [0.0, 0.0, 0.0, 0.0]
        for (area, weight), outcome in zip(plan, outcomes, strict=True):
            if area < 0 or weight == 0:
                continue
            if outcome is Outcome.PASS:
                passed[area] += weight
                total[area] += weight
            elif outcome is Outcome.FAIL:
                total[area] += weight
        areas = {a: (round(100 * passed[i] / total[i]) if total[i] > 0 else None)
                 for i, a in enumerate(AREAS)}
        decided = [(self.area_weights[a], s) for a, s in areas.items() if s is not None]
        overall = None
        grade = None
        weight_sum = sum(w for w, _ in decided)
        if decided and weight_sum > 0:
            overall = round(sum(w * s for w, s in decided) / weight_sum)
            grade = next((g for g, minimum in self.grades if overall >= minimum), None)
        return Scores(areas["license"], areas["data"], areas["access"], areas["documentation"],
                      overall, grade)


def load_scoring(path: Path) -> ScoringModel:
    data_file = read_data_file(path, "rules/scoring.yaml")
    data = data_file.data
    if not isinstance(data, dict):
        raise RuleError(f"{data_file.display}: expected a mapping")
    try:
        weights = {Severity(k): float(v) for k, v in (data.get("severity_weights") or {}).items()}
    except (ValueError, TypeError):
        raise data_file.fail("severity_weights", "expected severity: number") from None
    if set(weights) != set(Severity):
        raise data_file.fail("severity_weights", f"give a weight for each of "
                                                 f"{', '.join(s.value for s in Severity)}")
    areas = data.get("areas") or {}
    if set(areas) != set(AREAS):
        raise data_file.fail("areas", f"expected exactly the areas {', '.join(AREAS)}")
    categories: dict[str, tuple[Category, ...]] = {}
    area_weights: dict[str, float] = {}
    for name, spec in areas.items():
        try:
            categories[name] = tuple(Category(c) for c in spec["categories"])
            area_weights[name] = float(spec["weight"])
        except (KeyError, TypeError, ValueError):
            raise data_file.fail(f"areas.{name}", "expected {categories: [...], weight: n}") \
                from None
    grades = []
    for index, band in enumerate(data.get("grades") or []):
        try:
            grades.append((str(band["grade"]), float(band["min"])))
        except (KeyError, TypeError, ValueError):
            raise data_file.fail(f"grades[{index}]", "expected {grade: X, min: n}") from None
    grades.sort(key=lambda g: -g[1])
    if not grades or grades[-1][1] > 0:
        raise data_file.fail("grades", "the lowest grade must have min: 0")
    return ScoringModel(weights, categories, area_weights, tuple(grades))
