"""The English–French glossary: an English question's concepts in French, and the second BM25
search it gives the establishment's French documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_files import write_documents

from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.errors import ConfigError
from assistant.retrieval.glossary import SHIPPED_GLOSSARY, Glossary, _stems
from assistant.services import build_services
from ingest.pipeline import Ingestor


def _glossary(tmp_path: Path, text: str) -> Glossary:
    path = tmp_path / "glossary.tsv"
    path.write_text(text, encoding="utf-8")
    return Glossary.load(path)


def test_english_phrases_are_matched_by_stem_longest_first_each_word_once(tmp_path: Path) -> None:
    glossary = _glossary(tmp_path, "# comment\n\ncadre de santé\tnurse manager | head nurse\n"
                                   "infirmier | IDE\tnurse\ngestion\tmanager\nposte\tshift | extension\n")
    assert sorted(glossary.to_french("How many shifts can a nurse work?").split()) == ["IDE", "infirmier", "poste"]
    # « nurse manager » is one concept: neither « infirmier » nor « gestion » is added for its words
    assert glossary.to_french("Who is the nurse manager on nights?") == "cadre de santé"
    # a concept named twice is translated once
    assert glossary.to_french("The nurse asked another nurse.") == "infirmier IDE"


def test_codes_and_numbers_are_kept_as_written_and_nothing_is_said_without_a_concept(tmp_path: Path) -> None:
    glossary = _glossary(tmp_path, "poste\textension\nformulaire | fiche\tform\n")
    assert glossary.to_french("Is the extension 4100 on the DR-PLAN form?") == "poste formulaire fiche 4100 DR-PLAN"
    assert glossary.to_french("What is MOD-PLAN-03?") == ""


@pytest.mark.parametrize("line", ["poste extension", "\textension", "poste\t", "poste\textension\tshift"])
def test_a_malformed_line_is_an_error_naming_it(tmp_path: Path, line: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _glossary(tmp_path, f"# en-tête\n{line}\n")
    assert "ligne 2" in caught.value.message_fr and "line 2" in caught.value.message_en


def test_a_missing_glossary_file_is_an_error_saying_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="retrieval.glossary_path"):
        Glossary.load(tmp_path / "absent.tsv")


def test_the_shipped_glossary_loads_and_lists_each_english_phrase_once() -> None:
    glossary = Glossary.load(SHIPPED_GLOSSARY)
    phrases = [concept.stems for concept in glossary.entries]
    assert len(phrases) > 100
    assert sorted({p for p in phrases if phrases.count(p) > 1}) == [], "a phrase on two lines: only the first could ever be used"
    assert glossary.to_french("Which phone extension do I dial to reach the AI referent?").split()[:3] == ["référent", "IA", "référent"]
    assert _stems("nurses' shifts") == ("nurs", "shift")


@pytest.fixture
def bilingual(fake_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    corpus = write_documents(tmp_path / "corpus", [
        ("charte.md", "Charte IA", "fr", "charte", "Le référent IA est joignable au poste 4100."),
        ("guide.md", "Guide de la sécurité", "fr", "guide", "Le référent sécurité est joignable au poste 5200."),
        ("ria-fr.md", "Règlement (UE) 2024/1689", "fr", "reglementation", "Le référent du fournisseur tient le poste de contrôle."),
        ("ria-en.md", "Regulation (EU) 2024/1689", "en", "reglementation", "Providers shall name a referent for the AI system."),
    ])
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    svc = build_services(fake_settings, chat_model=FakeChatModel(["x"]), embedder=HashEmbedder())
    yield svc.retriever
    svc.close()


def _scores(retriever, question: str, lang: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {p.document.title: p.score for p in retriever.search(question, k=10, lang=lang)}


def test_an_english_question_searches_the_establishments_french_documents_with_the_glossary(bilingual) -> None:  # type: ignore[no-untyped-def]
    question = "Which phone extension do I dial to reach the AI referent?"
    found = bilingual._in_french(question, 40, bilingual.allowed_documents())  # noqa: SLF001
    titles = {bilingual.documents[bilingual._doc_of[cid]].title: score for cid, score in found.items()}  # noqa: SLF001
    # the charter only: a French guide or the French text of a translated act is not the establishment's rule
    assert titles == {"Charte IA": 1.0}
    with_glossary = _scores(bilingual, question, "en")
    bilingual.glossary = None
    without = _scores(bilingual, question, "en")
    weight = bilingual.settings.score_lexical_weight
    assert with_glossary["Charte IA"] - without["Charte IA"] == pytest.approx(weight * 1.0)
    assert with_glossary["Guide de la sécurité"] == pytest.approx(without["Guide de la sécurité"])


def test_a_french_question_is_searched_as_before(bilingual) -> None:  # type: ignore[no-untyped-def]
    question = "À quel poste joindre le référent IA ?"
    before = _scores(bilingual, question, "fr")
    bilingual.glossary = None
    assert _scores(bilingual, question, "fr") == before


def test_an_english_word_is_held_by_a_french_text_stating_its_concept(tmp_path: Path) -> None:
    from assistant.retrieval.analysis import analyse

    glossary = _glossary(tmp_path, "poste\textension | shift\nréférent IA\tAI referent\nformulaire\tform\n")
    charter = set(analyse("Il est joignable au poste 4100 (boîte « Référent IA »).", "fr"))
    held = glossary.supported_in_french("Dial extension 4100 to reach the AI referent, or fill in the form.", charter)
    # « poste » and « référent IA » are in the text, « formulaire » is not; "dial" and "reach" name no concept
    assert held == set(analyse("extension AI referent", "en"))
