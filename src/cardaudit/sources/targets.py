"""Telling local paths and Hub ids apart, once and unambiguously, before anything is fetched.

- A path exists, or starts with `./`, `../`, `/` or `~` (then it must exist).
- A Hub id matches the Hub's grammar: `org/name`, each part letters, digits, `-`, `_`, `.`,
  not starting or ending with `-`/`.`, no `--` or `..`, at most 96 characters each.
- Anything else is a usage error at once — a typo is never retried against the network.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cardaudit.errors import UsageError

_PART = r"[A-Za-z0-9](?:[A-Za-z0-9_.\-]{0,94}[A-Za-z0-9_])?"
_HUB_ID_RE = re.compile(rf"^{_PART}/{_PART}$")
_ORG_RE = re.compile(rf"^{_PART}$")
_PATH_PREFIXES = ("./", "../", "/", "~", ".\\", "..\\")
REVISION_RE = re.compile(r"^[\w.\-/]{1,200}$")


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


def classify(arguments: list[str]) -> ClassifiedTargets:
    """Split command-line targets into local paths and Hub ids; reject anything else."""
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
        else:
            raise UsageError(
                f"'{text}' is neither an existing file or folder nor a Hub model id (org/name)",
                hint="prefix local paths with ./ to make them unambiguous")
    return ClassifiedTargets(paths, first_spellings(hub_ids))


def first_spellings(names: list[str]) -> list[str]:
    """Hub ids and organization names without repeats, in order: the Hub reads them without
    regard to case (ACME/Model is acme/model), so the first spelling named is kept."""
    kept: dict[str, str] = {}
    for name in names:
        kept.setdefault(name.lower(), name)
    return list(kept.values())


def read_target_file(path: Path) -> list[str]:
    """One id or path a line; blank lines and `#` comments are ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
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
