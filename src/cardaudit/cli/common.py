"""What audit-like commands share: target options into a Request, and gate evaluation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from cardaudit.cli.audit import run_audit
from cardaudit.cli.options import hub_settings
from cardaudit.pack import RulePack, load_pack
from cardaudit.pipeline import RunState
from cardaudit.policy.evaluate import GateOutcome, judge_run
from cardaudit.policy.schema import load_exemptions, resolve_policy
from cardaudit.results import AuditReport
from cardaudit.settings import Settings
from cardaudit.sources.select import Request


@dataclasses.dataclass(slots=True)
class TargetFlags:
    """The target and Hub flags every audit-like command accepts."""

    targets: list[str] | None = None
    org: list[str] | None = None
    search: str | None = None
    sort: str | None = None
    limit: int | None = None
    from_file: Path | None = None
    revision: str | None = None
    endpoint: str | None = None
    token: str | None = None
    offline: bool = False
    cache_dir: Path | None = None
    timeout: float | None = None
    refresh: bool = False
    jobs: int = 8
    no_dataset_check: bool = False
    quiet: bool = False
    rules: list[Path] | None = None
    lineage_dir: list[Path] | None = None
    lineage_hub: bool = False
    lineage_endpoint: str | None = None

    def settings(self, base: Settings) -> Settings:
        return hub_settings(base, self.endpoint, self.token, self.offline, self.cache_dir,
                            self.timeout, quiet=self.quiet)

    def request(self) -> Request:
        return Request(targets=list(self.targets or []), orgs=list(self.org or []),
                       search=self.search, sort=self.sort, limit=self.limit,
                       from_file=self.from_file, revision=self.revision, refresh=self.refresh,
                       jobs=self.jobs, check_datasets=not self.no_dataset_check,
                       lineage_dirs=list(self.lineage_dir or []), lineage_hub=self.lineage_hub,
                       lineage_endpoint=self.lineage_endpoint)


def audit_with(flags: TargetFlags, base: Settings
               ) -> tuple[Settings, RulePack, AuditReport, RunState, int]:
    settings = flags.settings(base)
    pack = load_pack([Path(p) for p in flags.rules or []])
    report, state, total = run_audit(settings, flags.request(), pack)
    return settings, pack, report, state, total


def gate(report: AuditReport, pack: RulePack, settings: Settings, policy: str,
         exemptions: Path | None) -> GateOutcome:
    known = {r.id for r in pack.rules.rules}
    chosen = resolve_policy(policy, known)
    waivers = load_exemptions(exemptions, known) if exemptions is not None else []
    return judge_run(report, chosen, waivers, dt.date.fromisoformat(settings.generated_at[:10]),
                     origins=pack.knowledge.origins)
