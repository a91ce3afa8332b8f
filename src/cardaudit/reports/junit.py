"""JUnit XML for CI test tabs: one test case per model, a failure listing its blocking
violations. Text is escaped by the XML writer."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TextIO

from cardaudit.policy.evaluate import GateOutcome
from cardaudit.reports.escape import plain


def render(outcome: GateOutcome, stream: TextIO) -> None:
    policy = outcome.policy.name
    failures = sum(1 for v in outcome.verdicts if not v.passed)
    suites = ET.Element("testsuites", name="cardaudit", tests=str(len(outcome.verdicts)),
                        failures=str(failures))
    suite = ET.SubElement(suites, "testsuite", name=f"cardaudit policy {policy}",
                          tests=str(len(outcome.verdicts)), failures=str(failures), errors="0",
                          skipped="0")
    for verdict in outcome.verdicts:
        case = ET.SubElement(suite, "testcase", classname=f"cardaudit.{policy}",
                             name=plain(verdict.result.id))
        blocking = [v for v in verdict.violations if v.blocking]
        if blocking:
            failure = ET.SubElement(case, "failure", type="policy",
                                    message=plain(f"{len(blocking)} violation(s) of {policy}"))
            failure.text = "\n".join(plain(f"{v.clause}: {v.message}") for v in blocking)
        notes = [f"exempted: {v.clause}: {v.message}" for v in verdict.violations
                 if not v.blocking] + [f"warning: {w}" for w in verdict.warnings]
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(plain(n) for n in notes)
    ET.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(suites, encoding="unicode"))
    stream.write("\n")
