"""Models from a Hugging Face Hub (or a private endpoint): ids, whole organizations, searches.

Requests per model are few: an organization or search scan takes every model's metadata from
the paginated listing (with `expand=`), then downloads README.md once per commit sha (cached, so
an unchanged model costs nothing but its share of the listing); LICENSE only when the card's
license is missing, `other` or unknown and the repo has one. Named ids cost one metadata call.
Dataset ids in `datasets:` are checked once per run (and cached for a week) so
`disclosed_available` means obtainable.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from cardaudit.cards.disclosure import DatasetStatus, metadata_datasets
from cardaudit.cards.document import CardDocument, CardReader
from cardaudit.cards.licenses import LICENSE_FILE_NAMES, LicenseFile
from cardaudit.cards.record import CardError, HubFacts, ModelRecord, count_or_none
from cardaudit.errors import SourceError, UsageError
from cardaudit.interrupts import deferred_interrupts, wait_first
from cardaudit.safetext import valid_text
from cardaudit.sources.base import Target
from cardaudit.sources.hubcache import HubCache
from cardaudit.sources.hubclient import HubClient, UnreadableEntry
from cardaudit.sources.targets import is_hub_id, is_org_name

SORTS = ("downloads", "likes", "createdAt", "lastModified", "trendingScore")
_NEEDS_FILE = (None, "", "other", "unknown")
MAX_DATASETS_CHECKED = 64


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
        stamp: str = value.strftime("%Y-%m-%dT%H:%M:%S.")
        return stamp + f"{value.microsecond // 1000:03d}Z"
    return value if isinstance(value, str) else None


def _base_models(info: Any, tags: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    ids: list[str] = []
    relation: str | None = None
    raw = getattr(info, "base_models", None)
    if isinstance(raw, dict):
        relation = raw.get("relation") if isinstance(raw.get("relation"), str) else None
        raw = raw.get("models")
    for item in raw if isinstance(raw, list) else []:
        model = item.get("id") if isinstance(item, dict) else item
        if isinstance(model, str) and is_hub_id(model) and model not in ids:
            ids.append(model)
    for tag in tags:
        parts = tag.split(":")
        if parts[0] != "base_model" or len(parts) not in (2, 3):
            continue
        if len(parts) == 3:
            relation = relation or parts[1]
        if is_hub_id(parts[-1]) and parts[-1] not in ids:
            ids.append(parts[-1])
    return tuple(ids), relation


def facts_from_info(info: Any) -> HubFacts:
    """HubFacts from a huggingface_hub ModelInfo (listing or model_info)."""
    tags = tuple(valid_text(str(t)) for t in (getattr(info, "tags", None) or ()))
    bases, relation = _base_models(info, tags)
    safetensors = getattr(info, "safetensors", None)
    parameters = count_or_none(getattr(safetensors, "total", None))
    gguf = getattr(info, "gguf", None)
    if parameters is None and isinstance(gguf, dict):
        parameters = count_or_none(gguf.get("total"))
    return HubFacts(
        id=valid_text(info.id), sha=_text(getattr(info, "sha", None)),
        author=_text(getattr(info, "author", None)),
        private=getattr(info, "private", None), gated=getattr(info, "gated", None),
        disabled=getattr(info, "disabled", None),
        created_at=_iso(getattr(info, "created_at", None)),
        last_modified=_iso(getattr(info, "last_modified", None)),
        downloads=count_or_none(getattr(info, "downloads", None)),
        downloads_all_time=count_or_none(getattr(info, "downloads_all_time", None)),
        likes=count_or_none(getattr(info, "likes", None)), tags=tags, base_models=bases,
        base_relation=relation,
        parameters=parameters, library_name=_text(getattr(info, "library_name", None)),
        pipeline_tag=_text(getattr(info, "pipeline_tag", None)))


def _text(value: Any) -> str | None:
    """A text field of a Hub answer, writable anywhere (see cardaudit.safetext)."""
    return valid_text(value) if isinstance(value, str) else None


def facts_from_json(data: dict[str, Any], model_id: str) -> HubFacts:
    return HubFacts(
        id=model_id, sha=data.get("sha"), author=data.get("author"), private=data.get("private"),
        gated=data.get("gated"), disabled=data.get("disabled"), created_at=data.get("createdAt"),
        last_modified=data.get("lastModified"), downloads=count_or_none(data.get("downloads")),
        downloads_all_time=count_or_none(data.get("downloadsAllTime")),
        likes=count_or_none(data.get("likes")),
        tags=tuple(data.get("tags") or ()), base_models=tuple(data.get("base_models") or ()),
        base_relation=data.get("base_relation"), parameters=count_or_none(data.get("parameters")),
        library_name=data.get("library_name"), pipeline_tag=data.get("pipeline_tag"))


MAX_SHOWN_ID = 200


def printable_id(value: object) -> str:
    """A listed id that is not a Hub id, as text safe to print: control characters escaped,
    cut to MAX_SHOWN_ID characters."""
    if not isinstance(value, str) or not value:
        return "<no id>"
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in valid_text(value))
    return text if len(text) <= MAX_SHOWN_ID else text[:MAX_SHOWN_ID] + "…"


def _loaded(target: Target, future: Future[ModelRecord]) -> ModelRecord | SourceError:
    """A finished load: its record, or its error as a SourceError (one row, never lost)."""
    error = future.exception()
    if isinstance(error, SourceError):
        return error
    if error is not None:
        return SourceError(f"{target.id}: internal error: {type(error).__name__}: {error}",
                           code="internal")
    return future.result()


class HubSource:
    """Fetches records from the Hub through HubClient, caching per (model id, commit sha)."""

    name = "hub"

    def __init__(self, client: HubClient, cache: HubCache, reader: CardReader, *,
                 revision: str | None = None, refresh: bool = False, jobs: int = 8,
                 check_datasets: bool = True) -> None:
        self.client = client
        self.cache = cache
        self.reader = reader
        self.revision = revision
        self.refresh = refresh
        self.jobs = max(1, jobs)
        self.check_datasets = check_datasets
        self._listed: dict[str, Any] = {}
        self._invalid: set[str] = set()  # listed entries whose id is no Hub id (shown, not fetched)
        self._datasets: dict[str, DatasetStatus] = {}
        self._dataset_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.from_cache = 0

    # ------------------------------------------------------------------ targets
    def _target(self, model_id: str) -> Target:
        return Target(model_id, self.name, f"{self.client.settings.endpoint}/{model_id}")

    def targets_for_ids(self, ids: list[str]) -> list[Target]:
        return [self._target(i) for i in ids]

    def targets_for_org(self, org: str) -> list[Target]:
        if not is_org_name(org):
            raise UsageError(f"'{org}' is not a Hub organization or user name")
        if self.client.offline:
            cached = self.cache.models_by_author(org)
            return [self._target(m.id) for m in cached]
        try:
            infos = self.client.list_models(author=org)
        except SourceError as exc:
            raise UsageError(f"cannot list the models of '{org}': {exc.message}") from None
        return self._remember(infos)

    def targets_for_search(self, query: str, sort: str | None, limit: int | None
                           ) -> list[Target]:
        if sort is not None and sort not in SORTS:
            raise UsageError(f"unknown sort '{sort}' (choose from: {', '.join(SORTS)})")
        if self.client.offline:
            raise UsageError("--search needs the Hub; it cannot run with HF_HUB_OFFLINE")
        try:
            infos = self.client.list_models(search=query, sort=sort, limit=limit)
        except SourceError as exc:
            raise UsageError(f"cannot search the Hub for '{query}': {exc.message}") from None
        return self._remember(infos)

    def _remember(self, infos: list[Any]) -> list[Target]:
        targets = []
        for info in infos:
            model_id = getattr(info, "id", None)
            if not isinstance(model_id, str) or not is_hub_id(model_id):
                # a listing from a broken or hostile endpoint: keep the entry as an error row
                # under a printable form of its id, and never use that id in a request or path
                shown = printable_id(model_id)
                self._invalid.add(shown)
                targets.append(Target(shown, self.name, self.client.settings.endpoint))
                continue
            if not isinstance(info, UnreadableEntry):  # else load() asks for it alone
                self._listed[model_id] = info
            targets.append(self._target(model_id))
        return targets

    # ------------------------------------------------------------------ loading
    def records(self, targets: list[Target]
                ) -> Iterator[tuple[Target, ModelRecord | SourceError]]:
        """Load targets with `jobs` workers; results arrive as they finish. Stopping the
        iteration (Ctrl-C, SIGTERM: see cardaudit.interrupts) cancels what has not started."""
        with deferred_interrupts() as check:
            executor = ThreadPoolExecutor(max_workers=self.jobs,
                                          thread_name_prefix="cardaudit-hub")
            pending: dict[Future[ModelRecord], Target] = {}
            queue = list(reversed(targets))
            try:
                while queue or pending:
                    while queue and len(pending) < self.jobs * 2:
                        target = queue.pop()
                        pending[executor.submit(self.load, target)] = target
                    for future in wait_first(pending, check):
                        target = pending.pop(future)
                        yield target, _loaded(target, future)
                        check()
            finally:
                executor.shutdown(wait=False, cancel_futures=True)

    def load(self, target: Target) -> ModelRecord:
        model_id = target.id
        if model_id in self._invalid:
            raise SourceError(f"{model_id}: the Hub listed a model whose id is not a valid Hub "
                              "id; it was not fetched", code="invalid-id")
        facts, siblings = self.facts(model_id)
        sha = facts.sha or self.revision or "main"
        card: CardDocument | None = None
        card_error: CardError | None = None
        from_cache = False
        if siblings and "README.md" not in siblings:
            card_error = CardError("missing-card", "the repository has no README.md")
        else:
            try:
                raw, from_cache = self.client.file_bytes(model_id, "README.md", sha,
                                                         refresh=self.refresh)
                card = self.reader.read(raw)
            except SourceError as exc:
                if exc.code == "missing-file":
                    card_error = CardError("missing-card", "the repository has no README.md")
                elif exc.code in ("gated", "forbidden", "offline-uncached"):
                    card_error = CardError(exc.code, f"the card could not be read: {exc.message}")
                else:
                    raise
        if from_cache:
            with self._lock:
                self.from_cache += 1
        license_file = self._license_file(model_id, sha, card, siblings)
        statuses = self._dataset_statuses(card) if card is not None else None
        return ModelRecord(
            id=model_id, source=self.name, location=target.location, card=card,
            revision=sha, license_file=license_file, hub=facts, hub_expected=True,
            card_error=card_error, dataset_status=statuses, readme_path="README.md",
            extra={"from_cache": from_cache})

    def facts(self, model_id: str) -> tuple[HubFacts, tuple[str, ...]]:
        """Metadata from the listing, the API, or (offline) the cache — never from the file
        cache alone, which would hide a repo that became gated or was deleted."""
        listed = self._listed.get(model_id)
        if listed is None and self.client.offline:
            cached = self.cache.model(model_id)
            if cached is None:
                raise SourceError(f"{model_id}: not in the cache and the Hub is offline "
                                  "(HF_HUB_OFFLINE)", code="offline-uncached")
            return facts_from_json(cached.facts, model_id), cached.siblings
        info = listed if listed is not None else self.client.model_info(model_id, self.revision)
        facts = facts_from_info(info)
        siblings = tuple(s.rfilename for s in (getattr(info, "siblings", None) or ())
                         if getattr(s, "rfilename", None))
        if facts.sha:
            self.cache.store_model(model_id, facts.sha, facts.as_json(), siblings)
        return facts, siblings

    def _license_file(self, model_id: str, sha: str, card: CardDocument | None,
                      siblings: tuple[str, ...]) -> LicenseFile | None:
        declared = card.metadata.get("license") if card is not None else None
        needed = declared in _NEEDS_FILE or (isinstance(declared, str)
                                             and declared.lower() in _NEEDS_FILE)
        name = next((n for n in LICENSE_FILE_NAMES if n in siblings), None)
        if not needed or name is None:
            return None
        try:
            raw, _ = self.client.file_bytes(model_id, name, sha)
        except SourceError:
            return None
        return LicenseFile(name, raw.decode("utf-8", errors="replace"))

    def _dataset_statuses(self, card: CardDocument) -> dict[str, DatasetStatus] | None:
        """The Hub's word on the first MAX_DATASETS_CHECKED `datasets:` ids (a hostile card
        listing thousands would cost a request each); ids past them stay unchecked, as
        without a Hub."""
        ids = list(dict.fromkeys(d for d in metadata_datasets(card.metadata)
                                 if is_hub_id(d) or is_org_name(d)))[:MAX_DATASETS_CHECKED]
        if not self.check_datasets or not ids:
            return None
        statuses: dict[str, DatasetStatus] = {}
        for dataset_id in ids:
            statuses[dataset_id] = self._dataset_status(dataset_id)
        if all(s is DatasetStatus.UNKNOWN for s in statuses.values()):
            return None
        return statuses

    def _dataset_status(self, dataset_id: str) -> DatasetStatus:
        # One lock per dataset id: two models naming the same dataset at the same time
        # must not both ask the Hub (the second waits and reuses the first answer).
        with self._lock:
            id_lock = self._dataset_locks.setdefault(dataset_id, threading.Lock())
        with id_lock:
            with self._lock:
                known = self._datasets.get(dataset_id)
            if known is not None:
                return known
            return self._look_up_dataset(dataset_id)

    def _look_up_dataset(self, dataset_id: str) -> DatasetStatus:
        cached = self.cache.dataset_status(dataset_id, self.refresh)
        if cached is not None:
            status = DatasetStatus(cached)
        elif self.client.offline:
            status = DatasetStatus.UNKNOWN
        else:
            status = self.client.dataset_status(dataset_id)
            if status is not DatasetStatus.UNKNOWN:
                self.cache.store_dataset_status(dataset_id, status.value)
        with self._lock:
            self._datasets[dataset_id] = status
        return status
