"""HTML for answers and sources. Every piece of document or model text is escaped, so
text inside documents is shown as inert text, never as markup, links or images.

In each cited source card, the passage sentence(s) that best support the answer sentences
citing it are highlighted (`<mark class="garant-support">`), their words shared with the
answer marked more strongly (`<mark class="garant-word">`). Support is measured as the
citation check measures it (shared content terms from `assistant.retrieval.analysis`, numbers
required); the positions are found on the raw passage, and each slice of it is escaped on its
own before the marks are put around it.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from urllib.parse import quote

from assistant.answering.citations import numbers_supported
from assistant.answering.model import DEGRADED_LABEL, NOTICE, Answer
from assistant.answering.output_guard import neutralise
from assistant.retrieval.analysis import analyse
from assistant.retrieval.hybrid import Passage
from assistant.retrieval.statements import readable

# Sentence ends inside a passage: after . ! ? … when the next word does not start with a lowercase
# letter or a digit ("art. 5", "p. ex." stay whole), after ";", and at line breaks (table rows, lists).
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+(?=[^a-zà-ÿ\d\s])|(?<=;)\s+|\s*\n\s*")
# Words as the analysis sees them: references, percentages and decimals whole, then letters/digits.
_WORD = re.compile(r"\d+(?:/\d+)+|\d+(?:[.,]\d+)?\s?%|\d+(?:[.,]\d+)+|[^\W_]+")
MIN_HIGHLIGHT_SHARE = 0.3  # least share of an answer sentence's terms a passage sentence must hold to be highlighted
MIN_EXTRA_SHARE = 0.35  # a second passage sentence is highlighted only if it adds this share of the terms

LABELS = {
    "fr": {"sources": "Sources", "open": "ouvrir le document", "searching": "Recherche dans les documents…",
           "retrieved": "Passages consultés", "refused": "Pas de réponse dans les documents",
           "degraded": "Mode dégradé", "score": "score", "version": "version", "unsupported": "Phrases retirées car non étayées par les sources",
           "highlight": "Surligné : ce qui, dans le passage, étaye la réponse."},
    "en": {"sources": "Sources", "open": "open the document", "searching": "Searching the documents…",
           "retrieved": "Passages consulted", "refused": "No answer in the documents",
           "degraded": "Degraded mode", "score": "score", "version": "version", "unsupported": "Sentences removed as not supported by the sources",
           "highlight": "Highlighted: what, in the passage, supports the answer."},
}


def document_link(passage: Passage) -> str:
    """Link that opens the source document (at its page for PDFs)."""
    url = f"/doc/{quote(passage.document.doc_id)}"
    if passage.chunk.pages and passage.document.source_path.lower().endswith(".pdf"):
        url += f"#page={passage.chunk.pages[0]}"
    return url


def passage_card(number: int, passage: Passage, lang: str, cited: bool, claims: list[str] | None = None) -> str:
    """One source: title, kind, version, location, the passage as staff read it (a table's rows
    labelled by its header, `statements.readable`, not Markdown pipes) with what supports
    `claims` highlighted, a link to open it."""
    doc = passage.document
    labels = LABELS[lang]
    text = highlighted_passage(readable(passage.chunk.text), claims or [], lang)
    return (
        f'<div class="garant-source{" cited" if cited else ""}">'
        f'<div class="garant-source-head"><b>[{number}] {html.escape(doc.title)}</b></div>'
        f'<div class="garant-source-meta">{html.escape(doc.kind)} · {labels["version"]} {html.escape(str(doc.version))}'
        f'{" · " + html.escape(passage.location) if passage.location else ""} · {labels["score"]} {passage.score:.3f}'
        f' · <a href="{html.escape(document_link(passage))}" target="_blank" rel="noopener noreferrer">{labels["open"]}</a></div>'
        f'<blockquote class="garant-passage">{text}</blockquote></div>'
    )


def sources_html(passages: list[Passage], lang: str, cited: list[int] | None = None,
                 claims: dict[int, list[str]] | None = None) -> str:
    """The sources panel: cited passages first (what supports `claims[n]` highlighted in
    passage n), then the others consulted."""
    labels = LABELS[lang]
    if not passages:
        return ""
    cited = cited or []
    claims = claims or {}
    parts = []
    if cited:
        parts.append(f"<h4>{labels['sources']}</h4>")
        if any(claims.get(n) for n in cited):
            parts.append(f'<div class="garant-legend"><mark class="garant-support">{labels["highlight"]}</mark></div>')
        parts.extend(passage_card(n, passages[n - 1], lang, True, claims.get(n)) for n in cited)
    others = [n for n in range(1, len(passages) + 1) if n not in cited]
    if others:
        parts.append(f"<h4>{labels['retrieved']}</h4>")
        parts.extend(passage_card(n, passages[n - 1], lang, False) for n in others)
    return "\n".join(parts)


def answer_sources_html(answer: Answer) -> str:
    """The sources panel of a final answer: cited passages first, their support highlighted."""
    return sources_html(answer.retrieved, answer.lang, answer.cited, answer_claims(answer))


def answer_claims(answer: Answer) -> dict[int, list[str]]:
    """Source number → the texts the page shows as coming from it: the kept answer sentences
    citing it and the passages quoted from it. A refusal quotes nothing, so highlights nothing."""
    claims: dict[int, list[str]] = defaultdict(list)
    if answer.refused:
        return {}
    for sentence in answer.sentences:
        for number in sentence.sources:
            claims[number].append(sentence.text)
    for number, quoted in answer.extracts:
        claims[number].append(quoted)
    return dict(claims)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence (or table row, list item) of a passage, spaces trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for gap in [*_SENTENCE_BREAK.finditer(text), None]:
        end = gap.start() if gap else len(text)
        piece = text[start:end]
        if piece.strip():
            left = start + len(piece) - len(piece.lstrip())
            spans.append((left, start + len(piece.rstrip())))
        start = gap.end() if gap else end
    return spans


def support_spans(text: str, claim: str, lang: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(sentences, words) of the passage `text` to highlight for one answer sentence `claim`:
    the passage sentence holding the largest share of the claim's content terms (a sentence
    missing one of the claim's numbers counts half), plus a second one if it adds enough of
    the remaining terms; and, inside them, the words whose term is one of the claim's."""
    wanted = set(analyse(claim, lang))
    if not wanted:
        return [], []
    candidates = []
    for start, end in sentence_spans(text):
        shared = wanted & set(analyse(text[start:end], lang))
        score = len(shared) / len(wanted) * (1.0 if numbers_supported(claim, text[start:end]) else 0.5)
        candidates.append((score, shared, (start, end)))
    if not candidates:
        return [], []
    score, covered, best = max(candidates, key=lambda c: c[0])
    if score < MIN_HIGHLIGHT_SHARE:
        return [], []
    chosen = [best]
    # a claim may join two sentences of the passage: add the one bringing most of the rest
    gain, shared, second = max(((len(s - covered) / len(wanted), s, span) for _, s, span in candidates if span != best),
                               key=lambda c: c[0], default=(0.0, set(), best))
    if gain >= MIN_EXTRA_SHARE:
        chosen.append(second)
        covered = covered | shared
    words = [(m.start(), m.end()) for start, end in chosen for m in _WORD.finditer(text, start, end)
             if set(analyse(m.group(), lang)) & covered]
    return sorted(chosen), words


def highlighted_passage(text: str, claims: list[str], lang: str) -> str:
    """The passage as escaped HTML, with what supports `claims` wrapped in <mark> elements.
    Positions are computed on the raw text; every slice is escaped before being wrapped."""
    sentences: list[tuple[int, int]] = []
    words: set[tuple[int, int]] = set()
    for claim in claims:
        found, matched = support_spans(text, claim, lang)
        sentences.extend(found)
        words.update(matched)
    if not sentences:
        return html.escape(text)
    # merge overlapping sentence spans (several claims may rest on the same sentence)
    merged: list[list[int]] = []
    for start, end in sorted(sentences):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    position = 0
    for start, end in merged:
        out.append(html.escape(text[position:start]))
        out.append('<mark class="garant-support">')
        inner = start
        for word_start, word_end in sorted(w for w in words if start <= w[0] and w[1] <= end):
            out.append(html.escape(text[inner:word_start]))
            out.append(f'<mark class="garant-word">{html.escape(text[word_start:word_end])}</mark>')
            inner = word_end
        out.append(html.escape(text[inner:end]))
        out.append("</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def partial_answer_markdown(written: str, lang: str) -> str:
    """The chat bubble while the answer streams: the notice, then the model's text so far, inert
    (no link or image can appear, even for a moment, before the checked answer replaces it)."""
    return f"⚠️ **{NOTICE[lang]}**\n\n{_md_escape(written)}"


def answer_markdown(answer: Answer) -> str:
    """The chat bubble text: notice first, then the answer or the refusal/degraded label."""
    labels = LABELS[answer.lang]
    notice = f"⚠️ **{answer.notice}**"
    quotes = "".join(f"\n\n> {_md_escape(sentence)} [{number}]{_quote_place(answer, number)}" for number, sentence in answer.extracts)
    if answer.degraded:
        return f"{notice}\n\n🟠 **{DEGRADED_LABEL[answer.lang]}**{quotes}"
    if answer.refusal_reason == "small_talk":  # a greeting: what Garant does, not « no answer »
        return f"{notice}\n\nℹ️ {_md_escape(answer.text)}"
    if answer.refused:
        return f"{notice}\n\n🔎 **{labels['refused']}** — {_md_escape(answer.text)}"
    if answer.quoted_only:
        return f"{notice}\n\n📄 **{answer.quote_label}**{quotes}"
    body = " ".join(f"{_md_escape(s.text)} {''.join(f'[{n}]' for n in s.sources)}" for s in answer.sentences)
    return f"{notice}\n\n{body}{quotes}"


def _quote_place(answer: Answer, number: int) -> str:
    """« — p. 55, Section 4 › Article 37 — … » after a quote: where in its document the quoted sentence is. A
    heading is document text: inert like the quote (no address, link or markup survives)."""
    place = answer.place_of(number)
    return f" — *{_md_escape(neutralise(place, answer.lang))}*" if place else ""


def _md_escape(text: str) -> str:
    """Neutralise Markdown and HTML in model or document text (no links, no images, no tags)."""
    # quotes stay as they are: their entities (&#x27;) would be broken by the '#' escape below
    text = html.escape(text, quote=False)
    for char in "\\`*_{}[]()#+!|>~":
        text = text.replace(char, "\\" + char)
    return text
