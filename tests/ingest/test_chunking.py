"""Tests for ingest.chunking (and the structure it relies on) on generated and real sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.chunking import MAX_INTRO_CHARS, chunk_blocks, document_text
from ingest.cleaning import clean_blocks
from ingest.document import Block, ChunkDraft
from ingest.extract import extract_file
from ingest.structure import split_structure


def _pipeline(path: Path) -> tuple[list[Block], list[ChunkDraft]]:
    """Cleaned blocks and chunks of one real source."""
    blocks = clean_blocks(extract_file(path).blocks)
    return blocks, chunk_blocks(blocks)


@pytest.fixture(scope="module")
def english_ai_act(shared_source) -> tuple[list[Block], list[ChunkDraft]]:  # type: ignore[no-untyped-def]
    return _pipeline(shared_source("eu-ai-act-2024-1689-en.pdf"))


@pytest.fixture(scope="module")
def french_ai_act(shared_source) -> tuple[list[Block], list[ChunkDraft]]:  # type: ignore[no-untyped-def]
    return _pipeline(shared_source("eu-ai-act-2024-1689-fr.md"))


def _chunk_with(chunks: list[ChunkDraft], phrase: str) -> ChunkDraft:
    return next(c for c in chunks if phrase in c.text)


def test_chunk_offsets_point_into_the_cleaned_text() -> None:
    blocks = [
        Block("Premier paragraphe. " * 40, page=1, heading_path=["A"]),
        Block("Suite sur la page deux. " * 10, page=2, heading_path=["A"]),
        Block("Autre section.", page=2, heading_path=["B"]),
    ]
    chunks = chunk_blocks(blocks, max_chars=300, overlap_chars=50)
    text = document_text(blocks)
    assert all(text[c.char_start : c.char_end] == c.text for c in chunks)
    assert all(len(c.text) <= 300 for c in chunks)
    assert chunks[-1].heading_path == ["B"] and chunks[-1].text == "Autre section."
    assert chunks[0].pages == [1]
    spanning = chunk_blocks([Block("Fin de la page un,", page=1), Block("suite en page deux.", page=2)])
    assert [c.pages for c in spanning] == [[1, 2]]


def test_chunk_never_spans_two_sections() -> None:
    blocks = [
        Block("court", heading_path=["X", "Article 1 — Objet"]),
        Block("aussi court", heading_path=["X", "Article 2 — Champ"]),
    ]
    chunks = chunk_blocks(blocks)
    assert [c.heading_path[-1] for c in chunks] == ["Article 1 — Objet", "Article 2 — Champ"]


def test_tiny_plain_section_merges_with_next_sibling() -> None:
    blocks = [
        Block("Très court.", heading_path=["Guide", "Intro"]),
        Block("Un paragraphe de contenu.", heading_path=["Guide", "Contexte"]),
    ]
    chunks = chunk_blocks(blocks)
    assert len(chunks) == 1 and chunks[0].heading_path == ["Guide"]


def test_overlap_repeats_the_end_of_the_previous_chunk() -> None:
    sentences = " ".join(f"Phrase numéro {i} du texte." for i in range(200))
    chunks = chunk_blocks([Block(sentences)], max_chars=400, overlap_chars=100)
    assert len(chunks) > 3
    assert all(b.char_start < a.char_end for a, b in zip(chunks, chunks[1:], strict=False))


def test_plain_text_article_and_chapter_lines_become_heading_path() -> None:
    page = (
        "CHAPTER II\nPROHIBITED AI PRACTICES\nArticle 5\nProhibited AI practices\n"
        "1. The following AI practices shall be prohibited:\nArticle 5 of Regulation X applies."
    )
    blocks = split_structure([Block(page, page=51)])
    assert blocks[0].heading_path == [
        "CHAPTER II — PROHIBITED AI PRACTICES",
        "Article 5 — Prohibited AI practices",
    ]
    assert blocks[0].text.startswith("1. The following")


def test_english_ai_act_phrase_lands_on_its_pdf_page(english_ai_act) -> None:
    _, chunks = english_ai_act
    # pypdf finds this sentence on page 60 (Article 14) and the deployers' duty on page 67.
    assert 60 in _chunk_with(chunks, "Human oversight shall aim to prevent or minimise").pages
    assert 67 in _chunk_with(chunks, "Deployers of high-risk AI systems shall take appropriate technical").pages


def test_english_ai_act_articles_have_title_paths(english_ai_act) -> None:
    _, chunks = english_ai_act
    chunk = _chunk_with(chunks, "Human oversight shall aim to prevent or minimise")
    assert chunk.heading_path == [
        "CHAPTER III — HIGH-RISK AI SYSTEMS",
        "SECTION 2 — Requirements for high-risk AI systems",
        "Article 14 — Human oversight",
    ]
    articles = {p[-1].split(" — ")[0] for c in chunks for p in [c.heading_path] if p and p[-1].startswith("Article")}
    assert len(articles) == 113
    assert not any(re.search(r"\d+/144|OJ L, 12\.7\.2024", c.text) for c in chunks)


def test_french_ai_act_article_14_heading_path_and_page(french_ai_act) -> None:
    _, chunks = french_ai_act
    chunk = _chunk_with(chunks, "La conception et le développement des systèmes d’IA à haut risque permettent")
    assert chunk.heading_path == [
        "CHAPITRE III — SYSTÈMES D’IA À HAUT RISQUE",
        "SECTION 2 — Exigences applicables aux systèmes d’IA à haut risque",
        "Article 14 — Contrôle humain",
    ]
    assert chunk.pages[0] == 60


def test_french_ai_act_chunks_hold_no_page_footer(french_ai_act) -> None:
    _, chunks = french_ai_act
    for chunk in chunks:
        assert not re.search(r"ELI: http://data\.europa\.eu/eli/reg/2024/1689/oj\s*\d+/144", chunk.text)
        assert not re.search(r"\d+/144\s+ELI", chunk.text)
        # Any "ELI:" left is a legal citation of the text itself: "(JO L, 2024/900, ..., ELI: http...)".
        for match in re.finditer("ELI:", chunk.text):
            assert re.search(r"JO L, \d{4}/\d+, [\d.]+, $", chunk.text[: match.start()]), chunk.text


def test_french_ai_act_chunks_within_size_and_all_articles(french_ai_act) -> None:
    blocks, chunks = french_ai_act
    text = document_text(blocks)
    assert all(len(c.text) <= 1200 + MAX_INTRO_CHARS for c in chunks)  # a carried list introduction may exceed the size
    assert sum(len(c.text) > 1200 for c in chunks) < len(chunks) // 10
    assert all(text[c.char_start : c.char_end] == c.text for c in chunks)
    articles = {c.heading_path[-1].split(" — ")[0] for c in chunks if c.heading_path and c.heading_path[-1].startswith("Article")}
    assert len(articles) == 113


def test_cnil_fiches_are_sections_with_guide_pages(shared_source) -> None:  # type: ignore[no-untyped-def]
    _, chunks = _pipeline(shared_source("cnil-guide-securite-donnees-personnelles-2024.md"))
    chunk = _chunk_with(chunks, "Renforcer la sécurité des locaux hébergeant")
    assert chunk.heading_path == ["FICHE 12 — PROTÉGER LES LOCAUX"]
    assert chunk.pages == [30]
    fiche_13 = {c.heading_path[0] for c in chunks if c.heading_path and c.heading_path[0].startswith("FICHE 13")}
    assert fiche_13 == {"FICHE 13 — SÉCURISER LES ÉCHANGES AVEC L’EXTÉRIEUR"}


def test_gdpr_article_17_right_to_erasure_on_page_43(shared_source) -> None:  # type: ignore[no-untyped-def]
    _, chunks = _pipeline(shared_source("gdpr-2016-679-en.pdf"))
    chunk = _chunk_with(chunks, "The data subject shall have the right to obtain from the controller the erasure")
    assert chunk.heading_path[-1] == "Article 17 — Right to erasure (‘right to be forgotten’)"
    assert chunk.pages == [43]


def test_a_list_introduction_cut_from_its_items_starts_the_next_chunk_again() -> None:
    intro = "Le comité de pilotage IA et numérique (COPIL IA-N) :"
    paragraph = "Le pilotage de l'IA est intégré à l'instance existante de pilotage des projets numériques. " * 8 + intro
    items = "- se réunit une fois par trimestre ;\n- est présidé par le directeur général."
    blocks = [Block(paragraph, page=1, heading_path=["3.1 Comité"]), Block(items, page=1, heading_path=["3.1 Comité"])]
    chunks = chunk_blocks(blocks, max_chars=800, overlap_chars=100)
    text = document_text(blocks)
    with_items = _chunk_with(chunks, "trimestre")
    assert with_items.text.startswith(intro)
    assert with_items.text == text[with_items.char_start : with_items.char_end]
    assert _chunk_with(chunks, "pilotage des projets").text.endswith(intro)  # the previous chunk is unchanged


def test_a_chunk_ending_with_a_long_paragraph_and_a_colon_carries_no_more_than_the_introduction() -> None:
    long_intro = "Une phrase très longue qui finit par deux points " * 10 + ":"
    blocks = [Block("Premier paragraphe. " * 30 + long_intro, page=1, heading_path=["A"]), Block("- un élément.", page=1, heading_path=["A"])]
    chunks = chunk_blocks(blocks, max_chars=700, overlap_chars=50)
    assert _chunk_with(chunks, "un élément").text.startswith("- un élément")


def test_an_annex_item_cut_from_its_point_has_the_point_as_heading(english_ai_act) -> None:
    blocks, chunks = english_ai_act
    chunk = _chunk_with(chunks, "(d) AI systems intended to evaluate and classify emergency calls")
    assert chunk.text.startswith("(d) AI systems intended to evaluate and classify emergency calls")  # the text stays the document's
    assert chunk.text == document_text(blocks)[chunk.char_start : chunk.char_end]
    assert chunk.heading_path == [
        "ANNEX III — High-risk AI systems referred to in Article 6(2)",
        "5. Access to and enjoyment of essential private services and essential public services and benefits",
    ]


def test_an_item_cut_from_its_list_introduction_has_it_as_heading_and_a_new_list_none() -> None:
    intro = "1. The following AI practices shall be prohibited:"
    items = "\n".join(f"({letter}) the placing on the market of an AI system number {n} that does things " * 3 + ";"
                      for n, letter in enumerate("abcdefg"))
    blocks = [Block(f"{intro}\n{items}", page=1, heading_path=["Article 5 — Prohibited AI practices"]),
              Block("A paragraph of its own, after the list. " * 20, page=1, heading_path=["Article 5 — Prohibited AI practices"])]
    chunks = chunk_blocks(blocks, max_chars=500, overlap_chars=0)
    inside = _chunk_with(chunks, "(f) the placing")
    assert not inside.text.startswith(intro)
    assert inside.heading_path == ["Article 5 — Prohibited AI practices", "1. The following AI practices shall be prohibited"]
    assert _chunk_with(chunks, "(a) the placing").heading_path == ["Article 5 — Prohibited AI practices"]  # starts with its introduction
    assert _chunk_with(chunks, "A paragraph of its own").heading_path == ["Article 5 — Prohibited AI practices"]


def test_an_item_after_a_sibling_and_its_sub_list_has_the_lists_introduction() -> None:
    # Article 5(1) of the AI Act: « (c) … with the social score leading to either or both of the
    # following: (i) … (ii) … » then « (d) … », cut before (d): (c)'s colon opens (i) and (ii), not (d)
    intro = "1. The following AI practices shall be prohibited:"
    sibling = "(c) the evaluation of natural persons, with the social score leading to either or both of the following:"
    sub = "\n".join(f"({roman}) detrimental or unfavourable treatment of persons in context number {n}." for n, roman in enumerate(["i", "ii"]))
    after = "(d) the placing on the market of AI systems to infer emotions of a natural person in the workplace; " * 4
    blocks = [Block(f"{intro}\n(a) first practice.\n(b) second practice.\n{sibling}\n{sub}\n{after}", page=1,
                    heading_path=["Article 5 — Prohibited AI practices"])]
    chunks = chunk_blocks(blocks, max_chars=420, overlap_chars=0)
    inside = _chunk_with(chunks, "infer emotions")
    assert inside.text.startswith("(d) the placing")
    assert inside.heading_path == ["Article 5 — Prohibited AI practices", "1. The following AI practices shall be prohibited"]


def test_a_bullet_after_another_bullets_sub_list_gets_no_introduction() -> None:
    first = "• Sécuriser les flux d'échange de données par l'utilisation de TLS :"
    sub = "\n".join(f"- une mesure numéro {n} qui protège les échanges." for n in range(6))
    last = "• Implémenter les options « HttpOnly » et « Secure » des cookies de session, " * 4
    blocks = [Block(f"{first}\n{sub}\n{last}", page=1, heading_path=["FICHE 13"])]
    chunks = chunk_blocks(blocks, max_chars=400, overlap_chars=0)
    assert _chunk_with(chunks, "numéro 5").text.startswith(first)
    assert _chunk_with(chunks, "HttpOnly").text.startswith("• Implémenter")
    assert _chunk_with(chunks, "HttpOnly").heading_path == ["FICHE 13"]  # not « • Sécuriser les flux… »
