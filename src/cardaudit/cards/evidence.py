"""Evidence: where in a card (or in Hub facts) a judgment comes from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

EXCERPT_CHARS = 120
ABSENT = "absent"  # how the excerpt of a field not found begins (CardDocument.absent_evidence)


class Where(StrEnum):
    METADATA = "metadata"
    BODY = "body"
    HUB = "hub"
    LICENSE_FILE = "license_file"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A field path and/or README line plus a one-line excerpt of at most ~120 characters."""

    where: Where
    field: str | None = None
    line: int | None = None
    excerpt: str = ""

    @property
    def absent(self) -> bool:
        """Evidence that something was not found: the excerpt says where it was looked for
        ("absent from front matter (lines 1–5)"), it quotes no card text."""
        return self.line is None and self.excerpt.startswith(ABSENT)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """One line, whitespace folded, cut at `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


NO_EVIDENCE = Evidence(Where.NONE)
