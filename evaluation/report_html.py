"""report.html: the evaluation report as one self-contained page for the governance group.

The same text as report.md (converted, every character of it escaped), with the run's
identity card after the summary and a chart after the sections they illustrate: the main
rates with their 95 % intervals, the retrieval methods compared, results by language and by
document kind, and the spread of response times. Charts are PNG images embedded in the
page; without matplotlib the page says so and keeps its tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from evaluation import charts
from evaluation.html_page import figure, page
from evaluation.identity import run_identity
from evaluation.labels import HEADLINE, LOWER_IS_BETTER, MODE_NAMES, RATE_LABELS, mode_label, rate_label
from evaluation.markdown_html import sections, to_html
from evaluation.metrics import TOP, without_model
from evaluation.summary import summary_lines

HTML = "report.html"
SUMMARY = "En bref"
# The section (## title) of report.md each chart follows.
PLACES = {
    "Résultats principaux": "rates",
    "Méthodes de recherche comparées": "methods",
    "Résultats par langue": "by_lang",
    "Résultats par type de document attendu": "by_kind",
    "Temps de réponse": "latency",
}
NO_CHARTS = (
    "Graphiques indisponibles : matplotlib n'est pas installé (pip install -c requirements.lock matplotlib). Les tableaux restent complets."
)


# --- charts ---------------------------------------------------------------------------------


def _rates(metrics: Mapping[str, Any]) -> str | None:
    rows = []
    hybrid = (metrics.get("retrieval") or {}).get("hybrid") or {}
    for name in (f"hit@{TOP}", "hit@1"):
        if hybrid.get(name, {}).get("value") is not None:
            rows.append((f"{RATE_LABELS[name]} (recherche hybride)", hybrid[name], True))
    for name in HEADLINE:
        rate = (metrics.get("answers") or {}).get(name)
        if rate is not None and rate.get("value") is not None:
            rows.append((rate_label(name, without_model(metrics)), rate, name not in LOWER_IS_BETTER))
    if not rows:
        return None
    return figure(
        charts.rates_chart(rows),
        "Taux principaux avec leur intervalle de confiance à 95 %",
        "Chaque point est un taux mesuré, le trait son intervalle de confiance à 95 % : plus le trait est long, moins le chiffre est sûr.",
    )


def _methods(metrics: Mapping[str, Any]) -> str | None:
    retrieval = metrics.get("retrieval") or {}
    if not any(m[f"hit@{TOP}"]["value"] is not None for m in retrieval.values()):
        return None
    chart = charts.grouped_rates_chart(
        [mode_label(mode, retrieval) for mode in retrieval],
        [
            ("Bonne source en 1re position", [m["hit@1"] for m in retrieval.values()]),
            (f"Bonne source parmi les {TOP} premiers", [m[f"hit@{TOP}"] for m in retrieval.values()]),
        ],
    )
    return figure(
        chart,
        "Méthodes de recherche comparées",
        "Les mêmes questions cherchées avec chaque méthode. Deux méthodes ne se distinguent vraiment que si leurs traits noirs ne se chevauchent pas.",
    )


def _groups(groups: Mapping[str, Any], what: str, no_llm: bool) -> str | None:
    if not groups:
        return None
    hits = [((g.get("retrieval") or {}).get("hybrid") or {}).get(f"hit@{TOP}") for g in groups.values()]
    keywords = [(g.get("answers") or {}).get("keyword_accuracy") for g in groups.values()]
    series = [(f"Bonne source (top {TOP}, hybride)", hits)]
    if any(k is not None for k in keywords):
        series.append(("Réponses sans modèle avec les éléments attendus" if no_llm else "Réponses avec les éléments attendus", keywords))
    chart = charts.grouped_rates_chart([f"{name} ({g['questions']} q.)" for name, g in groups.items()], series)
    return figure(
        chart,
        f"Résultats par {what}",
        f"Résultats par {what}, avec le nombre de questions de chaque groupe : un petit groupe a un intervalle large.",
    )


def _answer_steps(no_llm: bool) -> tuple[tuple[str, str], ...]:
    """(latency key, label) of the answer's timed steps: no first word without the model."""
    if no_llm:
        return (("total", "réponse sans modèle (passages recopiés)"),)
    return (("first_token", "premier mot affiché"), ("total", "réponse complète, vérifiée"))


def _latency(metrics: Mapping[str, Any], records: Sequence[Mapping[str, Any]] | None) -> str | None:
    retrieval, answers = metrics.get("retrieval") or {}, metrics.get("answers")
    steps = _answer_steps(without_model(metrics))
    if records:
        searches = [
            (MODE_NAMES[mode], [r["retrieval"][mode]["seconds"] for r in records if mode in (r.get("retrieval") or {})])
            for mode in retrieval
        ]
        answered = [r["answer"] for r in records if r.get("answer")]
        panels = [("Recherche des passages, par méthode", searches)]
        if answered:
            times = {
                "first_token": [a["first_token_s"] for a in answered if a.get("first_token_s") is not None],
                "total": [a["total_s"] for a in answered],
            }
            panels.append(("Réponse", [(label, times[key]) for key, label in steps]))
        if not any(values for _, rows in panels for _, values in rows):
            return None
        chart = charts.latency_chart(panels)
        caption = (
            "Temps de chaque question (un point par question) ; la boîte couvre la moitié centrale des questions, "
            "le trait orange est la médiane."
        )
    else:
        summary = [
            (
                "Recherche des passages, par méthode",
                [(MODE_NAMES[mode], m["latency_s"]["p50"], m["latency_s"]["p95"]) for mode, m in retrieval.items()],
            )
        ]
        if answers:
            summary.append(
                (
                    "Réponse",
                    [(label, answers["latency_s"][key]["p50"], answers["latency_s"][key]["p95"]) for key, label in steps],
                )
            )
        if not any(p50 is not None for _, rows in summary for _, p50, _ in rows):
            return None
        chart = charts.latency_summary_chart(summary)
        caption = "Médiane et 95e centile des temps (les temps question par question n'ont pas été conservés pour cette évaluation)."
    return figure(chart, "Temps de réponse", caption)


def chart_blocks(metrics: Mapping[str, Any], records: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    """The figures of the report by place name (a chart with nothing to show is left out)."""
    drawn = {
        "rates": _rates(metrics),
        "methods": _methods(metrics),
        "by_lang": _groups(metrics.get("by_lang") or {}, "langue de la question", without_model(metrics)),
        "by_kind": _groups(metrics.get("by_kind") or {}, "type de document attendu", without_model(metrics)),
        "latency": _latency(metrics, records),
    }
    return {name: html for name, html in drawn.items() if html}


# --- page -----------------------------------------------------------------------------------


def identity_table(meta: Mapping[str, Any]) -> str:
    """The run's identity as a two-column table."""
    rows = "".join(
        f"<tr><th>{escape(item.label, quote=False)}</th><td>{escape(item.value, quote=False)}</td></tr>" for item in run_identity(meta)
    )
    return f'<h2 id="identite">Identité de l\'évaluation</h2><div class="table"><table class="identity">{rows}</table></div>'


def _summary(metrics: Mapping[str, Any], no_llm: bool) -> str:
    items = "".join(f"<li>{escape(line, quote=False)}</li>" for line in summary_lines(metrics, no_llm))
    return f'<section class="summary"><h2 id="en-bref">{SUMMARY}</h2><ul>{items}</ul></section>'


def render_html(
    meta: Mapping[str, Any], metrics: Mapping[str, Any], markdown: str, records: Sequence[Mapping[str, Any]] | None = None
) -> str:
    """The page: report.md's sections, the identity card after the summary, charts after their sections."""
    blocks = chart_blocks(metrics, records) if charts.available() else {}
    parts: list[str] = []
    has_summary = any(title == SUMMARY for title, _ in sections(markdown))
    for title, text in sections(markdown):
        if title == SUMMARY:
            parts.append(f'<section class="summary">{to_html(text)}</section>')
        else:
            parts.append(to_html(text))
        if title == "" and not has_summary:
            parts.append(_summary(metrics, bool(meta.get("no_llm"))))  # a report.md written before the summary existed
        if title == SUMMARY or (title == "" and not has_summary):
            parts.append(identity_table(meta))
            if not charts.available():
                parts.append(f'<p class="note">{escape(NO_CHARTS, quote=False)}</p>')
        if PLACES.get(title) in blocks:
            parts.append(blocks.pop(PLACES[title]))
    if blocks:  # a section renamed in report.md: its chart still appears
        parts += ['<h2 id="graphiques">Graphiques</h2>', *blocks.values()]
    footer = (
        "Page autonome produite par garant-eval : graphiques intégrés, aucun fichier ni adresse extérieurs. "
        "Les mêmes chiffres sont dans report.md et metrics.json."
    )
    return page("Évaluation de Garant", "\n".join(parts), footer)


def write_html(
    out_dir: Path, meta: Mapping[str, Any], metrics: Mapping[str, Any], markdown: str, records: Sequence[Mapping[str, Any]] | None = None
) -> Path:
    """Write report.html in `out_dir`; returns its path."""
    path = Path(out_dir) / HTML
    path.write_text(render_html(meta, metrics, markdown, records), encoding="utf-8")
    return path
