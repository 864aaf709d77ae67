"""The text of `garant-eval compare OLD NEW`, in French for the governance group: a short
summary, what changed in the system, the figures before and after (a change is called net
only when the 95 % intervals separate), then the questions fixed and broken with both
answers. When one run answered without the model (`--no-llm`) and the other with it, it says
so and compares retrieval only. Markdown on stdout; also written to a .md or .html file on request.
"""

from __future__ import annotations

from pathlib import Path

from evaluation.compare import CRITERIA, Comparison, QuestionChange
from evaluation.dataset import EvaluationError
from evaluation.html_page import page
from evaluation.identity import Item
from evaluation.labels import rate_label
from evaluation.markdown_html import to_html
from evaluation.metrics import TOP
from evaluation.report import answer_paths_differ, comparison_row

CRITERION_LABELS = {
    "retrieval": f"Bonne source parmi les {TOP} premiers passages (recherche hybride)",
    "keywords": "Éléments attendus dans la réponse",
    "refusal": "Refus à bon escient (refuser seulement quand les documents ne répondent pas)",
    "citations": "Citations toutes valides",
}
LISTED_IDS = 40


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(row) + " |" for row in rows), ""]


def _line(text: str) -> str:
    """Text on one line (a question may hold line breaks)."""
    return " ".join(text.split())


def _cell(text: str) -> str:
    """Table cell text: one line, no column separator."""
    return _line(text).replace("|", "/")


def _state(q: QuestionChange, criterion: str, after: bool) -> str:
    """How one criterion stood for a question in one run, in words."""
    ok = (q.after if after else q.before)[criterion]
    if criterion == "retrieval":
        rank = q.rank_after if after else q.rank_before
        return "absente des passages trouvés" if rank is None else f"rang {rank}"
    if criterion == "keywords":
        return "présents" if ok else "manquants"
    if criterion == "refusal":
        refused = q.refused_after if after else q.refused_before
        return "correct" if ok else ("refus à tort" if refused else "réponse au lieu d'un refus")
    return "valides" if ok else "non valides"


def _question_item(q: QuestionChange) -> list[str]:
    changes = " ; ".join(
        f"{CRITERION_LABELS[c].split(' (')[0].lower()} : {_state(q, c, False)} → {_state(q, c, True)}" for c in q.changed()
    )
    lines = [f"- **{q.id}** ({q.lang or '?'}) — {_line(q.question)}  ", f"  {changes}  "]
    if q.answer_before is not None or q.answer_after is not None:
        lines += [
            f"  avant : « {q.answer_before or '(pas de réponse rédigée)'} »  ",
            f"  maintenant : « {q.answer_after or '(pas de réponse rédigée)'} »",
        ]
    else:
        lines[-1] = lines[-1].rstrip()
    return lines


def _ids(items: list[tuple[str, str]] | list[QuestionChange]) -> str:
    ids = [x.id if isinstance(x, QuestionChange) else x[0] for x in items]
    shown = ", ".join(ids[:LISTED_IDS])
    return shown + (f" … (et {len(ids) - LISTED_IDS} autres)" if len(ids) > LISTED_IDS else "")


# --- sections -------------------------------------------------------------------------------


def _changed_items(c: Comparison) -> list[Item]:
    return [new for _, new, changed in c.identity if changed and new.key != "date"]


def _summary(c: Comparison) -> list[str]:
    lines = ["## En bref", ""]
    if c.per_question:
        fixed, broken = len(c.with_status("fixed")), len(c.with_status("broken"))
        lines.append(
            f"- {len(c.questions)} question(s) posées dans les deux évaluations : **{fixed} corrigée(s)** (en échec avant, réussies maintenant), "
            f"**{broken} cassée(s)** (réussies avant, en échec maintenant), {len(c.with_status('still_wrong'))} toujours en échec, "
            f"{len(c.with_status('still_right'))} toujours réussies."
        )
    else:
        missing = [f"`{r.path}`" for r in (c.old, c.new) if r.records is None]
        where = f"pour {missing[0]}" if len(missing) == 1 else f"ni pour {missing[0]} ni pour {missing[1]}"
        kept = "n'a pas été conservé" if len(missing) == 1 else "n'a été conservé"
        lines.append(f"- Comparaison question par question impossible : results.jsonl {kept} {where} (seuls les chiffres sont comparés).")
    if not _same_answers(c):
        lines.append(f"- {answer_paths_differ(bool(c.old.meta.get('no_llm')))}")
    changed = [item.label[0].lower() + item.label[1:] for item in _changed_items(c) if item.system or item.key == "machine"]
    lines.append(
        f"- Ce qui a changé : {', '.join(changed)}."
        if changed
        else "- Rien n'a changé dans le système (mêmes corpus, modèles, consignes, réglages et code)."
    )
    if c.figures is not None:
        net = [_measure(row["measure"], _no_llm(c)) for row in c.figures if row.get("significant")]
        lines.append(
            f"- Écarts nets (intervalles à 95 % séparés) : {', '.join(net)}."
            if net
            else "- Aucun chiffre ne change nettement : les écarts restent dans la marge d'incertitude."
        )
    if c.modified or c.only_old or c.only_new:
        lines.append(
            f"- Mises à part : {len(c.modified)} question(s) modifiée(s), {len(c.only_old)} seulement avant, {len(c.only_new)} seulement maintenant."
        )
    return [*lines, ""]


def _same_answers(c: Comparison) -> bool:
    return bool(c.old.meta.get("no_llm")) == bool(c.new.meta.get("no_llm"))


def _no_llm(c: Comparison) -> bool:
    """Whether both runs answered without the model (their answers' figures are then named so)."""
    return bool(c.old.meta.get("no_llm")) and bool(c.new.meta.get("no_llm"))


def _measure(name: str, no_llm: bool = False) -> str:
    label = rate_label(name.rsplit(".", 1)[-1], no_llm).lower()
    parts = name.split(".")
    return f"{label} ({parts[1]})" if parts[0] == "retrieval" else label


def _identity(c: Comparison) -> list[str]:
    rows = [[old.label, _cell(old.value), _cell(new.value), ("**oui**" if changed else "non")] for old, new, changed in c.identity]
    return ["## Ce qui a changé entre les deux évaluations", "", *_table(["Élément", "Avant", "Maintenant", "Changé ?"], rows)]


def _figures(c: Comparison) -> list[str]:
    lines = ["## Les chiffres, avant et maintenant", ""]
    if c.figures is None:
        return [*lines, "Chiffres indisponibles : metrics.json absent de l'un des dossiers.", ""]
    if c.old.meta.get("dataset", {}).get("sha256") != c.new.meta.get("dataset", {}).get("sha256"):
        lines += ["**Attention : le jeu de questions a changé ; les écarts mêlent l'effet des questions et celui du système.**", ""]
    if not _same_answers(c):
        lines += [answer_paths_differ(bool(c.old.meta.get("no_llm"))), ""]
    rows = [comparison_row(r, _no_llm(c)) for r in c.figures]
    return [
        *lines,
        *_table(["Mesure", "Avant", "Maintenant", "Écart", "Changement net ?"], rows),
        "« Changement net » : les intervalles à 95 % des deux évaluations ne se chevauchent pas. Les autres écarts peuvent venir du hasard des questions.",
        "",
    ]


def _criteria(c: Comparison) -> list[str]:
    rows = []
    for criterion in CRITERIA:
        both = [q for q in c.questions if criterion in q.compared]
        fixed = sum(not q.before[criterion] and q.after[criterion] for q in both)
        broken = sum(q.before[criterion] and not q.after[criterion] for q in both)
        rows.append([CRITERION_LABELS[criterion], str(len(both)), str(fixed), str(broken)])
    ranked = [q for q in c.questions if q.rank_before is not None or q.rank_after is not None]
    better = sum(_rank_key(q.rank_after) < _rank_key(q.rank_before) for q in ranked)
    worse = sum(_rank_key(q.rank_after) > _rank_key(q.rank_before) for q in ranked)
    return [
        "## Question par question",
        "",
        "Une question est réussie quand tous les critères mesurés dans les deux évaluations sont remplis."
        + ("" if _same_answers(c) else " Ici, seule la recherche est comparée : l'une des évaluations a répondu sans le modèle de langue."),
        "",
        *_table(["Critère", "Questions comparées", "Corrigées", "Cassées"], rows),
        f"Rang de la première bonne source (recherche hybride) : meilleur pour {better} question(s), moins bon pour {worse}.",
        "",
    ]


def _rank_key(rank: int | None) -> float:
    return float("inf") if rank is None else rank


def _lists(c: Comparison) -> list[str]:
    lines: list[str] = []
    for status, title in (("fixed", "Questions corrigées"), ("broken", "Questions cassées")):
        items = c.with_status(status)
        lines += [f"### {title} ({len(items)})", ""]
        for q in items:
            lines += _question_item(q)
        lines += ["" if items else "Aucune.", ""]
    still = c.with_status("still_wrong")
    lines += [f"### Toujours en échec ({len(still)})", "", _ids(still) if still else "Aucune.", ""]
    lines += [f"### Questions modifiées entre les deux jeux ({len(c.modified)})", ""]
    lines += [_modified(qid, a, b) for qid, a, b in c.modified] or ["Aucune."]
    lines += ["", f"### Questions présentes dans une seule évaluation ({len(c.only_old) + len(c.only_new)})", ""]
    if c.only_old or c.only_new:
        lines += [f"- seulement avant ({len(c.only_old)}) : " + (_ids(c.only_old) or "aucune")]
        lines += [f"- seulement maintenant ({len(c.only_new)}) : " + (_ids(c.only_new) or "aucune")]
    else:
        lines.append("Aucune.")
    return [*lines, ""]


def _modified(qid: str, before: str, now: str) -> str:
    """A question whose content changed: its text, or what stayed the same."""
    if _line(before) == _line(now):
        return f"- **{qid}** — {_line(now)} (même texte ; sources, éléments attendus ou réponse attendue modifiés)"
    return f"- **{qid}** — avant : {_line(before)}  \n  maintenant : {_line(now)}"


def render_comparison(c: Comparison) -> str:
    """The whole comparison as Markdown."""
    lines = [
        "# Comparaison de deux évaluations de Garant",
        "",
        f"Avant : `{c.old.path}` ; maintenant : `{c.new.path}`.",
        "",
        *_summary(c),
        *_identity(c),
        *_figures(c),
    ]
    if c.per_question:
        lines += [*_criteria(c), *_lists(c)]
    return "\n".join(lines).rstrip() + "\n"


def check_output(path: Path) -> None:
    """Refuse an output file that is neither .md nor .html (before any work is done)."""
    if Path(path).suffix.lower() not in (".md", ".html", ".htm"):
        raise EvaluationError(
            f"{path} : choisissez un fichier .md ou .html pour --out.",
            f"{path}: choose a .md or .html file for --out.",
        )


def write_comparison(path: Path, markdown: str) -> Path:
    """Write the comparison as Markdown (.md) or as a self-contained HTML page (.html)."""
    path = Path(path)
    check_output(path)
    text = markdown if path.suffix.lower() == ".md" else page("Comparaison de deux évaluations de Garant", to_html(markdown))
    path.write_text(text, encoding="utf-8")
    return path
