"""The plain-language summary at the top of the evaluation report: four or five sentences a
committee member can read without the tables — how often Garant finds the right document,
answers with the expected facts, refuses when it should (and only then), and how sure the
figures are. For a run without the model (`--no-llm`) it says that the answers measured are
passages quoted verbatim, and that the model's written answers were not evaluated. Built from
metrics.json alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from evaluation.metrics import TOP


def _pct(value: float) -> str:
    """0.876 → '88 %' (whole percent: a summary, the tables give the decimals)."""
    return f"{(Decimal(str(value)) * 100).quantize(Decimal('1'), rounding=ROUND_HALF_UP)} %"


def _range(r: Mapping[str, Any]) -> str:
    return f"entre {_pct(r['low'])} et {_pct(r['high'])}"


def _ok(r: Mapping[str, Any] | None) -> bool:
    return r is not None and r.get("value") is not None and r.get("n", 0) > 0


def summary_lines(metrics: Mapping[str, Any], no_llm: bool) -> list[str]:
    """The summary, one sentence (or two) per line, in French."""
    lines = []
    retrieval = metrics.get("retrieval") or {}
    default = retrieval.get("reranked") or retrieval.get("hybrid") or {}
    hit = default.get(f"hit@{TOP}")
    if _ok(hit):
        lines.append(
            f"Garant retrouve le bon document parmi les {TOP} premiers passages pour {_pct(hit['value'])} des {hit['n']} questions "
            f"dont la réponse est dans les documents ({hit['k']} sur {hit['n']})."
        )
    answers = metrics.get("answers")
    if answers is None:
        lines.append("Les réponses n'ont pas été évaluées ici (recherche seule).")
    elif no_llm:
        subject = "Sans le modèle de langue (« mode dégradé », option --no-llm), ses réponses recopient mot pour mot des phrases des documents ; elles"
        lines += _answer_lines(answers, subject)
        notice = answers.get("notice_share")
        if _ok(notice):
            lines.append(f"La mention IA accompagne {_pct(notice['value'])} de ces réponses ({notice['k']} sur {notice['n']}).")
        lines.append(
            "Les réponses rédigées par le modèle de langue n'ont pas été évaluées ici : ces chiffres ne disent rien de leur qualité."
        )
    else:
        lines += _answer_lines(answers, "Ses réponses")
        validity, degraded = answers.get("citation_validity"), answers.get("degraded_share")
        if _ok(validity):
            lines.append(f"{_pct(validity['value'])} des phrases de ses réponses renvoient à un passage qui les appuie.")
        if _ok(degraded) and degraded["k"]:
            lines.append(f"Attention : le modèle était indisponible pour {degraded['k']} question(s) (mode dégradé).")
    if _ok(hit):
        lines.append(
            f"Ces taux sont mesurés sur {metrics['questions']} questions : le vrai taux de bonne source se situe très probablement "
            f"{_range(hit)}. Un écart plus petit que ces marges entre deux évaluations peut venir du hasard des questions."
        )
    if metrics.get("errors"):
        lines.append(f"{metrics['errors']} question(s) n'ont pas pu être traitées (voir « Questions en échec »).")
    return lines


def _answer_lines(answers: Mapping[str, Any], subject: str) -> list[str]:
    """Expected facts and refusals, in two sentences; `subject` names the answers."""
    lines = []
    keywords, recall, wrong = answers.get("keyword_accuracy"), answers.get("refusal_recall"), answers.get("wrong_refusal_share")
    if _ok(keywords):
        lines.append(
            f"{subject} contiennent les éléments attendus dans {_pct(keywords['value'])} des cas ({keywords['k']} sur {keywords['n']})."
        )
    if _ok(recall):
        refusal = (
            f"Quand les documents ne permettent pas de répondre, il refuse dans {_pct(recall['value'])} des cas "
            f"({recall['k']} sur {recall['n']})"
        )
        if _ok(wrong):
            refusal += f" ; il refuse à tort {wrong['k']} question(s) sur {wrong['n']} auxquelles les documents répondent"
        lines.append(refusal + ".")
    return lines


def summary_section(metrics: Mapping[str, Any], no_llm: bool) -> list[str]:
    """The `## En bref` section of report.md."""
    return ["## En bref", "", *(f"- {line}" for line in summary_lines(metrics, no_llm)), ""]
