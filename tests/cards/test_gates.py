"""Gate levels from the card and from the Hub's `gated` value."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cardaudit.cards.document import CardDocument
from cardaudit.cards.gates import GateLevel, assess_gate

Card = Callable[[str | bytes], CardDocument]
GATED = ("---\nextra_gated_prompt: Accept the license agreement\nextra_gated_eu_disallowed: true\n"
         "extra_gated_fields:\n  Company: text\n  Country: country\n---\n")


def test_card_gate_form_without_hub_facts(card: Card) -> None:
    gate = assess_gate(card(GATED))
    assert (gate.level, gate.in_card, gate.eu_disallowed, gate.fields, gate.license_in_prompt) \
        == (GateLevel.CLICK_THROUGH, True, True, ("Company", "Country"), True)
    assert gate.evidence.line == 2


@pytest.mark.parametrize(("hub", "level"), [(False, GateLevel.OPEN),
                                            ("auto", GateLevel.CLICK_THROUGH),
                                            ("manual", GateLevel.APPROVAL)])
def test_hub_gated_value_decides(card: Card, hub: object, level: GateLevel) -> None:
    assert assess_gate(card(GATED), hub, hub_known=True).level is level


def test_hub_facts_missing_when_expected_is_unknown(card: Card) -> None:
    assert assess_gate(card("# M\n"), hub_expected=True).level is GateLevel.UNKNOWN


def test_open_card(card: Card) -> None:
    gate = assess_gate(card("---\nlicense: mit\n---\n"))
    assert (gate.level, gate.in_card) == (GateLevel.OPEN, False)
