"""Answers and sources are rendered as inert text with the notice always first."""

from __future__ import annotations

from assistant.answering.model import NOTICE
from assistant.web.render import answer_markdown, sources_html


def test_document_text_is_escaped_in_the_sources_panel(web_services) -> None:  # type: ignore[no-untyped-def]
    passages = web_services.retriever.search("note piégée script")
    html = sources_html(passages, "fr")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and 'href="http://evil' not in html
    assert "/doc/" in html


def test_every_answer_starts_with_the_notice_and_refusals_are_labelled(web_services) -> None:  # type: ignore[no-untyped-def]
    answer = web_services.answerer.answer("Quand se réunit le comité de pilotage IA ?")
    assert answer_markdown(answer).startswith(f"⚠️ **{NOTICE['fr']}**")
    refused = web_services.answerer.answer("Quelle est la recette du gâteau basque ?")
    text = answer_markdown(refused)
    assert refused.refused and text.startswith("⚠️ **Réponse générée par IA") and "Pas de réponse dans les documents" in text


def test_apostrophes_and_quotes_in_quoted_passages_are_not_mangled() -> None:
    from assistant.web.render import _md_escape

    text = _md_escape("l'outil « conforme » et \"sûr\" <b>gras</b> #1")
    assert "&#x27;" not in text and "l'outil" in text and '"sûr"' in text
    assert "<b>" not in text and "&lt;b&gt;" in text
