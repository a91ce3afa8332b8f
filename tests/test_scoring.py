"""Scores: weights by severity, unknown leaves the denominator, nothing decided is n/a."""

from __future__ import annotations

from cardaudit.cards.evidence import NO_EVIDENCE
from cardaudit.engine.findings import Category, Finding, Outcome, Severity
from cardaudit.pack import RulePack


def f(category: Category, outcome: Outcome, severity: Severity = Severity.HIGH) -> Finding:
    return Finding("X", category, outcome, severity, "", NO_EVIDENCE)


def test_area_scores_weight_by_severity(pack: RulePack) -> None:
    scores = pack.scoring.score([f(Category.LICENSE, Outcome.PASS, Severity.CRITICAL),
                                 f(Category.LICENSE, Outcome.FAIL, Severity.LOW)])
    assert scores.license == round(100 * 8 / 9)


def test_unknown_and_not_applicable_leave_the_denominator(pack: RulePack) -> None:
    scores = pack.scoring.score([f(Category.DATA, Outcome.PASS),
                                 f(Category.DATA, Outcome.UNKNOWN),
                                 f(Category.DATA, Outcome.NOT_APPLICABLE)])
    assert scores.data == 100


def test_area_with_nothing_decided_is_none_not_zero(pack: RulePack) -> None:
    scores = pack.scoring.score([f(Category.DOCS, Outcome.FAIL),
                                 f(Category.GATES, Outcome.UNKNOWN)])
    assert scores.access is None and scores.documentation == 0
    assert scores.overall == 0 and scores.grade == "F"


def test_no_decisions_at_all_gives_no_grade(pack: RulePack) -> None:
    scores = pack.scoring.score([f(Category.LICENSE, Outcome.UNKNOWN)])
    assert scores.overall is None and scores.grade is None


def test_overall_weights_areas(pack: RulePack) -> None:
    scores = pack.scoring.score([f(Category.LICENSE, Outcome.PASS),
                                 f(Category.DATA, Outcome.FAIL)])
    assert scores.overall == 50 and scores.grade == "D"


def test_info_rules_do_not_move_scores(pack: RulePack) -> None:
    scores = pack.scoring.score([f(Category.DOCS, Outcome.PASS),
                                 f(Category.DOCS, Outcome.FAIL, Severity.INFO)])
    assert scores.documentation == 100
