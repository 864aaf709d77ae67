"""HTML for answers and sources. Every piece of document or model text is escaped, so
text inside documents is shown as inert text, never as markup, links or images."""

from __future__ import annotations

import html
from urllib.parse import quote

from assistant.answering.model import DEGRADED_LABEL, QUOTE_ONLY_LABEL, Answer
from assistant.retrieval.hybrid import Passage

LABELS = {
    "fr": {"sources": "Sources", "open": "ouvrir le document", "searching": "Recherche dans les documents…",
           "retrieved": "Passages consultés", "refused": "Pas de réponse dans les documents",
           "degraded": "Mode dégradé", "score": "score", "version": "version", "unsupported": "Phrases retirées car non étayées par les sources"},
    "en": {"sources": "Sources", "open": "open the document", "searching": "Searching the documents…",
           "retrieved": "Passages consulted", "refused": "No answer in the documents",
           "degraded": "Degraded mode", "score": "score", "version": "version", "unsupported": "Sentences removed as not supported by the sources"},
}


def document_link(passage: Passage) -> str:
    """Link that opens the source document (at its page for PDFs)."""
    url = f"/doc/{quote(passage.document.doc_id)}"
    if passage.chunk.pages and passage.document.source_path.lower().endswith(".pdf"):
        url += f"#page={passage.chunk.pages[0]}"
    return url


def passage_card(number: int, passage: Passage, lang: str, cited: bool) -> str:
    """One source: title, kind, version, location, the passage, a link to open it."""
    doc = passage.document
    labels = LABELS[lang]
    text = html.escape(passage.chunk.text)
    return (
        f'<div class="garant-source{" cited" if cited else ""}">'
        f'<div class="garant-source-head"><b>[{number}] {html.escape(doc.title)}</b></div>'
        f'<div class="garant-source-meta">{html.escape(doc.kind)} · {labels["version"]} {html.escape(str(doc.version))}'
        f'{" · " + html.escape(passage.location) if passage.location else ""} · {labels["score"]} {passage.score:.3f}'
        f' · <a href="{html.escape(document_link(passage))}" target="_blank" rel="noopener noreferrer">{labels["open"]}</a></div>'
        f'<blockquote class="garant-passage">{text}</blockquote></div>'
    )


def sources_html(passages: list[Passage], lang: str, cited: list[int] | None = None) -> str:
    """The sources panel: cited passages first, then the others consulted."""
    labels = LABELS[lang]
    if not passages:
        return ""
    cited = cited or []
    parts = []
    if cited:
        parts.append(f"<h4>{labels['sources']}</h4>")
        parts.extend(passage_card(n, passages[n - 1], lang, True) for n in cited)
    others = [n for n in range(1, len(passages) + 1) if n not in cited]
    if others:
        parts.append(f"<h4>{labels['retrieved']}</h4>")
        parts.extend(passage_card(n, passages[n - 1], lang, False) for n in others)
    return "\n".join(parts)


def answer_markdown(answer: Answer) -> str:
    """The chat bubble text: notice first, then the answer or the refusal/degraded label."""
    labels = LABELS[answer.lang]
    notice = f"⚠️ **{answer.notice}**"
    quotes = "".join(f"\n\n> {_md_escape(sentence)} [{number}]" for number, sentence in answer.extracts)
    if answer.degraded:
        return f"{notice}\n\n🟠 **{DEGRADED_LABEL[answer.lang]}**{quotes}"
    if answer.refused:
        return f"{notice}\n\n🔎 **{labels['refused']}** — {_md_escape(answer.text)}"
    if answer.quoted_only:
        return f"{notice}\n\n📄 **{QUOTE_ONLY_LABEL[answer.lang]}**{quotes}"
    body = " ".join(f"{_md_escape(s.text)} {''.join(f'[{n}]' for n in s.sources)}" for s in answer.sentences)
    return f"{notice}\n\n{body}{quotes}"


def _md_escape(text: str) -> str:
    """Neutralise Markdown and HTML in model or document text (no links, no images, no tags)."""
    # quotes stay as they are: their entities (&#x27;) would be broken by the '#' escape below
    text = html.escape(text, quote=False)
    for char in "\\`*_{}[]()#+!|>~":
        text = text.replace(char, "\\" + char)
    return text
