"""Inline SVG charts of the committee report: no script, no outside file, readable printed.

Every label is escaped; each bar carries a `<title>` (shown on hover) with its exact figures.
"""

from __future__ import annotations

from html import escape
from typing import Any

COLOURS = {"answered": "#2b6cb0", "refused": "#dd6b20", "degraded": "#a0aec0"}
_FONT = 'font-family="sans-serif" font-size="11"'


def _nice_max(value: int) -> int:
    """A round upper bound for an axis (at least 1)."""
    if value <= 5:
        return max(1, value)
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            return -(-value // step) * step
    return value


def day_label(day: str) -> str:
    """2025-03-10 -> 10/03."""
    return f"{day[8:10]}/{day[5:7]}"


def per_day_chart(per_day: list[dict[str, Any]], width: int = 760, height: int = 240) -> str:
    """Stacked bars per day: answered, refused, degraded (passages only)."""
    left, right, top, bottom = 40, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    days = len(per_day) or 1
    peak = _nice_max(max((d["questions"] for d in per_day), default=0))
    slot = plot_w / days
    bar = max(1.0, slot * 0.8)
    parts = [f'<svg role="img" aria-label="Questions par jour" viewBox="0 0 {width} {height}" width="100%" '
             f'preserveAspectRatio="xMidYMid meet" class="chart">']
    # Axis and horizontal guides.
    for tick in (0, peak // 2, peak) if peak > 1 else (0, peak):
        y = top + plot_h - plot_h * tick / peak
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e2e8f0"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {_FONT}>{tick}</text>')
    every = max(1, -(-days // 12))  # at most ~12 date labels
    for i, d in enumerate(per_day):
        x = left + i * slot + (slot - bar) / 2
        refused, degraded = d["refused"], d["degraded"]
        answered = max(0, d["questions"] - refused - degraded)
        title = escape(f"{day_label(d['day'])} : {d['questions']} question(s), {refused} refus, {degraded} en mode dégradé")
        y = top + plot_h
        parts.append(f"<g><title>{title}</title>")
        for kind, count in (("answered", answered), ("refused", refused), ("degraded", degraded)):
            if count:
                h = plot_h * count / peak
                y -= h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{COLOURS[kind]}"/>')
        parts.append("</g>")
        if i % every == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" {_FONT}>'
                         f'{escape(day_label(d["day"]))}</text>')
    # Legend.
    legend = (("answered", "réponses"), ("refused", "refus"), ("degraded", "mode dégradé"))
    for i, (kind, label) in enumerate(legend):
        x = left + i * 130
        parts.append(f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{COLOURS[kind]}"/>'
                     f'<text x="{x + 14}" y="{height - 5}" {_FONT}>{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_list_chart(items: list[tuple[str, int]], width: int = 760, row: int = 22) -> str:
    """Horizontal bars, one per labelled count (the most cited documents)."""
    if not items:
        return ""
    label_w = 300
    peak = max(count for _, count in items) or 1
    height = row * len(items) + 4
    parts = [f'<svg role="img" aria-label="Documents les plus cités" viewBox="0 0 {width} {height}" width="100%" class="chart">']
    for i, (label, count) in enumerate(items):
        y = 2 + i * row
        w = (width - label_w - 50) * count / peak
        shown = label if len(label) <= 45 else label[:44] + "…"
        parts.append(f"<g><title>{escape(label)} : {count}</title>"
                     f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" {_FONT}>{escape(shown)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{COLOURS["answered"]}"/>'
                     f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" {_FONT}>{count}</text></g>')
    parts.append("</svg>")
    return "".join(parts)
