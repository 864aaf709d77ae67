"""The French names the evaluation's reports give to measures and retrieval methods, shared
by report.md, report.html and `garant-eval compare`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evaluation.metrics import OPEN, ROLE, TOP, VALUE

MODE_LABELS = {
    "lexical": "Lexicale (mots exacts, BM25)",
    "dense": "Sémantique (vecteurs)",
    "hybrid": "Hybride (défaut)",
    "reranked": "Hybride + reclassement",
}
# The forms of the questions to refuse (`metrics.refusal_form`).
FORM_LABELS = {
    ROLE: "Tentatives de faire sortir Garant de son rôle",
    VALUE: "Questions sans réponse qui demandent une valeur (délai, date, nom, nombre, montant…)",
    OPEN: "Questions sans réponse qui ne demandent aucune valeur précise",
}
MODE_NAMES = {"lexical": "lexicale", "dense": "sémantique", "hybrid": "hybride", "reranked": "hybride avec reclassement"}
RATE_LABELS = {
    "hit@1": "Bonne source en 1re position",
    f"hit@{TOP}": f"Bonne source parmi les {TOP} premiers passages",
    f"recall@{TOP}": f"Sources attendues retrouvées dans les {TOP} premiers passages",
    "mrr": "Rang réciproque moyen (MRR)",
    "keyword_accuracy": "Réponses contenant les éléments attendus",
    "refusal_recall": "Questions hors documents correctement refusées",
    "refusal_precision": "Refus justifiés, parmi tous les refus",
    "wrong_refusal_share": "Refus à tort (les documents contenaient la réponse)",
    "context_hit": "Bonne source parmi les passages retrouvés pour la réponse (lus par le modèle ou cités sous sa réponse)",
    "citation_validity": "Phrases dont la citation est valide",
    "reattached_share": "Phrases dont la citation a été corrigée par Garant",
    "notice_share": "Réponses portant la mention « générée par IA »",
    "degraded_share": "Réponses en mode dégradé (modèle indisponible)",
    "quoted_source_hit": "Réponses dont un passage recopié vient d'une source attendue",
}
# The same measures for a run without the model (`--no-llm`): the answers are passages quoted
# verbatim, not sentences written by a model.
NO_LLM_LABELS = {
    **RATE_LABELS,
    "keyword_accuracy": "Réponses sans modèle (passages recopiés) contenant les éléments attendus",
    "context_hit": "Bonne source parmi les passages retrouvés pour la réponse",
    "citation_validity": "Passages recopiés dont le numéro [n] renvoie à un passage retrouvé",
    "notice_share": "Réponses portant la mention IA",
}
HEADLINE = (
    "keyword_accuracy",
    "refusal_recall",
    "refusal_precision",
    "wrong_refusal_share",
    "context_hit",
    "quoted_source_hit",
    "citation_validity",
    "reattached_share",
    "notice_share",
    "degraded_share",
)
# Rates where a lower figure is the better one (drawn in another colour in the charts).
LOWER_IS_BETTER = frozenset({"wrong_refusal_share", "reattached_share", "degraded_share"})


def rate_label(name: str, no_llm: bool = False) -> str:
    """The French name of a measure, as it reads for a run with the model or without it."""
    labels = NO_LLM_LABELS if no_llm else RATE_LABELS
    return labels.get(name, name)


def mode_label(mode: str, retrieval: Mapping[str, Any]) -> str:
    """The method's name, with « (défaut) » on the one answering uses."""
    default = "reranked" if "reranked" in retrieval else "hybrid"
    label = MODE_LABELS[mode].replace(" (défaut)", "")
    return f"{label} (défaut)" if mode == default else label
