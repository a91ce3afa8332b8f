"""The CardauditError family: every failure a user can meet, with a machine code and an exit code.

Library exceptions are translated into these where they are caught, so the CLI's single error
boundary (cli/app.py) can print one clear line and pick the documented exit code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_POLICY_FAILED = 1
EXIT_USAGE = 2


class CardauditError(Exception):
    """Base of all domain errors: a one-line message, an optional hint, a machine code."""

    code: str = "error"
    exit_code: int = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class UsageError(CardauditError):
    """Bad flags or arguments: nothing was audited."""

    code = "usage"


class RuleError(CardauditError):
    """A rule, policy or reference-data file is broken; names the file and line."""

    code = "bad-rule"


class SourceError(CardauditError):
    """One model could not be fetched or read; becomes that model's error row."""

    code = "unavailable"


class StoreError(CardauditError):
    """The audit store is missing, damaged or not ours."""

    code = "bad-store"


class OutputError(CardauditError):
    """The report could not be written."""

    code = "bad-output"
