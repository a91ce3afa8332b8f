"""Local model folders: a model folder (README.md [+ LICENSE]), a README-style .md file, a
folder of model folders (recursive), or a Hugging Face cache folder (`models--org--name`).
A folder of model files without a README.md is a model whose card is missing, never skipped.

A folder's id is the Hub id its layout names (`org__name` as in the corpus, or
`models--org--name` as in the HF cache, is `org/name`), else its path relative to the argument.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cardaudit.cards.document import CardReader
from cardaudit.cards.licenses import LICENSE_FILE_NAMES, LicenseFile
from cardaudit.cards.record import ModelRecord
from cardaudit.cards.sections import CompiledVocabulary
from cardaudit.errors import SourceError, UsageError
from cardaudit.safetext import valid_path_text
from cardaudit.sources.base import Target
from cardaudit.sources.files import read_capped

MAX_README_BYTES = 16 * 1024 * 1024
MAX_LICENSE_BYTES = 256 * 1024
MAX_MODELS = 1_000_000
_CORPUS_LAYOUT_RE = re.compile(r"^([A-Za-z0-9][\w.\-]*)__([\w.\-]+)$")
_CACHE_LAYOUT_RE = re.compile(r"^models--([A-Za-z0-9][\w.\-]*?)--([\w.\-]+)$")
# Dataset and Space repositories of a HF cache: their cards describe no model
_OTHER_CACHE_REPO_RE = re.compile(r"^(?:datasets|spaces)--")
# What a model folder holds besides its card: a checkpoint without README.md is a model whose
# card is missing (an error row that fails a gate), not no model at all
_MODEL_FILE_NAMES = frozenset({"config.json", "adapter_config.json", "model_index.json",
                               "params.json"})
_WEIGHT_SUFFIXES = (".safetensors", ".gguf", ".onnx", ".bin", ".pt", ".pth", ".ckpt", ".h5",
                    ".msgpack", ".tflite")
_README_NAMES = ("README.md", "readme.md", "README.MD", "Readme.md")


def id_from_folder_name(name: str) -> str | None:
    """`org__name` and `models--org--name` name the Hub id `org/name`."""
    for pattern in (_CACHE_LAYOUT_RE, _CORPUS_LAYOUT_RE):
        match = pattern.match(name)
        if match:
            return f"{match.group(1)}/{match.group(2)}"
    return None


def _readme_in(folder: Path) -> Path | None:
    for name in _README_NAMES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _readme_entry(folder: Path) -> Path | None:
    """The folder's README: a regular file if there is one, else any entry by that name (a
    folder, a device, a pipe, a broken link), which makes the folder a model whose card cannot
    be read rather than no model at all."""
    found = _readme_in(folder)
    if found is not None:
        return found
    for name in _README_NAMES:
        candidate = folder / name
        if candidate.is_symlink() or candidate.exists():
            return candidate
    return None


def _holds_model_files(names: list[str]) -> bool:
    return any(n in _MODEL_FILE_NAMES or n.endswith(_WEIGHT_SUFFIXES) for n in names)


def _cache_snapshot(folder: Path) -> Path | None:
    """The snapshot a HF cache repo folder's refs/main points to (else the newest one)."""
    snapshots = folder / "snapshots"
    if not snapshots.is_dir():
        return None
    ref = folder / "refs" / "main"
    if ref.is_file():
        sha = ref.read_text(encoding="utf-8", errors="replace").strip()
        if re.fullmatch(r"[0-9a-f]{40}", sha) and (snapshots / sha).is_dir():
            return snapshots / sha
    candidates = [p for p in snapshots.iterdir() if p.is_dir() and _readme_in(p)]
    return max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None


class LocalSource:
    """Model folders and card files on disk."""

    name = "local"

    def __init__(self, paths: list[str], vocab: CompiledVocabulary,
                 display_base: Path | None = None) -> None:
        self.paths = paths
        self.vocab = vocab
        self.reader = CardReader(vocab)
        self.display_base = display_base or Path.cwd()

    def targets(self) -> list[Target]:
        """Each model once, however many of the paths reach it (a folder and a model folder
        inside it, a model folder and its README, a path named twice): the first one named
        is kept."""
        found: list[Target] = []
        seen: set[str] = set()
        for raw in self.paths:
            path = Path(os.path.expanduser(raw))
            if not path.exists():
                raise UsageError(f"no such file or folder: {raw}")
            for target in self._targets_for(path, raw):
                key = _model_key(target.location)
                if key not in seen:
                    seen.add(key)
                    found.append(target)
        return found

    def _targets_for(self, path: Path, raw: str) -> list[Target]:
        if path.is_file():
            model_id = self._file_id(path)
            return [Target(model_id, self.name, str(path))]
        if not os.access(path, os.R_OK | os.X_OK):
            raise UsageError(f"cannot read folder: {raw}")
        if _readme_entry(path) or _cache_snapshot(path):
            return [Target(self._folder_id(path, None), self.name, str(path))]
        targets = [Target(self._folder_id(folder, path), self.name, str(folder))
                   for folder in self._model_folders(path)]
        if not targets and _holds_model_files(os.listdir(path)):
            # a checkpoint without its card: one row, `missing-card`
            return [Target(self._folder_id(path, None), self.name, str(path))]
        if not targets:
            raise UsageError(f"no model cards found under {raw}",
                             hint="a model folder holds a README.md; a card file ends in .md")
        return targets

    def _model_folders(self, root: Path) -> list[Path]:
        """Folders with a card (or a HF cache snapshot), and folders of model files without
        one; a card-less folder that holds other model folders (a folder of checkpoints with a
        stray config.json) or lies inside a card-less one (a diffusers `unet/`) is none."""
        folders: list[tuple[Path, bool]] = []  # (folder, has its card)
        for current, dirs, files in os.walk(root, followlinks=False):
            dirs.sort()
            here = Path(current)
            if here != root:
                if _readme_entry(here) or _cache_snapshot(here) \
                        or _CACHE_LAYOUT_RE.match(here.name):
                    folders.append((here, True))
                    dirs[:] = []
                    continue
                if _holds_model_files(files):
                    folders.append((here, False))
            dirs[:] = [d for d in dirs if not d.startswith(".")
                       and not _OTHER_CACHE_REPO_RE.match(d)]
            if len(folders) >= MAX_MODELS:
                break
        containers = {parent for folder, carded in folders if carded
                      for parent in folder.parents}
        cardless = {folder for folder, carded in folders if not carded} - containers
        return [folder for folder, carded in folders
                if carded or (folder in cardless
                              and not any(parent in cardless for parent in folder.parents))]

    def _file_id(self, path: Path) -> str:
        if path.name in _README_NAMES:
            parent = path.resolve().parent
            return id_from_folder_name(parent.name) or valid_path_text(parent.name)
        return id_from_folder_name(path.stem) or valid_path_text(path.stem)

    def _folder_id(self, folder: Path, root: Path | None) -> str:
        layout = id_from_folder_name(folder.name)
        if layout:
            return layout
        if root is None:
            return valid_path_text(folder.resolve().name)
        return valid_path_text(folder.relative_to(root).as_posix())

    def load(self, target: Target) -> ModelRecord:
        path = Path(target.location)
        folder: Path | None
        if path.is_file():
            readme, folder = path, (path.parent if path.name in _README_NAMES else None)
        else:
            snapshot = _cache_snapshot(path) if _CACHE_LAYOUT_RE.match(path.name) else None
            folder = snapshot or path
            readme_found = _readme_entry(folder)
            if readme_found is None:
                raise SourceError(f"{target.location}: no README.md", code="missing-card")
            readme = readme_found
        if not readme.is_file():  # never open a pipe (it would block) or a device
            raise SourceError(f"{target.location}: {readme.name} is not a regular file (a "
                              "folder, device, pipe or broken link)", code="unreadable")
        raw = read_capped(readme, MAX_README_BYTES)
        doc = self.reader.read(raw)
        license_file = _license_file(folder) if folder is not None else None
        return ModelRecord(
            id=target.id, source=self.name, location=self._display(readme),
            card=doc, license_file=license_file, readme_path=self._display(readme))

    def _display(self, path: Path) -> str:
        try:
            shown = path.resolve().relative_to(self.display_base.resolve()).as_posix()
        except ValueError:
            shown = path.as_posix()
        return valid_path_text(shown)


def _model_key(location: str) -> str:
    """The model folder a target reads (a README file stands for its folder), resolved."""
    real = os.path.realpath(location)
    if os.path.basename(real) in _README_NAMES and os.path.isfile(real):
        return os.path.dirname(real)
    return real


def _license_file(folder: Path) -> LicenseFile | None:
    for name in LICENSE_FILE_NAMES:
        candidate = folder / name
        if candidate.is_file():
            try:
                text = read_capped(candidate, MAX_LICENSE_BYTES).decode("utf-8", errors="replace")
            except SourceError:
                return None
            return LicenseFile(name, text)
    return None
