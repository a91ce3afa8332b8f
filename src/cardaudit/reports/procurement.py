"""The procurement report: one self-contained HTML (or Markdown) file legal and risk teams can
file. Per model: the verdict under a policy, the obligations checklist from the license
knowledge base, the evidence quoted with its README line; charts of license categories and
disclosure levels. No external assets and no scripts: a Content-Security-Policy forbids both,
and every piece of card text is escaped.
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape
from typing import TextIO

from cardaudit.cards.disclosure import Disclosure
from cardaudit.cards.evidence import Evidence
from cardaudit.cards.licensebase import Obligation
from cardaudit.lineage.resolve import Lineage
from cardaudit.policy.evaluate import GateOutcome, Verdict
from cardaudit.reports.escape import html_text, markdown, plain

_KIND_LABEL = {
    "notice": "Notice / license text to keep", "attribution": "Attribution to display",
    "naming": "Naming rule", "user_cap": "User cap", "revenue_cap": "Revenue cap",
    "aup": "Acceptable-use policy", "outputs": "Use of outputs", "derivatives":
    "What derivatives must carry", "eu": "EU restriction",
}
_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#1d2430;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #d8dde6}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #d8dde6;
padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f3f5f9}
.pass{color:#0a7a32;font-weight:600}.fail{color:#b3261e;font-weight:600}.muted{color:#5f6b7a}
.model{border:1px solid #d8dde6;border-radius:8px;padding:.4rem 1rem 1rem;margin:1.2rem 0}
blockquote{margin:.3rem 0;padding:.3rem .7rem;background:#f6f8fa;border-left:3px solid #9aa5b4;
white-space:pre-wrap;font-family:ui-monospace,Menlo,monospace;font-size:.85rem}
.charts{display:flex;gap:2rem;flex-wrap:wrap}.chart{flex:1;min-width:320px}
ul.check{list-style:none;padding-left:0}ul.check li:before{content:"\\2610  "}
"""
_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "script-src 'none'; base-uri 'none'; form-action 'none'")


def _where(evidence: Evidence) -> str:
    parts = []
    if evidence.field:
        parts.append(evidence.field)
    if evidence.line is not None:
        parts.append(f"line {evidence.line}")
    return " · ".join(parts) or evidence.where.value


def _bar_chart(title: str, counts: list[tuple[str, int]]) -> str:
    """A horizontal bar chart as inline SVG (labels are our own category names)."""
    width, bar, gap, label_w = 460, 18, 8, 150
    height = max(1, len(counts)) * (bar + gap) + 30
    top = max((c for _, c in counts), default=1) or 1
    rows = [f'<text x="0" y="14" font-size="13" font-weight="600">{escape(title)}</text>']
    for i, (label, count) in enumerate(counts):
        y = 24 + i * (bar + gap)
        length = int((width - label_w - 40) * count / top)
        rows.append(f'<text x="0" y="{y + 13}" font-size="12">{escape(label)}</text>'
                    f'<rect x="{label_w}" y="{y}" width="{max(length, 1)}" height="{bar}" '
                    f'fill="#4a6fa5"></rect><text x="{label_w + length + 6}" y="{y + 13}" '
                    f'font-size="12">{count}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            + "".join(rows) + "</svg>")


def _counts(outcome: GateOutcome) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    categories: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    for verdict in outcome.verdicts:
        facts = verdict.result.facts
        categories[facts.license.category.value if facts else "not audited"] += 1
        levels[facts.disclosure.level.value if facts else "not audited"] += 1
    return sorted(categories.items()), sorted(levels.items())


def render_html(outcome: GateOutcome, stream: TextIO) -> None:
    report = outcome.report
    passed = sum(1 for v in outcome.verdicts if v.passed)
    categories, levels = _counts(outcome)
    out = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>cardaudit procurement report — {html_text(outcome.policy.name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Model procurement report</h1>",
        f'<p class="muted">Policy <b>{html_text(outcome.policy.name)}</b> — '
        f"{html_text(outcome.policy.description)}<br>Generated "
        f"{html_text(report.generated_at if report else '')} by cardaudit; rules "
        f"{html_text(report.rules_digest if report else '')}.</p>",
        f"<p><b>{passed}</b> of {len(outcome.verdicts)} model(s) pass the policy.</p>",
        '<div class="charts"><div class="chart">',
        _bar_chart("License categories", categories), '</div><div class="chart">',
        _bar_chart("Training-data disclosure", levels), "</div></div>",
        "<h2>Summary</h2><table><tr><th>Model</th><th>Verdict</th><th>License</th>"
        "<th>Category</th><th>Commercial use</th><th>Training data</th><th>Gate</th>"
        "<th>Score</th></tr>",
    ]
    for verdict in outcome.verdicts:
        out.append(_summary_row(verdict))
    out.append("</table><h2>Models</h2>")
    for verdict in outcome.verdicts:
        out.append(_model_html(verdict))
    if outcome.unused_exemptions:
        out.append("<h2>Unused exemptions</h2><ul>")
        out.extend(f"<li>{html_text(e.label())}</li>" for e in outcome.unused_exemptions)
        out.append("</ul>")
    out.append("</body></html>\n")
    stream.write("\n".join(out))


def _summary_row(verdict: Verdict) -> str:
    result = verdict.result
    facts = result.facts
    cls = "pass" if verdict.passed else "fail"
    cells = [html_text(result.id), f'<span class="{cls}">{"pass" if verdict.passed else "FAIL"}'
             "</span>"]
    if facts is None:
        cells += ["—"] * 5 + ["n/a"]
    else:
        lic = facts.license
        commercial = {True: "yes", False: "no", None: "unclear"}[lic.commercial_use]
        cells += [html_text(lic.key), html_text(lic.category.value), commercial,
                  html_text(facts.disclosure.level.value), html_text(facts.gate.level.value),
                  html_text(f"{_score_text(result.scores.overall)} ({result.scores.grade or '-'})")]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _score_text(score: int | None) -> str:
    return "n/a" if score is None else str(score)


def _quote(evidence: Evidence) -> str:
    if not evidence.excerpt and evidence.line is None:
        return ""
    if evidence.absent:  # where it was looked for: a filed report must not quote it
        return (f'<p class="muted">not found; {html_text(_where(evidence))}: '
                f"{html_text(evidence.excerpt)}</p>")
    return (f'<blockquote><span class="muted">{html_text(_where(evidence))}</span>\n'
            f"{html_text(evidence.excerpt)}</blockquote>")


def _named_data(dis: Disclosure) -> str:
    """Which data the card names, and which of it cannot be obtained."""
    missing = f"not obtainable: {', '.join(dis.unobtainable)}" if dis.unobtainable else ""
    return "; ".join(x for x in (dis.named_summary(), missing) if x)


def _quote_markdown(evidence: Evidence) -> str:
    """' — evidence line 3: “…”', or ' — not found; datasets: absent from front matter …'."""
    if evidence.absent:
        return f" — not found; {markdown(_where(evidence))}: {markdown(evidence.excerpt)}"
    return f" — evidence {markdown(_where(evidence))}: “{markdown(evidence.excerpt)}”"


def _model_html(verdict: Verdict) -> str:
    result = verdict.result
    facts = result.facts
    cls = "pass" if verdict.passed else "fail"
    out = [f'<section class="model"><h3>{html_text(result.id)} — <span class="{cls}">'
           f'{"pass" if verdict.passed else "FAIL"}</span></h3>',
           f'<p class="muted">{html_text(result.location)}'
           f'{" @ " + html_text(result.revision) if result.revision else ""}</p>']
    if verdict.violations or verdict.warnings:
        out.append("<h4>Policy</h4><ul>")
        for v in verdict.violations:
            state = "waived" if not v.blocking else "violation"
            out.append(f"<li><b>{state}</b> {html_text(v.clause)}: {html_text(v.message)}"
                       f"{_quote(v.evidence)}</li>")
        out.extend(f"<li>warning: {html_text(w)}</li>" for w in verdict.warnings)
        out.append("</ul>")
    if facts is None:
        error = result.error
        out.append(f"<p>Not audited: {html_text(error.message) if error else ''}</p></section>")
        return "".join(out)
    lic = facts.license
    out.append(f"<h4>License: {html_text(lic.key)} ({html_text(lic.category.value)})</h4>")
    names = [f"{html_text(t.name)} — SPDX <code>{html_text(t.spdx)}</code>"
             + (f' — <span class="muted">{html_text(t.url)}</span>' if t.url else "")
             for t in lic.terms]
    out.append("<p>" + "<br>".join(names) + f"</p>{_quote(lic.evidence)}")
    if lic.obligations:
        out.append("<h4>Obligations checklist</h4><ul class=\"check\">")
        out.extend(f"<li><b>{html_text(_KIND_LABEL.get(o.kind, o.kind))}</b>: "
                   f"{html_text(o.text)}</li>" for o in lic.obligations)
        out.append("</ul>")
    lineage = _lineage_of(verdict)
    if lineage is not None:
        out.append(_lineage_html(lineage, lic.obligations))
    if facts.gate.eu_disallowed:
        out.append("<p><b>EU restriction:</b> the gate blocks users in the European Union.</p>")
    dis = facts.disclosure
    named = _named_data(dis)
    out.append(f"<h4>Training data: {html_text(dis.level.value)} ({html_text(dis.source)})</h4>"
               + (f"<p>{html_text(named)}</p>" if named else "") + _quote(dis.evidence))
    out.append(f"<h4>Access: {html_text(facts.gate.level.value)}</h4>{_quote(facts.gate.evidence)}")
    failed = result.failed()
    if failed:
        out.append("<h4>Failed checks</h4><ul>")
        out.extend(f"<li>{html_text(f.rule)} ({html_text(f.severity.value)}): "
                   f"{html_text(f.message)}{_quote(f.evidence)}</li>" for f in failed)
        out.append("</ul>")
    out.append("</section>")
    return "".join(out)


def _lineage_of(verdict: Verdict) -> Lineage | None:
    lineage = verdict.result.lineage
    return lineage if isinstance(lineage, Lineage) else None


def _ancestry_line(lineage: Lineage) -> str:
    """'finetune of a ← b (root: b, Llama, US)' in plain text, escaped by the caller."""
    parents = ", ".join(lineage.parents)
    origin = ", ".join(x for x in (lineage.root_family, lineage.root_country) if x)
    root = f" (root: {', '.join(lineage.roots) or 'unknown'}{'; ' + origin if origin else ''})"
    missing = f"; could not look up: {', '.join(lineage.unresolved)}" if lineage.unresolved \
        else ""
    return f"{lineage.relation or 'derived'} of {parents}{root}{missing}"


MAX_ANCESTORS_LISTED = 20


def _ancestor_licenses_line(lineage: Lineage) -> str:
    """Each ancestor's own license, nearest first: they bind the derivative too."""
    nodes = list(lineage.nodes.values())
    listed = [f"{n.id}: {n.license_key or 'unknown'} "
              f"({n.category.value if n.category else 'unknown'})" if n.resolved
              else f"{n.id}: not looked up ({n.status})" for n in nodes[:MAX_ANCESTORS_LISTED]]
    more = len(nodes) - MAX_ANCESTORS_LISTED
    return "Ancestors' licenses: " + "; ".join(listed) + (f"; and {more} more" if more > 0
                                                         else "")


def _inherited_data_line(lineage: Lineage) -> str:
    """What the ancestors' cards say about training data, which a derivative inherits."""
    if lineage.inherited_data:
        return "Ancestors' training data: " + "; ".join(str(d) for d in lineage.inherited_data)
    if lineage.data_unread:
        return "Ancestors' training data: not known (an ancestor's card could not be read)"
    return "Ancestors' training data: no ancestor's card discloses it"


def _new_obligations(lineage: Lineage, own: tuple[Obligation, ...]) -> list[Obligation]:
    """Inherited duties the model's own license does not already list (same kind and text)."""
    seen = {(o.kind, o.text) for o in own}
    return [o for o in lineage.obligations if (o.kind, o.text) not in seen]


def _lineage_html(lineage: Lineage, own: tuple[Obligation, ...]) -> str:
    out = [f"<h4>Lineage</h4><p>{html_text(_ancestry_line(lineage))}</p>"
           f"<p>{html_text(_ancestor_licenses_line(lineage))}</p>"
           f"<p>{html_text(_inherited_data_line(lineage))}</p>"]
    if lineage.drift:
        out.append("<ul>" + "".join(f'<li class="fail">license drift: {html_text(d.reason)}</li>'
                                    for d in lineage.drift) + "</ul>")
    inherited = _new_obligations(lineage, own)
    if inherited:
        out.append('<p>Inherited from the ancestors:</p><ul class="check">')
        out.extend(f"<li><b>{html_text(_KIND_LABEL.get(o.kind, o.kind))}</b> "
                   f"({html_text(o.license)}): {html_text(o.text)}</li>" for o in inherited)
        out.append("</ul>")
    return "".join(out)


def _lineage_markdown(lineage: Lineage, own: tuple[Obligation, ...]) -> str:
    inherited = _new_obligations(lineage, own)
    out = [f"**Lineage** {markdown(_ancestry_line(lineage))}\n\n"
           f"{markdown(_ancestor_licenses_line(lineage))}\n\n"
           f"{markdown(_inherited_data_line(lineage))}\n\n"]
    out.extend(f"- license drift: {markdown(d.reason)}\n" for d in lineage.drift)
    out.extend(f"- [ ] inherited **{markdown(_KIND_LABEL.get(o.kind, o.kind))}** "
               f"({markdown(o.license)}): {markdown(o.text)}\n" for o in inherited)
    return "".join(out) + ("\n" if lineage.drift or inherited else "")


def render_markdown(outcome: GateOutcome, stream: TextIO) -> None:
    report = outcome.report
    passed = sum(1 for v in outcome.verdicts if v.passed)
    categories, levels = _counts(outcome)
    stream.write(f"# Model procurement report\n\nPolicy **{markdown(outcome.policy.name)}** — "
                 f"{markdown(outcome.policy.description.rstrip('.'))}. Generated "
                 f"{markdown(report.generated_at if report else '')}; rules "
                 f"`{plain(report.rules_digest if report else '')}`.\n\n"
                 f"**{passed}** of {len(outcome.verdicts)} model(s) pass the policy.\n\n")
    for title, counts in (("License categories", categories),
                          ("Training-data disclosure", levels)):
        stream.write(f"| {title} | models |\n|---|---|\n")
        stream.write("".join(f"| {markdown(k)} | {'█' * min(v, 40)} {v} |\n" for k, v in counts))
        stream.write("\n")
    for verdict in outcome.verdicts:
        stream.write(_model_markdown(verdict))


def _model_markdown(verdict: Verdict) -> str:
    result = verdict.result
    facts = result.facts
    out = [f"## {markdown(result.id)} — {'pass' if verdict.passed else '**FAIL**'}\n\n"]
    for v in verdict.violations:
        state = "waived" if not v.blocking else "violation"
        out.append(f"- {state}: {markdown(v.clause)}: {markdown(v.message)}\n")
    out.extend(f"- warning: {markdown(w)}\n" for w in verdict.warnings)
    if facts is None:
        out.append(f"\nNot audited: {markdown(result.error.message if result.error else '')}"
                   "\n\n")
        return _single_blank_lines("".join(out))
    lic = facts.license
    out.append(f"\n**License** {markdown(lic.key)} ({markdown(lic.category.value)})"
               f"{_quote_markdown(lic.evidence)}\n\n")
    for ob in lic.obligations:
        out.append(f"- [ ] **{markdown(_KIND_LABEL.get(ob.kind, ob.kind))}**: "
                   f"{markdown(ob.text)}\n")
    lineage = _lineage_of(verdict)
    if lineage is not None:
        out.append("\n" + _lineage_markdown(lineage, lic.obligations))
    dis = facts.disclosure
    named = _named_data(dis)
    out.append(f"\n**Training data** {markdown(dis.level.value)}"
               f"{' — ' + markdown(named) if named else ''}"
               f"{_quote_markdown(dis.evidence)}\n\n"
               f"**Access** {markdown(facts.gate.level.value)}\n\n")
    return _single_blank_lines("".join(out))


def _single_blank_lines(text: str) -> str:
    """Blocks that each end in a blank line, joined, leave two or three in a row: one is
    Markdown's paragraph break (no block of the report spans blank lines)."""
    return re.sub(r"\n{3,}", "\n\n", text)
