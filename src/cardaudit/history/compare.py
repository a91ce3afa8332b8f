"""What changed for a model between two audits: license (more or less restrictive),
disclosure (rose or dropped), gate (added, removed, tightened), scores, newly failing rules.

Used by `diff` (two stored runs) and `history` (a card's successive commits). "Worse" is what a
gate on regressions should stop: a more restrictive license, less disclosure, a stricter gate,
a lower overall score, newly failing rules, or a model that can no longer be audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cardaudit.store.records import StoredModel

# Least to most restrictive for a user of the model.
CATEGORY_RANK = {
    "permissive": 0, "weak_copyleft": 1, "strong_copyleft": 2, "responsible_ai": 2,
    "community": 3, "non_commercial": 4, "no_derivatives": 4, "proprietary": 5, "unknown": 6,
}
DISCLOSURE_RANK = {"not_disclosed": 0, "disclosed_partial": 1, "disclosed_available": 2}
GATE_RANK = {"open": 0, "click_through": 1, "approval": 2}

WORSE, BETTER, CHANGED = "worse", "better", "changed"


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: Any
    after: Any
    direction: str  # worse, better or changed (neither)
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after,
                "direction": self.direction, "note": self.note}

    def describe(self) -> str:
        """'license: apache-2.0 (permissive) → cc-by-nc-4.0 (non_commercial) (more restrictive)',
        as every table, Markdown and CSV form of diff and history shows it."""
        arrow = f"{show_value(self.before)} → {show_value(self.after)}"
        return f"{self.field}: {arrow}" + (f" ({self.note})" if self.note else "")


def show_value(value: Any) -> str:
    """A changed value for people: a list as its items, nothing as a dash (never Python's
    None or ['…'])."""
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True, slots=True)
class ModelDiff:
    id: str
    changes: tuple[Change, ...] = field(default=())

    @property
    def worse(self) -> bool:
        return any(c.direction == WORSE for c in self.changes)

    @property
    def better(self) -> bool:
        return not self.worse and any(c.direction == BETTER for c in self.changes)


def _ranked(name: str, before: str | None, after: str | None, ranks: dict[str, int],
            worse_when_higher: bool, labels: tuple[str, str]) -> Change | None:
    if before == after:
        return None
    rb, ra = ranks.get(before or ""), ranks.get(after or "")
    if rb is None or ra is None or rb == ra:
        return Change(name, before, after, CHANGED)
    higher = ra > rb
    direction = WORSE if higher == worse_when_higher else BETTER
    return Change(name, before, after, direction, labels[0] if direction == WORSE else labels[1])


def compare(before: StoredModel, after: StoredModel) -> ModelDiff:
    changes: list[Change] = []
    if before.status != after.status or before.error_code != after.error_code:
        was_ok, is_ok = before.status == "ok", after.status == "ok"
        direction = WORSE if was_ok and not is_ok else BETTER if is_ok and not was_ok \
            else CHANGED
        changes.append(Change("status", before.error_code or before.status,
                              after.error_code or after.status, direction))
    if before.license != after.license or before.category != after.category:
        lic = _ranked("license", before.category, after.category, CATEGORY_RANK, True,
                      ("more restrictive", "less restrictive"))
        direction = lic.direction if lic else CHANGED
        note = lic.note if lic else "same category"
        changes.append(Change("license", f"{before.license} ({before.category})",
                              f"{after.license} ({after.category})", direction, note))
    disclosure = _ranked("disclosure", before.disclosure, after.disclosure, DISCLOSURE_RANK,
                         False, ("dropped", "rose"))
    if disclosure:
        changes.append(disclosure)
    gate = _ranked("gate", before.gate, after.gate, GATE_RANK, True,
                   ("gate added" if before.gate == "open" else "gate tightened",
                    "gate removed" if after.gate == "open" else "gate loosened"))
    if gate:
        changes.append(gate)
    for area in ("license", "data", "access", "documentation", "overall"):
        old, new = before.scores.get(area), after.scores.get(area)
        if old is None or new is None or old == new:
            continue
        if area == "overall":
            changes.append(Change("score", old, new, WORSE if new < old else BETTER,
                                  f"{new - old:+d}"))
        else:
            changes.append(Change(f"score.{area}", old, new, CHANGED, f"{new - old:+d}"))
    old_fails = {f.rule for f in before.findings if f.outcome == "fail"}
    new_fails = {f.rule for f in after.findings if f.outcome == "fail"}
    if new_fails - old_fails:
        changes.append(Change("failing rules", None, sorted(new_fails - old_fails), WORSE,
                              "newly failing"))
    # a rule that stopped failing because it can no longer be judged (the card became
    # unreadable, a fact unknown) is not fixed
    unjudged = old_fails - new_fails if after.status != "ok" else \
        (old_fails - new_fails) & {f.rule for f in after.findings if f.outcome == "unknown"}
    fixed = old_fails - new_fails - unjudged
    if fixed:
        changes.append(Change("fixed rules", sorted(fixed), None, BETTER, "no longer failing"))
    if unjudged:
        changes.append(Change("unjudged rules", sorted(unjudged), None, CHANGED,
                              "failing before, cannot be judged now"))
    return ModelDiff(after.model_id, tuple(changes))
