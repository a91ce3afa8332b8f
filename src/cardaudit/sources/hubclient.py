"""Every Hub call, made with huggingface_hub, behind one shared limiter, bounded retries and one
translation of library exceptions into SourceErrors.

Measured client behaviour this relies on (library-facts §1): endpoint, cache and offline
settings are frozen at import, so they are passed explicitly; `model_info` never retries;
connection failures escape as raw httpx2 errors; `GatedRepoError` is a subclass of
`RepositoryNotFoundError`, so it is tested first; the shared httpx client has no timeout, so
one is set on it; a cached file is returned silently even after the repo became gated, so
access status always comes from the metadata call, never from the file cache.

Files are fetched with one streamed GET through the library's own session, headers and status
mapping, not with hf_hub_download: that makes a HEAD first (two requests per README) and writes
the whole file to disk before anything can cap it. They are kept in the library's cache layout
(snapshots/<commit>/<file>), so try_to_load_from_cache finds them without a request.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import httpx2
from huggingface_hub import HfApi, ModelInfo, constants, hf_hub_url, try_to_load_from_cache
from huggingface_hub import errors as hf_errors
from huggingface_hub.hf_api import GitCommitInfo
from huggingface_hub.utils import (  # type: ignore[attr-defined, unused-ignore]
    build_hf_headers,
    get_session,
    hf_raise_for_status,
    parse_datetime,
)
from huggingface_hub.utils import logging as hf_logging

from cardaudit import __version__
from cardaudit.cards.disclosure import DatasetStatus
from cardaudit.errors import SourceError, UsageError
from cardaudit.settings import Settings, shown_url
from cardaudit.sources.files import read_capped
from cardaudit.sources.hubcache import endpoint_cache
from cardaudit.sources.replylimits import REPLY_TIMEOUTS, BadReply, bound_replies
from cardaudit.sources.targets import is_hub_id

log = logging.getLogger(__name__)
T = TypeVar("T")

EXPAND = ["author", "sha", "createdAt", "lastModified", "downloads", "downloadsAllTime", "likes",
          "gated", "private", "disabled", "tags", "safetensors", "gguf", "pipeline_tag",
          "library_name", "baseModels", "siblings"]
RETRYABLE = {"rate-limited", "unavailable", "timeout"}
MAX_RETRY_AFTER = 120.0
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_ERROR_BODY = 64 * 1024
MAX_LIST_PAGES = 10_000  # 10 million models at the Hub's 1,000 a page
_COMMIT_RE = re.compile(r"[0-9a-f]{40}")
_PLAIN_NAME_RE = re.compile(r"[\w][\w.\-]*")  # README.md, LICENSE.txt: no folders, no dot-files


@dataclass(frozen=True, slots=True)
class UnreadableEntry:
    """A listing entry huggingface_hub could not read: the model is looked up on its own."""

    id: object


def listed_info(item: Any) -> ModelInfo | UnreadableEntry:
    """One entry of a models listing, read as HfApi.list_models reads it."""
    if not isinstance(item, dict):
        return UnreadableEntry(None)
    item.setdefault("siblings", None)
    try:
        return ModelInfo(**item)  # type: ignore[no-untyped-call, unused-ignore]
    except (TypeError, ValueError, AttributeError, KeyError):
        return UnreadableEntry(item.get("id"))


class Throttle:
    """One limiter for all workers: at most `jobs` requests in flight, and after a 429 every
    worker waits until the server's Retry-After has passed."""

    def __init__(self, jobs: int, sleep: Callable[[float], None] = time.sleep) -> None:
        self._slots = threading.BoundedSemaphore(max(1, jobs))
        self._lock = threading.Lock()
        self._resume_at = 0.0
        self._sleep = sleep

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._resume_at = max(self._resume_at, time.monotonic() + seconds)

    @contextmanager
    def slot(self) -> Iterator[None]:
        while True:
            with self._lock:
                wait = self._resume_at - time.monotonic()
            if wait <= 0:
                break
            self._sleep(min(wait, 1.0))
        with self._slots:
            yield


def on_endpoint(url: str, endpoint: str) -> str:
    """`url` when it is on the endpoint's server, else its path and query asked of the endpoint.

    The token goes with every page, so a next-page link never takes it to another server; and a
    mirror or proxy that passes on the Hub's own links (https://huggingface.co/api/models?…), or
    a load balancer that names an internal host, still lists every page through the endpoint."""
    parts, home = urlsplit(url), urlsplit(endpoint)
    if (parts.hostname, _port(parts)) == (home.hostname, _port(home)) \
            and parts.scheme in (home.scheme, "https"):
        return url
    prefix = home.path.rstrip("/")
    path = parts.path if parts.path.startswith(f"{prefix}/") else f"{prefix}{parts.path}"
    return urlunsplit((home.scheme, home.netloc, path, parts.query, ""))


def _port(parts: Any) -> int | None:
    """A URL's port, the scheme's default when it names none."""
    try:
        port: int | None = parts.port
    except ValueError:  # a port that is not a number
        return -1
    return port if port is not None else {"http": 80, "https": 443}.get(parts.scheme)


def retry_after(exc: BaseException) -> float | None:
    """Seconds a 429 reply asks to wait (RFC 9110: a number of seconds, or an HTTP date, which
    proxies send), at most MAX_RETRY_AFTER; None when it says nothing readable."""
    response = getattr(exc, "response", None)
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # "-0000": a date in UTC
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - dt.datetime.now(dt.UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def classify(exc: BaseException) -> str:
    """A machine code for a failed Hub call (most specific exception first)."""
    if isinstance(exc, SourceError):
        return exc.code
    if isinstance(exc, BadReply | RecursionError):
        return "bad-response"  # RecursionError: JSON nested deeper than the parser goes
    if isinstance(exc, hf_errors.GatedRepoError):
        return "gated"
    if isinstance(exc, hf_errors.DisabledRepoError):
        return "forbidden"
    if isinstance(exc, hf_errors.RevisionNotFoundError | hf_errors.RepositoryNotFoundError):
        return "not-found"
    if isinstance(exc, hf_errors.RemoteEntryNotFoundError):
        return "missing-file"
    if isinstance(exc, hf_errors.FileMetadataError):
        return "unavailable"  # headers the client needs were missing: a broken reply
    if isinstance(exc, hf_errors.OfflineModeIsEnabled):
        return "offline-uncached"
    if isinstance(exc, hf_errors.LocalEntryNotFoundError):
        cause = exc.__cause__ or exc.__context__
        return classify(cause) if cause is not None else "offline-uncached"
    if isinstance(exc, hf_errors.HfHubHTTPError):
        status = exc.response.status_code if exc.response is not None else 0
        if status == 429:
            return "rate-limited"
        if status in (401, 403):
            return "forbidden"
        if status == 404:
            return "not-found"
        if status >= 500 or status == 408:
            return "unavailable"
        return "bad-response"
    if isinstance(exc, httpx2.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx2.HTTPError):
        return "unavailable"
    if isinstance(exc, OSError) and "Consistency check failed" in str(exc):
        return "unavailable"
    if isinstance(exc, ValueError | KeyError | TypeError | AttributeError):
        cause = exc.__cause__
        # e.g. "Force download failed due to the above error." wraps the real HTTP error;
        # without a cause, the client could not read the reply's JSON (a date that is a number,
        # `siblings` that is a string): the same reply again would not help, so no retry
        return classify(cause) if cause is not None else "bad-response"
    return "unavailable"


def connect_failure(exc: BaseException) -> str | None:
    """Why no connection was made ("connection refused", "name or service not known"), or
    None when the failure came later: a wrong endpoint or no network reads differently from a
    Hub that answered badly."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, httpx2.ConnectError):
            reason = re.sub(r"^\[Errno [^\]]*\]\s*", "", str(current)).strip()
            return (reason[:80] or "no connection").lower()
        current = current.__cause__ or current.__context__
    return None


_DESCRIBE = {
    "gated": "gated: access needs an accepted request on the Hub (set HF_TOKEN for an account "
             "with access)",
    "not-found": "not found on the Hub",
    "forbidden": "forbidden: private or disabled, or the token has no access",
    "missing-file": "file not found in the repository",
    "offline-uncached": "not in the cache and the Hub is offline (HF_HUB_OFFLINE)",
    "rate-limited": "rate-limited by the Hub; retries exhausted",
    "unavailable": "the Hub did not answer properly; retries exhausted",
    "timeout": "the Hub did not answer in time; retries exhausted",
    "bad-response": "the Hub sent a response cardaudit cannot read",
}


def describe(code: str, what: str, exc: BaseException | None = None,
             endpoint: str | None = None) -> str:
    """One line for a failed call; with the endpoint, a connection never made names it."""
    refused = connect_failure(exc) if exc is not None and endpoint else None
    if refused:
        return (f"{what}: cannot connect to the Hub at {shown_url(endpoint or '')} ({refused}); "
                "retries exhausted")
    detail = f": {exc}" if isinstance(exc, BadReply) else ""
    response = getattr(exc, "response", None)
    if response is not None:
        detail = f" (HTTP {response.status_code})"
    return f"{what}: {_DESCRIBE.get(code, code)}{detail}"


class HubClient:
    """huggingface_hub configured from Settings, with retries and error translation."""

    def __init__(self, settings: Settings, throttle: Throttle, *, retries: int = 4,
                 backoff: float = 0.5, sleep: Callable[[float], None] = time.sleep) -> None:
        if settings.endpoint_error is not None and not settings.offline:
            raise UsageError(settings.endpoint_error,
                             hint="fix or unset HF_ENDPOINT, or pass --endpoint URL")
        self.settings = settings
        self.throttle = throttle
        self.retries = max(1, retries)
        self.backoff = backoff
        self.sleep = sleep
        self.hf_dir = endpoint_cache(settings.cache_dir, settings.endpoint) / "hf"
        token = settings.token.reveal() if settings.token else None
        self._token: str | bool = token or False
        self.api = HfApi(endpoint=settings.endpoint, token=self._token,
                         library_name="cardaudit", library_version=__version__)
        constants.HF_HUB_DISABLE_TELEMETRY = True
        if not settings.debug:  # the library's own retry warnings are not for our users
            hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call, unused-ignore]
        session = get_session()
        session.timeout = httpx2.Timeout(settings.timeout)
        bound_replies(session, REPLY_TIMEOUTS * settings.timeout)

    @property
    def offline(self) -> bool:
        return self.settings.offline

    def call(self, what: str, fn: Callable[[], T]) -> T:
        """Run one Hub call with bounded retries: 429 honours Retry-After (every worker
        waits), 5xx, timeouts and dropped connections back off exponentially with jitter."""
        last: BaseException | None = None
        for attempt in range(1, self.retries + 1):
            try:
                with self.throttle.slot():
                    return fn()
            except SourceError:
                raise
            except Exception as exc:  # translated below; nothing escapes untranslated
                last = exc
                code = classify(exc)
                log.debug("%s: attempt %d failed: %s", what, attempt, code)
                if code not in RETRYABLE or attempt == self.retries:
                    raise SourceError(describe(code, what, exc, self.settings.endpoint),
                                      code=code) from None
                if code == "rate-limited":
                    wait = retry_after(exc)
                    self.throttle.pause(wait if wait is not None else self._delay(attempt))
                else:
                    self.sleep(self._delay(attempt))
        raise SourceError(describe("unavailable", what, last, self.settings.endpoint),
                          code="unavailable")

    def _delay(self, attempt: int) -> float:
        return float(self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random()))

    def model_info(self, model_id: str, revision: str | None) -> Any:
        return self.call(model_id, lambda: self.api.model_info(
            model_id, revision=revision, expand=EXPAND,  # type: ignore[arg-type, unused-ignore]
            timeout=self.settings.timeout))

    def list_models(self, *, author: str | None = None, search: str | None = None,
                    sort: str | None = None, limit: int | None = None) -> list[Any]:
        """The listing's entries: ModelInfo, or UnreadableEntry for one the client cannot read.

        The query is what HfApi.list_models sends, but each entry is read on its own: in
        HfApi.list_models one odd entry (a date that is a number) ends the whole listing, and
        every model with it."""
        what = f"listing author={author}" if author else f"search '{search}'"
        params: dict[str, Any] = {"expand": EXPAND}
        for name, value in (("author", author), ("search", search), ("sort", sort),
                            ("limit", limit)):
            if value is not None:
                params[name] = value
        entries: list[Any] = []
        for page, _ in self.pages(what, f"{self.settings.endpoint}/api/models", params):
            entries.extend(listed_info(item) for item in page)
            if limit is not None and len(entries) >= limit:
                return entries[:limit]
        return entries

    def list_commits(self, model_id: str, revision: str | None = None, *,
                     limit: int | None = None) -> tuple[list[Any], bool]:
        """A repo's commits, newest first (GitCommitInfo: commit_id, created_at, title), read
        as HfApi.list_repo_commits reads them, and whether that is all of them: with `limit`,
        no page is asked for once `limit` commits are known (a repo of 5,000
        commits is 100 pages)."""
        url = (f"{self.settings.endpoint}/api/models/{model_id}/commits/"
               f"{quote(revision or constants.DEFAULT_REVISION, safe='')}")
        commits: list[Any] = []
        for page, last in self.pages(f"{model_id} commits", url, {}):
            commits.extend(GitCommitInfo(
                commit_id=item["id"], authors=[author["user"] for author in item["authors"]],
                created_at=parse_datetime(item["date"]), title=item["title"],
                message=item["message"], formatted_title=None, formatted_message=None)
                for item in page)
            if not last and limit is not None and len(commits) >= limit:
                return commits, False
        return commits, True

    def pages(self, what: str, url: str, params: dict[str, Any]
              ) -> Iterator[tuple[list[Any], bool]]:
        """The pages of a paginated Hub listing, following `Link: rel="next"`, each with
        whether it is the last.

        Each page is one request with this client's retries only (huggingface_hub's paginator
        retries 5xx five times itself, and a failure on page 40 restarted the whole listing).
        A next link is only ever asked of the endpoint (`on_endpoint`): the token goes with it.
        Links that loop, empty pages that point on, and listings past MAX_LIST_PAGES stop with
        bad-response."""
        headers = build_hf_headers(token=self._token, library_name="cardaudit",
                                   library_version=__version__)
        seen: set[str] = set()
        page_url: str = url
        page_params: dict[str, Any] | None = params
        for number in range(1, MAX_LIST_PAGES + 1):
            page, link = self.call(what if number == 1 else f"{what} (page {number})",
                                   functools.partial(self._page, page_url, page_params, headers))
            yield page, link is None
            if link is None:
                return
            page_url = self._next_page(what, page_url, link, seen, bool(page))
            page_params = None  # the next link carries the whole query
        raise SourceError(f"{describe('bad-response', what)}: more than {MAX_LIST_PAGES} pages",
                          code="bad-response")

    def _page(self, url: str, params: dict[str, Any] | None, headers: dict[str, str]
              ) -> tuple[list[Any], str | None]:
        response = get_session().get(url, params=params, headers=headers,
                                     timeout=self.settings.timeout)
        hf_raise_for_status(response)
        page = response.json()
        if not isinstance(page, list):
            raise BadReply("a listing page that is not a list")
        link = response.links.get("next", {}).get("url")
        return page, link if isinstance(link, str) else None

    def _next_page(self, what: str, current: str, link: str, seen: set[str],
                   had_entries: bool) -> str:
        """The next page's URL, when it is useful to ask for it; always on the endpoint."""
        named = urljoin(current, link)
        target = on_endpoint(named, self.settings.endpoint)
        if target != named:
            log.debug("%s: next page %r asked for at %r", what, named[:300], target[:300])
        if target in seen or not had_entries:
            reason = "the next-page links loop" if target in seen else \
                "an empty page points to another"
            raise SourceError(f"{describe('bad-response', what)}: {reason}", code="bad-response")
        seen.add(target)
        return target

    def cached_file(self, model_id: str, filename: str, sha: str) -> Path | None:
        found = try_to_load_from_cache(model_id, filename, cache_dir=self.hf_dir, revision=sha)
        return Path(found) if isinstance(found, str) else None

    def file_bytes(self, model_id: str, filename: str, sha: str, *, refresh: bool = False
                   ) -> tuple[bytes, bool]:
        """A repo file at a commit: from the cache if there (no request), else downloaded."""
        cached = None if refresh else self.cached_file(model_id, filename, sha)
        if cached is not None:
            return read_capped(cached, MAX_FILE_BYTES), True
        if self.offline:
            raise SourceError(describe("offline-uncached", f"{model_id}/{filename}"),
                              code="offline-uncached")
        raw, commit = self.call(f"{model_id}/{filename}",
                                lambda: self._download_capped(model_id, filename, sha))
        self._keep(model_id, filename, sha if _COMMIT_RE.fullmatch(sha) else commit, raw)
        return raw, False

    def _download_capped(self, model_id: str, filename: str, sha: str) -> tuple[bytes, str]:
        """One streamed GET of a repo file (no HEAD first, as hf_hub_download makes): at most
        MAX_FILE_BYTES are read, so a hostile endpoint cannot fill the disk or memory.
        Returns the bytes and the commit the Hub says it served."""
        url = hf_hub_url(model_id, filename, revision=sha, endpoint=self.settings.endpoint)
        headers = build_hf_headers(token=self._token, library_name="cardaudit",
                                   library_version=__version__)
        with get_session().stream("GET", url, headers=headers,
                                  timeout=self.settings.timeout) as response:
            limit = MAX_ERROR_BODY if response.status_code >= 400 else MAX_FILE_BYTES
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk[:limit - len(body)]
                if len(body) >= limit:
                    break
            if response.status_code >= 400:
                # the library's own status → exception mapping (GatedRepo, EntryNotFound, …)
                hf_raise_for_status(httpx2.Response(
                    response.status_code, headers=response.headers, content=bytes(body),
                    request=response.request))
            return bytes(body), response.headers.get("X-Repo-Commit", "")

    def _keep(self, model_id: str, filename: str, commit: str, raw: bytes) -> None:
        """Store a downloaded file where try_to_load_from_cache finds it (the snapshot of its
        commit), written atomically; nothing is kept without a commit sha to file it under."""
        if not _COMMIT_RE.fullmatch(commit) or not is_hub_id(model_id) \
                or not _PLAIN_NAME_RE.fullmatch(filename):
            return
        folder = self.hf_dir / f"models--{model_id.replace('/', '--')}" / "snapshots" / commit
        try:
            folder.mkdir(parents=True, exist_ok=True)
            partial = folder / f".{filename}.{os.getpid()}.{threading.get_ident()}.part"
            partial.write_bytes(raw)
            os.replace(partial, folder / filename)
        except OSError as exc:  # a full or read-only cache costs a re-download, not the model
            log.debug("cannot cache %s/%s: %s", model_id, filename, exc)

    def dataset_status(self, dataset_id: str) -> DatasetStatus:
        try:
            info = self.call(f"dataset {dataset_id}", lambda: self.api.dataset_info(
                dataset_id, timeout=self.settings.timeout))
        except SourceError as exc:
            return {"gated": DatasetStatus.GATED, "not-found": DatasetStatus.MISSING,
                    "forbidden": DatasetStatus.PRIVATE}.get(exc.code, DatasetStatus.UNKNOWN)
        if getattr(info, "private", False):
            return DatasetStatus.PRIVATE
        if getattr(info, "gated", False) == "manual":
            return DatasetStatus.GATED  # reference §4.2: manually gated data is not obtainable
        return DatasetStatus.PUBLIC
