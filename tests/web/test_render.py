"""Answers and sources are rendered as inert text with the notice always first."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answering.model import NOTICE
from assistant.web.render import answer_markdown, sources_html


def test_document_text_is_escaped_in_the_sources_panel(web_services) -> None:  # type: ignore[no-untyped-def]
    passages = web_services.retriever.search("note piégée script")
    html = sources_html(passages, "fr")
    assert "<script>" not in html and "<img" not in html and 'href="http://evil' not in html
    assert "/doc/" in html
    # whatever ingestion keeps of a document's markup, the panel shows it as text
    trapped = "<script>alert('x')</script> <img src=x onerror=alert(1)> <a href=\"http://evil.example\">lien</a>"
    passage = replace(passages[0], chunk=replace(passages[0].chunk, text=trapped))
    for cited in ([], [1]):
        html = sources_html([passage], "fr", cited, {1: ["Voir le lien."]})
        assert "<script" not in html and "<img" not in html and "<a href=\"http://evil" not in html
        assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_every_answer_starts_with_the_notice_and_refusals_are_labelled(web_services) -> None:  # type: ignore[no-untyped-def]
    answer = web_services.answerer.answer("Quand se réunit le comité de pilotage IA ?")
    assert answer_markdown(answer).startswith(f"⚠️ **{NOTICE['fr']}**")
    refused = web_services.answerer.answer("Quelle est la recette du gâteau basque ?")
    text = answer_markdown(refused)
    assert refused.refused and text.startswith("⚠️ **Réponse générée par IA") and "Pas de réponse dans les documents" in text
    greeting = answer_markdown(web_services.answerer.answer("Bonjour"))
    assert greeting.startswith("⚠️ **Réponse générée par IA") and "Je suis Garant" in greeting
    assert "Pas de réponse dans les documents" not in greeting


def test_a_quote_on_the_page_says_where_in_its_document_it_is(web_services) -> None:  # type: ignore[no-untyped-def]
    answer = web_services.answerer.answer("Quand se réunit le comité de pilotage IA ?", no_llm=True)
    number, sentence = answer.extracts[0]
    passage = answer.retrieved[number - 1]
    placed = replace(passage, chunk=replace(passage.chunk, heading_path=["Article 3 — Gouvernance_*"], pages=[4]))
    answer.retrieved[number - 1] = placed
    # the heading is document text: escaped like the quote (no emphasis or link can come from it)
    assert f"> {sentence} [{number}] — *p. 4, Article 3 — Gouvernance\\_\\**" in answer_markdown(answer).split("\n\n")


def test_apostrophes_and_quotes_in_quoted_passages_are_not_mangled() -> None:
    from assistant.web.render import _md_escape

    text = _md_escape("l'outil « conforme » et \"sûr\" <b>gras</b> #1")
    assert "&#x27;" not in text and "l'outil" in text and '"sûr"' in text
    assert "<b>" not in text and "&lt;b&gt;" in text


PASSAGE = (
    "# Gouvernance\n\n"
    "Le comité de pilotage IA et numérique se réunit une fois par trimestre. "
    "La cafétéria ouvre à 7 h 30 du lundi au vendredi.\n\n"
    "<script>alert('x')</script> Le comité valide chaque nouvel usage d'un outil d'IA."
)


def _marked(html_text: str) -> list[str]:
    """The text of each highlighted sentence, inner word marks removed, entities kept."""
    plain = re.sub(r'<mark class="garant-word">(.*?)</mark>', r"\1", html_text, flags=re.S)
    return re.findall(r'<mark class="garant-support">(.*?)</mark>', plain, flags=re.S)


def test_the_passage_sentence_supporting_the_cited_answer_sentence_is_highlighted() -> None:
    from assistant.web.render import highlighted_passage

    html_text = highlighted_passage(PASSAGE, ["Le comité de pilotage IA se réunit une fois par trimestre."], "fr")
    marked = _marked(html_text)
    assert marked == ["Le comité de pilotage IA et numérique se réunit une fois par trimestre."]
    # the words shared with the answer are marked inside it, the others are not
    assert '<mark class="garant-word">trimestre</mark>' in html_text and '<mark class="garant-word">numérique</mark>' not in html_text
    # the unrelated sentences of the passage stay plain
    assert "La cafétéria ouvre à 7 h 30 du lundi au vendredi." in html_text
    assert "cafétéria" not in "".join(marked) and "valide" not in "".join(marked)


def test_a_sentence_sharing_nothing_with_the_answer_highlights_nothing() -> None:
    from assistant.web.render import highlighted_passage

    html_text = highlighted_passage(PASSAGE, ["La recette du gâteau basque demande des cerises noires."], "fr")
    assert "<mark" not in html_text and "&lt;script&gt;" in html_text


def test_document_markup_stays_escaped_inside_a_highlight() -> None:
    from assistant.web.render import highlighted_passage

    html_text = highlighted_passage(PASSAGE, ["Le comité valide chaque nouvel usage d'un outil d'IA."], "fr")
    [marked] = _marked(html_text)
    assert marked.startswith("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") and "valide chaque nouvel usage" in marked
    assert "<script" not in html_text and "</script" not in html_text
    # only our own mark elements are live markup
    assert set(re.findall(r"</?[a-z]+", html_text)) == {"<mark", "</mark"}


def test_a_figure_in_the_answer_picks_the_sentence_holding_that_figure() -> None:
    from assistant.web.render import highlighted_passage

    passage = "Le registre est revu chaque année par le comité. Le registre est revu sous 30 jours après un incident par le comité."
    marked = _marked(highlighted_passage(passage, ["Le registre est revu par le comité sous 30 jours."], "fr"))
    assert marked == ["Le registre est revu sous 30 jours après un incident par le comité."]


def test_the_sources_of_an_answer_highlight_what_supports_it(web_services) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.render import answer_sources_html

    answer = web_services.answerer.answer("Quand se réunit le comité de pilotage IA ?")
    assert not answer.refused and answer.cited
    html_text = answer_sources_html(answer)
    assert any("se réunit une fois par trimestre" in marked for marked in _marked(html_text))
    # the highlight is in a cited card, and the trapped note stays inert text
    cards = re.split(r'(?=<div class="garant-source(?: cited)?">)', html_text)
    assert any(card.startswith('<div class="garant-source cited">') and '<mark class="garant-support">' in card for card in cards)
    assert not any(card.startswith('<div class="garant-source">') and "<mark" in card for card in cards)
    assert "<script>" not in html_text and "<img" not in html_text


def test_a_refusal_highlights_nothing_and_a_degraded_answer_only_what_it_quotes(web_services) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.render import answer_claims, answer_sources_html

    refused = web_services.answerer.answer("Quelle est la recette du gâteau basque ?")
    assert refused.refused and answer_claims(refused) == {} and "<mark" not in answer_sources_html(refused)
    degraded = web_services.answerer.answer("Quand se réunit le comité de pilotage IA ?", no_llm=True)
    assert degraded.degraded and degraded.extracts
    claims = answer_claims(degraded)
    assert set(claims) == {number for number, _ in degraded.extracts}
    assert all(sentence in claims[number] for number, sentence in degraded.extracts)
    assert '<mark class="garant-support">' in answer_sources_html(degraded)


def test_an_answer_sentence_joining_two_passage_sentences_highlights_both() -> None:
    from assistant.web.render import highlighted_passage

    passage = ("Le comité se réunit une fois par trimestre. La cafétéria ouvre à 7 h. "
               "Il est présidé par le directeur général. Les visites sont libres.")
    marked = _marked(highlighted_passage(passage, ["Le comité se réunit une fois par trimestre et est présidé par le directeur général."], "fr"))
    assert marked == ["Le comité se réunit une fois par trimestre.", "Il est présidé par le directeur général."]


def test_a_table_in_a_source_reads_as_labelled_rows_with_the_supporting_cell_highlighted(web_services) -> None:  # type: ignore[no-untyped-def]
    passages = web_services.retriever.search("comité de pilotage")
    table = ("| Étape | Acteur | Délai |\n|---|---|---|\n| Déclaration | Professionnel ou cadre | 24 heures |\n"
             "| Qualification | Cellule qualité | 72 heures |")
    passage = replace(passages[0], chunk=replace(passages[0].chunk, text=table))
    html = sources_html([passage], "fr", [1], {1: ["La déclaration se fait dans les 24 heures."]})
    assert "|" not in html and "---" not in html
    assert "Étape : Qualification ; Acteur : Cellule qualité ; Délai : 72 heures." in html
    assert '<mark class="garant-word">24</mark>' in html and "72 heures" not in " ".join(_marked(html))
