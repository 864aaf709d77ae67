"""The staff page: a Gradio chat showing sources as soon as retrieval is done, the AI
notice on every answer, refusals and degraded mode labelled, mounted in a FastAPI app
that also serves the indexed documents (and nothing else) for the "open" links.

The page answers one question at a time (`AnswerGate`); at most `server.max_queue` more wait
their turn, and a question beyond that gets the "busy" message at once.
"""


import html
import logging
import mimetypes
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.answering.language import detect_language
from assistant.answering.model import NOTICE
from assistant.answering.validation import clean_question
from assistant.errors import GarantError
from assistant.services import Services, build_services
from assistant.settings import Settings
from assistant.web.render import LABELS, answer_markdown, answer_sources_html, partial_answer_markdown, sources_html

log = logging.getLogger(__name__)

MAX_PAGE_THREADS = 32  # answers Gradio runs at once (each waiting one holds a worker thread; Gradio has 40)

CSS = """
.garant-notice {background:#fff4ce;border:1px solid #e0b400;padding:6px 10px;border-radius:6px;font-weight:600}
.garant-banner {background:#fde2e1;border:1px solid #c62828;padding:6px 10px;border-radius:6px}
.garant-source {border:1px solid #ddd;border-radius:6px;padding:6px 8px;margin:6px 0}
.garant-source.cited {border-color:#1565c0}
.garant-source-meta {font-size:0.85em;color:#555}
.garant-passage {white-space:pre-wrap;font-size:0.9em;margin:4px 0 0 0;max-height:14em;overflow:auto}
.garant-source.cited .garant-passage {max-height:none}
mark.garant-support {background:#fff3b0;color:inherit;padding:0 1px}
mark.garant-word {background:#ffd54f;color:inherit;font-weight:600;padding:0}
.garant-legend {font-size:0.85em;margin:2px 0 4px 0}
#garant-about table th, #garant-about table td {word-break:normal;overflow-wrap:normal}
#garant-about table td:not(:first-child), #garant-about table th:not(:first-child) {white-space:nowrap}
"""

TEXT = {
    "fr": {
        "title": "Garant — assistant documentaire",
        "intro": "Posez une question sur les documents de gouvernance et de qualité de l'établissement. Les réponses citent leurs sources : vérifiez-les.",
        "placeholder": "Votre question…", "send": "Envoyer", "new": "Nouvelle conversation",
        "model_down": "Le modèle de langue est indisponible : Garant affiche seulement les passages pertinents (mode dégradé).",
        "busy": "Garant est très sollicité : réessayez dans une minute.",
        "waiting": "En attente : Garant répond à une autre question, la vôtre suit…",
        "internal": "Une erreur interne est survenue ; elle a été journalisée. Réessayez ou contactez le support informatique.",
        "about": "À propos de cet assistant",
    },
    "en": {
        "title": "Garant — document assistant",
        "intro": "Ask a question about the establishment's governance and quality documents. Answers cite their sources: check them.",
        "placeholder": "Your question…", "send": "Send", "new": "New conversation",
        "model_down": "The language model is unavailable: Garant only shows the relevant passages (degraded mode).",
        "busy": "Garant is very busy: try again in a minute.",
        "waiting": "Waiting: Garant is answering another question, yours comes next…",
        "internal": "An internal error occurred; it was logged. Try again or contact IT support.",
        "about": "About this assistant",
    },
}


FEEDBACK_TEXT = {
    "fr": {"thanks": "Merci, votre avis est enregistré pour le comité de pilotage IA.",
           "reported": "Merci, votre signalement est enregistré ; il sera examiné par le comité de pilotage IA.",
           "no_answer": "Posez d'abord une question : le signalement porte sur une réponse de la conversation.",
           "report": "Signaler une erreur", "target": "Réponse concernée", "category": "Type d'erreur", "comment": "Commentaire (sans nom ni donnée de patient)",
           "send_report": "Envoyer le signalement"},
    "en": {"thanks": "Thank you, your feedback is recorded for the AI steering committee.",
           "reported": "Thank you, your report is recorded; the AI steering committee will review it.",
           "no_answer": "Ask a question first: the report concerns an answer of the conversation.",
           "report": "Report an error", "target": "Answer concerned", "category": "Kind of error", "comment": "Comment (no names or patient data)",
           "send_report": "Send the report"},
}
STATUS_LABELS = {"fr": {"en_vigueur": "en vigueur", "archive": "archivé"}, "en": {"en_vigueur": "in force", "archive": "archived"}}
CATEGORY_LABELS = {
    "fr": {"incorrect": "Réponse incorrecte", "source_erronee": "Source erronée", "incomplet": "Réponse incomplète", "autre": "Autre"},
    "en": {"incorrect": "Incorrect answer", "source_erronee": "Wrong source", "incomplet": "Incomplete answer", "autre": "Other"},
}


def _session_id(request: Any) -> str:
    """The page session (Gradio's per-tab hash); only its salted hash reaches the log."""
    return str(getattr(request, "session_hash", None) or "anonymous")


class AnswerGate:
    """One answer generated at a time on the page, at most `max_waiting` more waiting their
    turn; past that `enter()` refuses, and the page shows the "busy" message at once."""

    def __init__(self, max_waiting: int) -> None:
        self.max_waiting = max_waiting
        self._count = 0  # answers in progress: the one being generated and those waiting
        self._count_lock = threading.Lock()
        self._turn = threading.Lock()

    def enter(self) -> bool:
        """Take a place in line; False when the line is full."""
        with self._count_lock:
            if self._count > self.max_waiting:
                return False
            self._count += 1
            return True

    def take_turn(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds to be the one answer being generated."""
        return self._turn.acquire(timeout=timeout)

    def leave(self, had_turn: bool) -> None:
        """Give back the place in line (and the turn, if held)."""
        if had_turn:
            self._turn.release()
        with self._count_lock:
            self._count -= 1


def _answer_language(services: Services, question: object, page_lang: str) -> str:
    """The language of the answer: the question's, or the page's when the question is too short
    to tell or is refused as it stands (its error is then told in the page's language)."""
    try:
        text = clean_question(question, services.settings.server.max_question_chars)
    except GarantError:
        return page_lang
    return detect_language(text, page_lang)


TARGET_CHARS = 70


def _answered(answer_ids: dict[str, str] | None) -> list[str]:
    """The ids of the conversation's answers, in order (`answer_ids` maps each answer's place in
    the chat to its id, and "last" to the last one's)."""
    return [answer_id for key, answer_id in (answer_ids or {}).items() if key != "last"]


def report_targets(asked: list[str], answer_ids: dict[str, str]) -> dict[str, Any]:
    """The answers of the conversation that an error report may concern, as dropdown choices
    (« 2. Quel délai pour… » → the answer's id), the last one chosen. The questions asked and
    the answers' ids are both appended once per answer given, in the same order."""
    choices = []
    for number, (question, answer_id) in enumerate(zip(asked or [], _answered(answer_ids), strict=False), start=1):
        short = question if len(question) <= TARGET_CHARS else question[: TARGET_CHARS - 1].rstrip() + "…"
        choices.append((f"{number}. {short}", answer_id))
    return {"choices": choices, "value": choices[-1][1] if choices else None}


def reported_answer(answer_ids: dict[str, str], target: str | None) -> str | None:
    """The answer an error report concerns: the one chosen when it is an answer of this
    conversation (the browser sends the choice; it names nothing else), else the last one."""
    if target and target in _answered(answer_ids):
        return target
    return (answer_ids or {}).get("last")


def answer_turn(services: Services, gate: AnswerGate, question: str, history: list[dict[str, Any]], lang: str,
                asked: list[str], answer_ids: dict[str, str], session: str) -> Iterator[tuple[Any, ...]]:
    """One question on the page: (chat, sources, question box, asked, answer ids) after each step.
    The sources show once retrieval is done, then the answer streams, then the checked answer
    replaces it with its support highlighted in the sources. Errors end in a message, never a
    traceback; when too many questions are already in line, the "busy" message.

    The answer is in the question's language (an English question on the French page gets the
    English prompt, notice and answer); the page's language `lang` decides when the question is
    too short to tell."""
    history = list(history or [])
    asked = list(asked or [])
    answer_ids = dict(answer_ids or {})
    page_lang, lang = lang, _answer_language(services, question, lang)
    notice = f"⚠️ **{NOTICE[lang]}**"
    history.append({"role": "user", "content": question})
    if not gate.enter():
        history.append({"role": "assistant", "content": f"**{TEXT[lang]['busy']}**"})
        yield history, "", question, asked, answer_ids
        return
    had_turn = False
    try:
        history.append({"role": "assistant", "content": f"{notice}\n\n_{LABELS[lang]['searching']}_"})
        yield history, "", "", asked, answer_ids
        while not (had_turn := gate.take_turn(timeout=1.0)):
            history[-1] = {"role": "assistant", "content": f"{notice}\n\n_{TEXT[lang]['waiting']}_"}
            yield history, "", "", asked, answer_ids
        passages: list[Any] = []
        written = ""
        for event in services.answerer.stream(question, lang=lang, history=asked):
            if event.kind == "sources":
                passages = event.data
                yield history, sources_html(passages, lang), "", asked, answer_ids
            elif event.kind == "token":
                written += event.data
                history[-1] = {"role": "assistant", "content": partial_answer_markdown(written, lang)}
                yield history, sources_html(passages, lang), "", asked, answer_ids
            else:
                answer = event.data
                services.record(answer, session)
                history[-1] = {"role": "assistant", "content": answer_markdown(answer)}
                asked.append(question)
                answer_ids[str(len(history) - 1)] = answer.id
                answer_ids["last"] = answer.id
                yield history, answer_sources_html(answer), "", asked, answer_ids
    except GarantError as exc:
        # a question refused as it stands (empty, too long, binary) is told in the page's language
        history[-1] = {"role": "assistant", "content": f"❌ {html.escape(exc.message(page_lang))}"}
        yield history, "", question, asked, answer_ids
    except Exception:  # noqa: BLE001 - no traceback ever reaches the page
        log.exception("unexpected error while answering")
        history[-1] = {"role": "assistant", "content": f"❌ {TEXT[lang]['internal']}"}
        yield history, "", question, asked, answer_ids
    finally:
        gate.leave(had_turn)


def about_markdown(services: Services, lang: str) -> str:
    """What the assistant is and is not for, the documents it knows, the model and its limits,
    how answers are made, what is logged and how personal data is handled, whom to contact."""
    settings = services.settings
    docs = sorted(services.retriever.documents.values(), key=lambda d: (d.kind, d.title))
    rows = "\n".join(
        f"| {_cell(d.title)} | {_cell(d.kind)} | {_cell(str(d.version))} | {_cell(d.effective_date or '—')} "
        f"| {_cell(STATUS_LABELS[lang].get(d.status, d.status))} | {d.ingested_at[:10]} |"
        for d in docs
    )
    model_name = _cell(model_description(settings.llm, lang))
    contact = _cell(settings.server.contact)
    days, max_chars = settings.governance.retention_days, settings.server.max_question_chars
    if lang == "en":
        return (
            "**What it is for**: finding and summarising what the establishment's documents say. **Not for**: clinical decisions, "
            "patient data, or anything the documents do not cover.\n\n"
            "**How answers are made**: the question is matched against the indexed passages (meaning + keywords); a "
            f"language model ({model_name}) writes a short answer from the best passages; "
            "every sentence is then checked against the passages and unsupported sentences are removed. If the documents do not "
            "answer, Garant says so. In the sources, what supports the answer is highlighted.\n\n"
            "**Limits**: a small model that can misread or oversimplify a passage: always check the highlighted source before "
            f"acting. It knows only the documents below, in their indexed version; questions of at most {max_chars} characters; "
            "one question answered at a time (others wait, or get a \"busy\" message). Without the model, Garant only shows the "
            "relevant passages (degraded mode).\n\n"
            "**Logging and personal data**: questions, answers, sources and feedback are recorded for review by the AI steering "
            "committee, with names, phone numbers, e-mails and patient identifiers replaced by placeholders, sessions "
            f"pseudonymised, and deleted after {days} days. Do not type patient names or identifiers.\n\n"
            "**Reporting an error**: the thumbs-down under the answer, or \"Report an error\" below the chat (choose the answer concerned and the kind of error, "
            "add a comment): the committee reviews every report.\n\n"
            f"**Contact**: {contact}.\n\n"
            f"**Documents known** ({len(docs)}):\n\n| title | kind | version | effective | status | ingested |\n|---|---|---|---|---|---|\n{rows}"
        )
    return (
        "**À quoi il sert** : retrouver et résumer ce que disent les documents de l'établissement. **Il ne sert pas** aux décisions "
        "cliniques, aux données de patients, ni à ce que les documents ne couvrent pas.\n\n"
        "**Comment les réponses sont produites** : la question est rapprochée des passages indexés (sens + mots-clés) ; un modèle "
        f"de langue ({model_name}) rédige une réponse courte à partir des meilleurs "
        "passages ; chaque phrase est ensuite vérifiée contre les passages et les phrases non étayées sont retirées. Si les "
        "documents ne répondent pas, Garant le dit. Dans les sources, ce qui étaye la réponse est surligné.\n\n"
        "**Limites** : un petit modèle, qui peut mal lire ou trop simplifier un passage : vérifiez toujours la source surlignée "
        "avant d'agir. Il ne connaît que les documents ci-dessous, dans leur version indexée ; questions de "
        f"{max_chars} caractères au plus ; une question traitée à la fois (les autres attendent, ou reçoivent un message "
        "« très sollicité »). Sans le modèle, Garant montre seulement les passages pertinents (mode dégradé).\n\n"
        "**Journalisation et données personnelles** : questions, réponses, sources et avis sont enregistrés pour revue par le "
        "comité de pilotage IA ; noms, téléphones, courriels et identifiants de patients y sont remplacés par des marqueurs, les "
        f"sessions pseudonymisées, et tout est effacé après {days} jours. Ne saisissez ni nom ni identifiant de patient.\n\n"
        "**Signaler une erreur** : le pouce baissé sous la réponse, ou « Signaler une erreur » sous la conversation (choisissez la "
        "réponse concernée et le type d'erreur, ajoutez un commentaire) : le comité examine chaque signalement.\n\n"
        f"**Contact** : {contact}.\n\n"
        f"**Documents connus** ({len(docs)}) :\n\n| titre | type | version | en vigueur depuis | statut | indexé le |\n|---|---|---|---|---|---|\n{rows}"
    )


def model_description(llm: Any, lang: str) -> str:
    """Which model writes the answers and where it runs, as the panel says it."""
    if llm.backend == "openai":
        host = urlsplit(llm.base_url).hostname or llm.base_url
        return (f"« {llm.api_model} », on the establishment's inference server {host}" if lang == "en"
                else f"« {llm.api_model} », sur le serveur d'inférence de l'établissement {host}")
    if llm.backend == "fake":
        return "a scripted test model, not a real one" if lang == "en" else "un modèle de test scripté, pas un vrai modèle"
    name = llm.model_path.name if llm.model_path else "Qwen2.5-Coder-1.5B-Instruct Q4_K_M"
    return f"{name}, running on this server, nothing leaves it" if lang == "en" else f"{name}, exécuté sur ce serveur, rien n'en sort"


def _cell(text: str) -> str:
    """Configured or document text made inert inside the panel's Markdown (and its tables)."""
    text = html.escape(text, quote=False)
    for char in "\\`*_[]|<>#!":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


def build_page(services: Services):  # type: ignore[no-untyped-def]
    """The Gradio Blocks of the staff page."""
    import gradio as gr

    default_lang = services.settings.language

    gate = AnswerGate(services.settings.server.max_queue)

    def respond(question: str, history: list[dict[str, Any]], lang: str, asked: list[str], answer_ids: dict[str, str],
                request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from answer_turn(services, gate, question, history, lang, asked, answer_ids, _session_id(request))

    def rate(answer_ids: dict[str, str], lang: str, data: gr.LikeData, request: gr.Request) -> str:
        """👍 / 👎 on an answer of the conversation."""
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        answer_id = (answer_ids or {}).get(str(index))
        if answer_id is None:
            return ""
        try:
            services.log.add_feedback(answer_id, _session_id(request), rating=1 if data.liked else -1)
        except GarantError as exc:
            return f"❌ {html.escape(exc.message(lang))}"
        return FEEDBACK_TEXT[lang]["thanks"]

    def report(answer_ids: dict[str, str], target: str | None, category: str, comment: str, lang: str,
               request: gr.Request) -> tuple[str, str]:
        """'Signaler une erreur' on the answer chosen (the last one by default), with a category and a comment."""
        answer_id = reported_answer(answer_ids, target)
        if answer_id is None:
            return FEEDBACK_TEXT[lang]["no_answer"], comment
        try:
            services.log.add_feedback(answer_id, _session_id(request), category=category, comment=(comment or "")[:2000] or None)
        except GarantError as exc:
            return f"❌ {html.escape(exc.message(lang))}", comment
        return FEEDBACK_TEXT[lang]["reported"], ""

    with gr.Blocks(title="Garant", analytics_enabled=False) as page:
        asked = gr.State([])
        answer_ids = gr.State({})
        header = gr.Markdown(f"# {TEXT[default_lang]['title']}\n{TEXT[default_lang]['intro']}")
        gr.HTML(f'<div class="garant-notice" id="garant-notice">⚠️ {NOTICE["fr"]} · {NOTICE["en"]}</div>')
        banner = gr.HTML("", elem_id="garant-banner")
        with gr.Row():
            with gr.Column(scale=3):
                lang = gr.Radio(["fr", "en"], value=default_lang, label="Langue / Language")
                chat = gr.Chatbot(label="Garant", height=480, sanitize_html=True, allow_tags=False, feedback_options=("Like", "Dislike"))
                question = gr.Textbox(placeholder=TEXT[default_lang]["placeholder"], show_label=False, lines=2, max_length=services.settings.server.max_question_chars + 500)
                with gr.Row():
                    send = gr.Button(TEXT[default_lang]["send"], variant="primary")
                    new = gr.Button(TEXT[default_lang]["new"])
                ack = gr.Markdown("", elem_id="garant-ack")
                with gr.Accordion(FEEDBACK_TEXT[default_lang]["report"], open=False, elem_id="garant-report") as report_box:
                    target = gr.Dropdown(choices=[], value=None, label=FEEDBACK_TEXT[default_lang]["target"], elem_id="garant-report-target")
                    category = gr.Dropdown(
                        choices=[(label, key) for key, label in CATEGORY_LABELS[default_lang].items()],
                        value="incorrect", label=FEEDBACK_TEXT[default_lang]["category"],
                    )
                    comment = gr.Textbox(label=FEEDBACK_TEXT[default_lang]["comment"], lines=2, max_length=2000)
                    report_button = gr.Button(FEEDBACK_TEXT[default_lang]["send_report"])
            with gr.Column(scale=2):
                sources = gr.HTML(label="Sources", elem_id="garant-sources")
        with gr.Accordion(TEXT[default_lang]["about"], open=False, elem_id="garant-about") as about_box:
            about = gr.Markdown(about_markdown(services, default_lang))

        def model_banner(lang_value: str) -> str:
            if services.chat.available is False:
                return f'<div class="garant-banner">{TEXT[lang_value]["model_down"]}</div>'
            return ""

        inputs = [question, chat, lang, asked, answer_ids]
        outputs = [chat, sources, question, asked, answer_ids]
        # Gradio runs more answers at once than the gate lets through, so that a question past
        # the line gets the "busy" message at once rather than waiting unseen in Gradio's queue.
        runs = min(services.settings.server.max_queue + 2, MAX_PAGE_THREADS)
        for trigger in (send.click, question.submit):
            (trigger(respond, inputs, outputs, concurrency_limit=runs).then(model_banner, [lang], [banner])
             .then(lambda a, ids: gr.update(**report_targets(a, ids)), [asked, answer_ids], [target]))
        new.click(lambda: ([], "", "", [], {}, "", gr.update(choices=[], value=None)), None,
                  [chat, sources, question, asked, answer_ids, ack, target])
        chat.like(rate, [answer_ids, lang], [ack])
        report_button.click(report, [answer_ids, target, category, comment, lang], [ack, comment])
        page.load(model_banner, [lang], [banner])

        def relabel(lang_value: str) -> tuple[Any, ...]:
            """Switch the page's own words to the chosen language (answers follow the same choice)."""
            text, feedback = TEXT[lang_value], FEEDBACK_TEXT[lang_value]
            return (
                f"# {text['title']}\n{text['intro']}",
                gr.update(placeholder=text["placeholder"]), gr.update(value=text["send"]), gr.update(value=text["new"]),
                gr.update(label=feedback["category"], choices=[(label, key) for key, label in CATEGORY_LABELS[lang_value].items()]),
                gr.update(label=feedback["comment"]), gr.update(value=feedback["send_report"]),
                gr.update(label=feedback["report"]), gr.update(label=text["about"]), about_markdown(services, lang_value),
                gr.update(label=feedback["target"]),
            )

        lang.change(relabel, [lang], [header, question, send, new, category, comment, report_button, report_box, about_box, about, target])
        lang.change(model_banner, [lang], [banner])
    # A safety net against floods only: the page itself answers "busy" long before it fills.
    page.queue(max_size=4 * (services.settings.server.max_queue + 2), default_concurrency_limit=1)
    return page


def build_app(services: Services):  # type: ignore[no-untyped-def]
    """FastAPI app: the page at `/`, indexed documents at `/doc/{doc_id}` (nothing else on disk)."""
    import gradio as gr
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import FileResponse

    app = FastAPI(title="Garant", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/doc/{doc_id}")
    def open_document(doc_id: str) -> FileResponse:
        doc = services.retriever.documents.get(doc_id)
        if doc is None:
            raise HTTPException(status_code=404, detail="document inconnu / unknown document")
        path = Path(doc.source_path)
        if not path.is_file():
            raise HTTPException(status_code=410, detail="document retiré du disque / document no longer on disk")
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if media in ("text/html", "text/markdown", "text/x-markdown") or media.startswith("text/"):
            media = "text/plain; charset=utf-8"
        headers = {"Content-Security-Policy": "sandbox; default-src 'none'", "X-Content-Type-Options": "nosniff"}
        return FileResponse(path, media_type=media, headers=headers, content_disposition_type="inline", filename=path.name)

    from assistant.web.api import build_api_router
    app.include_router(build_api_router(services))  # /api/v1, before the page's mount at /
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    return gr.mount_gradio_app(app, build_page(services), path="/", theme=theme, css=CSS, footer_links=[], show_error=False, ssr_mode=False)


def serve(settings: Settings) -> None:
    """Start the staff page on settings.server.host:port (127.0.0.1 by default)."""
    import uvicorn

    services = build_services(settings)
    try:
        services.chat()
    except GarantError as exc:
        log.warning("starting in degraded mode: %s", exc.message_en)
    services.warm_up()
    services.watch_index(settings.server.index_check_s)
    app = build_app(services)
    print(f"Garant : page du personnel sur http://{settings.server.host}:{settings.server.port}/", flush=True)
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again: with the default
    # action the process would die there, before `services.close()` writes what the log holds.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        uvicorn.run(app, host=settings.server.host, port=settings.server.port, log_level="warning")
    finally:
        services.close()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM (systemd stop, docker stop) as a normal exit, so `finally` blocks run."""
    raise SystemExit(0)
