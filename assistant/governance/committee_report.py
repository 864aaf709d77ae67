"""The report of the governance log for the AI steering committee, in French, for readers
who are not technical: a Markdown file and one self-contained HTML file (inline style and
SVG charts, no script, no outside address) over a period.

It shows the period, the questions per day, the refusal, degraded and feedback rates (with
counts and 95 % Wilson intervals), the most cited documents, the most frequent unanswered
questions (what the corpus lacks), the cases staff flagged with the committee's decisions,
and the integrity of the log (`maintenance.verify`). The figures come from
`queries.dashboard`; this module only gathers and renders them.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from assistant.governance.maintenance import Verification
from assistant.governance.queries import dashboard, get_interaction, list_interactions, utc_iso
from assistant.governance.report_charts import bar_list_chart, day_label, per_day_chart
from assistant.intervals import wilson

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")
CATEGORIES = {"incorrect": "réponse incorrecte", "source_erronee": "source erronée", "incomplet": "réponse incomplète", "autre": "autre"}
DECISIONS = {"validé": "validée", "corrigé": "corrigée", "rejeté": "rejetée"}
MAX_CASES = 200


@dataclass
class Rate:
    """k out of n, with its 95 % Wilson interval."""

    k: int
    n: int

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.k, self.n)

    def text(self) -> str:
        """'3 sur 40 (7,5 % ; IC 95 % : 2,6–19,9 %)', or 'aucune donnée'."""
        if self.n == 0:
            return f"{self.k} (aucune donnée pour un taux)"
        low, high = self.interval or (0.0, 0.0)
        return f"{self.k} sur {self.n} ({percent(self.k / self.n)} ; IC 95 % : {percent(low, False)}–{percent(high)})"


@dataclass
class Report:
    """Everything the report shows, gathered from the log."""

    since: date
    until: date  # exclusive
    generated_at: datetime
    stats: dict[str, Any]
    cases: list[dict[str, Any]]
    cases_total: int
    verification: Verification | None
    rates: dict[str, Rate] = field(default_factory=dict)

    @property
    def last_day(self) -> date:
        return self.until - timedelta(days=1)




def percent(value: float, sign: bool = True) -> str:
    """0.125 -> '12,5 %' (French)."""
    return f"{value * 100:.1f}".replace(".", ",") + (" %" if sign else "")


def french_date(day: date) -> str:
    """2025-03-01 -> '1er mars 2025'."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def gather(db: sqlite3.Connection | None, since: date, until: date, verification: Verification | None,
           generated_at: datetime, top: int = 10) -> Report:
    """The report's figures over [since, until) (UTC days)."""
    days = max(1, (until - since).days)
    last_moment = datetime(until.year, until.month, until.day, tzinfo=generated_at.tzinfo) - timedelta(milliseconds=1)
    stats = dashboard(db, last_moment, days, top, until=until)
    flagged = list_interactions(db, flagged=True, since=since, until=until, limit=MAX_CASES)
    cases = [get_interaction(db, row["id"]) for row in flagged] if db is not None else []
    cases_total = len(flagged) if len(flagged) < MAX_CASES else _count_flagged(db, since, until)
    n = stats["questions"]
    feedback = stats["feedback"]
    report = Report(since, until, generated_at, stats, cases, cases_total, verification)
    report.rates = {
        "refused": Rate(stats["refused"], n),
        "degraded": Rate(stats["degraded"], n),
        "feedback": Rate(feedback["interactions_with_feedback"], n),
        "negative": Rate(feedback["negative"], feedback["positive"] + feedback["negative"]),
        "flagged": Rate(cases_total, n),
    }
    return report


def _count_flagged(db: sqlite3.Connection | None, since: date, until: date) -> int:
    return len(list_interactions(db, flagged=True, since=since, until=until, limit=10**9))


# --- the words, shared by both renderings ---


def _summary(report: Report) -> list[tuple[str, str]]:
    rates = report.rates
    reviewed = sum(1 for case in report.cases if case["reviews"])
    return [
        ("Questions posées", str(report.stats["questions"])),
        ("Refus (les documents ne permettaient pas de répondre)", rates["refused"].text()),
        ("Motifs des refus", describe_refusal_reasons(report.stats.get("refusals_by_reason", {}))),
        ("Réponses en mode dégradé (passages seuls, sans rédaction par le modèle)", rates["degraded"].text()),
        ("Réponses ayant reçu un retour du personnel", rates["feedback"].text()),
        ("Avis négatifs parmi les avis donnés", rates["negative"].text()),
        ("Cas signalés par le personnel (avis négatif ou erreur signalée)",
         f"{rates['flagged'].text()} — dont {reviewed} revu(s) par le comité"),
        ("Intégrité du journal", _integrity_verdict(report.verification)),
    ]


# Why Garant refused, in the committee's words (see `Answerer`); "unknown": rows logged before the reason was.
REFUSAL_REASONS = {
    "no_evidence": "aucun passage assez proche de la question",
    "model": "le modèle a jugé que les passages ne répondaient pas",
    "unsupported": "réponse du modèle non vérifiable dans les passages (ou recopiant un exemple des consignes)",
    "role": "demande hors du rôle de l'assistant (motif reconnu)",
    "role_resemblance": "demande hors du rôle de l'assistant (ressemblance avec des exemples)",
    "missing_reference": "article, paragraphe, code ou sigle cité absent des documents (ou texte même d'une loi, ou contenu d'une publication, qu'ils ne font que citer)",
    "no_value": "valeur demandée (montant, nom, délai, date, numéro, nombre, éditeur…) absente des passages, ou mot de passe",
    "withheld": "réponse retenue (elle reprenait les consignes internes)",
    "small_talk": "salutation, remerciement ou demande d'aide (Garant répond ce qu'il fait et comment l'interroger)",
    "unknown": "motif non enregistré (questions antérieures à son enregistrement)",
}


def describe_refusal_reasons(counts: dict[str, int]) -> str:
    """« motif : nombre ; … » in words, for the committee report and the review dashboard."""
    if not counts:
        return "aucun refus"
    return " ; ".join(f"{REFUSAL_REASONS.get(reason, reason)} : {n}" for reason, n in counts.items())


def _integrity_verdict(verification: Verification | None) -> str:
    if verification is None:
        return "non vérifiée (aucun journal)"
    if verification.ok:
        return "vérifiée : aucune ligne supprimée ni modifiée en dehors des purges de conservation"
    return f"ANOMALIES : {len(verification.problems('fr'))} problème(s), voir la dernière partie"


def _integrity_lines(verification: Verification | None) -> list[str]:
    if verification is None:
        return ["Aucun journal n'existe encore : rien à vérifier."]
    lines = [f"Contrôle interne de la base (PRAGMA integrity_check) : {'conforme' if verification.integrity_ok else 'NON conforme'}."]
    chain = verification.chain
    if chain is not None:
        lines.append(f"Chaîne d'empreintes : {chain.entries} entrées, {chain.rows} lignes présentes, {chain.purges} purge(s) de "
                     "conservation enregistrée(s).")
        lines.append(f"Tête de chaîne à reporter au procès-verbal : {chain.head_seq}:{chain.head_hash}. À la prochaine séance, "
                     f"`garant log verify --anchor {chain.head_seq}:{chain.head_hash}` confirme que rien n'a été réécrit depuis.")
    lines += [f"Problème : {problem}." for problem in verification.problems("fr")]
    return lines


def _case_rows(report: Report) -> list[dict[str, str]]:
    rows = []
    for case in report.cases:
        signals = []
        for f in case["feedback"]:
            parts = ["avis négatif" if f["rating"] == -1 else "avis positif" if f["rating"] == 1 else "",
                     CATEGORIES.get(f["category"] or "", f["category"] or ""), f["comment_redacted"] or ""]
            signals.append(" — ".join(p for p in parts if p))
        review = case["reviews"][-1] if case["reviews"] else None
        rows.append({
            "date": _when(case["created_at"]),
            "question": case["question_redacted"] or "(texte non conservé)",
            "answer": _short(case["answer_redacted"] or "(texte non conservé)", 300),
            "signal": " ; ".join(signals),
            "decision": DECISIONS.get(review["decision"], review["decision"]) if review else "en attente de revue",
            "reviewer": review["reviewer"] if review else "",
            "reviewed_at": _when(review["created_at"]) if review else "",
            "comment": " ".join(p for p in ((review or {}).get("comment"), _fix((review or {}).get("corpus_fix"))) if p),
        })
    return rows


def _fix(text: str | None) -> str | None:
    return f"Correction du corpus demandée : {text}" if text else None


def _when(stamp: str) -> str:
    """'2025-03-10T09:00:00.000+00:00' -> '10/03/2025 09:00 UTC'."""
    return f"{stamp[8:10]}/{stamp[5:7]}/{stamp[:4]} {stamp[11:16]} UTC" if len(stamp) >= 16 else stamp


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _period(report: Report) -> str:
    days = (report.until - report.since).days
    return (f"du {french_date(report.since)} au {french_date(report.last_day)} inclus ({days} jour{'s' if days > 1 else ''}, "
            f"heures UTC) — rapport établi le {french_date(report.generated_at.date())} à {report.generated_at:%H:%M} UTC")


TITLE = "Journal de gouvernance de Garant — rapport au comité de pilotage IA"
INTRO = ("Ce rapport résume l'usage de l'assistant documentaire Garant et les signalements du personnel, à partir du journal "
         "de gouvernance : chaque question et chaque réponse y sont enregistrées, les données personnelles retirées avant "
         "l'enregistrement. Il sert la « garantie humaine » : le comité voit ce que l'outil a répondu, ce qu'il n'a pas su dire "
         "et ce que le personnel a contesté.")
NOTE_INTERVALS = ("Les pourcentages sont suivis d'un intervalle de confiance à 95 % (méthode de Wilson) : la plage où se situe "
                  "vraisemblablement le taux réel. Avec peu de questions, cette plage est large ; un écart entre deux périodes "
                  "qui reste dans ces plages ne permet pas de conclure.")
NOTE_UNANSWERED = ("Questions auxquelles l'assistant a refusé de répondre faute de document pertinent, regroupées sans tenir "
                   "compte des majuscules, accents et ponctuation. Elles montrent ce qui manque au corpus documentaire.")


# --- Markdown ---


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def to_markdown(report: Report) -> str:
    """The report as Markdown (the charts as tables)."""
    stats = report.stats
    out = [f"# {TITLE}", "", f"**Période** : {_period(report)}.", "", INTRO, "", "## En bref", ""]
    out += [f"- **{label}** : {value}" for label, value in _summary(report)] + ["", f"_{NOTE_INTERVALS}_", ""]
    out += ["## Questions par jour", ""]
    active = [d for d in stats["per_day"] if d["questions"]]
    if len(active) < len(stats["per_day"]):
        out += [f"Jours sans aucune question omis ({len(stats['per_day']) - len(active)} sur {len(stats['per_day'])}).", ""]
    out += _md_table(["Jour", "Questions", "Refus", "Mode dégradé"],
                     [[day_label(d["day"]), d["questions"], d["refused"], d["degraded"]] for d in active])
    out += ["## Documents les plus cités", ""]
    cited = stats["most_cited_documents"]
    out += _md_table(["Document", "Réponses qui le citent"], [[d["doc_id"], d["count"]] for d in cited]) if cited else [
        "Aucune réponse n'a cité de document sur la période.", ""]
    out += ["## Questions restées sans réponse les plus fréquentes", "", NOTE_UNANSWERED, ""]
    unanswered = stats["top_refused_questions"]
    out += _md_table(["Question", "Nombre"], [[q["question"], q["count"]] for q in unanswered]) if unanswered else [
        "Aucune question refusée sur la période.", ""]
    by_category = stats["feedback"]["by_category"]
    if by_category:
        out += ["## Erreurs signalées par catégorie", ""]
        out += _md_table(["Catégorie", "Signalements"], [[CATEGORIES.get(c, c), n] for c, n in by_category.items()])
    out += ["## Cas signalés et décisions du comité", ""]
    rows = _case_rows(report)
    if rows:
        if report.cases_total > len(rows):
            out += [f"Les {len(rows)} cas les plus récents sur {report.cases_total} ; `garant log export` donne tous les cas.", ""]
        out += _md_table(["Date", "Question", "Réponse", "Signalement", "Décision", "Relecteur", "Revu le", "Commentaire"],
                         [[r["date"], r["question"], r["answer"], r["signal"], r["decision"], r["reviewer"], r["reviewed_at"],
                           r["comment"]] for r in rows])
    else:
        out += ["Aucun cas signalé sur la période.", ""]
    out += ["## Intégrité du journal", ""] + [f"- {line}" for line in _integrity_lines(report.verification)] + [""]
    return "\n".join(out)


# --- HTML ---

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a202c;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:2px solid #2b6cb0;padding-bottom:.2rem;margin-top:2rem}
.period{color:#4a5568}.note{color:#4a5568;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0}th,td{border:1px solid #cbd5e0;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#edf2f7}td.n{text-align:right;white-space:nowrap}
.ok{color:#276749;font-weight:600}.bad{color:#c53030;font-weight:600}.pending{color:#c05621;font-weight:600}
.chart{max-width:100%;height:auto}code{word-break:break-all;font-size:.85rem}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
"""


def _table(header: list[str], rows: list[list[Any]], numeric: tuple[int, ...] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{escape(str(c))}</td>' for i, c in enumerate(row))
                   + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(report: Report) -> str:
    """The report as one HTML file: inline style and SVG, no script, nothing fetched."""
    stats = report.stats
    verdict_class = "ok" if report.verification is not None and report.verification.ok else "bad"
    summary = "".join(
        f"<tr><th>{escape(label)}</th><td{' class=' + verdict_class if label.startswith('Intégrité') else ''}>{escape(value)}</td></tr>"
        for label, value in _summary(report))
    cited = stats["most_cited_documents"]
    unanswered = stats["top_refused_questions"]
    by_category = stats["feedback"]["by_category"]
    rows = _case_rows(report)
    parts = [
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(TITLE)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(TITLE)}</h1><p class=period>Période : {escape(_period(report))}.</p><p>{escape(INTRO)}</p>",
        f"<h2>En bref</h2><table>{summary}</table><p class=note>{escape(NOTE_INTERVALS)}</p>",
        "<h2>Questions par jour</h2>", per_day_chart(stats["per_day"]),
        "<h2>Documents les plus cités</h2>",
        bar_list_chart([(d["doc_id"], d["count"]) for d in cited]) if cited else "<p>Aucune réponse n'a cité de document sur la période.</p>",
        f"<h2>Questions restées sans réponse les plus fréquentes</h2><p class=note>{escape(NOTE_UNANSWERED)}</p>",
        _table(["Question", "Nombre"], [[q["question"], q["count"]] for q in unanswered], (1,)) if unanswered
        else "<p>Aucune question refusée sur la période.</p>",
    ]
    if by_category:
        parts += ["<h2>Erreurs signalées par catégorie</h2>",
                  _table(["Catégorie", "Signalements"], [[CATEGORIES.get(c, c), n] for c, n in by_category.items()], (1,))]
    parts.append("<h2>Cas signalés et décisions du comité</h2>")
    if rows:
        if report.cases_total > len(rows):
            parts.append(f"<p class=note>Les {len(rows)} cas les plus récents sur {report.cases_total} ; "
                         "<code>garant log export</code> donne tous les cas.</p>")
        body = "".join(
            f"<tr><td>{escape(r['date'])}</td><td>{escape(r['question'])}</td><td>{escape(r['answer'])}</td>"
            f"<td>{escape(r['signal'])}</td><td class={'pending' if r['reviewer'] == '' else 'ok'}>{escape(r['decision'])}</td>"
            f"<td>{escape(r['reviewer'])}</td><td>{escape(r['reviewed_at'])}</td><td>{escape(r['comment'])}</td></tr>"
            for r in rows)
        parts.append("<table><thead><tr><th>Date</th><th>Question</th><th>Réponse</th><th>Signalement</th><th>Décision</th>"
                     f"<th>Relecteur</th><th>Revu le</th><th>Commentaire</th></tr></thead><tbody>{body}</tbody></table>")
    else:
        parts.append("<p>Aucun cas signalé sur la période.</p>")
    parts.append(f"<h2>Intégrité du journal</h2><p class={verdict_class}>{escape(_integrity_verdict(report.verification))}</p><ul>")
    parts += [f"<li>{_code(escape(line))}</li>" for line in _integrity_lines(report.verification)]
    parts.append(f"</ul><p class=note>Rapport produit par <code>garant log report</code> le {escape(utc_iso(report.generated_at))}.</p>"
                 "</body></html>")
    return "".join(parts)


def _code(escaped: str) -> str:
    """`commands` in an escaped line as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def write_report(report: Report, folder: Path) -> tuple[Path, Path]:
    """Write `rapport-gouvernance-<since>_<last day>.md` and `.html` in `folder`; returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"rapport-gouvernance-{report.since.isoformat()}_{report.last_day.isoformat()}"
    markdown, html = folder / f"{stem}.md", folder / f"{stem}.html"
    markdown.write_text(to_markdown(report), encoding="utf-8")
    html.write_text(to_html(report), encoding="utf-8")
    return markdown, html
