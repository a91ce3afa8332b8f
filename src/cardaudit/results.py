"""ModelResult and AuditReport: what an audit produced, ready for any report format."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from cardaudit.cards.facts import CardFacts
from cardaudit.cards.record import HubFacts
from cardaudit.engine.evaluate import Judgement
from cardaudit.engine.findings import Finding, Outcome
from cardaudit.scoring import NO_SCORES, Scores

SCHEMA_VERSION = 1


class Status(StrEnum):
    OK = "ok"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class ModelError:
    """Why a model could not be (fully) audited: machine code and one line."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ModelResult:
    """Findings and scores for one model, or an error; every model asked for yields one."""

    id: str
    source: str
    location: str
    status: Status
    error: ModelError | None = None
    revision: str | None = None
    facts: CardFacts | None = None
    judgement: Judgement | None = None
    scores: Scores = NO_SCORES
    hub: HubFacts | None = None
    readme_path: str = "README.md"
    lineage: object | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.judgement.findings if self.judgement is not None else ()

    def findings_with(self, outcomes: tuple[Outcome, ...]) -> tuple[Finding, ...]:
        return self.judgement.findings_with(outcomes) if self.judgement is not None else ()

    def failed(self) -> tuple[Finding, ...]:
        return self.findings_with((Outcome.FAIL,))

    def failed_rules(self) -> tuple[str, ...]:
        """The failed rules' ids, without building their findings (messages, evidence)."""
        return self.judgement.rules_with(Outcome.FAIL) if self.judgement is not None else ()


@dataclass(frozen=True, slots=True)
class ToolInfo:
    name: str
    version: str


@dataclass(frozen=True, slots=True)
class AuditReport:
    """A whole run: versioned, with the digest of the rules that judged it."""

    tool: ToolInfo
    rules_digest: str
    generated_at: str
    results: tuple[ModelResult, ...]
    schema_version: int = SCHEMA_VERSION
    rules: tuple[object, ...] = field(default=(), compare=False)
    interrupted: int = 0
