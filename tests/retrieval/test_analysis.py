"""Text analysis: French and English text to the terms BM25 counts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.retrieval.analysis import analyse, fold_accents, guess_language, normalise_language, tokenise


def test_french_plural_and_singular_give_the_same_terms() -> None:
    assert analyse("contrôles humains", "fr") == analyse("contrôle humain", "fr")
    assert analyse("déployeurs", "fr") == analyse("déployeur", "fr")


def test_accents_are_optional_for_common_words() -> None:
    assert analyse("controle humain deployeurs", "fr") == analyse("contrôle humain déployeurs", "fr")


def test_accents_are_folded_after_stemming() -> None:
    # The French stemmer reads the accent ("sécurité" → "sécur"); only the stem is folded.
    assert analyse("sécurité", "fr") == ["secur"]
    assert all(term.isascii() for term in analyse("Évaluation de la conformité à l'égard des données", "fr"))


def test_french_elisions_are_removed() -> None:
    assert analyse("l'intelligence", "fr") == analyse("intelligence", "fr")
    assert analyse("d'IA qu'il n'est s'il c'est j'ai jusqu'à l’article", "fr") == ["ia", "articl"]


def test_stop_words_are_dropped_in_both_languages() -> None:
    assert analyse("le la les des du et à ou", "fr") == []
    assert analyse("the of and to is are it", "en") == []


def test_english_words_are_stemmed_with_the_english_stemmer() -> None:
    assert analyse("The providers' obligations", "en") == analyse("provider obligation", "en")


def test_numbers_references_and_percentages_are_kept_whole() -> None:
    terms = analyse("Règlement (UE) 2024/1689 : 75 % des cas, 2,5 % sinon, le 12.7.2024", "fr")
    assert "2024/1689" in terms
    assert "75%" in terms
    assert "2.5%" in terms
    assert "12.7.2024" in terms


def test_article_references_give_a_compound_token() -> None:
    assert "art14" in analyse("conformément à l'article 14", "fr")
    assert {"art16", "art114"} <= set(analyse("vu les articles 16 et 114", "fr"))
    assert "art5" in analyse("see Art. 5 and Article 26(1)", "en")
    assert "art26" in analyse("see Art. 5 and Article 26(1)", "en")


def test_a_number_followed_by_a_percent_sign_is_not_an_article() -> None:
    assert "art75" not in analyse("article 14 et 75 % des cas", "fr")


def test_nfkc_joins_pdf_ligatures_and_nonbreaking_spaces() -> None:
    assert analyse("ﬁchier", "fr") == analyse("fichier", "fr")
    assert "75%" in analyse("75\u202f%", "fr")


def test_underscores_and_punctuation_split_words() -> None:
    assert tokenise("snake_case, (voir) — fin.") == ["snake", "case", "voir", "fin"]


def test_language_is_guessed_from_stop_words() -> None:
    assert guess_language(tokenise("Les obligations des déployeurs sont énoncées dans le règlement")) == "fr"
    assert guess_language(tokenise("The obligations of deployers are set out in the regulation")) == "en"
    assert guess_language(tokenise("2024/1689")) == "fr"


def test_guessed_language_picks_the_matching_stemmer() -> None:
    assert analyse("The deployers of high-risk systems") == analyse("deployer high risk system", "en")


def test_language_codes_accept_region_suffixes_and_refuse_unknown_languages() -> None:
    assert normalise_language("fr-FR") == "fr"
    assert normalise_language("EN_gb") == "en"
    assert normalise_language(None) is None
    with pytest.raises(ValueError, match="Unsupported language"):
        normalise_language("de")


def test_fold_accents_handles_ligatures() -> None:
    assert fold_accents("Cœur Contrôlé") == "Coeur Controle"


@given(text=st.text(), lang=st.sampled_from([None, "fr", "en"]))
def test_analyse_never_raises_and_returns_non_empty_terms(text: str, lang: str | None) -> None:
    terms = analyse(text, lang)
    assert all(isinstance(term, str) and term for term in terms)
