"""The review page of the AI steering committee (the "garantie humaine"): a Gradio app on its
own port, behind a login, to filter logged answers, read an answer's full provenance, record
a decision on it, and follow the dashboard figures.

Every text shown comes from the log (questions, answers, document ids): it is data, always
escaped. The reviewer is the logged-in account, never a typed name.

No `from __future__ import annotations`: Gradio reads the handlers' annotations (gr.Request,
gr.SelectData) at runtime to know what to inject.
"""

import html
import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from assistant.errors import GarantError, InputError
from assistant.governance.accounts import Accounts, load_accounts
from assistant.governance.committee_report import describe_refusal_reasons
from assistant.governance.log import InteractionLog
from assistant.governance.migrations import REVIEW_DECISIONS
from assistant.governance.reviews import record_review

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.settings import Settings

logger = logging.getLogger(__name__)

LIST_LIMIT = 200
CSS = """
.rv-flag {display:inline-block;border-radius:4px;padding:0 6px;margin-right:4px;font-size:0.85em;background:#eee}
.rv-flag.bad {background:#fde2e1;color:#8e0000}
.rv-text {white-space:pre-wrap;border:1px solid #ddd;border-radius:6px;padding:6px 8px;margin:4px 0 10px 0}
.rv-table {border-collapse:collapse;font-size:0.88em;margin:4px 0 10px 0}
.rv-table td, .rv-table th {border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
.rv-mono {font-family:ui-monospace,monospace;font-size:0.85em;word-break:break-all}
.rv-bar {background:#1565c0;height:0.8em;display:inline-block}
"""

TEXT = {
    "fr": {
        "title": "Garant — revue des réponses (garantie humaine)",
        "intro": "Le comité de pilotage IA relit les réponses de l'assistant : filtrez, ouvrez une réponse, enregistrez une décision.",
        "tab_review": "Réponses à relire",
        "tab_dashboard": "Tableau de bord",
        "flagged": "Signalées par le personnel",
        "refused": "Refus",
        "degraded": "Mode dégradé",
        "low_support": "Appui minimal inférieur à (0 à 1 ; 0 : tous)",
        "since": "Du (AAAA-MM-JJ)",
        "until": "Au (AAAA-MM-JJ, inclus)",
        "doc_id": "Document (identifiant)",
        "lang": "Langue",
        "search": "Filtrer",
        "id": "Identifiant de la réponse",
        "open": "Ouvrir",
        "columns": ["date (UTC)", "identifiant", "langue", "indicateurs", "appui min.", "question"],
        "decision": "Décision",
        "comment": "Commentaire (obligatoire si corrigé ou rejeté)",
        "corpus_fix": "Correction du corpus à faire (facultatif)",
        "record": "Enregistrer la décision",
        "recorded": "Décision « {decision} » enregistrée par {reviewer}.",
        "found": "{n} réponse(s).",
        "bad_date": "Date invalide « {value} » : écrivez AAAA-MM-JJ.",
        "bad_support": "Appui invalide : un nombre entre 0 et 1.",
        "none_selected": "Choisissez d'abord une réponse.",
        "not_logged": "Session expirée : reconnectez-vous.",
        "internal": "Erreur interne, journalisée : réessayez ou contactez le support informatique.",
        "user": "Connecté : **{user}** ({role})",
        "role_admin": "administrateur",
        "role_reviewer": "relecteur",
        "days": "Période (jours)",
        "refresh": "Actualiser",
        "auth": "Page de revue de Garant : réservée au comité de pilotage IA.",
    },
    "en": {
        "title": "Garant — answer review (human oversight)",
        "intro": "The AI steering committee reviews the assistant's answers: filter, open an answer, record a decision.",
        "tab_review": "Answers to review",
        "tab_dashboard": "Dashboard",
        "flagged": "Flagged by staff",
        "refused": "Refusals",
        "degraded": "Degraded mode",
        "low_support": "Weakest support below (0 to 1; 0: all)",
        "since": "From (YYYY-MM-DD)",
        "until": "To (YYYY-MM-DD, included)",
        "doc_id": "Document (id)",
        "lang": "Language",
        "search": "Filter",
        "id": "Answer id",
        "open": "Open",
        "columns": ["date (UTC)", "id", "language", "flags", "min. support", "question"],
        "decision": "Decision",
        "comment": "Comment (required for corrigé or rejeté)",
        "corpus_fix": "Corpus fix to make (optional)",
        "record": "Record the decision",
        "recorded": "Decision '{decision}' recorded by {reviewer}.",
        "found": "{n} answer(s).",
        "bad_date": "Invalid date '{value}': write YYYY-MM-DD.",
        "bad_support": "Invalid support: a number between 0 and 1.",
        "none_selected": "Choose an answer first.",
        "not_logged": "Session expired: log in again.",
        "internal": "Internal error, logged: try again or contact IT support.",
        "user": "Logged in: **{user}** ({role})",
        "role_admin": "administrator",
        "role_reviewer": "reviewer",
        "days": "Period (days)",
        "refresh": "Refresh",
        "auth": "Garant review page: for the AI steering committee only.",
    },
}


def _e(value: Any) -> str:
    """A value as escaped HTML text (— when missing)."""
    return "—" if value is None or value == "" else html.escape(str(value))


def _table(headers: list[str], rows: list[list[Any]], raw: bool = False) -> str:
    """An HTML table (no header row when `headers` is empty); cells are escaped unless `raw`
    (cells already built from escaped parts)."""
    head = "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in headers) + "</tr>" if headers else ""
    body = "".join("<tr>" + "".join(f"<td>{c if raw else _e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="rv-table">{head}{body}</table>'


def _flags(item: dict[str, Any]) -> list[str]:
    """The markers of an answer: refused, degraded, flagged by staff, redaction failed."""
    names = [("refused", "refus"), ("degraded", "dégradé"), ("flagged", "signalé"), ("redaction_failed", "rédaction échouée")]
    return [label for key, label in names if item.get(key)]


def rows_for_table(items: list[dict[str, Any]]) -> list[list[Any]]:
    """Rows of the answers table (plain text cells: the table shows them as text)."""
    return [
        [
            (i.get("created_at") or "")[:19].replace("T", " "),
            i["id"],
            i.get("lang"),
            ", ".join(_flags(i)),
            "" if i.get("support_min") is None else round(i["support_min"], 2),
            (i.get("question_redacted") or "")[:160],
        ]
        for i in items
    ]


def detail_html(item: dict[str, Any]) -> str:
    """The full provenance of one answer, as escaped HTML."""
    # `get` has no `flagged` column: a -1 or a category in the staff feedback is a flag.
    flagged = any(f.get("rating") == -1 or f.get("category") for f in item.get("feedback", []))
    flags = "".join(f'<span class="rv-flag bad">{_e(f)}</span>' for f in _flags(item | {"flagged": flagged}))
    provenance = [
        ["prompt", item.get("prompt_version")],
        ["modèle / model", item.get("model_name")],
        ["SHA-256 du modèle / model file", item.get("model_sha256")],
        ["empreinte des réglages / settings hash", item.get("settings_hash")],
        ["version de l'index / index version", item.get("index_version")],
        ["version du corpus / corpus version", item.get("corpus_version")],
        ["appui minimal / weakest support", item.get("support_min")],
        ["phrases retirées / dropped sentences", item.get("n_dropped_sentences")],
        ["données masquées / redactions", ", ".join(f"{k}: {v}" for k, v in sorted(item.get("redaction_counts", {}).items()))],
        ["durées (s) / timings (s)", ", ".join(f"{k}: {v}" for k, v in sorted(item.get("timings", {}).items()))],
    ]
    passages = [
        [
            c["number"],
            "✓" if c.get("cited") else "",
            c.get("doc_id"),
            c.get("doc_version"),
            c.get("document_sha256"),
            c.get("chunk_id"),
            c.get("chunk_sha256"),
            None if c.get("score") is None else round(c["score"], 4),
            None if c.get("support") is None else round(c["support"], 2),
        ]
        for c in item.get("citations", [])
    ]
    feedback = [
        [(f.get("created_at") or "")[:19], {1: "+1", -1: "-1"}.get(f.get("rating")), f.get("category"), f.get("comment_redacted")]
        for f in item.get("feedback", [])
    ]
    reviews = [
        [(r.get("created_at") or "")[:19], r.get("reviewer"), r.get("decision"), r.get("comment"), r.get("corpus_fix")]
        for r in item.get("reviews", [])
    ]
    return (
        f'<div id="rv-detail"><p><b class="rv-mono">{_e(item["id"])}</b> · {_e(item.get("created_at"))} · {_e(item.get("lang"))} {flags}</p>'
        f'<b>Question</b><div class="rv-text">{_e(item.get("question_redacted"))}</div>'
        f'<b>Réponse / Answer</b><div class="rv-text">{_e(item.get("answer_redacted"))}</div>'
        f"<b>Provenance</b>{_table([], provenance)}"
        f"<b>Passages retrouvés / retrieved passages</b>"
        f"{_table(['n°', 'cité', 'document', 'version', 'SHA-256 document', 'passage', 'SHA-256 passage', 'score', 'appui'], passages)}"
        f"<b>Retours du personnel / staff feedback</b>"
        f"{_table(['date', 'note', 'catégorie', 'commentaire'], feedback) if feedback else '<p>—</p>'}"
        f"<b>Revues précédentes / earlier reviews</b>"
        f"{_table(['date', 'relecteur', 'décision', 'commentaire', 'correction du corpus'], reviews) if reviews else '<p>—</p>'}</div>"
    )


def dashboard_html(stats: dict[str, Any]) -> str:
    """The dashboard figures as escaped HTML: per-day bars, rates, most cited documents, unanswered questions."""
    total = stats["questions"]
    feedback = stats["feedback"]
    peak = max((d["questions"] for d in stats["per_day"]), default=0) or 1
    per_day = [
        [
            _e(d["day"]),
            _e(d["questions"]),
            _e(d["refused"]),
            _e(d["degraded"]),
            f'<span class="rv-bar" style="width:{round(120 * d["questions"] / peak)}px"></span>',
        ]
        for d in stats["per_day"]
    ]
    rates = [
        ["questions", total],
        ["refus / refusals", f"{stats['refused']} ({stats['refusal_rate']:.0%})"],
        ["motifs des refus / why refused", describe_refusal_reasons(stats.get("refusals_by_reason", {}))],
        ["mode dégradé / degraded", f"{stats['degraded']} ({stats['degraded_rate']:.0%})"],
        ["réponses avec retour / answers with feedback", f"{feedback['interactions_with_feedback']} ({feedback['feedback_rate']:.0%})"],
        ["retours +1 / -1", f"{feedback['positive']} / {feedback['negative']} ({feedback['negative_rate']:.0%} négatifs)"],
        ["signalements par catégorie / reports by kind", ", ".join(f"{k}: {v}" for k, v in feedback["by_category"].items())],
        ["rédaction échouée / redaction failed", stats["redaction_failed"]],
    ]
    cited = [[d["doc_id"], d["count"]] for d in stats["most_cited_documents"]]
    unanswered = [[q["question"], q["count"]] for q in stats["top_refused_questions"]]
    return (
        f'<div id="rv-dashboard"><p>{_e(stats["since"][:10])} → {_e(stats["until"][:10])}</p>{_table([], rates)}'
        f"<b>Questions par jour / per day</b>{_table(['jour', 'questions', 'refus', 'dégradé', ''], per_day, raw=True)}"
        f"<b>Documents les plus cités / most cited documents</b>{_table(['document', 'réponses'], cited) if cited else '<p>—</p>'}"
        "<b>Questions sans réponse les plus fréquentes (ce qui manque au corpus) / most frequent unanswered questions</b>"
        f"{_table(['question', 'fois'], unanswered) if unanswered else '<p>—</p>'}</div>"
    )


def _day(value: str) -> date | None:
    """A typed date, or None when empty; InputError when malformed."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(TEXT["fr"]["bad_date"].format(value=value), TEXT["en"]["bad_date"].format(value=value)) from None


def build_page(settings: "Settings", log: InteractionLog, accounts: Accounts):  # type: ignore[no-untyped-def]
    """The Gradio Blocks of the review page."""
    import gradio as gr

    lang = settings.language
    t = TEXT[lang]

    def failure(exc: Exception) -> str:
        """A message for the page: the error's own sentence, or a generic one for a bug (logged)."""
        if isinstance(exc, GarantError):
            return f"❌ {html.escape(exc.message(lang))}"
        logger.error("review page: unexpected error", exc_info=exc)
        return f"❌ {t['internal']}"

    def search(
        flagged: bool, refused: bool, degraded: bool, low_support: float | None, since: str, until: str, doc_id: str, language: str
    ) -> tuple[Any, str]:
        try:
            if low_support is not None and not 0 <= low_support <= 1:
                raise InputError(TEXT["fr"]["bad_support"], TEXT["en"]["bad_support"])
            last = _day(until)
            items = log.list(
                flagged=flagged or None,
                refused=refused or None,
                degraded=degraded or None,
                low_support=low_support or None,
                since=_day(since),
                until=last + timedelta(days=1) if last else None,
                doc_id=(doc_id or "").strip() or None,
                lang=language or None,
                limit=LIST_LIMIT,
            )
        except Exception as exc:  # noqa: BLE001 - never a traceback on the page
            return gr.update(), failure(exc)
        return rows_for_table(items), t["found"].format(n=len(items))

    def show(interaction_id: str) -> str:
        interaction_id = (interaction_id or "").strip()
        if not interaction_id:
            return f"<p>{t['none_selected']}</p>"
        try:
            return detail_html(log.get(interaction_id))
        except Exception as exc:  # noqa: BLE001
            return f"<p>{failure(exc)}</p>"

    def pick(rows: Any, event: gr.SelectData) -> tuple[str, str]:
        """A click on a row of the table opens that answer."""
        row = event.index[0] if isinstance(event.index, list | tuple) else event.index
        values = rows.values.tolist() if hasattr(rows, "values") else rows
        interaction_id = str(values[row][1]) if values and 0 <= row < len(values) else ""
        return interaction_id, show(interaction_id)

    def review(interaction_id: str, decision: str, comment: str, corpus_fix: str, request: gr.Request) -> tuple[str, str, str, str]:
        reviewer = getattr(request, "username", None)
        if not reviewer or accounts.role(reviewer) is None:
            return f"❌ {t['not_logged']}", gr.update(), comment, corpus_fix
        if not (interaction_id or "").strip():
            return f"❌ {t['none_selected']}", gr.update(), comment, corpus_fix
        try:
            record_review(log, interaction_id.strip(), reviewer, decision, comment, corpus_fix, role=accounts.role(reviewer) or "reviewer")
        except Exception as exc:  # noqa: BLE001
            return failure(exc), gr.update(), comment, corpus_fix
        return t["recorded"].format(decision=decision, reviewer=reviewer), show(interaction_id), "", ""

    def whoami(request: gr.Request) -> str:
        user = getattr(request, "username", None)
        role = accounts.role(user)
        return t["user"].format(user=html.escape(str(user)), role=t[f"role_{role}"]) if role else t["not_logged"]

    def dashboard(days: float | None) -> str:
        try:
            return dashboard_html(log.stats(days=max(1, min(int(days or 30), 3660))))
        except Exception as exc:  # noqa: BLE001
            return f"<p>{failure(exc)}</p>"

    with gr.Blocks(title="Garant — revue", analytics_enabled=False) as page:
        gr.Markdown(f"# {t['title']}\n{t['intro']}")
        user = gr.Markdown("", elem_id="rv-user")
        with gr.Tab(t["tab_review"]):
            with gr.Row():
                flagged = gr.Checkbox(label=t["flagged"])
                refused = gr.Checkbox(label=t["refused"])
                degraded = gr.Checkbox(label=t["degraded"])
                low_support = gr.Number(label=t["low_support"], value=None, minimum=0, maximum=1, step=0.05)
            with gr.Row():
                since = gr.Textbox(label=t["since"], max_length=10)
                until = gr.Textbox(label=t["until"], max_length=10)
                doc_id = gr.Textbox(label=t["doc_id"], max_length=200)
                language = gr.Dropdown(choices=[("—", ""), ("fr", "fr"), ("en", "en")], value="", label=t["lang"])
                search_button = gr.Button(t["search"], variant="primary")
            status = gr.Markdown("", elem_id="rv-status")
            table = gr.Dataframe(headers=t["columns"], interactive=False, wrap=True, max_height=360, elem_id="rv-table")
            with gr.Row():
                selected = gr.Textbox(label=t["id"], max_length=64, scale=4)
                open_button = gr.Button(t["open"], scale=1)
            with gr.Row():
                with gr.Column(scale=3):
                    detail = gr.HTML("", elem_id="rv-detail-box")
                with gr.Column(scale=2):
                    decision = gr.Radio(list(REVIEW_DECISIONS), value=REVIEW_DECISIONS[0], label=t["decision"])
                    comment = gr.Textbox(label=t["comment"], lines=3, max_length=2000)
                    corpus_fix = gr.Textbox(label=t["corpus_fix"], lines=2, max_length=2000)
                    record_button = gr.Button(t["record"], variant="primary")
                    ack = gr.Markdown("", elem_id="rv-ack")
        with gr.Tab(t["tab_dashboard"]):
            with gr.Row():
                days = gr.Number(label=t["days"], value=30, minimum=1, maximum=3660, precision=0)
                refresh = gr.Button(t["refresh"])
            board = gr.HTML("", elem_id="rv-board")

        filters = [flagged, refused, degraded, low_support, since, until, doc_id, language]
        search_button.click(search, filters, [table, status])
        table.select(pick, [table], [selected, detail])
        open_button.click(show, [selected], [detail])
        selected.submit(show, [selected], [detail])
        record_button.click(review, [selected, decision, comment, corpus_fix], [ack, detail, comment, corpus_fix])
        refresh.click(dashboard, [days], [board])
        page.load(whoami, None, [user]).then(search, filters, [table, status]).then(dashboard, [days], [board])
    return page


def build_review_app(settings: "Settings", log: InteractionLog, accounts: Accounts | None = None) -> "FastAPI":
    """FastAPI app serving the review page at `/`, behind Gradio's login with the review accounts
    (from the settings unless given; see `accounts.load_accounts`)."""
    import gradio as gr
    from fastapi import FastAPI

    accounts = accounts if accounts is not None else load_accounts(settings.governance)
    app = FastAPI(title="Garant — revue", docs_url=None, redoc_url=None, openapi_url=None)
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    message = f"{TEXT['fr']['auth']} · {TEXT['en']['auth']}"
    return gr.mount_gradio_app(
        app,
        build_page(settings, log, accounts),
        path="/",
        auth=accounts.authenticate,
        auth_message=message,
        theme=theme,
        css=CSS,
        footer_links=[],
        show_error=False,
        ssr_mode=False,
        run_history=False,
    )


def serve_review(settings: "Settings") -> None:
    """Start the review page on governance.review_host:review_port. Accounts are checked first:
    in production mode without accounts, ConfigError before anything listens."""
    import uvicorn

    governance = settings.governance
    accounts = load_accounts(governance, announce=lambda text: print(text, flush=True))
    if governance.review_host not in ("127.0.0.1", "localhost", "::1"):
        logger.warning("review page bound to %s: passwords travel in clear unless a TLS reverse proxy fronts it", governance.review_host)
    app = build_review_app(settings, InteractionLog(settings.home, governance), accounts)
    print(f"Garant : page de revue sur http://{governance.review_host}:{governance.review_port}/", flush=True)
    uvicorn.run(app, host=governance.review_host, port=governance.review_port, log_level="warning")
