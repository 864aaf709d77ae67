"""The report's paragraph on why the default retrieval is the default says what the
figures say."""

from __future__ import annotations

from evaluation.report import _why_default


def _mode(hit5: float, mrr: float, low: float, high: float) -> dict:
    return {"hit@5": {"value": hit5, "low": low, "high": high}, "mrr": {"value": mrr}}


def test_a_tie_on_hit_at_5_is_reported_as_a_tie_decided_by_mrr() -> None:
    text = _why_default({"lexical": _mode(0.976, 0.938, 0.87, 0.99), "dense": _mode(0.927, 0.862, 0.8, 0.97),
                         "hybrid": _mode(0.976, 0.927, 0.87, 0.99)})
    assert "à égalité" in text and "MRR 0,938 contre 0,927" in text
    assert "97,6 % contre 97,6 %" not in text


def test_hybrid_ahead_is_reported_as_the_reason_it_is_the_default() -> None:
    text = _why_default({"lexical": _mode(0.90, 0.8, 0.8, 0.95), "dense": _mode(0.85, 0.7, 0.75, 0.92),
                         "hybrid": _mode(0.99, 0.9, 0.95, 1.0)})
    assert "C'est pourquoi elle est le réglage par défaut" in text and "recherche lexicale" in text


def test_the_refusals_by_form_section_names_each_form_with_its_count() -> None:
    from evaluation.metrics import rate
    from evaluation.report import _refusal_forms

    lines = _refusal_forms({"value": rate(11, 13), "open": rate(4, 10)})
    text = "\n".join(lines)
    assert lines[0] == "## Refus selon la forme de la question"
    assert "| Questions sans réponse qui demandent une valeur (délai, date, nom, nombre, montant…) | 13 | 84,6 % (11/13) |" in text
    assert "| Questions sans réponse qui ne demandent aucune valeur précise | 10 | 40,0 % (4/10) |" in text
    assert "Tentatives" not in text  # a form with no question gets no row
    assert _refusal_forms({}) == []
