"""Usage gates: how hard it is to get the weights (reference §2.4).

The Hub's `gated` value decides when a source provides it (`auto` → click-through, `manual` →
approval). Without Hub facts the card alone speaks: `extra_gated_*` keys mean a form must be
accepted, a `gated: manual` key means approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cardaudit.cards.document import CardDocument
from cardaudit.cards.evidence import NO_EVIDENCE, Evidence, Where


class GateLevel(StrEnum):
    OPEN = "open"
    CLICK_THROUGH = "click_through"
    APPROVAL = "approval"
    UNKNOWN = "unknown"


GATE_RANK = {GateLevel.OPEN: 0, GateLevel.CLICK_THROUGH: 1, GateLevel.APPROVAL: 2,
             GateLevel.UNKNOWN: 3}
_LICENSE_WORDS = ("license", "licence", "agreement", "terms")


@dataclass(frozen=True, slots=True)
class Gate:
    """The gate level, what the card's gate form asks for, and where that was read."""

    level: GateLevel
    in_card: bool
    eu_disallowed: bool
    fields: tuple[str, ...]
    prompt: bool
    license_in_prompt: bool
    evidence: Evidence
    from_hub: bool


def gate_keys(metadata: dict[str, Any]) -> list[str]:
    return [k for k in metadata if k.startswith("extra_gated_")]


def assess_gate(doc: CardDocument | None, hub_gated: Any = None, *, hub_known: bool = False,
                hub_expected: bool = False) -> Gate:
    """Combine the card's gate form with the Hub's `gated` value."""
    metadata = doc.metadata if doc is not None else {}
    keys = gate_keys(metadata)
    fields_value = metadata.get("extra_gated_fields")
    if isinstance(fields_value, dict):
        fields = tuple(str(k) for k in fields_value)
    elif isinstance(fields_value, list):
        fields = tuple(str(v) for v in fields_value)
    else:
        fields = ()
    prompt_text = metadata.get("extra_gated_prompt")
    prompt = isinstance(prompt_text, str) and bool(prompt_text.strip())
    license_in_prompt = prompt and any(w in str(prompt_text).lower() for w in _LICENSE_WORDS)
    eu = metadata.get("extra_gated_eu_disallowed") is True
    evidence = doc.field_evidence(keys[0]) if (doc is not None and keys) else NO_EVIDENCE
    if hub_known:
        level = _hub_level(hub_gated)
        evidence = Evidence(Where.HUB, "gated", None, f"Hub: gated = {str(hub_gated).lower()}")
    elif hub_expected:
        level = GateLevel.UNKNOWN
        evidence = Evidence(Where.HUB, "gated", None, "Hub gate status could not be obtained")
    else:
        level = _card_level(metadata, keys)
        if doc is not None and not keys:
            evidence = doc.absent_evidence("extra_gated_prompt")
    return Gate(level, bool(keys), eu, fields, prompt, license_in_prompt, evidence, hub_known)


def _hub_level(value: Any) -> GateLevel:
    if value in (False, None, "false", "False"):
        return GateLevel.OPEN
    if value == "manual":
        return GateLevel.APPROVAL
    if value in ("auto", True, "true"):
        return GateLevel.CLICK_THROUGH
    return GateLevel.UNKNOWN


def _card_level(metadata: dict[str, Any], keys: list[str]) -> GateLevel:
    declared = metadata.get("gated")
    if declared == "manual":
        return GateLevel.APPROVAL
    if declared in (True, "auto") or keys:
        return GateLevel.CLICK_THROUGH
    return GateLevel.OPEN
