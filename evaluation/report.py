"""The evaluation report: `metrics.json` for machines and `report.md`, in French, for the
governance group — a short summary, what was measured, on which questions and configuration,
the key rates with their 95 % intervals, why the default retrieval is the default, results by
language and document kind, response times, the questions that failed, and how to read an
interval. With a previous run's folder, a comparison that flags a change only when intervals
separate. The same text, with the run's identity and charts, goes to `report.html`
(`evaluation.report_html`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from assistant.answering.service import KEY_QUOTES
from evaluation.dataset import EvaluationError
from evaluation.labels import FORM_LABELS, HEADLINE, MODE_NAMES, RATE_LABELS, mode_label, rate_label
from evaluation.metrics import TOP, compare_metrics, compute_metrics, intervals_overlap, same_answers, without_model
from evaluation.report_html import write_html
from evaluation.runner import RESULTS, RUN, read_results
from evaluation.summary import summary_section

# How many key sentences a --no-llm answer quotes, in words, for the report's method section.
_NUMBERS_FR = {1: "une", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq"}

METRICS = "metrics.json"
REPORT = "report.md"


# --- building -----------------------------------------------------------------------------


def load_run(out_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """run.json and the records of the questions it selected, in dataset order."""
    run_path = Path(out_dir) / RUN
    if not run_path.is_file():
        raise EvaluationError(
            f"Aucune évaluation dans {out_dir} (run.json absent) : lancez d'abord `garant-eval run --out {out_dir}`.",
            f"No evaluation in {out_dir} (run.json missing): run `garant-eval run --out {out_dir}` first.",
        )
    meta = json.loads(run_path.read_text(encoding="utf-8"))
    done = read_results(Path(out_dir) / RESULTS)
    return meta, [done[i] for i in meta["question_ids"] if i in done]


def build_metrics(meta: Mapping[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    """metrics.json: the numbers, plus what identifies the run they come from."""
    run = {
        key: meta.get(key)
        for key in (
            "dataset",
            "settings_fingerprint",
            "index_version",
            "embedder",
            "model",
            "prompt_versions",
            "no_llm",
            "git",
            "started_at",
            "finished_at",
        )
    }
    run["complete"] = len(records) == len(meta["question_ids"])
    numbers = compute_metrics(records, meta["min_support"], no_llm=bool(meta.get("no_llm")))
    return {"generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "run": run, **numbers}


def write_report(out_dir: Path, compare_dir: Path | None = None) -> tuple[Path, Path]:
    """Write metrics.json, report.md and report.html in `out_dir` (comparing with `compare_dir`'s
    metrics.json). A folder whose results.jsonl was not kept gets only its report.html, from the
    saved metrics.json and report.md; the returned report is then that page."""
    out_dir = Path(out_dir)
    if not (out_dir / RESULTS).is_file() and (out_dir / METRICS).is_file() and (out_dir / REPORT).is_file():
        meta, _ = load_run(out_dir)
        saved = json.loads((out_dir / METRICS).read_text(encoding="utf-8"))
        return out_dir / METRICS, write_html(out_dir, meta, saved, (out_dir / REPORT).read_text(encoding="utf-8"))
    meta, records = load_run(out_dir)
    metrics = build_metrics(meta, records)
    previous = None
    if compare_dir is not None:
        path = Path(compare_dir) / METRICS
        if not path.is_file():
            raise EvaluationError(
                f"Pas de metrics.json dans {compare_dir} : donnez à --compare le dossier --out d'une évaluation précédente.",
                f"No metrics.json in {compare_dir}: give --compare the --out folder of a previous evaluation.",
            )
        previous = json.loads(path.read_text(encoding="utf-8"))
    (out_dir / METRICS).write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    markdown = render(meta, metrics, previous, compare_dir)
    (out_dir / REPORT).write_text(markdown, encoding="utf-8")
    write_html(out_dir, meta, metrics, markdown, records)
    return out_dir / METRICS, out_dir / REPORT


# --- formatting ---------------------------------------------------------------------------


def pct(value: float | None) -> str:
    """0.875 → '87,5 %' (French style)."""
    if value is None:
        return "—"
    # half-up on the stored decimal value, as a reader rounding by hand would
    percent = (Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{percent} %".replace(".", ",")


def interval(r: Mapping[str, Any]) -> str:
    """'[72,1 % ; 95,0 %]' or '—'."""
    return "—" if r.get("low") is None else f"[{pct(r['low'])} ; {pct(r['high'])}]"


def seconds(value: float | None) -> str:
    """1.234 → '1,23 s'."""
    return "—" if value is None else f"{value:.2f} s".replace(".", ",")


def _rate_cell(r: Mapping[str, Any] | None) -> str:
    return "—" if r is None or r.get("value") is None else f"{pct(r['value'])} ({r['k']}/{r['n']})"


def _date(iso: str | None) -> str:
    """'2026-11-28T18:08:08+00:00' → '28/11/2026 18:08 UTC'."""
    if not iso:
        return "(non terminé)"
    moment = datetime.fromisoformat(iso)
    return moment.strftime("%d/%m/%Y %H:%M") + (" UTC" if moment.utcoffset() is not None else "")


def _sha(value: str | None, label: str = "SHA-256") -> str:
    """', SHA-256 `cc324af070c2ecbf…`' or '' when unknown."""
    return f", {label} `{value[:16]}{'…' if len(value) > 16 else ''}`" if value else ""


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(row) + " |" for row in rows)]


# --- sections -----------------------------------------------------------------------------


def _measured(no_llm: bool, answered: bool) -> list[str]:
    lines = [
        "## Ce qui a été mesuré",
        "",
        "Chaque question du jeu a été posée à Garant. Pour chacune, on sait à l'avance quels documents contiennent la réponse "
        "(« sources attendues »), quels éléments doit contenir une bonne réponse (« éléments attendus »), ou qu'aucun document "
        "ne permet de répondre (la bonne réaction est alors de refuser).",
        "",
        f"- **Recherche des passages** : la bonne source est-elle en tête, ou parmi les {TOP} premiers passages ? "
        "Mesuré pour chaque méthode de recherche, afin de justifier celle utilisée par défaut.",
    ]
    if no_llm and not answered:
        lines.append("- **Réponses** : non mesurées (évaluation lancée avec `--no-llm` par une version antérieure, recherche seule).")
    elif no_llm:
        lines += [
            "- **Réponses sans le modèle de langue (« mode dégradé »)** : l'évaluation a été lancée avec `--no-llm`, et chaque question "
            "a reçu la réponse que donne `garant ask --no-llm`. Garant n'y rédige rien : il affiche « Mode dégradé : aucune synthèse IA, "
            f"voici les passages les plus pertinents », puis recopie mot pour mot jusqu'à {_NUMBERS_FR.get(KEY_QUOTES, KEY_QUOTES)} phrases clés des passages retrouvés, "
            "chacune suivie du numéro de sa source [n] ; quand aucun passage n'est assez proche de la question, il refuse. "
            "On mesure si les phrases recopiées contiennent les éléments attendus, si Garant refuse les questions hors documents "
            "(et seulement elles), si chaque phrase recopiée renvoie à un passage retrouvé et vient d'une source attendue, "
            "et si la mention IA accompagne chaque réponse.",
            "- **Réponses rédigées par le modèle de langue** : non mesurées ici ; ces chiffres ne disent rien de leur qualité.",
        ]
    else:
        lines += [
            "- **Réponses** : contiennent-elles les éléments attendus ? Garant refuse-t-il quand les documents ne permettent pas de répondre, "
            "et seulement dans ce cas ?",
            "- **Citations** : chaque phrase de la réponse renvoie-t-elle à un passage réellement fourni, qui contient bien ce que dit la phrase ?",
            "- **Mention IA, mode dégradé, temps de réponse** : la mention « générée par IA » est-elle présente, le modèle était-il disponible, "
            "combien de temps avant le premier mot et la réponse complète ?",
        ]
    return lines + [""]


def _configuration(meta: Mapping[str, Any], metrics: Mapping[str, Any]) -> list[str]:
    dataset, git, machine = meta["dataset"], meta.get("git") or {}, meta.get("machine") or {}
    model = meta.get("model")
    model_text = (
        "aucun (--no-llm : réponses sans modèle)"
        if model is None
        else model.get("error") or f"{model.get('name')} ({model.get('backend')}{_sha(model.get('file_sha256'))})"
    )
    embedder = meta.get("embedder") or {}
    index = meta.get("index") or {}
    commit = "inconnu" if not git else f"{git['commit'][:12]}{' (avec modifications locales)' if git.get('dirty') else ''}"
    complete = (
        ""
        if metrics["run"]["complete"]
        else f" — **évaluation incomplète : {metrics['questions']} question(s) traitée(s) sur {len(meta['question_ids'])}**"
    )
    return [
        "## Jeu de questions et configuration",
        "",
        f"- Jeu de questions : `{dataset['path']}` (empreinte SHA-256 `{dataset['sha256'][:16]}…`), "
        f"{metrics['questions']} question(s) : {metrics['answerable']} avec réponse dans les documents, "
        f"{metrics['unanswerable']} sans{complete}.",
        f"- Index : version `{meta['index_version']}` ({index.get('documents')} documents, {index.get('chunks')} passages"
        f"{_sha(index.get('corpus_sha256'), 'contenu')}).",
        f"- Modèle de vectorisation : {embedder.get('name')} ; modèle de langue : {model_text} ; "
        f"consignes (prompt) : {', '.join(f'{k} {v}' for k, v in (meta.get('prompt_versions') or {}).items())}.",
        f"- Réglages : empreinte `{meta['settings_fingerprint']}` ; code : commit {commit}.",
        f"- Machine : {machine.get('cpu')}, {machine.get('cores')} cœurs ; du {_date(meta.get('started_at'))} au {_date(meta.get('finished_at'))}.",
        "",
    ]


def _headline(metrics: Mapping[str, Any], no_llm: bool) -> list[str]:
    rows = []
    hybrid = (metrics.get("retrieval") or {}).get("hybrid") or {}
    for name in (f"hit@{TOP}", "hit@1"):
        if name in hybrid:
            r = hybrid[name]
            rows.append([f"{RATE_LABELS[name]} (recherche hybride)", pct(r["value"]), interval(r), str(r["n"])])
    for name in HEADLINE:
        r = (metrics.get("answers") or {}).get(name)
        if r is not None:
            rows.append([rate_label(name, no_llm), pct(r["value"]), interval(r), str(r["n"])])
    lines = ["## Résultats principaux", "", *_table(["Mesure", "Résultat", "Intervalle de confiance à 95 %", "n"], rows), ""]
    if metrics.get("answers") is None:
        lines += ["Les réponses n'ont pas été évaluées (recherche seule).", ""]
    elif no_llm:
        lines += [
            "Les réponses mesurées ici sont celles de Garant **sans le modèle de langue** (`--no-llm`, « mode dégradé ») : "
            "des phrases des documents recopiées mot pour mot, ou un refus. Les éléments attendus sont cherchés dans les seules "
            "phrases recopiées, pas dans les mentions fixes de Garant. Les réponses rédigées par le modèle n'ont pas été évaluées.",
            "",
        ]
    if metrics.get("errors"):
        lines += [f"{metrics['errors']} question(s) n'ont pas pu être traitées (voir « Questions en échec »).", ""]
    return lines


def _why_default(retrieval: Mapping[str, Any]) -> str:
    """One paragraph comparing hybrid retrieval with each method alone."""
    key = f"hit@{TOP}"
    hybrid = retrieval.get("hybrid")
    alone = {m: retrieval[m] for m in ("lexical", "dense") if m in retrieval and retrieval[m][key]["value"] is not None}
    if not hybrid or hybrid[key]["value"] is None or not alone:
        return "Pas assez de questions avec sources attendues pour comparer les méthodes."
    best = max(alone, key=lambda m: (alone[m][key]["value"], alone[m]["mrr"]["value"] or 0))
    h, b = hybrid[key], alone[best][key]
    why = (
        "Elle combine les deux : la recherche lexicale trouve les mots exacts (numéros d'articles, sigles, noms de fiches) "
        "que la recherche sémantique rate, et la recherche sémantique trouve les reformulations que la recherche lexicale ne reconnaît pas."
    )
    margin = (
        "L'écart avec la meilleure méthode seule reste dans la marge d'incertitude (les intervalles se chevauchent) : "
        "il faudrait davantage de questions pour le confirmer."
        if intervals_overlap(h, b)
        else "L'écart est net : les intervalles de confiance ne se chevauchent pas."
    )
    found = f"trouve la bonne source parmi les {TOP} premiers passages dans {pct(h['value'])} des cas"
    if (h["value"], hybrid["mrr"]["value"] or 0) > (b["value"], alone[best]["mrr"]["value"] or 0):
        return (
            f"Sur ce jeu, la recherche hybride {found}, contre {pct(b['value'])} pour la meilleure méthode seule "
            f"(recherche {MODE_NAMES[best]}). C'est pourquoi elle est le réglage par défaut. {why} {margin}"
        )
    if (h["value"], hybrid["mrr"]["value"] or 0) == (b["value"], alone[best]["mrr"]["value"] or 0):
        return (
            f"Sur ce jeu, la recherche hybride {found}, autant que la meilleure méthode seule (recherche {MODE_NAMES[best]}) : "
            f"ces questions ne départagent pas les méthodes. L'hybride reste le réglage par défaut parce qu'elle ne dépend pas "
            f"d'une seule façon de chercher. {why}"
        )
    if h["value"] == b["value"]:
        better = (
            f"à égalité sur la bonne source parmi les {TOP} premiers ({pct(h['value'])}), la recherche {MODE_NAMES[best]} seule "
            f"la place un peu plus haut (MRR {_decimal(alone[best]['mrr']['value'])} contre {_decimal(hybrid['mrr']['value'])})."
        )
    else:
        better = f"la recherche {MODE_NAMES[best]} seule fait mieux que l'hybride ({pct(b['value'])} contre {pct(h['value'])})."
    return (
        f"Sur ce jeu, {better} {margin} L'hybride reste le réglage par défaut par prudence — {why[0].lower()}{why[1:]} "
        "Si l'écart se confirme sur un jeu plus large, revoir les poids `retrieval.dense_weight` / `retrieval.lexical_weight`."
    )


def _rerank_note(retrieval: Mapping[str, Any]) -> str:
    """One paragraph on the reranker, when one was configured for the run."""
    key = f"hit@{TOP}"
    reranked, hybrid = retrieval.get("reranked"), retrieval.get("hybrid")
    if not reranked or not hybrid or reranked[key]["value"] is None or hybrid[key]["value"] is None:
        return ""
    r, h = reranked, hybrid
    verdict = ("améliore" if (r["hit@1"]["value"] or 0) > (h["hit@1"]["value"] or 0)
               else "n'améliore pas" if (r["hit@1"]["value"] or 0) < (h["hit@1"]["value"] or 0) else "ne change pas")
    overlap = "dans la marge d'incertitude" if intervals_overlap(r["hit@1"], h["hit@1"]) else "au-delà de la marge d'incertitude"
    return (
        f"Un modèle de reclassement est configuré (`retrieval.reranker_path`) : il est alors le réglage par défaut. Sur ce jeu, il {verdict} "
        f"la bonne source en 1re position ({pct(r['hit@1']['value'])} contre {pct(h['hit@1']['value'])} pour l'hybride, {overlap}) "
        f"pour un temps médian de {seconds(r['latency_s']['p50'])} contre {seconds(h['latency_s']['p50'])}. "
        "S'il n'améliore rien, le retirer de la configuration fait gagner ce temps à chaque question."
    )


def _baselines(metrics: Mapping[str, Any]) -> list[str]:
    retrieval = metrics.get("retrieval") or {}
    rows = [
        [
            mode_label(mode, retrieval),
            _rate_cell(m["hit@1"]),
            _rate_cell(m[f"hit@{TOP}"]),
            "—" if m["mrr"]["value"] is None else _decimal(m["mrr"]["value"]),
            _rate_cell(m[f"recall@{TOP}"]),
            seconds(m["latency_s"]["p50"]),
        ]
        for mode, m in retrieval.items()
    ]
    return [
        "## Méthodes de recherche comparées",
        "",
        "Les mêmes questions ont été cherchées avec chaque méthode. « MRR » vaut 1 quand la bonne source est toujours en tête, "
        "0,5 quand elle est en moyenne deuxième, etc.",
        "",
        *_table(
            [
                "Méthode",
                "Bonne source en 1re position",
                f"… parmi les {TOP} premiers",
                "MRR",
                f"Sources retrouvées (top {TOP})",
                "Temps médian",
            ],
            rows,
        ),
        "",
        _why_default(retrieval),
        "",
        *([_rerank_note(retrieval), ""] if "reranked" in retrieval else []),
    ]


def _groups(title: str, groups: Mapping[str, Any]) -> list[str]:
    rows = []
    for name, g in groups.items():
        hybrid = (g.get("retrieval") or {}).get("hybrid") or {}
        answers = g.get("answers") or {}
        rows.append(
            [
                name,
                str(g["questions"]),
                _rate_cell(hybrid.get(f"hit@{TOP}")),
                _rate_cell(answers.get("keyword_accuracy")),
                _rate_cell(answers.get("refusal_recall")),
                _rate_cell(answers.get("wrong_refusal_share")),
                _rate_cell(answers.get("citation_validity")),
            ]
        )
    return [
        f"## {title}",
        "",
        *_table(
            [
                "Groupe",
                "Questions",
                f"Bonne source (top {TOP})",
                "Éléments attendus",
                "Refus corrects",
                "Refus à tort",
                "Citations valides",
            ],
            rows,
        ),
        "",
    ]


def _refusal_forms(forms: Mapping[str, Any]) -> list[str]:
    """The questions to refuse by their form (`metrics.refusal_form`): where refusals fail."""
    if not forms:
        return []
    rows = [[FORM_LABELS[form], str(r["n"]), _rate_cell(r), interval(r)] for form, r in forms.items()]
    return [
        "## Refus selon la forme de la question",
        "",
        "Les questions à refuser, selon leur forme. Une question qui demande une valeur est refusée quand "
        "aucun des meilleurs passages ne donne une valeur de ce type à propos de ce qui est demandé ; une "
        "question ouverte (« quelles règles s'appliquent à… », « est-il permis de… ») ne l'est que si aucun "
        "passage n'est assez proche ou si le texte qu'elle nomme n'est pas dans le corpus. La forme est lue "
        "par le code qui écrit ce rapport.",
        "",
        *_table(["Forme", "Questions", "Refusées", "Intervalle à 95 %"], rows),
        "",
    ]


def _latency(metrics: Mapping[str, Any], no_llm: bool) -> list[str]:
    rows = []
    answers = metrics.get("answers")
    steps = (
        (("total", "Réponse sans modèle (recherche et passages recopiés)"),)
        if no_llm
        else (("first_token", "Premier mot affiché (après la question)"), ("total", "Réponse complète, vérifiée"))
    )
    if answers:
        for key, label in steps:
            lat = answers["latency_s"][key]
            rows.append([label, seconds(lat["p50"]), seconds(lat["p95"]), str(lat["n"])])
    for mode, m in (metrics.get("retrieval") or {}).items():
        lat = m["latency_s"]
        rows.append([f"Recherche seule — {MODE_NAMES[mode]}", seconds(lat["p50"]), seconds(lat["p95"]), str(lat["n"])])
    return [
        "## Temps de réponse",
        "",
        "La médiane est le temps en dessous duquel se trouve la moitié des questions ; "
        "le 95e centile, celui que 19 questions sur 20 ne dépassent pas.",
        "",
        *_table(["Étape", "Médiane", "95e centile", "n"], rows),
        "",
        "Sans le modèle, la réponse s'affiche d'un bloc : il n'y a pas de « premier mot »."
        if no_llm
        else "Le premier mot n'existe que pour les questions envoyées au modèle (pas pour les refus décidés avant).",
        "",
    ]


def _failures(f: Mapping[str, list[dict[str, Any]]], no_llm: bool, answered: bool) -> list[str]:
    lines = ["## Questions en échec", ""]
    said = "Passages donnés" if no_llm else "Réponse donnée"
    without = "Passages recopiés" if no_llm else "Réponse"
    reply = "passages recopiés" if no_llm else "réponse"
    sections = [
        (
            "retrieval_missed",
            f"Bonne source absente des {TOP} premiers passages (recherche hybride)",
            lambda x: f"attendu : {', '.join(x['expected_sources'])} ; trouvé : {', '.join(map(str, x['found'])) or 'rien'}",
        ),
        ("wrong_refusals", "Refus à tort (les documents contenaient la réponse)", lambda x: f"réponse : « {x['answer']} »"),
        ("answered_should_refuse", f"{said} alors qu'il fallait refuser", lambda x: f"{reply} : « {x['answer']} »"),
        (
            "keywords_missed",
            f"{without} sans les éléments attendus",
            lambda x: f"manque : {' ; '.join(' ou '.join(g) for g in x['missing'])} — {reply} : « {x['answer']} »",
        ),
        ("errors", "Questions non traitées (erreur)", lambda x: x["error"]),
    ]
    for key, title, detail in sections:
        if not answered and key in ("wrong_refusals", "answered_should_refuse", "keywords_missed"):
            continue
        items = f.get(key) or []
        lines += [f"### {title} ({len(items)})", ""]
        lines += [f"- **{x['id']}** ({x.get('lang')}) — {x['question']}  \n  {detail(x)}" for x in items] or ["Aucune."]
        lines.append("")
    return lines


def _how_to_read() -> list[str]:
    return [
        "## Comment lire un intervalle de confiance",
        "",
        "Un taux mesuré sur quelques dizaines de questions n'est qu'une estimation : avec d'autres questions du même genre, "
        "on aurait obtenu un chiffre un peu différent. L'intervalle de confiance à 95 % (méthode de Wilson) donne la fourchette "
        "dans laquelle se trouve très probablement le vrai taux. Plus il y a de questions (n), plus la fourchette est étroite.",
        "",
        "Exemple : 8 bonnes réponses sur 10 donnent 80 %, mais l'intervalle va de 49 % à 94 % — on ne peut pas affirmer que Garant "
        "fait mieux qu'un système à 60 %. Avec 80 sur 100, l'intervalle se resserre à 71 %–87 %.",
        "",
        "Deux résultats ne sont considérés comme différents que si leurs intervalles ne se chevauchent pas. "
        "Le rappel des sources compte chaque source attendue séparément ; son intervalle est indicatif.",
        "",
    ]


def _comparison(
    comparison: list[dict[str, Any]], previous: Mapping[str, Any], current: Mapping[str, Any], compare_dir: Path | None
) -> list[str]:
    lines = ["## Comparaison avec l'évaluation précédente", "", f"Évaluation de référence : `{compare_dir}`."]
    before, now = previous.get("run") or {}, current["run"]
    if (before.get("dataset") or {}).get("sha256") != (now.get("dataset") or {}).get("sha256"):
        lines.append(
            "**Attention : le jeu de questions a changé entre les deux évaluations ; les écarts mêlent l'effet des questions et celui du système.**"
        )
    labels = {
        "index_version": "version de l'index",
        "settings_fingerprint": "réglages",
        "prompt_versions": "consignes (prompt)",
        "model": "modèle de langue",
        "embedder": "modèle de vectorisation",
    }
    changed = [label for key, label in labels.items() if before.get(key) != now.get(key)]
    if changed:
        lines.append(f"Éléments qui ont changé : {', '.join(changed)}.")
    if not same_answers(previous, current):
        lines.append(answer_paths_differ(without_model(previous)))
    rows = [comparison_row(r, without_model(current)) for r in comparison]
    return lines + [
        "",
        *_table(["Mesure", "Avant", "Maintenant", "Écart", "Changement net ?"], rows),
        "",
        "« Changement net » : les intervalles à 95 % des deux évaluations ne se chevauchent pas. "
        "Les autres écarts peuvent venir du hasard des questions.",
        "",
    ]


def answer_paths_differ(before_without_model: bool) -> str:
    """The warning when one run answered without the model and the other with it."""
    which = "l'évaluation de référence (avant)" if before_without_model else "l'évaluation actuelle (maintenant)"
    return (
        f"**Attention : {which} a répondu sans le modèle de langue (`--no-llm` : passages recopiés mot pour mot), l'autre avec. "
        "Ce ne sont pas les mêmes réponses : seuls les chiffres de la recherche des passages sont comparés.**"
    )


def comparison_row(row: Mapping[str, Any], no_llm: bool = False) -> list[str]:
    """One measure before and after (a row of `compare_metrics`, named as for a run without
    the model when `no_llm`); MRR is a mean (no interval, never flagged)."""
    label = rate_label(row["measure"].rsplit(".", 1)[-1], no_llm) + _mode_suffix(row["measure"])
    if row["measure"].endswith(".mrr"):
        return [label, _decimal(row["previous"]), _decimal(row["current"]), _decimal(row["delta"], signed=True), "sans intervalle"]
    delta = f"{row['delta'] * 100:+.1f} pts".replace(".", ",")
    return [label, pct(row["previous"]), pct(row["current"]), delta, "**oui**" if row["significant"] else "non"]


def _decimal(value: float, signed: bool = False) -> str:
    """0.8439 → '0,844' (French decimal comma)."""
    return (f"{value:+.3f}" if signed else f"{value:.3f}").replace(".", ",")


def _mode_suffix(measure: str) -> str:
    parts = measure.split(".")
    return f" — recherche {MODE_NAMES[parts[1]]}" if parts[0] == "retrieval" else ""


def render(
    meta: Mapping[str, Any], metrics: Mapping[str, Any], previous: Mapping[str, Any] | None = None, compare_dir: Path | None = None
) -> str:
    """The whole report.md."""
    no_llm, answered = bool(meta.get("no_llm")), metrics.get("answers") is not None
    lines = [
        "# Évaluation de Garant",
        "",
        f"Rapport produit le {_date(metrics['generated_at'])} à partir de {metrics['questions']} question(s) de test. "
        "Les chiffres ci-dessous disent à quel point Garant retrouve les bons documents et répond juste ; "
        "chaque taux est donné avec sa marge d'incertitude (voir la dernière section).",
        "",
        *summary_section(metrics, no_llm),
        *_measured(no_llm, answered),
        *_configuration(meta, metrics),
        *_headline(metrics, no_llm),
        *_baselines(metrics),
        *_groups("Résultats par langue", metrics["by_lang"]),
        *_groups("Résultats par type de document attendu", metrics["by_kind"]),
        *_refusal_forms(metrics.get("refusals_by_form") or {}),
    ]
    if not no_llm or metrics.get("retrieval"):
        lines += _latency(metrics, no_llm)
    if previous is not None:
        lines += _comparison(compare_metrics(metrics, previous), previous, metrics, compare_dir)
    lines += [*_failures(metrics["failures"], no_llm, answered), *_how_to_read()]
    return "\n".join(lines).rstrip() + "\n"
