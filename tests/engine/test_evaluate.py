"""all / any / not with unknown; when → not applicable; evidence from the leaf."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cardaudit.cards.document import CardDocument
from cardaudit.cards.facts import analyse
from cardaudit.cards.record import HubFacts, ModelRecord
from cardaudit.engine.evaluate import Evaluator
from cardaudit.engine.findings import Finding, Outcome
from cardaudit.engine.loader import load_rule_file
from cardaudit.pack import RulePack

Card = Callable[[str | bytes], CardDocument]


def _rule(tmp_path: Path, pack: RulePack, check: str, when: str | None = None,
          message: str = "failed: $missing / $value") -> object:
    text = ("id: T-1\ntitle: t\ncategory: docs\nseverity: low\nwhy: w\nfix: f\n"
            f"check: {check}\nmessage: \"{message}\"\n")
    if when:
        text += f"when: {when}\n"
    path = tmp_path / "r.yaml"
    path.write_text(text)
    return load_rule_file(path, "r.yaml", {}, pack.knowledge.sections.names)


def _judge(tmp_path: Path, pack: RulePack, card: Card, text: str, check: str,
           when: str | None = None, **record: object) -> Finding:
    rule = _rule(tmp_path, pack, check, when)
    rec = ModelRecord("acme/m", "local", "README.md", card(text), **record)  # type: ignore[arg-type]
    evaluator = Evaluator((rule,), pack.knowledge.sections.names)  # type: ignore[arg-type]
    return evaluator.evaluate(rec, analyse(rec, pack.knowledge))[0]


CARD = "---\nlicense: other\nlicense_name: acme\n---\n# M\n\n## Uses\n\nClassify things well.\n"


def test_all_fails_and_lists_every_missing_field(tmp_path: Path, pack: RulePack,
                                                 card: Card) -> None:
    finding = _judge(tmp_path, pack, card, CARD,
                     "{all: [{field: license_link, present: true}, "
                     "{field: license_name, present: true}, {field: datasets, present: true}]}")
    assert finding.outcome is Outcome.FAIL
    assert finding.message == "failed: license_link, datasets / null"
    assert finding.evidence.excerpt == "absent from front matter (lines 1–4)"


def test_any_passes_on_one_leaf_with_its_evidence(tmp_path: Path, pack: RulePack,
                                                  card: Card) -> None:
    finding = _judge(tmp_path, pack, card, CARD,
                     "{any: [{field: license_link, present: true}, "
                     "{field: license_name, equals: acme}]}")
    assert finding.outcome is Outcome.PASS and finding.evidence.line == 3


def test_not_inverts(tmp_path: Path, pack: RulePack, card: Card) -> None:
    finding = _judge(tmp_path, pack, card, CARD, "{not: {field: license, equals: other}}")
    assert finding.outcome is Outcome.FAIL and finding.evidence.line == 2


def test_unknown_is_not_fail(tmp_path: Path, pack: RulePack, card: Card) -> None:
    finding = _judge(tmp_path, pack, card, CARD,
                     "{all: [{hub: gated, equals: false}, {field: license, present: true}]}",
                     hub_expected=True)
    assert finding.outcome is Outcome.UNKNOWN
    assert "could not be obtained" in finding.message


def test_failing_leaf_beats_unknown_in_all(tmp_path: Path, pack: RulePack, card: Card) -> None:
    finding = _judge(tmp_path, pack, card, CARD,
                     "{all: [{hub: gated, equals: false}, {field: datasets, present: true}]}",
                     hub_expected=True)
    assert finding.outcome is Outcome.FAIL


def test_hub_rules_do_not_apply_to_local_folders(tmp_path: Path, pack: RulePack,
                                                 card: Card) -> None:
    finding = _judge(tmp_path, pack, card, CARD, "{hub: gated, equals: false}")
    assert finding.outcome is Outcome.NOT_APPLICABLE


def test_hub_facts_are_read(tmp_path: Path, pack: RulePack, card: Card) -> None:
    finding = _judge(tmp_path, pack, card, CARD, "{hub: gated, one_of: [auto, manual]}",
                     hub=HubFacts("acme/m", gated="manual"))
    assert finding.outcome is Outcome.PASS and finding.evidence.excerpt == "Hub: gated = manual"


def test_when_false_is_not_applicable(tmp_path: Path, pack: RulePack, card: Card) -> None:
    finding = _judge(tmp_path, pack, card, CARD, "{field: datasets, present: true}",
                     when="{field: license, equals: mit}")
    assert finding.outcome is Outcome.NOT_APPLICABLE


def test_text_leaf_quotes_the_matching_line(tmp_path: Path, pack: RulePack, card: Card) -> None:
    finding = _judge(tmp_path, pack, card, CARD + "\n[More Information Needed]\n",
                     r"{body: true, not_matches: '(?i)\[more information needed\]'}")
    assert finding.outcome is Outcome.FAIL
    assert (finding.evidence.line, finding.evidence.excerpt) == (11, "[More Information Needed]")


def test_unreadable_card_makes_card_rules_unknown(tmp_path: Path, pack: RulePack) -> None:
    from cardaudit.cards.record import CardError

    rule = _rule(tmp_path, pack, "{field: license, present: true}")
    rec = ModelRecord("acme/m", "hub", "acme/m", None, card_error=CardError("gated", "no access"))
    evaluator = Evaluator((rule,), pack.knowledge.sections.names)  # type: ignore[arg-type]
    finding = evaluator.evaluate(rec, analyse(rec, pack.knowledge))[0]
    assert finding.outcome is Outcome.UNKNOWN and "gated: no access" in finding.message


@pytest.mark.parametrize("message", ["{0.__class__}", "%s %(x)s", "${value!r}"])
def test_card_text_in_messages_is_never_formatted(tmp_path: Path, pack: RulePack, card: Card,
                                                  message: str) -> None:
    finding = _judge(tmp_path, pack, card, "---\nlicense: '{0.__class__} %s $value'\n---\n",
                     "{field: license, equals: mit}")
    assert finding.message.endswith("{0.__class__} %s $value")


@pytest.mark.parametrize(("value", "shown"), [
    ("{name: acme, version: 2}", "name: acme, version: 2"),
    ("[true, null, {a: 1}]", 'true, null, {"a": 1}'),
    ("false", "false"),
])
def test_value_in_a_message_reads_as_the_card_wrote_it(tmp_path: Path, pack: RulePack,
                                                       card: Card, value: str,
                                                       shown: str) -> None:
    """$value shows front-matter values as YAML/JSON text, never Python's repr."""
    text = f"---\nlicense: mit\nmodel_type: {value}\n---\n# M\n"
    finding = _judge(tmp_path, pack, card, text, "{field: model_type, equals: bert}")
    assert finding.outcome is Outcome.FAIL
    assert finding.message == f"failed: model_type / {shown}"


@pytest.mark.parametrize(("license_", "messages"), [
    ("'???'", {"CA-LIC-003": "the license could not be identified (declared: ???)",
               "CA-LIC-004": "`license` holds an unknown id or an invalid expression: ???",
               "CA-LIC-006": "the license (???) is not an open-source-style license; its "
                             "category is unknown"}),
    (None, {"CA-LIC-003": "the license could not be identified (declared: nothing)",
            "CA-LIC-001": "no `license` in the front matter (license found in: none; "
                          "identified as: unknown)"}),
    ("other\nlicense_link: see below", {
        "CA-LIC-002": "license is 'other' without a usable license_link, license_name"}),
])
def test_license_findings_quote_what_the_card_declared(audit_card: Callable[..., object],
                                                       license_: str | None,
                                                       messages: dict[str, str]) -> None:
    """They said "(declared: unknown)" and "…invalid expression: false" (the checked fact),
    and "??? is a unknown license"."""
    front = f"---\nlicense: {license_}\n---\n" if license_ else ""
    result = audit_card(front + "# M\n")
    found = {f.rule: f.message for f in result.findings}  # type: ignore[attr-defined]
    assert {rule: found[rule] for rule in messages} == messages


def test_a_license_found_outside_the_front_matter_is_named_with_its_origin(
        audit_card: Callable[..., object]) -> None:
    """CA-LIC-001 said "(resolved from: null)": the missing key's value, not the license."""
    result = audit_card("# M\n\nThis model is released under the MIT license.\n")
    found = {f.rule: f.message for f in result.findings}  # type: ignore[attr-defined]
    assert found["CA-LIC-001"] == ("no `license` in the front matter (license found in: card "
                                   "text; identified as: mit)")


def test_unchecked_datasets_say_why_they_are_unknown(audit_card: Callable[..., object]) -> None:
    """A source with Hub facts but no dataset lookups (a dump) left "fact data.unobtainable
    could not be determined"."""
    result = audit_card("---\nlicense: mit\ndatasets: [acme/data]\n---\n# M\n",
                        hub=HubFacts("acme/model"))
    finding = next(f for f in result.findings if f.rule == "CA-DATA-005")  # type: ignore[attr-defined]
    assert finding.outcome is Outcome.UNKNOWN
    assert finding.message == ("unknown: the listed datasets were not looked up on the Hub "
                               "(only a Hub audit without --no-dataset-check does)")


@pytest.mark.parametrize(("text", "message"), [
    ("# M\n\nA model.\n", "commercial use cannot be judged: the license is not identified"),
    ("---\nlicense: other\nlicense_name: minimax-community\n---\n# M\n",
     "the terms of minimax-community do not settle commercial use: read them"),
    ("---\nlicense: apache-2.0\n---\n# M\n\nThe Apache-2.0 license covers the code only; "
     "the model weights are under a separate model license.\n",
     "the card says apache-2.0 covers the code only; the weights' terms, which decide "
     "commercial use, are not identified"),
])
def test_open_commercial_use_says_why(audit_card: Callable[..., object], text: str,
                                      message: str) -> None:
    """"fact license.commercial_use could not be determined" was the message on every card
    with an unknown license (9,005 rows of the 2022 dump)."""
    finding = next(f for f in audit_card(text).findings  # type: ignore[attr-defined]
                   if f.rule == "CA-LIC-005")
    assert (finding.outcome, finding.message) == (Outcome.UNKNOWN, f"unknown: {message}")


@pytest.mark.parametrize(("text", "hub_tags", "rule", "message"), [
    ("---\nlicense: mit\n---\n# M\n\nThis model is released under the Apache 2.0 license.\n",
     None, "CA-LIC-012", "the card text states another license than the metadata's (mit)"),
    ("---\nlicense: mit\n---\n# M\n", ("license:apache-2.0",), "CA-LIC-013",
     "the Hub's license tag is apache-2.0, the card's license mit (found in: front matter)"),
    # a card that declares nothing did not "differ": it says nothing, the Hub says apache-2.0
    ("# M\n\nA model.\n", ("license:apache-2.0",), "CA-LIC-013",
     "the Hub's license tag is apache-2.0, the card's license unknown (found in: none)"),
])
def test_a_disagreement_says_whose_license_it_names(
        audit_card: Callable[..., object], text: str, hub_tags: tuple[str, ...] | None,
        rule: str, message: str) -> None:
    """"… another license than the card (mit)" read as if mit were the other license."""
    hub = HubFacts("acme/model", tags=hub_tags) if hub_tags else None
    result = audit_card(text, hub=hub)
    finding = next(f for f in result.findings if f.rule == rule)  # type: ignore[attr-defined]
    assert (finding.outcome, finding.message) == (Outcome.FAIL, message)


def test_a_field_missing_where_text_made_the_rule_apply_points_at_the_text(
        tmp_path: Path, pack: RulePack, card: Card) -> None:
    """The evidence is the line the `when` matched; the message still speaks of the field
    ($field, $value, $missing), as a user's own rule may say "$field is missing"."""
    rule = _rule(tmp_path, pack, "{field: base_model, present: true}",
                 "{body: true, matches: 'fine-tuned from'}", "$field is missing ($missing)")
    text = "---\nlicense: mit\n---\n# M\n\nThis model was fine-tuned from acme/base.\n"
    rec = ModelRecord("acme/m", "local", "README.md", card(text))
    evaluator = Evaluator((rule,), pack.knowledge.sections.names)  # type: ignore[arg-type]
    finding = evaluator.evaluate(rec, analyse(rec, pack.knowledge))[0]
    assert finding.outcome is Outcome.FAIL
    assert finding.message == "base_model is missing (base_model)"
    assert (finding.evidence.line, finding.evidence.excerpt) == (
        6, "This model was fine-tuned from acme/base.")
