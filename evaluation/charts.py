"""The evaluation report's charts, drawn with matplotlib and returned as PNG data URIs
(`data:image/png;base64,…`) that an HTML page embeds: no outside file, no script.

matplotlib is imported only when a chart is drawn, with the Agg backend (no display) and,
when the home folder is not writable, its cache in a private temporary folder. Figures are
built with the object API (`matplotlib.figure.Figure`), never pyplot, so nothing global is
left behind. Labels are drawn as plain text (`text.parse_math` off: a `$` in a group name
stays a `$`). Inputs are plain numbers and rates as metrics.json stores them
(`value`, `low`, `high`, `k`, `n`).
"""

from __future__ import annotations

import base64
import io
import os
import tempfile
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BLUE, ORANGE, GREEN, GREY = "#2b6cb0", "#dd6b20", "#38a169", "#4a5568"
SERIES = (BLUE, ORANGE, GREEN, "#805ad5")
STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: no font looked up elsewhere
    "font.size": 10.5,
    "text.parse_math": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": GREY,
    "axes.labelcolor": "#1a202c",
    "xtick.color": GREY,
    "ytick.color": GREY,
    "svg.hashsalt": "garant",
}
DPI = 144
Rate = Mapping[str, Any]


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its PNG as a data URI and its size on the page in CSS pixels (so every
    chart shows its text at the same size, whatever the length of its labels)."""

    data_uri: str
    width: int
    height: int


def _figure_class() -> Any:
    """matplotlib's Figure, imported now (Agg backend, cache in a writable folder)."""
    os.environ["MPLBACKEND"] = "Agg"
    if "MPLCONFIGDIR" not in os.environ and not os.access(Path.home(), os.W_OK):
        private = Path(tempfile.gettempdir()) / f"garant-matplotlib-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
        private.mkdir(mode=0o700, exist_ok=True)
        os.environ["MPLCONFIGDIR"] = str(private)
    from matplotlib.figure import Figure

    return Figure


def available() -> bool:
    """Whether matplotlib can be imported (the report then has its charts)."""
    try:
        _figure_class()
    except ImportError:
        return False
    return True


def _png(figure: Any) -> Chart:
    """The figure as a PNG data URI (no timestamp in the file, so it is reproducible)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    data = buffer.getvalue()
    # the IHDR chunk of a PNG: width and height, big-endian, at bytes 16-24
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return Chart(uri, round(width * 96 / DPI), round(height * 96 / DPI))


def _percent(value: float) -> str:
    return f"{value:.1f} %".replace(".", ",")


def _seconds(value: float) -> str:
    """0.042 → '42 ms', 1.5 → '1,50 s', 27.3 → '27 s'."""
    if value <= 0:
        return "0"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return (f"{value:.2f} s" if value < 10 else f"{value:.0f} s").replace(".", ",")


def _wrap(label: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _percent_axis(ax: Any, ticker: Any) -> None:
    """x from 0 to 100 % with room on the right for the value labels."""
    ax.set_xlim(0, 118)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:.0f} %"))
    ax.grid(axis="x", color="#e2e8f0", linewidth=0.8)
    ax.set_axisbelow(True)


def _error(rate: Rate) -> tuple[float, float, float]:
    """(value, distance to low, distance to high), in percent."""
    value = rate["value"] * 100
    low = rate["low"] * 100 if rate.get("low") is not None else value
    high = rate["high"] * 100 if rate.get("high") is not None else value
    return value, max(0.0, value - low), max(0.0, high - value)


def rates_chart(rows: Sequence[tuple[str, Rate, bool]]) -> Chart:
    """Each rate as a point with its 95 % interval; (label, rate, higher is better)."""
    Figure = _figure_class()
    from matplotlib import rc_context, ticker

    rows = [r for r in rows if r[1].get("value") is not None]
    with rc_context(STYLE):
        figure = Figure(figsize=(7.6, 0.42 * len(rows) + 1.0))
        ax = figure.add_subplot()
        for y, (_, rate, higher_better) in enumerate(rows):
            value, below, above = _error(rate)
            colour = BLUE if higher_better else ORANGE
            ax.errorbar(value, y, xerr=[[below], [above]], fmt="o", color=colour, ecolor=colour, elinewidth=2.2, capsize=4, markersize=6)
            ax.text(value + above + 2, y, f"{_percent(value)}  (n={rate['n']})", va="center", fontsize=10, color="#1a202c")
        ax.set_yticks(range(len(rows)), [_wrap(label, 46) for label, _, _ in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        _percent_axis(ax, ticker)
        # a legend entry for each direction present
        for colour, label, present in ((BLUE, "plus haut = mieux", True), (ORANGE, "plus bas = mieux", False)):
            if any(better == present for _, _, better in rows):
                ax.plot([], [], "o", color=colour, label=label)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False, fontsize=10)
        ax.set_xlabel("Point : taux mesuré ; trait : intervalle de confiance à 95 %")
        return _png(figure)


def grouped_rates_chart(groups: Sequence[str], series: Sequence[tuple[str, Sequence[Rate | None]]]) -> Chart:
    """Horizontal bars, one block per group and one bar per series, each with its 95 % interval."""
    Figure = _figure_class()
    from matplotlib import rc_context, ticker
    from matplotlib.patches import Patch

    height = len(series) * 0.3 + 0.25
    with rc_context(STYLE):
        figure = Figure(figsize=(7.6, height * len(groups) + 1.0))
        ax = figure.add_subplot()
        for s, (_, rates) in enumerate(series):
            colour = SERIES[s % len(SERIES)]
            for g, rate in enumerate(rates):
                y = g * height + s * 0.3
                if rate is None or rate.get("value") is None:
                    ax.text(1, y, "sans objet", va="center", fontsize=9.5, color=GREY)
                    continue
                value, below, above = _error(rate)
                ax.barh(y, value, height=0.26, color=colour)
                ax.errorbar(value, y, xerr=[[below], [above]], fmt="none", ecolor="#1a202c", elinewidth=1, capsize=3)
                ax.text(value + above + 1.5, y, f"{_percent(value)} ({rate['k']}/{rate['n']})", va="center", fontsize=9.5)
        centre = (len(series) - 1) * 0.3 / 2
        ax.set_yticks([g * height + centre for g in range(len(groups))], [_wrap(g, 30) for g in groups])
        ax.set_ylim(len(groups) * height - 0.25, -0.35)
        _percent_axis(ax, ticker)
        # one legend entry per series, even one measured in no group
        handles = [Patch(color=SERIES[s % len(SERIES)], label=name) for s, (name, _) in enumerate(series)]
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(len(series), 3), frameon=False, fontsize=10)
        ax.set_xlabel("Barre : taux mesuré ; trait noir : intervalle de confiance à 95 %")
        return _png(figure)


def latency_chart(panels: Sequence[tuple[str, Sequence[tuple[str, Sequence[float]]]]]) -> Chart:
    """One panel per stage family; in each, the spread of per-question times (box: middle
    half, line: median, whiskers, each question as a dot)."""
    Figure = _figure_class()
    from matplotlib import rc_context, ticker

    panels = [(title, [(name, list(values)) for name, values in rows if values]) for title, rows in panels]
    panels = [(title, rows) for title, rows in panels if rows]
    rows_total = sum(len(rows) for _, rows in panels) or 1
    with rc_context(STYLE):
        figure = Figure(figsize=(7.6, 0.55 * rows_total + 0.9 * len(panels) + 0.4), layout="constrained")
        axes = figure.subplots(len(panels), 1, squeeze=False, height_ratios=[len(rows) + 1 for _, rows in panels])[:, 0]
        for ax, (title, rows) in zip(axes, panels, strict=True):
            data = [values for _, values in rows]
            ax.boxplot(
                data,
                orientation="horizontal",
                widths=0.5,
                showfliers=False,
                medianprops={"color": ORANGE, "linewidth": 2},
                boxprops={"color": BLUE},
                whiskerprops={"color": BLUE},
                capprops={"color": BLUE},
            )
            for y, values in enumerate(data, start=1):
                offsets = [((i * 37) % 11 - 5) / 40 for i in range(len(values))]  # spread the dots, deterministically
                ax.scatter(values, [y + o for o in offsets], s=9, color=GREY, alpha=0.55, zorder=3)
            ax.set_yticks(range(1, len(rows) + 1), [_wrap(name, 30) for name, _ in rows])
            ax.set_ylim(len(rows) + 0.6, 0.4)
            ax.set_xlim(left=0)
            ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: _seconds(v)))
            ax.grid(axis="x", color="#e2e8f0", linewidth=0.8)
            ax.set_axisbelow(True)
            ax.set_title(title, loc="left", fontsize=11, color="#1a202c")
        return _png(figure)


def latency_summary_chart(panels: Sequence[tuple[str, Sequence[tuple[str, float | None, float | None]]]]) -> Chart:
    """Median and 95th percentile per stage, one panel per stage family (each with its own
    scale: a search takes milliseconds, an answer seconds), when per-question times were not kept."""
    Figure = _figure_class()
    from matplotlib import rc_context, ticker
    from matplotlib.patches import Patch

    panels = [(title, [r for r in rows if r[1] is not None]) for title, rows in panels]
    panels = [(title, rows) for title, rows in panels if rows]
    rows_total = sum(len(rows) for _, rows in panels) or 1
    with rc_context(STYLE):
        figure = Figure(figsize=(7.6, 0.55 * rows_total + 0.9 * len(panels) + 0.4), layout="constrained")
        axes = figure.subplots(len(panels), 1, squeeze=False, height_ratios=[len(rows) + 1 for _, rows in panels])[:, 0]
        for ax, (title, rows) in zip(axes, panels, strict=True):
            peak = max((p95 if p95 is not None else p50) for _, p50, p95 in rows) or 1
            for y, (_, p50, p95) in enumerate(rows):
                ax.barh(y - 0.17, p50, height=0.32, color=BLUE)
                ax.text(p50 + peak * 0.01, y - 0.17, _seconds(p50), va="center", fontsize=9.5)
                if p95 is not None:
                    ax.barh(y + 0.17, p95, height=0.32, color=ORANGE)
                    ax.text(p95 + peak * 0.01, y + 0.17, _seconds(p95), va="center", fontsize=9.5)
            ax.set_yticks(range(len(rows)), [_wrap(name, 30) for name, _, _ in rows])
            ax.set_ylim(len(rows) - 0.5, -0.5)
            ax.set_xlim(0, peak * 1.15)
            ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: _seconds(v)))
            ax.grid(axis="x", color="#e2e8f0", linewidth=0.8)
            ax.set_axisbelow(True)
            ax.set_title(title, loc="left", fontsize=11, color="#1a202c")
        handles = [Patch(color=BLUE, label="médiane"), Patch(color=ORANGE, label="95e centile")]
        figure.legend(handles=handles, loc="outside upper center", ncols=2, frameon=False, fontsize=10)
        return _png(figure)
