"""A loopback fake of the Hugging Face Hub API that huggingface_hub's real client talks to.

Serves, from small fixtures this project writes itself:
- `GET /api/models/{id}` (and `/revision/{rev}`) — a model's API record;
- `GET /api/models?author=&search=&sort=&limit=&expand=` — paginated with `Link: rel="next"`
  whose URL carries the whole query (the client re-adds nothing); `link_base` makes that link
  point to another server (a hostile or misconfigured endpoint);
- `HEAD|GET /{id}/resolve/{rev}/{file}` — with `X-Repo-Commit`, `ETag` and an exact
  `Content-Length`, which the client requires;
- `GET /api/datasets/{id}`;
- `GET /api/models/{id}/commits/{rev}` — the repo's commits, newest first, paginated; files
  are served at every past commit (`add_commit` records one).
The commit sha is derived from a repo's content, so changed content means a new commit.
Errors speak the Hub's dialect (`X-Error-Code: RepoNotFound | GatedRepo | EntryNotFound`).
Faults are injected per test: status codes with headers (429 + Retry-After), slow replies,
connections dropped mid-body, and a seeded random failure rate. Every request is recorded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

PLACEHOLDER_CREATED = "2022-03-02T23:29:04.000Z"


@dataclass
class Repo:
    id: str
    readme: bytes | None
    files: dict[str, bytes] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    private: bool = False
    gated: bool | str = False
    allowed_tokens: set[str] = field(default_factory=set)
    # Older versions, oldest first: (sha, README bytes or None, date, title).
    history: list[tuple[str, bytes | None, str, str]] = field(default_factory=list)
    date: str = "2024-06-01T10:00:00.000Z"
    title: str = "Upload README.md"

    def commits(self) -> list[dict[str, Any]]:
        """Newest first, in the Hub's commit-listing shape."""
        versions = [*self.history, (self.sha, self.readme, self.date, self.title)]
        return [{"id": sha, "title": title, "message": "", "date": date,
                 "authors": [{"user": self.id.split("/")[0]}]}
                for sha, _, date, title in reversed(versions)]

    def readme_at(self, revision: str) -> tuple[bool, bytes | None]:
        """(whether the revision exists, README at it)."""
        if revision in ("main", self.sha):
            return True, self.readme
        for sha, readme, _, _ in self.history:
            if sha == revision:
                return True, readme
        return False, None

    def all_files(self) -> dict[str, bytes]:
        files = dict(self.files)
        if self.readme is not None:
            files["README.md"] = self.readme
        return files

    @property
    def sha(self) -> str:
        digest = hashlib.sha1()
        for name, content in sorted(self.all_files().items()):
            digest.update(name.encode() + b"\0" + content + b"\0")
        digest.update(json.dumps(self.info, sort_keys=True).encode())
        return digest.hexdigest()

    def record(self) -> dict[str, Any]:
        data = {
            "id": self.id, "author": self.id.split("/")[0], "sha": self.sha,
            "private": self.private, "gated": self.gated, "disabled": False,
            "createdAt": "2024-05-01T10:00:00.000Z", "lastModified": "2024-06-01T10:00:00.000Z",
            "downloads": 0, "likes": 0, "tags": [], "library_name": None, "pipeline_tag": None,
            "siblings": [{"rfilename": n} for n in sorted(self.all_files())],
        }
        data.update(self.info)
        return data


@dataclass
class Fault:
    pattern: re.Pattern[str]
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    delay: float = 0.0
    drop: bool = False
    method: str | None = None
    trickle: float = 0.0  # seconds between the bytes of a 200 reply (a stalling endpoint)
    body: bytes | None = None  # a 200 reply with this body in place of the real one
    query: re.Pattern[str] | None = None  # only requests whose query string matches


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class FakeHub:
    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.datasets: dict[str, dict[str, Any]] = {}
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self.page_size = 50
        self.link_base: str | None = None  # where `Link: rel="next"` points (default: here)
        self.latency = 0.0
        self.failure_rate = 0.0
        self._rng = random.Random(1234)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # ------------------------------------------------------------------ set-up
    def start(self) -> FakeHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_model(self, model_id: str, readme: str | bytes | None, *,
                  files: dict[str, str | bytes] | None = None, private: bool = False,
                  gated: bool | str = False, allowed_tokens: set[str] | None = None,
                  **info: Any) -> Repo:
        raw = readme.encode() if isinstance(readme, str) else readme
        repo = Repo(model_id, raw, {k: v.encode() if isinstance(v, str) else v
                                    for k, v in (files or {}).items()}, dict(info), private,
                    gated, set(allowed_tokens or ()))
        repo.info.setdefault("gated", gated)
        self.repos[model_id] = repo
        return repo

    def add_commit(self, model_id: str, readme: str | bytes | None, *, date: str,
                   title: str = "Update README.md") -> str:
        """Make `readme` the repo's new head; the previous content stays reachable at its
        commit. Returns the new commit sha."""
        repo = self.repos[model_id]
        repo.history.append((repo.sha, repo.readme, repo.date, repo.title))
        repo.readme = readme.encode() if isinstance(readme, str) else readme
        repo.date, repo.title = date, title
        repo.info["lastModified"] = date
        return repo.sha

    def add_dataset(self, dataset_id: str, *, private: bool = False,
                    gated: bool | str = False) -> None:
        self.datasets[dataset_id] = {"id": dataset_id, "private": private, "gated": gated,
                                     "sha": hashlib.sha1(dataset_id.encode()).hexdigest()}

    def fail(self, path_regex: str, status: int = 500, *, times: int = 1,
             headers: dict[str, str] | None = None, delay: float = 0.0, drop: bool = False,
             method: str | None = None, trickle: float = 0.0,
             body: bytes | None = None, query: str | None = None) -> None:
        self.faults.append(Fault(re.compile(path_regex), status, dict(headers or {}), times,
                                 delay, drop, method, trickle, body,
                                 re.compile(query) if query is not None else None))

    # ------------------------------------------------------------------ queries
    def count(self, method: str | None = None, path_regex: str = ".*") -> int:
        pattern = re.compile(path_regex)
        with self._lock:
            return sum(1 for r in self.requests if (method is None or r.method == method)
                       and pattern.search(r.path))

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def _take_fault(self, method: str, path: str, query: str = "") -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and fault.pattern.search(path) and (
                        fault.method is None or fault.method == method) and (
                        fault.query is None or fault.query.search(query)):
                    fault.times -= 1
                    return fault
            if self.failure_rate and self._rng.random() < self.failure_rate:
                kind = self._rng.choice(("429", "500", "drop"))
                if kind == "429":
                    return Fault(re.compile(""), 429, {"Retry-After": "0"})
                if kind == "500":
                    return Fault(re.compile(""), 500)
                return Fault(re.compile(""), 200, drop=True)
        return None

    def _record(self, method: str, path: str, query: dict[str, list[str]],
                headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(Seen(method, path, query, headers))


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            self._serve("GET")

        def do_HEAD(self) -> None:
            self._serve("HEAD")

        # -------------------------------------------------------------- plumbing
        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            query = parse_qs(parts.query)
            hub._record(method, path, query, {k.lower(): v for k, v in self.headers.items()})
            if hub.latency:
                time.sleep(hub.latency)
            fault = hub._take_fault(method, path, parts.query)
            if fault is not None:
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.drop:
                    self._drop()
                    return
                if fault.trickle:
                    self._trickle(fault.trickle)
                    return
                if fault.status != 200:
                    self._send(method, fault.status, b'{"error": "injected"}', fault.headers)
                    return
                if fault.body is not None:
                    self._send(method, 200, fault.body, fault.headers, "text/html")
                    return
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._route(method, path, query)

        def _token(self) -> str | None:
            value = self.headers.get("Authorization", "")
            return value[7:] if value.startswith("Bearer ") else None

        def _send(self, method: str, status: int, body: bytes,
                  headers: dict[str, str] | None = None,
                  content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(body)

        def _json(self, method: str, data: Any, headers: dict[str, str] | None = None) -> None:
            self._send(method, 200, json.dumps(data).encode(), headers)

        def _error(self, method: str, status: int, code: str | None, message: str) -> None:
            headers = {"X-Error-Message": message}
            if code:
                headers["X-Error-Code"] = code
            self._send(method, status, json.dumps({"error": message}).encode(), headers)

        def _trickle(self, pause: float) -> None:
            """A 200 reply whose body comes one byte at a time, each within any read timeout."""
            body = b"x" * 1000
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Repo-Commit", "0" * 40)
            self.end_headers()
            with contextlib.suppress(OSError):
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(pause)

        def _drop(self) -> None:
            if self.command == "HEAD":  # nothing at all: the connection just closes
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            body = b'{"id": "dropped", "padding": "' + b"x" * 200 + b'"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

        # -------------------------------------------------------------- routes
        def _route(self, method: str, path: str, query: dict[str, list[str]]) -> None:
            if path == "/api/models":
                self._listing(method, query)
                return
            match = re.fullmatch(r"/api/models/([^/]+/[^/]+)(?:/revision/(.+))?", path)
            if match:
                self._model(method, match.group(1))
                return
            match = re.fullmatch(r"/api/models/([^/]+/[^/]+)/commits/([^/]+)", path)
            if match:
                self._commits(method, match.group(1), query)
                return
            match = re.fullmatch(r"/api/datasets/(.+)", path)
            if match:
                self._dataset(method, match.group(1))
                return
            match = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
            if match:
                self._file(method, match.group(1), match.group(2), match.group(3))
                return
            if path == "/api/agent-harnesses":
                self._json(method, [])
                return
            self._error(method, 404, None, f"no route {path}")

        def _visible(self, method: str, repo_id: str) -> Repo | None:
            repo = hub.repos.get(repo_id)
            if repo is None:
                self._error(method, 404, "RepoNotFound", "Repository not found")
                return None
            if repo.private and self._token() not in repo.allowed_tokens:
                self._error(method, 403, None, "You don't have access to this private repo")
                return None
            return repo

        def _model(self, method: str, repo_id: str) -> None:
            repo = self._visible(method, repo_id)
            if repo is not None:
                self._json(method, repo.record())

        def _listing(self, method: str, query: dict[str, list[str]]) -> None:
            author = _first(query, "author")
            search = _first(query, "search")
            sort = _first(query, "sort")
            limit = int((query.get("limit") or ["0"])[0]) or None
            cursor = int((query.get("cursor") or ["0"])[0])
            models = [r for r in hub.repos.values() if not r.private
                      and (author is None or r.id.split("/")[0].lower() == author.lower())
                      and (search is None or search.lower() in r.id.lower())]
            if sort:
                models.sort(key=lambda r: (-(r.record().get(sort) or 0)
                                           if isinstance(r.record().get(sort), int)
                                           else str(r.record().get(sort))), reverse=False)
            else:
                models.sort(key=lambda r: r.id)
            if limit is not None:
                models = models[:limit]
            size = min(hub.page_size, limit or hub.page_size)
            page = models[cursor:cursor + size]
            headers = {}
            if cursor + size < len(models):
                next_query = {k: v for k, v in query.items() if k != "cursor"}
                next_query["cursor"] = [str(cursor + size)]
                url = (f"{hub.link_base or hub.url}/api/models?"
                       f"{urlencode(next_query, doseq=True, quote_via=quote)}")
                headers["Link"] = f'<{url}>; rel="next"'
            self._json(method, [r.record() for r in page], headers)

        def _commits(self, method: str, repo_id: str, query: dict[str, list[str]]) -> None:
            repo = self._visible(method, repo_id)
            if repo is None:
                return
            commits = repo.commits()
            page = int((query.get("p") or ["0"])[0])
            size = hub.page_size
            headers = {}
            if (page + 1) * size < len(commits):
                next_query = {k: v for k, v in query.items() if k != "p"}
                next_query["p"] = [str(page + 1)]
                url = (f"{hub.link_base or hub.url}/api/models/{repo_id}/commits/main?"
                       f"{urlencode(next_query, doseq=True, quote_via=quote)}")
                headers["Link"] = f'<{url}>; rel="next"'
            self._json(method, commits[page * size:(page + 1) * size], headers)

        def _dataset(self, method: str, dataset_id: str) -> None:
            data = hub.datasets.get(dataset_id)
            if data is None:
                self._error(method, 404, "RepoNotFound", "Dataset not found")
            elif data["private"]:
                self._error(method, 403, None, "private dataset")
            else:
                self._json(method, data)

        def _file(self, method: str, repo_id: str, revision: str, filename: str) -> None:
            repo = self._visible(method, repo_id)
            if repo is None:
                return
            known, readme_then = repo.readme_at(revision)
            if not known:
                self._error(method, 404, "RevisionNotFound", "Revision not found")
                return
            if repo.gated and self._token() not in repo.allowed_tokens:
                self._error(method, 401, "GatedRepo", "Access to this model is restricted")
                return
            files = repo.all_files()
            if filename == "README.md":
                files.pop("README.md", None)
                if readme_then is not None:
                    files["README.md"] = readme_then
            content = files.get(filename)
            if content is None:
                self._error(method, 404, "EntryNotFound", "Entry not found")
                return
            etag = '"' + hashlib.sha1(content).hexdigest() + '"'
            commit = repo.sha if revision == "main" else revision
            self._send(method, 200, content, {"X-Repo-Commit": commit, "ETag": etag},
                       content_type="text/plain; charset=utf-8")

    return Handler
