"""Trend tables as a terminal table with inline bars, Markdown, CSV and JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from typing import TextIO

from rich import box
from rich.table import Table
from rich.text import Text

from cardaudit.cards.evidence import excerpt
from cardaudit.reports.escape import csv_cell, markdown, plain
from cardaudit.reports.fit import fit_columns, hidden_note
from cardaudit.reports.table import MAX_LICENSE_CELL, console_for
from cardaudit.trends.compute import Group, TrendTable
from cardaudit.trends.metrics import AREAS, LEVELS, SECTIONS

BAR_WIDTH = 8
# Dropped first when the terminal is narrow.
_TREND_DROP_ORDER = ("root avail.", "top license", "params", "base root", "score", "gated",
                     "commercial", "partial")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _bar(value: float | None, width: int = BAR_WIDTH) -> str:
    if value is None:
        return " " * width
    full = value * width
    whole = int(full)
    eighths = "▏▎▍▌▋▊▉"
    part = eighths[int((full - whole) * 7)] if whole < width and full - whole >= 1 / 7 else ""
    return ("█" * whole + part).ljust(width)


def _params(value: float | None) -> str:
    if value is None:
        return "—"
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if value >= size:
            return f"{value / size:.1f}{unit}"
    return f"{value:.0f}"


def _top_root(group: Group) -> str:
    """The most common root-base country of the group's derivatives: "CN 63% of 40"."""
    if not group.base_countries:
        return "—"
    country, share = next(iter(group.base_countries.items()))
    return f"{country} {share * 100:.0f}% of {group.derivatives:,}"


def _top_license(group: Group) -> str:
    """The group's commonest license id and its share: "apache-2.0 56%"."""
    licenses = group.primary.licenses
    if not licenses:
        return "—"
    name, share = next(iter(licenses.items()))
    return f"{excerpt(name, MAX_LICENSE_CELL)} {share * 100:.0f}%"


def _license_mix(group: Group) -> str:
    return "; ".join(f"{k}={v:.4f}" for k, v in group.primary.licenses.items())


def _root_available(group: Group) -> str:
    """Share of the group's derivatives whose root base discloses available data, of those
    whose root's card was read: "40.0% of 5"."""
    if not group.root_known:
        return "—"
    return f"{_pct(group.root_disclosure['disclosed_available'])} of {group.root_known:,}"


def _root_shares(group: Group) -> str:
    return "; ".join(f"{c}={v:.4f}" for c, v in group.base_countries.items())


def _weighted(table: TrendTable, group: Group) -> tuple[float | None, float | None]:
    """(unweighted, weighted) disclosed_available whatever --weight chose as primary."""
    a = group.primary.disclosure["disclosed_available"]
    b = group.other.disclosure["disclosed_available"]
    return (a, b) if table.query.weight == "none" else (b, a)


def _title(table: TrendTable) -> str:
    top = f", top {table.query.top} per group" if table.query.top else ""
    run = f"run {table.run_id}: " if table.run_id is not None else ""
    return f"{run}trends by {table.query.by} (cohort: {table.query.cohort}{top})"


def render_table(table: TrendTable, stream: TextIO, width: int | None = None) -> None:
    console = console_for(stream, width)
    share = table.query.by in ("base-origin", "base-country")
    columns = ["group", "models"] + (["share"] if share else []) + [
        "available", "dl-weighted", "partial", "none", "permissive", "commercial", "gated",
        "top license", "score", "params", "base root", "root avail."]
    rows = [*table.groups, *([table.total] if table.total is not None else [])]
    cells: list[list[str]] = []
    for group in rows:
        unweighted, weighted = _weighted(table, group)
        metrics = group.primary
        values = [plain(group.key), f"{group.models:,}"]
        if share:
            values.append(_pct(group.share_of_scope))
        values += [f"{_bar(unweighted)} {_pct(unweighted)}", _pct(weighted),
                   _pct(metrics.disclosure["disclosed_partial"]),
                   _pct(metrics.disclosure["not_disclosed"]), _pct(metrics.permissive),
                   _pct(metrics.commercial_use), _pct(metrics.gated), plain(_top_license(group)),
                   "—" if metrics.scores["overall"] is None
                   else f"{metrics.scores['overall']:.0f}",
                   _params(group.parameters["median"]), plain(_top_root(group)),
                   _root_available(group)]
        cells.append(values)
    bold = len(rows) - 1 if table.total is not None else -1

    def build(keep: list[int]) -> Table:
        out = Table(title=_title(table), box=box.SIMPLE_HEAD, header_style="bold",
                    pad_edge=False, show_edge=False, padding=(0, 1, 0, 0))
        for i in keep:
            out.add_column(columns[i], justify="left" if i == 0 or columns[i] == "available"
                           else "right", no_wrap=True)
        for n, values in enumerate(cells):
            out.add_row(*(Text(values[i], style="bold" if n == bold else "") for i in keep))
        return out

    keep = fit_columns(console, columns, _TREND_DROP_ORDER, build)
    console.print(build(keep))
    others = "unweighted" if table.query.weight == "none" else "download-weighted"
    legend = ("· available / dl-weighted: share disclosed and available, unweighted / "
              f"download-weighted; other shares {others}; score: mean overall; "
              "top license: commonest license id; params: median; base root: commonest "
              "country of the derivatives' root bases; "
              "root avail.: share of derivatives whose root base discloses available data, of "
              "those whose root's card was read")
    for note in (legend, *table.notes, hidden_note(columns, keep, console.width)):
        if note:
            console.print(Text(note if note.startswith(("·", "(")) else f"· {note}",
                               style="dim"))


def render_json(table: TrendTable, stream: TextIO) -> None:
    stream.write(json.dumps(table.as_json(), indent=2, ensure_ascii=False) + "\n")


def _flat(table: TrendTable, group: Group) -> list[object]:
    m = group.primary
    unweighted, weighted = _weighted(table, group)
    return [group.key, group.models, group.downloads,
            *(m.disclosure[level] for level in LEVELS), unweighted, weighted,
            m.permissive, m.commercial_use, m.gated, m.intermediaries,
            *(m.sections[s] for s in SECTIONS),
            *(m.scores[a] for a in AREAS), group.parameters["mean"], group.parameters["median"],
            group.parameters["weighted_median"], group.share_of_scope, group.derivatives,
            _root_shares(group), group.root_known,
            *(group.root_disclosure.get(level) for level in LEVELS), _license_mix(group)]


CSV_HEADER = ["group", "models", "downloads", *LEVELS, "available_unweighted",
              "available_download_weighted", "permissive", "commercial_use", "gated",
              "intermediaries", *(f"section_{s}" for s in SECTIONS),
              *(f"score_{a}" for a in AREAS),
              "parameters_mean", "parameters_median", "parameters_weighted_median", "share",
              "derivatives", "base_root_countries", "root_known",
              *(f"root_{level}" for level in LEVELS), "licenses"]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return csv_cell(str(value))


def render_csv(table: TrendTable, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for group in [*table.groups, *([table.total] if table.total else [])]:
        writer.writerow([_cell(v) for v in _flat(table, group)])


def render_markdown(table: TrendTable, stream: TextIO) -> None:
    stream.write(f"# {markdown(_title(table))}\n\n")
    stream.write("| group | models | available | dl-weighted | partial | none | permissive | "
                 "commercial | gated | re-packaged | top license | score | params (median) | "
                 "base root | root avail. |\n")
    stream.write("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    for group in [*table.groups, *([table.total] if table.total else [])]:
        m = group.primary
        unweighted, weighted = _weighted(table, group)
        score = "—" if m.scores["overall"] is None else f"{m.scores['overall']:.0f}"
        stream.write(f"| {markdown(group.key)} | {group.models:,} | {_pct(unweighted)} | "
                     f"{_pct(weighted)} | {_pct(m.disclosure['disclosed_partial'])} | "
                     f"{_pct(m.disclosure['not_disclosed'])} | {_pct(m.permissive)} | "
                     f"{_pct(m.commercial_use)} | {_pct(m.gated)} | {_pct(m.intermediaries)} | "
                     f"{markdown(_top_license(group))} | {score} | "
                     f"{_params(group.parameters['median'])} | {markdown(_top_root(group))} | "
                     f"{_root_available(group)} |\n")  # digits only: no markup
    stream.write("\n### Section completion\n\n| group | "
                 + " | ".join(s.replace("_", " ") for s in SECTIONS) + " |\n|---|"
                 + "---:|" * len(SECTIONS) + "\n")
    for group in [*table.groups, *([table.total] if table.total else [])]:
        stream.write(f"| {markdown(group.key)} | "
                     + " | ".join(_pct(group.primary.sections[s]) for s in SECTIONS) + " |\n")
    stream.write("\n" + "".join(f"- {markdown(n)}\n" for n in table.notes))


RENDERERS: dict[str, Callable[[TrendTable, TextIO], None]] = {
    "json": render_json, "csv": render_csv, "markdown": render_markdown,
}
