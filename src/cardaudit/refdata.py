"""Finding and reading the shipped data folder (`rules/`): rules, licenses, sections, lists.

The folder is data, not code. In a source checkout it is `<repo>/rules`; an installed wheel
carries a copy as `cardaudit/_rules`. Every file is read with the project's bounded YAML reader,
so a broken data file fails with `file:line`, like a broken rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from cardaudit.cards import yamlsafe
from cardaudit.errors import RuleError

MAX_DATA_FILE_BYTES = 4 * 1024 * 1024


def shipped_rules_dir() -> Path:
    """The rule pack that ships with cardaudit."""
    packaged = Path(str(resources.files("cardaudit"))) / "_rules"
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parents[2] / "rules"
    if source.is_dir():
        return source
    raise RuleError("the shipped rules folder is missing from this installation",
                    hint="reinstall cardaudit")


@dataclass(frozen=True, slots=True)
class DataFile:
    """A YAML data file read into plain values, with the line of every key for messages."""

    path: Path
    display: str
    data: Any
    lines: dict[str, int]

    def where(self, key_path: str) -> str:
        """`file:line` for a key path (its parent's line, else line 1 for a key the file
        lacks): every error names a line, as editors and CI annotations expect."""
        line = self.lines.get(key_path)
        if line is None and "." in key_path:
            return self.where(key_path.rsplit(".", 1)[0])
        return f"{self.display}:{line or 1}"

    def fail(self, key_path: str, message: str) -> RuleError:
        return RuleError(f"{self.where(key_path)}: {key_path}: {message}")


def read_data_file(path: Path, display: str | None = None) -> DataFile:
    """Read one YAML file; any problem in it is a RuleError naming the file and line."""
    shown = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_DATA_FILE_BYTES:
        raise RuleError(f"{shown}: file is larger than {MAX_DATA_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleError(f"{shown}: not valid UTF-8") from None
    loaded = yamlsafe.load(text.replace("\r\n", "\n"), line_depth=12)
    if loaded.problems:
        problem = loaded.problems[0]
        line = f":{problem.line + 1}" if problem.line is not None else ""
        raise RuleError(f"{shown}{line}: {problem.message}")
    if loaded.used_aliases:
        raise RuleError(f"{shown}: YAML aliases are not allowed in cardaudit data files")
    return DataFile(path, shown, loaded.value, {k: v + 1 for k, v in loaded.lines.items()})


def load_lists(path: Path) -> dict[str, tuple[Any, ...]]:
    """The named lists of rules/reference/lists.yaml (`in_list` operands, re-packagers)."""
    data_file = read_data_file(path, "rules/reference/lists.yaml")
    lists = data_file.data.get("lists") if isinstance(data_file.data, dict) else None
    if not isinstance(lists, dict):
        raise RuleError(f"{data_file.display}: expected a 'lists' mapping")
    out: dict[str, tuple[Any, ...]] = {}
    for name, values in lists.items():
        if not isinstance(values, list):
            raise data_file.fail(f"lists.{name}", "expected a list")
        out[str(name)] = tuple(values)
    return out
