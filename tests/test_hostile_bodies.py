"""Card bodies built to find quadratic paths: one 10 MB line, thousands of sections, a license
word on every line. Each is audited, every rule included, in time that grows with its size
(each case took minutes before its quadratic scan was removed; now seconds)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from cardaudit.cards.document import CardDocument
from cardaudit.cards.record import ModelRecord
from cardaudit.results import Status
from cardaudit.runner import Auditor

BOUND_SECONDS = 20  # generous for a shared 2-core machine; the quadratic versions took minutes

BODIES = {
    "one line of Hub ids": "acme/model-x dataset " * 600_000,
    "one line of training sentences": "It was trained on the Acme dataset; " * 300_000,
    "thousands of data sections": "## Training data\nWe used C4.\n" * 100_000,
    "a license word on every line": "see the license terms\n" * 200_000,
    "headings, then endless code blocks": "## H\ntext here\n" * 2_000 + "```\nx\n```\n" * 600_000,
    # one line of license words: each used to search back over the whole line for its start
    "one line of license words": "see the license " * 400_000,
    # code blocks, then license lines: each line used to be checked against every block
    "code blocks, then license lines": "```\nx\n```\n" * 600_000 + "see the license\n" * 300,
    # one line of corpus names in a data section: each name used to look for its line's ends
    # over the whole line (95 s)
    "one line of corpus names": "## Training data\n\nTrained on " + "wikipedia " * 1_000_000,
    # one line of "[see](…)" links in a data section: each looked back over the line for a
    # data word (about a minute)
    "one line of pointer links": "## Dataset\n\n" + "[see](https://github.com/a) data " * 300_000,
    # one data-section line of corpus names, each in a clause that unnames it, or behind reader
    # guidance: each judged the whole line again (hours)
    "one data line of negated corpus names":
        "## Training data\n\n" + "wikipedia was not used, " * 400_000,
    "one data line of guidance and corpus names":
        "## Training data\n\n" + "you wikipedia " * 700_000,
    # a thousand sentences announcing the same long list of paper links: each would read the
    # whole list again
    "sentences announcing one long list":
        "It was trained on these datasets. " * 1_000 + "\n- "
        + "[p](https://arxiv.org/a) " * 350_000,
    # a sentence about training on every line, outside data sections: each was judged, with
    # the one before it (about 2 minutes)
    "lines of training sentences": "trained.\n" * 1_100_000,
}


_PARTS = "-".join(["Ab"] * 6_000)
FRONT_MATTERS = {
    # `datasets:` ids looked for in the text: long made-up names, and Hub-length ones whose
    # words fill the body (each regex once took 1.7 s per id on 1 MB of front matter)
    "long dataset names": "".join(f"- org/{_PARTS}{i}\n" for i in range(50)),
    "dataset names the body repeats": "".join(f"- org{i}/{_PARTS[:95]}\n" for i in range(50)),
}
BODIES["dataset names the body repeats"] = "Ab " * 3_000_000
BODIES["long dataset names"] = "We trained it on " + "Ab " * 1_000_000


@pytest.mark.parametrize("name", sorted(BODIES))
def test_hostile_body_is_audited_in_bounded_time(auditor: Auditor,
                                                 card: Callable[[str | bytes], CardDocument],
                                                 name: str) -> None:
    datasets = f"datasets:\n{FRONT_MATTERS[name]}" if name in FRONT_MATTERS else ""
    text = f"---\nlicense: apache-2.0\n{datasets}---\n# M\n\n" + BODIES[name]
    started = time.perf_counter()
    result = auditor.audit(ModelRecord("acme/hostile", "local", "here", card(text)))
    assert result.judgement is not None and len(result.judgement.findings) >= 25
    assert time.perf_counter() - started < BOUND_SECONDS, name
    assert result.status is Status.OK and result.scores.overall is not None
