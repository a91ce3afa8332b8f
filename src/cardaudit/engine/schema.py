"""Rule dataclasses: what a rule file becomes after validation.

A rule is data: a tree of `all` / `any` / `not` over leaves, each leaf one target plus one
operator. Nothing in a rule file is ever executed; regexes are compiled at load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cardaudit.engine.findings import Category, Severity

TARGETS = ("field", "section", "body", "hub", "fact")
COMBINATORS = ("all", "any", "not")


@dataclass(frozen=True, slots=True)
class Leaf:
    """One test: a target (`field: license`) and an operator (`equals: other`)."""

    target: str
    name: str
    operator: str
    argument: Any
    where: str
    path: tuple[str | int, ...] = ()

    @property
    def label(self) -> str:
        """How messages name this leaf's subject (`license_link`, `section training`)."""
        if self.target == "field":
            return self.name
        if self.target == "body":
            return "card text"
        return f"{self.target} {self.name}"


@dataclass(frozen=True, slots=True)
class Combinator:
    kind: str
    children: tuple[Node, ...]
    where: str


Node = Leaf | Combinator


@dataclass(frozen=True, slots=True)
class Rule:
    """A validated rule with its origin (`rules/license/link.yaml:1`)."""

    id: str
    name: str
    title: str
    category: Category
    severity: Severity
    why: str
    fix: str
    check: Node
    when: Node | None
    message: str
    pass_message: str
    file: str
    line: int
    origin: str = "shipped"
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"
