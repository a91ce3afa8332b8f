"""Turn what the user named (paths, Hub ids, organizations, a search, a file of targets) into
sources and their targets; every model asked for appears exactly once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cardaudit.cards.document import CardReader
from cardaudit.cards.record import ModelRecord
from cardaudit.errors import SourceError, UsageError
from cardaudit.pipeline import load_each
from cardaudit.safetext import plain
from cardaudit.settings import Settings, endpoint_key, endpoint_problem, shown_url
from cardaudit.sources.base import Target
from cardaudit.sources.hub import HubSource
from cardaudit.sources.hubcache import HubCache, endpoint_cache
from cardaudit.sources.hubclient import HubClient, Throttle
from cardaudit.sources.local import LocalSource
from cardaudit.sources.targets import (
    ClassifiedTargets,
    check_revision,
    classify,
    classify_listed,
    first_spellings,
    is_stdin,
    read_target_file,
)


@dataclass(slots=True)
class Request:
    """Everything `audit` (and friends) can be asked to look at."""

    targets: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    search: str | None = None
    sort: str | None = None
    limit: int | None = None
    from_file: Path | None = None
    revision: str | None = None
    refresh: bool = False
    jobs: int = 8
    check_datasets: bool = True
    lineage_dirs: list[Path] = field(default_factory=list)
    lineage_hub: bool = False
    lineage_endpoint: str | None = None


@dataclass(slots=True)
class Plan:
    """Sources with their targets, in the order given."""

    local: LocalSource | None
    local_targets: list[Target]
    hub: HubSource | None
    hub_targets: list[Target]
    lineage_sources: list[tuple[LocalSource, dict[str, Target]]] = field(default_factory=list)
    # --lineage-endpoint: ancestors the run's own sources do not hold
    lineage_hub: HubSource | None = None
    # lines of a target file that name nothing: each an error row, after the others
    rejected: list[tuple[Target, SourceError]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.local_targets) + len(self.hub_targets) + len(self.rejected)

    def records(self) -> Iterator[tuple[Target, ModelRecord | SourceError]]:
        if self.local is not None:
            yield from load_each(self.local, self.local_targets)
        if self.hub is not None and self.hub_targets:
            yield from self.hub.records(self.hub_targets)
        yield from self.rejected


def make_hub_source(settings: Settings, reader: CardReader, request: Request) -> HubSource:
    throttle = Throttle(request.jobs)
    client = HubClient(settings, throttle, retries=settings.retries, backoff=settings.backoff)
    cache = HubCache(endpoint_cache(settings.cache_dir, settings.endpoint))
    return HubSource(client, cache, reader, revision=request.revision,
                     refresh=request.refresh, jobs=request.jobs,
                     check_datasets=request.check_datasets)


def plan(request: Request, settings: Settings, reader: CardReader) -> Plan:
    listed: list[str] = []
    if request.from_file is not None:
        listed = read_target_file(request.from_file)
    if request.revision is not None:
        check_revision(request.revision)
    if request.limit is not None and request.limit < 1:
        raise UsageError("--limit must be at least 1")
    if request.sort is not None and request.search is None and not request.orgs:
        raise UsageError("--sort applies to --search or --org listings")
    classified = classify(list(request.targets), settings.endpoint)
    from_file, rejected = classify_listed(listed, settings.endpoint)
    classified = ClassifiedTargets(classified.paths + from_file.paths,
                                   first_spellings(classified.hub_ids + from_file.hub_ids))
    rejected_rows = [(Target(plain(item), "from-file", _listing_name(request.from_file)),
                      SourceError(plain(why), code="invalid-target")) for item, why in rejected]
    if not (classified.paths or classified.hub_ids or request.orgs or request.search
            or rejected_rows):
        raise UsageError("nothing to audit", hint="name model folders, card files, Hub ids "
                                                  "(org/name), --org, --search or --from-file")
    local = None
    local_targets: list[Target] = []
    if classified.paths:
        local = LocalSource(classified.paths, reader.vocab)
        local.reader = reader
        local_targets = local.targets()
    hub = None
    hub_targets: list[Target] = []
    lineage_hub = None
    ask_hub = request.lineage_hub
    if request.lineage_endpoint is not None:
        aimed = lineage_settings(settings, request.lineage_endpoint)
        if aimed is settings:  # the run's own endpoint: --lineage-hub
            ask_hub = True
        else:
            lineage_hub = make_hub_source(aimed, reader, request)
    if classified.hub_ids or request.orgs or request.search or ask_hub:
        hub = make_hub_source(settings, reader, request)
        # Hub ids and names are case-insensitive (ACME/Model is acme/model): the first
        # spelling named is kept, and an organization named twice is listed once
        seen: set[str] = set()
        found = hub.targets_for_ids(classified.hub_ids)
        for org in first_spellings(request.orgs):
            found.extend(hub.targets_for_org(org))
        if request.search is not None:
            found.extend(hub.targets_for_search(request.search, request.sort, request.limit))
        for target in found:
            if target.id.lower() not in seen:
                seen.add(target.id.lower())
                hub_targets.append(target)
    lineage_sources: list[tuple[LocalSource, dict[str, Target]]] = []
    if local is not None:
        lineage_sources.append((local, {t.id: t for t in local_targets}))
    for folder in request.lineage_dirs:
        extra = LocalSource([str(folder)], reader.vocab)
        extra.reader = reader
        lineage_sources.append((extra, {t.id: t for t in extra.targets()}))
    return Plan(local, local_targets, hub, hub_targets, lineage_sources, lineage_hub,
                rejected_rows)


def lineage_settings(settings: Settings, endpoint: str) -> Settings:
    """The run's settings aimed at the lineage endpoint, with its own token (or none): a
    registry's token must never reach the public Hub, nor the reverse."""
    problem = endpoint_problem(endpoint)
    if problem is not None:
        raise UsageError(f"--lineage-endpoint '{shown_url(endpoint)}' {problem}")
    url = endpoint.rstrip("/")
    if endpoint_key(url) == endpoint_key(settings.endpoint) and settings.endpoint_error is None:
        return settings
    return dataclasses.replace(settings, endpoint=url, endpoint_error=None,
                               token=settings.lineage_token)


def _listing_name(path: Path | None) -> str:
    return "standard input" if path is None or is_stdin(path) else str(path)
