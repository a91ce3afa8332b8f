"""Telling local paths and Hub ids apart, once and unambiguously, before anything is fetched.

- A path exists, or starts with `./`, `../`, `/` or `~` (then it must exist).
- A Hub id matches the Hub's grammar: `org/name`, each part letters, digits, `-`, `_`, `.`,
  not starting or ending with `-`/`.`, no `--` or `..`, at most 96 characters each.
- A model's address on huggingface.co, hf.co or the configured endpoint, as pasted from a
  browser, is its id; the address of a dataset, a Space or another revision is refused with
  what to give instead.
- Anything else is a usage error at once — a typo is never retried against the network.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cardaudit.errors import UsageError

_PART = r"[A-Za-z0-9](?:[A-Za-z0-9_.\-]{0,94}[A-Za-z0-9_])?"
_HUB_ID_RE = re.compile(rf"^{_PART}/{_PART}$")
_ORG_RE = re.compile(rf"^{_PART}$")
_PATH_PREFIXES = ("./", "../", "/", "~", ".\\", "..\\")
REVISION_RE = re.compile(r"^[\w.\-/]{1,200}$")
HUB_HOSTS = ("huggingface.co", "www.huggingface.co", "hf.co")
_MAIN_VIEWS = ("", "tree/main", "blob/main/README.md", "resolve/main/README.md")
# A list of targets: a million Hub ids is about 40 MB; more is a wrong file (or /dev/zero)
MAX_TARGET_FILE_BYTES = 64 * 2**20


def is_stdin(path: Path) -> bool:
    """`-` for a file argument (`--dump -`, `--from-file -`): standard input."""
    return str(path) == "-"


def is_hub_id(text: str) -> bool:
    return bool(_HUB_ID_RE.match(text)) and "--" not in text and ".." not in text


def is_org_name(text: str) -> bool:
    return bool(_ORG_RE.match(text)) and "--" not in text and ".." not in text


def check_revision(text: str) -> str:
    if not REVISION_RE.match(text) or ".." in text:
        raise UsageError(f"'{text}' is not a valid revision (branch, tag or commit sha)")
    return text


@dataclass(frozen=True, slots=True)
class ClassifiedTargets:
    paths: list[str]
    hub_ids: list[str]


def classify(arguments: list[str], endpoint: str | None = None) -> ClassifiedTargets:
    """Split command-line targets into local paths and Hub ids; reject anything else.
    `endpoint`: a private Hub whose model addresses are read as ids too."""
    paths: list[str] = []
    hub_ids: list[str] = []
    for raw in arguments:
        text = raw.strip()
        if not text:
            raise UsageError("an empty target was given")
        expanded = os.path.expanduser(text)
        if text.startswith(_PATH_PREFIXES) or os.path.exists(expanded):
            if not os.path.exists(expanded):
                raise UsageError(f"no such file or folder: {text}")
            paths.append(text)
        elif is_hub_id(text):
            hub_ids.append(text)
        elif (path := address_path(text, endpoint)) is not None:
            hub_ids.append(_id_of_address(text, path))
        else:
            raise UsageError(
                f"'{text}' is neither an existing file or folder nor a Hub model id (org/name)",
                hint="prefix local paths with ./ to make them unambiguous")
    return ClassifiedTargets(paths, first_spellings(hub_ids))


def classify_listed(items: list[str], endpoint: str | None = None
                    ) -> tuple[ClassifiedTargets, list[tuple[str, str]]]:
    """Like `classify`, for the lines of a target file: a line that is no path and no Hub id
    is (line, why) in the second list, so it becomes that target's error row instead of
    ending a run of forty good ones."""
    paths: list[str] = []
    hub_ids: list[str] = []
    rejected: list[tuple[str, str]] = []
    for item in items:
        try:
            one = classify([item], endpoint)
        except UsageError as exc:
            rejected.append((item, exc.message))
            continue
        paths.extend(one.paths)
        hub_ids.extend(one.hub_ids)
    return ClassifiedTargets(paths, hub_ids), rejected


def hub_model_id(text: str, endpoint: str | None = None) -> str:
    """A Hub model id, given as one or as its address, else a usage error."""
    text = text.strip()
    if is_hub_id(text):
        return text
    path = address_path(text, endpoint)
    if path is not None:
        return _id_of_address(text, path)
    raise UsageError(f"'{text}' is not a Hub model id (org/name)")


def address_path(text: str, endpoint: str | None = None) -> str | None:
    """The path of a page address on huggingface.co, hf.co or the endpoint (after the
    endpoint's own path, for a Hub served under one), else None: not an address we read."""
    if any(c.isspace() for c in text):
        return None
    try:
        parts = urlsplit(text if "://" in text else f"https://{text}")
        hosts = {*HUB_HOSTS}
        prefix = ""
        if endpoint:
            home = urlsplit(endpoint)
            if (parts.hostname or "") == (home.hostname or "").lower() and home.hostname:
                prefix = home.path.rstrip("/")
                hosts.add(home.hostname.lower())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or (parts.hostname or "") not in hosts:
        return None
    if prefix and parts.path.startswith(f"{prefix}/"):
        return parts.path[len(prefix):]
    return parts.path


def _id_of_address(url: str, path: str) -> str:
    """The model id a Hub page address names (the card at main), else a usage error that says
    what to give instead."""
    parts = [p for p in path.split("/") if p]
    kind = parts[0].lower() if parts else ""
    if kind in ("datasets", "spaces"):
        what = "a dataset" if kind == "datasets" else "a Space"
        raise UsageError(f"'{url}' is {what}, not a model: cardaudit audits model cards")
    model_id = "/".join(parts[:2])
    if len(parts) < 2 or not is_hub_id(model_id):
        raise UsageError(
            f"'{url}' is neither an existing file or folder nor a Hub model id (org/name)",
            hint="give the model's id, as in https://huggingface.co/org/name")
    view = parts[2:]
    if "/".join(view) not in _MAIN_VIEWS:
        if len(view) >= 2 and view[0] in ("tree", "blob", "resolve") and view[1] != "main":
            raise UsageError(f"'{url}' is revision {view[1]} of {model_id}: give {model_id} "
                             f"--revision {view[1]}")
        raise UsageError(f"'{url}' is not the model card of {model_id}: give {model_id}")
    return model_id


def first_spellings(names: list[str]) -> list[str]:
    """Hub ids and organization names without repeats, in order: the Hub reads them without
    regard to case (ACME/Model is acme/model), so the first spelling named is kept."""
    kept: dict[str, str] = {}
    for name in names:
        kept.setdefault(name.lower(), name)
    return list(kept.values())


def read_target_file(path: Path) -> list[str]:
    """One id or path a line; blank lines and `#` comments are ignored. `-` is standard input
    (`grep qwen models.txt | cardaudit check --from-file -`)."""
    name = "standard input" if is_stdin(path) else str(path)
    try:
        if is_stdin(path):
            data = sys.stdin.buffer.read(MAX_TARGET_FILE_BYTES + 1)
        else:
            with path.open("rb") as handle:
                data = handle.read(MAX_TARGET_FILE_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(data) > MAX_TARGET_FILE_BYTES:
        raise UsageError(f"{name} holds more than {MAX_TARGET_FILE_BYTES // 2**20} MiB of "
                         "targets: is it the list of targets?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{name} is not UTF-8 text") from None
    out = []
    for line in text.splitlines():
        item = line.split("#", 1)[0].strip()
        if item:
            out.append(item)
    return out


def safe_name(model_id: str) -> str:
    """A file name for a model id that cannot escape its folder (a hash plus a readable tail)."""
    digest = hashlib.sha256(model_id.encode("utf-8")).hexdigest()[:24]
    readable = re.sub(r"[^A-Za-z0-9_.\-]", "_", model_id.replace("/", "--"))[:80].strip("._")
    return f"{readable or 'model'}.{digest}"
