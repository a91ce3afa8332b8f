"""Trend charts with matplotlib: disclosure levels and license categories per group as stacked
bars. PNG or SVG by the file's extension; HTML is a self-contained page around the SVG (no
scripts, no external assets). Output is reproducible (fixed SVG ids, no timestamps)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from cardaudit.cli.output import write_text_atomic
from cardaudit.errors import OutputError, UsageError
from cardaudit.reports.escape import html_text
from cardaudit.trends.compute import TrendTable
from cardaudit.trends.metrics import LEVELS

CHART_TYPES = (".png", ".svg", ".html")
MAX_GROUPS = 40
_LEVEL_COLOURS = {"disclosed_available": "#2e7d32", "disclosed_partial": "#f9a825",
                  "not_disclosed": "#c62828"}
_CATEGORY_COLOURS = {
    "permissive": "#2e7d32", "weak_copyleft": "#66bb6a", "strong_copyleft": "#9ccc65",
    "responsible_ai": "#29b6f6", "community": "#5c6bc0", "non_commercial": "#ef6c00",
    "no_derivatives": "#8d6e63", "proprietary": "#6d4c41", "unknown": "#9e9e9e",
}


def _label(key: str) -> str:
    """Group keys come from card data: keep them to harmless characters (matplotlib copies
    text into SVG comments)."""
    cleaned = re.sub(r"[^\w .·≤/+:'()-]", "?", key)[:40]
    return re.sub(r"-{2,}", "-", cleaned)


def _figure(table: TrendTable) -> Figure:
    groups = list(table.groups)[:MAX_GROUPS]
    labels = [f"{_label(g.key)}\nn={g.models:,}" for g in groups]
    weighting = "download-weighted" if table.query.weight == "downloads" else "unweighted"
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(6.0, 0.6 * len(labels) + 3), 7.5),
                                      constrained_layout=True)
    x = range(len(labels))
    base = [0.0] * len(labels)
    for level in LEVELS:
        values = [g.primary.disclosure[level] or 0.0 for g in groups]
        top.bar(x, values, bottom=base, color=_LEVEL_COLOURS[level],
                label=level.replace("_", " "))
        base = [b + v for b, v in zip(base, values, strict=True)]
    top.set_title(f"Training-data disclosure by {table.query.by} ({weighting})")
    top.set_ylabel("share of models")
    top.set_ylim(0, 1)
    top.set_xticks(list(x), labels, rotation=45 if len(labels) > 8 else 0, ha="right"
                   if len(labels) > 8 else "center")
    top.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    categories = sorted({c for g in groups for c in g.primary.license_categories},
                        key=lambda c: list(_CATEGORY_COLOURS).index(c)
                        if c in _CATEGORY_COLOURS else 99)
    base = [0.0] * len(labels)
    for category in categories:
        values = [g.primary.license_categories.get(category, 0.0) for g in groups]
        bottom.bar(x, values, bottom=base, color=_CATEGORY_COLOURS.get(category, "#bdbdbd"),
                   label=category.replace("_", " "))
        base = [b + v for b, v in zip(base, values, strict=True)]
    bottom.set_title(f"License categories by {table.query.by} ({weighting})")
    bottom.set_ylabel("share of models")
    bottom.set_ylim(0, 1)
    bottom.set_xticks(list(x), labels, rotation=45 if len(labels) > 8 else 0,
                      ha="right" if len(labels) > 8 else "center")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    return fig


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "cardaudit", "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def write_chart(table: TrendTable, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in CHART_TYPES:
        raise UsageError(f"--chart writes {', '.join(CHART_TYPES)} files, not '{path.name}'")
    if not table.groups:
        raise UsageError("nothing to chart: the run has no models in scope")
    fig = _figure(table)
    try:
        if suffix == ".png":
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=120, metadata={"Software": None})
            _write_bytes(path, buffer.getvalue())
        elif suffix == ".svg":
            write_text_atomic(path, _svg(fig))
        else:
            write_text_atomic(path, _html(table, _svg(fig)))
    finally:
        plt.close(fig)


def _write_bytes(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _html(table: TrendTable, svg: str) -> str:
    svg_body = svg[svg.index("<svg"):]
    notes = "".join(f"<li>{html_text(n)}</li>" for n in table.notes)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>cardaudit trends by {html_text(table.query.by)}</title>"
        "<style>body{font:15px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:1100px;"
        "padding:0 1rem}svg{max-width:100%;height:auto}</style></head><body>"
        f"<h1>Trends by {html_text(table.query.by)}</h1>{svg_body}<ul>{notes}</ul>"
        "</body></html>\n")
