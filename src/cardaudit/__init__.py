"""cardaudit: audit AI model cards (licenses, training-data disclosure, gates, documentation)."""

from __future__ import annotations

__version__ = "0.1.0"
